//! The test harness: a real Roster server on 127.0.0.1:0 with its own fresh database, a
//! cookie-keeping client that submits forms the way a browser does, and the steps and checks
//! the tests share, so that a test reads as what a user does.
//!
//! - backend: where the database lives (SQLite or PostgreSQL), `on_both_backends!`.
//! - app: the running server (`TestApp`), its clients, signing in.
//! - arrange: set-up through the domain (companies, members, roles, catalog items).
//! - client, page: the browser-like client and the pages it reads.
//! - wizard: the Invite User wizard's steps.
//! - mail: the SMTP sink and waiting for the outbox worker.
//! - stored: what a test reads back from the database.
//! - assertions: checks on answers.
//! - browser: headless Chromium over WebDriver.
//! - totp: two-factor codes computed by the test (RFC 6238), enrolling, the code step.

mod app;
mod arrange;
mod assertions;
mod backend;
pub mod browser;
mod client;
mod mail;
mod page;
pub mod smtp_sink;
mod stored;
pub mod totp;
pub mod wizard;

pub use app::*;
pub use arrange::*;
pub use assertions::*;
pub use backend::*;
pub use client::Client;
pub use mail::*;
pub use page::{Page, match_count};
pub use smtp_sink::SmtpSink;
pub use stored::*;

pub const STRONG_PASSWORD: &str = "violet ferns hum under tin rain";

/// The new password `TestApp::reset_password_by_link` chooses.
pub const RESET_PASSWORD: &str = "seven purple kites over the harbour";

/// Says on stderr that `what` is skipped because `missing`, or, with CI=true (where .ci/run
/// installs what the test needs), fails the test.
pub fn skipped_outside_ci(what: &str, missing: &str) {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but {missing}: {what} cannot run"
    );
    // Straight to stderr: libtest would swallow eprintln! of a passing test.
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "\n{what} skipped: {missing}.\n");
}
