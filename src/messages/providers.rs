//! Where a message goes once it is due: an SMTP server, GOV.UK Notify, or (with neither set up,
//! as in the demo) a folder of files anyone can open.

use super::{notify::Notify, smtp::Smtp};
use crate::domain::message::Channel;
use crate::store::messages::Message;
use std::path::PathBuf;

/// What a provider said of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Taken, with the provider's own id for it.
    Sent { provider_id: String },
    /// A temporary failure (server down, busy, rate-limited): try again later.
    Retry(String),
    /// Refused for good (a bad address, a rejected message).
    Failed(String),
}

/// One way of sending.
pub enum Provider {
    Smtp(Smtp),
    Notify(Notify),
    Folder(Folder),
}

impl Provider {
    pub fn name(&self) -> &'static str {
        match self {
            Provider::Smtp(_) => "smtp",
            Provider::Notify(_) => "notify",
            Provider::Folder(_) => "folder",
        }
    }

    pub async fn send(&self, m: &Message) -> Outcome {
        match self {
            Provider::Smtp(p) => p.send(m).await,
            Provider::Notify(p) => p.send(m).await,
            Provider::Folder(p) => p.write(m).await,
        }
    }
}

/// The provider for each channel.
pub struct Providers {
    pub email: Provider,
    pub sms: Provider,
}

impl Providers {
    pub fn for_channel(&self, c: Channel) -> &Provider {
        match c {
            Channel::Email => &self.email,
            Channel::Sms => &self.sms,
        }
    }
}

/// Writes each message as a file: emails as `.eml` (open them in any mail program), text
/// messages as `.txt`. For the demo and for trying the service without a mail server.
pub struct Folder {
    pub dir: PathBuf,
    /// The sender emails are written from.
    pub from: String,
}

impl Folder {
    async fn write(&self, m: &Message) -> Outcome {
        let (name, bytes) = match m.channel {
            Channel::Email => match super::smtp::email(&self.from, m) {
                Ok(email) => (format!("{}.eml", m.reference), email.formatted()),
                Err(e) => return Outcome::Failed(e),
            },
            Channel::Sms => (
                format!("{}.sms.txt", m.reference),
                format!("To: {}\n\n{}\n", m.recipient, m.body_text).into_bytes(),
            ),
        };
        let path = self.dir.join(name);
        let dir = self.dir.clone();
        let written = tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&dir)?;
            std::fs::write(&path, bytes).map(|_| path)
        })
        .await;
        match written {
            Ok(Ok(path)) => Outcome::Sent {
                provider_id: path.display().to_string(),
            },
            Ok(Err(e)) => Outcome::Retry(format!("cannot write to the mail folder: {e}")),
            Err(e) => Outcome::Retry(e.to_string()),
        }
    }
}
