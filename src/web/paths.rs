//! Addresses that more than one module sends people to.

/// Change password: where a pre-assigned password must be replaced first.
pub const PASSWORD: &str = "/profile/password";
