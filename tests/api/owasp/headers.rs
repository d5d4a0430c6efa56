//! API8 security misconfiguration: security headers on every answer, `Cache-Control: no-store`
//! on everything but the public catalogue, the Swagger UI still loading under `nosniff`, and
//! CORS off by default with an exact allow-list when configured. No database rule is involved, so
//! these run on SQLite only.

use super::{fill, operations};
use crate::helpers::{self, Backend, TestApp};
use groupwork::domain::role::Role;
use reqwest::blocking::Response;
use reqwest::Method;
use serde_json::json;

const PUBLIC: &[&str] = &[
    "/api/v1/programmes",
    "/api/v1/venues",
    "/api/v1/listings",
    "/programme",
    "/docs",
    "/api-docs/",
];

/// What is wrong with one answer's security headers, if anything.
fn check(res: &Response, method: &Method, path: &str, anonymous: bool) -> Option<String> {
    let h = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let status = res.status().as_u16();
    let what = format!(
        "{method} {path} ({status}, {})",
        if anonymous { "anonymous" } else { "signed in" }
    );
    for (name, want) in [
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("x-frame-options", "DENY"),
    ] {
        if h(name) != want {
            return Some(format!("{what}: {name} is {:?}", h(name)));
        }
    }
    let public = method == Method::GET
        && anonymous
        && status < 400
        && PUBLIC.iter().any(|p| path.starts_with(p));
    let no_store = h("cache-control").contains("no-store");
    match (public, no_store) {
        (false, false) => Some(format!(
            "{what}: personal or error answer without Cache-Control: no-store"
        )),
        (true, true) => Some(format!("{what}: public data marked no-store")),
        _ => None,
    }
}

fn send(app: &TestApp, method: &Method, path: &str, token: Option<&str>) -> Response {
    let req = app.req(method.clone(), path, token);
    let req = if matches!(*method, Method::GET | Method::DELETE) {
        req
    } else {
        req.json(&json!({}))
    };
    req.send().expect("request")
}

#[test]
fn every_answer_carries_the_security_headers() {
    let Some(app) = helpers::spawn(Backend::Sqlite, |_| {}) else {
        return;
    };
    let admin = app.user_token(Role::Admin);
    let parent = app.user_token(Role::Parent);
    let mut failures = Vec::new();
    let mut seen = 0;
    // Every documented operation, anonymously (mostly 401s and public data) and signed in.
    for op in operations() {
        let method = Method::from_bytes(op.method.as_bytes()).unwrap();
        let path = fill(&op.template, 1);
        let signed_in: &[Option<&str>] = if method == Method::GET {
            &[None, Some(&admin), Some(&parent)]
        } else {
            &[None]
        };
        for token in signed_in {
            let res = send(&app, &method, &path, *token);
            seen += 1;
            failures.extend(check(&res, &method, &path, token.is_none()));
        }
    }
    // Errors the framework and the router make, and the docs.
    let extra = [
        (Method::GET, "/api/v1/no-such-thing"),
        (Method::GET, "/nowhere"),
        (Method::DELETE, "/api/v1/programmes"),
        (Method::GET, "/api/v1/bookings/abc"),
        (Method::GET, "/docs"),
        (Method::GET, "/docs/"),
        (Method::GET, "/api-docs/openapi.json"),
        (
            Method::GET,
            "/api/v1/me/calendar.ics?token=not-a-real-token",
        ),
    ];
    for (method, path) in extra {
        let res = send(&app, &method, path, None);
        seen += 1;
        failures.extend(check(&res, &method, path, true));
    }
    let res = app
        .req(Method::POST, "/api/v1/auth/login", None)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .unwrap();
    assert_eq!(res.status(), 400);
    failures.extend(check(&res, &Method::POST, "/api/v1/auth/login", true));
    // The embed layout may be framed by the sites named, and by no one else: its policy says
    // so instead of X-Frame-Options.
    let res = app.get("/programme?embed=1", None);
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("x-frame-options").is_none());
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.ends_with("frame-ancestors 'self'"), "{csp}");
    let page = app.get("/programme", None);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self';"),
        "{csp}"
    );
    // A token on a public GET makes it personal: no-store.
    let res = app.get("/api/v1/venues", Some(&admin));
    failures.extend(check(&res, &Method::GET, "/api/v1/venues", false));
    assert!(seen > 100, "{seen} answers checked");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_swagger_ui_still_loads_under_nosniff() {
    // `openapi::server_serves_the_spec_and_swagger_ui` loads the page; with nosniff a browser also
    // needs each script and style sheet served under its own media type.
    let Some(app) = helpers::spawn(Backend::Sqlite, |_| {}) else {
        return;
    };
    let page = app.get("/docs/", None).text().unwrap();
    let assets = regex::Regex::new(r#"(?:src|href)="\./([^"?]+\.(js|css))""#).unwrap();
    let mut checked = 0;
    for m in assets.captures_iter(&page) {
        let res = app.get(&format!("/docs/{}", &m[1]), None);
        assert_eq!(res.status(), 200, "{}", &m[1]);
        let ct = res.headers()["content-type"].to_str().unwrap().to_string();
        let want = if &m[2] == "js" {
            "javascript"
        } else {
            "text/css"
        };
        assert!(ct.contains(want), "{} is served as {ct}", &m[1]);
        checked += 1;
    }
    assert!(checked >= 2, "scripts and styles found in the page: {page}");
}

fn preflight(app: &TestApp, origin: &str, method: &str, headers: &str) -> Response {
    let mut req = app
        .req(Method::OPTIONS, "/api/v1/cohorts/1/bookings", None)
        .header("origin", origin)
        .header("access-control-request-method", method);
    if !headers.is_empty() {
        req = req.header("access-control-request-headers", headers);
    }
    req.send().unwrap()
}

fn allow_origin(res: &Response) -> Option<String> {
    res.headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap().to_string())
}

