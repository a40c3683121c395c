//! Pages shared by several areas.

use crate::web::layout::Layout;
use askama::Template;

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub layout: Layout,
    pub message: &'a str,
    pub status: u16,
}

/// "Are you sure?" before anything destructive: works without JavaScript.
#[derive(Template)]
#[template(path = "confirm.html")]
pub struct ConfirmPage<'a> {
    pub layout: Layout,
    pub message: &'a str,
    pub action: &'a str,
    pub button: &'a str,
    pub cancel: &'a str,
}

/// A one-time link that cannot be used (setup, invitation): what happened and what to do.
#[derive(Template)]
#[template(path = "auth/link_problem.html")]
pub struct LinkProblemPage {
    pub layout: Layout,
    pub message: &'static str,
    pub show_login: bool,
}

impl LinkProblemPage {
    pub fn respond(
        session: &actix_session::Session,
        status: actix_web::http::StatusCode,
        title: &str,
        message: &'static str,
        show_login: bool,
    ) -> Result<actix_web::HttpResponse, crate::web::errors::WebError> {
        let page = LinkProblemPage {
            layout: Layout::anonymous(title, session)?,
            message,
            show_login,
        };
        Ok(crate::web::respond::render(status, &page))
    }
}
