//! Passwords: argon2id (m=19456 KiB, t=2, p=1) and the strength rule (NIST SP 800-63B: length
//! and a zxcvbn score, no composition rules).

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 128;

fn argon2() -> Argon2<'static> {
    // m=19456 KiB, t=2, p=1 are the OWASP minimums; Params::DEFAULT is exactly that.
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::DEFAULT)
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

pub fn hash(password: &str) -> Result<String, HashError> {
    let hashed: PasswordHash = argon2()
        .hash_password(password.as_bytes())
        .map_err(|e| HashError(e.to_string()))?;
    Ok(hashed.to_string())
}

/// True when `password` matches the stored hash. A malformed hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash of a random password, made once at start-up: sign-in verifies against it for
/// unknown users, so the time taken does not tell whether an account exists.
pub fn dummy_hash() -> Result<String, HashError> {
    hash(&crate::auth::token::random_token())
}

/// Refuses a password that is too short, too long, or easy to guess given what an attacker
/// knows about the person (`context`: names, email, account name). The message says why.
pub fn check_strength(password: &str, context: &[&str]) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(format!(
            "Use at least {MIN_CHARS} characters (this one has {chars})."
        ));
    }
    if chars > MAX_CHARS {
        return Err(format!("Use at most {MAX_CHARS} characters."));
    }
    let mut inputs: Vec<&str> = Vec::new();
    for value in context.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        inputs.push(value);
        if let Some((local, domain)) = value.split_once('@') {
            inputs.push(local);
            inputs.push(domain);
        }
    }
    let estimate = zxcvbn::zxcvbn(password, &inputs);
    if u8::from(estimate.score()) >= 3 {
        return Ok(());
    }
    let mut message = String::from("This password is too easy to guess.");
    if let Some(feedback) = estimate.feedback() {
        if let Some(warning) = feedback.warning() {
            message.push_str(&format!(" {warning}."));
        }
        for suggestion in feedback.suggestions().iter().take(2) {
            message.push_str(&format!(" {suggestion}."));
        }
    }
    message = message.replace("..", ".");
    Err(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash("correct horse battery staple").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse battery staple", &h));
        assert!(!verify("correct horse battery stapler", &h));
        assert!(!verify("anything", "not a hash"));
    }

    #[test]
    fn strength_rules() {
        assert!(
            check_strength("short", &[])
                .unwrap_err()
                .contains("at least 12")
        );
        assert!(
            check_strength(&"x".repeat(129), &[])
                .unwrap_err()
                .contains("at most 128")
        );
        assert!(check_strength("passwordpassword", &[]).is_err());
        // The person's own email is strong for zxcvbn alone, and weak once it knows the person.
        let email = "ada.lovelace@example.com";
        assert!(check_strength(email, &[]).is_ok());
        assert!(check_strength(email, &[email, "Ada"]).is_err());
        // Spaces and any Unicode are fine; no composition rules.
        assert!(check_strength("violet ferns hum under tin rain", &[]).is_ok());
        assert!(check_strength("пароль для ростера и кофе", &[]).is_ok());
    }
}
