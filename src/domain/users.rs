use crate::auth::token;
use crate::db::schema::{memberships, users};
use crate::db::{DbConnection, last_insert_id};
use crate::domain::{AccountId, Error, FieldErrors, Result, UserId, limits};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserStatus {
    Invited,
    Active,
    Deactivated,
    Blocked,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Invited => "invited",
            UserStatus::Active => "active",
            UserStatus::Deactivated => "deactivated",
            UserStatus::Blocked => "blocked",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "invited" => Some(UserStatus::Invited),
            "active" => Some(UserStatus::Active),
            "deactivated" => Some(UserStatus::Deactivated),
            "blocked" => Some(UserStatus::Blocked),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            UserStatus::Invited => "Invited",
            UserStatus::Active => "Active",
            UserStatus::Deactivated => "Deactivated",
            UserStatus::Blocked => "Blocked",
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: UserId,
    pub account_id: AccountId,
    pub email: String,
    pub email_lower: String,
    pub username: Option<String>,
    pub username_lower: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub display_name: String,
    pub phone: String,
    pub password_hash: Option<String>,
    pub status: String,
    pub is_account_admin: bool,
    pub failed_logins: i32,
    pub locked_at: Option<NaiveDateTime>,
    pub locked_until: Option<NaiveDateTime>,
    pub expires_at: Option<NaiveDateTime>,
    pub must_change_password: bool,
    pub security_stamp: String,
    pub last_access_at: Option<NaiveDateTime>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The external system the user comes from, shown as a badge.
    pub integration: Option<String>,
    pub enforce_2fa: bool,
    pub totp_secret: Option<String>,
    pub directory_auth: bool,
    pub email_subscriptions: bool,
    pub comments: String,
}

impl UserRow {
    pub fn status(&self) -> UserStatus {
        // The CHECK constraint in the schema admits only the four values.
        UserStatus::parse(&self.status).unwrap_or(UserStatus::Blocked)
    }

    /// Locked now: locked and either until an administrator unlocks or until a time to come.
    pub fn is_locked(&self, now: NaiveDateTime) -> bool {
        self.locked_at.is_some() && self.locked_until.is_none_or(|until| until > now)
    }

    pub fn is_expired(&self, now: NaiveDateTime) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }

    /// Whether this user may hold a session at all right now.
    pub fn may_sign_in(&self, now: NaiveDateTime) -> bool {
        self.status() == UserStatus::Active
            && !self.is_locked(now)
            && !self.is_expired(now)
            && self.password_hash.is_some()
    }

    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
            .trim()
            .to_owned()
    }
}

#[derive(Insertable)]
#[diesel(table_name = users, treat_none_as_null = true)]
pub struct NewUser<'a> {
    pub account_id: AccountId,
    pub email: &'a str,
    pub email_lower: String,
    pub username: Option<&'a str>,
    pub username_lower: Option<String>,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub display_name: String,
    pub phone: &'a str,
    pub password_hash: Option<String>,
    pub status: &'static str,
    pub is_account_admin: bool,
    pub must_change_password: bool,
    pub security_stamp: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The name shown when none was given: "First Last" when a name is known, else the part of
/// the email before the @ (at invitation, at setup and in User Info alike).
pub fn default_display_name(first: &str, last: &str, email: &str) -> String {
    let full = format!("{} {}", first.trim(), last.trim())
        .trim()
        .to_owned();
    if full.is_empty() {
        email.split('@').next().unwrap_or(email).to_owned()
    } else {
        full
    }
}

pub fn new_security_stamp() -> String {
    token::random_token()
}

/// Checks an email address with the validator crate, and that it is not too long.
pub fn check_email(errors: &mut FieldErrors, field: &'static str, email: &str) {
    use validator::ValidateEmail;
    if email.is_empty() {
        errors.add(field, "Enter an email address.");
    } else if limits::check(errors, field, "An email address", email, limits::EMAIL)
        && !email.validate_email()
    {
        errors.add(field, "Enter an email address like name@example.com.");
    }
}

