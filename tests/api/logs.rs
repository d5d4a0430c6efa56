//! Structured logs from a real `groupwork serve` (`GROUPWORK_LOG_FORMAT=json`): every line is
//! one JSON object, every answer carries an `X-Request-Id`, the lines a request causes carry the
//! same id, and no password, token or family's personal detail reaches a line. SQLite: logging
//! does not depend on the database.

use crate::helpers::{JWT_SECRET, PASSWORD};
use crate::serve_child::ServeChild;
use reqwest::blocking::{Client, Response};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// What the family below told us: none of it may appear in a log line.
const EMAIL: &str = "zebedee.quartermaine@example.org";
const CARERS: [&str; 2] = ["Zebedee Quartermaine", "Ottoline Quartermaine"];
const PHONE: &str = "07700 900987";
const POSTCODE: &str = "SW9 8LF";

fn request_id(res: &Response) -> String {
    let id = res
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no X-Request-Id on {} {}", res.status(), res.url()));
    id.to_string()
}

/// Each line's JSON, and the request ids of the spans it happened in.
fn lines(log: &str) -> Vec<(Value, BTreeSet<String>)> {
    log.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("a log line is not JSON ({e}): {l}"));
            // The span it happened in (or closes) and those around it.
            let ids = v["spans"]
                .as_array()
                .into_iter()
                .flatten()
                .chain([&v["span"]])
                .filter_map(|s| s["request_id"].as_str().map(String::from))
                .collect();
            (v, ids)
        })
        .collect()
}

#[test]
fn json_logs_carry_the_request_id_and_nothing_personal() {
    let dir = std::env::temp_dir().join(format!("groupwork-logs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("logs.db");
    let env = [("GROUPWORK_LOG", "info"), ("GROUPWORK_LOG_FORMAT", "json")];
    let server = ServeChild::start(
        db.to_str().unwrap(),
        JWT_SECRET,
        &env,
        "groupwork-logs",
        "json",
    );
    let client = Client::new();
    let url = |p: &str| format!("{}{p}", server.base);

    // A parent registers and tells us about the family.
    let res = client
        .post(url("/api/v1/auth/register"))
        .json(&json!({"email": EMAIL, "password": PASSWORD, "display_name": CARERS[0]}))
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    let registered = request_id(&res);
    let body: Value = res.json().unwrap();
    let token = body["access_token"].as_str().unwrap().to_string();
    let profile = json!({"carers": CARERS, "phone": PHONE, "email": EMAIL, "postcode": POSTCODE,
        "preferred_language": "en", "consent_to_contact": true, "referral_source": "self"});
    let res = client
        .put(url("/api/v1/me/family"))
        .bearer_auth(&token)
        .json(&profile)
        .send()
        .unwrap();
    assert_eq!(res.status(), 200, "{:?}", res.text());
    // A wrong password, a forged token, and a secret in a query string.
    let res = client
        .post(url("/api/v1/auth/login"))
        .json(&json!({"email": EMAIL, "password": "not the password at all"}))
        .send()
        .unwrap();
    assert_eq!(res.status(), 401);
    let forged = client
        .get(url("/api/v1/me/family"))
        .bearer_auth("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.forgedsignature")
        .send()
        .unwrap();
    assert_eq!(forged.status(), 401);
    let refused = request_id(&forged);
    let res = client
        .get(url("/reports/summary.html?token=query-secret-4c1d"))
        .send()
        .unwrap();
    assert_eq!(res.status(), 401);
    // An unknown route is answered with an id too, and every id is new.
    let unknown = client.get(url("/no/such/page")).send().unwrap();
    assert_eq!(unknown.status(), 404);
    let ids: BTreeSet<String> = [registered.clone(), refused.clone(), request_id(&unknown)]
        .into_iter()
        .collect();
    assert_eq!(ids.len(), 3, "request ids repeat: {ids:?}");
    assert!(ids.iter().all(|id| id.len() >= 16), "{ids:?}");

    // Logs are flushed line by line; give the last request's span a moment to close.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let log = server.log_text();
    let parsed = lines(&log);
    // The refused token was logged inside its request.
    let refusal = parsed
        .iter()
        .find(|(v, _)| v["message"] == "access token refused")
        .unwrap_or_else(|| panic!("no refusal logged:\n{log}"));
    assert!(refusal.1.contains(&refused), "{}", refusal.0);
    // Each request's span closes with its route template and status.
    let closed = |id: &str| {
        parsed
            .iter()
            .find(|(v, ids)| ids.contains(id) && v["message"] == "close")
            .unwrap_or_else(|| panic!("no closing line for request {id}:\n{log}"))
            .0
            .clone()
    };
    let register = closed(&registered);
    assert_eq!(
        register["span"]["route"], "/api/v1/auth/register",
        "{register}"
    );
    assert_eq!(register["span"]["status"], 201, "{register}");
    // Nothing personal or secret, in any case.
    let lower = log.to_lowercase();
    let secrets = [
        EMAIL,
        CARERS[0],
        CARERS[1],
        "quartermaine",
        PHONE,
        "900987",
        POSTCODE,
        PASSWORD,
        "not the password at all",
        &token,
        "forgedsignature",
        "query-secret-4c1d",
    ];
    for s in secrets {
        assert!(
            !lower.contains(&s.to_lowercase()),
            "{s:?} is in the log:\n{log}"
        );
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
