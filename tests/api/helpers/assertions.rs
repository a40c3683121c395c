//! Checks on answers that many tests make.

use super::Page;

/// The answer is a 303 See Other to `path` (what every form post that worked answers).
#[track_caller]
pub fn assert_is_redirect_to(answer: &Page, path: &str) {
    assert_eq!(
        (answer.status, answer.location()),
        (303, path),
        "expected a redirect to {path}; the page said: {}",
        answer.text()
    );
}
