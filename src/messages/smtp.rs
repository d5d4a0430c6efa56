//! Email over SMTP with lettre: one pooled async transport, STARTTLS, TLS and AUTH as the
//! `GROUPWORK_SMTP_URL` says (`smtp://host:25`, `smtp://user:pass@host:587?tls=required`,
//! `smtps://user:pass@host:465`). Each email has a plain-text and an HTML part, the calendar
//! attachment when there is one, and the message's stable reference as its `Message-ID`.

use super::providers::Outcome;
use crate::store::messages::Message;
use lettre::message::{header::ContentType, Attachment, Mailbox, MultiPart};
use lettre::transport::smtp::{self, PoolConfig};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::sync::OnceLock;
use std::time::Duration;

type Transport = AsyncSmtpTransport<Tokio1Executor>;

pub struct Smtp {
    /// Checked when the worker is made; the pool itself is made by the first send, inside the
    /// runtime that sends: lettre's pool spawns a task when it is made and when it is dropped,
    /// which outside a Tokio runtime panics (the worker is made before the runtime runs).
    builder: smtp::AsyncSmtpTransportBuilder,
    pool: OnceLock<Pooled>,
    from: String,
}

/// The pooled transport and the runtime it was made on, where it is also dropped.
struct Pooled {
    transport: Option<Transport>,
    runtime: tokio::runtime::Handle,
}

impl Drop for Pooled {
    fn drop(&mut self) {
        let _inside = self.runtime.enter();
        drop(self.transport.take());
    }
}

impl Smtp {
    /// A pooled transport for `url`, sending from `from` (checked here, so a typo stops the
    /// start rather than failing every message).
    pub fn new(url: &str, from: &str, pool_size: u32) -> Result<Self, String> {
        from.parse::<Mailbox>()
            .map_err(|e| format!("GROUPWORK_MAIL_FROM {from:?} is not an address: {e}"))?;
        let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("GROUPWORK_SMTP_URL is not an SMTP URL: {e}"))?
            .timeout(Some(Duration::from_secs(20)))
            .pool_config(PoolConfig::new().max_size(pool_size.max(1)));
        Ok(Smtp {
            builder,
            pool: OnceLock::new(),
            from: from.to_string(),
        })
    }

    /// The pooled transport, made on first use in the calling runtime.
    fn transport(&self) -> Result<&Transport, String> {
        if self.pool.get().is_none() {
            let runtime = tokio::runtime::Handle::try_current()
                .map_err(|e| format!("no async runtime to send from: {e}"))?;
            // A send that lost the race drops its own pool here, inside the runtime.
            let _ = self.pool.set(Pooled {
                transport: Some(self.builder.clone().build()),
                runtime,
            });
        }
        self.pool
            .get()
            .and_then(|p| p.transport.as_ref())
            .ok_or_else(|| "the SMTP transport is gone".to_string())
    }

    pub async fn send(&self, m: &Message) -> Outcome {
        let email = match email(&self.from, m) {
            Ok(e) => e,
            Err(e) => return Outcome::Failed(e),
        };
        let transport = match self.transport() {
            Ok(t) => t,
            Err(e) => return Outcome::Retry(e),
        };
        match transport.send(email).await {
            Ok(answer) => Outcome::Sent {
                provider_id: answer
                    .message()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .chars()
                    .take(200)
                    .collect(),
            },
            Err(e) => classify(&e),
        }
    }
}

/// A 5xx answer is the server's final word (no such mailbox, refused); anything else — a 4xx,
/// a dropped connection, a timeout — may pass if tried again.
fn classify(e: &smtp::Error) -> Outcome {
    let text = e.to_string();
    if e.is_permanent() {
        Outcome::Failed(text)
    } else {
        Outcome::Retry(text)
    }
}

/// The domain of the sender's address, for `Message-ID`s.
fn domain(from: &str) -> &str {
    from.rsplit('@')
        .next()
        .map(|d| d.trim_end_matches('>'))
        .filter(|d| !d.is_empty())
        .unwrap_or("groupwork.invalid")
}

/// The email for an outbox row. A recipient that is not an address is a permanent failure.
pub fn email(from: &str, m: &Message) -> Result<lettre::Message, String> {
    let to: Mailbox = m
        .recipient
        .parse()
        .map_err(|e| format!("{:?} is not an email address: {e}", m.recipient))?;
    let from_box: Mailbox = from
        .parse()
        .map_err(|e| format!("the sender {from:?} is not an address: {e}"))?;
    let body = MultiPart::alternative_plain_html(m.body_text.clone(), m.body_html.clone());
    let body = if m.calendar.is_empty() {
        body
    } else {
        let calendar = ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH")
            .map_err(|e| e.to_string())?;
        MultiPart::mixed().multipart(body).singlepart(
            Attachment::new("sessions.ics".to_string()).body(m.calendar.clone(), calendar),
        )
    };
    lettre::Message::builder()
        .from(from_box)
        .to(to)
        .subject(m.subject.clone())
        .message_id(Some(format!("<{}@{}>", m.reference, domain(from))))
        .multipart(body)
        .map_err(|e| format!("cannot build the email: {e}"))
}
