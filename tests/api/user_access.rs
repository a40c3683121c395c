//! A user's Companies, Roles, Locations, Document Custom Fields and Product Groups tabs:
//! the wizard's access controls started from what the user holds, saved in one go; adding
//! a user to another company and removing them from one; at least one role per company,
//! here and in the wizard; nobody changes their own.

use crate::helpers::wizard::{self, to_access_without_roles};
use crate::helpers::{
    Backend, TestApp, access_rows, add_company, add_item, arrange_member, arrange_membership,
    assert_is_redirect_to, events_about, first_company, held, role_id, roles_of, user_id,
};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::{membership_fields_all, users};
use roster::domain::catalog::ItemKind;

on_both_backends!(
    an_invitation_without_a_role_is_refused_on_the_roles_tab_and_nothing_is_stored,
    an_administrator_changes_a_users_roles_on_the_roles_tab,
    nobody_changes_their_own_roles,
    a_manager_in_one_company_cannot_change_a_user_who_is_only_in_another,
    saving_with_no_role_left_in_a_company_is_refused_and_nothing_is_stored,
    unticking_one_option_turns_select_all_off_so_a_later_option_does_not_reach_the_user,
    a_save_over_a_change_made_meanwhile_is_refused_with_the_choices_kept,
    an_administrator_adds_a_user_to_another_company_with_a_role,
    removing_a_user_from_a_company_asks_first_and_never_takes_the_last_one,
    the_wizard_adds_an_existing_user_to_the_chosen_companies_they_are_not_in,
    a_viewer_reads_their_locations_and_field_options_on_my_profile,
    a_manager_changes_a_users_access_only_in_the_companies_where_they_hold_the_right,
);

const ADMIN: &str = "ada@acme.test";
const ANN: &str = "ann@acme.test";
const FORM: &str = "#access-form";

async fn an_invitation_without_a_role_is_refused_on_the_roles_tab_and_nothing_is_stored(
    backend: Backend,
) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let before = access_rows(&mut app.conn());
    let access = to_access_without_roles(&admin, "new@acme.test").await;

    let refused = admin
        .submit(&access, wizard::FORM, &[("go", "invite")])
        .await;

    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(
        refused.texts("#wizard-error"),
        vec![
            "Choose at least one role in Main company: everyone needs a role in each of their \
             companies."
                .to_owned()
        ]
    );
    let tab = refused.attr("button.tab[aria-current=page]", "value");
    assert_eq!(tab.as_deref(), Some("tab:roles"));
    assert_eq!(access_rows(&mut app.conn()), before, "nothing stored");
}

async fn an_administrator_changes_a_users_roles_on_the_roles_tab(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let mut conn = app.conn();
    let (ann, _) = arrange_member(&mut conn, ANN, &["Viewer"]);
    let company = first_company(&mut conn);
    let (viewer, editor) = (role_id(&mut conn, "Viewer"), role_id(&mut conn, "Editor"));
    let path = format!("/users/{}/access/roles", ann.0);

    let page = admin.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let name = format!("role_{company}");
    let saved = admin
        .submit_changes(
            &page,
            FORM,
            &[(&name, &editor.to_string())],
            &[(&name, &viewer.to_string())],
            &[("go", "save")],
        )
        .await;

    assert_is_redirect_to(&saved, &path);
    assert_eq!(
        roles_of(&mut conn, ANN),
        vec![(company, "Editor".to_owned())]
    );
    let page = admin.get(&path).await;
    assert_eq!(
        page.flash(),
        vec!["Access saved in Main company.".to_owned()]
    );
    assert_eq!(events_about(&mut conn, "user.access_changed", ANN), 1);
    let activity = admin.get(&format!("/users/{}/activity", ann.0)).await;
    assert!(
        activity.text().contains("roles Viewer -> Editor"),
        "{}",
        activity.text()
    );
}

