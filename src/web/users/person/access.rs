//! The Roles, Locations, Document Custom Fields and Product Groups tabs: the Invite User
//! wizard's access controls (src/web/users/access), started from what the user holds in
//! the companies where the actor may change their access. "Add to company" (the Companies
//! tab) brings more companies into the same form, proposed as the wizard proposes them.
//! Every button but Save redraws the form with what was chosen kept; Save writes it all in
//! one transaction (domain::user_access).

use super::{Person, load};
use crate::auth::policy::{Action, Permit, Target};
use crate::domain::grants::{self, Catalog};
use crate::domain::roles::{self, HeldRole};
use crate::domain::{CompanyId, FieldErrors, companies, limits, user_access};
use crate::web::csrf::CsrfForm;
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::layout::Layout;
use crate::web::respond::{redirect, render};
use crate::web::session::FlashKind;
use crate::web::state::{AppState, Unsaved};
use crate::web::users::access::{Show, Tab, Wizard, actions, view};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use std::collections::{BTreeMap, HashSet};

#[derive(Template)]
#[template(path = "users/person/access.html")]
struct AccessPage {
    layout: Layout,
    person: Person,
    tab: String,
    wizard: Wizard,
    view: Option<view::View>,
    hidden: Vec<(String, String)>,
    field_errors: FieldErrors,
    error: String,
    notice: String,
    names: BTreeMap<CompanyId, String>,
    /// The user's companies the actor may not change access in (named on the page).
    others: Vec<String>,
    /// The companies the form adds the user to.
    adding: Vec<String>,
    /// Why nothing here can be changed; "" when something can.
    read_only: String,
}

impl AccessPage {
    fn company_name(&self, id: &CompanyId) -> String {
        self.names.get(id).cloned().unwrap_or_default()
    }

    fn access_all_hint(&self, section: &view::Section) -> String {
        section
            .access_all
            .as_ref()
            .map(|c| format!("{}-hint", c.id))
            .unwrap_or_default()
    }

    fn next_page(&self, section: &view::Section) -> usize {
        section.next_page(self.wizard.limit)
    }

    /// Where a button that only changes the view posts: back to the access controls.
    fn stay(&self) -> String {
        format!("/users/{}/access#access-controls", self.person.user.id)
    }

    fn is_at(&self, company: &CompanyId) -> bool {
        self.wizard.search.is_empty() && self.wizard.at == Some(*company)
    }
}

/// What the form is drawn and checked against.
struct Context {
    /// The user's companies where the actor may change their access.
    editable: Vec<CompanyId>,
    /// The user's other companies.
    others: Vec<CompanyId>,
    /// Companies the actor may add the user to: active, the user not in them, the actor
    /// holding users.invite there (and allowed to change this user's access at all).
    addable: Vec<CompanyId>,
    held: BTreeMap<CompanyId, grants::Grant>,
    roles: Vec<HeldRole>,
    catalogs: BTreeMap<CompanyId, Catalog>,
    names: BTreeMap<CompanyId, String>,
    read_only: String,
}

async fn context(
    state: &AppState,
    current: &CurrentUser,
    person: &Person,
) -> Result<Context, WebError> {
    let (account, user) = (current.account.id, person.user.id);
    let (held, roles, all) = state
        .db(move |conn| {
            Ok((
                user_access::held(conn, user)?,
                roles::with_rights(conn, account)?,
                companies::active_for_account(conn, account)?,
            ))
        })
        .await?;
    let target = &person.target;
    let may_edit = |c: &CompanyId| {
        current
            .authorize(Action::EditUserAccess, Target::UserInCompany(target, *c))
            .is_ok()
    };
    let (editable, others): (Vec<CompanyId>, Vec<CompanyId>) =
        held.keys().copied().partition(may_edit);
    let on_user = current.authorize(Action::EditUserAccess, Target::UserInAnyCompany(target));
    let addable = all
        .iter()
        .map(|c| c.id)
        .filter(|c| !held.contains_key(c))
        .filter(|c| {
            on_user.is_ok()
                && current
                    .authorize(Action::InviteUsers, Target::Company(account, *c))
                    .is_ok()
        })
        .collect();
    let read_only = match on_user {
        Ok(_) if !editable.is_empty() => String::new(),
        Ok(_) => "You may not change this user's access in any of their companies.".into(),
        Err(WebError::Forbidden(reason)) => reason,
        Err(other) => return Err(other),
    };
    Ok(Context {
        editable,
        others,
        addable,
        held,
        roles,
        catalogs: BTreeMap::new(),
        names: all.into_iter().map(|c| (c.id, c.name)).collect(),
        read_only,
    })
}

