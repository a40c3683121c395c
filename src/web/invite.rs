//! GET and POST /users/invite: the Invite User wizard. Plain form posts: every step sends
//! what earlier steps chose as hidden fields, so Back and a refused step keep it all.
//! Steps: email address(es) → companies (multi-company accounts) → the colleague's info →
//! access per company and "Send invitation email" → Invite → who was invited or skipped.

use crate::auth::policy::{Action, Target};
use crate::domain::invitations::{self, CompanyGrant, InviteOutcome, InviteRequest, PersonInfo};
use crate::domain::{CompanyId, RoleId, companies, roles};
use crate::web::csrf::CsrfForm;
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::layout::Layout;
use crate::web::render;
use crate::web::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Emails,
    Companies,
    Info,
    Access,
}

impl Step {
    fn parse(value: &str) -> Step {
        match value {
            "companies" => Step::Companies,
            "info" => Step::Info,
            "access" => Step::Access,
            _ => Step::Emails,
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Step::Emails => "emails",
            Step::Companies => "companies",
            Step::Info => "info",
            Step::Access => "access",
        }
    }
}

/// Roles and "Access to All" chosen for one company.
#[derive(Debug, Clone, Default)]
pub struct Grant {
    pub roles: Vec<RoleId>,
    pub all_locations: bool,
    pub all_product_groups: bool,
}

/// Everything the wizard has been told so far.
#[derive(Debug, Clone, Default)]
pub struct Wizard {
    pub emails: String,
    pub companies: Vec<CompanyId>,
    pub person: PersonInfo,
    pub grants: BTreeMap<CompanyId, Grant>,
    pub send_email: bool,
    /// The last step was shown: from then on an unticked "Send invitation email" is a no.
    pub send_seen: bool,
}

impl Wizard {
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut w = Wizard::default();
        let id = |v: &str| v.parse::<i64>().ok();
        for (key, value) in pairs {
            match key.as_str() {
                "emails" => w.emails = value.clone(),
                "company" => {
                    if let Some(c) = id(value).map(CompanyId)
                        && !w.companies.contains(&c)
                    {
                        w.companies.push(c);
                    }
                }
                "first_name" => w.person.first_name = value.clone(),
                "last_name" => w.person.last_name = value.clone(),
                "display_name" => w.person.display_name = value.clone(),
                "phone" => w.person.phone = value.clone(),
                "username" => w.person.username = value.clone(),
                "send_email" => w.send_email = value == "on",
                "send_seen" => w.send_seen = true,
                other => {
                    let Some((field, company)) = other.rsplit_once('_') else {
                        continue;
                    };
                    let Some(company) = id(company).map(CompanyId) else {
                        continue;
                    };
                    let grant = w.grants.entry(company).or_default();
                    match field {
                        "role" => {
                            if let Some(r) = id(value).map(RoleId) {
                                grant.roles.push(r);
                            }
                        }
                        "all_locations" => grant.all_locations = value == "on",
                        "all_product_groups" => grant.all_product_groups = value == "on",
                        _ => {}
                    }
                }
            }
        }
        if !w.send_seen {
            w.send_email = true;
        }
        w
    }

    /// Hidden fields carrying everything except what `step` shows itself.
    pub fn hidden(&self, step: &Step) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if *step != Step::Emails {
            out.push(("emails".to_owned(), self.emails.clone()));
        }
        if *step != Step::Companies {
            for c in &self.companies {
                out.push(("company".to_owned(), c.0.to_string()));
            }
        }
        if *step != Step::Info {
            let p = &self.person;
            for (k, v) in [
                ("first_name", &p.first_name),
                ("last_name", &p.last_name),
                ("display_name", &p.display_name),
                ("phone", &p.phone),
                ("username", &p.username),
            ] {
                out.push((k.to_owned(), v.clone()));
            }
        }
        if *step != Step::Access {
            for (c, g) in &self.grants {
                for r in &g.roles {
                    out.push((format!("role_{}", c.0), r.0.to_string()));
                }
                if g.all_locations {
                    out.push((format!("all_locations_{}", c.0), "on".into()));
                }
                if g.all_product_groups {
                    out.push((format!("all_product_groups_{}", c.0), "on".into()));
                }
            }
            if self.send_seen {
                out.push(("send_seen".into(), "1".into()));
                if self.send_email {
                    out.push(("send_email".into(), "on".into()));
                }
            }
        }
        out
    }

    pub fn grant(&self, company: &CompanyId) -> Grant {
        self.grants.get(company).cloned().unwrap_or_default()
    }

    pub fn chose(&self, company: &CompanyId) -> bool {
        self.companies.contains(company)
    }
}

