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
