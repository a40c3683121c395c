//! My Profile: what every signed-in user sees of themself, their sessions and their
//! password.

pub mod info;
pub mod password;
pub mod sessions;
pub mod show;
pub mod subscriptions;
