//! GET /config: the configuration areas the signed-in user may open.

use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::layout::Layout;
use crate::web::nav::{self, Area};
use crate::web::respond::render;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

#[derive(Template)]
#[template(path = "config/hub.html")]
struct HubPage {
    layout: Layout,
    areas: Vec<Area>,
}

pub async fn show(current: CurrentUser) -> Result<HttpResponse, WebError> {
    let areas = nav::config_areas(&current.actor);
    if areas.is_empty() {
        return Err(WebError::Forbidden(
            "You do not have the right to configure this account.".into(),
        ));
    }
    Ok(render(
        StatusCode::OK,
        &HubPage {
            layout: current.layout("Configuration")?,
            areas,
        },
    ))
}
