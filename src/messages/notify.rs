//! GOV.UK Notify, the service UK councils already use, for email and text messages: its public
//! HTTP API (`POST /v2/notifications/email|sms`), authenticated by a JWT signed with the secret
//! half of the API key. Each kind of message names a Notify template whose content is
//! `((body))` (and, for email, subject `((subject))`): groupwork writes the words, in the
//! family's language, and Notify delivers them.

use super::providers::Outcome;
use crate::domain::message::{Channel, MessageKind};
use crate::store::messages::Message;
use serde_json::json;
use std::collections::HashMap;
use std::time::Duration;

pub struct Notify {
    client: reqwest::Client,
    base_url: String,
    service_id: String,
    secret: String,
    /// Template per (kind, channel); `None` for the kind stands for every kind.
    templates: HashMap<(Option<MessageKind>, Channel), String>,
}

/// Splits an API key, `{key_name}-{service_id}-{secret}` where both ids are 36-character UUIDs.
pub fn split_key(key: &str) -> Result<(String, String), String> {
    let key = key.trim();
    let n = key.len();
    if n < 74 || !key.is_char_boundary(n - 73) || key.as_bytes().get(n - 37) != Some(&b'-') {
        return Err("GROUPWORK_NOTIFY_API_KEY is not a Notify API key".into());
    }
    Ok((key[n - 73..n - 37].to_string(), key[n - 36..].to_string()))
}

/// Reads `kind.channel=template-id` pairs separated by commas; `*` as the kind means any.
/// E.g. `*.email=1111…,*.sms=2222…,reminder.sms=3333…`.
pub fn parse_templates(
    text: &str,
) -> Result<HashMap<(Option<MessageKind>, Channel), String>, String> {
    let mut out = HashMap::new();
    for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let bad =
            || format!("GROUPWORK_NOTIFY_TEMPLATES: {pair:?} is not kind.channel=template-id");
        let (name, id) = pair.split_once('=').ok_or_else(bad)?;
        let (kind, channel) = name.trim().split_once('.').ok_or_else(bad)?;
        let kind = match kind {
            "*" => None,
            k => Some(MessageKind::parse(k).ok_or_else(bad)?),
        };
        let channel = Channel::parse(channel).ok_or_else(bad)?;
        out.insert((kind, channel), id.trim().to_string());
    }
    Ok(out)
}

impl Notify {
    pub fn new(api_key: &str, base_url: &str, templates: &str) -> Result<Self, String> {
        let (service_id, secret) = split_key(api_key)?;
        crate::install_tls_provider();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .map_err(|e| format!("cannot make the Notify client: {e}"))?;
        Ok(Notify {
            client,
            base_url: base_url.trim_end_matches('/').to_string(),
            service_id,
            secret,
            templates: parse_templates(templates)?,
        })
    }

    fn template(&self, m: &Message) -> Option<&String> {
        self.templates
            .get(&(Some(m.kind), m.channel))
            .or_else(|| self.templates.get(&(None, m.channel)))
    }

    /// A fresh token: Notify refuses one issued more than 30 seconds ago.
    fn token(&self) -> Result<String, String> {
        let claims = json!({
            "iss": self.service_id,
            "iat": chrono::Utc::now().timestamp(),
        });
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(self.secret.as_bytes()),
        )
        .map_err(|e| format!("cannot sign the Notify token: {e}"))
    }

    pub async fn send(&self, m: &Message) -> Outcome {
        let Some(template) = self.template(m) else {
            return Outcome::Failed(format!(
                "no Notify template for {} by {} (GROUPWORK_NOTIFY_TEMPLATES)",
                m.kind, m.channel
            ));
        };
        let token = match self.token() {
            Ok(t) => t,
            Err(e) => return Outcome::Retry(e),
        };
        let (path, body) = match m.channel {
            Channel::Email => (
                "email",
                json!({
                    "email_address": m.recipient,
                    "template_id": template,
                    "personalisation": {"subject": m.subject, "body": m.body_text},
                    "reference": m.reference,
                }),
            ),
            Channel::Sms => (
                "sms",
                json!({
                    "phone_number": m.recipient,
                    "template_id": template,
                    "personalisation": {"body": m.body_text},
                    "reference": m.reference,
                }),
            ),
        };
        let url = format!("{}/v2/notifications/{path}", self.base_url);
        let answer = self
            .client
            .post(&url)
            .bearer_auth(token)
            .json(&body)
            .send()
            .await;
        let answer = match answer {
            Ok(a) => a,
            Err(e) => return Outcome::Retry(format!("Notify unreachable: {e}")),
        };
        let status = answer.status();
        let json: serde_json::Value = answer.json().await.unwrap_or_default();
        if status.is_success() {
            return match json.get("id").and_then(|i| i.as_str()) {
                Some(id) => Outcome::Sent {
                    provider_id: id.to_string(),
                },
                None => Outcome::Retry(format!("Notify answered {status} without an id")),
            };
        }
        let said = json
            .get("errors")
            .and_then(|e| e.as_array())
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| {
                        Some(format!(
                            "{}: {}",
                            e.get("error")?.as_str()?,
                            e.get("message")?.as_str()?
                        ))
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default();
        let text = format!("Notify answered {status}: {said}");
        match status.as_u16() {
            // The request itself is refused: a bad number or address, a team-only key's
            // recipient. Sending it again would be refused again.
            400 => Outcome::Failed(text),
            // Rate limits, Notify's own faults, and an auth failure (a key being rotated is
            // put right by the centre, after which the message should still go).
            _ => Outcome::Retry(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_api_key_splits_into_service_id_and_secret() {
        let key =
            "my_test_key-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0";
        let (iss, secret) = split_key(key).unwrap();
        assert_eq!(iss, "26785a09-ab16-4eb0-8407-a37497a57506");
        assert_eq!(secret, "3d844edf-8d35-48ac-975b-e847b4f122b0");
        assert!(split_key("too-short").is_err());
    }

    #[test]
    fn templates_are_named_per_kind_and_channel_with_a_default() {
        let t = parse_templates("*.email=aaa, reminder.sms=bbb").unwrap();
        assert_eq!(t.get(&(None, Channel::Email)).unwrap(), "aaa");
        assert_eq!(
            t.get(&(Some(MessageKind::Reminder), Channel::Sms)).unwrap(),
            "bbb"
        );
        assert!(parse_templates("reminder=bbb").is_err());
        assert!(parse_templates("nonsense.sms=bbb").is_err());
    }
}
