//! The Invite User wizard's steps, as a user takes them: the addresses, the companies (in a
//! multi-company account), the colleague's info, then the access step with its tabs.

use super::{Client, Page, TestApp};

/// The wizard's form, on every step.
pub const FORM: &str = "#invite-wizard";

/// From the User Management page's wizard to its access step, with every company chosen
/// when the account has several (the companies step shows a Select All box) and the role
/// Viewer ticked in each (everyone needs a role in each of their companies).
pub async fn to_access(admin: &Client, email: &str) -> Page {
    let access = to_access_without_roles(admin, email).await;
    give_role(admin, &access, "Viewer").await
}

/// Like `to_access`, with no role chosen yet.
pub async fn to_access_without_roles(admin: &Client, email: &str) -> Page {
    let step1 = admin.get("/users/invite").await;
    let mut next = admin
        .submit(&step1, FORM, &[("emails", email), ("go", "next")])
        .await;
    if next.attr("#select_all", "name").is_some() {
        next = admin
            .submit(&next, FORM, &[("select_all", "on"), ("go", "next")])
            .await;
    }
    let access = admin.submit(&next, FORM, &[("go", "next")]).await;
    assert_eq!(access.status, 200, "{}", access.body);
    access
}

/// Ticks `role` on the access step in every chosen company, then comes back to the company
/// the page showed, on the Locations tab (where most tests of the access step start).
pub async fn give_role(admin: &Client, page: &Page, role: &str) -> Page {
    let tab = "tab:locations".to_owned();
    let companies = page.attrs("button[name=go][value^='company:']", "value");
    let mut page = go(admin, page, "tab:roles").await;
    for i in 0..companies.len().max(1) {
        let id = page
            .attr_where_text("ul.options label", role, "for")
            .unwrap_or_else(|| panic!("no role {role} on {}", page.body));
        let name = page.attr(&format!("#{id}"), "name").expect("name");
        let value = page.attr(&format!("#{id}"), "value").expect("value");
        let next = match (companies.get(i + 1), companies.first()) {
            (Some(next), _) => next.clone(),
            (None, Some(first)) if companies.len() > 1 => first.clone(),
            _ => tab.clone(),
        };
        page = admin
            .submit_changes(&page, FORM, &[(&name, &value)], &[], &[("go", &next)])
            .await;
        assert_eq!(page.status, 200, "{}", page.body);
    }
    if page.attr("button.tab[aria-current=page]", "value") != Some(tab) {
        page = go(admin, &page, "tab:locations").await;
    }
    page
}

/// Presses the button `go` (a tab, Select All, Back, ...) on a wizard page.
pub async fn go(admin: &Client, page: &Page, go: &str) -> Page {
    let next = admin.submit(page, FORM, &[("go", go)]).await;
    assert_eq!(next.status, 200, "{}", next.body);
    next
}

/// Searches the access step's list for `text`, showing `show` (all, checked, unchecked).
pub async fn search(admin: &Client, page: &Page, text: &str, show: &str) -> Page {
    let next = admin
        .submit(
            page,
            FORM,
            &[("search", text), ("show", show), ("go", "view")],
        )
        .await;
    assert_eq!(next.status, 200, "{}", next.body);
    next
}

/// Invite (without email) from the access step; the result page names the person.
pub async fn invite_from(admin: &Client, page: &Page, email: &str) {
    let done = admin
        .submit(page, FORM, &[("send_email", ""), ("go", "invite")])
        .await;
    assert_eq!(done.texts("#invited li"), vec![email], "{}", done.body);
}

/// The options the access step lists on its current tab.
pub fn listed(page: &Page) -> Vec<String> {
    page.texts("ul.options label")
}

/// Whether the box with this id is ticked.
pub fn checked(page: &Page, id: &str) -> bool {
    page.attr(&format!("#{id}"), "checked").is_some()
}

impl TestApp {
    /// `by` invites `emails` (commas or new lines) through the whole wizard, with what it
    /// proposes (every company, the proposed access, the invitation email sent); returns
    /// the result page.
    pub async fn invite(&self, by: &Client, emails: &str) -> Page {
        let access = to_access(by, emails).await;
        let done = by.submit(&access, FORM, &[("go", "invite")]).await;
        assert_eq!(done.status, 200, "{}", done.body);
        done
    }

    /// Like `invite`, with Send invitation email unticked: the outbox stays empty.
    pub async fn invite_without_email(&self, by: &Client, emails: &str) -> Page {
        let access = to_access(by, emails).await;
        let done = by
            .submit(&access, FORM, &[("send_email", ""), ("go", "invite")])
            .await;
        assert_eq!(done.status, 200, "{}", done.body);
        done
    }
}
