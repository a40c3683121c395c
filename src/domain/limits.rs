//! How long typed text may be: the one place these limits live. Every form's parsing checks
//! its fields here before anything is stored or kept for the next page (database, session,
//! a flash message), and the message goes beside the field that was too long. Lengths count
//! characters, as people count them, not bytes.
//!
//! The columns are plain TEXT on both backends: these checks are what bounds them. They
//! also keep indexed values (lowered names, codes, emails) far below PostgreSQL's b-tree
//! row limit of about 2.7 kB, past which an insert would fail.

use crate::domain::FieldErrors;

/// First, last and displayed names of people; account, company and catalog item names.
pub const NAME: usize = 100;
/// The longest address SMTP allows (RFC 5321).
pub const EMAIL: usize = 254;
pub const PHONE: usize = 40;
pub const USERNAME: usize = 64;
/// Codes of companies, locations, fields, options and product groups.
pub const CODE: usize = 32;
pub const ROLE_NAME: usize = 60;
pub const ROLE_DESCRIPTION: usize = 500;
pub const FILTER_NAME: usize = 60;
/// A comment on a user.
pub const COMMENT: usize = 2000;
/// A saved filter's query string, in bytes: it is percent-encoded ASCII.
pub const FILTER_QUERY: usize = 4000;
/// Search boxes. The longest thing worth finding is a whole email address.
pub const SEARCH: usize = EMAIL;
/// The Invite User wizard's list of addresses: room for `EMAILS_AT_ONCE` ordinary ones.
pub const EMAIL_LIST: usize = 100_000;
/// At most this many addresses in one invitation.
pub const EMAILS_AT_ONCE: usize = 1000;
/// Passwords: the strength rule refuses longer ones, so none stored is longer.
pub const PASSWORD: usize = crate::auth::password::MAX_CHARS;

/// Whether `value` has at most `max` characters. Looks at no more than `max + 1` of them,
/// however long the value is.
pub fn fits(value: &str, max: usize) -> bool {
    value.chars().nth(max).is_none()
}

/// What to say about a value that is too long: what it is, the limit, and its length.
pub fn too_long(what: &str, max: usize, value: &str) -> String {
    format!(
        "{what} can be at most {max} characters; this one has {}.",
        value.chars().count()
    )
}

/// Puts the message beside `field` when `value` is longer than `max`; returns whether it
/// fits. `what` names the value as the message starts: "A code", "First name".
pub fn check(
    errors: &mut FieldErrors,
    field: &'static str,
    what: &str,
    value: &str,
    max: usize,
) -> bool {
    let fits = fits(value, max);
    if !fits {
        errors.add(field, too_long(what, max, value));
    }
    fits
}

/// A search box's text as searched: trimmed, without control characters, and refused
/// (with the message to show) when longer than `SEARCH`.
pub fn search(text: &str) -> Result<String, String> {
    let term: String = text.trim().chars().filter(|c| !c.is_control()).collect();
    if fits(&term, SEARCH) {
        Ok(term)
    } else {
        Err(format!(
            "{} Search for part of a name, code or email address.",
            too_long("A search", SEARCH, &term)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_count_characters_not_bytes() {
        assert!(fits("é".repeat(NAME).as_str(), NAME));
        assert!(!fits("é".repeat(NAME + 1).as_str(), NAME));
        assert!(fits("", 0));
    }

    #[test]
    fn a_too_long_value_is_named_beside_its_field() {
        let mut errors = FieldErrors::default();
        assert!(check(&mut errors, "code", "A code", "ABC", CODE));
        assert!(errors.is_empty());
        assert!(!check(&mut errors, "code", "A code", &"C".repeat(40), CODE));
        assert_eq!(
            errors.get("code"),
            Some("A code can be at most 32 characters; this one has 40.")
        );
    }

    #[test]
    fn searches_are_trimmed_and_bounded() {
        assert_eq!(search("  smi\u{7}th ").as_deref(), Ok("smith"));
        assert!(search(&"a".repeat(SEARCH)).is_ok());
        let refused = search(&"a".repeat(5000)).unwrap_err();
        assert!(refused.contains("at most 254"), "{refused}");
    }
}