#[derive(Template)]
#[template(path = "users/invite.html")]
struct WizardPage {
    layout: Layout,
    step: Step,
    wizard: Wizard,
    error: String,
    /// Companies the inviter may invite into.
    companies: Vec<companies::CompanyRow>,
    roles: Vec<crate::domain::memberships::HeldRole>,
    several: bool,
}

impl WizardPage {
    fn company_name(&self, id: &CompanyId) -> String {
        self.companies
            .iter()
            .find(|c| c.id == *id)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "users/invite_done.html")]
struct DonePage {
    layout: Layout,
    outcome: InviteOutcome,
    sent: bool,
}

/// The companies where the inviter holds users.invite.
fn invitable(current: &CurrentUser, all: Vec<companies::CompanyRow>) -> Vec<companies::CompanyRow> {
    all.into_iter()
        .filter(|c| {
            current
                .authorize(
                    Action::InviteUsers,
                    Target::Company(current.account.id, c.id),
                )
                .is_ok()
        })
        .collect()
}

async fn page(
    state: &AppState,
    current: &CurrentUser,
    step: Step,
    wizard: Wizard,
    error: String,
) -> Result<HttpResponse, WebError> {
    let account = current.account.id;
    let (all, roles) = state
        .db(move |conn| {
            Ok((
                companies::active_for_account(conn, account)?,
                roles::with_rights(conn, account)?,
            ))
        })
        .await?;
    let companies = invitable(current, all);
    if companies.is_empty() {
        return Err(WebError::Forbidden(
            "You do not have the right to invite users in any company.".into(),
        ));
    }
    let several = invitations::parse_emails(&wizard.emails).is_ok_and(|e| e.len() > 1);
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = WizardPage {
        layout: current.layout("Invite User")?,
        step,
        wizard,
        error,
        companies,
        roles,
        several,
    };
    Ok(render(status, &page))
}

pub async fn start(
    state: web::Data<AppState>,
    current: CurrentUser,
) -> Result<HttpResponse, WebError> {
    page(
        &state,
        &current,
        Step::Emails,
        Wizard::from_pairs(&[]),
        String::new(),
    )
    .await
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
    let all = state
        .db(move |conn| Ok(companies::active_for_account(conn, account)?))
        .await?;
    let allowed = invitable(&current, all);
    let multi = allowed.len() > 1;
    if !multi {
        wizard.companies = allowed.iter().map(|c| c.id).collect();
    }
    if field("select_all") == "on" {
        wizard.companies = allowed.iter().map(|c| c.id).collect();
    }
    // A company chosen outside the inviter's reach is refused outright: the form offered none.
    for company in &wizard.companies {
        current.authorize(Action::InviteUsers, Target::Company(account, *company))?;
    }
    let back = |s: Step| match s {
        Step::Emails | Step::Companies if !multi => Step::Emails,
        Step::Emails => Step::Emails,
        Step::Companies => Step::Emails,
        Step::Info if multi => Step::Companies,
        Step::Info => Step::Emails,
        Step::Access => Step::Info,
    };
    if go == "back" {
        return page(&state, &current, back(step), wizard, String::new()).await;
    }
    // Validate the step just submitted; stay on it with the reason when refused.
    match step {
        Step::Emails => {
            if let Err(message) = invitations::parse_emails(&wizard.emails) {
                return page(&state, &current, Step::Emails, wizard, message).await;
            }
            let next = if multi { Step::Companies } else { Step::Info };
            page(&state, &current, next, wizard, String::new()).await
        }
        Step::Companies => {
            if wizard.companies.is_empty() {
                let message = "Choose at least one company.".to_owned();
                return page(&state, &current, Step::Companies, wizard, message).await;
            }
            page(&state, &current, Step::Info, wizard, String::new()).await
        }
        Step::Info => page(&state, &current, Step::Access, wizard, String::new()).await,
        Step::Access => {
            wizard.send_seen = true;
            if go == "apply_all" {
                apply_to_all(&mut wizard);
                return page(&state, &current, Step::Access, wizard, String::new()).await;
            }
            if go == "create" {
                let (password, confirm) = (
                    field("password").to_owned(),
                    field("password_confirm").to_owned(),
                );
                return create(&state, &current, wizard, password, confirm).await;
            }
            invite(&state, &current, wizard).await
        }
    }
}