fn list(res: &Response, name: &str) -> String {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_ascii_lowercase())
        .unwrap_or_default()
}

#[test]
fn cors_is_off_by_default() {
    let Some(app) = helpers::spawn(Backend::Sqlite, |_| {}) else {
        return;
    };
    for origin in ["https://a.example", "https://evil.example"] {
        let res = app
            .req(Method::GET, "/api/v1/programmes", None)
            .header("origin", origin)
            .send()
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(allow_origin(&res), None, "{origin}");
        let res = preflight(&app, origin, "POST", "authorization, content-type");
        assert_eq!(allow_origin(&res), None, "preflight from {origin}");
        assert!(list(&res, "access-control-allow-methods").is_empty());
        assert!(
            res.status().is_client_error(),
            "no preflight allowance: {}",
            res.status()
        );
    }
}

#[test]
fn cors_allows_only_the_listed_origins() {
    let Some(app) = helpers::spawn(Backend::Sqlite, |c| {
        c.cors_origins = vec!["https://a.example".into(), "https://b.example".into()];
    }) else {
        return;
    };
    let res = app
        .req(Method::GET, "/api/v1/programmes", None)
        .header("origin", "https://a.example")
        .send()
        .unwrap();
    assert_eq!(allow_origin(&res).as_deref(), Some("https://a.example"));
    assert!(
        list(&res, "vary").contains("origin"),
        "caches keep answers per origin"
    );
    let exposed = list(&res, "access-control-expose-headers");
    for h in ["etag", "location", "retry-after"] {
        assert!(exposed.contains(h), "{h} exposed: {exposed}");
    }
    assert!(
        res.headers()
            .get("access-control-allow-credentials")
            .is_none(),
        "bearer tokens, no cookies"
    );
    // Errors are readable by an allowed page too.
    let res = app
        .req(Method::GET, "/api/v1/me", None)
        .header("origin", "https://b.example")
        .send()
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(allow_origin(&res).as_deref(), Some("https://b.example"));
    // Another origin is answered (the browser withholds it from the page) but not allowed.
    let res = app
        .req(Method::GET, "/api/v1/programmes", None)
        .header("origin", "https://evil.example")
        .send()
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(allow_origin(&res), None);

    let res = preflight(
        &app,
        "https://b.example",
        "PATCH",
        "authorization, content-type, if-match, idempotency-key",
    );
    assert_eq!(res.status(), 200);
    assert_eq!(allow_origin(&res).as_deref(), Some("https://b.example"));
    let methods = list(&res, "access-control-allow-methods");
    for m in ["get", "post", "put", "patch", "delete"] {
        assert!(methods.contains(m), "{m} in {methods}");
    }
    let headers = list(&res, "access-control-allow-headers");
    for h in [
        "authorization",
        "content-type",
        "if-match",
        "idempotency-key",
    ] {
        assert!(headers.contains(h), "{h} in {headers}");
    }
    assert_eq!(list(&res, "x-content-type-options"), "nosniff");
    // Refused preflights: an unlisted origin, a method or a header not on the list.
    for (origin, method, headers) in [
        ("https://evil.example", "POST", "authorization"),
        ("https://a.example.evil.example", "GET", ""),
        ("https://a.example", "TRACE", ""),
        ("https://a.example", "POST", "x-forwarded-user"),
    ] {
        let res = preflight(&app, origin, method, headers);
        assert_eq!(allow_origin(&res), None, "{origin} {method} {headers}");
        assert!(
            list(&res, "access-control-allow-methods").is_empty(),
            "{origin} {method} {headers}"
        );
        let what = format!("refused preflight {origin} {method} {headers}");
        super::clean_problem(res, &what, "").unwrap();
    }
}
