//! User Management: the list and its criteria, the advanced filter, saved filters, the CSV
//! export, the Invite User wizard and an invitation's page.

pub mod access;
pub mod advanced;
pub mod criteria;
pub mod export;
pub mod invitation;
pub mod invite;
pub mod list;
pub mod person;
pub mod saved_filters;
