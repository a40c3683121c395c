//! The request log an operator reads: one line per request at the default level, without
//! the values people typed or the secrets in links.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const KEY: &str = "test-key-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789";

/// The log so far, without colours.
fn read_log(path: &std::path::Path) -> String {
    let raw = std::fs::read_to_string(path).unwrap_or_default();
    let mut out = String::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[actix_web::test]
async fn each_request_is_logged_with_parameter_names_but_no_values_or_link_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log_path = dir.path().join("serve.log");
    let mut command = Command::new(env!("CARGO_BIN_EXE_roster"));
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("ROSTER_")) {
        command.env_remove(name);
    }
    let mut server = command
        .arg("serve")
        .env(
            "ROSTER_DATABASE_URL",
            format!("sqlite://{}", dir.path().join("roster.db").display()),
        )
        .env("ROSTER_BIND", format!("127.0.0.1:{port}"))
        .env("ROSTER_SECRET_KEY", KEY)
        .env("ROSTER_COOKIE_SECURE", "false")
        .env(
            "ROSTER_MAIL_URL",
            format!("file://{}", dir.path().join("outbox").display()),
        )
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(dir.path().join("serve.out")).unwrap())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .expect("start roster serve");
    let client = crate::helpers::Client::new(&format!("http://127.0.0.1:{port}"));
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut up = false;
    while Instant::now() < deadline && !up {
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        up = reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
            .await
            .is_ok_and(|r| r.status().is_success());
    }
    assert!(up, "the server did not start: {}", read_log(&log_path));

    assert_eq!(
        client
            .get("/login?next=%2Fusers&q=hidden-value")
            .await
            .status,
        200
    );
    client.get("/invitation/0123secret4567").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut log = String::new();
    while Instant::now() < deadline && !log.contains("/invitation/{token}") {
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        log = read_log(&log_path);
    }
    let _ = server.kill();
    let _ = server.wait();
    let line = log
        .lines()
        .find(|l| l.contains("roster::request") && l.contains("path=/login"))
        .unwrap_or_else(|| panic!("no request line for /login in:\n{log}"));
    assert!(line.contains("method=GET"), "{line}");
    assert!(line.contains("query=next&q"), "{line}");
    assert!(line.contains("status=200"), "{line}");
    assert!(line.contains("ms="), "{line}");
    assert!(!log.contains("hidden-value"), "{log}");
    assert!(log.contains("path=/invitation/{token}"), "{log}");
    assert!(!log.contains("0123secret4567"), "{log}");
}
