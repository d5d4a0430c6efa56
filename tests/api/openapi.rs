//! The committed OpenAPI document matches the code, is what the server serves, and documents
//! the errors every protected operation can answer.

use crate::helpers::{self, ok_json, Backend};
use serde_json::Value;

fn generated() -> Value {
    serde_json::to_value(groupwork::api::openapi()).unwrap()
}

#[test]
fn committed_spec_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    let committed: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("openapi/openapi.json exists"))
            .expect("openapi/openapi.json is JSON");
    assert!(
        committed == generated(),
        "openapi/openapi.json is out of date: run `cargo run -- openapi > openapi/openapi.json`"
    );
}

#[test]
fn every_operation_documents_its_answers() {
    let spec = generated();
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            let codes: Vec<&str> = responses.keys().map(String::as_str).collect();
            assert!(
                codes.iter().any(|c| c.starts_with('2')),
                "{method} {path} has no success answer"
            );
            if op.get("security").is_some() {
                assert!(
                    codes.contains(&"401"),
                    "{method} {path} is protected but does not document 401"
                );
            }
            if op.get("requestBody").is_some() {
                for c in ["400", "413", "415"] {
                    assert!(
                        codes.contains(&c),
                        "{method} {path} takes a body but does not document {c}"
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 10);
    let schemes = &spec["components"]["securitySchemes"]["bearer"];
    assert_eq!(schemes["scheme"], "bearer");
}

#[test]
fn server_serves_the_spec_and_swagger_ui() {
    let Some(app) = helpers::spawn(Backend::Sqlite, |_| {}) else {
        return;
    };
    let served = ok_json(app.get("/api-docs/openapi.json", None), 200);
    assert_eq!(served, generated());
    let res = app.get("/docs", None);
    assert_eq!(res.status(), 308);
    assert_eq!(res.headers()["location"], "/docs/");
    let res = app.get("/docs/", None);
    assert_eq!(res.status(), 200);
    assert!(res.text().unwrap().contains("swagger"), "Swagger UI page");
}
