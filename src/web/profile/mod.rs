//! My Profile: what every signed-in user sees of themself, their sessions, their
//! password and their two-factor authentication.

pub mod info;
pub mod password;
pub mod sessions;
pub mod show;
pub mod subscriptions;
pub mod two_factor;
