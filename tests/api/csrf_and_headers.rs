use crate::helpers::{Backend, STRONG_PASSWORD, TestApp};
use crate::on_both_backends;

on_both_backends!(
    forms_without_the_right_token_are_refused,
    security_headers_on_every_response,
    hsts_and_secure_cookie_when_cookies_are_secure,
    health_and_not_found,
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

async fn security_headers_on_every_response(backend: Backend) {
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
    ] {
        let page = client.get(path).await;
        let csp = page.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert!(
            csp.contains("object-src 'none'") && csp.contains("base-uri 'none'"),
            "{path}"
        );
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(
            page.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            page.header("referrer-policy"),
            Some("same-origin"),
            "{path}"
        );
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

async fn hsts_and_secure_cookie_when_cookies_are_secure(backend: Backend) {
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

async fn health_and_not_found(backend: Backend) {
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
