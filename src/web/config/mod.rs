//! Configuration: the hub and each area it links to.

pub mod admins;
pub mod catalog;
pub mod companies;
pub mod hub;
pub mod roles;
pub mod settings;
