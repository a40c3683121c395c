//! The emails' words: askama templates, a plain-text and an HTML part each, behind the
//! domain's `Letters`.

use crate::domain::outbox::{
    AccountCreatedLetter, EmailChangeLetter, InvitationLetter, Letter, Letters,
    PasswordChangedLetter, PasswordResetLetter, SubstituteLetter, TwoFactorLetter, WeeklyLetter,
    one_line,
};
use crate::domain::users::UserRow;
use crate::domain::{Error, Result};
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

#[derive(Template)]
#[template(path = "mail/weekly.txt")]
struct WeeklyText<'a> {
    account: &'a str,
    total: i64,
    people: &'a [UserRow],
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/weekly.html")]
struct WeeklyHtml<'a> {
    account: &'a str,
    total: i64,
    people: &'a [UserRow],
    link: &'a str,
}

/// A template drawn from one letter struct, `l`.
macro_rules! letter_template {
    ($name:ident, $letter:ident, $path:literal) => {
        #[derive(Template)]
        #[template(path = $path)]
        struct $name<'a> {
            l: &'a $letter<'a>,
        }
    };
}

letter_template!(EmailChangeText, EmailChangeLetter, "mail/email_change.txt");
letter_template!(EmailChangeHtml, EmailChangeLetter, "mail/email_change.html");
letter_template!(
    EmailChangeNoticeText,
    EmailChangeLetter,
    "mail/email_change_notice.txt"
);
letter_template!(
    EmailChangeNoticeHtml,
    EmailChangeLetter,
    "mail/email_change_notice.html"
);
letter_template!(SubstituteText, SubstituteLetter, "mail/substitute.txt");
letter_template!(SubstituteHtml, SubstituteLetter, "mail/substitute.html");
letter_template!(
    CreatedText,
    AccountCreatedLetter,
    "mail/account_created.txt"
);
letter_template!(
    CreatedHtml,
    AccountCreatedLetter,
    "mail/account_created.html"
);
letter_template!(ResetText, PasswordResetLetter, "mail/password_reset.txt");
letter_template!(ResetHtml, PasswordResetLetter, "mail/password_reset.html");
letter_template!(
    ChangedText,
    PasswordChangedLetter,
    "mail/password_changed.txt"
);
letter_template!(
    ChangedHtml,
    PasswordChangedLetter,
    "mail/password_changed.html"
);

letter_template!(TwoFactorText, TwoFactorLetter, "mail/two_factor.txt");
letter_template!(TwoFactorHtml, TwoFactorLetter, "mail/two_factor.html");

/// Roster's emails, as askama templates.
#[derive(Debug)]
pub struct Templates;

pub static TEMPLATES: Templates = Templates;

fn failed(what: &str) -> impl Fn(askama::Error) -> Error + '_ {
    move |e| Error::Internal(format!("{what} email: {e}"))
}

impl Letters for Templates {
    fn account_created(&self, l: &AccountCreatedLetter<'_>) -> Result<Letter> {
        Ok(Letter {
            subject: one_line(&format!(
                "{} created your account in {} on Roster",
                l.inviter, l.account
            )),
            text: CreatedText { l }
                .render()
                .map_err(failed("account created"))?,
            html: CreatedHtml { l }
                .render()
                .map_err(failed("account created"))?,
        })
    }

    fn password_reset(&self, l: &PasswordResetLetter<'_>) -> Result<Letter> {
        Ok(Letter {
            subject: one_line(&format!("Choose a new password for {}", l.account)),
            text: ResetText { l }.render().map_err(failed("password reset"))?,
            html: ResetHtml { l }.render().map_err(failed("password reset"))?,
        })
    }

    fn password_changed(&self, l: &PasswordChangedLetter<'_>) -> Result<Letter> {
        Ok(Letter {
            subject: one_line(&format!("Your password for {} was changed", l.account)),
            text: ChangedText { l }
                .render()
                .map_err(failed("password changed"))?,
            html: ChangedHtml { l }
                .render()
                .map_err(failed("password changed"))?,
        })
    }

    fn two_factor(&self, l: &TwoFactorLetter<'_>) -> Result<Letter> {
        Ok(Letter {
            subject: one_line(&format!(
                "Two-factor authentication for {}: {}",
                l.account, l.what
            )),
            text: TwoFactorText { l }.render().map_err(failed("two-factor"))?,
            html: TwoFactorHtml { l }.render().map_err(failed("two-factor"))?,
        })
    }

    fn substitute(&self, l: &SubstituteLetter<'_>) -> Result<Letter> {
        Ok(Letter {
            subject: one_line(&format!(
                "You are {}'s substitute in {}",
                l.deactivated, l.company
            )),
            text: SubstituteText { l }
                .render()
                .map_err(failed("substitute"))?,
            html: SubstituteHtml { l }
                .render()
                .map_err(failed("substitute"))?,
        })
    }

    fn email_change(&self, l: &EmailChangeLetter<'_>) -> Result<Letter> {
        Ok(Letter {
            subject: one_line(&format!("Confirm your new email address for {}", l.account)),
            text: EmailChangeText { l }
                .render()
                .map_err(failed("email change"))?,
            html: EmailChangeHtml { l }
                .render()
                .map_err(failed("email change"))?,
        })
    }

    fn email_change_notice(&self, l: &EmailChangeLetter<'_>) -> Result<Letter> {
        Ok(Letter {
            subject: one_line(&format!(
                "A change of your email address for {} was asked for",
                l.account
            )),
            text: EmailChangeNoticeText { l }
                .render()
                .map_err(failed("email change notice"))?,
            html: EmailChangeNoticeHtml { l }
                .render()
                .map_err(failed("email change notice"))?,
        })
    }

    fn invitation(&self, l: &InvitationLetter<'_>) -> Result<Letter> {
        let (account, inviter, link, expires) = (l.account, l.inviter, l.link, l.expires);
        Ok(Letter {
            subject: one_line(&format!("{inviter} invited you to {account} on Roster")),
            text: InvitationText {
                account,
                inviter,
                link,
                expires,
            }
            .render()
            .map_err(failed("invitation"))?,
            html: InvitationHtml {
                account,
                inviter,
                link,
                expires,
            }
            .render()
            .map_err(failed("invitation"))?,
        })
    }

    fn weekly(&self, l: &WeeklyLetter<'_>) -> Result<Letter> {
        let (account, total, people, link) = (l.account, l.total, l.people, l.link);
        Ok(Letter {
            subject: one_line(&format!(
                "{total} users without access to a required custom field in {account}"
            )),
            text: WeeklyText {
                account,
                total,
                people,
                link,
            }
            .render()
            .map_err(failed("weekly"))?,
            html: WeeklyHtml {
                account,
                total,
                people,
                link,
            }
            .render()
            .map_err(failed("weekly"))?,
        })
    }
}
