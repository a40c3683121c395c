//! One POST of the wizard: what was posted, the context every step is drawn in, and one
//! function per step that checks what the step sent and draws the next (or the same with
//! the reason).

use super::finish::{Finish, finish};
use super::{Context, Reach, page, reach};
use crate::auth::policy::{Action, Target};
use crate::domain::grants;
use crate::domain::invitations;
use crate::domain::{FieldErrors, limits};
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::state::AppState;
use crate::web::users::access::{Step, Wizard, actions};
use actix_web::HttpResponse;
use std::collections::BTreeMap;

/// The wizard's own fields of a POST (the choices are read by `Wizard::from_pairs`).
pub struct Posted {
    pub step: Step,
    /// The button pressed: "back", "invite", "create", "tab:…", …
    pub go: String,
    select_all: bool,
    password: String,
    confirm: String,
}

impl Posted {
    pub fn of(pairs: &[(String, String)]) -> Posted {
        let field = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        Posted {
            step: Step::parse(&field("step")),
            go: field("go"),
            select_all: field("select_all") == "on",
            password: field("password"),
            confirm: field("password_confirm"),
        }
    }
}

/// What every step of this POST is drawn with.
pub struct Run<'a> {
    current: &'a CurrentUser,
    ctx: Context,
    /// A word for the inviter drawn above the step (a company archived meanwhile).
    notice: String,
    multi: bool,
}

/// Settles the companies (all of them in a one-company account or with "All companies";
/// none archived meanwhile; each one the inviter may invite into) and reads the catalogs
/// the step needs. A page drawn already (no company left) comes back as `Err`.
pub async fn prepare<'a>(
    state: &AppState,
    current: &'a CurrentUser,
    posted: &Posted,
    wizard: &mut Wizard,
) -> Result<Result<Run<'a>, HttpResponse>, WebError> {
    let account = current.account.id;
    let Reach {
        companies: allowed,
        active,
        archived,
        roles,
    } = reach(state, current).await?;
    let multi = allowed.len() > 1;
    if !multi || posted.select_all {
        wizard.companies = allowed.iter().map(|c| c.id).collect();
    }
    // A company archived while the wizard was open leaves it, with a word; any id that is
    // not the account's is a 404; one of the account's the inviter may not invite into, a
    // 403 (the form offered neither).
    let mut notice = String::new();
    let before = wizard.companies.len();
    wizard.companies.retain(|c| !archived.contains(c));
    if wizard.companies.len() < before {
        notice =
            "A chosen company was archived meanwhile: it was taken off this invitation.".into();
    }
    for company in &wizard.companies {
        if !active.contains(company) {
            return Err(WebError::NotFound);
        }
        current.authorize(Action::InviteUsers, Target::Company(account, *company))?;
    }
    let step = posted.step;
    if wizard.companies.is_empty() && step != Step::Emails && step != Step::Companies {
        let ctx = Context {
            companies: allowed,
            roles,
            catalogs: BTreeMap::new(),
        };
        let message = "Choose at least one company.".to_owned();
        let drawn = page(
            current,
            &ctx,
            Step::Companies,
            wizard.clone(),
            message,
            notice,
        )?;
        return Ok(Err(drawn));
    }
    wizard.settle();
    // Only the access step, and the info step that leads to it, draw or read the catalogs.
    let catalogs = if matches!(step, Step::Info | Step::Access) {
        let chosen = wizard.companies.clone();
        state
            .db(move |conn| Ok(grants::catalogs(conn, &chosen)?))
            .await?
    } else {
        BTreeMap::new()
    };
    let ctx = Context {
        companies: allowed,
        roles,
        catalogs,
    };
    Ok(Ok(Run {
        current,
        ctx,
        notice,
        multi,
    }))
}

