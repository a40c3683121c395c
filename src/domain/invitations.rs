//! Invitations: inviting people by email into companies with roles, the link they accept,
//! and managing the invitations that wait (resend with a new link, revoke). The email is
//! queued in the same transaction (see crate::mail::outbox).

use crate::auth::token;
use crate::db::DbConnection;
use crate::db::schema::{invitations, memberships, users};
use crate::domain::audit::{AuditAction, Change};
use crate::domain::users::{NewUser, UserRow, UserStatus};
use crate::domain::{
    AccountId, CompanyId, Error, FieldErrors, InvitationId, Result, RoleId, UserId,
    memberships as held,
};
use crate::mail::outbox::{self, NewEmail};
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

/// How an invitation names who sent it: their full name, or the displayed name.
pub fn inviter_name(user: &UserRow) -> String {
    let full = user.full_name();
    if full.trim().is_empty() {
        user.display_name.clone()
    } else {
        full
    }
}

/// At most this many addresses in one form.
pub const MAX_EMAILS: usize = 1000;

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
    /// The status to show: a waiting invitation past its validity is Expired.
    pub fn shown_status(&self, now: NaiveDateTime) -> &str {
        match self.status.as_str() {
            "pending" | "sent" | "failed" if self.expires_at <= now => "expired",
            other => other,
        }
    }

    pub fn is_waiting(&self) -> bool {
        matches!(self.status.as_str(), "pending" | "sent" | "failed")
    }
}

/// Splits what was typed into addresses: commas, semicolons, spaces and new lines separate
/// them; duplicates (ignoring case) count once. Every address is checked; the errors name
/// the ones refused.
pub fn parse_emails(text: &str) -> std::result::Result<Vec<String>, String> {
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
            bad.join(", ")
        ));
    }
    if emails.is_empty() {
        return Err("Enter at least one email address.".into());
    }
    if emails.len() > MAX_EMAILS {
        return Err(format!(
            "At most {MAX_EMAILS} addresses at once; this list has {}.",
            emails.len()
        ));
    }
    Ok(emails)
}

/// What the invited get in one company.
#[derive(Debug, Clone)]
pub struct CompanyGrant {
    pub company: CompanyId,
    pub roles: Vec<RoleId>,
    pub all_locations: bool,
    pub all_product_groups: bool,
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
}

pub struct InviteRequest {
    pub emails: Vec<String>,
    pub grants: Vec<CompanyGrant>,
    pub person: PersonInfo,
    pub send_email: bool,
    /// Who invites, as the email names them.
    pub inviter_name: String,
    pub account_name: String,
    pub base_url: String,
    pub valid_hours: i64,
}

#[derive(Debug, Default)]
pub struct InviteOutcome {
    pub invited: Vec<String>,
    /// (address, why it was skipped)
    pub skipped: Vec<(String, String)>,
}

/// Invites every address at once, in one transaction: a user (Invited), their access per
/// company, an invitation with a fresh link and, when asked, its email.
pub fn invite(
    conn: &mut DbConnection,
    change: &Change,
    request: &InviteRequest,
) -> Result<InviteOutcome> {
    if request.grants.is_empty() {
        return Err(Error::field("companies", "Choose at least one company."));
    }
    let single = request.emails.len() == 1;
    crate::db::write_transaction(conn, |conn| {
        let mut outcome = InviteOutcome::default();
        for email in &request.emails {
            let lower = email.to_lowercase();
            if crate::domain::users::email_taken(conn, change.account_id, &lower)? {
                outcome
                    .skipped
                    .push((email.clone(), "already a user of this account".to_owned()));
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
                name if name.is_empty() => crate::domain::users::default_display_name(email),
                name => name,
            };
            let username = given(&person.username);
            let (first, last, phone) = (
                given(&person.first_name),
                given(&person.last_name),
                given(&person.phone),
            );
            let user = crate::domain::users::insert(
                conn,
                NewUser {
                    account_id: change.account_id,
                    email,
                    email_lower: lower,
                    username: (!username.is_empty()).then_some(username.as_str()),
                    username_lower: (!username.is_empty()).then(|| username.to_lowercase()),
                    first_name: &first,
                    last_name: &last,
                    display_name: display,
                    phone: &phone,
                    password_hash: None,
                    status: UserStatus::Invited.as_str(),
                    is_account_admin: false,
                    must_change_password: false,
                    security_stamp: crate::domain::users::new_security_stamp(),
                    created_at: change.now,
                    updated_at: change.now,
                },
            )?;
            for grant in &request.grants {
                let membership = held::add(conn, user.id, grant.company, &grant.roles, change.now)?;
                diesel::update(memberships::table.find(membership))
                    .set((
                        memberships::all_locations.eq(grant.all_locations),
                        memberships::all_product_groups.eq(grant.all_product_groups),
                    ))
                    .execute(conn)?;
            }
            issue(conn, change, &user, request, request.send_email)?;
            change.record(conn, AuditAction::UserInvited, Some(user.id), None, email)?;
            outcome.invited.push(email.clone());
        }
        Ok(outcome)
    })
}