async fn nobody_changes_their_own_roles(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let mut conn = app.conn();
    let me = user_id(&mut conn, ADMIN);
    let company = first_company(&mut conn);
    let before = access_rows(&mut conn);

    let page = admin.get(&format!("/users/{}/access/roles", me.0)).await;
    assert_eq!(page.status, 200);
    assert!(
        page.texts("#read-only")[0].contains("You cannot change your own roles or access."),
        "{}",
        page.text()
    );
    assert!(page.attr("button[value=save]", "value").is_none());
    let editor = role_id(&mut conn, "Editor").to_string();
    let refused = admin
        .post(
            &format!("/users/{}/access", me.0),
            &[
                (
                    "csrf_token",
                    &page.attr("input[name=csrf_token]", "value").unwrap(),
                ),
                ("company", &company.to_string()),
                (&format!("role_{company}"), &editor),
                ("go", "save"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(access_rows(&mut conn), before);
}

async fn a_manager_in_one_company_cannot_change_a_user_who_is_only_in_another(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let _admin = app.first_admin(ADMIN).await;
    let mut conn = app.conn();
    let north = first_company(&mut conn);
    let south = add_company(&mut conn, "South", "S");
    let (ann, _) = arrange_member(&mut conn, ANN, &["Viewer"]);
    let carl = crate::helpers::arrange_user(
        &mut conn,
        "carl@acme.test",
        roster::domain::users::UserStatus::Active,
        None,
    );
    arrange_membership(&mut conn, carl, south, &["Viewer"]);
    let manager = app.signed_in_as_role("Manager", north).await;

    // Ann is in North: the manager may change her there.
    let page = manager.get(&format!("/users/{}/access/roles", ann.0)).await;
    assert_eq!(page.status, 200);
    assert!(page.attr("button[value=save]", "value").is_some());
    // Carl is only in South: not even his page opens.
    let page = manager
        .get(&format!("/users/{}/access/roles", carl.0))
        .await;
    assert!(matches!(page.status, 403 | 404), "{}", page.status);
    let before = access_rows(&mut conn);
    let csrf = manager.get("/profile").await;
    let token = csrf.attr("input[name=csrf_token]", "value").unwrap();
    let editor = role_id(&mut conn, "Editor").to_string();
    let refused = manager
        .post(
            &format!("/users/{}/access", carl.0),
            &[
                ("csrf_token", &token),
                ("company", &south.to_string()),
                (&format!("role_{south}"), &editor),
                ("go", "save"),
            ],
        )
        .await;
    assert!(matches!(refused.status, 403 | 404), "{}", refused.status);
    assert_eq!(access_rows(&mut conn), before);
}

async fn saving_with_no_role_left_in_a_company_is_refused_and_nothing_is_stored(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let mut conn = app.conn();
    let (ann, _) = arrange_member(&mut conn, ANN, &["Viewer"]);
    let company = first_company(&mut conn);
    let viewer = role_id(&mut conn, "Viewer").to_string();
    let page = admin.get(&format!("/users/{}/access/roles", ann.0)).await;
    let before = access_rows(&mut conn);

    let name = format!("role_{company}");
    let refused = admin
        .submit_changes(&page, FORM, &[], &[(&name, &viewer)], &[("go", "save")])
        .await;

    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.texts("#access-error")[0].contains("Choose at least one role in Main company"),
        "{}",
        refused.text()
    );
    assert_eq!(access_rows(&mut conn), before);
    assert_eq!(
        roles_of(&mut conn, ANN),
        vec![(company, "Viewer".to_owned())]
    );
}

async fn unticking_one_option_turns_select_all_off_so_a_later_option_does_not_reach_the_user(
    backend: Backend,
) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let mut conn = app.conn();
    let company = first_company(&mut conn);
    let field = add_item(
        &mut conn,
        company,
        ItemKind::Field,
        None,
        ("Cost", "CC"),
        false,
    );
    let one = add_item(
        &mut conn,
        company,
        ItemKind::FieldOption,
        Some(field),
        ("One", "O1"),
        false,
    );
    add_item(
        &mut conn,
        company,
        ItemKind::FieldOption,
        Some(field),
        ("Two", "O2"),
        false,
    );
    let (ann, membership) = arrange_member(&mut conn, ANN, &["Viewer"]);
    diesel::insert_into(membership_fields_all::table)
        .values((
            membership_fields_all::membership_id.eq(membership),
            membership_fields_all::field_id.eq(field),
        ))
        .execute(&mut conn)
        .unwrap();
    let path = format!("/users/{}/access/fields", ann.0);
    let page = admin.get(&path).await;
    assert!(wizard::checked(
        &page,
        &format!("fieldall-{company}-{field}")
    ));
    assert!(
        page.text()
            .contains("unticking one option turns it off for that field")
    );

    let name = format!("opt_{company}");
    let saved = admin
        .submit_changes(
            &page,
            FORM,
            &[],
            &[(&name, &one.to_string())],
            &[("go", "save")],
        )
        .await;
    assert_is_redirect_to(&saved, &path);

    assert_eq!(
        held(&mut conn, ANN),
        (vec![(company.0, "O2".to_owned())], vec![])
    );
    add_item(
        &mut conn,
        company,
        ItemKind::FieldOption,
        Some(field),
        ("Three", "O3"),
        false,
    );
    assert_eq!(
        held(&mut conn, ANN),
        (vec![(company.0, "O2".to_owned())], vec![])
    );
    let page = admin.get(&path).await;
    assert!(!wizard::checked(
        &page,
        &format!("fieldall-{company}-{field}")
    ));
}

async fn a_save_over_a_change_made_meanwhile_is_refused_with_the_choices_kept(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let mut conn = app.conn();
    let (ann, _) = arrange_member(&mut conn, ANN, &["Viewer"]);
    let company = first_company(&mut conn);
    let editor = role_id(&mut conn, "Editor").to_string();
    let page = admin.get(&format!("/users/{}/access/roles", ann.0)).await;
    // Someone else saves Ann meanwhile.
    diesel::update(users::table.find(ann))
        .set(users::version.eq(users::version + 1))
        .execute(&mut conn)
        .unwrap();

    let name = format!("role_{company}");
    let refused = admin
        .submit_changes(&page, FORM, &[(&name, &editor)], &[], &[("go", "save")])
        .await;

    assert_eq!(refused.status, 409, "{}", refused.body);
    let said = refused.texts("#access-error").join(" ");
    assert!(said.contains("Someone else changed this user"), "{said}");
    assert!(said.contains("Main company: Viewer"), "{said}");
    assert!(wizard::checked(
        &refused,
        &format!("role-{company}-{editor}")
    ));
    assert_eq!(
        roles_of(&mut conn, ANN),
        vec![(company, "Viewer".to_owned())]
    );
    // Saving again replaces it.
    let saved = admin.submit(&refused, FORM, &[("go", "save")]).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(
        roles_of(&mut conn, ANN),
        vec![
            (company, "Editor".to_owned()),
            (company, "Viewer".to_owned())
        ]
    );
}

async fn an_administrator_adds_a_user_to_another_company_with_a_role(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let mut conn = app.conn();
    let north = first_company(&mut conn);
    let south = add_company(&mut conn, "South", "S");
    let (ann, _) = arrange_member(&mut conn, ANN, &["Viewer"]);
    let companies = admin.get(&format!("/users/{}/companies", ann.0)).await;
    assert_eq!(
        companies.texts("#companies tbody td:first-child"),
        vec!["Main company"]
    );

    let chosen = admin
        .submit_changes(
            &companies,
            "#add-company",
            &[("add", &south.to_string())],
            &[],
            &[],
        )
        .await;
    assert_eq!(chosen.status, 200, "{}", chosen.body);
    assert_eq!(chosen.texts("h2")[0], "Add to South");
    let editor = role_id(&mut conn, "Editor").to_string();
    let name = format!("role_{south}");
    let saved = admin
        .submit_changes(&chosen, FORM, &[(&name, &editor)], &[], &[("go", "save")])
        .await;

    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(
        roles_of(&mut conn, ANN),
        vec![(north, "Viewer".to_owned()), (south, "Editor".to_owned())]
    );
    assert_eq!(events_about(&mut conn, "user.company_added", ANN), 1);
    let page = admin.get(saved.location()).await;
    assert_eq!(
        page.flash(),
        vec!["ann@acme.test added to South.".to_owned()]
    );
}

async fn removing_a_user_from_a_company_asks_first_and_never_takes_the_last_one(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let mut conn = app.conn();
    let north = first_company(&mut conn);
    let south = add_company(&mut conn, "South", "S");
    let (ann, _) = arrange_member(&mut conn, ANN, &["Viewer"]);
    arrange_membership(&mut conn, ann, south, &["Editor"]);

    let companies = admin.get(&format!("/users/{}/companies", ann.0)).await;
    let link = companies
        .attr_where_text("#companies a", "Remove from company", "href")
        .unwrap();
    let confirm = admin.get(&link).await;
    assert!(
        confirm.text().contains("Remove ann@acme.test from"),
        "{}",
        confirm.text()
    );
    assert_eq!(
        roles_of(&mut conn, ANN).len(),
        2,
        "nothing removed before confirming"
    );
    let removed = admin.submit(&confirm, "main form", &[]).await;
    assert_is_redirect_to(&removed, &format!("/users/{}/companies", ann.0));
    assert_eq!(roles_of(&mut conn, ANN).len(), 1);
    assert_eq!(events_about(&mut conn, "user.company_removed", ANN), 1);

    // The last company stays: no link, and a forged post is refused with the reason.
    let left = roles_of(&mut conn, ANN)[0].0;
    assert!(left == north || left == south);
    let companies = admin.get(&format!("/users/{}/companies", ann.0)).await;
    assert!(
        companies
            .attr_where_text("#companies a", "Remove from company", "href")
            .is_none()
    );
    let confirm = admin
        .get(&format!("/users/{}/companies/{}/remove", ann.0, left))
        .await;
    let refused = admin.submit(&confirm, "main form", &[]).await;
    let page = admin.get(refused.location()).await;
    assert!(
        page.text().contains("This is the user's only company"),
        "{}",
        page.text()
    );
    assert_eq!(roles_of(&mut conn, ANN).len(), 1);
}

async fn the_wizard_adds_an_existing_user_to_the_chosen_companies_they_are_not_in(
    backend: Backend,
) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin(ADMIN).await;
    let mut conn = app.conn();
    let north = first_company(&mut conn);
    let south = add_company(&mut conn, "South", "S");
    arrange_member(&mut conn, ANN, &["Editor"]);
    let invitations_before: i64 = roster::db::schema::invitations::table
        .count()
        .get_result(&mut conn)
        .unwrap();

    // Every company chosen, Viewer in each: Ann lacks only South.
    let done = app.invite_without_email(&admin, ANN).await;

    assert_eq!(
        done.texts("#added li"),
        vec!["ann@acme.test: added to South"]
    );
    assert!(done.texts("#invited li").is_empty());
    assert_eq!(
        roles_of(&mut conn, ANN),
        vec![(north, "Editor".to_owned()), (south, "Viewer".to_owned())]
    );
    let invitations_after: i64 = roster::db::schema::invitations::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(invitations_after, invitations_before, "no new invitation");
    assert_eq!(events_about(&mut conn, "user.company_added", ANN), 1);
}

