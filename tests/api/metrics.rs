//! `GET /metrics` (issue 20): behind its token or on a listener of its own, in Prometheus' text
//! format (read back by the small parser below, as Prometheus reads it), counting requests by
//! route template, bookings and login failures, and showing the pool and the outbox.
//!
//! The recorder is process-wide and other tests count too (bookings, sign-ins): counters are
//! compared before and after, and only ever said to have grown. The gauges are each app's own:
//! a scrape sets them from its app and renders them at once.

use crate::bookings::{cosp_group, parent};
use crate::db_test;
use crate::helpers::{problem, TestApp};
use groupwork::store;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};

const TOKEN: &str = "metrics-token-0123456789abcdef";

/// Turns metrics on the API's port on.
fn with_token(c: &mut groupwork::Config) {
    c.metrics_token = Some(TOKEN.into());
}

db_test! {
    fn without_a_token_there_is_no_metrics_route(app) {
        for token in [None, Some(TOKEN)] {
            let body = problem(app.get("/metrics", token), 404);
            assert_eq!(body["detail"], "no resource at /metrics");
        }
    }
}

db_test! {
    fn metrics_want_their_token_and_speak_prometheus(app) with with_token; {
        let refused = |res: reqwest::blocking::Response| {
            assert_eq!(res.headers()["www-authenticate"], "Bearer");
            problem(res, 401);
        };
        refused(app.get("/metrics", None));
        refused(app.get("/metrics", Some("metrics-token-0123456789abcdeX")));
        refused(app.get("/metrics", Some(&TOKEN[1..])));
        // An access token is not the metrics token, whoever it belongs to.
        let admin = app.user_token(groupwork::domain::role::Role::Admin);
        refused(app.get("/metrics", Some(&admin)));
        let basic = app
            .req(reqwest::Method::GET, "/metrics", None)
            .basic_auth("prometheus", Some(TOKEN))
            .send()
            .unwrap();
        refused(basic);

        let res = app.get("/metrics", Some(TOKEN));
        assert_eq!(res.status(), 200);
        let content_type = res.headers()["content-type"].to_str().unwrap().to_string();
        assert!(
            content_type.starts_with("text/plain; version=0.0.4"),
            "{content_type}"
        );
        assert_eq!(res.headers()["cache-control"], "no-store");
        let scrape = parse(&res.text().unwrap()).unwrap();
        for (family, kind) in [
            ("groupwork_http_requests_total", "counter"),
            ("groupwork_http_request_duration_seconds", "histogram"),
            ("groupwork_db_pool_connections", "gauge"),
            ("groupwork_db_pool_max_connections", "gauge"),
            ("groupwork_db_pool_wait_seconds", "histogram"),
            ("groupwork_outbox_messages", "gauge"),
            ("groupwork_outbox_oldest_queued_age_seconds", "gauge"),
        ] {
            assert_eq!(scrape.types.get(family).map(String::as_str), Some(kind), "{family}");
        }
        // This app's pool (the tests' pool_size is 4), and it has waited for connections.
        assert_eq!(scrape.value("groupwork_db_pool_max_connections", &[]), 4.0);
        let open = scrape.value("groupwork_db_pool_connections", &[("state", "in_use")])
            + scrape.value("groupwork_db_pool_connections", &[("state", "idle")]);
        assert!((1.0..=4.0).contains(&open), "{open} connections open");
        assert!(scrape.value("groupwork_db_pool_wait_seconds_count", &[]) >= 1.0);
        // The refusals above were counted, by their route's template.
        let refusals = [("method", "GET"), ("route", "/metrics"), ("status", "401")];
        assert!(scrape.value("groupwork_http_requests_total", &refusals) >= 5.0);
    }
}

