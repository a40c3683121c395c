//! My Profile -> Two-factor authentication: set it up with a QR code (or the key typed by
//! hand) confirmed by the password and a current code, then see the recovery codes once;
//! renew them; turn it off, unless it is required. Each change asks for the password, so a
//! session left open is not enough. A user who must have it and has not set it up is sent
//! here before any other page (web::current_user).

use crate::auth::totp::{self, TotpSecret};
use crate::domain::two_factor;
use crate::domain::{Error, FieldErrors};
use crate::web::csrf::CsrfForm;
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::layout::Layout;
use crate::web::respond::{form_status, redirect, render};
use crate::web::session::{self, FlashKind};
use crate::web::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub const PATH: &str = crate::web::paths::TWO_FACTOR;

/// What the set-up part of the page shows: the QR code and the same secret as text.
struct Setup {
    qr_svg: String,
    secret: String,
}

#[derive(Template)]
#[template(path = "profile/two_factor.html")]
struct TwoFactorPage {
    layout: Layout,
    /// Set up already.
    on: bool,
    /// Required of this user (by their administrator or for everyone).
    required: bool,
    /// Sent here to set it up before anything else: the page offers no way back (other
    /// pages would only send them here again).
    must_enrol: bool,
    setup: Option<Setup>,
    codes_left: i64,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "profile/recovery_codes.html")]
struct RecoveryCodesPage {
    layout: Layout,
    codes: Vec<String>,
    /// Shown right after setting up (not after renewing).
    first_time: bool,
}

/// What the secret being set up is sealed for in the session row: this user, enrolling.
fn enrolling_owner(current: &CurrentUser) -> Vec<u8> {
    let mut owner = two_factor::owner(current.user.id);
    owner.extend_from_slice(b" enrolling");
    owner
}

/// The secret shown for setting up in this session, if any (kept sealed in the row).
fn shown_secret(state: &AppState, current: &CurrentUser) -> Option<TotpSecret> {
    let sealed = session::enrolling(&current.session)?;
    state.seal.open(&sealed, &enrolling_owner(current))
}

/// The secret being set up in this session, made on first use.
fn enrolling_secret(state: &AppState, current: &CurrentUser) -> Result<TotpSecret, WebError> {
    if let Some(secret) = shown_secret(state, current) {
        return Ok(secret);
    }
    let secret = TotpSecret::generate();
    let sealed = state
        .seal
        .seal(&secret, &enrolling_owner(current))
        .ok_or_else(|| WebError::Internal("could not seal a TOTP secret".into()))?;
    session::set_enrolling(&current.session, &sealed)?;
    Ok(secret)
}

/// The label the authenticator app shows: the email and the account, so one person in two
/// accounts tells the two apart.
fn app_label(current: &CurrentUser) -> String {
    format!("{} ({})", current.user.email, current.account.name)
}

async fn page(
    state: &AppState,
    current: &CurrentUser,
    errors: FieldErrors,
) -> Result<HttpResponse, WebError> {
    let on = current.user.totp_secret.is_some();
    let setup = if on {
        None
    } else {
        let secret = enrolling_secret(state, current)?;
        let url = secret
            .otpauth_url(&app_label(current))
            .ok_or_else(|| WebError::Internal("otpauth address".into()))?;
        Some(Setup {
            qr_svg: totp::qr_svg(&url).ok_or_else(|| WebError::Internal("QR code".into()))?,
            secret: secret.to_base32_grouped(),
        })
    };
    let user = current.user.id;
    let codes_left = if on {
        state
            .db(move |conn| Ok(two_factor::recovery_codes_left(conn, user)?))
            .await?
    } else {
        0
    };
    let page = TwoFactorPage {
        layout: current.layout("Two-factor authentication")?,
        on,
        required: two_factor::required(&current.user, &current.account),
        must_enrol: two_factor::must_enrol(&current.user, &current.account),
        setup,
        codes_left,
        errors,
    };
    Ok(render(form_status(&page.errors), &page))
}

pub async fn show(
    state: web::Data<AppState>,
    current: CurrentUser,
) -> Result<HttpResponse, WebError> {
    page(&state, &current, FieldErrors::default()).await
}

fn codes_page(
    current: &CurrentUser,
    codes: Vec<String>,
    first_time: bool,
) -> Result<HttpResponse, WebError> {
    let page = RecoveryCodesPage {
        layout: current.layout("Your recovery codes")?,
        codes,
        first_time,
    };
    let mut response = render(StatusCode::OK, &page);
    // Shown once: not for the browser's cache or its back button.
    response.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub struct EnrolForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    code: String,
}

fn password_of(typed: &str) -> String {
    typed
        .chars()
        .take(crate::domain::limits::PASSWORD)
        .collect()
}