async fn a_viewer_reads_their_locations_and_field_options_on_my_profile(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let _admin = app.first_admin(ADMIN).await;
    let mut conn = app.conn();
    let company = first_company(&mut conn);
    let field = add_item(
        &mut conn,
        company,
        ItemKind::Field,
        None,
        ("Cost", "CC"),
        false,
    );
    add_item(
        &mut conn,
        company,
        ItemKind::FieldOption,
        Some(field),
        ("One", "O1"),
        false,
    );
    let berlin = add_item(
        &mut conn,
        company,
        ItemKind::Location,
        None,
        ("Berlin", "BER"),
        false,
    );
    add_item(
        &mut conn,
        company,
        ItemKind::Location,
        None,
        ("Paris", "PAR"),
        false,
    );
    let (_, membership) = arrange_member(&mut conn, ANN, &["Viewer"]);
    diesel::insert_into(membership_fields_all::table)
        .values((
            membership_fields_all::membership_id.eq(membership),
            membership_fields_all::field_id.eq(field),
        ))
        .execute(&mut conn)
        .unwrap();
    diesel::insert_into(roster::db::schema::membership_items::table)
        .values((
            roster::db::schema::membership_items::membership_id.eq(membership),
            roster::db::schema::membership_items::item_id.eq(berlin),
        ))
        .execute(&mut conn)
        .unwrap();
    let ann = app.signed_in(ANN).await;

    let profile = ann.get("/profile").await;

    let held = profile.texts(&format!("#held-{company} dd"));
    assert_eq!(
        held,
        vec!["Berlin", "Cost: all options", "None"],
        "{}",
        profile.text()
    );
}

async fn a_manager_changes_a_users_access_only_in_the_companies_where_they_hold_the_right(
    backend: Backend,
) {
    let app = TestApp::spawn(&backend).await;
    let _admin = app.first_admin(ADMIN).await;
    let mut conn = app.conn();
    let north = first_company(&mut conn);
    let south = add_company(&mut conn, "South", "S");
    let (ann, _) = arrange_member(&mut conn, ANN, &["Viewer"]);
    arrange_membership(&mut conn, ann, south, &["Viewer"]);
    let manager = app.signed_in_as_role("Manager", north).await;

    let page = manager.get(&format!("/users/{}/access/roles", ann.0)).await;

    assert_eq!(page.status, 200);
    let sections = page.texts("fieldset.company-access > legend");
    assert_eq!(sections, vec!["Main company"]);
    assert!(page.texts("#other-companies")[0].contains("South"));
    let editor = role_id(&mut conn, "Editor").to_string();
    let before = access_rows(&mut conn);
    let forged = manager
        .submit(
            &page,
            FORM,
            &[
                ("company", &south.to_string()),
                (&format!("role_{south}"), &editor),
                ("go", "save"),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(access_rows(&mut conn), before);
}
