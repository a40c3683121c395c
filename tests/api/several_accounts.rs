//! One email in several accounts of an installation: when the password opens more than one,
//! the person chooses the account; nobody is signed in before the choice, and the choice
//! is only among the users the password opened.

use crate::helpers::{Backend, STRONG_PASSWORD, TestApp, assert_is_redirect_to};
use crate::on_both_backends;
use chrono::TimeDelta;
use diesel::prelude::*;
use roster::db::schema::{audit_events, users};
use roster::domain::setup::{AccountChoice, create_admin};

on_both_backends!(
    the_same_password_in_two_accounts_asks_which,
    another_password_signs_straight_in,
);

const ADMIN: &str = "ada@acme.test";

/// A second account, "Beta Ltd", where the same email is an administrator too.
fn beta_admin(conn: &mut roster::db::DbConnection, password: &str) -> i64 {
    let hash = roster::auth::password::hash(password).unwrap();
    let now = chrono::Utc::now().naive_utc();
    let (_, user) = create_admin(
        conn,
        &AccountChoice::Named("Beta Ltd"),
        Some("Beta East"),
        ADMIN,
        hash,
        now,
    )
    .unwrap();
    user.id.0
}

async fn the_same_password_in_two_accounts_asks_which(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.first_admin(ADMIN).await;
    let mut conn = backend.conn();
    let beta = beta_admin(&mut conn, STRONG_PASSWORD);
    let sign_ins = |conn: &mut roster::db::DbConnection| -> i64 {
        audit_events::table
            .filter(audit_events::action.eq("auth.sign_in"))
            .count()
            .get_result(conn)
            .unwrap()
    };
    let before = sign_ins(&mut conn);

    let client = app.client();
    let asked = client.sign_in(ADMIN, STRONG_PASSWORD).await;
    assert_is_redirect_to(&asked, "/login/account");
    assert!(
        !client.is_signed_in().await,
        "nobody is signed in before the choice"
    );
    let choose = client.get("/login/account").await;
    assert_eq!(choose.status, 200);
    let mut names = choose.texts("#choose-account button");
    names.sort();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"Beta Ltd".to_owned()), "{names:?}");

    // Only a user the password opened can be chosen: anything else starts again.
    let other = roster::domain::users::find_any_account(&mut conn, roster::domain::UserId(beta))
        .unwrap()
        .unwrap();
    let forged = client
        .submit(&choose, "#choose-account", &[("user", "999999")])
        .await;
    assert_eq!(forged.location(), "/login");
    assert!(!client.is_signed_in().await);
    assert!(client.get("/login").await.text().contains("Sign-in failed"));

    let asked = client.sign_in(ADMIN, STRONG_PASSWORD).await;
    assert_eq!(asked.location(), "/login/account");
    let choose = client.get("/login/account").await;
    let chosen = client
        .submit(&choose, "#choose-account", &[("user", &beta.to_string())])
        .await;
    assert_is_redirect_to(&chosen, "/profile");
    let profile = client.get("/profile").await;
    assert_eq!(profile.status, 200);
    assert_eq!(profile.texts(".who-account"), vec!["Beta Ltd"]);
    assert_eq!(sign_ins(&mut conn), before + 1);
    let last: Option<chrono::NaiveDateTime> = users::table
        .find(other.id)
        .select(users::last_access_at)
        .first(&mut conn)
        .unwrap();
    assert!(last.is_some());

    // Opening the sign-in page forgets a waiting choice: it is not for the next person.
    let shared = app.client();
    assert_eq!(
        shared.sign_in(ADMIN, STRONG_PASSWORD).await.location(),
        "/login/account"
    );
    assert_eq!(shared.get("/login").await.status, 200);
    assert_eq!(shared.get("/login/account").await.location(), "/login");
    // A password change (a new security stamp) between the password and the choice voids
    // the choice, and says so in the audit log.
    let changed = app.client();
    assert_eq!(
        changed.sign_in(ADMIN, STRONG_PASSWORD).await.location(),
        "/login/account"
    );
    let choose = changed.get("/login/account").await;
    let now = chrono::Utc::now().naive_utc();
    let beta_row = roster::domain::users::find_any_account(&mut conn, roster::domain::UserId(beta))
        .unwrap()
        .unwrap();
    roster::domain::sessions::end_everywhere(&mut conn, &beta_row, now).unwrap();
    let refused = changed
        .submit(&choose, "#choose-account", &[("user", &beta.to_string())])
        .await;
    assert_eq!(refused.location(), "/login");
    assert!(!changed.is_signed_in().await);
    let detail: String = audit_events::table
        .filter(audit_events::action.eq("auth.sign_in_refused"))
        .order(audit_events::id.desc())
        .select(audit_events::detail)
        .first(&mut conn)
        .unwrap();
    assert!(detail.contains("password or sessions changed"), "{detail}");

    // The choice waits two minutes, then a new sign-in is needed.
    let late = app.client();
    assert_eq!(
        late.sign_in(ADMIN, STRONG_PASSWORD).await.location(),
        "/login/account"
    );
    app.clock.advance(TimeDelta::minutes(3));
    let expired = late.get("/login/account").await;
    assert_eq!(expired.location(), "/login");
    assert!(late.get("/login").await.text().contains("run out"));
}

async fn another_password_signs_straight_in(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.first_admin(ADMIN).await;
    let mut conn = backend.conn();
    beta_admin(&mut conn, "another long passphrase for beta");
    let client = app.client();
    let done = client
        .sign_in(ADMIN, "another long passphrase for beta")
        .await;
    assert_eq!(done.location(), "/profile");
    assert_eq!(
        client.get("/profile").await.texts(".who-account"),
        vec!["Beta Ltd"]
    );
    let first = app.client();
    assert_eq!(
        first.sign_in(ADMIN, STRONG_PASSWORD).await.location(),
        "/profile"
    );
    let shown = first.get("/profile").await.texts(".who-account");
    assert_ne!(shown, vec!["Beta Ltd"]);
}
