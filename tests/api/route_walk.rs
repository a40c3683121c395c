//! Every route of the server, taken from its route table (not a list kept here), walked as
//! a user without rights, as one user for each single right held in one of two companies,
//! and as an account administrator: no route fails with a server error, every link a page
//! shows opens, and every route the policy refuses answers 403 or 404 and changes nothing.

use crate::helpers::{
    Backend, Client, STRONG_PASSWORD, TestApp, add_company, add_item, arrange_membership,
    arrange_user, first_company,
};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::auth::policy::{self, Actor, Target};
use roster::auth::rights::Right;
use roster::db::DbConnection;
use roster::db::schema::{
    audit_events, catalog_items, companies, invitations, memberships, outbox, roles, saved_filters,
    users,
};
use roster::domain::catalog::ItemKind;
use roster::domain::users::UserStatus;
use roster::domain::{AccountId, CompanyId, UserId};
use roster::web::router::{Need, RouteInfo, route_table};
use std::collections::{BTreeMap, BTreeSet};

on_both_backends!(every_route_answers_as_the_policy_says_for_every_kind_of_user);

/// The walk trusts each route's declared need; this keeps the declarations honest where a
/// slip would open a page: every user-management and configuration route needs a right,
/// but the hub (which shows only the areas the user may open, and refuses when none).
#[test]
fn no_user_management_or_configuration_route_is_open_to_every_signed_in_user() {
    let open: Vec<String> = route_table()
        .into_iter()
        .filter(|r| r.path.starts_with("/users") || r.path.starts_with("/config/"))
        .filter(|r| matches!(r.need, Need::Nobody | Need::SignedIn))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(open.is_empty(), "open to anyone signed in: {open:?}");
    let public: Vec<&str> = route_table()
        .into_iter()
        .filter(|r| r.need == Need::Nobody)
        .map(|r| r.path)
        .collect();
    for path in &public {
        assert!(
            ["/", "/healthz", "/static/roster.css"].contains(path)
                || path.starts_with("/login")
                || path.starts_with("/setup/")
                || path.starts_with("/invitation/")
                || path.starts_with("/email-change/")
                || path.starts_with("/password/"),
            "{path} is open to visitors"
        );
    }
}

const ADMIN: &str = "ada@acme.test";

/// Objects in South (where no one but the administrator holds anything), so a route that
/// acts on one is refused to every user whose rights are in North only.
struct Ids {
    south: CompanyId,
    south_location: i64,
    south_field: i64,
    south_person: UserId,
    role: i64,
    admin: UserId,
    admin_filter: i64,
}

/// The route's path with its parameters filled with existing objects.
fn fill(path: &str, ids: &Ids) -> String {
    let id = if path.starts_with("/users/filters/") {
        ids.admin_filter.to_string()
    } else if path.starts_with("/users/") {
        ids.south_person.0.to_string()
    } else if path.starts_with("/profile/sessions/") {
        // Nobody's session.
        "999999".to_owned()
    } else if path.starts_with("/config/companies/{company}/fields/") {
        ids.south_field.to_string()
    } else if path.starts_with("/config/companies/{company}/") {
        ids.south_location.to_string()
    } else if path.starts_with("/config/companies/") {
        ids.south.0.to_string()
    } else if path.starts_with("/config/roles/") {
        ids.role.to_string()
    } else if path.starts_with("/config/admins/") {
        ids.admin.0.to_string()
    } else {
        "0".to_owned()
    };
    path.replace("{id}", &id)
        .replace("{company}", &ids.south.0.to_string())
        .replace("{kind}", "locations")
        .replace("{action}", "archive")
        .replace("{token}", "no-such-token")
}

/// Whether the policy refuses the route to this actor: its need is not met, or (for anyone
/// but an administrator) it acts on an object of South or of another user.
fn refused(route: &RouteInfo, actor: &Actor) -> bool {
    let need_met = match route.need {
        Need::Nobody | Need::SignedIn => true,
        Need::Somewhere(action) => policy::allowed_somewhere(actor, action),
        Need::Account(action) => policy::allowed_account_wide(actor, action),
    };
    let on_an_object = route.path.contains("{id}") || route.path.contains("{company}");
    !need_met || (on_an_object && !actor.is_account_admin)
}