impl Context {
    /// Reads the catalogs of the companies the form holds.
    async fn read_catalogs(&mut self, state: &AppState, wizard: &Wizard) -> Result<(), WebError> {
        let chosen = wizard.companies.clone();
        self.catalogs = state
            .db(move |conn| Ok(grants::catalogs(conn, &chosen)?))
            .await?;
        Ok(())
    }

    fn reach<'a>(&'a self, current: &'a CurrentUser) -> actions::Reach<'a> {
        actions::Reach {
            catalogs: &self.catalogs,
            names: &self.names,
            roles: &self.roles,
            actor: &current.actor,
        }
    }
}

struct Drawn {
    error: String,
    fields: FieldErrors,
    notice: String,
    status: StatusCode,
}

impl Drawn {
    fn ok(notice: String) -> Drawn {
        Drawn {
            error: String::new(),
            fields: FieldErrors::default(),
            notice,
            status: StatusCode::OK,
        }
    }

    fn refused(fields: FieldErrors) -> Drawn {
        Drawn {
            error: fields.to_string(),
            fields,
            notice: String::new(),
            status: StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

fn page(
    current: &CurrentUser,
    person: Person,
    ctx: &Context,
    mut wizard: Wizard,
    drawn: Drawn,
) -> Result<HttpResponse, WebError> {
    for company in wizard.companies.clone() {
        wizard.choices.entry(company).or_default().seen = true;
    }
    actions::complete_fields(&mut wizard, &ctx.catalogs);
    let mut view = view::view(
        &wizard,
        &current.actor,
        &ctx.catalogs,
        &ctx.roles,
        &ctx.names,
    );
    if !ctx.read_only.is_empty() {
        for control in view
            .sections
            .iter_mut()
            .flat_map(|s| s.groups.iter_mut())
            .flat_map(|g| g.options.iter_mut().chain(g.select_all.iter_mut()))
        {
            control.disabled = true;
        }
        view.shown = HashSet::new();
    }
    let mut hidden = wizard.access_hidden(&view.shown);
    hidden.push(("drawn".into(), view.drawn()));
    hidden.push(("version".into(), person.user.version.to_string()));
    let name = |c: &CompanyId| ctx.names.get(c).cloned().unwrap_or_default();
    let page = AccessPage {
        layout: current.layout(format!(
            "{}: {}",
            person.user.display_name,
            wizard.tab.label()
        ))?,
        tab: format!("access/{}", wizard.tab.slug()),
        others: ctx.others.iter().map(name).collect(),
        adding: wizard
            .companies
            .iter()
            .filter(|c| !ctx.held.contains_key(c))
            .map(name)
            .collect(),
        person,
        view: Some(view),
        hidden,
        field_errors: drawn.fields,
        error: drawn.error,
        notice: drawn.notice,
        names: ctx.names.clone(),
        read_only: ctx.read_only.clone(),
        wizard,
    };
    Ok(render(drawn.status, &page))
}

/// The form as stored: the editable companies with what the user holds there, or every
/// company read-only when the actor may change none; then the companies being added, with
/// what the wizard proposes.
fn start(ctx: &Context, add: &[CompanyId]) -> Wizard {
    let shown: &[CompanyId] = if ctx.read_only.is_empty() {
        &ctx.editable
    } else {
        &ctx.others
    };
    let held = shown
        .iter()
        .filter_map(|c| Some((*c, ctx.held.get(c)?.clone())))
        .collect();
    let mut wizard = Wizard::holding(held);
    for company in add.iter().filter(|c| ctx.addable.contains(c)) {
        if !wizard.companies.contains(company) {
            wizard.companies.push(*company);
            let choice = wizard.choices.entry(*company).or_default();
            choice.grant.propose();
            choice.seen = true;
        }
    }
    if let Some(first_added) = add.iter().find(|c| wizard.chose(c)) {
        wizard.at = Some(*first_added);
    }
    wizard
}

pub async fn show(
    state: web::Data<AppState>,
    current: CurrentUser,
    path: web::Path<(i64, String)>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    let (id, tab) = path.into_inner();
    let tab = Tab::parse(&tab).ok_or(WebError::NotFound)?;
    let (person, _) = load(&state, &current, id).await?;
    let mut ctx = context(&state, &current, &person).await?;
    let add: Vec<CompanyId> = query
        .iter()
        .filter(|(k, _)| k == "add")
        .filter_map(|(_, v)| v.parse::<i64>().ok().map(CompanyId))
        .collect();
    if add.iter().any(|c| !ctx.addable.contains(c)) {
        return Err(WebError::Forbidden(
            "You may not add this user to that company: it needs users.invite there, and the \
             right to change this user's access."
                .into(),
        ));
    }
    let mut wizard = start(&ctx, &add);
    wizard.tab = tab;
    let at = query
        .iter()
        .find(|(k, _)| k == "at")
        .and_then(|(_, v)| v.parse::<i64>().ok().map(CompanyId))
        .filter(|c| wizard.chose(c));
    if at.is_some() {
        wizard.at = at;
    }
    ctx.read_catalogs(&state, &wizard).await?;
    page(&current, person, &ctx, wizard, Drawn::ok(String::new()))
}

/// The companies a post may hold: the user's that the actor may change, and ones the actor
/// may add them to. Anything else is refused (the form offered neither).
fn check_posted(ctx: &Context, wizard: &Wizard) -> Result<(), WebError> {
    if !ctx.read_only.is_empty() {
        return Err(WebError::Forbidden(ctx.read_only.clone()));
    }
    for company in &wizard.companies {
        if !ctx.editable.contains(company) && !ctx.addable.contains(company) {
            return Err(WebError::Forbidden(
                "You may not change this user's access in one of the companies sent.".into(),
            ));
        }
    }
    if wizard.companies.is_empty() {
        return Err(WebError::BadRequest("The form named no company.".into()));
    }
    Ok(())
}

/// One permit per company of the form, and the one to change this user's access at all.
fn permits(current: &CurrentUser, person: &Person, ctx: &Context, wizard: &Wizard) -> Vec<Permit> {
    let target = &person.target;
    let mut permits: Vec<Permit> = wizard
        .companies
        .iter()
        .filter_map(|c| {
            let found = if ctx.held.contains_key(c) {
                current.authorize(Action::EditUserAccess, Target::UserInCompany(target, *c))
            } else {
                current.authorize(Action::InviteUsers, Target::Company(current.account.id, *c))
            };
            found.ok()
        })
        .collect();
    if let Ok(on_user) = current.authorize(Action::EditUserAccess, Target::UserInAnyCompany(target))
    {
        permits.push(on_user);
    }
    permits
}

pub async fn submit(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    let (person, _) = load(&state, &current, *id).await?;
    let mut ctx = context(&state, &current, &person).await?;
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (go, version) = (field("go"), field("version").parse::<i32>().unwrap_or(-1));
    let mut wizard = Wizard::from_pairs(&pairs);
    check_posted(&ctx, &wizard)?;
    if wizard.at.is_none_or(|c| !wizard.chose(&c)) {
        wizard.at = wizard.companies.first().copied();
    }
    ctx.read_catalogs(&state, &wizard).await?;
    let lost = actions::read_post(&mut wizard, &ctx.catalogs, &ctx.roles);
    if let Err(message) = limits::search(&wizard.search) {
        let mut fields = FieldErrors::default();
        fields.add("search", message);
        return page(&current, person, &ctx, wizard, Drawn::refused(fields));
    }
    let lost_message = "Some chosen options or roles are no longer available (archived or \
                        deleted meanwhile) and were unticked. Check the access, then Save.";
    if go != "save" {
        let go = if go == "enter" { "view" } else { go.as_str() };
        let done = actions::redraw(&mut wizard, go, &ctx.reach(&current));
        let notice = if lost {
            format!("{lost_message} {done}")
        } else {
            done
        };
        return page(&current, person, &ctx, wizard, Drawn::ok(notice));
    }
    if lost {
        let mut fields = FieldErrors::default();
        fields.add("access", lost_message);
        return page(&current, person, &ctx, wizard, Drawn::refused(fields));
    }
    let wanted = wizard.grants();
    let permits = permits(&current, &person, &ctx, &wizard);
    let (granter, user) = (current.actor.clone(), person.user.id);
    let outcome = state
        .versioned(move |conn| user_access::save(conn, &permits, &granter, user, version, &wanted))
        .await?;
    let name = |c: &CompanyId| ctx.names.get(c).cloned().unwrap_or_default();
    match outcome {
        Ok(saved) => {
            let mut said = Vec::new();
            if !saved.changed.is_empty() {
                let named: Vec<String> = saved.changed.iter().map(name).collect();
                said.push(format!("Access saved in {}.", named.join(", ")));
            }
            if !saved.added.is_empty() {
                let named: Vec<String> = saved.added.iter().map(name).collect();
                said.push(format!(
                    "{} added to {}.",
                    person.user.display_name,
                    named.join(", ")
                ));
            }
            if said.is_empty() {
                said.push("Nothing changed.".into());
            }
            current.flash(FlashKind::Success, said.join(" "));
            Ok(redirect(&format!(
                "/users/{}/access/{}",
                person.user.id,
                wizard.tab.slug()
            )))
        }
        Err(Unsaved::Invalid(fields)) => {
            if fields.get("roles").is_some() {
                wizard.show_roles();
            }
            page(&current, person, &ctx, wizard, Drawn::refused(fields))
        }
        Err(Unsaved::Changed) => {
            let (person, _) = load(&state, &current, *id).await?;
            let ctx = Context {
                catalogs: ctx.catalogs,
                ..context(&state, &current, &person).await?
            };
            let stored = describe_stored(&ctx);
            let drawn = Drawn {
                error: format!(
                    "Someone else changed this user while you were choosing, so nothing was \
                     saved. Your choices are still shown below; the user holds now: {stored}. \
                     Save again to replace that with your choices."
                ),
                fields: FieldErrors::default(),
                notice: String::new(),
                status: StatusCode::CONFLICT,
            };
            page(&current, person, &ctx, wizard, drawn)
        }
    }
}

/// The stored roles per company, named: what a refused save is compared with.
fn describe_stored(ctx: &Context) -> String {
    let parts: Vec<String> = ctx
        .held
        .iter()
        .map(|(company, grant)| {
            let mut roles: Vec<&str> = ctx
                .roles
                .iter()
                .filter(|r| grant.roles.contains(&r.role.id))
                .map(|r| r.role.name.as_str())
                .collect();
            roles.sort_unstable();
            let name = ctx.names.get(company).map(String::as_str).unwrap_or("");
            format!("{name}: {}", roles.join(", "))
        })
        .collect();
    parts.join("; ")
}
