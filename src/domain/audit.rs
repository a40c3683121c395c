//! The activity log. Events store ids, never names, so a renamed user or company shows its
//! current name on all past activity; and never secrets.

use crate::auth::policy::{Action, Permit};
use crate::db::DbConnection;
use crate::db::schema::audit_events;
use crate::domain::{AccountId, CompanyId, Result, UserId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    SetupCompleted,
    AdminCreated,
    SignIn,
    SignInFailed,
    SignInRefused,
    AccountLocked,
    SignOut,
    SessionsEnded,
    CatalogItemCreated,
    CatalogItemUpdated,
    CatalogItemArchived,
    CatalogItemRestored,
    CatalogItemDeleted,
    CompanyCreated,
    CompanyUpdated,
    CompanyArchived,
    CompanyRestored,
    RoleCreated,
    RoleUpdated,
    RoleDeleted,
    AdminAdded,
    AdminRemoved,
    SettingsChanged,
    UserInvited,
    InvitationResent,
    InvitationRevoked,
    InvitationAccepted,
    PasswordChanged,
    UserCreated,
    UserEdited,
    UserUnlocked,
    CommentAdded,
    AccessChanged,
    CompanyAdded,
    CompanyRemoved,
    EmailChangeRequested,
    EmailChanged,
    UserDeactivated,
    UserReactivated,
    UserBlocked,
    UserActivated,
    UserDeleted,
    PasswordResetSent,
    TwoFactorEnabled,
    TwoFactorDisabled,
    TwoFactorReset,
    RecoveryCodesRenewed,
    RecoveryCodeUsed,
}

impl AuditAction {
    pub const ALL: [AuditAction; 48] = [
        AuditAction::SetupCompleted,
        AuditAction::AdminCreated,
        AuditAction::SignIn,
        AuditAction::SignInFailed,
        AuditAction::SignInRefused,
        AuditAction::AccountLocked,
        AuditAction::SignOut,
        AuditAction::SessionsEnded,
        AuditAction::CatalogItemCreated,
        AuditAction::CatalogItemUpdated,
        AuditAction::CatalogItemArchived,
        AuditAction::CatalogItemRestored,
        AuditAction::CatalogItemDeleted,
        AuditAction::CompanyCreated,
        AuditAction::CompanyUpdated,
        AuditAction::CompanyArchived,
        AuditAction::CompanyRestored,
        AuditAction::RoleCreated,
        AuditAction::RoleUpdated,
        AuditAction::RoleDeleted,
        AuditAction::AdminAdded,
        AuditAction::AdminRemoved,
        AuditAction::SettingsChanged,
        AuditAction::UserInvited,
        AuditAction::InvitationResent,
        AuditAction::InvitationRevoked,
        AuditAction::InvitationAccepted,
        AuditAction::PasswordChanged,
        AuditAction::UserCreated,
        AuditAction::UserEdited,
        AuditAction::UserUnlocked,
        AuditAction::CommentAdded,
        AuditAction::AccessChanged,
        AuditAction::CompanyAdded,
        AuditAction::CompanyRemoved,
        AuditAction::EmailChangeRequested,
        AuditAction::EmailChanged,
        AuditAction::UserDeactivated,
        AuditAction::UserReactivated,
        AuditAction::UserBlocked,
        AuditAction::UserActivated,
        AuditAction::UserDeleted,
        AuditAction::PasswordResetSent,
        AuditAction::TwoFactorEnabled,
        AuditAction::TwoFactorDisabled,
        AuditAction::TwoFactorReset,
        AuditAction::RecoveryCodesRenewed,
        AuditAction::RecoveryCodeUsed,
    ];

