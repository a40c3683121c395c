//! HTTP: routes, middleware and small handlers, one module per area. Handlers parse and
//! authorize, call the domain, and render a template or redirect.

pub mod accept;
pub mod admins;
pub mod catalog;
pub mod choose_account;
pub mod client_ip;
pub mod companies;
pub mod config_hub;
pub mod csrf;
pub mod current_user;
pub mod error_page;
pub mod errors;
pub mod invitations;
pub mod invite;
pub mod layout;
pub mod login;
pub mod middleware;
pub mod misc;
pub mod nav;
pub mod next;
pub mod pages;
pub mod password;
pub mod paths;
pub mod profile;
pub mod request_log;
pub mod respond;
pub mod roles;
pub mod saved_filters;
pub mod session;
pub mod session_store;
pub mod settings;
pub mod setup;
pub mod state;
pub mod users;
pub mod users_advanced;
pub mod users_export;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(misc::home))
        .route("/healthz", web::get().to(misc::healthz))
        .route("/static/roster.css", web::get().to(misc::stylesheet))
        .route("/login", web::get().to(login::show))
        .route("/login", web::post().to(login::submit))
        .route("/login/account", web::get().to(choose_account::show))
        .route("/login/account", web::post().to(choose_account::submit))
        .route("/logout", web::post().to(login::logout))
        .route("/setup/{token}", web::get().to(setup::show))
        .route("/setup/{token}", web::post().to(setup::submit))
        .route("/profile", web::get().to(profile::show))
        .route(password::PATH, web::get().to(password::show))
        .route(password::PATH, web::post().to(password::submit))
        .route(
            "/profile/sessions/end",
            web::post().to(profile::end_sessions),
        )
        .route(
            "/profile/sessions/others/end",
            web::post().to(profile::end_other_sessions),
        )
        .route(
            "/profile/sessions/{id}/end",
            web::post().to(profile::end_one_session),
        );
    cfg.route("/invitation/{token}", web::get().to(accept::show))
        .route("/invitation/{token}", web::post().to(accept::submit))
        .route("/users/invite", web::get().to(invite::start))
        .route("/users/invite", web::post().to(invite::submit))
        .route("/users/{id}/invitation", web::get().to(invitations::show))
        .route(
            "/users/{id}/invitation/email",
            web::post().to(invitations::change_email),
        )
        .route(
            "/users/{id}/invitation/resend",
            web::post().to(invitations::resend),
        )
        .route(
            "/users/{id}/invitation/revoke",
            web::get().to(invitations::confirm_revoke),
        )
        .route(
            "/users/{id}/invitation/revoke",
            web::post().to(invitations::revoke),
        );
    cfg.route("/users", web::get().to(users::list))
        .route("/users/export.csv", web::get().to(users_export::export))
        .route("/users/advanced", web::get().to(users_advanced::show))
        .route("/users/filters", web::get().to(saved_filters::list))
        .route("/users/filters", web::post().to(saved_filters::save))
        .route(
            "/users/filters/{id}/rename",
            web::post().to(saved_filters::rename),
        )
        .route(
            "/users/filters/{id}/default",
            web::post().to(saved_filters::make_default),
        )
        .route(
            "/users/filters/{id}/undefault",
            web::post().to(saved_filters::remove_default),
        )
        .route(
            "/users/filters/{id}/delete",
            web::get().to(saved_filters::confirm_delete),
        )
        .route(
            "/users/filters/{id}/delete",
            web::post().to(saved_filters::delete),
        );
    config_routes(cfg);
}

/// Order matters: actix takes the first route that matches, so fixed segments ("new",
/// "edit", "options") come before the patterns that would also match them.
fn config_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/config", web::get().to(config_hub::show))
        .route("/config/companies", web::get().to(companies::list))
        .route("/config/companies", web::post().to(companies::create))
        .route(
            "/config/companies/{id}/edit",
            web::get().to(companies::edit),
        )
        .route(
            "/config/companies/{id}/edit",
            web::post().to(companies::update),
        )
        .route(
            "/config/companies/{id}/archive",
            web::post().to(companies::archive),
        )
        .route(
            "/config/companies/{id}/restore",
            web::post().to(companies::restore),
        )
        .route(
            "/config/companies/{company}/fields/{id}/options",
            web::post().to(catalog::create_option),
        )
        .route(
            "/config/companies/{company}/{kind}",
            web::get().to(catalog::list),
        )
        .route(
            "/config/companies/{company}/{kind}",
            web::post().to(catalog::create),
        )
        .route(
            "/config/companies/{company}/{kind}/{id}",
            web::get().to(catalog::edit),
        )
        .route(
            "/config/companies/{company}/{kind}/{id}",
            web::post().to(catalog::update),
        )
        .route(
            "/config/companies/{company}/{kind}/{id}/delete",
            web::get().to(catalog::confirm_delete),
        )
        .route(
            "/config/companies/{company}/{kind}/{id}/{action}",
            web::post().to(catalog::change_state),
        )
        .route("/config/roles", web::get().to(roles::list))
        .route("/config/roles", web::post().to(roles::create))
        .route("/config/roles/new", web::get().to(roles::new))
        .route("/config/roles/{id}", web::get().to(roles::edit))
        .route("/config/roles/{id}", web::post().to(roles::update))
        .route(
            "/config/roles/{id}/delete",
            web::get().to(roles::confirm_delete),
        )
        .route("/config/roles/{id}/delete", web::post().to(roles::delete))
        .route("/config/permissions", web::get().to(roles::permissions))
        .route("/config/admins", web::get().to(admins::list))
        .route("/config/admins", web::post().to(admins::add))
        .route(
            "/config/admins/{id}/remove",
            web::get().to(admins::confirm_remove),
        )
        .route("/config/admins/{id}/remove", web::post().to(admins::remove))
        .route("/config/settings", web::get().to(settings::show))
        .route("/config/settings", web::post().to(settings::save))
        .route("/config/{kind}", web::get().to(catalog::choose_company));
}
