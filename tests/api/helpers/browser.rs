//! Headless Chromium (Debian's chromium and chromium-driver) over WebDriver, for the tests
//! that need a real browser, and the few reads and clicks they make.

use fantoccini::{Client, ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};

/// A chromedriver on a free port, stopped when dropped.
pub struct Driver {
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
pub fn start_driver() -> Option<Driver> {
    let path = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let Some(path) = path else {
        super::skipped_outside_ci(
            "Browser tests",
            "chromedriver is not installed (install chromium and chromium-driver)",
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

pub async fn browser(driver: &Driver) -> Client {
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
pub async fn wait_for_url(c: &Client, what: &str, ok: impl Fn(&url::Url) -> bool) {
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

pub async fn text(c: &Client, css: &str) -> String {
    texts(c, css)
        .await
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no {css}"))
}

/// The texts of every match, read again if the page changed under the read.
pub async fn texts(c: &Client, css: &str) -> Vec<String> {
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

pub async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

pub async fn type_into(c: &Client, css: &str, text: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

/// The widths every page is looked at: a laptop and a phone.
pub const WIDTHS: [u32; 2] = [1366, 390];

/// Saves a screenshot of the page at each of `WIDTHS` under target/screenshots/ for a person
/// to look at (not compared), and returns how wide the page's content was at each: wider
/// than the window means the page scrolls sideways, which the caller refuses.
pub async fn screenshots(c: &Client, name: &str) -> Vec<(u32, u64)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    let mut widths = Vec::new();
    for width in WIDTHS {
        c.set_window_size(width, 900).await.expect("window size");
        let png = c.screenshot().await.expect("screenshot");
        std::fs::write(dir.join(format!("{name}-{width}.png")), png).expect("save screenshot");
        let wide = c
            .execute(
                "return Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)",
                vec![],
            )
            .await
            .expect("page width");
        let inner = c
            .execute("return window.innerWidth", vec![])
            .await
            .expect("window width");
        widths.push((
            inner.as_u64().unwrap_or(u64::from(width)) as u32,
            wide.as_u64().unwrap_or(0),
        ));
    }
    c.set_window_size(1280, 1000).await.expect("window size");
    widths
}

/// Takes the screenshots and refuses a page wider than the window at any width.
pub async fn look_at(c: &Client, name: &str) {
    for (window, page) in screenshots(c, name).await {
        assert!(
            page <= u64::from(window),
            "{name} is {page} px wide in a {window} px window (see target/screenshots/{name}-*.png)"
        );
    }
}
