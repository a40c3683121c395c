//! Who may do what: passwords, tokens, the rights catalog, the policy, sign-in and the
//! session rules. Web handlers ask `policy::authorize` and nothing else.

pub mod password;
pub mod policy;
pub mod rights;
pub mod session_rules;
pub mod signin;
pub mod token;
