//! Email: every message is an outbox row written in the transaction that causes it
//! ([`outbox`]); a background worker ([`worker`]) delivers it through SMTP or into .eml
//! files, with retries, and reports a permanent rejection back to the invitation.

pub mod templates;
pub mod worker;

use crate::config::MailUrl;
use lettre::message::{Mailbox, MultiPart};
use lettre::{FileTransport, Message, SmtpTransport, Transport};
use std::time::Duration;

/// Where emails go: an SMTP server, or a folder of .eml files (the default, for trying
/// Roster out without a mail server).
pub enum Mailer {
    Smtp(SmtpTransport),
    File(FileTransport),
}

use crate::domain::outbox;
pub use crate::domain::outbox::Failure;

impl Mailer {
    pub fn new(url: &MailUrl) -> std::io::Result<Self> {
        Ok(match url {
            // A relay on the local network, as self-hosted installs use; TLS is its job.
            MailUrl::Smtp { host, port } => Mailer::Smtp(
                SmtpTransport::builder_dangerous(host)
                    .port(*port)
                    .timeout(Some(Duration::from_secs(15)))
                    .build(),
            ),
            // Checked when the configuration was read.
            MailUrl::Url(url) => Mailer::Smtp(
                SmtpTransport::from_url(url)
                    .map_err(std::io::Error::other)?
                    .timeout(Some(Duration::from_secs(15)))
                    .build(),
            ),
            MailUrl::File(dir) => {
                std::fs::create_dir_all(dir)?;
                Mailer::File(FileTransport::new(dir))
            }
        })
    }

    pub fn send(&self, from: &Mailbox, email: &outbox::OutboxRow) -> Result<(), Failure> {
        let to: Mailbox = email.to_address.parse().map_err(|e| Failure {
            permanent: true,
            reason: format!("the address cannot be used: {e}"),
        })?;
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(email.subject.clone())
            // Unique to the email (random, drawn when it was queued) under the sender's own
            // domain, as RFC 5322 asks, and the same on every attempt: a receiver can tell
            // a retry from a new email.
            .message_id(Some(format!(
                "<{}@{}>",
                email.message_id,
                from.email.domain()
            )))
            .multipart(MultiPart::alternative_plain_html(
                email.text_body.clone(),
                email.html_body.clone(),
            ))
            .map_err(|e| Failure {
                permanent: true,
                reason: format!("the email could not be built: {e}"),
            })?;
        match self {
            Mailer::Smtp(transport) => transport.send(&message).map(|_| ()).map_err(|e| Failure {
                permanent: e.is_permanent(),
                reason: e.to_string(),
            }),
            Mailer::File(transport) => transport.send(&message).map(|_| ()).map_err(|e| Failure {
                permanent: false,
                reason: e.to_string(),
            }),
        }
    }
}
