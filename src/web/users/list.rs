//! The User Management page (GET /users) and its CSV export. The whole filter state lives in
//! the query string, so any view can be bookmarked.

use crate::web::users::criteria::{Criteria, PAGE_SIZES};

use crate::auth::policy::{self, Action, Reach};
use crate::domain::invitations::InvitationStatus;
use crate::domain::paging::{Page, PageRequest};
use crate::domain::roles;
use crate::domain::roles::HeldRole;
use crate::domain::user_list::{self, Infocards, ListedUser, Scope, ShownStatus};
use crate::domain::{RoleId, companies};
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::layout::Layout;
use crate::web::respond::render;
use crate::web::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

/// Session key: after Reset All Filters the default is not applied until a default is set.
pub const RESET_KEY: &str = "users_filters_reset";

/// A refused "Save current filter": what was typed and why it was refused, drawn again in
/// the form on the list page.
#[derive(Default, Clone)]
pub struct FilterDraft {
    pub name: String,
    pub use_as_default: bool,
    pub error: String,
}

/// Whose users the actor may list: all for administrators, else the companies where they
/// hold users.view.
/// Whom the user list shows this user: the policy's reach of users.view.
pub fn scope_of(current: &CurrentUser) -> Result<Scope, WebError> {
    match policy::reach(&current.actor, Action::ViewUsers) {
        Ok(Reach::Account) => Ok(Scope::Account),
        Ok(Reach::Companies(companies)) => Ok(Scope::Companies(companies)),
        Err(_) => Err(WebError::Forbidden(
            "You do not have the right to view users.".into(),
        )),
    }
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct ListPage {
    layout: Layout,
    cards: Infocards,
    seat_limit: Option<i32>,
    users: Page<ListedUser>,
    roles: Vec<HeldRole>,
    criteria: Criteria,
    search: String,
    status_choices: Vec<Choice>,
    role_choices: Vec<Choice>,
    company_choices: Vec<Choice>,
    invitation_choices: Vec<Choice>,
    size_choices: Vec<Choice>,
    multi_company: bool,
    tabs: Vec<(&'static str, String, bool)>,
    draft: FilterDraft,
    can_invite: bool,
    actor: crate::auth::policy::Actor,
}

impl ListPage {
    fn page_link(&self, page: i64) -> String {
        format!(
            "/users?{}",
            self.criteria
                .query_with(|p| p.push(("page", page.to_string())))
        )
    }

    fn sort_link(&self, key: &str) -> String {
        let current = self.criteria.sort.slug();
        let descending = current == key && !self.criteria.descending;
        format!(
            "/users?{}",
            self.criteria.query_with(|p| {
                p.retain(|(k, _)| *k != "sort" && *k != "dir");
                p.push(("sort", key.to_owned()));
                p.push(("dir", if descending { "desc" } else { "asc" }.to_owned()));
            })
        )
    }

    fn sort_mark(&self, key: &str) -> &'static str {
        let current = self.criteria.sort.slug();
        match (current == key, self.criteria.descending) {
            (false, _) => "",
            (true, false) => " ▲",
            (true, true) => " ▼",
        }
    }

    /// The canonical query of what is shown, for "Save current filter".
    /// A fast filter with several values chosen (from Advanced filters) is drawn as a
    /// list box, so every one stays shown, selected and sent with the next filter.
    fn several(&self, choices: &[Choice]) -> bool {
        choices.iter().filter(|c| c.selected).count() > 1
    }

    fn current_query(&self) -> String {
        self.criteria.query_with(|_| {})
    }

    fn csv_link(&self) -> String {
        format!("/users/export.csv?{}", self.criteria.query_with(|_| {}))
    }

    /// Whether the actor may open and manage this row's invitation (Resend, Revoke): the
    /// policy's answer for the person, so no link shown leads to a refusal.
    fn manages_invitation(&self, row: &ListedUser) -> bool {
        let target = crate::auth::policy::TargetUser {
            id: row.user.id,
            account_id: row.user.account_id,
            companies: row.member_of.clone(),
        };
        policy::authorize(
            &self.actor,
            Action::InviteUsers,
            policy::Target::User(&target),
        )
        .is_ok()
    }

    /// Whether the policy lets the actor do `action` to this row's person: in one of their
    /// companies (`anywhere`), or in all of them.
    fn may(&self, row: &ListedUser, action: Action, anywhere: bool) -> bool {
        let target = crate::auth::policy::TargetUser {
            id: row.user.id,
            account_id: row.user.account_id,
            companies: row.member_of.clone(),
        };
        let on = if anywhere {
            policy::Target::UserInAnyCompany(&target)
        } else {
            policy::Target::User(&target)
        };
        policy::authorize(&self.actor, action, on).is_ok()
    }

    /// The row's lifecycle action, as (address, label): Reactivate a deactivated user,
    /// Activate a blocked one, Unlock a locked one (on their Security tab).
    fn lifecycle_action(&self, row: &ListedUser) -> Option<(String, &'static str)> {
        let id = row.user.id.0;
        match row.status {
            ShownStatus::Deactivated if self.may(row, Action::DeactivateUser, true) => {
                Some((format!("/users/{id}/reactivate"), "Reactivate"))
            }
            ShownStatus::Blocked if self.may(row, Action::BlockUser, false) => {
                Some((format!("/users/{id}/activate"), "Activate"))
            }
            ShownStatus::Locked if self.may(row, Action::EditUserSecurity, false) => {
                Some((format!("/users/{id}/security"), "Unlock"))
            }
            _ => None,
        }
    }

    /// The criteria the filter form has no field for (the advanced ones, the sort), as
    /// hidden fields: applying the form keeps them.
    fn kept_by_filter_form(&self) -> Vec<(&'static str, String)> {
        const OWN: [&str; 6] = ["q", "status", "role", "company", "invitation", "per_page"];
        let mut kept = self.criteria.pairs();
        kept.retain(|(k, _)| !OWN.contains(k));
        kept
    }

    /// On, Off, or Required but not enrolled.
    fn two_factor_of(&self, row: &ListedUser) -> &'static str {
        crate::domain::two_factor::TwoFactorState::of(
            &row.user,
            self.criteria.filter.account_requires_2fa,
        )
        .label()
    }

    fn rights_of(&self, role: &RoleId) -> String {
        self.roles
            .iter()
            .find(|r| r.role.id == *role)
            .map(HeldRole::rights_text)
            .unwrap_or_default()
    }
}

