use crate::helpers::{Backend, STRONG_PASSWORD, TestApp};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::{accounts, users};
use std::io::Write;
use std::process::{Command, Output, Stdio};

on_both_backends!(
    an_administrator_is_created_from_the_command_line,
    migrate_applies_the_migrations_and_twice_is_harmless
);

const KEY: &str = "test-key-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789";

fn roster(backend: Option<&Backend>, args: &[&str], stdin: &str) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_roster"));
    command
        .args(args)
        .env_remove("ROSTER_BIND")
        .env("ROSTER_SECRET_KEY", KEY)
        .env("ROSTER_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(backend) = backend {
        command.env("ROSTER_DATABASE_URL", backend.env_url());
    }
    let mut child = command.spawn().expect("run roster");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("roster finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn an_administrator_is_created_from_the_command_line(backend: Backend) {
    // A server started on the empty database printed a setup link; create-admin voids it.
    let first = TestApp::spawn(&backend).await;
    let printed = first.setup_links[0].clone();
    let weak = roster(
        Some(&backend),
        &[
            "create-admin",
            "--email",
            "ops@acme.test",
            "--password-stdin",
        ],
        "password123\n",
    );
    assert_eq!(weak.status.code(), Some(1));
    assert!(
        text(&weak.stderr).contains("the password was refused: Use at least 12 characters"),
        "{}",
        text(&weak.stderr)
    );

    let guessable = roster(
        Some(&backend),
        &[
            "create-admin",
            "--email",
            "ops@acme.test",
            "--password-stdin",
        ],
        "ops@acme.test\n",
    );
    assert_eq!(guessable.status.code(), Some(1));
    assert!(
        text(&guessable.stderr).contains("too easy to guess"),
        "{}",
        text(&guessable.stderr)
    );
    let count: i64 = users::table
        .count()
        .get_result(&mut backend.conn())
        .unwrap();
    assert_eq!(count, 0, "nothing created for a refused password");

    let made = roster(
        Some(&backend),
        &[
            "create-admin",
            "--email",
            "ops@acme.test",
            "--password-stdin",
        ],
        &format!("{STRONG_PASSWORD}\n"),
    );
    assert!(made.status.success(), "{}", text(&made.stderr));
    assert!(
        text(&made.stdout)
            .contains("Created account administrator ops@acme.test in account \"Roster\"")
    );

    let again = roster(
        Some(&backend),
        &[
            "create-admin",
            "--email",
            "OPS@acme.test",
            "--password-stdin",
        ],
        &format!("{STRONG_PASSWORD}\n"),
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again.stderr).contains("already exists"));

    let voided = first.client().get(&printed).await;
    assert_eq!(
        voided.status, 410,
        "the printed link is void once an administrator exists"
    );

    // A server on that database needs no setup link, and the administrator signs in.
    let app = TestApp::spawn(&backend).await;
    assert!(app.setup_links.is_empty());
    let client = app.signed_in("ops@acme.test").await;
    assert!(
        client
            .get("/profile")
            .await
            .text()
            .contains("Account administrator")
    );

    // A second account, named, with its company.
    let beta = roster(
        Some(&backend),
        &[
            "create-admin",
            "--email",
            "ops@beta.test",
            "--password-stdin",
            "--account",
            "Beta Ltd",
            "--company",
            "Beta East",
        ],
        &format!("{STRONG_PASSWORD}\n"),
    );
    assert!(beta.status.success(), "{}", text(&beta.stderr));
    let names: Vec<String> = accounts::table
        .order(accounts::id)
        .select(accounts::name)
        .load(&mut backend.conn())
        .unwrap();
    assert_eq!(names, vec!["Roster", "Beta Ltd"]);
    let unnamed = roster(
        Some(&backend),
        &["create-admin", "--email", "x@beta.test", "--password-stdin"],
        &format!("{STRONG_PASSWORD}\n"),
    );
    assert_eq!(unnamed.status.code(), Some(1));
    assert!(text(&unnamed.stderr).contains("name one with --account"));

    let beta_client = app.signed_in("ops@beta.test").await;
    let profile = beta_client.get("/profile").await;
    assert!(profile.text().contains("Beta Ltd"));
    assert!(
        !profile.text().contains("ops@acme.test"),
        "one account's data never shows in another"
    );
}

async fn migrate_applies_the_migrations_and_twice_is_harmless(backend: Backend) {
    let out = roster(Some(&backend), &["migrate"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Migrations applied"));
    let again = roster(Some(&backend), &["migrate"], "");
    assert!(again.status.success(), "migrating twice is harmless");
}

#[test]
fn every_command_has_help() {
    let top = roster(None, &["--help"], "");
    assert!(top.status.success());
    for command in ["serve", "migrate", "create-admin"] {
        assert!(text(&top.stdout).contains(command), "{command} listed");
        let help = roster(None, &[command, "--help"], "");
        assert!(help.status.success(), "{command} --help");
    }
    let create = text(&roster(None, &["create-admin", "--help"], "").stdout);
    for flag in ["--email", "--password-stdin", "--account", "--company"] {
        assert!(create.contains(flag), "{flag}");
    }
}

#[test]
fn a_bad_configuration_value_stops_start_up_with_exit_code_2() {
    for (name, value) in [
        ("ROSTER_BIND", "not-an-address"),
        ("ROSTER_DATABASE_URL", "mysql://localhost/roster"),
        ("ROSTER_COOKIE_SECURE", "perhaps"),
        ("ROSTER_SECRET_KEY", "too short"),
        ("ROSTER_MAIL_URL", "carrier-pigeon://coop"),
        ("ROSTER_BASE_URL", "roster.example.com"),
        ("ROSTER_LOG", "roster=shout"),
        (
            "ROSTER_DATABASE_URL",
            "sqlite:///no/such/directory/roster.db",
        ),
        ("ROSTER_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_roster"))
            .env("ROSTER_SECRET_KEY", KEY)
            .env(name, value)
            .output()
            .expect("run roster");
        assert_eq!(out.status.code(), Some(2), "{name}={value}");
        let stderr = text(&out.stderr);
        assert_eq!(
            stderr.lines().filter(|l| l.contains("roster:")).count(),
            1,
            "one line: {stderr}"
        );
        assert!(stderr.contains(name), "{stderr}");
    }
}
