//! GOV.UK Notify as the provider for emails and texts, against a small HTTP server in the test
//! that answers as Notify's public API is documented
//! (<https://docs.notifications.service.gov.uk/rest-api.html>): it checks the JWT (HS256, `iss`
//! the service id from the API key, `iat` within 30 seconds, signed with the key's secret), the
//! path and the JSON body, answers 201 with a notification, and can be told to answer 429, 500,
//! or 400 for a number it does not take. The test then reads the outbox rows.

use crate::bookings::{cosp_group, parent};
use crate::helpers::{ok_json, spawn, Backend, TestApp};
use groupwork::domain::message::{Channel, MessageKind, MessageStatus};
use groupwork::store::{self, messages::Message};
use rand::Rng;
use serde_json::{json, Value};
use std::collections::{HashSet, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const EMAIL_TEMPLATE: &str = "f33517ff-2a88-4f6e-b855-c550268ce08a";
const SMS_TEMPLATE: &str = "289fb3f0-0d18-4f3a-9f8f-c4f6e7a9e1b2";
const FAMILY_URL: &str = "https://families.centre.example/my-bookings";
/// A number Notify refuses: answered 400 with a `ValidationError`.
const REFUSED_NUMBER: &str = "07700 900999";

fn uuid() -> String {
    let b: [u8; 16] = rand::rng().random();
    let h = hex::encode(b);
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..]
    )
}

/// One request the server received, and what it answered.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    /// Why the token was refused, if it was.
    auth: Result<(), String>,
    body: Value,
    status: u16,
    /// The notification id answered with a 201.
    id: Option<String>,
}

#[derive(Default)]
struct Script {
    seen: Vec<Seen>,
    /// Statuses (429 or 500) for the next requests, in order, whatever they are.
    fail_next: VecDeque<u16>,
}

/// A stand-in for Notify's API on a loopback port.
struct FakeNotify {
    url: String,
    service_id: String,
    secret: String,
    script: Arc<Mutex<Script>>,
    stop: Arc<AtomicBool>,
}

impl FakeNotify {
    fn start() -> FakeNotify {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let server = FakeNotify {
            url: url.clone(),
            service_id: uuid(),
            secret: uuid(),
            script: Arc::default(),
            stop: Arc::default(),
        };
        let (script, stop) = (server.script.clone(), server.stop.clone());
        let (service_id, secret) = (server.service_id.clone(), server.secret.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (script, service_id, secret, url) = (
                    script.clone(),
                    service_id.clone(),
                    secret.clone(),
                    url.clone(),
                );
                std::thread::spawn(move || {
                    serve(stream, &script, &service_id, &secret, &url);
                });
            }
        });
        server
    }

    /// An API key as Notify issues them: `{key name}-{service id}-{secret}`.
    fn api_key(&self) -> String {
        format!("groupwork_live-{}-{}", self.service_id, self.secret)
    }

    fn fail_next(&self, statuses: &[u16]) {
        self.script.lock().unwrap().fail_next.extend(statuses);
    }

    fn seen(&self) -> Vec<Seen> {
        self.script.lock().unwrap().seen.clone()
    }
}

impl Drop for FakeNotify {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the stop.
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
    }
}

fn error(status: u16, error: &str, message: &str) -> (u16, Value) {
    (
        status,
        json!({"status_code": status, "errors": [{"error": error, "message": message}]}),
    )
}

