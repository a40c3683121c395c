//! Addresses that more than one module sends people to.

/// Change password: where a pre-assigned password must be replaced first.
pub const PASSWORD: &str = "/profile/password";

/// The code step of signing in, where a half-signed-in session is sent.
pub const CODE: &str = "/login/code";

/// Two-factor authentication on My Profile: where a user who must set it up is sent.
pub const TWO_FACTOR: &str = "/profile/two-factor";
