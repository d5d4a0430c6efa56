//! API9 improper inventory: the app answers exactly the routes its OpenAPI document lists.
//!
//! One direction (every documented operation exists and answers as declared) is the role matrix
//! in `roles.rs`. For the other, actix cannot list its routes, so we probe: every documented
//! path is called with every method it does not document, and must answer 405 from the router's
//! default service, with `Allow` naming exactly the documented methods. A handler registered
//! without documentation would answer instead (401, 403, 2xx, 4xx from its extractors), so it
//! shows up here. Paths no one documented are probed with plausible names (admin back doors,
//! older versions, sibling resources) and must be 404. The routes that are served but are not
//! API operations are the docs themselves: `/docs`, `/docs/…` and `/api-docs/openapi.json`.
//! (API routes are registered through `utoipa_actix_web`, whose `service` takes only handlers
//! with `#[utoipa::path]`; its `route` and `map` would bypass that, which these probes are for.)

use super::{clean_problem, fill, operations, METHODS};
use crate::helpers::{self, Backend};
use groupwork::domain::role::Role;
use reqwest::Method;
use std::collections::BTreeMap;

#[test]
fn no_undocumented_method_answers_on_a_documented_path() {
    let Some(app) = helpers::spawn(Backend::Sqlite, |_| {}) else {
        return;
    };
    let admin = app.user_token(Role::Admin);
    let mut documented: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for op in operations() {
        documented
            .entry(op.template.clone())
            .or_default()
            .push(op.method.clone());
    }
    let mut failures = Vec::new();
    let mut probed = 0;
    for (template, methods) in &documented {
        let path = fill(template, 1);
        let mut allow: Vec<&str> = METHODS
            .iter()
            .copied()
            .filter(|m| methods.iter().any(|d| d == m))
            .collect();
        allow.sort();
        for method in METHODS
            .iter()
            .chain(&["HEAD", "OPTIONS"])
            .filter(|m| !methods.iter().any(|d| d == *m))
        {
            // `DELETE /closures/bank-holidays` is `DELETE /closures/{id}` with a bad id: that
            // route answers, as documented.
            let shadowed = documented.iter().any(|(other, ms)| {
                other != template && ms.iter().any(|m| m == method) && matches(other, &path)
            });
            if shadowed {
                continue;
            }
            // Signed in as admin, so an undocumented handler behind any role would answer.
            for token in [None, Some(admin.as_str())] {
                let res = app
                    .req(Method::from_bytes(method.as_bytes()).unwrap(), &path, token)
                    .send()
                    .unwrap();
                probed += 1;
                let status = res.status().as_u16();
                let mut got: Vec<String> = res
                    .headers()
                    .get("allow")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .split(',')
                    .map(|m| m.trim().to_string())
                    .filter(|m| !m.is_empty())
                    .collect();
                got.sort();
                if status != 405 {
                    failures.push(format!("{method} {path}: expected 405, got {status}"));
                } else if got != allow {
                    failures.push(format!(
                        "{method} {path}: Allow {got:?}, documented {allow:?}"
                    ));
                } else if *method != "HEAD" {
                    // HEAD answers have no body to check.
                    if let Err(e) = clean_problem(res, &format!("{method} {path}"), "") {
                        failures.push(e);
                    }
                }
            }
        }
    }
    assert!(probed > 200, "{probed} probes");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Whether a documented template (`/a/{id}/b`) matches a concrete path.
fn matches(template: &str, path: &str) -> bool {
    let (t, p): (Vec<_>, Vec<_>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| t == p || (t.starts_with('{') && t.ends_with('}')))
}

#[test]
fn undocumented_paths_are_not_found() {
    let Some(app) = helpers::spawn(Backend::Sqlite, |_| {}) else {
        return;
    };
    let admin = app.user_token(Role::Admin);
    let paths = [
        "/api/v1/admin",
        "/api/v1/admin/users",
        "/api/v1/users/1/password",
        "/api/v1/users/1/role",
        "/api/v1/audit/1",
        "/api/v1/households",
        "/api/v1/bookings",
        "/api/v1/children",
        "/api/v1/sessions",
        "/api/v1/debug",
        "/api/v1/config",
        "/api/v1/settings",
        "/api/v2/venues",
        "/api/v0/venues",
        "/api/venues",
        "/api/v1/venues/1/delete",
        "/api/v1/me/password/hash",
        "/api/v1/me/role",
        "/api/v1/../../etc/passwd",
        "/metrics",
        "/admin",
        "/.env",
        "/.git/config",
    ];
    let mut failures = Vec::new();
    for path in paths {
        for method in METHODS {
            let res = app
                .req(
                    Method::from_bytes(method.as_bytes()).unwrap(),
                    path,
                    Some(&admin),
                )
                .send()
                .unwrap();
            match clean_problem(res, &format!("{method} {path}"), "") {
                Ok((404, _)) => {}
                Ok((status, body)) => failures.push(format!(
                    "{method} {path}: expected 404, got {status}: {body}"
                )),
                Err(e) => failures.push(e),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
