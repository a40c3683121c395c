//! GET and POST /setup/{token}: the one-time link with which the first account administrator
//! chooses the account's name, their email, names and password.

use crate::auth::password;
use crate::domain::audit::Origin;
use crate::domain::setup::{self, FirstAdmin, LinkProblem};
use crate::domain::{FieldErrors, users};
use crate::web::auth::link_problem::LinkProblemPage;
use crate::web::csrf::CsrfForm;
use crate::web::errors::WebError;
use crate::web::layout::Layout;
use crate::web::respond::{redirect, render};
use crate::web::session::{self, FlashKind};
use crate::web::state::AppState;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

#[derive(Deserialize, Default, Clone)]
pub struct SetupForm {
    #[serde(default)]
    account_name: String,
    #[serde(default)]
    company_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

#[derive(Template)]
#[template(path = "auth/setup.html")]
struct SetupPage<'a> {
    layout: Layout,
    token: &'a str,
    form: &'a SetupForm,
    errors: FieldErrors,
}

fn problem_page(session: &Session, problem: LinkProblem) -> Result<HttpResponse, WebError> {
    let (status, title, message, show_login) = match problem {
        LinkProblem::Unknown => (
            StatusCode::NOT_FOUND,
            "Setup link not valid",
            "This setup link is not valid. Check that you copied the whole link Roster printed.",
            false,
        ),
        LinkProblem::Used => (
            StatusCode::GONE,
            "Setup link already used",
            "This setup link has already been used: the first administrator exists. Sign in with \
             the email and password chosen then.",
            true,
        ),
        LinkProblem::Replaced => (
            StatusCode::GONE,
            "Setup link replaced",
            "A newer setup link replaced this one. Use the link Roster printed most recently, or \
             create an administrator with `roster create-admin`.",
            false,
        ),
        LinkProblem::Expired => (
            StatusCode::GONE,
            "Setup link expired",
            "This setup link has expired. Restart Roster to print a new one, or create an \
             administrator with `roster create-admin`.",
            false,
        ),
    };
    LinkProblemPage::respond(session, status, title, message, show_login)
}

pub async fn show(
    session: Session,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let token = token.into_inner();
    let now = state.clock.now_naive();
    let lookup = token.clone();
    let account = state
        .db(move |conn| Ok(setup::check_link(conn, &lookup, now)?))
        .await?;
    let account = match account {
        Ok(account) => account,
        Err(problem) => return problem_page(&session, problem),
    };
    let company = {
        let id = account.id;
        state
            .db(move |conn| Ok(crate::domain::companies::active_for_account(conn, id)?))
            .await?
            .into_iter()
            .next()
            .map(|c| c.name)
            .unwrap_or_default()
    };
    let form = SetupForm {
        account_name: account.name,
        company_name: company,
        ..SetupForm::default()
    };
    let page = SetupPage {
        layout: Layout::anonymous("Create the first administrator", &session)?,
        token: &token,
        form: &form,
        errors: FieldErrors::default(),
    };
    Ok(render(StatusCode::OK, &page))
}

fn validate(form: &SetupForm) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for (field, label, value) in [
        ("account_name", "Account name", &form.account_name),
        ("company_name", "Company name", &form.company_name),
    ] {
        if value.trim().is_empty() {
            errors.add(field, format!("Enter the {}.", label.to_lowercase()));
        }
        users::check_name(&mut errors, field, label, value.trim());
    }
    users::check_email(&mut errors, "email", form.email.trim());
    users::check_name(
        &mut errors,
        "first_name",
        "First name",
        form.first_name.trim(),
    );
    users::check_name(&mut errors, "last_name", "Last name", form.last_name.trim());
    let context = [
        form.email.trim(),
        form.first_name.trim(),
        form.last_name.trim(),
        form.account_name.trim(),
    ];
    crate::domain::passwords::check_new(
        &mut errors,
        &form.password,
        &form.password_confirm,
        &context,
    );
    errors
}

pub async fn submit(
    req: HttpRequest,
    session: Session,
    state: web::Data<AppState>,
    token: web::Path<String>,
    CsrfForm(mut form): CsrfForm<SetupForm>,
) -> Result<HttpResponse, WebError> {
    let token = token.into_inner();
    // Hashing a password is expensive: throttle like sign-in, and check the link first.
    state.limit_sign_ins(state.client_ip(&req))?;
    let now = state.clock.now_naive();
    let lookup = token.clone();
    if let Err(problem) = state
        .db(move |conn| Ok(setup::check_link(conn, &lookup, now)?))
        .await?
    {
        return problem_page(&session, problem);
    }
    let errors = validate(&form);
    if !errors.is_empty() {
        // Passwords are never sent back into the page.
        form.password.clear();
        form.password_confirm.clear();
        let page = SetupPage {
            layout: Layout::anonymous("Create the first administrator", &session)?,
            token: &token,
            form: &form,
            errors,
        };
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let password = std::mem::take(&mut form.password);
    // Kept for the page again should the domain refuse a field; passwords never go back.
    let kept = SetupForm {
        password_confirm: String::new(),
        ..form.clone()
    };
    let lookup_token = token.clone();
    let hash = state
        .blocking(move || password::hash(&password).map_err(|e| WebError::Internal(e.to_string())))
        .await?;
    let origin = Origin {
        actor: None,
        ip: state.client_ip(&req).map(|ip| ip.to_string()),
    };
    let outcome = state
        .form(move |conn| {
            let admin = FirstAdmin {
                account_name: form.account_name.trim(),
                company_name: form.company_name.trim(),
                email: form.email.trim(),
                first_name: form.first_name.trim(),
                last_name: form.last_name.trim(),
                password_hash: hash,
            };
            setup::complete(conn, &token, admin, &origin, now)
        })
        .await?;
    match outcome {
        Err(errors) => {
            let page = SetupPage {
                layout: Layout::anonymous("Create the first administrator", &session)?,
                token: &lookup_token,
                form: &kept,
                errors,
            };
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Ok(Ok(user)) => {
            session::start(&session, &user, session::Client::of(&req, &state))?;
            session::push_flash(
                &session,
                FlashKind::Success,
                "Welcome to Roster. You are the account's first administrator.",
            );
            Ok(redirect("/profile"))
        }
        Ok(Err(problem)) => problem_page(&session, problem),
    }
}