db_test! {
    fn a_request_is_counted_by_its_route_template_and_status(app) with with_token; {
        let missing = [
            ("method", "GET"),
            ("route", "/api/v1/programmes/{code}"),
            ("status", "404"),
        ];
        let found = [
            ("method", "GET"),
            ("route", "/api/v1/programmes/{code}"),
            ("status", "200"),
        ];
        let unmatched = [("method", "GET"), ("route", "unmatched"), ("status", "404")];
        let invented = [("method", "other"), ("route", "/api/v1/programmes/{code}"), ("status", "405")];
        let before = scrape(&app);
        for _ in 0..3 {
            problem(app.get("/api/v1/programmes/no-such-programme-58113", None), 404);
        }
        assert_eq!(app.get("/api/v1/programmes/cosp", None).status(), 200);
        problem(app.get("/no/such/place/58113", None), 404);
        let brew = reqwest::Method::from_bytes(b"BREW").unwrap();
        let res = app.req(brew, "/api/v1/programmes/cosp", None).send().unwrap();
        assert_eq!(res.status(), 405);
        let after = scrape(&app);

        let grew = |name: &str, labels: &[(&str, &str)]| {
            after.value(name, labels) - before.value(name, labels)
        };
        assert!(grew("groupwork_http_requests_total", &missing) >= 3.0);
        assert!(grew("groupwork_http_request_duration_seconds_count", &missing) >= 3.0);
        assert!(grew("groupwork_http_request_duration_seconds_sum", &missing) > 0.0);
        assert!(grew("groupwork_http_requests_total", &found) >= 1.0);
        assert!(grew("groupwork_http_requests_total", &unmatched) >= 1.0);
        assert!(grew("groupwork_http_requests_total", &invented) >= 1.0);
        // Never the path itself: no label anywhere carries what the client typed.
        for sample in &after.samples {
            for value in sample.labels.values() {
                assert!(!value.contains("58113") && !value.contains("BREW"), "{sample:?}");
            }
        }
    }
}

db_test! {
    fn a_booking_is_counted_and_its_message_waits_in_the_outbox(app) with with_token; {
        let confirmed = [("status", "confirmed"), ("walk_in", "false")];
        let cohort = cosp_group(&app, 4, 1, 10);
        let (token, child) = parent(&app, "metrics-parent@example.org", "2025-01-10");
        let before = scrape(&app);
        let queued_before = before.value("groupwork_outbox_messages", &[("status", "queued")]);
        assert_eq!(queued_before, queued_in(&app), "the gauge is this app's outbox");

        let res = app.post(
            &format!("/api/v1/cohorts/{cohort}/bookings"),
            Some(&token),
            &json!({"creche_child_ids": [child], "carers": 1}),
        );
        assert_eq!(res.status(), 201);
        // A booking refused (the same family again) rolls back, so it counts nothing (other
        // tests book meanwhile: see `service::tx`'s unit test) and queues nothing.
        let again = app.post(
            &format!("/api/v1/cohorts/{cohort}/bookings"),
            Some(&token),
            &json!({"carers": 1}),
        );
        problem(again, 409);
        // An hour and a half later, nothing delivered (the tests run no delivery worker).
        app.clock.advance(chrono::Duration::minutes(90));
        let after = scrape(&app);
        assert!(
            after.value("groupwork_bookings_made_total", &confirmed)
                >= before.value("groupwork_bookings_made_total", &confirmed) + 1.0
        );
        let queued = after.value("groupwork_outbox_messages", &[("status", "queued")]);
        assert_eq!(queued, queued_before + 1.0, "the booking's confirmation, once");
        assert_eq!(queued, queued_in(&app));
        assert_eq!(after.value("groupwork_outbox_messages", &[("status", "failed")]), 0.0);
        assert_eq!(
            after.value("groupwork_outbox_oldest_queued_age_seconds", &[]),
            90.0 * 60.0
        );
    }
}

db_test! {
    fn a_promotion_from_the_waiting_list_is_counted(app) with with_token; {
        let waitlisted = [("status", "waitlisted"), ("walk_in", "false")];
        let cohort = cosp_group(&app, 1, 1, 10);
        let book = |email: &str| {
            let (token, _) = parent(&app, email, "2025-01-10");
            let path = format!("/api/v1/cohorts/{cohort}/bookings");
            let res = app.post(&path, Some(&token), &json!({"carers": 1}));
            assert_eq!(res.status(), 201);
            (token, res.json::<serde_json::Value>().unwrap())
        };
        let (first, place) = book("metrics-first@example.org");
        assert_eq!(place["status"], "confirmed");
        let before = scrape(&app);
        let (_, waiting) = book("metrics-second@example.org");
        assert_eq!(waiting["status"], "waitlisted");
        let path = format!("/api/v1/bookings/{}", place["id"]);
        let res = app.req(reqwest::Method::DELETE, &path, Some(&first)).send().unwrap();
        assert_eq!(res.status(), 204);
        let after = scrape(&app);
        let promotions = "groupwork_waiting_list_promotions_total";
        assert!(after.value(promotions, &[]) >= before.value(promotions, &[]) + 1.0);
        assert!(
            after.value("groupwork_bookings_made_total", &waitlisted)
                >= before.value("groupwork_bookings_made_total", &waitlisted) + 1.0
        );
    }
}

