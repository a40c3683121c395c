//! Granting roles: a role is given (by invitation or Create user) only by someone who holds
//! every right of it in that company; account administrators hold all. The Roles tab shows
//! the others disabled with the reason, and Apply to All Companies leaves them out.

use crate::helpers::Page;
use crate::helpers::wizard::{FORM, go, to_access};
use crate::helpers::{
    Backend, Client, STRONG_PASSWORD, TestApp, add_company, first_company, role_id,
};
use crate::on_both_backends;
use diesel::prelude::*;
use roster::db::DbConnection;
use roster::db::schema::{invitations, membership_roles, memberships, roles, users};
use roster::domain::CompanyId;

on_both_backends!(
    a_manager_cannot_invite_someone_as_admin,
    a_manager_cannot_create_a_user_as_admin,
    the_roles_tab_shows_a_role_the_inviter_cannot_grant_disabled_with_the_reason,
    a_manager_can_grant_a_role_whose_rights_they_all_hold,
    an_account_administrator_can_grant_admin,
    rights_held_in_one_company_do_not_grant_a_role_in_another,
    apply_to_all_companies_leaves_out_a_role_that_cannot_be_granted_there,
    the_roles_tab_shows_each_roles_rights_as_text,
    a_manager_cannot_redirect_an_admin_invitation_to_another_address,
);

const INVITED: &str = "new@acme.test";

/// What a Manager lacks of Admin's rights in `company`, as a refused post says it.
fn admin_refused_in(company: &str) -> String {
    format!(
        "You cannot grant the role Admin: it allows Delete users, Manage roles and Manage \
         configuration, which you do not hold in {company}."
    )
}

/// The account's first company, renamed ACME, and a second one, Branch.
fn two_companies(conn: &mut DbConnection) -> (CompanyId, CompanyId) {
    let acme = first_company(conn);
    roster::domain::companies::rename(conn, acme, "ACME").unwrap();
    (acme, add_company(conn, "Branch", "BR"))
}

/// A Manager of ACME only, signed in.
async fn acme_manager(app: &TestApp, acme: CompanyId) -> Client {
    app.signed_in_with_roles("mia@acme.test", &[(acme, &["Manager"])])
        .await
}

/// What a grant leaves behind: users with the invited address, invitations, roles held.
fn stored(conn: &mut DbConnection) -> (i64, i64, i64) {
    let people = users::table
        .filter(users::email.eq(INVITED))
        .count()
        .get_result(conn)
        .unwrap();
    let sent = invitations::table.count().get_result(conn).unwrap();
    let held = membership_roles::table.count().get_result(conn).unwrap();
    (people, sent, held)
}

/// The roles the invited person holds, by company.
fn roles_held(conn: &mut DbConnection) -> Vec<(CompanyId, String)> {
    membership_roles::table
        .inner_join(memberships::table.inner_join(users::table))
        .inner_join(roles::table)
        .filter(users::email.eq(INVITED))
        .select((memberships::company_id, roles::name))
        .order((memberships::company_id, roles::name))
        .load(conn)
        .unwrap()
}

fn role_field(company: CompanyId) -> String {
    format!("role_{company}")
}

/// Posts the access step with the roles `chosen` (as field and role id), whatever the form
/// offered, to Invite (no email) or Create user.
async fn post_roles(client: &Client, page: &Page, chosen: &[(&str, &str)], go: &str) -> Page {
    let mut fields = chosen.to_vec();
    fields.extend([("send_email", ""), ("go", go)]);
    if go == "create" {
        fields.extend([
            ("password", STRONG_PASSWORD),
            ("password_confirm", STRONG_PASSWORD),
        ]);
    }
    client.submit(page, FORM, &fields).await
}

/// A one-company Manager's forged post that gives Admin, by Invite or by Create user (`go`).
async fn a_manager_is_refused_admin_by(backend: Backend, go: &str) {
    let app = TestApp::spawn(&backend).await;
    app.first_admin("ada@acme.test").await;
    let mut conn = backend.conn();
    let (acme, _) = two_companies(&mut conn);
    let manager = acme_manager(&app, acme).await;
    let access = to_access(&manager, INVITED).await;
    let before = stored(&mut conn);

    let admin = role_id(&mut conn, "Admin").to_string();
    let field = role_field(acme);
    let forged = post_roles(&manager, &access, &[(&field, &admin)], go).await;

    assert_eq!(forged.status, 422, "{}", forged.body);
    assert_eq!(
        forged.texts("#wizard-error"),
        vec![admin_refused_in("ACME")]
    );
    assert_eq!(stored(&mut conn), before, "no user, invitation or role");
}

