//! The "Are you sure?" page before anything destructive.

use crate::web::layout::Layout;
use askama::Template;

/// "Are you sure?" before anything destructive: works without JavaScript.
#[derive(Template)]
#[template(path = "confirm.html")]
pub struct ConfirmPage<'a> {
    pub layout: Layout,
    pub message: &'a str,
    pub action: &'a str,
    pub button: &'a str,
    pub cancel: &'a str,
}
