//! What a test reads back from the database to check what a page did.

use diesel::prelude::*;
use roster::db::DbConnection;
use roster::db::schema::{
    catalog_items, invitations, membership_fields_all, membership_items, memberships, roles, users,
};

/// The id of the role named `name` (built-in role names are the same in every account;
/// the first one found).
pub fn role_id(conn: &mut DbConnection, name: &str) -> i64 {
    roles::table
        .filter(roles::name.eq(name))
        .order(roles::id)
        .select(roles::id)
        .first(conn)
        .unwrap()
}

/// (company, item code) pairs the person holds, and the fields they hold with Select All.
pub fn held(conn: &mut DbConnection, email: &str) -> (Vec<(i64, String)>, Vec<String>) {
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

/// The stored status of the newest invitation of `email`.
pub fn invitation_status(conn: &mut DbConnection, email: &str) -> String {
    invitations::table
        .inner_join(users::table)
        .filter(users::email.eq(email))
        .order(invitations::id.desc())
        .select(invitations::status)
        .first(conn)
        .unwrap()
}

/// The id of the user with this email (in any account; emails in tests are unique).
pub fn user_id(conn: &mut DbConnection, email: &str) -> roster::domain::UserId {
    users::table
        .filter(users::email_lower.eq(email.to_lowercase()))
        .select(users::id)
        .first(conn)
        .unwrap()
}

/// (company, role name) pairs the user with this email holds, by company then name.
pub fn roles_of(conn: &mut DbConnection, email: &str) -> Vec<(roster::domain::CompanyId, String)> {
    use roster::db::schema::membership_roles;
    membership_roles::table
        .inner_join(memberships::table.inner_join(users::table))
        .inner_join(roles::table)
        .filter(users::email_lower.eq(email.to_lowercase()))
        .select((memberships::company_id, roles::name))
        .order((memberships::company_id, roles::name))
        .load(conn)
        .unwrap()
}

/// How many audit events with this action are about the user with this email.
pub fn events_about(conn: &mut DbConnection, action: &str, email: &str) -> i64 {
    use roster::db::schema::audit_events;
    let user = user_id(conn, email);
    audit_events::table
        .filter(audit_events::action.eq(action))
        .filter(audit_events::target_user_id.eq(user))
        .count()
        .get_result(conn)
        .unwrap()
}

/// How many users, memberships, roles held, items held, fields with Select All and audit
/// events there are: what a refused change leaves as it was.
pub fn access_rows(conn: &mut DbConnection) -> [i64; 6] {
    use roster::db::schema::{audit_events, membership_roles};
    [
        users::table.count().get_result(conn).unwrap(),
        memberships::table.count().get_result(conn).unwrap(),
        membership_roles::table.count().get_result(conn).unwrap(),
        membership_items::table.count().get_result(conn).unwrap(),
        membership_fields_all::table
            .count()
            .get_result(conn)
            .unwrap(),
        audit_events::table.count().get_result(conn).unwrap(),
    ]
}

/// The subjects of the emails queued to an address, oldest first.
pub fn subjects_to(conn: &mut DbConnection, address: &str) -> Vec<String> {
    use roster::db::schema::outbox;
    outbox::table
        .filter(outbox::to_address.eq(address))
        .order(outbox::id)
        .select(outbox::subject)
        .load(conn)
        .unwrap()
}

/// Whether the user has two-factor authentication set up (a secret stored).
pub fn has_two_factor(conn: &mut DbConnection, email: &str) -> bool {
    users::table
        .filter(users::email.eq(email))
        .select(users::totp_secret)
        .first::<Option<String>>(conn)
        .unwrap()
        .is_some()
}