async fn a_manager_cannot_invite_someone_as_admin(backend: Backend) {
    a_manager_is_refused_admin_by(backend, "invite").await;
}

async fn a_manager_cannot_create_a_user_as_admin(backend: Backend) {
    a_manager_is_refused_admin_by(backend, "create").await;
}

async fn the_roles_tab_shows_a_role_the_inviter_cannot_grant_disabled_with_the_reason(
    backend: Backend,
) {
    let app = TestApp::spawn(&backend).await;
    app.first_admin("ada@acme.test").await;
    let mut conn = backend.conn();
    let (acme, _) = two_companies(&mut conn);
    let manager = acme_manager(&app, acme).await;
    let access = to_access(&manager, INVITED).await;

    let tab = go(&manager, &access, "tab:roles").await;

    let admin = format!("#role-{acme}-{}", role_id(&mut conn, "Admin"));
    assert!(tab.attr(&admin, "disabled").is_some(), "{}", tab.body);
    assert_eq!(
        tab.attr(&admin, "aria-describedby"),
        Some(format!("{}-why", &admin[1..]))
    );
    assert_eq!(
        tab.texts(&format!("{admin}-why")),
        vec![
            "You cannot grant this role: it allows Delete users, Manage roles and Manage \
             configuration, which you do not hold in ACME."
        ]
    );
    for name in ["Editor", "Manager", "Viewer"] {
        let id = format!("#role-{acme}-{}", role_id(&mut conn, name));
        assert_eq!(tab.attr(&id, "disabled"), None, "{name} can be granted");
    }
}

async fn a_manager_can_grant_a_role_whose_rights_they_all_hold(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    app.first_admin("ada@acme.test").await;
    let mut conn = backend.conn();
    let (acme, _) = two_companies(&mut conn);
    let manager = acme_manager(&app, acme).await;
    let access = to_access(&manager, INVITED).await;

    let editor = role_id(&mut conn, "Editor").to_string();
    let viewer = role_id(&mut conn, "Viewer").to_string();
    let field = role_field(acme);
    let chosen = [(field.as_str(), editor.as_str()), (&field, &viewer)];
    let done = post_roles(&manager, &access, &chosen, "invite").await;

    assert_eq!(done.texts("#invited li"), vec![INVITED], "{}", done.body);
    assert_eq!(
        roles_held(&mut conn),
        vec![(acme, "Editor".to_owned()), (acme, "Viewer".to_owned())]
    );
}

async fn an_account_administrator_can_grant_admin(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin("ada@acme.test").await;
    let mut conn = backend.conn();
    let (acme, branch) = two_companies(&mut conn);
    let access = to_access(&admin, INVITED).await;

    let admin_role = role_id(&mut conn, "Admin").to_string();
    let field = role_field(acme);
    let done = post_roles(&admin, &access, &[(&field, &admin_role)], "invite").await;

    assert_eq!(done.texts("#invited li"), vec![INVITED], "{}", done.body);
    // The other company keeps the role the helper chose there.
    let held = vec![(acme, "Admin".to_owned()), (branch, "Viewer".to_owned())];
    assert_eq!(roles_held(&mut conn), held);
}

/// Someone who is Admin in ACME and Manager in Branch, at the access step of inviting into
/// both; the server runs while `_app` lives.
struct Split {
    _app: TestApp,
    conn: DbConnection,
    acme: CompanyId,
    branch: CompanyId,
    granter: Client,
    access: Page,
}

async fn admin_in_acme_manager_in_branch(backend: &Backend) -> Split {
    let app = TestApp::spawn(backend).await;
    app.first_admin("ada@acme.test").await;
    let mut conn = backend.conn();
    let (acme, branch) = two_companies(&mut conn);
    let roles = [(acme, &["Admin"][..]), (branch, &["Manager"][..])];
    let granter = app.signed_in_with_roles("max@acme.test", &roles).await;
    let access = to_access(&granter, INVITED).await;
    Split {
        _app: app,
        conn,
        acme,
        branch,
        granter,
        access,
    }
}

async fn rights_held_in_one_company_do_not_grant_a_role_in_another(backend: Backend) {
    let Split {
        mut conn,
        acme,
        branch,
        granter,
        access,
        ..
    } = admin_in_acme_manager_in_branch(&backend).await;
    let before = stored(&mut conn);

    let admin = role_id(&mut conn, "Admin").to_string();
    let (in_acme, in_branch) = (role_field(acme), role_field(branch));
    let both = [(in_acme.as_str(), admin.as_str()), (&in_branch, &admin)];
    let refused = post_roles(&granter, &access, &both, "invite").await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(
        refused.texts("#wizard-error"),
        vec![admin_refused_in("Branch")]
    );
    assert_eq!(stored(&mut conn), before, "nothing stored");

    let viewer = role_id(&mut conn, "Viewer").to_string();
    let grantable = [(in_acme.as_str(), admin.as_str()), (&in_branch, &viewer)];
    let done = post_roles(&granter, &refused, &grantable, "invite").await;
    assert_eq!(done.texts("#invited li"), vec![INVITED], "{}", done.body);
    let held = vec![(acme, "Admin".to_owned()), (branch, "Viewer".to_owned())];
    assert_eq!(roles_held(&mut conn), held);
}

