//! Two-factor codes computed here on their own (RFC 6238 over HMAC-SHA-1, RFC 4648 base32),
//! so the server's codes are checked against the standard rather than against its own
//! library; and the steps a user takes with an authenticator app.

use super::{Client, Page, STRONG_PASSWORD, TestApp};
use chrono::TimeDelta;
use hmac::{Hmac, Mac};

const STEP: i64 = 30;

/// RFC 4226 HOTP: HMAC-SHA-1 of the counter, dynamically truncated to `digits` digits.
pub fn hotp(key: &[u8], counter: u64, digits: u32) -> String {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(key).expect("any key length");
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[19] & 0x0f);
    let binary = (u32::from(hash[offset]) & 0x7f) << 24
        | u32::from(hash[offset + 1]) << 16
        | u32::from(hash[offset + 2]) << 8
        | u32::from(hash[offset + 3]);
    format!(
        "{:0width$}",
        binary % 10u32.pow(digits),
        width = digits as usize
    )
}

/// RFC 4648 base32 without padding, as authenticator apps take a key typed by hand.
pub fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut bits: u64 = 0;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let value = ALPHABET
            .find(c.to_ascii_uppercase())
            .unwrap_or_else(|| panic!("{c:?} is not base32"));
        bits = (bits << 5) | value as u64;
        count += 5;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    out
}

/// The 6-digit code of a base32 secret for a 30-second step.
pub fn code_for_step(secret: &str, step: i64) -> String {
    hotp(&base32_decode(secret), step as u64, 6)
}

/// The step the server's clock is in now.
pub fn step_now(app: &TestApp) -> i64 {
    app.clock.now().timestamp() / STEP
}

/// Moves the server's clock to the start of the next step when this one is about to end, so
/// a code computed now is still of the step the server checks it in.
pub fn steady(app: &TestApp) {
    let into = app.clock.now().timestamp().rem_euclid(STEP);
    if into >= STEP - 5 {
        app.clock.advance(TimeDelta::seconds(STEP - into + 1));
    }
}

/// The code the app shows now.
pub fn code_now(app: &TestApp, secret: &str) -> String {
    steady(app);
    code_for_step(secret, step_now(app))
}

/// The next step: a code used in this one cannot be used again.
pub fn next_step(app: &TestApp) {
    app.clock.advance(TimeDelta::seconds(STEP));
}

/// What a user keeps after setting up two-factor authentication.
pub struct Enrolled {
    pub secret: String,
    pub recovery_codes: Vec<String>,
}

/// The key shown under the QR code, as an app takes it (the page groups it by four).
pub fn key_on(page: &Page) -> String {
    let secret = page.texts("#totp-secret").join("").replace(' ', "");
    assert_eq!(secret.len(), 32, "a 160-bit key in base32: {secret:?}");
    secret
}

/// Sets up two-factor authentication from My Profile: reads the key shown under the QR code,
/// types the current code and the suite's password, and keeps the recovery codes. Leaves
/// the clock in a fresh step.
pub async fn enrol(app: &TestApp, client: &Client) -> Enrolled {
    enrol_with(app, client, STRONG_PASSWORD).await
}

/// Like `enrol`, for a user whose password is `password`.
pub async fn enrol_with(app: &TestApp, client: &Client, password: &str) -> Enrolled {
    let page = client.get("/profile/two-factor").await;
    assert_eq!(page.status, 200, "{}", page.text());
    let secret = key_on(&page);
    let code = code_now(app, &secret);
    let fields = [("code", code.as_str()), ("current_password", password)];
    let done = client.submit(&page, "#enrol", &fields).await;
    assert_eq!(done.status, 200, "{}", done.text());
    let recovery_codes = done.texts("#recovery-codes code");
    assert_eq!(recovery_codes.len(), 10, "{}", done.text());
    next_step(app);
    Enrolled {
        secret,
        recovery_codes,
    }
}

/// Signs in with the suite's password, then answers the code step with `code`; returns the
/// answer to the code form.
pub async fn sign_in_with_code(client: &Client, login: &str, code: &str) -> Page {
    let answer = client.sign_in(login, STRONG_PASSWORD).await;
    assert_eq!(answer.location(), "/login/code", "{}", answer.text());
    let form = client.get("/login/code").await;
    assert_eq!(form.status, 200, "{}", form.text());
    client.submit(&form, "#code-step", &[("code", code)]).await
}

#[test]
fn the_rfc_6238_sha1_test_vectors_come_out() {
    // RFC 6238 appendix B, SHA-1: the ASCII key "12345678901234567890", 8 digits.
    let key = b"12345678901234567890";
    for (time, expected) in [
        (59u64, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ] {
        assert_eq!(hotp(key, time / 30, 8), expected, "T = {time}");
    }
    assert_eq!(
        base32_decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
        key.to_vec()
    );
}
