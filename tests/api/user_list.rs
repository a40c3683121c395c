//! The User Management page: filters, infocards, sorting, pages and scope, checked against
//! what is stored (computed here from the rows, not with the page's own queries).

use crate::helpers::{Backend, STRONG_PASSWORD, TestApp, match_count};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::DbConnection;
use roster::db::schema::{invitations, membership_roles, memberships, roles, users};
use roster::domain::seed::{self, SeedOptions};
use roster::domain::user_list::ShownStatus;
use roster::domain::users::UserRow;
use std::collections::BTreeSet;

on_both_backends!(
    the_list_filters_sorts_and_pages_and_its_infocards_count,
    the_list_shows_only_the_companies_where_one_holds_users_view,
    csv_export_is_the_filtered_list_and_is_safe,
    one_match_is_counted_in_the_singular,
    the_roles_column_says_which_role_applies_in_which_company,
);

const BOSS: &str = "boss@demo.test";

fn seed_demo(backend: &Backend, users: usize, companies: usize) {
    let hash = roster::auth::password::hash(STRONG_PASSWORD).unwrap();
    let options = SeedOptions {
        users,
        companies,
        seed: 3,
        account_name: "Demo".into(),
        admin: Some((BOSS.into(), hash)),
    };
    let mut conn = backend.conn();
    roster::db::migrate(&mut conn).unwrap();
    seed::seed(&mut conn, &options, chrono::Utc::now().naive_utc()).unwrap();
}

fn everyone(conn: &mut DbConnection) -> Vec<UserRow> {
    users::table
        .select(UserRow::as_select())
        .load(conn)
        .unwrap()
}

fn holders(conn: &mut DbConnection, role: &str) -> BTreeSet<i64> {
    memberships::table
        .inner_join(membership_roles::table.inner_join(roles::table))
        .filter(roles::name.eq(role))
        .select(memberships::user_id)
        .load::<roster::domain::UserId>(conn)
        .unwrap()
        .into_iter()
        .map(|u| u.0)
        .collect()
}