async fn apply_to_all_companies_leaves_out_a_role_that_cannot_be_granted_there(backend: Backend) {
    let Split {
        mut conn,
        acme,
        branch,
        granter,
        access,
        ..
    } = admin_in_acme_manager_in_branch(&backend).await;
    let at_acme = go(&granter, &access, &format!("company:{acme}")).await;
    let tab = go(&granter, &at_acme, "tab:roles").await;

    let (admin, editor) = (role_id(&mut conn, "Admin"), role_id(&mut conn, "Editor"));
    let (admin, editor) = (admin.to_string(), editor.to_string());
    let field = role_field(acme);
    let ticked = [(field.as_str(), admin.as_str()), (&field, &editor)];
    let applied = granter
        .submit_changes(&tab, FORM, &ticked, &[], &[("go", "apply_all")])
        .await;
    assert_eq!(applied.status, 200, "{}", applied.body);
    let notice = applied.texts("#wizard-notice").join(" ");
    let refused = format!("Not applied: {}", admin_refused_in("Branch"));
    assert!(notice.contains(&refused), "{notice}");

    let at_branch = go(&granter, &applied, &format!("company:{branch}")).await;
    let in_branch = |id: &str| format!("#role-{branch}-{id}");
    assert!(at_branch.attr(&in_branch(&editor), "checked").is_some());
    assert_eq!(at_branch.attr(&in_branch(&admin), "checked"), None);
    let done = post_roles(&granter, &at_branch, &[], "invite").await;
    assert_eq!(done.texts("#invited li"), vec![INVITED], "{}", done.body);
    assert_eq!(
        roles_held(&mut conn),
        vec![
            (acme, "Admin".to_owned()),
            (acme, "Editor".to_owned()),
            (acme, "Viewer".to_owned()),
            (branch, "Editor".to_owned()),
            (branch, "Viewer".to_owned()),
        ]
    );
}

async fn the_roles_tab_shows_each_roles_rights_as_text(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin("ada@acme.test").await;
    let mut conn = backend.conn();
    let acme = first_company(&mut conn);
    let access = to_access(&admin, INVITED).await;

    let tab = go(&admin, &access, "tab:roles").await;

    let editor = format!("role-{acme}-{}", role_id(&mut conn, "Editor"));
    assert_eq!(
        tab.texts(&format!("#{editor}-rights")),
        vec!["Allows: View users"],
        "{}",
        tab.body
    );
    assert_eq!(
        tab.attr(&format!("#{editor}"), "aria-describedby"),
        Some(format!("{editor}-rights"))
    );
    let viewer = format!("#role-{acme}-{}-rights", role_id(&mut conn, "Viewer"));
    assert_eq!(
        tab.texts(&viewer),
        vec!["No rights: a role for the business only"]
    );
}

/// An invitation's new address hands its roles to whoever owns that address: a Manager
/// cannot send an administrator's Admin invitation to an address of their own.
async fn a_manager_cannot_redirect_an_admin_invitation_to_another_address(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let admin = app.first_admin("ada@acme.test").await;
    let mut conn = backend.conn();
    let acme = first_company(&mut conn);
    let access = to_access(&admin, INVITED).await;
    let admin_role = role_id(&mut conn, "Admin").to_string();
    let field = role_field(acme);
    let done = post_roles(&admin, &access, &[(&field, &admin_role)], "invite").await;
    assert_eq!(done.texts("#invited li"), vec![INVITED], "{}", done.body);
    let invitee: i64 = users::table
        .filter(users::email.eq(INVITED))
        .select(users::id)
        .first(&mut conn)
        .unwrap();

    let manager = acme_manager(&app, acme).await;
    let page = manager.get(&format!("/users/{invitee}/invitation")).await;
    assert_eq!(page.status, 200, "{}", page.text());
    let refused = manager
        .submit(
            &page,
            &format!("form[action='/users/{invitee}/invitation/email']"),
            &[("email", "mia.private@example.test")],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text());
    assert!(
        refused
            .text()
            .contains("cannot be sent to another address by you")
    );
    let email: String = users::table
        .find(invitee)
        .select(users::email)
        .first(&mut conn)
        .unwrap();
    assert_eq!(email, INVITED);
}