/// One HTTP/1.1 request, one answer, then the connection closes.
fn serve(stream: TcpStream, script: &Mutex<Script>, service_id: &str, secret: &str, url: &str) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return; // the wake-up connection of Drop
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (
        parts.next().unwrap_or("").to_string(),
        parts.next().unwrap_or("").to_string(),
    );
    let (mut length, mut authorization) = (0usize, String::new());
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).unwrap();
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':').unwrap();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().unwrap(),
            "authorization" => authorization = value.trim().to_string(),
            _ => {}
        }
    }
    let mut raw = vec![0; length];
    reader.read_exact(&mut raw).unwrap();
    let body: Value = serde_json::from_slice(&raw).unwrap_or(Value::Null);

    let auth = check_token(&authorization, service_id, secret);
    let mut id = None;
    let (status, answer) = {
        let mut s = script.lock().unwrap();
        let answer = if method != "POST" {
            error(405, "MethodNotAllowed", "method not allowed")
        } else if let Err(why) = &auth {
            error(403, "AuthError", why)
        } else if let Some(code) = s.fail_next.pop_front() {
            match code {
                429 => error(
                    429,
                    "RateLimitError",
                    "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
                ),
                _ => error(500, "Exception", "Internal server error"),
            }
        } else {
            match check_body(&path, &body) {
                Err(why) => error(400, "ValidationError", &why),
                Ok(()) if body["phone_number"] == REFUSED_NUMBER => error(
                    400,
                    "ValidationError",
                    "phone_number Not a UK mobile number",
                ),
                Ok(()) => {
                    let new = uuid();
                    id = Some(new.clone());
                    let p = &body["personalisation"];
                    let content = if path.ends_with("/email") {
                        json!({"subject": p["subject"], "body": p["body"],
                               "from_email": "groups@notifications.service.gov.uk",
                               "one_click_unsubscribe_url": null})
                    } else {
                        json!({"body": p["body"], "from_number": "GOVUK"})
                    };
                    (
                        201,
                        json!({"id": new, "reference": body["reference"], "content": content,
                               "uri": format!("{url}/v2/notifications/{new}"),
                               "template": {"id": body["template_id"], "version": 1,
                                            "uri": format!("{url}/v2/template/{}/version/1", body["template_id"].as_str().unwrap_or(""))},
                               "scheduled_for": null}),
                    )
                }
            }
        };
        s.seen.push(Seen {
            path: path.clone(),
            auth: auth.clone(),
            body: body.clone(),
            status: answer.0,
            id: id.clone(),
        });
        answer
    };
    let text = answer.to_string();
    let reason = match status {
        201 => "Created",
        400 => "Bad Request",
        403 => "Forbidden",
        429 => "Too Many Requests",
        _ => "Error",
    };
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    );
    let _ = stream.flush();
}

/// Notify's rule: `Bearer <JWT>`, HS256, `iss` the service id, `iat` within 30 seconds of now,
/// signed with the secret half of the API key.
fn check_token(authorization: &str, service_id: &str, secret: &str) -> Result<(), String> {
    use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
    let token = authorization
        .strip_prefix("Bearer ")
        .ok_or("Unauthorized: authentication token must be provided")?;
    let header = decode_header(token).map_err(|e| format!("Invalid token: {e}"))?;
    if header.alg != Algorithm::HS256 || header.typ.as_deref() != Some("JWT") {
        return Err(format!("Invalid token: header {header:?}"));
    }
    let mut rules = Validation::new(Algorithm::HS256);
    rules.validate_exp = false;
    rules.required_spec_claims = HashSet::from(["iss".to_string()]);
    rules.set_issuer(&[service_id]);
    let claims = decode::<Value>(token, &DecodingKey::from_secret(secret.as_bytes()), &rules)
        .map_err(|e| format!("Invalid token: {e}"))?
        .claims;
    let iat = claims["iat"]
        .as_i64()
        .ok_or("Invalid token: iat field not provided")?;
    if (chrono::Utc::now().timestamp() - iat).abs() > 30 {
        return Err("Error: Your system clock must be accurate to within 30 seconds".into());
    }
    Ok(())
}

/// The body of `POST /v2/notifications/email` or `/sms`, as Notify's schema has it (no other
/// properties allowed).
fn check_body(path: &str, body: &Value) -> Result<(), String> {
    let (address, template, keys): (&str, &str, &[&str]) = match path {
        "/v2/notifications/email" => ("email_address", EMAIL_TEMPLATE, &["subject", "body"]),
        "/v2/notifications/sms" => ("phone_number", SMS_TEMPLATE, &["body"]),
        other => return Err(format!("no such path {other}")),
    };
    let object = body.as_object().ok_or("the body is not a JSON object")?;
    for key in object.keys() {
        if ![address, "template_id", "personalisation", "reference"].contains(&key.as_str()) {
            return Err(format!(
                "Additional properties are not allowed ({key} was unexpected)"
            ));
        }
    }
    if body[address].as_str().is_none_or(str::is_empty) {
        return Err(format!("{address} is a required property"));
    }
    if body["template_id"] != template {
        return Err("template_id is not a valid UUID of this service's templates".into());
    }
    if body["reference"].as_str().is_none_or(str::is_empty) {
        return Err("reference is not a string".into());
    }
    let p = body["personalisation"]
        .as_object()
        .ok_or("personalisation is not an object")?;
    for key in keys {
        let given = p.get(*key).and_then(Value::as_str);
        if given.is_none_or(|v| v.trim().is_empty()) {
            return Err(format!("Missing personalisation: {key}"));
        }
    }
    Ok(())
}

