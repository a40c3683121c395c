//! The emails' words: askama templates, a plain-text and an HTML part each.

use askama::Template;

#[derive(Template)]
#[template(path = "mail/invitation.txt")]
pub struct InvitationText<'a> {
    pub account: &'a str,
    pub inviter: &'a str,
    pub link: &'a str,
    pub expires: &'a str,
}

#[derive(Template)]
#[template(path = "mail/invitation.html")]
pub struct InvitationHtml<'a> {
    pub account: &'a str,
    pub inviter: &'a str,
    pub link: &'a str,
    pub expires: &'a str,
}

/// A subject made of names people typed: a line break in a name becomes a space (the outbox
/// refuses line breaks in headers, and a name is no reason to refuse an email).
pub fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

/// Subject, text and HTML of an invitation.
pub fn invitation(
    account: &str,
    inviter: &str,
    link: &str,
    expires: &str,
) -> Result<(String, String, String), askama::Error> {
    let subject = one_line(&format!("{inviter} invited you to {account} on Roster"));
    let text = InvitationText {
        account,
        inviter,
        link,
        expires,
    }
    .render()?;
    let html = InvitationHtml {
        account,
        inviter,
        link,
        expires,
    }
    .render()?;
    Ok((subject, text, html))
}
