//! Pages of a list: every list is paginated, and a page number out of range is clamped
//! rather than an error.

pub const DEFAULT_PER_PAGE: i64 = 25;
pub const MAX_PAGE: i64 = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: i64,
    pub per_page: i64,
}

impl PageRequest {
    /// From user input: anything below 1 is page 1; absurdly large pages are capped.
    pub fn new(page: Option<i64>, per_page: i64) -> Self {
        Self {
            page: page.unwrap_or(1).clamp(1, MAX_PAGE),
            per_page: per_page.clamp(1, 500),
        }
    }

    /// The same request, moved back to the last page when it points past `total` items.
    pub fn within(self, total: i64) -> Self {
        let last = ((total + self.per_page - 1) / self.per_page).max(1);
        Self {
            page: self.page.min(last),
            ..self
        }
    }

    pub fn offset(self) -> i64 {
        (self.page - 1) * self.per_page
    }
}

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> i64 {
        PageRequest {
            page: i64::MAX,
            per_page: self.per_page,
        }
        .within(self.total)
        .page
    }

    pub fn has_previous(&self) -> bool {
        self.page > 1
    }

    pub fn has_next(&self) -> bool {
        self.page < self.pages()
    }

    /// "26–50 of 120", or "" for an empty list.
    pub fn range_text(&self) -> String {
        if self.total == 0 {
            return String::new();
        }
        let first = (self.page - 1) * self.per_page + 1;
        let last = (first + self.items.len() as i64 - 1).max(first);
        format!("{first}–{last} of {}", self.total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_requests_are_clamped() {
        assert_eq!(PageRequest::new(Some(0), 25).page, 1);
        assert_eq!(PageRequest::new(Some(-5), 25).page, 1);
        assert_eq!(PageRequest::new(Some(1_000_000_000), 25).page, MAX_PAGE);
        assert_eq!(PageRequest::new(Some(3), 25).offset(), 50);
    }

    #[test]
    fn pages_and_ranges() {
        let page = Page {
            items: vec![1; 20],
            total: 120,
            page: 2,
            per_page: 25,
        };
        assert_eq!(page.pages(), 5);
        assert!(page.has_previous() && page.has_next());
        assert_eq!(page.range_text(), "26–45 of 120");
        let empty: Page<i32> = Page {
            items: vec![],
            total: 0,
            page: 1,
            per_page: 25,
        };
        assert_eq!(empty.pages(), 1);
        assert_eq!(empty.range_text(), "");
    }
}
