//! GET and POST /users/invite: the Invite User wizard. Plain form posts: every step sends
//! what earlier steps chose as hidden fields, so Back and a refused step keep it all.
//! Steps: email address(es) → companies (multi-company accounts) → the colleague's info →
//! access per company and "Send invitation email" → Invite → who was invited or skipped.

mod finish;
mod steps;

pub use crate::web::users::access::{Show, Step, Tab};
use crate::web::users::access::{actions, view as access};

use crate::auth::policy::{Action, Target};
use crate::domain::grants::Catalog;
use crate::domain::invitations;
use crate::domain::{CompanyId, FieldErrors, companies, roles};
use crate::web::csrf::CsrfForm;
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::layout::Layout;
use crate::web::respond::render;
use crate::web::state::AppState;
use crate::web::users::access::Wizard;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use std::collections::BTreeMap;
use steps::Posted;

#[derive(Template)]
#[template(path = "users/invite.html")]
struct WizardPage {
    layout: Layout,
    step: Step,
    wizard: Wizard,
    error: String,
    /// Messages beside the colleague's info fields.
    field_errors: FieldErrors,
    /// What a mass action did (Select All, Apply to All Companies).
    notice: String,
    /// Companies the inviter may invite into.
    companies: Vec<companies::CompanyRow>,
    several: bool,
    hidden: Vec<(String, String)>,
    /// The access step's tab, drawn.
    view: Option<access::View>,
}

impl WizardPage {
    fn company_name(&self, id: &CompanyId) -> String {
        self.companies
            .iter()
            .find(|c| c.id == *id)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    }

    /// The id of the note that says Access to All covers a section's boxes.
    fn access_all_hint(&self, section: &access::Section) -> String {
        section
            .access_all
            .as_ref()
            .map(|c| format!("{}-hint", c.id))
            .unwrap_or_default()
    }

    /// How many "Show more" would add to a section.
    fn next_page(&self, section: &access::Section) -> usize {
        section.next_page(self.wizard.limit)
    }

    /// Where a button that only changes the view posts: back to the access controls.
    fn stay(&self) -> &'static str {
        "/users/invite#access-controls"
    }

    fn is_at(&self, company: &CompanyId) -> bool {
        self.wizard.search.is_empty() && self.wizard.at == Some(*company)
    }

    /// What Enter in a text field does: the step's main way forward, or on the access step
    /// the search (never Invite by accident).
    fn default_go(&self) -> &'static str {
        if self.step == Step::Access {
            "enter"
        } else {
            "next"
        }
    }
}

/// What every wizard page is drawn from besides the wizard itself.
pub(super) struct Context {
    /// The companies where the inviter holds users.invite.
    companies: Vec<companies::CompanyRow>,
    roles: Vec<crate::domain::roles::HeldRole>,
    /// The chosen companies' catalogs.
    catalogs: BTreeMap<CompanyId, Catalog>,
}

impl Context {
    fn names(&self) -> BTreeMap<CompanyId, String> {
        self.companies
            .iter()
            .map(|c| (c.id, c.name.clone()))
            .collect()
    }
}

/// What the inviter can reach in the account.
struct Reach {
    /// The companies where the inviter holds users.invite.
    companies: Vec<companies::CompanyRow>,
    /// The account's active companies, and its archived ones.
    active: Vec<CompanyId>,
    archived: Vec<CompanyId>,
    roles: Vec<crate::domain::roles::HeldRole>,
}

async fn reach(state: &AppState, current: &CurrentUser) -> Result<Reach, WebError> {
    let account = current.account.id;
    let (all, roles, archived) = state
        .db(move |conn| {
            Ok((
                companies::active_for_account(conn, account)?,
                roles::with_rights(conn, account)?,
                companies::archived_ids(conn, account)?,
            ))
        })
        .await?;
    let active: Vec<CompanyId> = all.iter().map(|c| c.id).collect();
    let companies: Vec<_> = all
        .into_iter()
        .filter(|c| {
            current
                .authorize(Action::InviteUsers, Target::Company(account, c.id))
                .is_ok()
        })
        .collect();
    if companies.is_empty() {
        return Err(WebError::Forbidden(
            "You do not have the right to invite users in any company.".into(),
        ));
    }
    Ok(Reach {
        companies,
        active,
        archived,
        roles,
    })
}

/// Why a step was refused: a message, and where it is about a field, the field's own.
#[derive(Default)]
pub(super) struct Problem {
    message: String,
    fields: FieldErrors,
}

impl From<String> for Problem {
    fn from(message: String) -> Self {
        Problem {
            message,
            fields: FieldErrors::default(),
        }
    }
}

impl From<FieldErrors> for Problem {
    fn from(fields: FieldErrors) -> Self {
        Problem {
            message: fields.to_string(),
            fields,
        }
    }
}

pub(super) fn page(
    current: &CurrentUser,
    ctx: &Context,
    step: Step,
    mut wizard: Wizard,
    problem: impl Into<Problem>,
    notice: String,
) -> Result<HttpResponse, WebError> {
    let Problem {
        message: error,
        fields: field_errors,
    } = problem.into();
    actions::drop_ungrantable(&mut wizard, &ctx.roles, &current.actor);
    let view = (step == Step::Access).then(|| {
        for company in wizard.companies.clone() {
            wizard.choices.entry(company).or_default().seen = true;
        }
        actions::complete_fields(&mut wizard, &ctx.catalogs);
        let names = ctx.names();
        access::view(&wizard, &current.actor, &ctx.catalogs, &ctx.roles, &names)
    });
    let shown = view.as_ref().map(|v| v.shown.clone()).unwrap_or_default();
    let mut hidden = wizard.hidden(step, &shown);
    if let Some(view) = &view {
        hidden.push(("drawn".into(), view.drawn()));
    }
    let several = invitations::parse_emails(&wizard.emails).is_ok_and(|e| e.len() > 1);
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = WizardPage {
        layout: current.layout("Invite User")?,
        hidden,
        step,
        wizard,
        error,
        field_errors,
        notice,
        companies: ctx.companies.clone(),
        several,
        view,
    };
    Ok(render(status, &page))
}

pub async fn start(
    state: web::Data<AppState>,
    current: CurrentUser,
) -> Result<HttpResponse, WebError> {
    let Reach {
        companies, roles, ..
    } = reach(&state, &current).await?;
    let ctx = Context {
        companies,
        roles,
        catalogs: BTreeMap::new(),
    };
    let wizard = Wizard::from_pairs(&[]);
    page(
        &current,
        &ctx,
        Step::Emails,
        wizard,
        String::new(),
        String::new(),
    )
}

pub async fn submit(
    state: web::Data<AppState>,
    current: CurrentUser,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    let posted = Posted::of(&pairs);
    let mut wizard = Wizard::from_pairs(&pairs);
    let run = match steps::prepare(&state, &current, &posted, &mut wizard).await? {
        Ok(run) => run,
        Err(refused) => return Ok(refused),
    };
    let lost = posted.step == Step::Access && run.read_access(&mut wizard);
    if posted.go == "back" {
        return run.show(run.back(posted.step), wizard, String::new());
    }
    match posted.step {
        Step::Emails => run.emails(wizard),
        Step::Companies => run.companies(wizard),
        Step::Info => run.info(wizard),
        Step::Access => run.access(&state, wizard, &posted, lost).await,
    }
}
