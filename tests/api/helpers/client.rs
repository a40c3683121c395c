//! A browser-like HTTP client for the tests: keeps cookies and fills forms from the page
//! it is on.

use super::Page;
use scraper::Selector;

/// A browser-like client: keeps cookies, does not follow redirects by itself (tests look at
/// them), and fills forms from the page they are on.
pub struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    pub fn new(base: &str) -> Client {
        Self::with_headers(base, reqwest::header::HeaderMap::new())
    }

    /// A client that sends `headers` with every request (as a proxy in front would).
    pub fn with_headers(base: &str, headers: reqwest::header::HeaderMap) -> Client {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .expect("client");
        Client {
            http,
            base: base.to_owned(),
        }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{}", self.base, path)
        }
    }

    async fn read(response: reqwest::Response) -> Page {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.expect("body");
        Page {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        Self::read(self.http.get(self.url(path)).send().await.expect("GET")).await
    }

    /// GET, following redirects the way a browser does.
    pub async fn visit(&self, path: &str) -> Page {
        let mut page = self.get(path).await;
        for _ in 0..5 {
            if !(300..400).contains(&page.status) {
                break;
            }
            let next = page.location().to_owned();
            page = self.get(&next).await;
        }
        page
    }

    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = serde_html_form::to_string(fields).expect("form");
        let response = self
            .http
            .post(self.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("POST");
        Self::read(response).await
    }

    /// Submits the form matching `selector` on `page`: its hidden inputs (the CSRF token
    /// among them) and prefilled values, overridden by `fields`.
    pub async fn submit(&self, page: &Page, selector: &str, fields: &[(&str, &str)]) -> Page {
        self.submit_changes(page, selector, &[], &[], fields).await
    }

    /// Like `submit`, after ticking the checkboxes named in `check` and unticking those in
    /// `uncheck` (as name and value), leaving the form's other values of those names alone.
    pub async fn submit_changes(
        &self,
        page: &Page,
        selector: &str,
        check: &[(&str, &str)],
        uncheck: &[(&str, &str)],
        fields: &[(&str, &str)],
    ) -> Page {
        let html = page.html();
        let form_sel = Selector::parse(selector).expect("selector");
        let form = html
            .select(&form_sel)
            .next()
            .unwrap_or_else(|| panic!("no form {selector} in {}", page.body));
        let action = form.value().attr("action").expect("form action").to_owned();
        // What a browser sends: inputs (checkboxes and radios only when checked, passwords
        // never prefilled), the selected option of each select, and textareas.
        let input_sel = Selector::parse("input[name]").expect("selector");
        let mut values: Vec<(String, String)> = form
            .select(&input_sel)
            .filter(|i| i.value().attr("disabled").is_none())
            .filter(|i| match i.value().attr("type") {
                Some("checkbox" | "radio") => i.value().attr("checked").is_some(),
                Some("password") => false,
                _ => true,
            })
            .map(|i| {
                let value = match (i.value().attr("type"), i.value().attr("value")) {
                    (Some("checkbox" | "radio"), None) => "on",
                    (_, value) => value.unwrap_or(""),
                };
                (
                    i.value().attr("name").unwrap_or("").to_owned(),
                    value.to_owned(),
                )
            })
            .collect();
        let select_sel = Selector::parse("select[name]").expect("selector");
        let option_sel = Selector::parse("option").expect("selector");
        for select in form.select(&select_sel) {
            let options: Vec<_> = select.select(&option_sel).collect();
            let chosen = options
                .iter()
                .find(|o| o.value().attr("selected").is_some())
                .or(options.first());
            if let Some(option) = chosen {
                let value = option
                    .value()
                    .attr("value")
                    .map(str::to_owned)
                    .unwrap_or_else(|| option.text().collect());
                values.push((select.value().attr("name").unwrap_or("").to_owned(), value));
            }
        }
        let textarea_sel = Selector::parse("textarea[name]").expect("selector");
        for area in form.select(&textarea_sel) {
            values.push((
                area.value().attr("name").unwrap_or("").to_owned(),
                area.text().collect(),
            ));
        }
        for (name, value) in check {
            let box_sel = Selector::parse(&format!(
                "input[type=checkbox][name='{name}'][value='{value}']"
            ))
            .expect("selector");
            assert!(
                form.select(&box_sel).next().is_some(),
                "no checkbox {name}={value} to tick in {}",
                page.body
            );
            values.push((name.to_string(), value.to_string()));
        }
        values.retain(|(n, v)| !uncheck.iter().any(|(name, value)| name == n && value == v));
        // Given fields replace the form's own values of the same name; a name given more than
        // once (checkboxes) sends every value.
        values.retain(|(n, _)| !fields.iter().any(|(name, _)| name == n));
        values.extend(fields.iter().map(|(n, v)| (n.to_string(), v.to_string())));
        let pairs: Vec<(&str, &str)> = values
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        if form.value().attr("method") == Some("get") {
            let query = serde_html_form::to_string(&pairs).expect("query");
            return self.get(&format!("{action}?{query}")).await;
        }
        self.post(&action, &pairs).await
    }

    /// Signs in through the login page; returns the answer to the form post.
    pub async fn sign_in(&self, login: &str, password: &str) -> Page {
        let form = self.get("/login").await;
        self.submit(
            &form,
            "form[action='/login']",
            &[("login", login), ("password", password)],
        )
        .await
    }

    /// Whether this client's session is signed in (My Profile opens).
    pub async fn is_signed_in(&self) -> bool {
        self.get("/profile").await.status == 200
    }
}