/// What a refused request must leave as it was: every row count, and the audit log (every
/// change of an administrative kind writes an event).
fn snapshot(conn: &mut DbConnection) -> Vec<i64> {
    let archived_companies = companies::table
        .filter(companies::archived_at.is_not_null())
        .count()
        .get_result(conn);
    let archived_items = catalog_items::table
        .filter(catalog_items::archived_at.is_not_null())
        .count()
        .get_result(conn);
    let admins = users::table
        .filter(users::is_account_admin)
        .count()
        .get_result(conn);
    vec![
        users::table.count().get_result(conn),
        memberships::table.count().get_result(conn),
        roles::table.count().get_result(conn),
        companies::table.count().get_result(conn),
        archived_companies,
        catalog_items::table.count().get_result(conn),
        archived_items,
        invitations::table.count().get_result(conn),
        saved_filters::table.count().get_result(conn),
        outbox::table.count().get_result(conn),
        audit_events::table.count().get_result(conn),
        admins,
    ]
    .into_iter()
    .map(|count: QueryResult<i64>| count.unwrap())
    .collect()
}

/// A user who holds one role (with the given rights) in North only, signed in.
struct Walker {
    name: String,
    client: Client,
    actor: Actor,
}

async fn walker(
    app: &TestApp,
    conn: &mut DbConnection,
    account: AccountId,
    north: CompanyId,
    rights: &[Right],
) -> Walker {
    let name = match rights {
        [] => "no-rights".to_owned(),
        [one] => one.code().replace('.', "-"),
        _ => unreachable!("one right or none"),
    };
    let email = format!("{name}@acme.test");
    let role = format!("Only {name}");
    make_role(conn, account, &role, rights);
    let user = arrange_user(conn, &email, UserStatus::Active, None);
    arrange_membership(conn, user, north, &[role.as_str()]);
    let client = app.client();
    assert_eq!(client.sign_in(&email, STRONG_PASSWORD).await.status, 303);
    let actor = Actor {
        user_id: user,
        account_id: account,
        is_account_admin: false,
        rights: BTreeMap::from([(north, rights.iter().copied().collect())]),
        account_companies: 2,
        ip: None,
        now: chrono::Utc::now().naive_utc(),
    };
    Walker {
        name,
        client,
        actor,
    }
}

/// A role with exactly these rights, made as an administrator makes it.
fn make_role(conn: &mut DbConnection, account: AccountId, name: &str, rights: &[Right]) {
    let admin: UserId = users::table
        .filter(users::account_id.eq(account))
        .filter(users::is_account_admin)
        .select(users::id)
        .first(conn)
        .unwrap();
    let actor = Actor {
        user_id: admin,
        account_id: account,
        is_account_admin: true,
        rights: BTreeMap::new(),
        account_companies: 2,
        ip: None,
        now: chrono::Utc::now().naive_utc(),
    };
    let permit = policy::authorize(
        &actor,
        policy::Action::ManageRoles,
        Target::Account(account),
    )
    .unwrap();
    let input = roster::domain::roles::RoleInput {
        name: name.into(),
        description: String::new(),
        seat_kind: "full".into(),
        rights: rights.iter().map(|r| r.code().to_owned()).collect(),
    };
    roster::domain::roles::create(conn, &actor, &input, &permit).unwrap();
}

/// The same-origin links of a page, without fragments.
fn links(page: &crate::helpers::Page) -> Vec<String> {
    let html = page.html();
    let a = scraper::Selector::parse("a[href]").unwrap();
    html.select(&a)
        .filter_map(|e| e.value().attr("href"))
        .filter(|href| href.starts_with('/'))
        .map(|href| href.split('#').next().unwrap_or_default().to_owned())
        .filter(|href| !href.is_empty())
        .collect()
}

/// Opens every link reachable from the walker's starting pages (up to three variants of a
/// path's query string, and a bound on the whole): each must answer 200. The starting pages
/// themselves may be refused; a link a page shows may not, once its redirects are followed.
async fn every_link_opens(walker: &Walker) -> usize {
    let mut queue: Vec<(String, bool)> = ["/profile", "/users", "/config"]
        .iter()
        .map(|p| ((*p).to_owned(), true))
        .collect();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut variants: BTreeMap<String, usize> = BTreeMap::new();
    let mut opened = 0;
    while let Some((link, start)) = queue.pop() {
        if opened >= 200 || !seen.insert(link.clone()) {
            continue;
        }
        let path = link.split('?').next().unwrap_or_default().to_owned();
        let count = variants.entry(path).or_default();
        *count += 1;
        if *count > 3 {
            continue;
        }
        // A link may redirect (the logo's "/" goes to My Profile): where it ends must open.
        let page = walker.client.visit(&link).await;
        opened += 1;
        if start && page.status != 200 {
            continue;
        }
        assert_eq!(
            page.status, 200,
            "{}: the link {link} answers {}",
            walker.name, page.status
        );
        if page
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/html"))
        {
            let new = links(&page).into_iter().filter(|l| !seen.contains(l));
            queue.extend(new.map(|l| (l, false)));
        }
    }
    opened
}

