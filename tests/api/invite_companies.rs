//! The Invite User wizard across several companies and against change: Apply to All
//! Companies matched by code, search across companies, and what happens when an option, a
//! role or a company goes while the form is open, or a post names what is not the account's.

use crate::helpers::wizard::{FORM, checked, go, invite_from, listed, search, to_access};
use crate::helpers::{
    Backend, TestApp, add_company, add_item, create_role, first_company, held, role_id,
};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::{memberships, roles, users};
use roster::domain::catalog::ItemKind;
use roster::domain::{CompanyId, ItemId};

on_both_backends!(
    apply_to_all_companies_matches_by_code,
    an_option_archived_meanwhile_is_refused_with_the_form_kept,
    forged_companies_roles_and_items_are_refused,
    a_role_or_company_gone_meanwhile_leaves_the_form,
);

async fn apply_to_all_companies_matches_by_code(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin("ada@example.test").await;
    let mut conn = backend.conn();
    let a = first_company(&mut conn);
    let b: CompanyId = add_company(&mut conn, "Branch", "BR");
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

    let access = to_access(&admin, "max@example.test").await;
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

    let access = to_access(&admin, "ray@example.test").await;
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
    // Meanwhile, in another tab, the location is archived.
    let locations = format!("/config/companies/{c}/locations");
    let list = admin.get(&locations).await;
    let archived = admin
        .submit(
            &list,
            &format!("form[action='{locations}/{depot}/archive']"),
            &[],
        )
        .await;
    assert_eq!(archived.status, 303, "{}", archived.body);
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
    let branch = add_company(&mut conn, "Branch", "BR");
    let annex = add_company(&mut conn, "Annex", "AX");
    create_role(&admin, "Temp", &[]).await;
    let temp: roster::domain::RoleId = roles::table
        .filter(roles::name.eq("Temp"))
        .select(roles::id)
        .first(&mut conn)
        .unwrap();
    let access = to_access(&admin, "fay@example.test").await;
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
    // Meanwhile, in another tab, the role is deleted and the company that was not shown
    // archived.
    let delete = format!("/config/roles/{}/delete", temp.0);
    let confirm = admin.get(&delete).await;
    let deleted = admin
        .submit(&confirm, &format!("form[action='{delete}']"), &[])
        .await;
    assert_eq!(deleted.status, 303, "{}", deleted.body);
    let others: Vec<CompanyId> = [c, branch, annex]
        .into_iter()
        .filter(|x| *x != shown)
        .collect();
    let (other, remaining) = (others[0], others[1]);
    let companies_page = admin.get("/config/companies").await;
    let archived = admin
        .submit(
            &companies_page,
            &format!("form[action='/config/companies/{other}/archive']"),
            &[],
        )
        .await;
    assert_eq!(archived.status, 303, "{}", archived.body);
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
    add_company(&mut conn, "Branch", "BR");
    let access = to_access(&admin, "eve@example.test").await;

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
