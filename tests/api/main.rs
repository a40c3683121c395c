//! Integration tests: the real server, a real database per test, on SQLite and PostgreSQL.

mod browser;
mod browser_invite;
mod client;
mod helpers;
mod smtp_sink;

mod cli;
mod client_address;
mod config_access;
mod config_catalog;
mod config_lists;
mod config_rights;
mod config_role_rights;
mod csrf_and_headers;
mod invitation_management;
mod invitations;
mod invite_access;
mod invite_companies;
mod invite_fields;
mod invite_grants;
mod invite_person;
mod layers;
mod limits;
mod mail_delivery;
mod saved_filters;
mod seed;
mod sessions;
mod setup;
mod several_accounts;
mod sign_in;
mod smtp_relay;
mod two_factor_not_built;
mod user_counts;
mod user_filters_advanced;
mod user_list;
mod weekly_letter;