/// Requests every page, and every form the policy refuses: none fails with a server error,
/// and a refused one answers 403 or 404 and changes nothing.
async fn every_refusal_holds(
    walker: &Walker,
    table: &[RouteInfo],
    ids: &Ids,
    conn: &mut DbConnection,
) {
    let profile = walker.client.get("/profile").await;
    let token = profile
        .attr("input[name=csrf_token]", "value")
        .expect("a form on My Profile");
    for route in table {
        let refused = route.need != Need::Nobody && refused(route, &walker.actor);
        let is_get = route.method == actix_web::http::Method::GET;
        if !is_get && !refused {
            // An allowed form would really change something (or sign the walker out).
            continue;
        }
        let path = fill(route.path, ids);
        let before = snapshot(conn);
        let page = if is_get {
            walker.client.get(&path).await
        } else {
            let fields = [
                ("csrf_token", token.as_str()),
                ("name", "Walked"),
                ("code", "WALK"),
                ("email", "walked@acme.test"),
                ("query", ""),
            ];
            walker.client.post(&path, &fields).await
        };
        assert!(
            page.status < 500,
            "{}: {} {path} answers {}",
            walker.name,
            route.method,
            page.status
        );
        if refused {
            assert!(
                [403, 404].contains(&page.status),
                "{}: {} {path} should be refused, answers {}",
                walker.name,
                route.method,
                page.status
            );
            assert_eq!(
                snapshot(conn),
                before,
                "{}: a refused {} {path} changed something",
                walker.name,
                route.method
            );
        }
    }
}

async fn every_route_answers_as_the_policy_says_for_every_kind_of_user(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let mut conn = backend.conn();
    let north = first_company(&mut conn);
    let south = add_company(&mut conn, "South", "SOUTH");
    let account: AccountId = companies::table
        .find(north)
        .select(companies::account_id)
        .first(&mut conn)
        .unwrap();
    let admin_id: UserId = users::table
        .filter(users::email_lower.eq(ADMIN))
        .select(users::id)
        .first(&mut conn)
        .unwrap();
    let south_location = add_item(
        &mut conn,
        south,
        ItemKind::Location,
        None,
        ("Depot", "DEP"),
        false,
    );
    let south_field = add_item(
        &mut conn,
        south,
        ItemKind::Field,
        None,
        ("Project", "PRJ"),
        false,
    );
    add_item(
        &mut conn,
        north,
        ItemKind::Location,
        None,
        ("Hall", "HALL"),
        false,
    );
    let south_person = arrange_user(&mut conn, "sam@acme.test", UserStatus::Invited, None);
    arrange_membership(&mut conn, south_person, south, &["Viewer"]);
    let list = admin.get("/users").await;
    let saved = admin
        .submit(&list, "#save-filter", &[("name", "Everyone")])
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text());
    let admin_filter: i64 = saved_filters::table
        .select(saved_filters::id)
        .first::<roster::domain::SavedFilterId>(&mut conn)
        .unwrap()
        .0;
    let role: i64 = roles::table
        .filter(roles::name.eq("Viewer"))
        .select(roles::id)
        .first::<roster::domain::RoleId>(&mut conn)
        .unwrap()
        .0;
    let ids = Ids {
        south,
        south_location: south_location.0,
        south_field: south_field.0,
        south_person,
        role,
        admin: admin_id,
        admin_filter,
    };

    let table = route_table();
    assert!(table.len() > 50, "the table holds every route");
    let mut walkers = vec![walker(&app, &mut conn, account, north, &[]).await];
    for right in Right::ALL {
        walkers.push(walker(&app, &mut conn, account, north, &[right]).await);
    }
    for walker in &walkers {
        every_link_opens(walker).await;
        every_refusal_holds(walker, &table, &ids, &mut conn).await;
    }

    // The administrator: every link opens, no route fails.
    let admin_walker = Walker {
        name: "administrator".into(),
        client: admin,
        actor: Actor {
            user_id: admin_id,
            account_id: account,
            is_account_admin: true,
            rights: BTreeMap::new(),
            account_companies: 2,
            ip: None,
            now: chrono::Utc::now().naive_utc(),
        },
    };
    assert!(every_link_opens(&admin_walker).await > 20);
    for route in table
        .iter()
        .filter(|r| r.method == actix_web::http::Method::GET)
    {
        let path = fill(route.path, &ids);
        let page = admin_walker.client.get(&path).await;
        assert!(
            page.status < 500,
            "administrator: GET {path} answers {}",
            page.status
        );
    }
}
