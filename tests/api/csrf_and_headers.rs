use crate::helpers::{Backend, STRONG_PASSWORD, TestApp};
use crate::helpers::{Client, Page};
use crate::on_both_backends;

on_both_backends!(
    forms_without_the_right_token_are_refused,
    every_response_carries_the_security_headers,
    secure_cookies_bring_hsts_and_the_secure_flag,
    health_answers_ok_and_an_unknown_page_is_not_found,
    a_session_that_cannot_be_written_answers_a_500_page_with_the_security_headers,
    a_form_over_the_body_limit_answers_a_413_page_with_the_security_headers,
    oversized_request_headers_answer_a_431_page_with_the_security_headers,
);

const ADMIN: &str = "ada@acme.test";

async fn forms_without_the_right_token_are_refused(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;

    // Sign-in: no token, a wrong token, a token from another session.
    let client = app.client();
    client.get("/login").await;
    let other_token = app
        .client()
        .get("/login")
        .await
        .attr("input[name=csrf_token]", "value")
        .unwrap();
    for token in [None, Some("forged"), Some(other_token.as_str())] {
        let mut fields = vec![("login", ADMIN), ("password", STRONG_PASSWORD)];
        if let Some(token) = token {
            fields.push(("csrf_token", token));
        }
        let page = client.post("/login", &fields).await;
        assert_eq!(page.status, 403, "{token:?}");
        assert_eq!(page.title(), "This form has expired");
        assert!(page.text().contains("reload the page and try again"));
        assert!(!client.is_signed_in().await);
    }

    // Every form post of a signed-in user needs it too; nothing happens without it.
    for path in ["/logout", "/profile/sessions/end"] {
        let page = admin.post(path, &[]).await;
        assert_eq!(page.status, 403, "{path}");
        assert!(admin.is_signed_in().await, "{path} did nothing");
    }

    // A GET changes nothing: these routes have no GET.
    for path in ["/logout", "/profile/sessions/end"] {
        assert_eq!(admin.get(path).await.status, 404, "{path}");
        assert!(admin.is_signed_in().await);
    }
}

async fn every_response_carries_the_security_headers(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let client = app.client();
    let setup = app.setup_links[0].clone();
    for path in [
        "/login",
        "/healthz",
        "/no/such/page",
        "/static/roster.css",
        setup.as_str(),
        "/profile",
        "/login?next=%ZZ",
        "/config/companies/not-a-number/edit",
    ] {
        let page = client.get(path).await;
        assert_security_headers(&page, path);
        assert_eq!(
            page.header("strict-transport-security"),
            None,
            "{path}: plain http"
        );
    }
    // No inline script anywhere: the CSP would block it.
    let login = client.get("/login").await;
    assert!(!login.body.contains("<script>") && !login.body.contains("onclick"));
    let cookie = login.header("set-cookie").unwrap_or_default();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
}

async fn secure_cookies_bring_hsts_and_the_secure_flag(backend: Backend) {
    let app = TestApp::spawn_with(&backend, |c| c.cookie_secure = true).await;
    let page = app.client().get("/login").await;
    assert!(
        page.header("strict-transport-security")
            .unwrap_or_default()
            .contains("max-age=")
    );
    assert!(
        page.header("set-cookie")
            .unwrap_or_default()
            .contains("Secure")
    );
}

async fn health_answers_ok_and_an_unknown_page_is_not_found(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let client = app.client();
    let health = client.get("/healthz").await;
    assert_eq!((health.status, health.body.as_str()), (200, "ok"));
    let missing = client.get("/no/such/page").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.title(), "Page not found");
    let bad_query = client.get("/login?next=%ZZ").await;
    assert!(bad_query.status < 500, "bad query: {}", bad_query.status);
    let css = client.get("/static/roster.css").await;
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert_eq!(client.get("/").await.location(), "/login");
}

fn assert_security_headers(page: &Page, what: &str) {
    let csp = page.header("content-security-policy").unwrap_or_default();
    assert!(csp.contains("default-src 'self'"), "{what}: {csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}");
    assert!(
        csp.contains("object-src 'none'") && csp.contains("base-uri 'none'"),
        "{what}"
    );
    assert!(!csp.contains("unsafe-inline"), "{what}");
    assert_eq!(
        page.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(
        page.header("referrer-policy"),
        Some("same-origin"),
        "{what}"
    );
}

/// A session store that fails (its table dropped behind the server's back): the session
/// middleware fails after the page was made.
async fn a_session_that_cannot_be_written_answers_a_500_page_with_the_security_headers(
    backend: Backend,
) {
    use diesel::RunQueryDsl;
    let app = TestApp::spawn(&backend).await;
    diesel::sql_query("DROP TABLE sessions")
        .execute(&mut backend.conn())
        .unwrap();
    // The sign-in page needs a CSRF token, which the session must store.
    let page = app.client().get("/login").await;
    assert_eq!(page.status, 500);
    assert_security_headers(&page, "500 from the session middleware");
    assert_eq!(page.title(), "Something went wrong");
}

async fn a_form_over_the_body_limit_answers_a_413_page_with_the_security_headers(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin("ada@acme.test").await;
    let start = admin.get("/users/invite").await;
    // Well past actix's 16 KiB default for forms: read (the wizard carries its state this way).
    let many: Vec<String> = (0..900)
        .map(|i| format!("colleague{i}@example.test"))
        .collect();
    let read = admin
        .submit(
            &start,
            "#invite-wizard",
            &[("emails", &many.join("\n")), ("go", "next")],
        )
        .await;
    assert_eq!(read.status, 200, "{}", read.text());
    // Past 1 MiB: refused before it is read, with a page.
    let huge = "x".repeat(1024 * 1024 + 1);
    let refused = admin
        .submit(
            &start,
            "#invite-wizard",
            &[("emails", &huge), ("go", "next")],
        )
        .await;
    assert_eq!(refused.status, 413);
    assert_security_headers(&refused, "413");
    assert_eq!(refused.title(), "This form is too large");
}

/// Roster's own limit (32 KiB of header fields) answers with a page and the headers. Past
/// actix-http's buffer (128 KiB for the whole head, or more than 96 fields) actix answers a
/// bare 431 before any middleware runs; that one cannot carry them.
async fn oversized_request_headers_answer_a_431_page_with_the_security_headers(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-padding", "p".repeat(40 * 1024).parse().unwrap());
    let page = Client::with_headers(&app.base, headers).get("/login").await;
    assert_eq!(page.status, 431);
    assert_security_headers(&page, "431");
    assert_eq!(page.title(), "This request is too large");
}