    /// What happened, in words, for pages that list events.
    pub fn label(self) -> &'static str {
        match self {
            AuditAction::SetupCompleted => "Set up the account",
            AuditAction::AdminCreated => "Administrator created",
            AuditAction::SignIn => "Signed in",
            AuditAction::SignInFailed => "Sign-in failed",
            AuditAction::SignInRefused => "Sign-in refused",
            AuditAction::AccountLocked => "Account locked",
            AuditAction::SignOut => "Signed out",
            AuditAction::SessionsEnded => "Sessions ended",
            AuditAction::CatalogItemCreated => "Catalog item added",
            AuditAction::CatalogItemUpdated => "Catalog item changed",
            AuditAction::CatalogItemArchived => "Catalog item archived",
            AuditAction::CatalogItemRestored => "Catalog item restored",
            AuditAction::CatalogItemDeleted => "Catalog item deleted",
            AuditAction::CompanyCreated => "Company added",
            AuditAction::CompanyUpdated => "Company changed",
            AuditAction::CompanyArchived => "Company archived",
            AuditAction::CompanyRestored => "Company restored",
            AuditAction::RoleCreated => "Role added",
            AuditAction::RoleUpdated => "Role changed",
            AuditAction::RoleDeleted => "Role deleted",
            AuditAction::AdminAdded => "Made an administrator",
            AuditAction::AdminRemoved => "No longer an administrator",
            AuditAction::SettingsChanged => "Settings changed",
            AuditAction::UserInvited => "Invited",
            AuditAction::InvitationResent => "Invitation sent again",
            AuditAction::InvitationRevoked => "Invitation revoked",
            AuditAction::InvitationAccepted => "Invitation accepted",
            AuditAction::PasswordChanged => "Password changed",
            AuditAction::UserCreated => "User created",
            AuditAction::UserEdited => "User changed",
            AuditAction::UserUnlocked => "Account unlocked",
            AuditAction::CommentAdded => "Comment added",
            AuditAction::AccessChanged => "Roles or access changed",
            AuditAction::CompanyAdded => "Added to a company",
            AuditAction::CompanyRemoved => "Removed from a company",
            AuditAction::EmailChangeRequested => "Email change asked for",
            AuditAction::EmailChanged => "Email changed",
            AuditAction::UserDeactivated => "Deactivated in a company",
            AuditAction::UserReactivated => "Reactivated in a company",
            AuditAction::UserBlocked => "Blocked",
            AuditAction::UserActivated => "Activated (unblocked)",
            AuditAction::UserDeleted => "User deleted",
            AuditAction::PasswordResetSent => "Password reset link sent",
            AuditAction::TwoFactorEnabled => "Two-factor authentication turned on",
            AuditAction::TwoFactorDisabled => "Two-factor authentication turned off",
            AuditAction::TwoFactorReset => "Two-factor authentication reset",
            AuditAction::RecoveryCodesRenewed => "New recovery codes made",
            AuditAction::RecoveryCodeUsed => "Signed in with a recovery code",
        }
    }

    pub fn parse(code: &str) -> Option<AuditAction> {
        Self::ALL.into_iter().find(|a| a.as_str() == code)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::SetupCompleted => "setup.completed",
            AuditAction::AdminCreated => "admin.created",
            AuditAction::SignIn => "auth.sign_in",
            AuditAction::SignInFailed => "auth.sign_in_failed",
            AuditAction::SignInRefused => "auth.sign_in_refused",
            AuditAction::AccountLocked => "auth.locked",
            AuditAction::SignOut => "auth.sign_out",
            AuditAction::SessionsEnded => "auth.sessions_ended",
            AuditAction::CatalogItemCreated => "catalog.created",
            AuditAction::CatalogItemUpdated => "catalog.updated",
            AuditAction::CatalogItemArchived => "catalog.archived",
            AuditAction::CatalogItemRestored => "catalog.restored",
            AuditAction::CatalogItemDeleted => "catalog.deleted",
            AuditAction::CompanyCreated => "company.created",
            AuditAction::CompanyUpdated => "company.updated",
            AuditAction::CompanyArchived => "company.archived",
            AuditAction::CompanyRestored => "company.restored",
            AuditAction::RoleCreated => "role.created",
            AuditAction::RoleUpdated => "role.updated",
            AuditAction::RoleDeleted => "role.deleted",
            AuditAction::AdminAdded => "admins.added",
            AuditAction::AdminRemoved => "admins.removed",
            AuditAction::SettingsChanged => "settings.changed",
            AuditAction::UserInvited => "user.invited",
            AuditAction::InvitationResent => "invitation.resent",
            AuditAction::InvitationRevoked => "invitation.revoked",
            AuditAction::InvitationAccepted => "invitation.accepted",
            AuditAction::PasswordChanged => "auth.password_changed",
            AuditAction::UserCreated => "user.created",
            AuditAction::UserEdited => "user.edited",
            AuditAction::UserUnlocked => "user.unlocked",
            AuditAction::CommentAdded => "user.comment_added",
            AuditAction::AccessChanged => "user.access_changed",
            AuditAction::CompanyAdded => "user.company_added",
            AuditAction::CompanyRemoved => "user.company_removed",
            AuditAction::EmailChangeRequested => "user.email_change_requested",
            AuditAction::EmailChanged => "user.email_changed",
            AuditAction::UserDeactivated => "user.deactivated",
            AuditAction::UserReactivated => "user.reactivated",
            AuditAction::UserBlocked => "user.blocked",
            AuditAction::UserActivated => "user.activated",
            AuditAction::UserDeleted => "user.deleted",
            AuditAction::PasswordResetSent => "user.password_reset_sent",
            AuditAction::TwoFactorEnabled => "auth.two_factor_on",
            AuditAction::TwoFactorDisabled => "auth.two_factor_off",
            AuditAction::TwoFactorReset => "user.two_factor_reset",
            AuditAction::RecoveryCodesRenewed => "auth.recovery_codes_renewed",
            AuditAction::RecoveryCodeUsed => "auth.recovery_code_used",
        }
    }
}