db_test! {
    fn a_failed_login_is_counted(app) with with_token; {
        let wrong = [("reason", "credentials")];
        app.register_parent("metrics-login@example.org");
        let before = scrape(&app);
        let res = app.post(
            "/api/v1/auth/login",
            None,
            &json!({"email": "metrics-login@example.org", "password": "not the password at all"}),
        );
        problem(res, 401);
        let res = app.post(
            "/api/v1/auth/login",
            None,
            &json!({"email": "nobody-metrics@example.org", "password": "not the password at all"}),
        );
        problem(res, 401);
        let after = scrape(&app);
        assert!(
            after.value("groupwork_login_failures_total", &wrong)
                >= before.value("groupwork_login_failures_total", &wrong) + 2.0
        );
    }
}

db_test! {
    fn metrics_on_a_listener_of_their_own(app) with |c: &mut groupwork::Config| {
        // Both set: the address wins, and the API's port has no /metrics at all.
        c.metrics_token = Some(TOKEN.into());
        c.metrics_bind = Some("127.0.0.1:0".parse().unwrap());
    }; {
        let addr = *app.state.metrics_addr.get().expect("listening for metrics");
        assert_ne!(app.base, format!("http://{addr}"));
        let metrics = |path: &str| {
            app.client.get(format!("http://{addr}{path}")).send().unwrap()
        };
        let counted = [("method", "GET"), ("route", "/api/v1/programmes"), ("status", "200")];
        let before = parse(&metrics("/metrics").text().unwrap()).unwrap();
        assert_eq!(app.get("/api/v1/programmes", None).status(), 200);

        // No token asked for there.
        let res = metrics("/metrics");
        assert_eq!(res.status(), 200);
        let content_type = res.headers()["content-type"].to_str().unwrap().to_string();
        assert!(content_type.starts_with("text/plain; version=0.0.4"), "{content_type}");
        let after = parse(&res.text().unwrap()).unwrap();
        assert!(
            after.value("groupwork_http_requests_total", &counted)
                >= before.value("groupwork_http_requests_total", &counted) + 1.0
        );
        assert_eq!(after.value("groupwork_db_pool_max_connections", &[]), 4.0);

        // Nothing of the API there, and nothing but GET.
        for path in ["/health", "/api/v1/programmes", "/docs/", "/metrics/"] {
            let body = problem(metrics(path), 404);
            assert_eq!(body["detail"], format!("no resource at {path}"));
        }
        let post = app.client.post(format!("http://{addr}/metrics")).send().unwrap();
        problem(post, 404);
        // And no /metrics on the API's port, token or not.
        problem(app.get("/metrics", Some(TOKEN)), 404);
        problem(app.get("/metrics", None), 404);
    }
}

/// Scrapes `/metrics` on the API's port with the token.
fn scrape(app: &TestApp) -> Scrape {
    let res = app.get("/metrics", Some(TOKEN));
    assert_eq!(res.status(), 200);
    parse(&res.text().unwrap()).unwrap()
}

/// This app's queued messages, as the store counts them (not the gauge's own query).
fn queued_in(app: &TestApp) -> f64 {
    let mut c = app.state.pool.get().unwrap();
    let backlog = store::messages::backlog(&mut c).unwrap();
    backlog
        .iter()
        .find(|(status, _)| status == "queued")
        .map_or(0.0, |(_, n)| *n as f64)
}

/// One scrape as Prometheus reads the text format (0.0.4).
#[derive(Debug)]
struct Scrape {
    /// Family → its `# TYPE`.
    types: HashMap<String, String>,
    samples: Vec<Sample>,
}

