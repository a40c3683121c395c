//! Pages shared by several areas.

use crate::web::layout::Layout;
use askama::Template;

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub layout: Layout,
    pub message: &'a str,
    pub status: u16,
}

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
