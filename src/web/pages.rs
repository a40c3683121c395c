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
