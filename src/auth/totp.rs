//! Time-based one-time codes (RFC 6238) as every authenticator app reads them: 6 digits,
//! 30-second steps, HMAC-SHA-1, one step of skew either way; 160-bit secrets, sealed at
//! rest with AES-256-GCM under a key derived from the server's secret key and bound to
//! their user; recovery codes
//! of 128 random bits, kept only as SHA-256 hashes. What a code may be used for, and that it
//! is used once, is domain::two_factor's.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rand::RngCore;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Builder, Secret};

/// Bytes of a secret: 160 bits, the size RFC 4226 recommends.
pub const SECRET_BYTES: usize = 20;
pub const DIGITS: u8 = 6;
pub const STEP_SECONDS: u64 = 30;
/// Steps accepted either side of now: a phone's clock a little off still works.
const SKEW_STEPS: u16 = 1;
/// How many recovery codes an enrolment makes.
pub const RECOVERY_CODES: usize = 10;
/// The issuer shown in authenticator apps.
const ISSUER: &str = "Roster";

/// A TOTP secret in the clear: only while enrolling or checking a code.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(..)")
    }
}

impl TotpSecret {
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; SECRET_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// The secret as typed into an app by hand (RFC 4648 base32, no padding).
    pub fn to_base32(&self) -> String {
        Secret::from(self.0.as_slice()).to_base32()
    }

    /// The same in groups of four, easier to type into an app (which ignores the spaces).
    pub fn to_base32_grouped(&self) -> String {
        let text = self.to_base32();
        let groups: Vec<&str> = text
            .as_bytes()
            .chunks(4)
            .filter_map(|c| std::str::from_utf8(c).ok())
            .collect();
        groups.join(" ")
    }

    /// Back from `to_base32` (spaces allowed); None for anything else.
    pub fn from_base32(text: &str) -> Option<Self> {
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let bytes = Secret::try_from_base32(text).ok()?;
        (bytes.as_bytes().len() == SECRET_BYTES).then(|| Self(bytes.as_bytes().to_vec()))
    }

    fn totp(&self, account_name: &str) -> Option<totp_rs::Totp> {
        Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(DIGITS)
            .with_skew(SKEW_STEPS)
            .with_step_duration(STEP_SECONDS)
            .with_secret(self.0.clone())
            .with_issuer(Some(ISSUER))
            // A colon would end the label early in the otpauth URL.
            .with_account_name(account_name.replace(':', " "))
            .build()
            .ok()
    }

    /// The step the code belongs to, if `code` is right at `unix_seconds` (within the
    /// skew). Spaces in the code are ignored; anything else but six digits is wrong.
    pub fn check(&self, code: &str, unix_seconds: u64) -> Option<u64> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        self.totp("")?.check(&code, unix_seconds)
    }

    /// The otpauth:// address an authenticator app reads from the QR code.
    pub fn otpauth_url(&self, account_name: &str) -> Option<String> {
        self.totp(account_name)?.to_url().ok()
    }
}

/// The otpauth address as an SVG QR code, to be put into the page as it is (no image
/// request, nothing a CSP without `data:` refuses).
pub fn qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build();
    // Inline in HTML: the XML prolog has no place there.
    let start = svg.find("<svg")?;
    Some(svg[start..].to_owned())
}

/// Seals and opens TOTP secrets for storage. A database copy alone does not give codes,
/// and a sealed secret moved to another user's row does not open there.
#[derive(Clone)]
pub struct SecretSeal {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for SecretSeal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretSeal(..)")
    }
}

/// What a sealed secret starts with: the format, should it ever change.
pub const SEALED_PREFIX: &str = "v1:";
const NONCE_BYTES: usize = 12;

impl SecretSeal {
    /// From the server's secret key (at least 64 random bytes): a key of its own, hashed
    /// from it with a label, so the cookie key is never used for anything else.
    pub fn new(server_key: &[u8]) -> Self {
        let key = Sha256::new()
            .chain_update(b"roster: the key that seals TOTP secrets\0")
            .chain_update(server_key)
            .finalize();
        Self {
            cipher: Aes256Gcm::new(&key),
        }
    }

