//! Signing in and the pages that come before it: sign-in, the account choice, first setup,
//! accepting an invitation, and the page for a link that cannot be used.

pub mod accept;
pub mod choose_account;
pub mod code;
pub mod email_change;
pub mod link_problem;
pub mod login;
pub mod password_reset;
pub mod setup;
