//! The one place that answers "may this actor do this action to this target in this
//! company". A granted action yields a `Permit`, which only this module can make; every
//! domain operation that changes something on a signed-in user's behalf takes one, checks
//! it is for that action (and that target), and records the audit event's actor, account
//! and address from it, so an operation can neither be reached unchecked nor record the
//! wrong actor.

use crate::auth::rights::{Right, RightSet};
use crate::domain::ids::{AccountId, CompanyId, UserId};
use chrono::NaiveDateTime;
use std::collections::BTreeMap;

/// The signed-in user as the policy sees them.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: UserId,
    pub account_id: AccountId,
    pub is_account_admin: bool,
    /// Rights per company where the actor's access is active.
    pub rights: BTreeMap<CompanyId, RightSet>,
    /// How many active companies the account has: account-wide actions need the right in
    /// every one of them.
    pub account_companies: usize,
    /// Where the request came from and when, carried into each permit for the audit log.
    pub ip: Option<String>,
    pub now: NaiveDateTime,
}

impl Actor {
    pub fn rights_in(&self, company: CompanyId) -> RightSet {
        if self.is_account_admin {
            RightSet::all()
        } else {
            self.rights.get(&company).copied().unwrap_or_default()
        }
    }
}

/// A user something is done to: their account and the companies they belong to.
#[derive(Debug, Clone)]
pub struct TargetUser {
    pub id: UserId,
    pub account_id: AccountId,
    pub companies: Vec<CompanyId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    ViewUsers,
    InviteUsers,
    /// Roles and access of a user in one company.
    EditUserAccess,
    /// Names, phone, user name: identity-level.
    EditUserIdentity,
    ChangeUserEmail,
    /// Unlock, expiry, and the per-user sign-in requirements (Security tab).
    EditUserSecurity,
    /// Read and write the administrators' comments on a user.
    CommentOnUser,
    DeactivateUser,
    BlockUser,
    DeleteUser,
    ResetPassword,
    /// Turn off another user's two-factor authentication (lost phone): identity-level.
    ResetTwoFactor,
    UnlockUser,
    EndSessions,
    ManageRoles,
    ManageConfig,
    ViewAudit,
    ManageAdmins,
    ManageCompanies,
    /// What every signed-in user does to their own account: their password, their
    /// sessions, their saved filters. Granted by `own`, never by a right.
    OwnAccount,
}

