//! HTTP: routes, middleware and small handlers. The folders mirror templates/: auth,
//! users, profile and config; the files beside them are the web layer's own machinery.

pub mod assets;
pub mod auth;
pub mod client_ip;
pub mod config;
pub mod confirm;
pub mod copy;
pub mod csrf;
pub mod current_user;
pub mod error_page;
pub mod errors;
pub mod health;
pub mod home;
pub mod layout;
pub mod middleware;
pub mod nav;
pub mod next;
pub mod paths;
pub mod profile;
pub mod request_log;
pub mod respond;
pub mod router;
pub mod session;
pub mod session_store;
pub mod state;
pub mod users;

use crate::auth::policy::Action;
use crate::web::router::{Mount, Need, Server};
use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    mount(&mut Server(cfg));
}

/// Every route, with what it needs. Order matters: actix takes the first route that
/// matches, so fixed segments ("new", "edit", "options") come before the patterns that
/// would also match them.
pub fn mount(r: &mut impl Mount) {
    r.get("/", Need::Nobody, home::home);
    r.get("/healthz", Need::Nobody, health::healthz);
    r.get("/static/roster.css", Need::Nobody, assets::stylesheet);
    r.get("/login", Need::Nobody, auth::login::show);
    r.post("/login", Need::Nobody, auth::login::submit);
    r.get("/login/account", Need::Nobody, auth::choose_account::show);
    r.post("/login/account", Need::Nobody, auth::choose_account::submit);
    r.get(auth::code::PATH, Need::Nobody, auth::code::show);
    r.post(auth::code::PATH, Need::Nobody, auth::code::submit);
    r.post("/logout", Need::SignedIn, auth::login::logout);
    r.get("/setup/{token}", Need::Nobody, auth::setup::show);
    r.post("/setup/{token}", Need::Nobody, auth::setup::submit);
    r.get("/profile", Need::SignedIn, profile::show::show);
    r.post("/profile/info", Need::SignedIn, profile::info::save);
    r.post(
        "/profile/subscriptions",
        Need::SignedIn,
        profile::subscriptions::save,
    );
    r.get(
        profile::password::PATH,
        Need::SignedIn,
        profile::password::show,
    );
    r.post(
        profile::password::PATH,
        Need::SignedIn,
        profile::password::submit,
    );
    r.get(
        profile::two_factor::PATH,
        Need::SignedIn,
        profile::two_factor::show,
    );
    r.post(
        "/profile/two-factor/enrol",
        Need::SignedIn,
        profile::two_factor::enrol,
    );
    r.post(
        "/profile/two-factor/recovery-codes",
        Need::SignedIn,
        profile::two_factor::renew_codes,
    );
    r.post(
        "/profile/two-factor/disable",
        Need::SignedIn,
        profile::two_factor::disable,
    );
    r.post(
        "/profile/sessions/end",
        Need::SignedIn,
        profile::sessions::end_sessions,
    );
    r.post(
        "/profile/sessions/others/end",
        Need::SignedIn,
        profile::sessions::end_other_sessions,
    );
    r.post(
        "/profile/sessions/{id}/end",
        Need::SignedIn,
        profile::sessions::end_one_session,
    );
    r.get("/invitation/{token}", Need::Nobody, auth::accept::show);
    r.get(
        "/password/forgot",
        Need::Nobody,
        auth::password_reset::forgot_show,
    );
    r.post(
        "/password/forgot",
        Need::Nobody,
        auth::password_reset::forgot_submit,
    );
    r.get(
        "/password/reset/{token}",
        Need::Nobody,
        auth::password_reset::reset_show,
    );
    r.post(
        "/password/reset/{token}",
        Need::Nobody,
        auth::password_reset::reset_submit,
    );
    r.get(
        "/email-change/{token}",
        Need::Nobody,
        auth::email_change::show,
    );
    r.post(
        "/email-change/{token}",
        Need::Nobody,
        auth::email_change::confirm,
    );
    r.post("/invitation/{token}", Need::Nobody, auth::accept::submit);
    r.get(
        "/users/invite",
        Need::Somewhere(Action::InviteUsers),
        users::invite::start,
    );
    r.post(
        "/users/invite",
        Need::Somewhere(Action::InviteUsers),
        users::invite::submit,
    );
    r.get(
        "/users/{id}/invitation",
        Need::Somewhere(Action::InviteUsers),
        users::invitation::show,
    );
    r.post(
        "/users/{id}/invitation/email",
        Need::Somewhere(Action::InviteUsers),
        users::invitation::change_email,
    );
    r.post(
        "/users/{id}/invitation/resend",
        Need::Somewhere(Action::InviteUsers),
        users::invitation::resend,
    );
    r.get(
        "/users/{id}/invitation/revoke",
        Need::Somewhere(Action::InviteUsers),
        users::invitation::confirm_revoke,
    );
    r.post(
        "/users/{id}/invitation/revoke",
        Need::Somewhere(Action::InviteUsers),
        users::invitation::revoke,
    );
    r.get(
        "/users",
        Need::Somewhere(Action::ViewUsers),
        users::list::list,
    );
    r.get(
        "/users/export.csv",
        Need::Somewhere(Action::ViewUsers),
        users::export::export,
    );
    r.get(
        "/users/advanced",
        Need::Somewhere(Action::ViewUsers),
        users::advanced::show,
    );
    r.get(
        "/users/filters",
        Need::Somewhere(Action::ViewUsers),
        users::saved_filters::list,
    );
    r.post(
        "/users/filters",
        Need::Somewhere(Action::ViewUsers),
        users::saved_filters::save,
    );
    r.post(
        "/users/filters/{id}/rename",
        Need::Somewhere(Action::ViewUsers),
        users::saved_filters::rename,
    );
    r.post(
        "/users/filters/{id}/default",
        Need::Somewhere(Action::ViewUsers),
        users::saved_filters::make_default,
    );
    r.post(
        "/users/filters/{id}/undefault",
        Need::Somewhere(Action::ViewUsers),
        users::saved_filters::remove_default,
    );
    r.get(
        "/users/filters/{id}/delete",
        Need::Somewhere(Action::ViewUsers),
        users::saved_filters::confirm_delete,
    );
    r.post(
        "/users/filters/{id}/delete",
        Need::Somewhere(Action::ViewUsers),
        users::saved_filters::delete,
    );
    // After every fixed /users/… path above, which "{id}" would also match.
    r.get(
        "/users/{id}",
        Need::Somewhere(Action::ViewUsers),
        users::person::info::show,
    );
    r.post(
        "/users/{id}",
        Need::Somewhere(Action::EditUserIdentity),
        users::person::info::save,
    );
    r.get(
        "/users/{id}/subscriptions",
        Need::Somewhere(Action::ViewUsers),
        users::person::subscriptions::show,
    );
    r.post(
        "/users/{id}/subscriptions",
        Need::Somewhere(Action::EditUserIdentity),
        users::person::subscriptions::save,
    );
    r.post(
        "/users/{id}/email",
        Need::Somewhere(Action::ChangeUserEmail),
        users::person::email::request,
    );
    r.get(
        "/users/{id}/deactivate",
        Need::Somewhere(Action::DeactivateUser),
        users::person::deactivate::show,
    );
    r.post(
        "/users/{id}/deactivate",
        Need::Somewhere(Action::DeactivateUser),
        users::person::deactivate::submit,
    );
    r.get(
        "/users/{id}/reactivate",
        Need::Somewhere(Action::DeactivateUser),
        users::person::reactivate::show,
    );
    r.post(
        "/users/{id}/reactivate",
        Need::Somewhere(Action::DeactivateUser),
        users::person::reactivate::submit,
    );
    r.get(
        "/users/{id}/block",
        Need::Somewhere(Action::BlockUser),
        users::person::standing::confirm_block,
    );
    r.post(
        "/users/{id}/block",
        Need::Somewhere(Action::BlockUser),
        users::person::standing::block,
    );
    r.get(
        "/users/{id}/activate",
        Need::Somewhere(Action::BlockUser),
        users::person::standing::confirm_activate,
    );
    r.post(
        "/users/{id}/activate",
        Need::Somewhere(Action::BlockUser),
        users::person::standing::activate,
    );
    r.get(
        "/users/{id}/sessions/end",
        Need::Somewhere(Action::EndSessions),
        users::person::standing::confirm_end_sessions,
    );
    r.post(
        "/users/{id}/sessions/end",
        Need::Somewhere(Action::EndSessions),
        users::person::standing::end_sessions,
    );
    r.get(
        "/users/{id}/password-reset",
        Need::Somewhere(Action::ResetPassword),
        users::person::password::confirm,
    );
    r.post(
        "/users/{id}/password-reset",
        Need::Somewhere(Action::ResetPassword),
        users::person::password::send,
    );
    r.get(
        "/users/{id}/two-factor/reset",
        Need::Somewhere(Action::ResetTwoFactor),
        users::person::two_factor::confirm,
    );
    r.post(
        "/users/{id}/two-factor/reset",
        Need::Somewhere(Action::ResetTwoFactor),
        users::person::two_factor::reset,
    );
    r.get(
        "/users/{id}/delete",
        Need::Somewhere(Action::DeleteUser),
        users::person::standing::confirm_delete,
    );
    r.post(
        "/users/{id}/delete",
        Need::Somewhere(Action::DeleteUser),
        users::person::standing::delete,
    );
    r.get(
        "/users/{id}/companies",
        Need::Somewhere(Action::ViewUsers),
        users::person::companies::show,
    );
    r.get(
        "/users/{id}/companies/{company}/remove",
        Need::Somewhere(Action::EditUserAccess),
        users::person::companies::confirm_remove,
    );
    r.post(
        "/users/{id}/companies/{company}/remove",
        Need::Somewhere(Action::EditUserAccess),
        users::person::companies::remove,
    );
    r.get(
        "/users/{id}/access/{tab}",
        Need::Somewhere(Action::ViewUsers),
        users::person::access::show,
    );
    r.post(
        "/users/{id}/access",
        Need::Somewhere(Action::EditUserAccess),
        users::person::access::submit,
    );
    r.get(
        "/users/{id}/comments",
        Need::Somewhere(Action::CommentOnUser),
        users::person::comments::show,
    );
    r.post(
        "/users/{id}/comments",
        Need::Somewhere(Action::CommentOnUser),
        users::person::comments::add,
    );
    r.get(
        "/users/{id}/activity",
        Need::Somewhere(Action::ViewAudit),
        users::person::activity::show,
    );
    r.get(
        "/users/{id}/security",
        Need::Somewhere(Action::ViewUsers),
        users::person::security::show,
    );
    r.post(
        "/users/{id}/security",
        Need::Somewhere(Action::EditUserSecurity),
        users::person::security::save,
    );
    r.get("/config", Need::SignedIn, config::hub::show);
    r.get(
        "/config/companies",
        Need::Account(Action::ManageCompanies),
        config::companies::list,
    );
    r.post(
        "/config/companies",
        Need::Account(Action::ManageCompanies),
        config::companies::create,
    );
    r.get(
        "/config/companies/{id}/edit",
        Need::Account(Action::ManageCompanies),
        config::companies::edit,
    );
    r.post(
        "/config/companies/{id}/edit",
        Need::Account(Action::ManageCompanies),
        config::companies::update,
    );
    r.post(
        "/config/companies/{id}/archive",
        Need::Account(Action::ManageCompanies),
        config::companies::archive,
    );
    r.post(
        "/config/companies/{id}/restore",
        Need::Account(Action::ManageCompanies),
        config::companies::restore,
    );
    r.post(
        "/config/companies/{company}/fields/{id}/options",
        Need::Somewhere(Action::ManageConfig),
        config::catalog::create_option,
    );
    r.get(
        "/config/companies/{company}/{kind}",
        Need::Somewhere(Action::ManageConfig),
        config::catalog::list,
    );
    r.post(
        "/config/companies/{company}/{kind}",
        Need::Somewhere(Action::ManageConfig),
        config::catalog::create,
    );
    r.get(
        "/config/companies/{company}/{kind}/{id}",
        Need::Somewhere(Action::ManageConfig),
        config::catalog::edit,
    );
    r.post(
        "/config/companies/{company}/{kind}/{id}",
        Need::Somewhere(Action::ManageConfig),
        config::catalog::update,
    );
    r.get(
        "/config/companies/{company}/{kind}/{id}/delete",
        Need::Somewhere(Action::ManageConfig),
        config::catalog::confirm_delete,
    );
    r.post(
        "/config/companies/{company}/{kind}/{id}/{action}",
        Need::Somewhere(Action::ManageConfig),
        config::catalog::change_state,
    );
    r.get(
        "/config/roles",
        Need::Account(Action::ManageRoles),
        config::roles::list,
    );
    r.post(
        "/config/roles",
        Need::Account(Action::ManageRoles),
        config::roles::create,
    );
    r.get(
        "/config/roles/new",
        Need::Account(Action::ManageRoles),
        config::roles::new,
    );
    r.get(
        "/config/roles/{id}",
        Need::Account(Action::ManageRoles),
        config::roles::edit,
    );
    r.post(
        "/config/roles/{id}",
        Need::Account(Action::ManageRoles),
        config::roles::update,
    );
    r.get(
        "/config/roles/{id}/delete",
        Need::Account(Action::ManageRoles),
        config::roles::confirm_delete,
    );
    r.post(
        "/config/roles/{id}/delete",
        Need::Account(Action::ManageRoles),
        config::roles::delete,
    );
    r.get(
        "/config/permissions",
        Need::Account(Action::ManageRoles),
        config::roles::permissions,
    );
    r.get(
        "/config/admins",
        Need::Account(Action::ManageAdmins),
        config::admins::list,
    );
    r.post(
        "/config/admins",
        Need::Account(Action::ManageAdmins),
        config::admins::add,
    );
    r.get(
        "/config/admins/{id}/remove",
        Need::Account(Action::ManageAdmins),
        config::admins::confirm_remove,
    );
    r.post(
        "/config/admins/{id}/remove",
        Need::Account(Action::ManageAdmins),
        config::admins::remove,
    );
    r.get(
        "/config/settings",
        Need::Account(Action::ManageConfig),
        config::settings::show,
    );
    r.post(
        "/config/settings",
        Need::Account(Action::ManageConfig),
        config::settings::save,
    );
    r.get(
        "/config/{kind}",
        Need::Somewhere(Action::ManageConfig),
        config::catalog::choose_company,
    );
}
