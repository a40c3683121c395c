//! My Profile -> Two-factor authentication: set it up with a QR code (or the secret typed
//! by hand) confirmed by a current code, then see the recovery codes once; renew them; turn
//! it off with the password and a code, unless it is required. A user who must have it
//! and has not set it up is sent here before any other page (web::current_user).

use crate::auth::totp::{self, TotpSecret};
use crate::domain::FieldErrors;
use crate::domain::two_factor;
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

/// The secret being set up in this session, made on first use.
fn enrolling_secret(current: &CurrentUser) -> Result<TotpSecret, WebError> {
    if let Some(secret) = session::enrolling(&current.session)
        .as_deref()
        .and_then(TotpSecret::from_base32)
    {
        return Ok(secret);
    }
    let secret = TotpSecret::generate();
    session::set_enrolling(&current.session, &secret.to_base32())?;
    Ok(secret)
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
        let secret = enrolling_secret(current)?;
        let url = secret
            .otpauth_url(&current.user.email)
            .ok_or_else(|| WebError::Internal("otpauth address".into()))?;
        Some(Setup {
            qr_svg: totp::qr_svg(&url).ok_or_else(|| WebError::Internal("QR code".into()))?,
            secret: secret.to_base32(),
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
    code: String,
}

pub async fn enrol(
    req: HttpRequest,
    state: web::Data<AppState>,
    current: CurrentUser,
    CsrfForm(form): CsrfForm<EnrolForm>,
) -> Result<HttpResponse, WebError> {
    let Some(secret) = session::enrolling(&current.session)
        .as_deref()
        .and_then(TotpSecret::from_base32)
    else {
        current.flash(
            FlashKind::Error,
            "That setup has run out. Scan the new QR code below and enter a code again.",
        );
        return Ok(redirect(PATH));
    };
    let permit = current.own();
    let seal = state.seal.clone();
    let code: String = form.code.chars().take(64).collect();
    let outcome = state
        .form(move |conn| {
            two_factor::enrol(
                conn,
                &permit,
                &seal,
                &secret,
                &code,
                &crate::mail::templates::TEMPLATES,
            )
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
        Err(errors) => page(&state, &current, errors).await,
    }
}

#[derive(Deserialize)]
pub struct RenewForm {
    #[serde(default)]
    renew_code: String,
}

pub async fn renew_codes(
    state: web::Data<AppState>,
    current: CurrentUser,
    CsrfForm(form): CsrfForm<RenewForm>,
) -> Result<HttpResponse, WebError> {
    let permit = current.own();
    let seal = state.seal.clone();
    let code: String = form.renew_code.chars().take(64).collect();
    let outcome = state
        .form(move |conn| {
            two_factor::renew_recovery_codes(
                conn,
                &permit,
                &seal,
                &code,
                &crate::mail::templates::TEMPLATES,
            )
        })
        .await?;
    match outcome {
        Ok(codes) => {
            state.mail_wake.notify_one();
            codes_page(&current, codes, false)
        }
        Err(errors) => {
            // The form's field is renew_code: the page has a second code field.
            let mut shown = FieldErrors::default();
            shown.add("renew_code", errors.text("code").to_owned());
            page(&state, &current, shown).await
        }
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
    state: web::Data<AppState>,
    current: CurrentUser,
    CsrfForm(form): CsrfForm<DisableForm>,
) -> Result<HttpResponse, WebError> {
    let permit = current.own();
    let seal = state.seal.clone();
    let password: String = form
        .current_password
        .chars()
        .take(crate::domain::limits::PASSWORD)
        .collect();
    let code: String = form.code.chars().take(64).collect();
    let outcome = state
        .form(move |conn| {
            two_factor::disable(
                conn,
                &permit,
                &seal,
                &password,
                &code,
                &crate::mail::templates::TEMPLATES,
            )
        })
        .await?;
    match outcome {
        Ok(()) => {
            state.mail_wake.notify_one();
            current.flash(FlashKind::Success, "Two-factor authentication is off.");
            Ok(redirect(PATH))
        }
        Err(errors) => page(&state, &current, errors).await,
    }
}
