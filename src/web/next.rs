//! Where to go after signing in: only a path of this site.

/// Only a path on this site: "/x" but not "//evil.example" or "/\evil.example".
pub fn safe_next(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control())
        && next.len() <= 2000;
    ok.then_some(next)
}
