//! The client's address behind a reverse proxy (ROSTER_TRUSTED_PROXIES): the sign-in
//! limiter and the audit log see the address the proxy forwards, and only when the proxy is
//! trusted; a client cannot pick its own address.

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::audit_events;

on_both_backends!(
    behind_a_trusted_proxy_each_client_counts_apart,
    a_forwarded_address_from_anyone_else_is_ignored,
);

const ADMIN: &str = "ada@acme.test";

fn last_failure_ip(conn: &mut roster::db::DbConnection) -> Option<String> {
    audit_events::table
        .filter(audit_events::action.eq("auth.sign_in_failed"))
        .order(audit_events::id.desc())
        .select(audit_events::ip)
        .first(conn)
        .unwrap()
}

async fn behind_a_trusted_proxy_each_client_counts_apart(backend: Backend) {
    let app = TestApp::spawn_with(&backend, |c| {
        c.login_attempts_per_minute = 2;
        c.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    })
    .await;
    app.first_admin(ADMIN).await;
    // A chain: the client, then a proxy of ours (trusted), then the connection (trusted).
    let first = app.client_forwarded_for("203.0.113.7, 127.0.0.9");
    let second = app.client_forwarded_for("203.0.113.8");
    for _ in 0..2 {
        assert_eq!(
            first.sign_in(ADMIN, "not the password at all").await.status,
            200
        );
    }
    assert_eq!(
        first.sign_in(ADMIN, "not the password at all").await.status,
        429
    );
    // Another client behind the same proxy still has its own attempts.
    assert_eq!(
        second
            .sign_in(ADMIN, "not the password at all")
            .await
            .status,
        200
    );
    let mut conn = backend.conn();
    assert_eq!(last_failure_ip(&mut conn).as_deref(), Some("203.0.113.8"));
    // Garbage the client put in front does not hide the address our proxy added after it;
    // a port on an entry is read past.
    let messy = app.client_forwarded_for("\u{80}bogus, 203.0.113.9:5123");
    assert_eq!(
        messy.sign_in(ADMIN, "not the password at all").await.status,
        200
    );
    assert_eq!(last_failure_ip(&mut conn).as_deref(), Some("203.0.113.9"));
}

async fn a_forwarded_address_from_anyone_else_is_ignored(backend: Backend) {
    let app = TestApp::spawn_with(&backend, |c| c.login_attempts_per_minute = 3).await;
    app.first_admin(ADMIN).await;
    let first = app.client_forwarded_for("203.0.113.7");
    let second = app.client_forwarded_for("203.0.113.8");
    let mut tries = 0;
    while first.sign_in(ADMIN, "not the password at all").await.status == 200 {
        tries += 1;
        assert!(tries <= 3, "the limit never came");
    }
    // Both come from 127.0.0.1, whatever they say: the limit is shared.
    assert_eq!(
        second
            .sign_in(ADMIN, "not the password at all")
            .await
            .status,
        429
    );
    let mut conn = backend.conn();
    assert_eq!(last_failure_ip(&mut conn).as_deref(), Some("127.0.0.1"));
}
