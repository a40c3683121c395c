//! The access step of the Invite User wizard: tabs for Locations, Document Custom Fields,
//! Product Groups and Roles; search by Name or Code across the chosen companies; Show All
//! Options / Checked Only / Unchecked Only; Select All, Unselect All, Access to All; Apply to
//! All Companies matched by code; and what the invited person is given in the end.

use crate::client::Page;
use crate::helpers::{Backend, Client, TestApp, add_item, first_company};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::{
    catalog_items, membership_fields_all, membership_items, membership_roles, memberships, roles,
    users,
};
use roster::domain::catalog::ItemKind;
use roster::domain::{CompanyId, ItemId};

on_both_backends!(
    tabs_search_filter_and_select_all_in_one_company,
    custom_fields_select_all_and_access_to_all,
    apply_to_all_companies_matches_by_code,
    an_option_archived_meanwhile_is_refused_with_the_form_kept,
    forged_companies_roles_and_items_are_refused,
    a_role_or_company_gone_meanwhile_leaves_the_form,
);

const FORM: &str = "#invite-wizard";

/// From the User Management page's wizard to its access step.
async fn to_access(admin: &Client, email: &str, multi: bool) -> Page {
    let step1 = admin.get("/users/invite").await;
    let mut next = admin
        .submit(&step1, FORM, &[("emails", email), ("go", "next")])
        .await;
    if multi {
        next = admin
            .submit(&next, FORM, &[("select_all", "on"), ("go", "next")])
            .await;
    }
    let access = admin.submit(&next, FORM, &[("go", "next")]).await;
    assert_eq!(access.status, 200, "{}", access.body);
    access
}

async fn go(admin: &Client, page: &Page, go: &str) -> Page {
    let next = admin.submit(page, FORM, &[("go", go)]).await;
    assert_eq!(next.status, 200, "{}", next.body);
    next
}