/// Where an action applies.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// Account-wide (roles, companies, settings).
    Account(AccountId),
    Company(AccountId, CompanyId),
    /// A user's membership in one company.
    UserInCompany(&'a TargetUser, CompanyId),
    /// The user as a person, across all their companies.
    User(&'a TargetUser),
    /// The user as seen from any one of their companies: viewing them needs the right in
    /// one company they belong to, not in all.
    UserInAnyCompany(&'a TargetUser),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// Another account's object: answered as if it did not exist.
    NotFound,
    Forbidden(&'static str),
}

/// What a permit was granted for: an operation that acts on a user or a company checks the
/// permit names that same one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granted {
    Account,
    Company(CompanyId),
    User(UserId),
    UserInCompany(UserId, CompanyId),
}

/// Proof that an action was authorized: which action, on what, in which account, by whom,
/// from where and when. Only this module makes one.
#[derive(Debug, Clone)]
pub struct Permit {
    action: Action,
    account_id: AccountId,
    granted: Granted,
    actor: UserId,
    ip: Option<String>,
    at: NaiveDateTime,
}

/// A permit used for another action or target than it was granted for: a programming
/// error, answered as a refusal rather than done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a permit for {granted:?} {action:?} was used for {wanted:?}")]
pub struct Misused {
    pub action: Action,
    pub granted: Granted,
    pub wanted: Action,
}

impl Permit {
    pub fn action(&self) -> Action {
        self.action
    }

    pub fn account_id(&self) -> AccountId {
        self.account_id
    }

    pub fn granted(&self) -> Granted {
        self.granted
    }

    pub fn actor(&self) -> UserId {
        self.actor
    }

    pub fn ip(&self) -> Option<&str> {
        self.ip.as_deref()
    }

    /// When the authorized request came: the time its changes are stamped with.
    pub fn at(&self) -> NaiveDateTime {
        self.at
    }

    /// This permit, if it is for `action`.
    pub fn require(&self, action: Action) -> Result<&Self, Misused> {
        if self.action == action {
            Ok(self)
        } else {
            Err(self.misused(action))
        }
    }

    /// This permit, if it is for `action` on the whole account.
    pub fn require_account(&self, action: Action) -> Result<&Self, Misused> {
        match self.granted {
            Granted::Account => self.require(action),
            _ => Err(self.misused(action)),
        }
    }

    /// This permit, if it is for `action` on the user `user` (in any company, or as a
    /// person).
    pub fn require_on_user(&self, action: Action, user: UserId) -> Result<&Self, Misused> {
        match self.granted {
            Granted::User(u) | Granted::UserInCompany(u, _) if u == user => self.require(action),
            _ => Err(self.misused(action)),
        }
    }

    /// This permit, if it is for `action` in `company` (or the whole account).
    pub fn require_in(&self, action: Action, company: CompanyId) -> Result<&Self, Misused> {
        match self.granted {
            Granted::Account => self.require(action),
            Granted::Company(c) | Granted::UserInCompany(_, c) if c == company => {
                self.require(action)
            }
            _ => Err(self.misused(action)),
        }
    }

    fn misused(&self, wanted: Action) -> Misused {
        Misused {
            action: self.action,
            granted: self.granted,
            wanted,
        }
    }
}

/// The permit every signed-in user has for their own account (`Action::OwnAccount`).
pub fn own(actor: &Actor) -> Permit {
    Permit {
        action: Action::OwnAccount,
        account_id: actor.account_id,
        granted: Granted::User(actor.user_id),
        actor: actor.user_id,
        ip: actor.ip.clone(),
        at: actor.now,
    }
}

impl Action {
    /// The right an action needs; None for what only account administrators may do.
    pub fn right(self) -> Option<Right> {
        Some(match self {
            Action::ViewUsers => Right::UsersView,
            Action::InviteUsers => Right::UsersInvite,
            Action::EditUserAccess
            | Action::EditUserIdentity
            | Action::ChangeUserEmail
            | Action::EditUserSecurity
            | Action::CommentOnUser
            | Action::ResetPassword
            | Action::ResetTwoFactor
            | Action::UnlockUser
            | Action::EndSessions => Right::UsersEdit,
            Action::DeactivateUser | Action::BlockUser => Right::UsersDeactivate,
            Action::DeleteUser => Right::UsersDelete,
            Action::ManageRoles => Right::RolesManage,
            Action::ManageConfig => Right::ConfigManage,
            Action::ViewAudit => Right::AuditView,
            Action::ManageAdmins | Action::ManageCompanies | Action::OwnAccount => return None,
        })
    }

    /// No one changes their own roles, companies or email, nor blocks or deletes themself.
    fn refused_on_self(self) -> Option<&'static str> {
        match self {
            Action::EditUserAccess => Some("You cannot change your own roles or access."),
            Action::ChangeUserEmail => Some("You cannot change your own email address."),
            Action::EditUserSecurity => {
                Some("You cannot change your own account's security settings.")
            }
            Action::DeactivateUser | Action::BlockUser => {
                Some("You cannot deactivate or block yourself.")
            }
            Action::DeleteUser => Some("You cannot delete yourself."),
            Action::ResetTwoFactor => Some(
                "You cannot reset your own two-factor authentication: turn it off or renew \
                 your recovery codes on My Profile.",
            ),
            _ => None,
        }
    }
}

pub fn authorize(actor: &Actor, action: Action, target: Target<'_>) -> Result<Permit, Denied> {
    let account = match target {
        Target::Account(a) | Target::Company(a, _) => a,
        Target::UserInCompany(user, _) | Target::User(user) | Target::UserInAnyCompany(user) => {
            user.account_id
        }
    };
    if account != actor.account_id {
        return Err(Denied::NotFound);
    }
    if action == Action::OwnAccount {
        return match target {
            Target::User(user) if user.id == actor.user_id => Ok(own(actor)),
            _ => Err(Denied::Forbidden("This is for each user's own account.")),
        };
    }
    if let Target::UserInCompany(user, _) | Target::User(user) | Target::UserInAnyCompany(user) =
        target
        && user.id == actor.user_id
        && let Some(reason) = action.refused_on_self()
    {
        return Err(Denied::Forbidden(reason));
    }
    let granted = match target {
        Target::Account(_) => Granted::Account,
        Target::Company(_, company) => Granted::Company(company),
        Target::UserInCompany(user, company) => Granted::UserInCompany(user.id, company),
        Target::User(user) | Target::UserInAnyCompany(user) => Granted::User(user.id),
    };
    let permit = Permit {
        action,
        account_id: account,
        granted,
        actor: actor.user_id,
        ip: actor.ip.clone(),
        at: actor.now,
    };
    if actor.is_account_admin {
        return Ok(permit);
    }
    let Some(right) = action.right() else {
        return Err(Denied::Forbidden(
            "Only account administrators may do this.",
        ));
    };
    let allowed = match target {
        Target::Account(_) => {
            actor.account_companies > 0
                && actor.rights.len() >= actor.account_companies
                && actor.rights.values().all(|set| set.contains(right))
        }
        Target::Company(_, company) => actor.rights_in(company).contains(right),
        Target::UserInCompany(user, company) => {
            user.companies.contains(&company) && actor.rights_in(company).contains(right)
        }
        // Identity-level changes reach every company the person works in, so they need the
        // right in all of them; a user in no company is left to administrators.
        Target::User(user) => {
            !user.companies.is_empty()
                && user
                    .companies
                    .iter()
                    .all(|c| actor.rights_in(*c).contains(right))
        }
        Target::UserInAnyCompany(user) => user
            .companies
            .iter()
            .any(|c| actor.rights_in(*c).contains(right)),
    };
    match (allowed, target) {
        (true, _) => Ok(permit),
        (false, Target::User(_)) => Err(Denied::Forbidden(
            "This needs the right in every company the user belongs to, and you do not hold it \
             in all of them.",
        )),
        (false, _) => Err(Denied::Forbidden("You do not have the right to do this.")),
    }
}

/// Whether the actor may do `action` somewhere: in the account as a whole, or in at least
/// one company (pages scoped to those companies open). For navigation: a link shown leads
/// to a page the policy allows.
pub fn allowed_somewhere(actor: &Actor, action: Action) -> bool {
    reach(actor, action).is_ok()
}

/// Where an action reaches: the whole account, or only these companies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    Account,
    Companies(Vec<CompanyId>),
}

