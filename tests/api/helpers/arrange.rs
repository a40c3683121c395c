//! Set-up through the domain: users, memberships, companies, catalog items, another
//! account. What the pages make is made here the way they make it, without the clicks.

use super::{Client, STRONG_PASSWORD};
use roster::db::DbConnection;

/// Puts a user straight into the first account: pages to make users come in later issues.
pub fn arrange_user(
    conn: &mut DbConnection,
    email: &str,
    status: roster::domain::users::UserStatus,
    username: Option<&str>,
) -> roster::domain::UserId {
    use diesel::prelude::*;
    let account: roster::domain::AccountId = roster::db::schema::accounts::table
        .select(roster::db::schema::accounts::id)
        .order(roster::db::schema::accounts::id)
        .first(conn)
        .unwrap();
    let now = chrono::Utc::now().naive_utc();
    roster::domain::users::insert(
        conn,
        roster::domain::users::NewUser {
            account_id: account,
            email,
            email_lower: email.to_lowercase(),
            username,
            username_lower: username.map(str::to_lowercase),
            first_name: "Test",
            last_name: "Person",
            display_name: email.into(),
            phone: "",
            password_hash: Some(roster::auth::password::hash(STRONG_PASSWORD).unwrap()),
            status: status.as_str(),
            is_account_admin: false,
            must_change_password: false,
            security_stamp: "stamp".into(),
            created_at: now,
            updated_at: now,
        },
    )
    .unwrap()
    .id
}

/// An active user with the named roles in the account's first company; returns the user
/// and their membership.
pub fn arrange_member(
    conn: &mut DbConnection,
    email: &str,
    roles: &[&str],
) -> (roster::domain::UserId, roster::domain::MembershipId) {
    let user = arrange_user(conn, email, roster::domain::users::UserStatus::Active, None);
    let company = first_company(conn);
    let membership = arrange_membership(conn, user, company, roles);
    (user, membership)
}

/// Gives a user the named roles in a company of their account.
pub fn arrange_membership(
    conn: &mut DbConnection,
    user: roster::domain::UserId,
    company: roster::domain::CompanyId,
    roles: &[&str],
) -> roster::domain::MembershipId {
    let account = roster::domain::users::find_any_account(conn, user)
        .unwrap()
        .unwrap()
        .account_id;
    let role_ids: Vec<_> = roles
        .iter()
        .map(|name| {
            roster::domain::roles::find_by_name(conn, account, name)
                .unwrap()
                .id
        })
        .collect();
    let now = chrono::Utc::now().naive_utc();
    roster::domain::memberships::add(conn, user, company, &role_ids, now).unwrap()
}

pub fn first_company(conn: &mut DbConnection) -> roster::domain::CompanyId {
    use diesel::prelude::*;
    roster::db::schema::companies::table
        .select(roster::db::schema::companies::id)
        .order(roster::db::schema::companies::id)
        .first(conn)
        .unwrap()
}

/// Adds a location, field, option (under `parent`) or product group to a company, as the
/// configuration pages would.
pub fn add_item(
    conn: &mut DbConnection,
    company: roster::domain::CompanyId,
    kind: roster::domain::catalog::ItemKind,
    parent: Option<roster::domain::ItemId>,
    (name, code): (&str, &str),
    required: bool,
) -> roster::domain::ItemId {
    let permit = config_permit(conn, company);
    let input = roster::domain::catalog::ItemInput {
        name: name.into(),
        code: code.into(),
        required,
    };
    roster::domain::catalog::create(conn, company, kind, parent, &input, &permit)
        .unwrap()
        .id
}

/// A second account, "Beta Ltd", with its company "Beta East" and administrator
/// ops@beta.test: what tenant-isolation tests reach for.
pub struct OtherAccount {
    pub account: roster::domain::accounts::AccountRow,
    pub admin: roster::domain::users::UserRow,
    pub company: roster::domain::CompanyId,
}

pub fn other_account(conn: &mut DbConnection) -> OtherAccount {
    use roster::domain::setup::{AccountChoice, create_admin};
    let hash = roster::auth::password::hash(STRONG_PASSWORD).unwrap();
    let now = chrono::Utc::now().naive_utc();
    let (account, admin) = create_admin(
        conn,
        &AccountChoice::Named("Beta Ltd"),
        Some("Beta East"),
        "ops@beta.test",
        hash,
        now,
    )
    .unwrap();
    let company = roster::domain::companies::active_for_account(conn, account.id).unwrap()[0].id;
    OtherAccount {
        account,
        admin,
        company,
    }
}

/// Adds a company to the account of the first one (making it a multi-company account).
pub fn add_company(conn: &mut DbConnection, name: &str, code: &str) -> roster::domain::CompanyId {
    use diesel::prelude::*;
    let account = roster::db::schema::companies::table
        .find(first_company(conn))
        .select(roster::db::schema::companies::account_id)
        .first(conn)
        .unwrap();
    let now = chrono::Utc::now().naive_utc();
    roster::domain::companies::create(conn, account, name, code, now)
        .unwrap()
        .id
}

/// Creates a role through the page, as an administrator.
pub async fn create_role(admin: &Client, name: &str, rights: &[&str]) {
    let new = admin.get("/config/roles/new").await;
    let mut fields = vec![("name", name), ("seat_kind", "full")];
    fields.extend(rights.iter().map(|r| ("rights", *r)));
    let created = admin
        .submit(&new, "form[action='/config/roles']", &fields)
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
}

/// The permit an administrator of the company's account gets to configure it, made by the
/// policy as the server makes it: for arranging a catalog through the domain.
pub fn config_permit(
    conn: &mut DbConnection,
    company: roster::domain::CompanyId,
) -> roster::auth::policy::Permit {
    use diesel::prelude::*;
    use roster::auth::policy::{self, Action, Actor, Target};
    use roster::db::schema::{companies, users};
    let account: roster::domain::AccountId = companies::table
        .find(company)
        .select(companies::account_id)
        .first(conn)
        .unwrap();
    let admin: roster::domain::UserId = users::table
        .filter(users::account_id.eq(account))
        .filter(users::is_account_admin)
        .order(users::id)
        .select(users::id)
        .first(conn)
        .unwrap();
    let actor = Actor {
        user_id: admin,
        account_id: account,
        is_account_admin: true,
        rights: Default::default(),
        account_companies: 1,
        ip: None,
        now: chrono::Utc::now().naive_utc(),
    };
    policy::authorize(
        &actor,
        Action::ManageConfig,
        Target::Company(account, company),
    )
    .unwrap()
}
