//! In a real browser (headless Chromium over WebDriver): sign in, search, apply a fast
//! filter, save it as the default, reload (the default applies), Reset All Filters.

use crate::helpers::{Backend, STRONG_PASSWORD, TestApp};
use crate::on_both_backends;
use fantoccini::{Client, ClientBuilder, Locator};
use std::io::Write;
use std::process::{Child, Command, Stdio};

on_both_backends!(fast_filter_saved_as_default_in_a_real_browser);

const BOSS: &str = "boss@demo.test";

/// A chromedriver on a free port, stopped when dropped.
pub(crate) struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// None (with a visible line) where chromedriver is not installed; with CI=true its absence
/// fails the test, since .ci/run installs it.
pub(crate) fn start_driver() -> Option<Driver> {
    let path = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let Some(path) = path else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but chromedriver is not installed"
        );
        let _ = writeln!(
            std::io::stderr(),
            "\nBrowser tests skipped: install chromium and chromium-driver to run them.\n"
        );
        return None;
    };
    let port = free_port();
    let mut child = Command::new(path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(Driver {
                child,
                url: format!("http://127.0.0.1:{port}"),
            });
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("chromedriver did not start");
}

pub(crate) async fn browser(driver: &Driver) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=1280,1000"]
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a browser session")
}

/// Waits until the page's address satisfies `ok` (a click that navigates returns before the
/// next page has loaded).
pub(crate) async fn wait_for_url(c: &Client, what: &str, ok: impl Fn(&url::Url) -> bool) {
    for _ in 0..100 {
        if let Ok(url) = c.current_url().await
            && ok(&url)
            && c.find(Locator::Css("main")).await.is_ok()
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the browser never reached {what}");
}

pub(crate) async fn text(c: &Client, css: &str) -> String {
    texts(c, css)
        .await
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no {css}"))
}

/// The texts of every match, read again if the page changed under the read.
pub(crate) async fn texts(c: &Client, css: &str) -> Vec<String> {
    'again: for _ in 0..50 {
        let mut out = Vec::new();
        for element in c.find_all(Locator::Css(css)).await.unwrap_or_default() {
            match element.text().await {
                Ok(text) => out.push(text),
                Err(_) => {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue 'again;
                }
            }
        }
        return out;
    }
    panic!("{css} kept changing");
}

pub(crate) async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

pub(crate) async fn type_into(c: &Client, css: &str, text: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

fn query_has(u: &url::Url, part: &str) -> bool {
    u.query().unwrap_or("").contains(part)
}

async fn fast_filter_saved_as_default_in_a_real_browser(backend: Backend) {
    let Some(driver) = start_driver() else { return };
    let mut conn = backend.conn();
    roster::db::migrate(&mut conn).unwrap();
    let hash = roster::auth::password::hash(STRONG_PASSWORD).unwrap();
    let options = roster::domain::seed::SeedOptions {
        users: 80,
        companies: 1,
        seed: 5,
        account_name: "Demo".into(),
        admin: Some((BOSS.into(), hash)),
    };
    let report =
        roster::domain::seed::seed(&mut conn, &options, chrono::Utc::now().naive_utc()).unwrap();
    let app = TestApp::spawn(&backend).await;
    let c = browser(&driver).await;
    let (all, blocked) = (report.users.to_string(), report.blocked.to_string());

    c.goto(&format!("{}/login", app.base)).await.unwrap();
    type_into(&c, "#login", BOSS).await;
    type_into(&c, "#password", STRONG_PASSWORD).await;
    click(&c, "form[action='/login'] button[type=submit]").await;
    wait_for_url(&c, "My Profile", |u| u.path() == "/profile").await;

    // Search.
    c.goto(&format!("{}/users", app.base)).await.unwrap();
    assert_eq!(text(&c, "#match-count").await, all);
    type_into(&c, "#q", BOSS).await;
    click(&c, "form[action='/users'] button[type=submit]").await;
    wait_for_url(&c, "the search", |u| query_has(u, "q=boss")).await;
    assert_eq!(text(&c, "#match-count").await, "1");
    assert!(texts(&c, "table.users td").await.contains(&BOSS.to_owned()));

    // A fast filter: Status = Blocked.
    c.goto(&format!("{}/users", app.base)).await.unwrap();
    click(&c, "#status option[value=blocked]").await;
    click(&c, "form[action='/users'] button[type=submit]").await;
    wait_for_url(&c, "the fast filter", |u| query_has(u, "status=blocked")).await;
    assert_eq!(text(&c, "#match-count").await, blocked);
    assert!(texts(&c, "td.status").await.iter().all(|s| s == "Blocked"));

    // Save it as the default; opening the page plainly, and reloading, apply it.
    type_into(&c, "#filter-name", "Blocked people").await;
    click(&c, "#use_as_default").await;
    click(&c, "form#save-filter button[type=submit]").await;
    // The address already held the filter before saving: wait for the saved page's message.
    let mut said = false;
    for _ in 0..100 {
        said = texts(&c, "[role=status]")
            .await
            .iter()
            .any(|m| m.contains("opens by default"));
        if said {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(said, "the saved filter's message");
    wait_for_url(&c, "the saved filter", |u| query_has(u, "status=blocked")).await;
    c.goto(&format!("{}/users", app.base)).await.unwrap();
    wait_for_url(&c, "the default filter", |u| query_has(u, "status=blocked")).await;
    c.refresh().await.unwrap();
    wait_for_url(&c, "the default filter again", |u| {
        query_has(u, "status=blocked")
    })
    .await;
    assert_eq!(text(&c, "#match-count").await, blocked);

    // Reset All Filters clears it, and it stays cleared on reload.
    c.find(Locator::LinkText("Reset All Filters"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_url(&c, "the reset list", |u| {
        u.path() == "/users" && u.query().is_none()
    })
    .await;
    assert_eq!(text(&c, "#match-count").await, all);
    c.refresh().await.unwrap();
    wait_for_url(&c, "the reset list again", |u| {
        u.path() == "/users" && u.query().is_none()
    })
    .await;
    assert_eq!(text(&c, "#match-count").await, all);
    c.close().await.unwrap();
}
