//! A page as the client read it: status, headers, body, and what a test looks for in it.

use scraper::{Html, Selector};

/// An HTTP response, with its HTML parsed on demand.
pub struct Page {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    /// The session cookie this answer sets, as a `name=value` pair for a Cookie header.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(roster::SESSION_COOKIE))
            .and_then(|c| c.split(';').next())
            .map(str::to_owned)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn location(&self) -> &str {
        self.header("location").unwrap_or("")
    }

    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    /// The visible text of the page, whitespace folded.
    pub fn text(&self) -> String {
        let html = self.html();
        let body = Selector::parse("body").expect("selector");
        let text: Vec<String> = html
            .select(&body)
            .flat_map(|b| b.text())
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|t| !t.is_empty())
            .collect();
        text.join(" ")
    }

    /// The text of every element matching `selector`.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let sel = Selector::parse(selector).expect("selector");
        self.html()
            .select(&sel)
            .map(|e| {
                e.text()
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    pub fn attr(&self, selector: &str, attr: &str) -> Option<String> {
        let sel = Selector::parse(selector).expect("selector");
        self.html()
            .select(&sel)
            .next()
            .and_then(|e| e.value().attr(attr))
            .map(str::to_owned)
    }

    /// The attribute of every element matching `selector` that has it.
    pub fn attrs(&self, selector: &str, attr: &str) -> Vec<String> {
        let sel = Selector::parse(selector).expect("selector");
        self.html()
            .select(&sel)
            .filter_map(|e| e.value().attr(attr))
            .map(str::to_owned)
            .collect()
    }

    /// An attribute of the first element matching `selector` whose text is `text`.
    pub fn attr_where_text(&self, selector: &str, text: &str, attr: &str) -> Option<String> {
        let sel = Selector::parse(selector).expect("selector");
        self.html()
            .select(&sel)
            .find(|e| e.text().collect::<String>().trim() == text)
            .and_then(|e| e.value().attr(attr))
            .map(str::to_owned)
    }

    /// The messages shown at the top of the page after an action, in order: base.html's
    /// flashes (each a `p.flash` with role status in main), not its standing warnings.
    pub fn flash(&self) -> Vec<String> {
        self.texts("main > p.flash[role=status]")
    }

    pub fn title(&self) -> String {
        self.texts("h1").into_iter().next().unwrap_or_default()
    }
}

/// The User Management page's count of the users matching its filter.
pub fn match_count(page: &Page) -> i64 {
    let said = page.texts("#match-count");
    let count = said
        .first()
        .unwrap_or_else(|| panic!("no match count in {}", page.body));
    count.parse().expect("a number of users")
}