/// The companies in which the actor may do `action` (the whole account for account
/// administrators): what a list scoped by that right shows. Refused when there are none.
pub fn reach(actor: &Actor, action: Action) -> Result<Reach, Denied> {
    if actor.is_account_admin {
        return Ok(Reach::Account);
    }
    let companies: Vec<CompanyId> = actor
        .rights
        .keys()
        .copied()
        .filter(|c| authorize(actor, action, Target::Company(actor.account_id, *c)).is_ok())
        .collect();
    if companies.is_empty() {
        return Err(Denied::Forbidden("You do not have the right to do this."));
    }
    Ok(Reach::Companies(companies))
}

/// Whether the actor may do `action` to the account as a whole.
pub fn allowed_account_wide(actor: &Actor, action: Action) -> bool {
    authorize(actor, action, Target::Account(actor.account_id)).is_ok()
}

/// A role the actor may not grant in a company: the rights of it they lack there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ungrantable {
    pub missing: RightSet,
}

impl Ungrantable {
    /// Why, in a sentence that names the rights lacking: about "this role" when `role` is
    /// None (shown beside it), else about the role named.
    pub fn reason(&self, role: Option<&str>, company: &str) -> String {
        let rights = self.listed();
        let role = role.map_or("this role".to_owned(), |name| format!("the role {name}"));
        format!("You cannot grant {role}: it allows {rights}, which you do not hold in {company}.")
    }

    /// Why rights cannot be put into a role (`may_give_rights`), naming them.
    pub fn reason_to_give(&self) -> String {
        format!(
            "You cannot give {}: a role may only gain rights you hold in every company.",
            self.listed()
        )
    }