impl Run<'_> {
    pub fn show(
        &self,
        step: Step,
        wizard: Wizard,
        error: String,
    ) -> Result<HttpResponse, WebError> {
        page(
            self.current,
            &self.ctx,
            step,
            wizard,
            error,
            self.notice.clone(),
        )
    }

    pub fn back(&self, step: Step) -> Step {
        match step {
            Step::Emails | Step::Companies => Step::Emails,
            Step::Info if self.multi => Step::Companies,
            Step::Info => Step::Emails,
            Step::Access => Step::Info,
        }
    }

    /// Reads the access step's boxes first, so Back keeps exactly what was ticked; true
    /// when a ticked option or role is gone meanwhile.
    pub fn read_access(&self, wizard: &mut Wizard) -> bool {
        wizard.send_seen = true;
        actions::read_post(wizard, &self.ctx.catalogs, &self.ctx.roles)
    }

    pub fn emails(&self, wizard: Wizard) -> Result<HttpResponse, WebError> {
        if let Err(message) = invitations::parse_emails(&wizard.emails) {
            return self.show(Step::Emails, wizard, message);
        }
        let next = if self.multi {
            Step::Companies
        } else {
            Step::Info
        };
        self.show(next, wizard, String::new())
    }

    pub fn companies(&self, wizard: Wizard) -> Result<HttpResponse, WebError> {
        if wizard.companies.is_empty() {
            let message = "Choose at least one company.".to_owned();
            return self.show(Step::Companies, wizard, message);
        }
        self.show(Step::Info, wizard, String::new())
    }

    /// The colleague's info is checked for one address; several people share none of it.
    pub fn info(&self, wizard: Wizard) -> Result<HttpResponse, WebError> {
        let several = invitations::parse_emails(&wizard.emails).is_ok_and(|e| e.len() > 1);
        let errors = wizard.person.validate();
        if !several && !errors.is_empty() {
            return page(
                self.current,
                &self.ctx,
                Step::Info,
                wizard,
                errors,
                String::new(),
            );
        }
        self.show(Step::Access, wizard, String::new())
    }

    /// The access step: Invite or Create user ends the wizard; every other button (a
    /// search, a tab, a company, Select All, Apply to All Companies, More) redraws it.
    pub async fn access(
        self,
        state: &AppState,
        mut wizard: Wizard,
        posted: &Posted,
        lost: bool,
    ) -> Result<HttpResponse, WebError> {
        if let Err(message) = limits::search(&wizard.search) {
            let mut fields = FieldErrors::default();
            fields.add("search", message);
            let notice = self.notice.clone();
            return page(
                self.current,
                &self.ctx,
                Step::Access,
                wizard,
                fields,
                notice,
            );
        }
        // Enter in a text field sends the form's first button ("enter"): a search, unless a
        // password was typed and the search and filter were left alone, when it was meant
        // for Create user.
        let go = match posted.go.as_str() {
            "enter" if !posted.password.is_empty() && !wizard.view_changed() => "create",
            "enter" => "view",
            other => other,
        };
        let mut notice = self.notice.clone();
        if lost {
            let again = if go == "create" {
                "Create user"
            } else {
                "Invite"
            };
            let message = format!(
                "Some chosen options or roles are no longer available (archived or deleted \
                 meanwhile) and were unticked. Check the access, then {again}."
            );
            if go == "invite" || go == "create" {
                return self.show(Step::Access, wizard, message);
            }
            notice = message;
        }
        let done = match go {
            "invite" => {
                return finish(state, self.current, &self.ctx, wizard, Finish::Invite).await;
            }
            "create" => {
                let how = Finish::Create {
                    password: posted.password.clone(),
                    confirm: posted.confirm.clone(),
                };
                return finish(state, self.current, &self.ctx, wizard, how).await;
            }
            other => self.redraw(&mut wizard, other),
        };
        let notice = [notice, done]
            .into_iter()
            .filter(|m| !m.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        page(
            self.current,
            &self.ctx,
            Step::Access,
            wizard,
            String::new(),
            notice,
        )
    }

    /// What a button of the access step that does not end the wizard does to it; returns
    /// what to tell the inviter.
    fn redraw(&self, wizard: &mut Wizard, go: &str) -> String {
        let names = self.ctx.names();
        let reach = actions::Reach {
            catalogs: &self.ctx.catalogs,
            names: &names,
            roles: &self.ctx.roles,
            actor: &self.current.actor,
        };
        actions::redraw(wizard, go, &reach)
    }
}