fn code_of(typed: &str) -> String {
    typed.chars().take(64).collect()
}

/// The way back to the page with a message: a form sent twice (a double click), a state
/// changed in another tab, a refusal (locked, required).
fn back_with(current: &CurrentUser, kind: FlashKind, message: String) -> HttpResponse {
    current.flash(kind, message);
    redirect(PATH)
}

/// A refusal of the domain that is not about a field, as a message on the page.
fn refusal(current: &CurrentUser, error: Error) -> Result<HttpResponse, WebError> {
    match error {
        Error::Conflict(message) => Ok(back_with(current, FlashKind::Error, message)),
        Error::Changed => Ok(back_with(
            current,
            FlashKind::Error,
            "Your account was changed meanwhile (in another tab, or by an administrator). \
             Check the page and try again."
                .into(),
        )),
        other => Err(other.into()),
    }
}

pub async fn enrol(
    req: HttpRequest,
    state: web::Data<AppState>,
    current: CurrentUser,
    CsrfForm(form): CsrfForm<EnrolForm>,
) -> Result<HttpResponse, WebError> {
    state.limit_sign_ins(state.client_ip(&req))?;
    if current.user.totp_secret.is_some() {
        return Ok(back_with(&current, FlashKind::Info, already_on()));
    }
    let Some(secret) = shown_secret(&state, &current) else {
        current.flash(
            FlashKind::Error,
            "That setup has run out. Scan the new QR code below and enter a code again.",
        );
        return Ok(redirect(PATH));
    };
    let permit = current.own();
    let seal = state.seal.clone();
    let (password, code) = (password_of(&form.current_password), code_of(&form.code));
    let outcome = state
        .db(move |conn| {
            Ok(two_factor::enrol(
                conn,
                &permit,
                &seal,
                &secret,
                &password,
                &code,
                &crate::mail::templates::TEMPLATES,
            ))
        })
        .await?;
    match outcome {
        Ok(codes) => {
            state.mail_wake.notify_one();
            // A stronger sign-in than the session was made with: a new session key.
            session::start(
                &current.session,
                &current.user,
                session::Client::of(&req, &state),
            )?;
            codes_page(&current, codes, true)
        }
        Err(Error::Invalid(errors)) => page(&state, &current, errors).await,
        Err(other) => refusal(&current, other),
    }
}

fn already_on() -> String {
    format!(
        "{} Lost the recovery codes? Make new ones below.",
        two_factor::ALREADY_ON
    )
}

#[derive(Deserialize)]
pub struct RenewForm {
    #[serde(default)]
    renew_password: String,
    #[serde(default)]
    renew_code: String,
}

pub async fn renew_codes(
    req: HttpRequest,
    state: web::Data<AppState>,
    current: CurrentUser,
    CsrfForm(form): CsrfForm<RenewForm>,
) -> Result<HttpResponse, WebError> {
    state.limit_sign_ins(state.client_ip(&req))?;
    let permit = current.own();
    let seal = state.seal.clone();
    let (password, code) = (password_of(&form.renew_password), code_of(&form.renew_code));
    let outcome = state
        .db(move |conn| {
            Ok(two_factor::renew_recovery_codes(
                conn,
                &permit,
                &seal,
                &password,
                &code,
                &crate::mail::templates::TEMPLATES,
            ))
        })
        .await?;
    match outcome {
        Ok(codes) => {
            state.mail_wake.notify_one();
            codes_page(&current, codes, false)
        }
        // Beside renew_password and renew_code: the page has a second password field.
        Err(Error::Invalid(errors)) => page(&state, &current, errors).await,
        Err(other) => refusal(&current, other),
    }
}

#[derive(Deserialize)]
pub struct DisableForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    code: String,
}

pub async fn disable(
    req: HttpRequest,
    state: web::Data<AppState>,
    current: CurrentUser,
    CsrfForm(form): CsrfForm<DisableForm>,
) -> Result<HttpResponse, WebError> {
    state.limit_sign_ins(state.client_ip(&req))?;
    let permit = current.own();
    let seal = state.seal.clone();
    let (password, code) = (password_of(&form.current_password), code_of(&form.code));
    let outcome = state
        .db(move |conn| {
            Ok(two_factor::disable(
                conn,
                &permit,
                &seal,
                &password,
                &code,
                &crate::mail::templates::TEMPLATES,
            ))
        })
        .await?;
    match outcome {
        Ok(()) => {
            state.mail_wake.notify_one();
            current.flash(FlashKind::Success, "Two-factor authentication is off.");
            Ok(redirect(PATH))
        }
        Err(Error::Invalid(errors)) => page(&state, &current, errors).await,
        Err(other) => refusal(&current, other),
    }
}
