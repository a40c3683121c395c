//! The wizard's end: the invitations (and their emails), or "Create user" with a password
//! chosen now; a refusal goes back to the step it is about.

use super::{Context, page};
use crate::auth::policy::{Action, Permit, Target};
use crate::domain::invitations::{self, InviteOutcome, InviteRequest};
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::layout::Layout;
use crate::web::respond::render;
use crate::web::state::AppState;
use crate::web::users::access::{Step, Wizard};
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

#[derive(Template)]
#[template(path = "users/invite_done.html")]
struct DonePage {
    layout: Layout,
    outcome: InviteOutcome,
    sent: bool,
}

/// The colleague's info fields: a refusal about one of them is shown on that step.
const PERSON_FIELDS: [&str; 5] = [
    "first_name",
    "last_name",
    "display_name",
    "phone",
    "username",
];

fn request_of(
    state: &AppState,
    current: &CurrentUser,
    wizard: &Wizard,
    emails: Vec<String>,
) -> InviteRequest {
    let grants = wizard.grants();
    InviteRequest {
        emails,
        grants,
        person: wizard.person.clone(),
        send_email: wizard.send_email,
        add_existing: wizard.add_existing,
        ..crate::web::users::invitation::request_for(state, current)
    }
}

/// A permit to invite into each company the wizard gives access to.
fn permits(current: &CurrentUser, wizard: &Wizard) -> Result<Vec<Permit>, WebError> {
    let account = current.account.id;
    wizard
        .companies
        .iter()
        .map(|c| current.authorize(Action::InviteUsers, Target::Company(account, *c)))
        .collect()
}

/// How the wizard ends: invitations, or "Create user" with a password chosen now.
pub(super) enum Finish {
    Invite,
    Create { password: String, confirm: String },
}

enum Finished {
    Invited(InviteOutcome),
    Created,
}

pub(super) async fn finish(
    state: &AppState,
    current: &CurrentUser,
    ctx: &Context,
    mut wizard: Wizard,
    how: Finish,
) -> Result<HttpResponse, WebError> {
    let emails = match invitations::parse_emails(&wizard.emails) {
        Ok(emails) => emails,
        Err(message) => {
            return page(current, ctx, Step::Emails, wizard, message, String::new());
        }
    };
    let request = request_of(state, current, &wizard, emails);
    let permits = permits(current, &wizard)?;
    let result = state
        .form(move |conn| match how {
            Finish::Invite => invitations::invite(conn, &permits, &request).map(Finished::Invited),
            Finish::Create { password, confirm } => {
                invitations::create_with_password(conn, &permits, &request, &password, &confirm)
                    .map(|_| Finished::Created)
            }
        })
        .await?;
    match result {
        Ok(Finished::Invited(outcome)) => {
            state.mail_wake.notify_one();
            let page = DonePage {
                layout: current.layout("Invitations sent")?,
                sent: wizard.send_email,
                outcome,
            };
            Ok(render(StatusCode::OK, &page))
        }
        Ok(Finished::Created) => {
            let email = wizard.emails.trim();
            current.flash(
                crate::web::session::FlashKind::Success,
                format!(
                    "User {email} created. Give them the password; they must change it when they first sign in."
                ),
            );
            Ok(crate::web::respond::redirect(&format!(
                "/users?q={}",
                crate::web::errors::encode_query_value(email)
            )))
        }
        Err(errors) => {
            let about_person = PERSON_FIELDS.iter().any(|f| errors.get(f).is_some());
            let step = if about_person {
                Step::Info
            } else {
                Step::Access
            };
            if errors.get("roles").is_some() {
                wizard.show_roles();
            }
            page(current, ctx, step, wizard, errors, String::new())
        }
    }
}
