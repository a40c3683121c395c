//! The Activity tab: what happened to this user and what they did, newest first, 50 a page;
//! shown to whom holds audit.view in one of the user's companies.

use super::{Person, load};
use crate::auth::policy::{Action, Target};
use crate::domain::activity::{self, Entry};
use crate::domain::paging::{Page, PageRequest};
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::layout::Layout;
use crate::web::respond::render;
use crate::web::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

const PER_PAGE: i64 = 50;

#[derive(Deserialize)]
pub struct ActivityQuery {
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "users/person/activity.html")]
struct ActivityPage {
    layout: Layout,
    person: Person,
    tab: &'static str,
    events: Page<Entry>,
}

impl ActivityPage {
    fn page_link(&self, page: i64) -> String {
        format!("/users/{}/activity?page={page}", self.person.user.id)
    }
}

pub async fn show(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
    query: web::Query<ActivityQuery>,
) -> Result<HttpResponse, WebError> {
    let (person, _) = load(&state, &current, *id).await?;
    current.authorize(Action::ViewAudit, Target::UserInAnyCompany(&person.target))?;
    let user = person.user.clone();
    let request = PageRequest::new(query.page, PER_PAGE);
    let events = state
        .db(move |conn| Ok(activity::of_user(conn, &user, request)?))
        .await?;
    let page = ActivityPage {
        layout: current.layout(format!("{}: Activity", person.user.display_name))?,
        person,
        tab: "activity",
        events,
    };
    Ok(render(StatusCode::OK, &page))
}