pub fn check_name(errors: &mut FieldErrors, field: &'static str, label: &str, value: &str) {
    limits::check(errors, field, label, value, limits::NAME);
}

/// A person's info, wherever it is given (the wizard's info step, User Info): names as long
/// as anywhere else; a user name of letters, digits, '.', '_' and '-' (no '@': signing in
/// tells a user name from an email by it).
pub fn check_person(
    first_name: &str,
    last_name: &str,
    display_name: &str,
    username: &str,
    phone: &str,
) -> FieldErrors {
    let mut errors = FieldErrors::default();
    check_name(&mut errors, "first_name", "First name", first_name.trim());
    check_name(&mut errors, "last_name", "Last name", last_name.trim());
    check_name(
        &mut errors,
        "display_name",
        "Displayed name",
        display_name.trim(),
    );
    limits::check(
        &mut errors,
        "phone",
        "A phone number",
        phone.trim(),
        limits::PHONE,
    );
    let username = username.trim();
    let fits = limits::check(
        &mut errors,
        "username",
        "A user name",
        username,
        limits::USERNAME,
    );
    if fits
        && !username
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        errors.add(
            "username",
            "Use letters, digits, '.', '_' and '-' in a user name (no spaces or @).",
        );
    }
    errors
}

/// Inserts a user and returns the stored row. Refuses an email already in the account.
pub fn insert(conn: &mut DbConnection, user: NewUser<'_>) -> Result<UserRow> {
    if email_taken(conn, user.account_id, &user.email_lower)? {
        return Err(Error::field(
            "email",
            "A user with this email already exists in the account.",
        ));
    }
    diesel::insert_into(users::table)
        .values(&user)
        .execute(conn)?;
    let id = UserId(last_insert_id(conn)?);
    find(conn, user.account_id, id)
}

pub fn email_taken(
    conn: &mut DbConnection,
    account_id: AccountId,
    email_lower: &str,
) -> Result<bool> {
    let count: i64 = users::table
        .filter(users::account_id.eq(account_id))
        .filter(users::email_lower.eq(email_lower))
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

/// A user of the given account; another account's user is NotFound.
pub fn find(conn: &mut DbConnection, account_id: AccountId, id: UserId) -> Result<UserRow> {
    users::table
        .filter(users::id.eq(id))
        .filter(users::account_id.eq(account_id))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)
}

/// A user of the actor's account with the companies they belong to, as the policy judges
/// actions on them; another account's user is NotFound. The one way a page loads the user
/// it acts on.
pub fn target(
    conn: &mut DbConnection,
    actor: &crate::auth::policy::Actor,
    id: UserId,
) -> Result<(UserRow, crate::auth::policy::TargetUser)> {
    let user = find(conn, actor.account_id, id)?;
    let companies = memberships::table
        .filter(memberships::user_id.eq(user.id))
        .select(memberships::company_id)
        .load(conn)?;
    let target = crate::auth::policy::TargetUser {
        id: user.id,
        account_id: user.account_id,
        companies,
    };
    Ok((user, target))
}

