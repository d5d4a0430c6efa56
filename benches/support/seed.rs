//! Seeding through the HTTP API, as a centre would: a coordinator, a venue, staff, published
//! groups, and parents each with a child. Not timed.

use super::server::BenchApp;
use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use groupwork::domain::role::Role;
use groupwork::store;
use reqwest::blocking::Client;
use reqwest::Method;
use serde_json::{json, Value};

pub const PASSWORD: &str = "a long memorable phrase";

/// A small blocking JSON client for one app.
pub struct Api {
    base: String,
    client: Client,
}

impl Api {
    pub fn new(base: &str) -> Self {
        Api {
            base: base.to_string(),
            client: client(),
        }
    }

    /// Sends `body` (if any) and returns the JSON answer, or why it was not `want`.
    pub fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: &Value,
        want: u16,
    ) -> Result<Value, String> {
        let mut req = self
            .client
            .request(method.clone(), format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if !body.is_null() {
            req = req.json(body);
        }
        let res = req.send().map_err(|e| format!("{method} {path}: {e}"))?;
        let status = res.status().as_u16();
        let text = res.text().unwrap_or_default();
        if status != want {
            return Err(format!("{method} {path}: {status} (wanted {want}): {text}"));
        }
        serde_json::from_str(&text).map_err(|e| format!("{method} {path}: not JSON ({e})"))
    }

    pub fn post(
        &self,
        path: &str,
        token: Option<&str>,
        body: Value,
        want: u16,
    ) -> Result<Value, String> {
        self.call(Method::POST, path, token, &body, want)
    }
}

/// Timeouts so a stuck server fails the bench instead of hanging it.
pub fn client() -> Client {
    groupwork::install_tls_provider();
    Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("HTTP client")
}

fn id(v: &Value) -> Result<i64, String> {
    v["id"].as_i64().ok_or_else(|| format!("no id in {v}"))
}

/// A coordinator made in the store (as `groupwork create-admin` would), then logged in.
pub fn coordinator(app: &BenchApp, api: &Api) -> Result<String, String> {
    let email = "coordinator@bench.example";
    let hash = groupwork::auth::password::hash(PASSWORD)?;
    let new = store::users::NewUser {
        email,
        password_hash: &hash,
        display_name: "Bench coordinator",
        role: Role::Coordinator,
        now: app.state.now_naive(),
    };
    // The connection goes back to the pool before logging in (a pool of one would wait on it).
    let mut conn = app.state.pool.get().map_err(|e| e.to_string())?;
    store::users::insert(&mut conn, new)
        .map_err(|e| format!("cannot create the coordinator: {e}"))?;
    drop(conn);
    let tokens = api.post(
        "/api/v1/auth/login",
        None,
        json!({"email": email, "password": PASSWORD}),
        200,
    )?;
    Ok(tokens["access_token"]
        .as_str()
        .ok_or("no access token")?
        .to_string())
}

/// A Tuesday at least three weeks ahead, so the groups are open for booking on the real clock.
pub fn first_tuesday() -> NaiveDate {
    let mut d = Utc::now().date_naive() + Duration::weeks(3);
    while d.weekday() != Weekday::Tue {
        d += Duration::days(1);
    }
    d
}

/// `n` published Together Time groups of `places` places at a new venue, one after another on
/// the same day, each led by its own clinician; `tag` keeps names unique. Returns their ids.
pub fn groups(
    api: &Api,
    token: &str,
    tag: &str,
    n: usize,
    places: u32,
) -> Result<Vec<i64>, String> {
    let t = Some(token);
    let venue = id(&api.post(
        "/api/v1/venues",
        t,
        json!({"name": format!("Centre {tag}"), "address": "1 High Street, London",
               "postcode": "SW9 8LF", "ward": "lambeth-2014:Stockwell",
               "creche_room_capacity": 0, "creche_registered": false}),
        201,
    )?)?;
    let first = first_tuesday().to_string();
    (0..n)
        .map(|i| {
            let lead = id(&api.post(
                "/api/v1/staff",
                t,
                json!({"name": format!("Lead {tag}-{i}"), "email": format!("lead.{tag}.{i}@staff.example"),
                       "organisation": "PAIRS", "qualifications": [{"kind": "clinical"}]}),
                201,
            )?)?;
            // 90-minute sessions from 09:00, two hours apart: nobody overlaps.
            let start = format!("{:02}:00", 9 + 2 * i);
            let cohort = id(&api.post(
                "/api/v1/cohorts",
                t,
                json!({"programme": "together-time", "venue_id": venue, "first_session_date": first,
                       "start_time": start, "places": places}),
                201,
            )?)?;
            api.call(
                Method::PUT,
                &format!("/api/v1/cohorts/{cohort}/facilitators"),
                t,
                &json!({"lead": lead}),
                200,
            )?;
            api.post(
                &format!("/api/v1/cohorts/{cohort}/publish"),
                t,
                json!({}),
                200,
            )?;
            Ok(cohort)
        })
        .collect()
}

/// Registers `n` parents, each with a one-year-old, on `threads` threads (argon2 makes each
/// registration cost tens of milliseconds). Returns their access tokens in order.
pub fn parents(base: &str, n: usize, threads: usize) -> Result<Vec<String>, String> {
    let born = (Utc::now().date_naive() - Duration::days(365)).to_string();
    let per = n.div_ceil(threads.max(1));
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..n)
            .step_by(per)
            .map(|from| {
                let born = &born;
                s.spawn(move || {
                    let api = Api::new(base);
                    (from..(from + per).min(n))
                        .map(|i| {
                            let tokens = api.post(
                                "/api/v1/auth/register",
                                None,
                                json!({"email": format!("parent{i}@bench.example"),
                                       "password": PASSWORD, "display_name": format!("Parent {i}")}),
                                201,
                            )?;
                            let token = tokens["access_token"].as_str().ok_or("no access token")?;
                            api.post(
                                "/api/v1/me/children",
                                Some(token),
                                json!({"first_name": "Child", "date_of_birth": born}),
                                201,
                            )?;
                            Ok(token.to_string())
                        })
                        .collect::<Result<Vec<String>, String>>()
                })
            })
            .collect();
        let mut tokens = Vec::with_capacity(n);
        for w in workers {
            tokens.extend(w.join().map_err(|_| "a seeding thread panicked")??);
        }
        Ok(tokens)
    })
}
