//! GET and POST /users/invite: the Invite User wizard. Plain form posts: every step sends
//! what earlier steps chose as hidden fields, so Back and a refused step keep it all.
//! Steps: email address(es) → companies (multi-company accounts) → the colleague's info →
//! access per company and "Send invitation email" → Invite → who was invited or skipped.

mod access;
mod actions;
mod finish;
mod wizard;

pub use wizard::{Show, Step, Tab};

use crate::auth::policy::{Action, Target};
use crate::domain::grants::{self, Catalog};
use crate::domain::invitations;
use crate::domain::{CompanyId, FieldErrors, companies, limits, roles};
use crate::web::csrf::CsrfForm;
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::layout::Layout;
use crate::web::respond::render;
use crate::web::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use finish::{Finish, finish};
use std::collections::BTreeMap;
use wizard::Wizard;

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
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    };
    let step = Step::parse(field("step"));
    let go = field("go").to_owned();
    let mut wizard = Wizard::from_pairs(&pairs);
    let account = current.account.id;
    let Reach {
        companies: allowed,
        active,
        archived,
        roles,
    } = reach(&state, &current).await?;
    let multi = allowed.len() > 1;
    if !multi || field("select_all") == "on" {
        wizard.companies = allowed.iter().map(|c| c.id).collect();
    }
    // A company archived while the wizard was open leaves it, with a word; any id that is
    // not the account's is a 404; one of the account's the inviter may not invite into, a
    // 403 (the form offered neither).
    let mut notice = String::new();
    let before = wizard.companies.len();
    wizard.companies.retain(|c| !archived.contains(c));
    if wizard.companies.len() < before {
        notice =
            "A chosen company was archived meanwhile: it was taken off this invitation.".into();
    }
    for company in &wizard.companies {
        if !active.contains(company) {
            return Err(WebError::NotFound);
        }
        current.authorize(Action::InviteUsers, Target::Company(account, *company))?;
    }
    if wizard.companies.is_empty() && step != Step::Emails && step != Step::Companies {
        return page(
            &current,
            &Context {
                companies: allowed,
                roles,
                catalogs: BTreeMap::new(),
            },
            Step::Companies,
            wizard,
            "Choose at least one company.".to_owned(),
            notice,
        );
    }
    wizard.settle();
    // Only the access step, and the info step that leads to it, draw or read the catalogs.
    let catalogs = if matches!(step, Step::Info | Step::Access) {
        let chosen = wizard.companies.clone();
        state
            .db(move |conn| Ok(grants::catalogs(conn, &chosen)?))
            .await?
    } else {
        BTreeMap::new()
    };
    let ctx = Context {
        companies: allowed,
        roles,
        catalogs,
    };
    let back = |s: Step| match s {
        Step::Emails | Step::Companies => Step::Emails,
        Step::Info if multi => Step::Companies,
        Step::Info => Step::Emails,
        Step::Access => Step::Info,
    };
    let show = |step: Step, wizard: Wizard, error: String| {
        page(&current, &ctx, step, wizard, error, notice.clone())
    };
    // The access step's boxes are read first, so Back keeps exactly what was ticked.
    let mut lost = false;
    if step == Step::Access {
        wizard.send_seen = true;
        lost = actions::read_post(&mut wizard, &ctx.catalogs, &ctx.roles);
    }
    if go == "back" {
        return show(back(step), wizard, String::new());
    }
    // Validate the step just submitted; stay on it with the reason when refused.
    match step {
        Step::Emails => {
            if let Err(message) = invitations::parse_emails(&wizard.emails) {
                return show(Step::Emails, wizard, message);
            }
            let next = if multi { Step::Companies } else { Step::Info };
            show(next, wizard, String::new())
        }
        Step::Companies => {
            if wizard.companies.is_empty() {
                let message = "Choose at least one company.".to_owned();
                return show(Step::Companies, wizard, message);
            }
            show(Step::Info, wizard, String::new())
        }
        Step::Info => {
            let several = invitations::parse_emails(&wizard.emails).is_ok_and(|e| e.len() > 1);
            let errors = wizard.person.validate();
            if !several && !errors.is_empty() {
                return page(&current, &ctx, Step::Info, wizard, errors, String::new());
            }
            show(Step::Access, wizard, String::new())
        }
        Step::Access => {
            if let Err(message) = limits::search(&wizard.search) {
                let mut fields = FieldErrors::default();
                fields.add("search", message);
                return page(&current, &ctx, Step::Access, wizard, fields, notice);
            }
            let (password, confirm) = (field("password"), field("password_confirm"));
            // Enter in a text field sends the form's first button ("enter"): a search, unless
            // a password was typed and the search and filter were left alone, when it was
            // meant for Create user.
            let go = match go.as_str() {
                "enter" if !password.is_empty() && !wizard.view_changed() => "create".to_owned(),
                "enter" => "view".to_owned(),
                _ => go,
            };
            if lost {
                let again = if go == "create" {
                    "Create user"
                } else {
                    "Invite"
                };
                let message = format!(
                    "Some chosen options or roles are no longer available (archived or deleted \
                     meanwhile) and were unticked. Check the access, then {again}."
                );
                if go == "invite" || go == "create" {
                    return show(Step::Access, wizard, message);
                }
                notice = message;
            }
            let done = match go.as_str() {
                "invite" => return finish(&state, &current, &ctx, wizard, Finish::Invite).await,
                "create" => {
                    let how = Finish::Create {
                        password: password.to_owned(),
                        confirm: confirm.to_owned(),
                    };
                    return finish(&state, &current, &ctx, wizard, how).await;
                }
                "select_all" | "unselect_all" => {
                    let on = go == "select_all";
                    let n = actions::select_all(&mut wizard, &ctx.catalogs, on);
                    match (n, on) {
                        (0, _) => "No options shown to check or uncheck.".to_owned(),
                        (1, true) => "Checked the option shown.".to_owned(),
                        (1, false) => "Unchecked the option shown.".to_owned(),
                        (n, true) => format!("Checked the {n} options shown."),
                        (n, false) => format!("Unchecked the {n} options shown."),
                    }
                }
                "apply_all" => {
                    let names = ctx.names();
                    let actor = &current.actor;
                    actions::apply_to_all(&mut wizard, &ctx.catalogs, &names, &ctx.roles, actor)
                }
                "more" => {
                    wizard.limit = (wizard.limit + wizard::PAGE).min(wizard::MAX_SHOWN);
                    String::new()
                }
                other => {
                    if wizard.view_changed() {
                        wizard.first_page();
                    }
                    if let Some(tab) = other.strip_prefix("tab:").and_then(Tab::parse) {
                        wizard.tab = tab;
                        wizard.first_page();
                    }
                    if let Some(company) = other
                        .strip_prefix("company:")
                        .and_then(|c| c.parse::<i64>().ok())
                        .map(CompanyId)
                        .filter(|c| wizard.chose(c))
                    {
                        wizard.at = Some(company);
                        wizard.search.clear();
                        wizard.first_page();
                    }
                    String::new()
                }
            };
            let notice = [notice, done]
                .into_iter()
                .filter(|m| !m.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            page(&current, &ctx, Step::Access, wizard, String::new(), notice)
        }
    }
}