/// A new invitation (and link) for the user; any older one is void. Queues the email when
/// asked.
fn issue(
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
            invitations::account_id.eq(change.account_id),
            invitations::user_id.eq(user.id),
            invitations::invited_by.eq(change.origin.actor),
            invitations::token_hash.eq(token::hash_token(&token)),
            invitations::status.eq("pending"),
            invitations::send_count.eq(0),
            invitations::expires_at.eq(expires_at),
            invitations::created_at.eq(change.now),
        ))
        .execute(conn)?;
    let id = InvitationId(crate::db::last_insert_id(conn)?);
    if send_email {
        let link = format!("{}/invitation/{token}", request.base_url);
        let expires = expires_at.format("%Y-%m-%d %H:%M").to_string();
        let (subject, text, html) = crate::mail::templates::invitation(
            &request.account_name,
            &request.inviter_name,
            &link,
            &expires,
        )
        .map_err(|e| Error::Internal(format!("invitation email: {e}")))?;
        outbox::enqueue(
            conn,
            NewEmail {
                account_id: change.account_id,
                invitation_id: Some(id),
                to: &user.email,
                subject: &subject,
                text: &text,
                html: &html,
            },
            change.now,
        )?;
    }
    Ok(id)
}

fn void_waiting(conn: &mut DbConnection, user: UserId) -> Result<()> {
    diesel::update(
        invitations::table
            .filter(invitations::user_id.eq(user))
            .filter(invitations::status.eq_any(["pending", "sent", "failed"])),
    )
    .set(invitations::status.eq("revoked"))
    .execute(conn)?;
    Ok(())
}

/// The latest invitation of a user of the account.
pub fn latest_for(
    conn: &mut DbConnection,
    account: AccountId,
    user: UserId,
) -> Result<InvitationRow> {
    invitations::table
        .filter(invitations::account_id.eq(account))
        .filter(invitations::user_id.eq(user))
        .order(invitations::id.desc())
        .select(InvitationRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)
}

/// Resend: a new link and its email; the old link is void. Only for someone who has not
/// accepted yet.
pub fn resend(
    conn: &mut DbConnection,
    change: &Change,
    user: UserId,
    request: &InviteRequest,
) -> Result<()> {
    crate::db::write_transaction(conn, |conn| {
        let person = crate::domain::users::find(conn, change.account_id, user)?;
        if person.status() != UserStatus::Invited {
            return Err(Error::Conflict(format!(
                "{} has already accepted the invitation.",
                person.email
            )));
        }
        issue(conn, change, &person, request, true)?;
        change.record(
            conn,
            AuditAction::InvitationResent,
            Some(user),
            None,
            &person.email,
        )
    })
}

/// Revoke: the link stops working; the user stays Invited (and can be invited again).
pub fn revoke(conn: &mut DbConnection, change: &Change, user: UserId) -> Result<()> {
    crate::db::write_transaction(conn, |conn| {
        let person = crate::domain::users::find(conn, change.account_id, user)?;
        let latest = latest_for(conn, change.account_id, user)?;
        if !latest.is_waiting() {
            return Err(Error::Conflict(
                "This invitation is not waiting any more.".into(),
            ));
        }
        void_waiting(conn, user)?;
        change.record(
            conn,
            AuditAction::InvitationRevoked,
            Some(user),
            None,
            &person.email,
        )
    })
}

/// Why a link cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    Unknown,
    Accepted,
    Revoked,
    Expired,
}

/// The invitation and its user behind a link that can still be accepted.
pub fn check_link(
    conn: &mut DbConnection,
    token: &str,
    now: NaiveDateTime,
) -> Result<std::result::Result<(InvitationRow, UserRow), LinkProblem>> {
    let found: Option<InvitationRow> = invitations::table
        .filter(invitations::token_hash.eq(token::hash_token(token)))
        .select(InvitationRow::as_select())
        .first(conn)
        .optional()?;
    let Some(invitation) = found else {
        return Ok(Err(LinkProblem::Unknown));
    };
    let problem = match invitation.status.as_str() {
        "accepted" => Some(LinkProblem::Accepted),
        "revoked" | "expired" => Some(LinkProblem::Revoked),
        _ if invitation.expires_at <= now => Some(LinkProblem::Expired),
        _ => None,
    };
    if let Some(problem) = problem {
        return Ok(Err(problem));
    }
    let user: UserRow = users::table
        .find(invitation.user_id)
        .select(UserRow::as_select())
        .first(conn)?;
    Ok(Ok((invitation, user)))
}