#[derive(Debug, Clone, PartialEq)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

impl Scrape {
    /// The sample `name` with exactly these labels; 0 when there is none (a counter not yet
    /// counted).
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        let wanted: BTreeMap<String, String> = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let found: Vec<&Sample> = self
            .samples
            .iter()
            .filter(|s| s.name == name && s.labels == wanted)
            .collect();
        assert!(found.len() <= 1, "{name} {labels:?} twice: {found:?}");
        found.first().map_or(0.0, |s| s.value)
    }
}

/// Reads the exposition text: `# HELP` and `# TYPE` lines (other comments skipped), and samples
/// `name{label="value",…} value [timestamp]` with label values unescaped (`\\`, `\"`, `\n`).
/// Every sample must belong to a family with a `# TYPE`, declared once, and each histogram's
/// buckets must grow with `le` up to `+Inf`, which is its `_count`.
fn parse(text: &str) -> Result<Scrape, String> {
    let mut types = HashMap::new();
    let mut samples = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let at = |e: String| format!("line {}: {e}: {line:?}", n + 1);
        if line.trim().is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            let words: Vec<&str> = comment.trim_start().splitn(3, ' ').collect();
            match words.as_slice() {
                ["TYPE", name, kind] => {
                    metric_name(name).map_err(at)?;
                    if !["counter", "gauge", "histogram", "summary", "untyped"].contains(kind) {
                        return Err(at(format!("unknown type {kind}")));
                    }
                    if types.insert(name.to_string(), kind.to_string()).is_some() {
                        return Err(at("a second TYPE".into()));
                    }
                }
                ["HELP", name, ..] => metric_name(name).map_err(at)?,
                _ => {}
            }
            continue;
        }
        samples.push(sample(line).map_err(at)?);
    }
    let scrape = Scrape { types, samples };
    for s in &scrape.samples {
        family(&scrape.types, &s.name).ok_or_else(|| format!("{} has no TYPE", s.name))?;
    }
    check_histograms(&scrape)?;
    Ok(scrape)
}

fn metric_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let first = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':');
    if first && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
        Ok(())
    } else {
        Err(format!("bad metric name {name:?}"))
    }
}

/// The family a sample belongs to: its own name, or a histogram's or summary's with the
/// sample's suffix taken off.
fn family<'a>(types: &'a HashMap<String, String>, name: &str) -> Option<(&'a str, &'a str)> {
    if let Some((family, kind)) = types.get_key_value(name) {
        return Some((family, kind));
    }
    ["_bucket", "_sum", "_count"].iter().find_map(|suffix| {
        let (family, kind) = types.get_key_value(name.strip_suffix(suffix)?)?;
        matches!(kind.as_str(), "histogram" | "summary").then_some((family.as_str(), kind.as_str()))
    })
}

fn sample(line: &str) -> Result<Sample, String> {
    let end = line.find(['{', ' ']).ok_or("no value")?;
    let name = &line[..end];
    metric_name(name)?;
    let mut rest = &line[end..];
    let mut labels = BTreeMap::new();
    if let Some(inner) = rest.strip_prefix('{') {
        let mut chars = inner.char_indices().peekable();
        loop {
            // A label name up to `=`, or the closing brace (a trailing comma is allowed).
            let mut key = String::new();
            let close = loop {
                match chars.next() {
                    Some((i, '}')) if key.is_empty() => break Some(i),
                    Some((_, '=')) => break None,
                    Some((_, c)) if c.is_ascii_alphanumeric() || c == '_' => key.push(c),
                    other => return Err(format!("bad label name at {other:?}")),
                }
            };
            if let Some(i) = close {
                rest = &inner[i + 1..];
                break;
            }
            if chars.next().map(|(_, c)| c) != Some('"') {
                return Err(format!("label {key} has no quoted value"));
            }
            let mut value = String::new();
            loop {
                match chars.next().map(|(_, c)| c) {
                    Some('"') => break,
                    Some('\\') => match chars.next().map(|(_, c)| c) {
                        Some('\\') => value.push('\\'),
                        Some('"') => value.push('"'),
                        Some('n') => value.push('\n'),
                        other => return Err(format!("bad escape \\{other:?}")),
                    },
                    Some(c) => value.push(c),
                    None => return Err(format!("label {key}'s value is not closed")),
                }
            }
            if labels.insert(key.clone(), value).is_some() {
                return Err(format!("label {key} twice"));
            }
            match chars.next() {
                Some((_, ',')) => {}
                Some((i, '}')) => {
                    rest = &inner[i + 1..];
                    break;
                }
                other => return Err(format!("expected , or }} after a label, not {other:?}")),
            }
        }
    }
    let mut fields = rest.split_whitespace();
    let value = match fields.next().ok_or("no value")? {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        "NaN" => f64::NAN,
        v => v.parse::<f64>().map_err(|e| format!("value {v:?}: {e}"))?,
    };
    if let Some(ts) = fields.next() {
        ts.parse::<i64>()
            .map_err(|e| format!("timestamp {ts:?}: {e}"))?;
    }
    if fields.next().is_some() || !rest.starts_with(' ') {
        return Err("more than a value and a timestamp".into());
    }
    Ok(Sample {
        name: name.to_string(),
        labels,
        value,
    })
}