/// Who did it and from where; None for the command line.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub actor: Option<UserId>,
    pub ip: Option<String>,
}

/// Who made a change, in which account and when, for the audit log. A signed-in user's
/// change is made only from the policy's permit (`Change::authorized`), so its actor,
/// account and address are the permit's; the flows where no one is signed in yet (sign-in,
/// accepting an invitation, first setup, the command line) say so with `without_permit`.
#[derive(Debug, Clone)]
pub struct Change {
    account_id: AccountId,
    origin: Origin,
    pub now: NaiveDateTime,
}

impl Change {
    /// The change a permit for `action` on the whole account allows; a permit for another
    /// action, or for one company only, is refused.
    pub fn authorized(permit: &Permit, action: Action) -> Result<Change> {
        permit.require_account(action)?;
        Ok(Self::from_permit(permit))
    }

    /// The change a permit for `action` on `user` allows.
    pub fn authorized_on_user(permit: &Permit, action: Action, user: UserId) -> Result<Change> {
        permit.require_on_user(action, user)?;
        Ok(Self::from_permit(permit))
    }

    /// The change a permit for `action` in `company` (or the whole account) allows.
    pub fn authorized_in(permit: &Permit, action: Action, company: CompanyId) -> Result<Change> {
        permit.require_in(action, company)?;
        Ok(Self::from_permit(permit))
    }

    fn from_permit(permit: &Permit) -> Change {
        Change {
            account_id: permit.account_id(),
            origin: Origin {
                actor: Some(permit.actor()),
                ip: permit.ip().map(str::to_owned),
            },
            now: permit.at(),
        }
    }

    /// A change no signed-in user's permit stands behind: made by the person a one-time
    /// link proves (accepting an invitation, first setup), or by the command line.
    pub fn without_permit(account_id: AccountId, origin: Origin, now: NaiveDateTime) -> Change {
        Change {
            account_id,
            origin,
            now,
        }
    }

    pub fn account_id(&self) -> AccountId {
        self.account_id
    }

    /// Who made the change, when anyone signed in did.
    pub fn actor(&self) -> Option<UserId> {
        self.origin.actor
    }

    /// Records what this change did, to whom and in which company.
    pub fn record(
        &self,
        conn: &mut DbConnection,
        action: AuditAction,
        target_user: Option<UserId>,
        company: Option<CompanyId>,
        detail: &str,
    ) -> Result<()> {
        let event = Event {
            account_id: self.account_id,
            action,
            target_user,
            company,
            detail,
        };
        record(conn, &self.origin, event, self.now)
    }
}

#[derive(Insertable)]
#[diesel(table_name = audit_events, treat_none_as_null = true)]
struct NewAuditEvent<'a> {
    account_id: AccountId,
    actor_user_id: Option<UserId>,
    action: &'static str,
    target_user_id: Option<UserId>,
    company_id: Option<CompanyId>,
    detail: &'a str,
    ip: Option<&'a str>,
    created_at: NaiveDateTime,
}

pub struct Event<'a> {
    pub account_id: AccountId,
    pub action: AuditAction,
    pub target_user: Option<UserId>,
    pub company: Option<CompanyId>,
    pub detail: &'a str,
}

pub fn record(
    conn: &mut DbConnection,
    origin: &Origin,
    event: Event<'_>,
    now: NaiveDateTime,
) -> Result<()> {
    diesel::insert_into(audit_events::table)
        .values(NewAuditEvent {
            account_id: event.account_id,
            actor_user_id: origin.actor,
            action: event.action.as_str(),
            target_user_id: event.target_user,
            company_id: event.company,
            detail: event.detail,
            ip: origin.ip.as_deref(),
            created_at: now,
        })
        .execute(conn)?;
    Ok(())
}
