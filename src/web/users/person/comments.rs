//! The Comments tab: administrators' notes on a user, newest first, with a form to add one.

use super::{Person, load};
use crate::auth::policy::{Action, Target};
use crate::domain::FieldErrors;
use crate::domain::comments::{self, Comment};
use crate::domain::paging::{Page, PageRequest};
use crate::web::csrf::CsrfForm;
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::layout::Layout;
use crate::web::respond::{redirect, render};
use crate::web::session::FlashKind;
use crate::web::state::AppState;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

const PER_PAGE: i64 = 50;

#[derive(Deserialize)]
pub struct CommentsQuery {
    page: Option<i64>,
}

#[derive(Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    body: String,
}

#[derive(Template)]
#[template(path = "users/person/comments.html")]
struct CommentsPage {
    layout: Layout,
    person: Person,
    tab: &'static str,
    comments: Page<Comment>,
    body: String,
    errors: FieldErrors,
}

impl CommentsPage {
    fn page_link(&self, page: i64) -> String {
        format!("/users/{}/comments?page={page}", self.person.user.id)
    }
}

async fn page(
    state: &AppState,
    current: &CurrentUser,
    person: Person,
    page: Option<i64>,
    body: String,
    errors: FieldErrors,
) -> Result<HttpResponse, WebError> {
    let user = person.user.clone();
    let request = PageRequest::new(page, PER_PAGE);
    let comments = state
        .db(move |conn| Ok(comments::of_user(conn, &user, request)?))
        .await?;
    let status = crate::web::respond::form_status(&errors);
    let page = CommentsPage {
        layout: current.layout(format!("{}: Comments", person.user.display_name))?,
        person,
        tab: "comments",
        comments,
        body,
        errors,
    };
    Ok(render(status, &page))
}

pub async fn show(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
    query: web::Query<CommentsQuery>,
) -> Result<HttpResponse, WebError> {
    let (person, _) = load(&state, &current, *id).await?;
    current.authorize(
        Action::CommentOnUser,
        Target::UserInAnyCompany(&person.target),
    )?;
    page(
        &state,
        &current,
        person,
        query.page,
        String::new(),
        FieldErrors::default(),
    )
    .await
}

pub async fn add(
    state: web::Data<AppState>,
    current: CurrentUser,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<CommentForm>,
) -> Result<HttpResponse, WebError> {
    let (person, _) = load(&state, &current, *id).await?;
    let permit = current.authorize(
        Action::CommentOnUser,
        Target::UserInAnyCompany(&person.target),
    )?;
    let (user, body) = (person.user.id, form.body.clone());
    match state
        .form(move |conn| comments::add(conn, &permit, user, &body))
        .await?
    {
        Ok(()) => {
            current.flash(FlashKind::Success, "Comment added.");
            Ok(redirect(&format!("/users/{}/comments", user.0)))
        }
        Err(errors) => page(&state, &current, person, None, form.body, errors).await,
    }
}