async fn the_list_filters_sorts_and_pages_and_its_infocards_count(backend: Backend) {
    seed_demo(&backend, 150, 1);
    let app = TestApp::spawn(&backend).await;
    let client = app.signed_in(BOSS).await;
    let mut conn = backend.conn();
    let now = chrono::Utc::now().naive_utc();
    let all = everyone(&mut conn);
    let count_of =
        |s: ShownStatus| all.iter().filter(|u| ShownStatus::of(u, now) == s).count() as i64;

    let page = client.get("/users").await;
    assert_eq!(page.status, 200);
    assert_eq!(match_count(&page), all.len() as i64);
    let cards = page.texts(".infocards a");
    assert!(
        cards.contains(&format!("{} Total users", all.len())),
        "{cards:?}"
    );
    assert!(
        cards.contains(&format!("{} Active", count_of(ShownStatus::Active))),
        "{cards:?}"
    );
    assert!(
        cards.contains(&format!("{} Locked", count_of(ShownStatus::Locked))),
        "{cards:?}"
    );
    let failed: i64 = invitations::table
        .filter(invitations::status.eq("failed"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert!(
        cards.contains(&format!("{failed} Undelivered Invitations")),
        "{cards:?}"
    );
    assert_eq!(page.texts("table.users tbody tr").len(), 25);

    for status in ShownStatus::ALL {
        let filtered = client
            .get(&format!("/users?status={}", status.slug()))
            .await;
        assert_eq!(match_count(&filtered), count_of(status), "{status:?}");
        assert!(
            filtered
                .texts("td.status")
                .iter()
                .all(|s| s == status.label()),
            "{status:?}"
        );
    }
    let failed_page = client.get("/users?invitation=failed").await;
    assert_eq!(match_count(&failed_page), failed);

    // Two criteria together: active Managers.
    let managers = holders(&mut conn, "Manager");
    let manager_role: roster::domain::RoleId = roles::table
        .filter(roles::name.eq("Manager"))
        .select(roles::id)
        .first(&mut conn)
        .unwrap();
    let expected = all
        .iter()
        .filter(|u| managers.contains(&u.id.0) && ShownStatus::of(u, now) == ShownStatus::Active)
        .count();
    let both = client
        .get(&format!(
            "/users?status=active&role={}&per_page=100",
            manager_role.0
        ))
        .await;
    assert_eq!(match_count(&both), expected as i64);

    // Search is partial and case-insensitive, over name, email and user name.
    let someone = &all[10];
    let fragment = someone.email[..someone.email.find('@').unwrap()].to_uppercase();
    let found = client
        .get(&format!("/users?q={}", fragment.replace(' ', "+")))
        .await;
    assert!(
        found.texts("table.users td").contains(&someone.email),
        "{fragment}"
    );
    let expected = all
        .iter()
        .filter(|u| {
            u.email_lower.contains(&fragment.to_lowercase())
                || u.display_name
                    .to_lowercase()
                    .contains(&fragment.to_lowercase())
        })
        .count();
    assert_eq!(match_count(&found), expected as i64);

    // Sorting by email, both ways.
    let mut emails: Vec<String> = all.iter().map(|u| u.email_lower.clone()).collect();
    emails.sort();
    let asc = client.get("/users?sort=email&dir=asc").await;
    assert_eq!(
        asc.texts("table.users tbody tr td:nth-child(2)")[0].to_lowercase(),
        emails[0]
    );
    let desc = client.get("/users?sort=email&dir=desc").await;
    assert_eq!(
        desc.texts("table.users tbody tr td:nth-child(2)")[0].to_lowercase(),
        *emails.last().unwrap()
    );

    // Pages: the last page holds the rest; past the end shows the last; 100 a page.
    let last = (all.len() as i64 + 24) / 25;
    let far = client.get("/users?page=1000000000").await;
    assert_eq!(far.status, 200);
    assert!(far.text().contains(&format!("Page {last} of {last}")));
    assert_eq!(
        client
            .get("/users?per_page=100")
            .await
            .texts("table.users tbody tr")
            .len(),
        100
    );

    // Bad values get a message, never a 500.
    for (query, message) in [
        ("status=sleeping", "There is no status “sleeping”"),
        ("page=abc", "not a page number"),
        ("per_page=7", "Show 25, 50 or 100"),
        ("sort=shoe_size", "cannot be sorted"),
        ("invitation=lost", "no invitation status"),
        ("role=admin", "is not a role"),
        ("dir=sideways", "not a sort direction"),
    ] {
        let page = client.get(&format!("/users?{query}")).await;
        assert_eq!(page.status, 400, "{query}");
        assert!(page.text().contains(message), "{query}: {}", page.text());
    }
    let nothing = client.get("/users?q=zzzzzzzzqqqq").await;
    assert!(nothing.text().contains("No users match these filters"));
}

async fn the_list_shows_only_the_companies_where_one_holds_users_view(backend: Backend) {
    seed_demo(&backend, 120, 3);
    let app = TestApp::spawn(&backend).await;
    let mut conn = backend.conn();
    let companies: Vec<roster::domain::CompanyId> = roster::db::schema::companies::table
        .order(roster::db::schema::companies::id)
        .select(roster::db::schema::companies::id)
        .load(&mut conn)
        .unwrap();
    // A manager (users.view) in the first company only.
    let client = app.signed_in_as_role("Manager", companies[0]).await;
    let in_first: BTreeSet<i64> = memberships::table
        .filter(memberships::company_id.eq(companies[0]))
        .select(memberships::user_id)
        .load::<roster::domain::UserId>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|u| u.0)
        .collect();
    let nav = client.get("/profile").await.texts("nav a");
    assert!(nav.contains(&"User Management".to_owned()));
    let page = client.get("/users?per_page=100").await;
    assert_eq!(
        match_count(&page),
        in_first.len() as i64,
        "only the first company's users"
    );
    assert!(page.texts(".infocards a")[0].starts_with(&format!("{} Total", in_first.len())));
    let other = client
        .get(&format!("/users?company={}", companies[1].0))
        .await;
    let in_both: i64 = memberships::table
        .filter(memberships::company_id.eq(companies[1]))
        .filter(
            memberships::user_id.eq_any(
                in_first
                    .iter()
                    .map(|i| roster::domain::UserId(*i))
                    .collect::<Vec<_>>(),
            ),
        )
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(
        match_count(&other),
        in_both,
        "another company's filter never widens the scope"
    );

    // Without users.view anywhere: no page, no menu entry.
    let everyone_boss = app.signed_in(BOSS).await;
    let total: i64 = users::table.count().get_result(&mut conn).unwrap();
    assert_eq!(
        match_count(&everyone_boss.get("/users").await),
        total,
        "administrators see everyone"
    );
    let viewer = app.signed_in_as_role("Viewer", companies[0]).await;
    assert_eq!(viewer.get("/users").await.status, 403);
    assert!(
        !viewer
            .get("/profile")
            .await
            .texts("nav a")
            .contains(&"User Management".to_owned())
    );
}

fn read_csv(body: &str) -> Vec<Vec<String>> {
    let body = body
        .strip_prefix('\u{feff}')
        .expect("a UTF-8 byte-order mark");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.as_bytes());
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

async fn csv_export_is_the_filtered_list_and_is_safe(backend: Backend) {
    seed_demo(&backend, 2100, 1);
    let mut conn = backend.conn();
    let last: roster::domain::UserId = users::table
        .select(users::id)
        .order(users::id.desc())
        .first(&mut conn)
        .unwrap();
    // Behind the server's back: no page edits a displayed name yet.
    diesel::update(users::table.find(last))
        .set(users::display_name.eq("=HYPERLINK(\"http://evil.example\",\"click\")"))
        .execute(&mut conn)
        .unwrap();
    let app = TestApp::spawn(&backend).await;
    let client = app.signed_in(BOSS).await;
    let now = chrono::Utc::now().naive_utc();
    let all = everyone(&mut conn);

    let export = client.get("/users/export.csv").await;
    assert_eq!(export.status, 200);
    assert_eq!(
        export.header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    assert!(
        export
            .header("content-disposition")
            .unwrap_or_default()
            .contains("attachment")
    );
    let rows = read_csv(&export.body);
    assert_eq!(rows[0][..3], ["Name", "Email", "User name"]);
    assert_eq!(
        rows.len() - 1,
        all.len(),
        "every user once, across batches of 1000"
    );
    let emails: BTreeSet<&str> = rows[1..].iter().map(|r| r[1].as_str()).collect();
    assert_eq!(emails.len(), all.len(), "no user twice");
    assert!(
        rows.iter()
            .any(|r| r[0] == "'=HYPERLINK(\"http://evil.example\",\"click\")"),
        "formula neutralized"
    );
    assert!(rows.iter().all(|r| !r[0].starts_with('=')));

    let blocked = client.get("/users/export.csv?status=blocked").await;
    let rows = read_csv(&blocked.body);
    let expected = all
        .iter()
        .filter(|u| ShownStatus::of(u, now) == ShownStatus::Blocked)
        .count();
    assert_eq!(rows.len() - 1, expected);
    assert!(rows[1..].iter().all(|r| r[3] == "Blocked"));
    assert_eq!(
        client.get("/users/export.csv?status=nope").await.status,
        400
    );
}

async fn one_match_is_counted_in_the_singular(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin("ada@acme.test").await;
    let one = admin.get("/users?q=ada").await;
    assert_eq!(
        one.texts("p.summary")[0].split('.').next(),
        Some("1 user matches")
    );
    let none = admin.get("/users?q=nobody-at-all").await;
    assert!(none.text().contains("No users match these filters"));
}

async fn the_roles_column_says_which_role_applies_in_which_company(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin("ada@acme.test").await;
    let mut conn = app.conn();
    let north = crate::helpers::first_company(&mut conn);
    let south = crate::helpers::add_company(&mut conn, "South", "SOUTH");
    let north_name: String = roster::db::schema::companies::table
        .find(north)
        .select(roster::db::schema::companies::name)
        .first(&mut conn)
        .unwrap();
    let (ann, _) = crate::helpers::arrange_member(&mut conn, "ann@acme.test", &["Viewer"]);
    crate::helpers::arrange_membership(&mut conn, ann, south, &["Editor", "Manager"]);

    let list = admin.get("/users?q=ann").await;
    let mut expected = vec![
        format!("{north_name}: Viewer"),
        "South: Editor, Manager".to_owned(),
    ];
    expected.sort();
    let cell = list.texts("td.roles").remove(0);
    let mut shown: Vec<String> = cell.split(" · ").map(str::to_owned).collect();
    shown.sort();
    assert_eq!(shown, expected);
    assert_eq!(
        list.attr("td.roles .role", "tabindex").as_deref(),
        Some("0"),
        "a role's rights are reachable by keyboard focus"
    );
}
