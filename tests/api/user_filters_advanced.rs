//! The advanced criteria of the User Management page, each checked against sets computed
//! here from the stored memberships and access rows.

use crate::helpers::{Backend, STRONG_PASSWORD, TestApp, match_count};
use crate::on_both_backends;
use chrono::TimeDelta;
use diesel::prelude::*;
use roster::db::DbConnection;
use roster::db::schema::{
    catalog_items, membership_fields_all, membership_items, memberships, users,
};
use roster::domain::seed::{self, SeedOptions};
use roster::domain::users::UserRow;
use std::collections::BTreeSet;

on_both_backends!(
    advanced_criteria_match_the_stored_access,
    the_list_shows_each_advanced_criterion_and_removes_it_alone,
);

const BOSS: &str = "boss@demo.test";

type Member = (i64, i64, i64, bool, bool); // membership, user, company, all_locations, all_product_groups

fn members(conn: &mut DbConnection) -> Vec<Member> {
    memberships::table
        .select((
            memberships::id,
            memberships::user_id,
            memberships::company_id,
            memberships::all_locations,
            memberships::all_product_groups,
        ))
        .load::<(
            i64,
            roster::domain::UserId,
            roster::domain::CompanyId,
            bool,
            bool,
        )>(conn)
        .unwrap()
        .into_iter()
        .map(|(m, u, c, l, p)| (m, u.0, c.0, l, p))
        .collect()
}

async fn advanced_criteria_match_the_stored_access(backend: Backend) {
    let mut conn = backend.conn();
    roster::db::migrate(&mut conn).unwrap();
    let hash = roster::auth::password::hash(STRONG_PASSWORD).unwrap();
    let options = SeedOptions {
        users: 300,
        companies: 2,
        seed: 11,
        account_name: "Demo".into(),
        admin: Some((BOSS.into(), hash)),
    };
    seed::seed(&mut conn, &options, chrono::Utc::now().naive_utc()).unwrap();
    let app = TestApp::spawn(&backend).await;
    let client = app.signed_in(BOSS).await;

    let all: Vec<UserRow> = users::table
        .select(UserRow::as_select())
        .load(&mut conn)
        .unwrap();
    let members = members(&mut conn);
    let chosen: Vec<(i64, i64)> = membership_items::table
        .select((membership_items::membership_id, membership_items::item_id))
        .load::<(i64, roster::domain::ItemId)>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|(m, i)| (m, i.0))
        .collect();
    let select_all: Vec<(i64, i64)> = membership_fields_all::table
        .select((
            membership_fields_all::membership_id,
            membership_fields_all::field_id,
        ))
        .load::<(i64, roster::domain::ItemId)>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|(m, f)| (m, f.0))
        .collect();
    let mut item = |kind: &str| -> (i64, i64, Option<i64>) {
        let (id, company, parent): (
            roster::domain::ItemId,
            roster::domain::CompanyId,
            Option<roster::domain::ItemId>,
        ) = catalog_items::table
            .filter(catalog_items::kind.eq(kind))
            .order(catalog_items::id)
            .select((
                catalog_items::id,
                catalog_items::company_id,
                catalog_items::parent_id,
            ))
            .first(&mut conn)
            .unwrap();
        (id.0, company.0, parent.map(|p| p.0))
    };

    // A location: Access to All in its company, or chosen.
    let (location, company, _) = item("location");
    let expected: BTreeSet<i64> = members
        .iter()
        .filter(|(m, _, c, all_locations, _)| {
            (*c == company && *all_locations) || chosen.contains(&(*m, location))
        })
        .map(|(_, u, _, _, _)| *u)
        .collect();
    assert_eq!(
        match_count(&client.get(&format!("/users?location={location}")).await),
        expected.len() as i64
    );

    // An option: Select All on its field, or chosen.
    let (option, _, field) = item("option");
    let field = field.unwrap();
    let by_option: BTreeSet<i64> = members
        .iter()
        .filter(|(m, _, _, _, _)| {
            select_all.contains(&(*m, field)) || chosen.contains(&(*m, option))
        })
        .map(|(_, u, _, _, _)| *u)
        .collect();
    assert_eq!(
        match_count(&client.get(&format!("/users?option={option}")).await),
        by_option.len() as i64
    );

    // A product group: Access to All in its company, or chosen.
    let (group, group_company, _) = item("product_group");
    let by_group: BTreeSet<i64> = members
        .iter()
        .filter(|(m, _, c, _, all)| (*c == group_company && *all) || chosen.contains(&(*m, group)))
        .map(|(_, u, _, _, _)| *u)
        .collect();
    assert_eq!(
        match_count(&client.get(&format!("/users?product_group={group}")).await),
        by_group.len() as i64
    );

    // 2FA, integration, never signed in, and a combination with the location.
    let count = |f: &dyn Fn(&UserRow) -> bool| all.iter().filter(|u| f(u)).count() as i64;
    assert_eq!(
        match_count(&client.get("/users?two_factor=on").await),
        count(&|u| u.totp_secret.is_some())
    );
    assert_eq!(
        match_count(&client.get("/users?two_factor=off").await),
        count(&|u| u.totp_secret.is_none() && !u.enforce_2fa)
    );
    assert_eq!(
        match_count(&client.get("/users?two_factor=required").await),
        count(&|u| u.totp_secret.is_none() && u.enforce_2fa)
    );
    assert_eq!(
        match_count(&client.get("/users?integrated=yes").await),
        count(&|u| u.integration.is_some())
    );
    assert_eq!(
        match_count(&client.get("/users?last_access=never").await),
        count(&|u| u.last_access_at.is_none())
    );
    let both = client
        .get(&format!("/users?location={location}&two_factor=on"))
        .await;
    assert_eq!(
        match_count(&both),
        count(&|u| u.totp_secret.is_some() && expected.contains(&u.id.0))
    );

    // Dates: last access between, created from, expires before; "to" dates are inclusive.
    let today = chrono::Utc::now().date_naive();
    let from = today - TimeDelta::days(90);
    let (from_t, to_t) = (
        from.and_hms_opt(0, 0, 0).unwrap(),
        (today + TimeDelta::days(1)).and_hms_opt(0, 0, 0).unwrap(),
    );
    let between = client
        .get(&format!(
            "/users?last_access=between&last_access_from={from}&last_access_to={today}"
        ))
        .await;
    assert_eq!(
        match_count(&between),
        count(&|u| u.last_access_at.is_some_and(|t| t >= from_t && t < to_t))
    );
    let created = client.get(&format!("/users?created_from={from}")).await;
    assert_eq!(match_count(&created), count(&|u| u.created_at >= from_t));
    let expires = client.get(&format!("/users?expires_before={today}")).await;
    let today_t = today.and_hms_opt(0, 0, 0).unwrap();
    assert_eq!(
        match_count(&expires),
        count(&|u| u.expires_at.is_some_and(|t| t < today_t))
    );

    // The advanced page shows the criteria of the address it was opened with.
    let advanced = client
        .get(&format!(
            "/users/advanced?location={location}&two_factor=on&status=active"
        ))
        .await;
    assert_eq!(advanced.status, 200);
    assert_eq!(
        advanced
            .attr(&format!("#item-{location}"), "checked")
            .as_deref(),
        Some("")
    );
    assert_eq!(
        advanced.attr("#status-active", "checked").as_deref(),
        Some("")
    );
    assert_eq!(
        advanced
            .attr("#two_factor option[value=on]", "selected")
            .as_deref(),
        Some("")
    );
    assert!(
        advanced
            .texts("label")
            .iter()
            .any(|l| l.starts_with("Berlin office"))
    );

    // Bad values get a clear message.
    for (query, message) in [
        ("location=99999999", "There is no location with the id"),
        ("option=abc", "is not a custom field option"),
        ("last_access=between", "Give the dates"),
        ("created_from=2026-13-40", "is not a date"),
        ("two_factor=maybe", "not a 2FA choice"),
    ] {
        let page = client.get(&format!("/users?{query}")).await;
        assert_eq!(page.status, 400, "{query}");
        assert!(page.text().contains(message), "{query}: {}", page.text());
    }

    // Advanced criteria survive saving and opening as the default.
    let page = client
        .get(&format!("/users?location={location}&two_factor=on"))
        .await;
    client
        .submit(
            &page,
            "form#save-filter",
            &[
                ("name", "Secure in the first office"),
                ("use_as_default", "on"),
            ],
        )
        .await;
    let opened = client.visit("/users").await;
    assert_eq!(match_count(&opened), match_count(&both));
}