async fn search(admin: &Client, page: &Page, text: &str, show: &str) -> Page {
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
async fn invite_from(admin: &Client, page: &Page, email: &str) {
    let done = admin
        .submit(page, FORM, &[("send_email", ""), ("go", "invite")])
        .await;
    assert_eq!(done.texts("#invited li"), vec![email], "{}", done.body);
}

fn listed(page: &Page) -> Vec<String> {
    page.texts("ul.options label")
}

fn checked(page: &Page, id: &str) -> bool {
    page.attr(&format!("#{id}"), "checked").is_some()
}

fn role_id(conn: &mut roster::db::DbConnection, name: &str) -> i64 {
    roles::table
        .filter(roles::name.eq(name))
        .select(roles::id)
        .first(conn)
        .unwrap()
}

/// (company, item) pairs the person holds, and fields with Select All.
fn held(conn: &mut roster::db::DbConnection, email: &str) -> (Vec<(i64, String)>, Vec<String>) {
    let items: Vec<(i64, String)> = membership_items::table
        .inner_join(memberships::table.inner_join(users::table))
        .inner_join(catalog_items::table)
        .filter(users::email.eq(email))
        .select((memberships::company_id, catalog_items::code))
        .order((memberships::company_id, catalog_items::code))
        .load(conn)
        .unwrap();
    let fields: Vec<String> = membership_fields_all::table
        .inner_join(memberships::table.inner_join(users::table))
        .inner_join(catalog_items::table.on(catalog_items::id.eq(membership_fields_all::field_id)))
        .filter(users::email.eq(email))
        .select(catalog_items::code)
        .load(conn)
        .unwrap();
    // Sorted here: the databases' collations order mixed case differently.
    let (mut items, mut fields) = (items, fields);
    items.sort();
    fields.sort();
    (items, fields)
}

async fn tabs_search_filter_and_select_all_in_one_company(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin("ada@example.test").await;
    let mut conn = backend.conn();
    let c = first_company(&mut conn);
    let loc =
        |conn: &mut _, name, code| add_item(conn, c, ItemKind::Location, None, (name, code), false);
    let north = loc(&mut conn, "North", "N1");
    let northgate = loc(&mut conn, "Northgate", "NG");
    let south = loc(&mut conn, "South", "S1");
    let hardware = add_item(
        &mut conn,
        c,
        ItemKind::ProductGroup,
        None,
        ("Hardware", "HW"),
        false,
    );
    add_item(
        &mut conn,
        c,
        ItemKind::ProductGroup,
        None,
        ("Software", "SW"),
        false,
    );

    let access = to_access(&admin, "pat@example.test", false).await;
    // Locations is the first tab; no Available Companies in a single-company account.
    assert_eq!(
        access.texts("nav.tabs button[aria-current]"),
        vec!["Locations"]
    );
    assert!(access.texts("#available-companies").is_empty());
    assert_eq!(
        listed(&access),
        vec!["North (N1)", "Northgate (NG)", "South (S1)"]
    );
    assert!(!checked(&access, &format!("all_locations_{c}")));

    // Search by name, then Select All checks every option shown, and only those.
    let found = search(&admin, &access, "north", "all").await;
    assert_eq!(listed(&found), vec!["North (N1)", "Northgate (NG)"]);
    let selected = go(&admin, &found, "select_all").await;
    assert_eq!(
        selected.texts("#wizard-notice"),
        vec!["Checked the 2 options shown."]
    );
    assert!(checked(&selected, &format!("loc-{c}-{north}")));
    assert!(checked(&selected, &format!("loc-{c}-{northgate}")));
    // Search by code; the search keeps what was ticked outside it.
    let by_code = search(&admin, &selected, "s1", "all").await;
    assert_eq!(listed(&by_code), vec!["South (S1)"]);
    assert!(!checked(&by_code, &format!("loc-{c}-{south}")));
    let nothing = search(&admin, &by_code, "zzz", "all").await;
    assert!(nothing.text().contains("Nothing matches “zzz” here."));

    // Checked Only / Unchecked Only; untick one in the Checked Only view.
    let only_checked = search(&admin, &nothing, "", "checked").await;
    assert_eq!(listed(&only_checked), vec!["North (N1)", "Northgate (NG)"]);
    let northgate_box = (format!("loc_{c}"), northgate.to_string());
    let unticked = admin
        .submit_changes(
            &only_checked,
            FORM,
            &[],
            &[(&northgate_box.0, &northgate_box.1)],
            &[("go", "view")],
        )
        .await;
    assert_eq!(listed(&unticked), vec!["North (N1)"]);
    // Select All acts on the boxes drawn: under Checked Only, untick North and Select All in
    // one post ticks it again.
    let north_box = (format!("loc_{c}"), north.to_string());
    let again = admin
        .submit_changes(
            &unticked,
            FORM,
            &[],
            &[(&north_box.0, &north_box.1)],
            &[("go", "select_all")],
        )
        .await;
    assert_eq!(
        again.texts("#wizard-notice"),
        vec!["Checked the option shown."]
    );
    assert_eq!(listed(&again), vec!["North (N1)"]);
    let unticked = again;
    let only_unchecked = search(&admin, &unticked, "", "unchecked").await;
    assert_eq!(
        listed(&only_unchecked),
        vec!["Northgate (NG)", "South (S1)"]
    );
    // Select All then Unselect All on the Unchecked Only view: back to where it was.
    let ticked = go(&admin, &only_unchecked, "select_all").await;
    assert!(listed(&ticked).is_empty(), "nothing unchecked is left");
    let everything = search(&admin, &ticked, "", "all").await;
    assert!(checked(&everything, &format!("loc-{c}-{south}")));
    let narrowed = search(&admin, &everything, "south", "all").await;
    // A search typed but not run does not decide what Unselect All acts on.
    let cleared = admin
        .submit(
            &narrowed,
            FORM,
            &[("search", "nor"), ("go", "unselect_all")],
        )
        .await;
    assert_eq!(
        cleared.texts("#wizard-notice"),
        vec!["Unchecked the option shown."]
    );
    let all_view = search(&admin, &cleared, "", "all").await;
    assert!(!checked(&all_view, &format!("loc-{c}-{south}")));
    assert!(checked(&all_view, &format!("loc-{c}-{north}")));
    assert!(checked(&all_view, &format!("loc-{c}-{northgate}")));
    let northgate_off = admin
        .submit_changes(
            &all_view,
            FORM,
            &[],
            &[(&northgate_box.0, &northgate_box.1)],
            &[("go", "view")],
        )
        .await;
    let all_view = northgate_off;

    // Product Groups: Access to All draws every group checked and not editable.
    let groups = go(&admin, &all_view, "tab:product_groups").await;
    assert_eq!(
        groups.texts("nav.tabs button[aria-current]"),
        vec!["Product Groups"]
    );
    assert_eq!(listed(&groups), vec!["Hardware (HW)", "Software (SW)"]);
    let all_groups = admin
        .submit(
            &groups,
            FORM,
            &[(&format!("all_product_groups_{c}"), "on"), ("go", "view")],
        )
        .await;
    assert!(checked(&all_groups, &format!("pg-{c}-{hardware}")));
    assert!(
        all_groups
            .attr(&format!("#pg-{c}-{hardware}"), "disabled")
            .is_some()
    );

    // Roles: search by name, tick Editor.
    let roles_tab = go(&admin, &all_groups, "tab:roles").await;
    let editor = role_id(&mut conn, "Editor").to_string();
    let edit = search(&admin, &roles_tab, "edit", "all").await;
    assert_eq!(listed(&edit), vec!["Editor"]);
    let with_role = admin
        .submit_changes(
            &edit,
            FORM,
            &[(&format!("role_{c}"), &editor)],
            &[],
            &[("go", "view")],
        )
        .await;
    // Back and forth keeps every choice.
    let info = go(&admin, &with_role, "back").await;
    let again = go(&admin, &info, "next").await;
    let locations = go(&admin, &again, "tab:locations").await;
    let locations = search(&admin, &locations, "", "all").await;
    assert!(checked(&locations, &format!("loc-{c}-{north}")));
    assert!(!checked(&locations, &format!("loc-{c}-{northgate}")));

    invite_from(&admin, &locations, "pat@example.test").await;
    let (items, _) = held(&mut conn, "pat@example.test");
    assert_eq!(items, vec![(c.0, "N1".to_owned())]);
    let (all_groups, role): (bool, i64) = memberships::table
        .inner_join(users::table)
        .inner_join(membership_roles::table)
        .filter(users::email.eq("pat@example.test"))
        .select((memberships::all_product_groups, membership_roles::role_id))
        .first(&mut conn)
        .unwrap();
    assert!(all_groups);
    assert_eq!(role.to_string(), editor);
}

async fn custom_fields_select_all_and_access_to_all(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin("ada@example.test").await;
    let mut conn = backend.conn();
    let c = first_company(&mut conn);
    let dept = add_item(
        &mut conn,
        c,
        ItemKind::Field,
        None,
        ("Department", "DEP"),
        true,
    );
    let sales = add_item(
        &mut conn,
        c,
        ItemKind::FieldOption,
        Some(dept),
        ("Sales", "SAL"),
        false,
    );
    let ops = add_item(
        &mut conn,
        c,
        ItemKind::FieldOption,
        Some(dept),
        ("Operations", "OPS"),
        false,
    );
    let project = add_item(
        &mut conn,
        c,
        ItemKind::Field,
        None,
        ("Project", "PRJ"),
        false,
    );
    let alpha = add_item(
        &mut conn,
        c,
        ItemKind::FieldOption,
        Some(project),
        ("Alpha", "ALP"),
        false,
    );

    // Proposed: Access to All custom fields, so nobody starts without a required field.
    let access = to_access(&admin, "kim@example.test", false).await;
    let fields = go(&admin, &access, "tab:fields").await;
    assert!(checked(&fields, &format!("all_fields_{c}")));
    assert_eq!(
        fields.texts("fieldset.field-options > legend"),
        vec!["Department (DEP) Required", "Project (PRJ)"]
    );
    assert!(checked(&fields, &format!("opt-{c}-{sales}")));
    assert!(
        fields
            .attr(&format!("#opt-{c}-{sales}"), "disabled")
            .is_some()
    );

    // Access to All off: nothing chosen; Select All of Department checks its options.
    let revoked = admin
        .submit(
            &fields,
            FORM,
            &[(&format!("all_fields_{c}"), ""), ("go", "view")],
        )
        .await;
    assert!(!checked(&revoked, &format!("all_fields_{c}")));
    assert!(!checked(&revoked, &format!("opt-{c}-{sales}")));
    let dept_all = (format!("fieldall_{c}"), dept.to_string());
    let whole = admin
        .submit_changes(
            &revoked,
            FORM,
            &[(&dept_all.0, &dept_all.1)],
            &[],
            &[("go", "view")],
        )
        .await;
    assert!(checked(&whole, &format!("opt-{c}-{sales}")));
    assert!(checked(&whole, &format!("opt-{c}-{ops}")));
    // Unticking one option under Select All turns Select All off; the other stays.
    let ops_box = (format!("opt_{c}"), ops.to_string());
    let partial = admin
        .submit_changes(
            &whole,
            FORM,
            &[],
            &[(&ops_box.0, &ops_box.1)],
            &[("go", "view")],
        )
        .await;
    assert!(!checked(&partial, &format!("fieldall-{c}-{dept}")));
    assert!(checked(&partial, &format!("opt-{c}-{sales}")));
    assert!(!checked(&partial, &format!("opt-{c}-{ops}")));
    // Back and Next keep it so.
    let info = go(&admin, &partial, "back").await;
    let partial = go(&admin, &info, "next").await;
    assert_eq!(
        partial.texts("nav.tabs button[aria-current]"),
        vec!["Document Custom Fields"]
    );
    assert!(!checked(&partial, &format!("fieldall-{c}-{dept}")));
    assert!(checked(&partial, &format!("opt-{c}-{sales}")));
    assert!(!checked(&partial, &format!("opt-{c}-{ops}")));
    // Select All ticked and then unticked: its options go with it.
    let whole = admin
        .submit_changes(
            &partial,
            FORM,
            &[(&dept_all.0, &dept_all.1)],
            &[],
            &[("go", "view")],
        )
        .await;
    assert!(checked(&whole, &format!("opt-{c}-{ops}")));
    let none = admin
        .submit_changes(
            &whole,
            FORM,
            &[],
            &[(&dept_all.0, &dept_all.1)],
            &[("go", "view")],
        )
        .await;
    assert!(!checked(&none, &format!("opt-{c}-{sales}")));
    assert!(!checked(&none, &format!("opt-{c}-{ops}")));
    // An option added while the form is open does not turn a field's Select All off.
    let whole = admin
        .submit_changes(
            &none,
            FORM,
            &[(&dept_all.0, &dept_all.1)],
            &[],
            &[("go", "view")],
        )
        .await;
    let hr = add_item(
        &mut conn,
        c,
        ItemKind::FieldOption,
        Some(dept),
        ("People", "HR"),
        false,
    );
    let still = go(&admin, &whole, "view").await;
    assert!(checked(&still, &format!("fieldall-{c}-{dept}")));
    assert!(checked(&still, &format!("opt-{c}-{hr}")));
    let hr_box = (format!("opt_{c}"), hr.to_string());
    let partial = admin
        .submit_changes(
            &still,
            FORM,
            &[],
            &[(&ops_box.0, &ops_box.1), (&hr_box.0, &hr_box.1)],
            &[("go", "view")],
        )
        .await;
    assert!(!checked(&partial, &format!("fieldall-{c}-{dept}")));
    assert!(checked(&partial, &format!("opt-{c}-{sales}")));
    assert!(!checked(&partial, &format!("opt-{c}-{hr}")));
    // Search by option code finds the option within its field.
    let found = search(&admin, &partial, "alp", "all").await;
    assert_eq!(
        found.texts("fieldset.field-options > legend"),
        vec!["Project (PRJ)"]
    );
    assert_eq!(listed(&found), vec!["Alpha (ALP)"]);
    let with_project = admin
        .submit_changes(
            &found,
            FORM,
            &[(&format!("fieldall_{c}"), &project.to_string())],
            &[],
            &[("go", "view")],
        )
        .await;
    assert!(checked(&with_project, &format!("opt-{c}-{alpha}")));

    invite_from(&admin, &with_project, "kim@example.test").await;
    let (items, fields_all) = held(&mut conn, "kim@example.test");
    assert_eq!(items, vec![(c.0, "SAL".to_owned())]);
    assert_eq!(fields_all, vec!["PRJ"]);

    // With what the wizard proposes, the person has every field, required ones included,
    // and does not count under No User Access To Required DCF.
    let defaults = crate::invitations::invite_with_defaults(&admin, "lee@example.test").await;
    assert_eq!(defaults.texts("#invited li"), vec!["lee@example.test"]);
    let (items, fields_all) = held(&mut conn, "lee@example.test");
    assert!(items.is_empty());
    assert_eq!(fields_all, vec!["DEP", "PRJ"]);
    let found = admin.get("/users?q=lee%40example.test").await;
    assert_eq!(
        found.texts("table.users tbody tr").len(),
        1,
        "{}",
        found.body
    );
    let missing = admin
        .get("/users?missing_required=1&q=lee%40example.test")
        .await;
    assert_eq!(missing.status, 200);
    assert!(
        missing.texts("table.users tbody tr").is_empty(),
        "{}",
        missing.body
    );
}

async fn apply_to_all_companies_matches_by_code(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin("ada@example.test").await;
    let mut conn = backend.conn();
    let a = first_company(&mut conn);
    let account = roster::db::schema::companies::table
        .find(a)
        .select(roster::db::schema::companies::account_id)
        .first(&mut conn)
        .unwrap();
    let now = chrono::Utc::now().naive_utc();
    let b: CompanyId = roster::domain::companies::create(&mut conn, account, "Branch", "BR", now)
        .unwrap()
        .id;
    let item = |conn: &mut _, company, kind, parent, name, code| -> ItemId {
        add_item(conn, company, kind, parent, (name, code), false)
    };
    let a_north = item(&mut conn, a, ItemKind::Location, None, "North", "N1");
    let a_south = item(&mut conn, a, ItemKind::Location, None, "South", "S1");
    let b_nord = item(&mut conn, b, ItemKind::Location, None, "Nord", "n1");
    let a_dep = item(&mut conn, a, ItemKind::Field, None, "Department", "DEP");
    let a_sal = item(
        &mut conn,
        a,
        ItemKind::FieldOption,
        Some(a_dep),
        "Sales",
        "SAL",
    );
    let a_ops = item(
        &mut conn,
        a,
        ItemKind::FieldOption,
        Some(a_dep),
        "Operations",
        "OPS",
    );
    let b_dep = item(&mut conn, b, ItemKind::Field, None, "Abteilung", "DEP");
    let b_sal = item(
        &mut conn,
        b,
        ItemKind::FieldOption,
        Some(b_dep),
        "Vertrieb",
        "SAL",
    );
    let a_hw = item(&mut conn, a, ItemKind::ProductGroup, None, "Hardware", "HW");
    // A field chosen whole carries whole: Beta, which Branch lacks, is no "no match".
    let a_prj = item(&mut conn, a, ItemKind::Field, None, "Project", "PRJ");
    item(
        &mut conn,
        a,
        ItemKind::FieldOption,
        Some(a_prj),
        "Alpha",
        "ALP",
    );
    item(
        &mut conn,
        a,
        ItemKind::FieldOption,
        Some(a_prj),
        "Beta",
        "BET",
    );
    let b_prj = item(&mut conn, b, ItemKind::Field, None, "Projekt", "prj");
    item(
        &mut conn,
        b,
        ItemKind::FieldOption,
        Some(b_prj),
        "Alpha",
        "ALP",
    );
    let editor = role_id(&mut conn, "Editor").to_string();
    let names = |ids: &[ItemId]| ids.iter().map(|i| i.to_string()).collect::<Vec<_>>();
    let (a_locs, a_opts, a_pg) = (
        names(&[a_north, a_south]),
        names(&[a_sal, a_ops]),
        names(&[a_hw]),
    );

    let access = to_access(&admin, "max@example.test", true).await;
    let companies = access.texts(".available-companies button");
    assert_eq!(companies.len(), 2);
    // The first company is shown; choose its access in every tab at once (one post).
    let (lk, ok, pk, rk) = (
        format!("loc_{a}"),
        format!("opt_{a}"),
        format!("pg_{a}"),
        format!("role_{a}"),
    );
    let mut ticks: Vec<(&str, &str)> = vec![(&rk, &editor)];
    ticks.extend(a_locs.iter().map(|v| (lk.as_str(), v.as_str())));
    ticks.extend(a_opts.iter().map(|v| (ok.as_str(), v.as_str())));
    ticks.extend(a_pg.iter().map(|v| (pk.as_str(), v.as_str())));
    let mut fields: Vec<(&str, &str)> = ticks.clone();
    let all_fields = format!("all_fields_{a}");
    fields.push((&all_fields, ""));
    let (fk, prj) = (format!("fieldall_{a}"), a_prj.to_string());
    fields.push((&fk, &prj));
    let at = a.to_string();
    fields.push(("at", &at));
    fields.push(("go", "apply_all"));
    let applied = admin.submit(&access, FORM, &fields).await;
    assert_eq!(applied.status, 200, "{}", applied.body);
    let notice = applied.texts("#wizard-notice").join(" ");
    assert!(notice.contains("applied to Branch"), "{notice}");
    assert!(notice.contains("No match by code"), "{notice}");
    assert!(notice.contains("Location South (S1)"), "{notice}");
    assert!(
        notice.contains("Option Operations (OPS) of Department"),
        "{notice}"
    );
    assert!(notice.contains("Product Group Hardware (HW)"), "{notice}");
    assert!(!notice.contains("North"), "{notice}");
    assert!(!notice.contains("BET"), "{notice}");

    // Branch's locations: Nord (code n1) is checked.
    let branch = go(&admin, &applied, &format!("company:{b}")).await;
    assert_eq!(
        branch.texts("fieldset.company-access > legend"),
        vec!["Branch"]
    );
    assert!(checked(&branch, &format!("loc-{b}-{b_nord}")));
    let branch_fields = go(&admin, &branch, "tab:fields").await;
    assert!(checked(&branch_fields, &format!("opt-{b}-{b_sal}")));
    assert!(checked(&branch_fields, &format!("fieldall-{b}-{b_prj}")));
    let branch_roles = go(&admin, &branch_fields, "tab:roles").await;
    assert!(checked(&branch_roles, &format!("role-{b}-{editor}")));

    // Search looks through both companies at once.
    let both = search(&admin, &branch_roles, "n1", "all").await;
    let both = go(&admin, &both, "tab:locations").await;
    // Companies by name, as everywhere.
    let mut expected = [
        ("Branch".to_owned(), "Nord (n1)"),
        (companies_name(&mut conn, a), "North (N1)"),
    ];
    expected.sort();
    assert_eq!(
        both.texts("fieldset.company-access > legend"),
        expected.iter().map(|(c, _)| c.clone()).collect::<Vec<_>>()
    );
    assert_eq!(
        listed(&both),
        expected.iter().map(|(_, l)| *l).collect::<Vec<_>>()
    );

    invite_from(&admin, &both, "max@example.test").await;
    let (items, fields_all) = held(&mut conn, "max@example.test");
    let mut expected = vec![
        (a.0, "HW".to_owned()),
        (a.0, "N1".to_owned()),
        (a.0, "OPS".to_owned()),
        (a.0, "S1".to_owned()),
        (a.0, "SAL".to_owned()),
        (b.0, "SAL".to_owned()),
        (b.0, "n1".to_owned()),
    ];
    expected.sort();
    let mut items = items;
    items.sort();
    assert_eq!(items, expected);
    assert_eq!(fields_all, vec!["PRJ", "prj"]);
}

fn companies_name(conn: &mut roster::db::DbConnection, c: CompanyId) -> String {
    roster::db::schema::companies::table
        .find(c)
        .select(roster::db::schema::companies::name)
        .first(conn)
        .unwrap()
}

async fn an_option_archived_meanwhile_is_refused_with_the_form_kept(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin("ada@example.test").await;
    let mut conn = backend.conn();
    let c = first_company(&mut conn);
    let depot = add_item(
        &mut conn,
        c,
        ItemKind::Location,
        None,
        ("Depot", "DP"),
        false,
    );

    let access = to_access(&admin, "ray@example.test", false).await;
    let depot_box = (format!("loc_{c}"), depot.to_string());
    let ticked = admin
        .submit_changes(
            &access,
            FORM,
            &[(&depot_box.0, &depot_box.1)],
            &[],
            &[("go", "view")],
        )
        .await;
    diesel::update(catalog_items::table.find(depot))
        .set(catalog_items::archived_at.eq(Some(chrono::Utc::now().naive_utc())))
        .execute(&mut conn)
        .unwrap();
    let refused = admin.submit(&ticked, FORM, &[("go", "invite")]).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.text().contains("no longer available"),
        "{}",
        refused.body
    );
    assert_eq!(
        refused.attr("input[name=emails]", "value").as_deref(),
        Some("ray@example.test")
    );
    let nobody: i64 = users::table
        .filter(users::email.eq("ray@example.test"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(nobody, 0);
    // The archived location was unticked: Invite again goes through, without it.
    assert!(!checked(&refused, &format!("loc-{c}-{depot}")));
    invite_from(&admin, &refused, "ray@example.test").await;
    assert_eq!(held(&mut conn, "ray@example.test").0, vec![]);
}

async fn a_role_or_company_gone_meanwhile_leaves_the_form(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin("ada@example.test").await;
    let mut conn = backend.conn();
    let c = first_company(&mut conn);
    let account = roster::db::schema::companies::table
        .find(c)
        .select(roster::db::schema::companies::account_id)
        .first(&mut conn)
        .unwrap();
    let now = chrono::Utc::now().naive_utc();
    let branch = roster::domain::companies::create(&mut conn, account, "Branch", "BR", now)
        .unwrap()
        .id;
    let annex = roster::domain::companies::create(&mut conn, account, "Annex", "AX", now)
        .unwrap()
        .id;
    let temp = roster::domain::roles::create(
        &mut conn,
        &roster::domain::roles::RoleInput {
            name: "Temp".into(),
            description: String::new(),
            seat_kind: "full".into(),
            rights: Vec::new(),
        },
        &roster::domain::audit::Change {
            account_id: account,
            origin: roster::domain::audit::Origin::default(),
            now,
        },
    )
    .unwrap();
    let access = to_access(&admin, "fay@example.test", true).await;
    let roles_tab = go(&admin, &access, "tab:roles").await;
    let at = roles_tab
        .attr(".available-companies button[aria-current]", "value")
        .unwrap();
    let shown: CompanyId = CompanyId(at.trim_start_matches("company:").parse().unwrap());
    let temp_box = (format!("role_{shown}"), temp.0.to_string());
    let ticked = admin
        .submit_changes(
            &roles_tab,
            FORM,
            &[(&temp_box.0, &temp_box.1)],
            &[],
            &[("go", "view")],
        )
        .await;
    // The role is deleted and the company that was not shown archived, behind the form.
    diesel::delete(roles::table.find(temp))
        .execute(&mut conn)
        .unwrap();
    let others: Vec<CompanyId> = [c, branch, annex]
        .into_iter()
        .filter(|x| *x != shown)
        .collect();
    let (other, remaining) = (others[0], others[1]);
    diesel::update(roster::db::schema::companies::table.find(other))
        .set(roster::db::schema::companies::archived_at.eq(Some(now)))
        .execute(&mut conn)
        .unwrap();
    let refused = admin.submit(&ticked, FORM, &[("go", "invite")]).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.text().contains("no longer available"),
        "{}",
        refused.body
    );
    assert!(
        refused.text().contains("archived meanwhile"),
        "{}",
        refused.body
    );
    assert_eq!(refused.texts(".available-companies button").len(), 2);
    invite_from(&admin, &refused, "fay@example.test").await;
    let mut companies: Vec<i64> = memberships::table
        .inner_join(users::table)
        .filter(users::email.eq("fay@example.test"))
        .select(memberships::company_id)
        .load(&mut conn)
        .unwrap();
    companies.sort();
    let mut expected = vec![shown.0, remaining.0];
    expected.sort();
    assert_eq!(companies, expected);
}

async fn forged_companies_roles_and_items_are_refused(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin("ada@example.test").await;
    let mut conn = backend.conn();
    let c = first_company(&mut conn);
    let now = chrono::Utc::now().naive_utc();
    let beta = crate::helpers::other_account(&mut conn);
    let beta_company = beta.company;
    let beta_location = add_item(
        &mut conn,
        beta_company,
        ItemKind::Location,
        None,
        ("Beta depot", "BD"),
        false,
    );
    let beta_role = roster::domain::roles::find_by_name(&mut conn, beta.account.id, "Manager")
        .unwrap()
        .id;
    let beta_members: i64 = memberships::table
        .filter(memberships::company_id.eq(beta_company))
        .count()
        .get_result(&mut conn)
        .unwrap();
    // A multi-company account, where the posted companies count.
    let account = roster::db::schema::companies::table
        .find(c)
        .select(roster::db::schema::companies::account_id)
        .first(&mut conn)
        .unwrap();
    roster::domain::companies::create(&mut conn, account, "Branch", "BR", now).unwrap();
    let access = to_access(&admin, "eve@example.test", true).await;

    // Another account's company: not found, and nothing written there.
    let company_field = beta_company.to_string();
    let elsewhere = admin
        .submit(
            &access,
            FORM,
            &[("company", &company_field), ("go", "invite")],
        )
        .await;
    assert_eq!(elsewhere.status, 404);
    // Another account's role, or its location under our company: refused on the form.
    let role_field = format!("role_{c}");
    let foreign_role = admin
        .submit(
            &access,
            FORM,
            &[(&role_field, &beta_role.to_string()), ("go", "invite")],
        )
        .await;
    assert_eq!(foreign_role.status, 422);
    assert!(
        foreign_role.text().contains("no longer available"),
        "{}",
        foreign_role.body
    );
    // The invite transaction checks again, whatever the form did.
    let own_account = roster::db::schema::companies::table
        .find(c)
        .select(roster::db::schema::companies::account_id)
        .first(&mut conn)
        .unwrap();
    let refused = roster::domain::grants::check_reach(
        &mut conn,
        own_account,
        &[c],
        &[beta_role].into_iter().collect(),
    );
    assert!(matches!(refused, Err(roster::domain::Error::Invalid(_))));
    let refused = roster::domain::grants::check_reach(
        &mut conn,
        own_account,
        &[beta_company],
        &Default::default(),
    );
    assert!(matches!(refused, Err(roster::domain::Error::NotFound)));
    let location_field = format!("loc_{c}");
    let foreign_item = admin
        .submit(
            &access,
            FORM,
            &[
                (&location_field, &beta_location.to_string()),
                ("go", "invite"),
            ],
        )
        .await;
    assert_eq!(foreign_item.status, 422);
    let nobody: i64 = users::table
        .filter(users::email.eq("eve@example.test"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(nobody, 0);
    let in_beta: i64 = memberships::table
        .filter(memberships::company_id.eq(beta_company))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(in_beta, beta_members, "nothing written in Beta");
}
