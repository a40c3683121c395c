//! Who may do what: password hashing, tokens, the rights catalog, the policy and the
//! session rules. Web handlers ask `policy::authorize` and nothing else; sign-in's rules
//! are domain::signin.

pub mod password;
pub mod policy;
pub mod rights;
pub mod session_rules;
pub mod token;
pub mod totp;
