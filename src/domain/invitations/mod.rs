//! Invitations: inviting people by email into companies with roles, the link they accept,
//! and managing the invitations that wait (resend with a new link, revoke). The email is
//! queued in the same transaction (see crate::domain::outbox).

mod accept;
mod create;
mod manage;
pub mod status;

pub use accept::{Acceptance, LinkProblem, accept, check_link};
pub use create::create_with_password;
pub use manage::{change_email, latest_for, resend, revoke};
pub use status::InvitationStatus;

use crate::auth::policy::Actor;
use crate::auth::policy::{Action, Permit};
use crate::auth::token;
use crate::db::DbConnection;
use crate::db::schema::invitations;
use crate::domain::audit::{AuditAction, Change};
use crate::domain::grants::{self, Grant};
use crate::domain::outbox::{self, InvitationLetter, Letters, NewEmail};
use crate::domain::seats::SeatGuard;
use crate::domain::users::{NewUser, UserRow, UserStatus};
use crate::domain::{
    AccountId, CompanyId, Error, FieldErrors, InvitationId, Result, RoleId, UserId, limits,
    memberships as held,
};
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use std::collections::BTreeSet;

/// How an invitation names who sent it: their full name, or the displayed name.
pub fn inviter_name(user: &UserRow) -> String {
    let full = user.full_name();
    if full.trim().is_empty() {
        user.display_name.clone()
    } else {
        full
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = invitations)]
pub struct InvitationRow {
    pub id: InvitationId,
    pub account_id: AccountId,
    pub user_id: UserId,
    pub invited_by: Option<UserId>,
    pub token_hash: String,
    pub status: String,
    pub send_count: i32,
    pub failure_reason: Option<String>,
    pub expires_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    pub accepted_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl InvitationRow {
    /// The status as stored.
    pub fn stored_status(&self) -> InvitationStatus {
        // The CHECK constraint in the schema admits only the six values.
        InvitationStatus::parse(&self.status).unwrap_or(InvitationStatus::Revoked)
    }

    /// The status to show (see `InvitationStatus::shown`).
    pub fn shown_status(&self, now: NaiveDateTime) -> InvitationStatus {
        self.stored_status().shown(self.expires_at, now)
    }

    pub fn is_waiting(&self) -> bool {
        InvitationStatus::WAITING.contains(&self.stored_status())
    }
}

/// Splits what was typed into addresses: commas, semicolons, spaces and new lines separate
/// them; duplicates (ignoring case) count once. Every address is checked; the errors name
/// the ones refused.
pub fn parse_emails(text: &str) -> std::result::Result<Vec<String>, String> {
    if !limits::fits(text, limits::EMAIL_LIST) {
        return Err(format!(
            "{} Invite the rest in another round.",
            limits::too_long("A list of addresses", limits::EMAIL_LIST, text)
        ));
    }
    let mut emails: Vec<String> = Vec::new();
    let mut bad: Vec<String> = Vec::new();
    for part in text.split([',', ';', '\n', '\r', ' ', '\t']) {
        let email = part.trim().trim_matches(['<', '>']);
        if email.is_empty() {
            continue;
        }
        let mut errors = FieldErrors::default();
        crate::domain::users::check_email(&mut errors, "email", email);
        if !errors.is_empty() {
            bad.push(email.to_owned());
        } else if !emails.iter().any(|e| e.eq_ignore_ascii_case(email)) {
            emails.push(email.to_owned());
        }
    }
    if !bad.is_empty() {
        return Err(format!(
            "These are not email addresses: {}. Enter addresses like name@example.com.",
            named_some(&bad)
        ));
    }
    if emails.is_empty() {
        return Err("Enter at least one email address.".into());
    }
    if emails.len() > limits::EMAILS_AT_ONCE {
        return Err(format!(
            "At most {} addresses at once; this list has {}.",
            limits::EMAILS_AT_ONCE,
            emails.len()
        ));
    }
    Ok(emails)
}

/// The first few refused entries, each cut to an address's length, and how many more: a
/// message names what to fix without repeating a whole pasted list back.
fn named_some(bad: &[String]) -> String {
    const NAMED: usize = 10;
    let mut named: Vec<String> = bad
        .iter()
        .take(NAMED)
        .map(|entry| {
            if limits::fits(entry, limits::EMAIL) {
                entry.clone()
            } else {
                let cut: String = entry.chars().take(limits::EMAIL).collect();
                format!("{cut}…")
            }
        })
        .collect();
    if bad.len() > NAMED {
        named.push(format!("and {} more", bad.len() - NAMED));
    }
    named.join(", ")
}

/// What the invited get in one company.
#[derive(Debug, Clone)]
pub struct CompanyGrant {
    pub company: CompanyId,
    pub grant: Grant,
}

/// The colleague's info; used as given when one address is invited, and defaulted from
/// the email otherwise.
#[derive(Debug, Clone, Default)]
pub struct PersonInfo {
    pub first_name: String,
    pub last_name: String,
    pub display_name: String,
    pub phone: String,
    pub username: String,
    /// Enforce Two-Factor Authentication on the users this makes: they set it up when they
    /// first sign in, right after accepting (or at the first sign-in of a user created with
    /// a password). Not applied to existing users added to companies ("Invite User from
    /// Other Company"): that is their Security tab's, which needs more than inviting.
    pub enforce_2fa: bool,
}

impl PersonInfo {
    /// The colleague's info step, by the same rules as User Info.
    pub fn validate(&self) -> FieldErrors {
        crate::domain::users::check_person(
            &self.first_name,
            &self.last_name,
            &self.display_name,
            &self.username,
            &self.phone,
        )
    }
}

#[derive(Clone)]
pub struct InviteRequest {
    pub emails: Vec<String>,
    pub grants: Vec<CompanyGrant>,
    pub person: PersonInfo,
    pub send_email: bool,
    /// "Invite User from Other Company": an address of an existing user of the account adds
    /// them to the chosen companies they are not in yet, with the access chosen there.
    pub add_existing: bool,
    /// "Create user": the hash of a password chosen by the administrator. The user is then
    /// Active at once, must change it at first sign-in, and gets no invitation.
    pub password_hash: Option<String>,
    /// Who invites, as the policy sees them: the roles they may grant.
    pub inviter: Actor,
    /// Who invites, as the email names them.
    pub inviter_name: String,
    pub account_name: String,
    pub base_url: String,
    pub valid_hours: i64,
    /// Writes the invitation email.
    pub letters: &'static dyn Letters,
}

/// The change an invitation makes: one permit to invite for every company it gives access
/// to, all of the same actor (one request's).
fn change_for(permits: &[Permit], request: &InviteRequest) -> Result<Change> {
    let Some(first) = permits.first() else {
        return Err(Error::Internal("an invitation without a permit".into()));
    };
    for grant in &request.grants {
        let permitted = permits.iter().any(|p| {
            p.actor() == first.actor() && p.require_in(Action::InviteUsers, grant.company).is_ok()
        });
        if !permitted {
            return Err(Error::Internal(format!(
                "no permit to invite into company {}",
                grant.company.0
            )));
        }
    }
    Change::authorized_in(first, Action::InviteUsers, request.grants[0].company)
}

#[derive(Debug, Default)]
pub struct InviteOutcome {
    pub invited: Vec<String>,
    /// Existing users added to companies: (address, the companies' names).
    pub added: Vec<(String, String)>,
    /// (address, why it was skipped)
    pub skipped: Vec<(String, String)>,
}

/// Invites every address at once, in one transaction: a user (Invited), their access per
/// company, an invitation with a fresh link and, when asked, its email. `permits` hold a
/// permit to invite into each company of the request.
pub fn invite(
    conn: &mut DbConnection,
    permits: &[Permit],
    request: &InviteRequest,
) -> Result<InviteOutcome> {
    if request.grants.is_empty() {
        return Err(Error::field("companies", "Choose at least one company."));
    }
    let change = &change_for(permits, request)?;
    let single = request.emails.len() == 1;
    if single {
        request.person.validate().into_result()?;
    }
    crate::db::write_transaction(conn, |conn| {
        let seats = SeatGuard::open(conn, change.account_id())?;
        let companies: Vec<CompanyId> = request.grants.iter().map(|g| g.company).collect();
        let roles: BTreeSet<RoleId> = request
            .grants
            .iter()
            .flat_map(|g| g.grant.roles.iter().copied())
            .collect();
        grants::check_reach(conn, change.account_id(), &companies, &roles)?;
        let chosen = request.grants.iter().map(|g| (g.company, &g.grant.roles));
        grants::check_roles_chosen(conn, chosen)?;
        let chosen = request.grants.iter().map(|g| (g.company, &g.grant.roles));
        grants::check_grantable(conn, &request.inviter, chosen)?;
        let catalogs = grants::catalogs(conn, &companies)?;
        // One read for all the addresses already in the account, not one per address.
        let lowers: Vec<String> = request.emails.iter().map(|e| e.to_lowercase()).collect();
        let existing: Vec<UserRow> = crate::db::schema::users::table
            .filter(crate::db::schema::users::account_id.eq(change.account_id()))
            .filter(crate::db::schema::users::email_lower.eq_any(&lowers))
            .select(UserRow::as_select())
            .load(conn)?;
        let created = request.password_hash.is_some();
        let mut outcome = InviteOutcome::default();
        for (email, lower) in request.emails.iter().zip(lowers) {
            if let Some(user) = existing.iter().find(|u| u.email_lower == lower) {
                match add_existing(conn, change, request, user, &catalogs)? {
                    Ok(names) => outcome.added.push((email.clone(), names)),
                    Err(why) => outcome.skipped.push((email.clone(), why)),
                }
                continue;
            }
            let person = &request.person;
            let given = |value: &str| {
                if single {
                    value.trim().to_owned()
                } else {
                    String::new()
                }
            };
            let display = match given(&person.display_name) {
                name if name.is_empty() => crate::domain::users::default_display_name(
                    &given(&person.first_name),
                    &given(&person.last_name),
                    email,
                ),
                name => name,
            };
            let username = given(&person.username);
            if !username.is_empty() {
                let taken: i64 = crate::db::schema::users::table
                    .filter(crate::db::schema::users::account_id.eq(change.account_id()))
                    .filter(crate::db::schema::users::username_lower.eq(username.to_lowercase()))
                    .count()
                    .get_result(conn)?;
                if taken > 0 {
                    return Err(Error::field(
                        "username",
                        format!(
                            "The user name {username} is taken: choose another or leave it empty."
                        ),
                    ));
                }
            }
            let (first, last, phone) = (
                given(&person.first_name),
                given(&person.last_name),
                given(&person.phone),
            );
            let user = crate::domain::users::insert(
                conn,
                NewUser {
                    account_id: change.account_id(),
                    email,
                    email_lower: lower,
                    username: (!username.is_empty()).then_some(username.as_str()),
                    username_lower: (!username.is_empty()).then(|| username.to_lowercase()),
                    first_name: &first,
                    last_name: &last,
                    display_name: display,
                    phone: &phone,
                    password_hash: request.password_hash.clone(),
                    status: if created {
                        UserStatus::Active.as_str()
                    } else {
                        UserStatus::Invited.as_str()
                    },
                    is_account_admin: false,
                    must_change_password: created,
                    security_stamp: crate::domain::users::new_security_stamp(),
                    created_at: change.now,
                    updated_at: change.now,
                },
            )?;
            let detail = if person.enforce_2fa {
                diesel::update(crate::db::schema::users::table.find(user.id))
                    .set(crate::db::schema::users::enforce_2fa.eq(true))
                    .execute(conn)?;
                format!("{email}; Enforce Two-Factor Authentication")
            } else {
                email.to_owned()
            };
            for CompanyGrant { company, grant } in &request.grants {
                let roles: Vec<RoleId> = grant.roles.iter().copied().collect();
                let membership = held::add(conn, user.id, *company, &roles, change.now)?;
                let catalog = catalogs.get(company).ok_or(Error::NotFound)?;
                grants::store(conn, membership, grant, catalog)?;
            }
            if created {
                if request.send_email {
                    tell_created(conn, change, &user, request)?;
                }
                change.record(conn, AuditAction::UserCreated, Some(user.id), None, &detail)?;
            } else {
                issue(conn, change, &user, request, request.send_email)?;
                change.record(conn, AuditAction::UserInvited, Some(user.id), None, &detail)?;
            }
            outcome.invited.push(email.clone());
        }
        seats.check(conn)?;
        Ok(outcome)
    })
}

/// Tells a user made with Create user that their account exists and where to sign in.
fn tell_created(
    conn: &mut DbConnection,
    change: &Change,
    user: &UserRow,
    request: &InviteRequest,
) -> Result<()> {
    let link = format!("{}/login", request.base_url);
    let letter = request
        .letters
        .account_created(&crate::domain::outbox::AccountCreatedLetter {
            account: &request.account_name,
            inviter: &request.inviter_name,
            email: &user.email,
            link: &link,
        })?;
    outbox::enqueue_letter(conn, change.account_id(), &user.email, &letter, change.now)
}

/// "Invite User from Other Company": adds an existing user to the request's companies they
/// are not in yet. Returns the companies' names, or why nothing was done for them.
fn add_existing(
    conn: &mut DbConnection,
    change: &Change,
    request: &InviteRequest,
    user: &UserRow,
    catalogs: &std::collections::BTreeMap<CompanyId, grants::Catalog>,
) -> Result<std::result::Result<String, String>> {
    use crate::db::schema::memberships;
    if request.password_hash.is_some() || !request.add_existing {
        return Ok(Err("already a user of this account".to_owned()));
    }
    let member_of: BTreeSet<CompanyId> = memberships::table
        .filter(memberships::user_id.eq(user.id))
        .select(memberships::company_id)
        .load::<CompanyId>(conn)?
        .into_iter()
        .collect();
    let missing: Vec<&CompanyGrant> = request
        .grants
        .iter()
        .filter(|g| !member_of.contains(&g.company))
        .collect();
    if missing.is_empty() {
        return Ok(Err(
            "already a user of this account, in every chosen company".to_owned(),
        ));
    }
    if change.actor() == Some(user.id) {
        return Ok(Err(
            "that is you: nobody changes their own companies".to_owned()
        ));
    }
    if user.status() == UserStatus::Deactivated {
        return Ok(Err(
            "deactivated in every company: reactivate them first, then add companies".to_owned(),
        ));
    }
    let mut names = Vec::new();
    for CompanyGrant { company, grant } in missing {
        let roles: Vec<RoleId> = grant.roles.iter().copied().collect();
        let membership = held::add(conn, user.id, *company, &roles, change.now)?;
        let catalog = catalogs.get(company).ok_or(Error::NotFound)?;
        grants::store(conn, membership, grant, catalog)?;
        let name = crate::domain::companies::name_of(conn, *company)?;
        change.record(
            conn,
            AuditAction::CompanyAdded,
            Some(user.id),
            Some(*company),
            &format!("from the Invite User wizard: {name}"),
        )?;
        names.push(name);
    }
    Ok(Ok(names.join(", ")))
}

/// A new invitation (and link) for the user; any older one is void. Queues the email when
/// asked.
pub(super) fn issue(
    conn: &mut DbConnection,
    change: &Change,
    user: &UserRow,
    request: &InviteRequest,
    send_email: bool,
) -> Result<InvitationId> {
    void_waiting(conn, user.id)?;
    let token = token::random_token();
    let expires_at = change.now + TimeDelta::hours(request.valid_hours.max(1));
    diesel::insert_into(invitations::table)
        .values((
            invitations::account_id.eq(change.account_id()),
            invitations::user_id.eq(user.id),
            invitations::invited_by.eq(change.actor()),
            invitations::token_hash.eq(token::hash_token(&token)),
            invitations::status.eq(InvitationStatus::Pending.as_str()),
            invitations::send_count.eq(0),
            invitations::expires_at.eq(expires_at),
            invitations::created_at.eq(change.now),
        ))
        .execute(conn)?;
    let id = InvitationId(crate::db::last_insert_id(conn)?);
    if send_email {
        let link = format!("{}/invitation/{token}", request.base_url);
        let expires = expires_at.format("%Y-%m-%d %H:%M").to_string();
        let letter = request.letters.invitation(&InvitationLetter {
            account: &request.account_name,
            inviter: &request.inviter_name,
            link: &link,
            expires: &expires,
        })?;
        outbox::enqueue(
            conn,
            NewEmail {
                account_id: change.account_id(),
                invitation_id: Some(id),
                to: &user.email,
                subject: &letter.subject,
                text: &letter.text,
                html: &letter.html,
            },
            change.now,
        )?;
    }
    Ok(id)
}

/// Voids the user's waiting invitations, and cancels their emails not sent yet: a worker
/// that already claimed one leaves it (only one already on the wire still goes).
pub(super) fn void_waiting(conn: &mut DbConnection, user: UserId) -> Result<()> {
    outbox::cancel_unsent(conn, user)?;
    diesel::update(
        invitations::table
            .filter(invitations::user_id.eq(user))
            .filter(invitations::status.eq_any(InvitationStatus::texts(InvitationStatus::WAITING))),
    )
    .set(invitations::status.eq(InvitationStatus::Revoked.as_str()))
    .execute(conn)?;
    Ok(())
}
