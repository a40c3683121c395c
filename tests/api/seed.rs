//! `roster seed`: what it prints is what it stored, the same seed makes the same data, and
//! its administrator can sign in.

use crate::helpers::{Backend, STRONG_PASSWORD, TestApp};
use crate::on_both_backends;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use roster::db::schema::{catalog_items, companies, invitations, users};
use std::io::Write;
use std::process::{Command, Stdio};

on_both_backends!(seed_counts_match_what_is_stored);

fn run_seed(backend: &Backend, args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
        .arg("seed")
        .args(args)
        .env("ROSTER_DATABASE_URL", backend.env_url())
        .env(
            "ROSTER_SECRET_KEY",
            "seed-test-key-0123456789-0123456789-0123456789-0123456789-0123456789",
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run roster seed");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// The number printed just before `label` ("80 active" -> 80).
fn printed(out: &str, label: &str) -> i64 {
    let at = out
        .find(&format!(" {label}"))
        .unwrap_or_else(|| panic!("{label} in {out}"));
    out[..at]
        .rsplit(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Users with a membership in a company that has a required field, where they hold neither
/// Select All on it nor any of its options: computed independently of the seed's own tally.
const MISSING_REQUIRED: &str = "SELECT COUNT(DISTINCT m.user_id) AS n FROM memberships m \
    JOIN catalog_items f ON f.company_id = m.company_id AND f.kind = 'field' AND f.required \
    WHERE NOT EXISTS (SELECT 1 FROM membership_fields_all a WHERE a.membership_id = m.id AND a.field_id = f.id) \
    AND NOT EXISTS (SELECT 1 FROM membership_items i JOIN catalog_items o ON o.id = i.item_id \
                    WHERE i.membership_id = m.id AND o.parent_id = f.id)";

async fn seed_counts_match_what_is_stored(backend: Backend) {
    let args = [
        "--users",
        "400",
        "--companies",
        "3",
        "--seed",
        "7",
        "--admin-email",
        "boss@demo.test",
        "--password-stdin",
    ];
    let out = run_seed(&backend, &args, &format!("{STRONG_PASSWORD}\n"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut conn = backend.conn();

    let count_status = |conn: &mut roster::db::DbConnection, status: &str| -> i64 {
        users::table
            .filter(users::status.eq(status))
            .count()
            .get_result(conn)
            .unwrap()
    };
    assert_eq!(printed(&text, "users ("), 401, "400 and the administrator");
    let all: i64 = users::table.count().get_result(&mut conn).unwrap();
    assert_eq!(all, 401);
    for status in ["active", "invited", "deactivated", "blocked"] {
        assert_eq!(
            count_status(&mut conn, status),
            printed(&text, status),
            "{status}"
        );
        assert!(
            printed(&text, status) > 0,
            "every status is represented: {status}"
        );
    }
    let locked: i64 = users::table
        .filter(users::locked_at.is_not_null())
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(locked, printed(&text, "locked"));
    let integrated: i64 = users::table
        .filter(users::integration.is_not_null())
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(integrated, printed(&text, "integrated"));
    let failed: i64 = invitations::table
        .filter(invitations::status.eq("failed"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(failed, printed(&text, "failed invitations"));
    assert!(failed > 0, "a few failed invitations");
    let companies_n: i64 = companies::table.count().get_result(&mut conn).unwrap();
    assert_eq!(companies_n, 3);
    let required: i64 = catalog_items::table
        .filter(catalog_items::kind.eq("field"))
        .filter(catalog_items::required.eq(true))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(required, 6, "two required fields per company");
    let missing: Count = diesel::sql_query(MISSING_REQUIRED)
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(missing.n, printed(&text, "users without access"));
    let spread: Vec<Option<chrono::NaiveDateTime>> = users::table
        .select(users::last_access_at)
        .load(&mut conn)
        .unwrap();
    let oldest = spread.iter().flatten().min().unwrap();
    assert!(
        chrono::Utc::now().naive_utc() - *oldest > chrono::TimeDelta::days(180),
        "last access spread over a year"
    );

    // The same seed makes the same people, on any backend.
    let other = Backend::sqlite();
    let again = run_seed(&other, &args, &format!("{STRONG_PASSWORD}\n"));
    assert!(again.status.success());
    let people = |conn: &mut roster::db::DbConnection| -> Vec<(String, String)> {
        users::table
            .order(users::id)
            .select((users::email, users::status))
            .load(conn)
            .unwrap()
    };
    assert_eq!(people(&mut conn), people(&mut other.conn()));

    // The seeded administrator signs in; the new rows after explicit ids get fresh ids.
    let app = TestApp::spawn(&backend).await;
    assert!(
        app.setup_links.is_empty(),
        "the seeded account has an administrator"
    );
    let client = app.signed_in("boss@demo.test").await;
    let page = client.get("/config/admins").await;
    assert!(page.text().contains("boss@demo.test"));
    let form = client.get("/config/companies").await;
    let added = client
        .submit(
            &form,
            "form[action='/config/companies']",
            &[("name", "Extra"), ("code", "EXTRA")],
        )
        .await;
    assert_eq!(added.status, 303);

    let bad = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["seed", "--admin-email", "x@y.test"])
        .output()
        .unwrap();
    assert_eq!(
        bad.status.code(),
        Some(2),
        "--admin-email needs --password-stdin"
    );
}
