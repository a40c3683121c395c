//! GET /: the profile for a signed-in user, the sign-in page for anyone else.

use crate::web::respond::redirect;
use crate::web::session;
use actix_session::Session;
use actix_web::HttpResponse;

pub async fn home(session: Session) -> HttpResponse {
    if session::signed_in(&session).is_some() {
        redirect("/profile")
    } else {
        redirect("/login")
    }
}
