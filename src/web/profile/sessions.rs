//! My Profile's sessions: sign out everywhere, every other session, or one.

use crate::domain::SessionId;
use crate::domain::sessions;
use crate::web::csrf::{CsrfForm, Empty};
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::respond::redirect;
use crate::web::session::{self, FlashKind};
use crate::web::state::AppState;
use actix_web::{HttpResponse, web};

/// Ends every session of the signed-in user, this one included, by changing the stamp.
pub async fn end_sessions(
    state: web::Data<AppState>,
    current: CurrentUser,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, WebError> {
    let permit = current.own();
    state
        .db(move |conn| Ok(sessions::sign_out_everywhere(conn, &permit)?))
        .await?;
    session::end(&current.session);
    session::push_flash(
        &current.session,
        FlashKind::Success,
        "You were signed out on every device. Sign in again to continue.",
    );
    Ok(redirect("/login"))
}

/// Signs out every other session of the user; this one goes on.
pub async fn end_other_sessions(
    state: web::Data<AppState>,
    current: CurrentUser,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, WebError> {
    let Some(this) = session::row(&current.session) else {
        return Err(WebError::Internal(
            "a signed-in session without its row".into(),
        ));
    };
    let permit = current.own();
    let ended = state
        .db(move |conn| Ok(sessions::sign_out_others(conn, &permit, this.id)?))
        .await?;
    let message = match ended {
        0 => "You had no other sessions.".to_owned(),
        1 => "1 other session was signed out.".to_owned(),
        n => format!("{n} other sessions were signed out."),
    };
    current.flash(FlashKind::Success, message);
    Ok(redirect("/profile#sessions"))
}

/// Signs out one session of the user, from its row in My Profile.
pub async fn end_one_session(
    state: web::Data<AppState>,
    current: CurrentUser,
    path: web::Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, WebError> {
    let id = SessionId(path.into_inner());
    let permit = current.own();
    state
        .db(move |conn| Ok(sessions::sign_out_one(conn, &permit, id)?))
        .await?;
    if session::row(&current.session).is_some_and(|r| r.id == id) {
        session::end(&current.session);
        session::push_flash(&current.session, FlashKind::Success, "You are signed out.");
        return Ok(redirect("/login"));
    }
    current.flash(FlashKind::Success, "The session was signed out.");
    Ok(redirect("/profile#sessions"))
}