    /// The secret sealed for `owner` (what it is bound to, such as the user's id), as text
    /// for the database; None only if encryption fails.
    pub fn seal(&self, secret: &TotpSecret, owner: &[u8]) -> Option<String> {
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rng().fill_bytes(&mut nonce);
        let payload = Payload {
            msg: secret.0.as_slice(),
            aad: owner,
        };
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), payload)
            .ok()?;
        Some(format!(
            "{SEALED_PREFIX}{}{}",
            hex::encode(nonce),
            hex::encode(sealed)
        ))
    }

    /// The secret back; None when it was sealed under another key or for another owner, or
    /// is not a sealed secret at all.
    pub fn open(&self, stored: &str, owner: &[u8]) -> Option<TotpSecret> {
        let bytes = hex::decode(stored.strip_prefix(SEALED_PREFIX)?).ok()?;
        if bytes.len() <= NONCE_BYTES {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let payload = Payload {
            msg: sealed,
            aad: owner,
        };
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), payload)
            .ok()?;
        (plain.len() == SECRET_BYTES).then_some(TotpSecret(plain))
    }
}

/// A new recovery code, shown once: 128 random bits as four groups of eight hex digits.
pub fn new_recovery_code() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let hex = hex::encode(bytes);
    [&hex[0..8], &hex[8..16], &hex[16..24], &hex[24..32]].join("-")
}

/// A recovery code as typed, in the one form it is hashed in: case, spaces and dashes
/// do not matter. None when it cannot be a recovery code (so nothing is looked up).
pub fn normalize_recovery_code(typed: &str) -> Option<String> {
    let digits: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (digits.len() == 32 && digits.chars().all(|c| c.is_ascii_hexdigit())).then_some(digits)
}

/// The stored form of a recovery code (normalized first).
pub fn hash_recovery_code(normalized: &str) -> String {
    crate::auth::token::hash_token(normalized)
}

/// The step a moment falls in.
pub fn step_of(unix_seconds: u64) -> u64 {
    unix_seconds / STEP_SECONDS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_160_bits_and_survives_base32() {
        let secret = TotpSecret::generate();
        assert_eq!(secret.0.len(), 20);
        let text = secret.to_base32();
        assert_eq!(text.len(), 32);
        assert_eq!(TotpSecret::from_base32(&text), Some(secret.clone()));
        let grouped = secret.to_base32_grouped();
        assert_eq!(grouped.len(), 39);
        assert_eq!(TotpSecret::from_base32(&grouped), Some(secret));
        assert_eq!(TotpSecret::from_base32("not base32!"), None);
    }

    #[test]
    fn a_sealed_secret_opens_only_with_its_key() {
        let secret = TotpSecret::generate();
        let seal = SecretSeal::new(&[7u8; 64]);
        let stored = seal.seal(&secret, b"user 1").unwrap();
        assert!(stored.starts_with(SEALED_PREFIX));
        assert!(!stored.contains(&hex::encode(&secret.0)));
        assert_eq!(seal.open(&stored, b"user 1"), Some(secret.clone()));
        assert_eq!(seal.open(&stored, b"user 2"), None, "bound to its user");
        assert_ne!(
            seal.seal(&secret, b"user 1"),
            Some(stored.clone()),
            "a fresh nonce each time"
        );
        assert_eq!(SecretSeal::new(&[8u8; 64]).open(&stored, b"user 1"), None);
        assert_eq!(seal.open("JBSWY3DPEHPK3PXP", b"user 1"), None);
    }

    #[test]
    fn the_rfc_6238_sha1_vector_checks_and_reports_its_step() {
        // RFC 6238 appendix B: the ASCII secret "12345678901234567890", T = 59 s.
        let secret = TotpSecret(b"12345678901234567890".to_vec());
        assert_eq!(secret.check("287082", 59), Some(1));
        assert_eq!(secret.check("287 082", 59), Some(1));
        assert_eq!(secret.check("287082", 59 + 30), Some(1), "one step late");
        assert_eq!(secret.check("287082", 59 - 30), Some(1), "one step early");
        assert_eq!(secret.check("287082", 59 + 60), None, "two steps late");
        assert_eq!(secret.check("28708", 59), None);
    }

    #[test]
    fn recovery_codes_are_normalized_before_hashing() {
        let code = new_recovery_code();
        assert_eq!(code.len(), 35);
        let typed = format!(" {} ", code.to_uppercase().replace('-', " "));
        assert_eq!(normalize_recovery_code(&typed), Some(code.replace('-', "")));
        assert_eq!(normalize_recovery_code("123456"), None);
    }

    #[test]
    fn the_qr_code_is_inline_svg() {
        let secret = TotpSecret::generate();
        let url = secret.otpauth_url("ann@acme.test").unwrap();
        assert!(
            url.starts_with("otpauth://totp/Roster:ann%40acme.test?"),
            "{url}"
        );
        let svg = qr_svg(&url).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
    }
}