    fn listed(&self) -> String {
        let labels: Vec<&str> = self.missing.iter().map(Right::label).collect();
        match labels.as_slice() {
            [] => String::new(),
            [one] => (*one).to_owned(),
            [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        }
    }
}

/// Whether the actor may grant a role carrying `rights` in `company` (by invitation, by
/// Create user, or by any later change of someone's roles): only someone who holds every
/// one of those rights there may, so nobody hands out more than they have. Account
/// administrators hold all. This answers for the role only: whether the actor may change
/// the person's access at all, and whether the company is the actor's account's, is
/// `authorize`'s to say.
pub fn may_grant(actor: &Actor, company: CompanyId, rights: RightSet) -> Result<(), Ungrantable> {
    let missing = rights.without(actor.rights_in(company));
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Ungrantable { missing })
    }
}

/// Whether the actor may put `rights` into a role (creating one, or adding to one). A role
/// is account-wide: whoever holds it gets its rights in every company they hold it in, so
/// only someone who holds those rights in every active company may give them; otherwise a
/// roles manager could add a right to their own role, or to one they then hand out, and
/// gain it. Account administrators hold all. `missing` on a refusal is what they lack.
pub fn may_give_rights(actor: &Actor, rights: RightSet) -> Result<(), Ungrantable> {
    let held_everywhere = if actor.is_account_admin {
        RightSet::all()
    } else if actor.account_companies == 0 || actor.rights.len() < actor.account_companies {
        // Missing from a company means holding nothing there.
        RightSet::default()
    } else {
        actor
            .rights
            .values()
            .fold(RightSet::all(), |held, set| held.intersection(*set))
    };
    let missing = rights.without(held_everywhere);
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Ungrantable { missing })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACME: AccountId = AccountId(1);
    const OTHER: AccountId = AccountId(2);
    const NORTH: CompanyId = CompanyId(10);
    const SOUTH: CompanyId = CompanyId(11);

    fn actor(rights: &[(CompanyId, &[Right])]) -> Actor {
        Actor {
            user_id: UserId(1),
            account_id: ACME,
            is_account_admin: false,
            rights: rights
                .iter()
                .map(|(c, r)| (*c, r.iter().copied().collect()))
                .collect(),
            account_companies: 2,
            ip: Some("192.0.2.1".into()),
            now: chrono::DateTime::UNIX_EPOCH.naive_utc(),
        }
    }

    fn admin() -> Actor {
        Actor {
            is_account_admin: true,
            ..actor(&[])
        }
    }

    fn user(id: i64, account: AccountId, companies: &[CompanyId]) -> TargetUser {
        TargetUser {
            id: UserId(id),
            account_id: account,
            companies: companies.to_vec(),
        }
    }

    #[test]
    fn another_accounts_objects_are_not_found_even_for_admins() {
        let stranger = user(9, OTHER, &[NORTH]);
        assert_eq!(
            authorize(&admin(), Action::ViewUsers, Target::User(&stranger)).unwrap_err(),
            Denied::NotFound
        );
        assert_eq!(
            authorize(&admin(), Action::ManageConfig, Target::Account(OTHER)).unwrap_err(),
            Denied::NotFound
        );
        assert_eq!(
            authorize(
                &admin(),
                Action::ManageConfig,
                Target::Company(OTHER, NORTH)
            )
            .unwrap_err(),
            Denied::NotFound
        );
    }

    #[test]
    fn company_actions_need_the_right_in_that_company() {
        let manager = actor(&[(NORTH, &[Right::UsersView, Right::UsersInvite])]);
        assert!(authorize(&manager, Action::InviteUsers, Target::Company(ACME, NORTH)).is_ok());
        assert!(authorize(&manager, Action::InviteUsers, Target::Company(ACME, SOUTH)).is_err());
        assert!(authorize(&manager, Action::ManageConfig, Target::Company(ACME, NORTH)).is_err());
    }

    #[test]
    fn identity_actions_need_the_right_in_every_company_of_the_target() {
        let manager = actor(&[(NORTH, &[Right::UsersEdit])]);
        let north_only = user(5, ACME, &[NORTH]);
        let both = user(6, ACME, &[NORTH, SOUTH]);
        let nowhere = user(7, ACME, &[]);
        assert!(
            authorize(
                &manager,
                Action::EditUserIdentity,
                Target::User(&north_only)
            )
            .is_ok()
        );
        assert!(authorize(&manager, Action::EditUserIdentity, Target::User(&both)).is_err());
        assert!(authorize(&manager, Action::EditUserIdentity, Target::User(&nowhere)).is_err());
        assert!(
            authorize(
                &manager,
                Action::EditUserAccess,
                Target::UserInCompany(&both, NORTH)
            )
            .is_ok()
        );
        assert!(
            authorize(
                &manager,
                Action::EditUserAccess,
                Target::UserInCompany(&both, SOUTH)
            )
            .is_err()
        );
        assert!(authorize(&admin(), Action::EditUserIdentity, Target::User(&nowhere)).is_ok());
    }

    #[test]
    fn account_wide_actions_need_the_right_in_every_company() {
        let partial = actor(&[(NORTH, &[Right::RolesManage])]);
        let full = actor(&[
            (NORTH, &[Right::RolesManage]),
            (SOUTH, &[Right::RolesManage]),
        ]);
        assert!(authorize(&partial, Action::ManageRoles, Target::Account(ACME)).is_err());
        assert!(authorize(&full, Action::ManageRoles, Target::Account(ACME)).is_ok());
    }

    #[test]
    fn nobody_edits_their_own_roles_email_or_blocks_themself() {
        let me = user(1, ACME, &[NORTH]);
        for action in [
            Action::EditUserAccess,
            Action::ChangeUserEmail,
            Action::BlockUser,
            Action::DeleteUser,
        ] {
            let target = if action == Action::EditUserAccess {
                Target::UserInCompany(&me, NORTH)
            } else {
                Target::User(&me)
            };
            assert!(
                matches!(
                    authorize(&admin(), action, target),
                    Err(Denied::Forbidden(_))
                ),
                "{action:?}"
            );
        }
        assert!(authorize(&admin(), Action::EditUserIdentity, Target::User(&me)).is_ok());
    }

    #[test]
    fn a_permit_carries_who_asked_from_where_and_is_only_good_for_its_action_and_target() {
        let manager = actor(&[(NORTH, &[Right::UsersEdit])]);
        let ann = user(2, ACME, &[NORTH]);
        let permit = authorize(&manager, Action::ResetPassword, Target::User(&ann)).unwrap();
        assert_eq!(permit.actor(), UserId(1));
        assert_eq!(permit.account_id(), ACME);
        assert_eq!(permit.ip(), Some("192.0.2.1"));
        assert!(
            permit
                .require_on_user(Action::ResetPassword, ann.id)
                .is_ok()
        );
        assert!(
            permit
                .require_on_user(Action::ResetPassword, UserId(3))
                .is_err()
        );
        assert!(permit.require(Action::DeleteUser).is_err());
        assert!(permit.require_in(Action::ResetPassword, NORTH).is_err());

        let in_north = authorize(
            &manager,
            Action::EditUserAccess,
            Target::Company(ACME, NORTH),
        );
        let in_north = in_north.unwrap();
        assert!(in_north.require_in(Action::EditUserAccess, NORTH).is_ok());
        assert!(in_north.require_in(Action::EditUserAccess, SOUTH).is_err());
        assert!(in_north.require_account(Action::EditUserAccess).is_err());
    }

    #[test]
    fn a_user_is_seen_from_any_of_their_companies_but_changed_as_a_person_from_all() {
        let north_viewer = actor(&[(NORTH, &[Right::UsersView, Right::UsersEdit])]);
        let both = user(2, ACME, &[NORTH, SOUTH]);
        let south_only = user(3, ACME, &[SOUTH]);
        let view = |u| {
            authorize(
                &north_viewer,
                Action::ViewUsers,
                Target::UserInAnyCompany(u),
            )
        };
        assert!(view(&both).is_ok());
        assert!(view(&south_only).is_err());
        assert!(authorize(&north_viewer, Action::EditUserIdentity, Target::User(&both)).is_err());
        let other_account = user(4, OTHER, &[NORTH]);
        assert_eq!(view(&other_account).unwrap_err(), Denied::NotFound);
    }

    #[test]
    fn everyone_has_their_own_account_and_no_one_elses() {
        let nobody = actor(&[]);
        let me = user(1, ACME, &[]);
        let ann = user(2, ACME, &[NORTH]);
        assert!(authorize(&nobody, Action::OwnAccount, Target::User(&me)).is_ok());
        assert!(authorize(&nobody, Action::OwnAccount, Target::User(&ann)).is_err());
        assert!(authorize(&admin(), Action::OwnAccount, Target::User(&ann)).is_err());
        assert_eq!(own(&nobody).granted(), Granted::User(UserId(1)));
    }

    #[test]
    fn only_administrators_manage_administrators() {
        let everything = actor(&[(NORTH, &Right::ALL), (SOUTH, &Right::ALL)]);
        assert!(authorize(&everything, Action::ManageAdmins, Target::Account(ACME)).is_err());
        assert!(authorize(&admin(), Action::ManageAdmins, Target::Account(ACME)).is_ok());
    }

    #[test]
    fn a_role_without_rights_grants_nothing() {
        let viewer = actor(&[(NORTH, &[])]);
        assert!(!allowed_somewhere(&viewer, Action::ViewUsers));
        assert!(authorize(&viewer, Action::ViewUsers, Target::Company(ACME, NORTH)).is_err());
    }

    #[test]
    fn a_role_is_granted_only_by_who_holds_all_its_rights_there() {
        let manager_rights = [Right::UsersView, Right::UsersInvite];
        let manager = actor(&[(NORTH, &manager_rights), (SOUTH, &[Right::UsersInvite])]);
        let viewer_like = RightSet::default();
        let editor_like: RightSet = [Right::UsersView].into_iter().collect();
        assert!(may_grant(&manager, NORTH, viewer_like).is_ok());
        assert!(may_grant(&manager, NORTH, editor_like).is_ok());
        assert_eq!(
            may_grant(&manager, SOUTH, editor_like),
            Err(Ungrantable {
                missing: editor_like
            }),
            "held in North, not in South"
        );
        assert_eq!(
            may_grant(&manager, NORTH, RightSet::all())
                .unwrap_err()
                .missing
                .iter()
                .count(),
            Right::ALL.len() - manager_rights.len()
        );
        assert!(may_grant(&admin(), SOUTH, RightSet::all()).is_ok());
    }

    #[test]
    fn a_right_is_given_to_a_role_only_by_who_holds_it_in_every_company() {
        let config: RightSet = [Right::ConfigManage].into_iter().collect();
        let roles: RightSet = [Right::RolesManage].into_iter().collect();
        let both = roles.union(config);
        let keeper = actor(&[
            (NORTH, &[Right::RolesManage]),
            (SOUTH, &[Right::RolesManage]),
        ]);
        assert!(may_give_rights(&keeper, roles).is_ok());
        assert_eq!(
            may_give_rights(&keeper, both),
            Err(Ungrantable { missing: config })
        );
        let north_only = actor(&[
            (NORTH, &[Right::RolesManage, Right::ConfigManage]),
            (SOUTH, &[Right::RolesManage]),
        ]);
        assert_eq!(
            may_give_rights(&north_only, config),
            Err(Ungrantable { missing: config }),
            "held in North, not in South"
        );
        let one_of_two = actor(&[(NORTH, &[Right::RolesManage, Right::ConfigManage])]);
        assert_eq!(
            may_give_rights(&one_of_two, both),
            Err(Ungrantable { missing: both }),
            "no access in South at all"
        );
        assert!(may_give_rights(&keeper, RightSet::default()).is_ok());
        assert!(may_give_rights(&admin(), RightSet::all()).is_ok());
    }

    #[test]
    fn a_refused_grant_names_the_rights_lacking() {
        let one: RightSet = [Right::RolesManage].into_iter().collect();
        assert_eq!(
            Ungrantable { missing: one }.reason(None, "ACME"),
            "You cannot grant this role: it allows Manage roles, which you do not hold in ACME."
        );
        let three: RightSet = [Right::UsersDelete, Right::RolesManage, Right::ConfigManage]
            .into_iter()
            .collect();
        assert_eq!(
            Ungrantable { missing: three }.reason(Some("Admin"), "ACME"),
            "You cannot grant the role Admin: it allows Delete users, Manage roles and Manage \
             configuration, which you do not hold in ACME."
        );
        assert_eq!(
            Ungrantable { missing: one }.reason_to_give(),
            "You cannot give Manage roles: a role may only gain rights you hold in every company."
        );
    }
}