/// "Apply to All Companies": the first chosen company's roles and Access to All go to every
/// other chosen company. Roles belong to the account, so each one exists everywhere.
fn apply_to_all(wizard: &mut Wizard) {
    let Some(first) = wizard.companies.first().copied() else {
        return;
    };
    let source = wizard.grant(&first);
    for company in wizard.companies.clone() {
        wizard.grants.insert(company, source.clone());
    }
}

fn request_of(
    state: &AppState,
    current: &CurrentUser,
    wizard: &Wizard,
    emails: Vec<String>,
) -> InviteRequest {
    let grants: Vec<CompanyGrant> = wizard
        .companies
        .iter()
        .map(|c| {
            let g = wizard.grant(c);
            CompanyGrant {
                company: *c,
                roles: g.roles,
                all_locations: g.all_locations,
                all_product_groups: g.all_product_groups,
            }
        })
        .collect();
    InviteRequest {
        emails,
        grants,
        person: wizard.person.clone(),
        send_email: wizard.send_email,
        ..crate::web::invitations::request_for(state, current)
    }
}

/// "Create user": a password chosen now instead of an invitation.
async fn create(
    state: &AppState,
    current: &CurrentUser,
    wizard: Wizard,
    password: String,
    confirm: String,
) -> Result<HttpResponse, WebError> {
    let emails = match invitations::parse_emails(&wizard.emails) {
        Ok(emails) => emails,
        Err(message) => return page(state, current, Step::Emails, wizard, message).await,
    };
    let request = request_of(state, current, &wizard, emails);
    let change = current.change(state);
    let pool = state.pool.clone();
    let result = state
        .blocking(move || {
            let mut conn = pool.get()?;
            Ok(invitations::create_with_password(
                &mut conn, &change, &request, &password, &confirm,
            ))
        })
        .await?;
    match result {
        Ok(_) => {
            current.flash(
                crate::web::session::FlashKind::Success,
                format!(
                    "User {} created. Give them the password; they must change it when they first sign in.",
                    wizard.emails.trim()
                ),
            );
            Ok(crate::web::redirect(&format!(
                "/users?q={}",
                crate::web::errors::encode_query_value(wizard.emails.trim())
            )))
        }
        Err(crate::domain::Error::Invalid(errors)) => {
            page(state, current, Step::Access, wizard, errors.to_string()).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn invite(
    state: &AppState,
    current: &CurrentUser,
    wizard: Wizard,
) -> Result<HttpResponse, WebError> {
    let emails = match invitations::parse_emails(&wizard.emails) {
        Ok(emails) => emails,
        Err(message) => return page(state, current, Step::Emails, wizard, message).await,
    };
    let request = request_of(state, current, &wizard, emails);
    let change = current.change(state);
    let result = state
        .db(move |conn| Ok(invitations::invite(conn, &change, &request)))
        .await?;
    match result {
        Ok(outcome) => {
            state.mail_wake.notify_one();
            let page = DonePage {
                layout: current.layout("Invitations sent")?,
                sent: wizard.send_email,
                outcome,
            };
            Ok(render(StatusCode::OK, &page))
        }
        Err(crate::domain::Error::Invalid(errors)) => {
            page(state, current, Step::Access, wizard, errors.to_string()).await
        }
        Err(other) => Err(other.into()),
    }
}