fn choices<T: PartialEq>(
    all: impl IntoIterator<Item = (T, String, String)>,
    chosen: &[T],
) -> Vec<Choice> {
    all.into_iter()
        .map(|(key, value, label)| Choice {
            selected: chosen.contains(&key),
            value,
            label,
        })
        .collect()
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    current: CurrentUser,
) -> Result<HttpResponse, WebError> {
    let scope = scope_of(&current)?;
    let reset_key = RESET_KEY;
    if req.query_string() == "reset=1" {
        // Reset All Filters: everyone, and the default stays off until one is set again.
        if let Err(e) = current.session.insert(reset_key, true) {
            tracing::warn!(error = %e, "could not remember Reset All Filters");
        }
        return Ok(crate::web::respond::redirect("/users"));
    }
    if req.query_string().is_empty()
        && current
            .session
            .get::<bool>(reset_key)
            .ok()
            .flatten()
            .is_none()
    {
        let user = current.user.id;
        let default = state
            .db(move |conn| {
                Ok(crate::domain::saved_filters::default_for(
                    conn,
                    user,
                    crate::domain::saved_filters::USERS_PAGE,
                )?)
            })
            .await?;
        if let Some(filter) = default {
            return Ok(crate::web::respond::redirect(&format!(
                "/users?{}",
                filter.query
            )));
        }
    }
    let criteria = Criteria::parse(req.query_string())?;
    list_page(&state, &current, scope, criteria, FilterDraft::default()).await
}

