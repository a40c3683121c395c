//! The page for a one-time link that cannot be used.

use crate::web::layout::Layout;
use askama::Template;

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