pub fn find_any_account(conn: &mut DbConnection, id: UserId) -> Result<Option<UserRow>> {
    Ok(users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// Users whose email or user name is `login`, across accounts (an email is unique per
/// account, not per installation). Bounded: nobody legitimately has more than a few.
pub fn sign_in_candidates(conn: &mut DbConnection, login: &str) -> Result<Vec<UserRow>> {
    let lowered = login.trim().to_lowercase();
    Ok(users::table
        .filter(
            users::email_lower
                .eq(&lowered)
                .or(users::username_lower.eq(&lowered)),
        )
        .order(users::id)
        .limit(5)
        .select(UserRow::as_select())
        .load(conn)?)
}

pub fn admin_count(conn: &mut DbConnection, account_id: AccountId) -> Result<i64> {
    Ok(users::table
        .filter(users::account_id.eq(account_id))
        // The bare column, not `= true`: only that matches the partial index users_admins
        // (a bound value cannot prove it on SQLite, which then scanned 100,000 users).
        .filter(users::is_account_admin)
        .count()
        .get_result(conn)?)
}

/// The row of a user loaded from their account: the writes below name both the id and the
/// account, so a row helper never reaches into another account.
fn of(user: &UserRow) -> OneUser {
    users::table.filter(
        users::id
            .eq(user.id)
            .and(users::account_id.eq(user.account_id)),
    )
}

/// The user's row as it was read: an update through it writes nothing if someone else
/// saved the user since (optimistic locking), which the caller answers as Error::Changed.
pub fn as_read(user: &UserRow) -> AsRead {
    users::table.filter(
        users::id
            .eq(user.id)
            .and(users::account_id.eq(user.account_id))
            .and(users::version.eq(user.version)),
    )
}

pub type AsRead = diesel::dsl::Filter<
    users::table,
    diesel::dsl::And<
        diesel::dsl::And<
            diesel::dsl::Eq<users::id, UserId>,
            diesel::dsl::Eq<users::account_id, AccountId>,
        >,
        diesel::dsl::Eq<users::version, i32>,
    >,
>;

type OneUser = diesel::dsl::Filter<
    users::table,
    diesel::dsl::And<
        diesel::dsl::Eq<users::id, UserId>,
        diesel::dsl::Eq<users::account_id, AccountId>,
    >,
>;

pub fn touch_last_access(conn: &mut DbConnection, id: UserId, now: NaiveDateTime) -> Result<()> {
    diesel::update(users::table.find(id))
        .set(users::last_access_at.eq(now))
        .execute(conn)?;
    Ok(())
}

/// Records a wrong password; returns the new count of consecutive failures.
pub fn record_failed_login(conn: &mut DbConnection, user: &UserRow) -> Result<i32> {
    diesel::update(of(user))
        .set(users::failed_logins.eq(users::failed_logins + 1))
        .execute(conn)?;
    Ok(of(user).select(users::failed_logins).first(conn)?)
}

pub fn lock(
    conn: &mut DbConnection,
    user: &UserRow,
    now: NaiveDateTime,
    until: Option<NaiveDateTime>,
) -> Result<()> {
    diesel::update(of(user))
        .set((users::locked_at.eq(now), users::locked_until.eq(until)))
        .execute(conn)?;
    Ok(())
}

/// Clears the failure count and any lock whose time has passed (or all locks when an
/// administrator unlocks).
pub fn reset_login_failures(conn: &mut DbConnection, user: &UserRow) -> Result<()> {
    diesel::update(of(user))
        .set((
            users::failed_logins.eq(0),
            users::locked_at.eq(None::<NaiveDateTime>),
            users::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_displayed_name_is_the_full_name_else_the_email() {
        assert_eq!(default_display_name("Ann", "Lee", "a@x.test"), "Ann Lee");
        assert_eq!(default_display_name(" ", "Lee", "a@x.test"), "Lee");
        assert_eq!(
            default_display_name("", "", "ada.lovelace@example.com"),
            "ada.lovelace"
        );
    }

    #[test]
    fn email_checks() {
        let mut errors = FieldErrors::default();
        check_email(&mut errors, "a", "");
        check_email(&mut errors, "b", "not-an-email");
        check_email(&mut errors, "c", "ada@example.com");
        assert!(errors.get("a").is_some());
        assert!(errors.get("b").is_some());
        assert!(errors.get("c").is_none());
    }
}

#[cfg(test)]
mod status_tests {
    use super::UserStatus;

    #[test]
    fn every_status_round_trips_through_its_database_text() {
        for status in [
            UserStatus::Invited,
            UserStatus::Active,
            UserStatus::Deactivated,
            UserStatus::Blocked,
        ] {
            assert_eq!(UserStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(UserStatus::parse("Active"), None);
    }
}