/// The list as `criteria` select it. `draft` fills the "Save current filter" form: a refused
/// save is drawn here at once (422), with its reason beside the name, rather than kept in
/// the session for the next page.
pub async fn list_page(
    state: &AppState,
    current: &CurrentUser,
    scope: Scope,
    mut criteria: Criteria,
    draft: FilterDraft,
) -> Result<HttpResponse, WebError> {
    criteria.resolve(state, &current.account).await?;
    let (account, now) = (current.account.id, state.clock.now_naive());
    let (filter, sort, page) = (
        criteria.filter.clone(),
        (criteria.sort, criteria.descending),
        PageRequest::new(Some(criteria.page), criteria.per_page),
    );
    let scope_for_db = scope.clone();
    let counts = state.counts.clone();
    let (users, cards, roles, visible) = state
        .db(move |conn| {
            let mut cache = counts.reader();
            let users = user_list::list(
                conn,
                &mut cache,
                account,
                &scope_for_db,
                &filter,
                sort,
                page,
                now,
            )?;
            let cards = user_list::infocards(conn, &mut cache, account, &scope_for_db, now)?;
            let roles = roles::with_rights(conn, account)?;
            let visible = companies::active_for_account(conn, account)?;
            Ok((users, cards, roles, visible))
        })
        .await?;
    let visible: Vec<_> = match &scope {
        Scope::Account => visible,
        Scope::Companies(ids) => visible
            .into_iter()
            .filter(|c| ids.contains(&c.id))
            .collect(),
    };
    let f = &criteria.filter;
    let status_choices = choices(
        ShownStatus::ALL.map(|s| (s, s.slug().to_owned(), s.label().to_owned())),
        &f.statuses,
    );
    let role_choices = choices(
        roles
            .iter()
            .map(|r| (r.role.id, r.role.id.0.to_string(), r.role.name.clone())),
        &f.roles,
    );
    let company_choices = choices(
        visible
            .iter()
            .map(|c| (c.id, c.id.0.to_string(), c.name.clone())),
        &f.companies,
    );
    let invitation_choices = choices(
        InvitationStatus::ALL.map(|s| (s, s.as_str().to_owned(), s.label().to_owned())),
        &f.invitation,
    );
    let size_choices = choices(
        PAGE_SIZES.map(|n| (n, n.to_string(), n.to_string())),
        &[criteria.per_page],
    );
    let only = |s: Option<ShownStatus>| -> bool { f.statuses == s.into_iter().collect::<Vec<_>>() };
    let tabs = vec![
        (
            "All",
            "/users".to_owned(),
            only(None) && !f.missing_required && f.invitation.is_empty(),
        ),
        (
            "Active",
            "/users?status=active".to_owned(),
            only(Some(ShownStatus::Active)),
        ),
        (
            "Invited",
            "/users?status=invited".to_owned(),
            only(Some(ShownStatus::Invited)),
        ),
        (
            "Deactivated",
            "/users?status=deactivated".to_owned(),
            only(Some(ShownStatus::Deactivated)),
        ),
        (
            "Blocked",
            "/users?status=blocked".to_owned(),
            only(Some(ShownStatus::Blocked)),
        ),
    ];
    let can_invite = visible.iter().any(|c| {
        current
            .authorize(
                crate::auth::policy::Action::InviteUsers,
                crate::auth::policy::Target::Company(current.account.id, c.id),
            )
            .is_ok()
    });
    let status = if draft.error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ListPage {
        can_invite,
        actor: current.actor.clone(),
        draft,
        layout: current.layout("User Management")?,
        cards,
        seat_limit: current.account.full_seat_limit,
        users,
        roles,
        search: criteria.filter.search.clone(),
        criteria,
        status_choices,
        role_choices,
        company_choices,
        invitation_choices,
        size_choices,
        multi_company: current.actor.account_companies > 1,
        tabs,
    };
    Ok(render(status, &page))
}
