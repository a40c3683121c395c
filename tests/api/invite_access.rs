//! The access step of the Invite User wizard: tabs for Locations, Document Custom Fields,
//! Product Groups and Roles; search by Name or Code across the chosen companies; Show All
//! Options / Checked Only / Unchecked Only; Select All, Unselect All, Access to All; Apply to
//! All Companies matched by code; and what the invited person is given in the end.

use crate::helpers::wizard::{FORM, checked, go, invite_from, listed, search, to_access};
use crate::helpers::{Backend, TestApp, add_item, first_company, held, role_id};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::schema::{membership_roles, memberships, users};
use roster::domain::catalog::ItemKind;

on_both_backends!(
    the_access_step_searches_filters_and_selects_all_in_one_company,
    a_long_list_shows_more_on_request,
);

async fn the_access_step_searches_filters_and_selects_all_in_one_company(backend: Backend) {
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

    let access = to_access(&admin, "pat@example.test").await;
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

async fn a_long_list_shows_more_on_request(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin("ada@example.test").await;
    let mut conn = backend.conn();
    let c = first_company(&mut conn);
    for i in 1..=205 {
        let (name, code) = (format!("Depot {i:03}"), format!("D{i:03}"));
        add_item(
            &mut conn,
            c,
            ItemKind::Location,
            None,
            (&name, &code),
            false,
        );
    }
    let access = to_access(&admin, "lou@example.test").await;
    assert_eq!(listed(&access).len(), 200);
    let more = access.texts(".more-options").concat();
    assert!(more.contains("5 more not shown"), "{more}");
    assert!(more.contains("Show 5 more"), "{more}");
    let all = go(&admin, &access, "more").await;
    assert_eq!(listed(&all).len(), 205);
    assert!(all.texts(".more-options").is_empty());
    let ticked = go(&admin, &all, "select_all").await;
    assert_eq!(
        ticked.texts("#wizard-notice"),
        vec!["Checked the 205 options shown."]
    );
    // Another tab starts from the first 200 again; the ticks stay.
    let groups = go(&admin, &ticked, "tab:product_groups").await;
    let back = go(&admin, &groups, "tab:locations").await;
    assert_eq!(listed(&back).len(), 200);
    invite_from(&admin, &back, "lou@example.test").await;
    assert_eq!(held(&mut conn, "lou@example.test").0.len(), 205);
}