fn with_notify(notify: &FakeNotify) -> impl FnOnce(&mut groupwork::Config) + '_ {
    move |c| {
        c.delivery = true;
        c.notify_api_key = Some(notify.api_key());
        c.notify_base_url = notify.url.clone();
        c.notify_templates = format!("*.email={EMAIL_TEMPLATE},*.sms={SMS_TEMPLATE}");
        c.delivery_poll_ms = 50;
        c.retry_base_ms = 100;
        c.retry_cap_secs = 1;
        c.family_url = FAMILY_URL.into();
    }
}

/// The family's messages, oldest first.
fn messages_of(app: &TestApp, family: i64) -> Vec<Message> {
    let mut conn = app.state.pool.get().unwrap();
    let mut m = store::messages::of_family(&mut conn, family as i32).unwrap();
    m.reverse();
    m
}

/// Waits (a few seconds at most) until the family's messages satisfy `done`.
fn wait_for(
    app: &TestApp,
    family: i64,
    what: &str,
    done: impl Fn(&[Message]) -> bool,
) -> Vec<Message> {
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let m = messages_of(app, family);
        if done(&m) {
            return m;
        }
        assert!(
            Instant::now() < until,
            "waited for {what}; the messages: {m:#?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Sets the parent's family profile; returns the family id.
fn profile(app: &TestApp, token: &str, carers: &[&str], phone: &str, contact_by: &str) -> i64 {
    let body = json!({"carers": carers, "phone": phone, "preferred_language": "en",
                      "referral_source": "self", "contact_by": contact_by});
    let f = ok_json(
        app.req(reqwest::Method::PUT, "/api/v1/me/family", Some(token))
            .json(&body)
            .send()
            .unwrap(),
        200,
    );
    f["id"].as_i64().unwrap()
}

fn book(app: &TestApp, token: &str, cohort: i64, body: Value) {
    let b = ok_json(
        app.post(
            &format!("/api/v1/cohorts/{cohort}/bookings"),
            Some(token),
            &body,
        ),
        201,
    );
    assert_eq!(b["status"], "confirmed");
}

fn all_sent(m: &[Message], n: usize) -> bool {
    m.len() == n && m.iter().all(|m| m.status == MessageStatus::Sent)
}

/// Runs `test` on `backend` with the app's messages going to a fresh fake Notify.
fn on_notify(backend: Backend, test: fn(TestApp, FakeNotify)) {
    let notify = FakeNotify::start();
    if let Some(app) = spawn(backend, with_notify(&notify)) {
        test(app, notify);
    }
}

/// Like `db_test!`, with a fake Notify the app sends through.
macro_rules! notify_test {
    (fn $name:ident($app:ident, $notify:ident) $body:block) => {
        mod $name {
            use super::*;
            fn run($app: TestApp, $notify: FakeNotify) $body
            #[test]
            fn sqlite() {
                on_notify(Backend::Sqlite, run)
            }
            #[test]
            fn postgres() {
                on_notify(Backend::Postgres, run)
            }
        }
    };
}

notify_test! {
    fn a_family_told_by_email_and_text_gets_both_through_notify(app, notify) {
        let cohort = cosp_group(&app, 10, 2, 10);
        let (token, _) = parent(&app, "amira@example.org", "2024-11-02");
        let layla = ok_json(app.post("/api/v1/me/children", Some(&token), &json!({"first_name": "Layla", "date_of_birth": "2025-01-15"})), 201);
        let family = profile(&app, &token, &["Amira Haddad", "Sam Okafor"], "07700 900123", "both");
        book(&app, &token, cohort, json!({"creche_child_ids": [layla["id"]]}));

        let rows = wait_for(&app, family, "the confirmation by email and text", |m| all_sent(m, 2));
        let seen = notify.seen();
        assert_eq!(seen.len(), 2, "one request per message: {seen:#?}");
        for s in &seen {
            assert_eq!(s.auth, Ok(()), "Notify took the token");
            assert_eq!(s.status, 201, "{s:#?}");
        }
        let row = |c: Channel| rows.iter().find(|m| m.channel == c).unwrap();
        let request = |path: &str| seen.iter().find(|s| s.path == path).unwrap_or_else(|| panic!("no request to {path}: {seen:#?}"));

        let (email, mail) = (row(Channel::Email), request("/v2/notifications/email"));
        assert_eq!(email.kind, MessageKind::BookingConfirmed);
        assert_eq!(mail.body["email_address"], "amira@example.org", "the account's address: the family gave none");
        assert_eq!(mail.body["template_id"], EMAIL_TEMPLATE);
        assert_eq!(mail.body["reference"], email.reference.as_str());
        assert_eq!(mail.body["personalisation"], json!({"subject": email.subject, "body": email.body_text}));
        assert!(email.subject.contains("is booked"), "{}", email.subject);
        assert!(email.body_text.contains(FAMILY_URL), "{}", email.body_text);

        let (sms, text) = (row(Channel::Sms), request("/v2/notifications/sms"));
        assert_eq!(text.body["phone_number"], "07700 900123");
        assert_eq!(text.body["template_id"], SMS_TEMPLATE);
        assert_eq!(text.body["reference"], sms.reference.as_str());
        assert_eq!(text.body["personalisation"], json!({"body": sms.body_text}), "a text has a body and no subject");
        let words = sms.body_text.as_str();
        assert!(words.contains(FAMILY_URL), "the text carries the link: {words}");
        for name in ["Layla", "Kid", "Amira", "Sam", "Haddad", "Okafor"] {
            assert!(!words.contains(name), "the text names nobody ({name}): {words}");
        }
        assert_ne!(email.reference, sms.reference);

        for (m, s) in [(email, mail), (sms, text)] {
            assert_eq!((m.status, m.attempts, m.provider.as_str()), (MessageStatus::Sent, 1, "notify"));
            assert_eq!(Some(&m.provider_id), s.id.as_ref(), "Notify's own id is kept");
            assert!(m.sent_at.is_some() && m.last_error.is_empty());
        }
    }
}

notify_test! {
    fn a_refused_number_fails_at_once_and_busy_or_broken_notify_is_tried_again(app, notify) {
        let cohort = cosp_group(&app, 10, 2, 10);

        // A number Notify refuses: a 400 is final, after one try, with Notify's words kept.
        let (token, _) = parent(&app, "no-mobile@example.org", "2025-01-10");
        let family = profile(&app, &token, &["Parent"], REFUSED_NUMBER, "sms");
        book(&app, &token, cohort, json!({}));
        let rows = wait_for(&app, family, "the refused text to fail", |m| m.len() == 1 && m[0].status == MessageStatus::Failed);
        let m = &rows[0];
        assert_eq!((m.channel, m.attempts, m.provider.as_str()), (Channel::Sms, 1, "notify"));
        assert!(m.last_error.contains("400") && m.last_error.contains("phone_number Not a UK mobile number"), "{}", m.last_error);
        assert!(m.provider_id.is_empty() && m.sent_at.is_none());
        // Not tried again, however long we wait (half an hour: the reminders of tomorrow's
        // session fall due at 10:00), by the worker in the background or by a pass of our own.
        app.clock.advance(chrono::TimeDelta::minutes(30));
        let pass = actix_web::rt::System::new().block_on(app.worker.as_ref().unwrap().pass(10)).unwrap();
        assert_eq!((pass.reminders_queued, pass.taken), (0, 0));
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(notify.seen().len(), 1);
        assert_eq!(messages_of(&app, family)[0].attempts, 1);

        // Rate-limited, then a fault at Notify: tried again after each backoff, then sent.
        notify.fail_next(&[429, 500]);
        let (token, _) = parent(&app, "patient@example.org", "2025-01-10");
        let family = profile(&app, &token, &["Parent"], "", "email");
        book(&app, &token, cohort, json!({}));
        wait_for(&app, family, "the rate limit to be recorded", |m| {
            m.len() == 1 && m[0].attempts == 1 && m[0].status == MessageStatus::Queued
        });
        let m = &messages_of(&app, family)[0];
        assert!(m.last_error.contains("429") && m.last_error.contains("RateLimitError"), "{}", m.last_error);
        // The backoff runs on the app's clock: standing still, nothing is tried.
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(notify.seen().len(), 2);
        app.clock.advance(chrono::TimeDelta::seconds(2));
        wait_for(&app, family, "the fault to be recorded", |m| {
            m[0].attempts == 2 && m[0].status == MessageStatus::Queued
        });
        let m = &messages_of(&app, family)[0];
        assert!(m.last_error.contains("500") && m.last_error.contains("Internal server error"), "{}", m.last_error);
        app.clock.advance(chrono::TimeDelta::seconds(2));
        let rows = wait_for(&app, family, "the third try to go", |m| all_sent(m, 1));
        let seen = notify.seen();
        let tries: Vec<u16> = seen[1..].iter().map(|s| s.status).collect();
        assert_eq!(tries, [429, 500, 201]);
        assert!(seen[1..].iter().all(|s| s.body["reference"] == rows[0].reference.as_str()), "the same message each time");
        assert_eq!(rows[0].attempts, 3);
        assert_eq!(Some(&rows[0].provider_id), seen[3].id.as_ref());
        assert!(rows[0].last_error.is_empty());
    }
}
