//! GET /config: the configuration areas the signed-in user may open.

use crate::auth::rights::Right;
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::layout::Layout;
use crate::web::render;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

pub struct Area {
    pub label: &'static str,
    pub href: &'static str,
    pub about: &'static str,
}

/// Whether any configuration area is open to the user (for navigation).
pub fn may_configure(current: &CurrentUser) -> bool {
    !areas(current).is_empty()
}

fn areas(current: &CurrentUser) -> Vec<Area> {
    let actor = &current.actor;
    let mut areas = Vec::new();
    if actor.is_account_admin {
        areas.push(Area {
            label: "Companies",
            href: "/config/companies",
            about: "Add, rename and archive the account's companies.",
        });
    }
    if actor.has_anywhere(Right::ConfigManage) {
        areas.push(Area {
            label: "Locations",
            href: "/config/locations",
            about: "Where people work, per company.",
        });
        areas.push(Area {
            label: "Document Custom Fields",
            href: "/config/fields",
            about: "Departments, projects and other fields with their options, per company.",
        });
        areas.push(Area {
            label: "Product Groups",
            href: "/config/product-groups",
            about: "Groups of products people may buy, per company.",
        });
    }
    if actor.has_anywhere(Right::RolesManage) {
        areas.push(Area {
            label: "Roles",
            href: "/config/roles",
            about: "Roles and the rights they grant.",
        });
        areas.push(Area {
            label: "Permissions",
            href: "/config/permissions",
            about: "Every role against every right, in one table.",
        });
    }
    if actor.is_account_admin {
        areas.push(Area {
            label: "Admins",
            href: "/config/admins",
            about: "The account administrators: every right in every company.",
        });
    }
    if actor.is_account_admin
        || (actor.has_anywhere(Right::ConfigManage)
            && actor.rights.len() >= actor.account_companies)
    {
        areas.push(Area {
            label: "Basic Settings",
            href: "/config/settings",
            about: "Invitations, lockout, sessions, seats, the weekly letter.",
        });
    }
    areas
}

#[derive(Template)]
#[template(path = "config/hub.html")]
struct HubPage {
    layout: Layout,
    areas: Vec<Area>,
}

pub async fn show(current: CurrentUser) -> Result<HttpResponse, WebError> {
    let areas = areas(&current);
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
