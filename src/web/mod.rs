//! HTTP: routes, middleware and small handlers. The folders mirror templates/: auth,
//! users, profile and config; the files beside them are the web layer's own machinery.

pub mod assets;
pub mod auth;
pub mod client_ip;
pub mod config;
pub mod confirm;
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
pub mod session;
pub mod session_store;
pub mod state;
pub mod users;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::home))
        .route("/healthz", web::get().to(health::healthz))
        .route("/static/roster.css", web::get().to(assets::stylesheet))
        .route("/login", web::get().to(auth::login::show))
        .route("/login", web::post().to(auth::login::submit))
        .route("/login/account", web::get().to(auth::choose_account::show))
        .route(
            "/login/account",
            web::post().to(auth::choose_account::submit),
        )
        .route("/logout", web::post().to(auth::login::logout))
        .route("/setup/{token}", web::get().to(auth::setup::show))
        .route("/setup/{token}", web::post().to(auth::setup::submit))
        .route("/profile", web::get().to(profile::show::show))
        .route(
            profile::password::PATH,
            web::get().to(profile::password::show),
        )
        .route(
            profile::password::PATH,
            web::post().to(profile::password::submit),
        )
        .route(
            "/profile/sessions/end",
            web::post().to(profile::sessions::end_sessions),
        )
        .route(
            "/profile/sessions/others/end",
            web::post().to(profile::sessions::end_other_sessions),
        )
        .route(
            "/profile/sessions/{id}/end",
            web::post().to(profile::sessions::end_one_session),
        );
    cfg.route("/invitation/{token}", web::get().to(auth::accept::show))
        .route("/invitation/{token}", web::post().to(auth::accept::submit))
        .route("/users/invite", web::get().to(users::invite::start))
        .route("/users/invite", web::post().to(users::invite::submit))
        .route(
            "/users/{id}/invitation",
            web::get().to(users::invitation::show),
        )
        .route(
            "/users/{id}/invitation/email",
            web::post().to(users::invitation::change_email),
        )
        .route(
            "/users/{id}/invitation/resend",
            web::post().to(users::invitation::resend),
        )
        .route(
            "/users/{id}/invitation/revoke",
            web::get().to(users::invitation::confirm_revoke),
        )
        .route(
            "/users/{id}/invitation/revoke",
            web::post().to(users::invitation::revoke),
        );
    cfg.route("/users", web::get().to(users::list::list))
        .route("/users/export.csv", web::get().to(users::export::export))
        .route("/users/advanced", web::get().to(users::advanced::show))
        .route("/users/filters", web::get().to(users::saved_filters::list))
        .route("/users/filters", web::post().to(users::saved_filters::save))
        .route(
            "/users/filters/{id}/rename",
            web::post().to(users::saved_filters::rename),
        )
        .route(
            "/users/filters/{id}/default",
            web::post().to(users::saved_filters::make_default),
        )
        .route(
            "/users/filters/{id}/undefault",
            web::post().to(users::saved_filters::remove_default),
        )
        .route(
            "/users/filters/{id}/delete",
            web::get().to(users::saved_filters::confirm_delete),
        )
        .route(
            "/users/filters/{id}/delete",
            web::post().to(users::saved_filters::delete),
        );
    config_routes(cfg);
}

/// Order matters: actix takes the first route that matches, so fixed segments ("new",
/// "edit", "options") come before the patterns that would also match them.
fn config_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/config", web::get().to(config::hub::show))
        .route("/config/companies", web::get().to(config::companies::list))
        .route(
            "/config/companies",
            web::post().to(config::companies::create),
        )
        .route(
            "/config/companies/{id}/edit",
            web::get().to(config::companies::edit),
        )
        .route(
            "/config/companies/{id}/edit",
            web::post().to(config::companies::update),
        )
        .route(
            "/config/companies/{id}/archive",
            web::post().to(config::companies::archive),
        )
        .route(
            "/config/companies/{id}/restore",
            web::post().to(config::companies::restore),
        )
        .route(
            "/config/companies/{company}/fields/{id}/options",
            web::post().to(config::catalog::create_option),
        )
        .route(
            "/config/companies/{company}/{kind}",
            web::get().to(config::catalog::list),
        )
        .route(
            "/config/companies/{company}/{kind}",
            web::post().to(config::catalog::create),
        )
        .route(
            "/config/companies/{company}/{kind}/{id}",
            web::get().to(config::catalog::edit),
        )
        .route(
            "/config/companies/{company}/{kind}/{id}",
            web::post().to(config::catalog::update),
        )
        .route(
            "/config/companies/{company}/{kind}/{id}/delete",
            web::get().to(config::catalog::confirm_delete),
        )
        .route(
            "/config/companies/{company}/{kind}/{id}/{action}",
            web::post().to(config::catalog::change_state),
        )
        .route("/config/roles", web::get().to(config::roles::list))
        .route("/config/roles", web::post().to(config::roles::create))
        .route("/config/roles/new", web::get().to(config::roles::new))
        .route("/config/roles/{id}", web::get().to(config::roles::edit))
        .route("/config/roles/{id}", web::post().to(config::roles::update))
        .route(
            "/config/roles/{id}/delete",
            web::get().to(config::roles::confirm_delete),
        )
        .route(
            "/config/roles/{id}/delete",
            web::post().to(config::roles::delete),
        )
        .route(
            "/config/permissions",
            web::get().to(config::roles::permissions),
        )
        .route("/config/admins", web::get().to(config::admins::list))
        .route("/config/admins", web::post().to(config::admins::add))
        .route(
            "/config/admins/{id}/remove",
            web::get().to(config::admins::confirm_remove),
        )
        .route(
            "/config/admins/{id}/remove",
            web::post().to(config::admins::remove),
        )
        .route("/config/settings", web::get().to(config::settings::show))
        .route("/config/settings", web::post().to(config::settings::save))
        .route(
            "/config/{kind}",
            web::get().to(config::catalog::choose_company),
        );
}