pub struct Acceptance<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub password: &'a str,
    pub password_confirm: &'a str,
}

/// Accepts the invitation: names confirmed, a password chosen (checked for strength against
/// the person's names, email and the account's name). The user becomes Active; the link is
/// used up. Re-checks the link inside the transaction, so it is used once.
pub fn accept(
    conn: &mut DbConnection,
    token: &str,
    form: &Acceptance<'_>,
    now: NaiveDateTime,
    ip: Option<String>,
) -> Result<std::result::Result<UserRow, LinkProblem>> {
    crate::db::write_transaction(conn, |conn| {
        let (invitation, user) = match check_link(conn, token, now)? {
            Ok(found) => found,
            Err(problem) => return Ok(Err(problem)),
        };
        let account = crate::domain::accounts::find(conn, invitation.account_id)?;
        let mut errors = FieldErrors::default();
        crate::domain::users::check_name(
            &mut errors,
            "first_name",
            "First name",
            form.first_name.trim(),
        );
        crate::domain::users::check_name(
            &mut errors,
            "last_name",
            "Last name",
            form.last_name.trim(),
        );
        let context = [
            form.first_name,
            form.last_name,
            user.email.as_str(),
            account.name.as_str(),
        ];
        if let Err(reason) = crate::auth::password::check_strength(form.password, &context) {
            errors.add("password", reason);
        } else if form.password != form.password_confirm {
            errors.add("password_confirm", "The two passwords are not the same.");
        }
        errors.into_result()?;
        let hash = crate::auth::password::hash(form.password)
            .map_err(|e| Error::Internal(format!("password hash: {e}")))?;
        diesel::update(users::table.find(user.id))
            .set((
                users::first_name.eq(form.first_name.trim()),
                users::last_name.eq(form.last_name.trim()),
                users::password_hash.eq(Some(hash)),
                users::status.eq(UserStatus::Active.as_str()),
                users::updated_at.eq(now),
                users::version.eq(users::version + 1),
            ))
            .execute(conn)?;
        diesel::update(invitations::table.find(invitation.id))
            .set((
                invitations::status.eq("accepted"),
                invitations::accepted_at.eq(Some(now)),
            ))
            .execute(conn)?;
        let change = Change {
            account_id: invitation.account_id,
            origin: crate::domain::audit::Origin {
                actor: Some(user.id),
                ip,
            },
            now,
        };
        change.record(
            conn,
            AuditAction::InvitationAccepted,
            Some(user.id),
            None,
            &user.email,
        )?;
        Ok(Ok(users::table
            .find(user.id)
            .select(UserRow::as_select())
            .first(conn)?))
    })
}

/// Edit the email of someone who has not accepted yet (a typo), and send the invitation
/// again to the corrected address with a new link.
pub fn change_email(
    conn: &mut DbConnection,
    change: &Change,
    user: UserId,
    email: &str,
    request: &InviteRequest,
) -> Result<()> {
    let email = email.trim();
    let mut errors = FieldErrors::default();
    crate::domain::users::check_email(&mut errors, "email", email);
    errors.into_result()?;
    crate::db::write_transaction(conn, |conn| {
        let person = crate::domain::users::find(conn, change.account_id, user)?;
        if person.status() != UserStatus::Invited {
            return Err(Error::Conflict(format!(
                "{} has already accepted the invitation: their email can no longer be edited here.",
                person.email
            )));
        }
        let lower = email.to_lowercase();
        if lower != person.email_lower
            && crate::domain::users::email_taken(conn, change.account_id, &lower)?
        {
            return Err(Error::field(
                "email",
                "This email already belongs to a user of the account.",
            ));
        }
        diesel::update(users::table.find(user))
            .set((
                users::email.eq(email),
                users::email_lower.eq(&lower),
                users::updated_at.eq(change.now),
                users::version.eq(users::version + 1),
            ))
            .execute(conn)?;
        let person = crate::domain::users::find(conn, change.account_id, user)?;
        issue(conn, change, &person, request, true)?;
        let detail = format!("email corrected to {email}");
        change.record(
            conn,
            AuditAction::InvitationResent,
            Some(user),
            None,
            &detail,
        )
    })
}