/// Each histogram series' buckets grow with `le`, end at `+Inf`, and that is its `_count`.
fn check_histograms(scrape: &Scrape) -> Result<(), String> {
    type Series = BTreeMap<String, String>;
    // (histogram, its labels but `le`) → (le, count) of each bucket.
    let mut buckets: BTreeMap<(String, Series), Vec<(f64, f64)>> = BTreeMap::new();
    for s in &scrape.samples {
        let Some(base) = s.name.strip_suffix("_bucket") else {
            continue;
        };
        if scrape.types.get(base).map(String::as_str) != Some("histogram") {
            continue;
        }
        let mut series: Series = s.labels.clone();
        let le = series
            .remove("le")
            .ok_or(format!("{} without le", s.name))?;
        let le = if le == "+Inf" {
            f64::INFINITY
        } else {
            le.parse::<f64>().map_err(|e| format!("le {le:?}: {e}"))?
        };
        buckets
            .entry((base.to_string(), series))
            .or_default()
            .push((le, s.value));
    }
    for ((base, series), mut bs) in buckets {
        bs.sort_by(|a, b| a.0.total_cmp(&b.0));
        if bs.windows(2).any(|w| w[1].1 < w[0].1) {
            return Err(format!("{base} {series:?}: buckets shrink: {bs:?}"));
        }
        let last = bs.last().copied().unwrap_or_default();
        let labels: Vec<(&str, &str)> = series
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let count = scrape.value(&format!("{base}_count"), &labels);
        if last.0 != f64::INFINITY || last.1 != count {
            return Err(format!(
                "{base} {series:?}: +Inf bucket {last:?}, count {count}"
            ));
        }
    }
    Ok(())
}

/// The parser itself: what it reads, and what it refuses.
#[test]
fn the_parser_reads_the_text_format_and_refuses_what_is_not() {
    let text = "# HELP a_total Things.\n# TYPE a_total counter\n\
                a_total{path=\"/x\",note=\"say \\\"hi\\\"\\\\ \\n\"} 3\n\
                # TYPE h histogram\n\
                h_bucket{le=\"0.5\"} 1\nh_bucket{le=\"+Inf\"} 2 1712000000000\nh_sum 0.75\nh_count 2\n\
                # TYPE g gauge\ng NaN\n";
    let scrape = parse(text).unwrap();
    assert_eq!(
        scrape.value("a_total", &[("path", "/x"), ("note", "say \"hi\"\\ \n")]),
        3.0
    );
    assert_eq!(scrape.value("h_count", &[]), 2.0);
    assert!(scrape.value("g", &[]).is_nan());
    for bad in [
        "a_total 1\n",                        // no TYPE
        "# TYPE a counter\na{x=\"1} 1\n",     // value not closed
        "# TYPE a counter\na{x=1} 1\n",       // not quoted
        "# TYPE a counter\na{x=\"1\"} one\n", // not a number
        "# TYPE a counter\na 1 2 3\n",        // too much
        "# TYPE a counter\n# TYPE a gauge\n", // twice
        "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n",
        "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 3\n",
    ] {
        assert!(parse(bad).is_err(), "{bad:?} was read");
    }
}