async fn the_list_shows_each_advanced_criterion_and_removes_it_alone(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin("ada@acme.test").await;

    let plain = admin.get("/users").await;
    assert!(
        plain.texts("#advanced-criteria").is_empty(),
        "nothing to show"
    );
    let narrowed = admin
        .get("/users?status=active&two_factor=required&integrated=no&created_from=2026-01-01")
        .await;
    assert_eq!(
        narrowed.texts("#advanced-criteria li span"),
        vec![
            "2FA: Required but not enrolled",
            "Not integrated",
            "Created from 2026-01-01"
        ]
    );
    let remove = narrowed
        .attr_where_text("#advanced-criteria li a", "Remove", "href")
        .unwrap();
    let without_2fa = admin.get(&remove).await;
    assert_eq!(
        without_2fa.texts("#advanced-criteria li span"),
        vec!["Not integrated", "Created from 2026-01-01"],
        "only the one removed goes"
    );
    assert_eq!(
        without_2fa
            .attr("#status option[value=active]", "selected")
            .as_deref(),
        Some(""),
        "and the basic criteria stay"
    );

    // Applying the basic filter form keeps the advanced criteria too.
    let searched = admin
        .submit(
            &without_2fa,
            "form[action='/users'][role=search]",
            &[("q", "ada")],
        )
        .await;
    assert_eq!(
        searched.texts("#advanced-criteria li span"),
        vec!["Not integrated", "Created from 2026-01-01"]
    );
}
