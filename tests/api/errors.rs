//! Every error is application/problem+json: bad JSON, bad fields, unknown routes, wrong methods,
//! oversized bodies, wrong media types, bad query and path values, and a database that is gone.

use crate::db_test;
use crate::helpers::{self, problem, Backend};
use diesel::{Connection, PgConnection, RunQueryDsl};
use groupwork::domain::role::Role;
use serde_json::json;

db_test! {
    fn malformed_and_invalid_bodies(app) {
        let token = app.user_token(Role::Coordinator);
        let res = app.req(reqwest::Method::POST, "/api/v1/venues", Some(&token))
            .header("content-type", "application/json")
            .body("{\"name\": ")
            .send()
            .unwrap();
        problem(res, 400);
        let res = app.req(reqwest::Method::POST, "/api/v1/venues", Some(&token))
            .header("content-type", "text/plain")
            .body("hello")
            .send()
            .unwrap();
        problem(res, 415);
        let wrong_type = problem(app.post("/api/v1/venues", Some(&token), &json!({"name": 5})), 422);
        assert!(wrong_type["errors"]["name"].is_array(), "the field is named: {wrong_type}");
        let total = app.get("/api/v1/venues", None).json::<serde_json::Value>().unwrap()["total"].clone();
        assert_eq!(total, 0, "nothing was created");
    }
}

db_test! {
    fn oversized_body_is_413(app) {
        let token = app.user_token(Role::Coordinator);
        let big = "x".repeat(100 * 1024);
        let body = json!({"name": "Big", "address": big, "postcode": "SW9 8LF", "ward": "lambeth-2014:Stockwell",
                          "creche_room_capacity": 0, "creche_registered": false});
        problem(app.post("/api/v1/venues", Some(&token), &body), 413);
        // Without a Content-Length header too (chunked).
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> = (0..100).map(|_| Ok(vec![b' '; 1024])).collect();
        let res = app.req(reqwest::Method::POST, "/api/v1/auth/login", None)
            .header("content-type", "application/json")
            .body(reqwest::blocking::Body::new(std::io::Cursor::new(chunks.into_iter().flat_map(|c| c.unwrap()).collect::<Vec<u8>>())))
            .send()
            .unwrap();
        problem(res, 413);
    }
}

db_test! {
    fn unknown_routes_and_wrong_methods(app) {
        let p = problem(app.get("/api/v1/no-such-thing", None), 404);
        assert!(p["detail"].as_str().unwrap().contains("/api/v1/no-such-thing"));
        problem(app.get("/nowhere", None), 404);
        let res = app.req(reqwest::Method::DELETE, "/api/v1/programmes", None).send().unwrap();
        assert_eq!(res.headers()["allow"], "GET, POST");
        problem(res, 405);
        let res = app.req(reqwest::Method::PUT, "/api/v1/venues/3", None).send().unwrap();
        assert_eq!(res.headers()["allow"], "GET, PATCH");
        problem(res, 405);
    }
}

db_test! {
    fn bad_query_and_path_values(app) {
        problem(app.get("/api/v1/venues?limit=abc", None), 400);
        let p = problem(app.get("/api/v1/venues?limit=1000", None), 422);
        assert!(p["errors"]["limit"].is_array());
        problem(app.get("/api/v1/venues?ward=Stockwell", None), 422);
        problem(app.get("/api/v1/venues/not-a-number", None), 404);
        problem(app.get("/api/v1/venues/99999999999999", None), 404);
        problem(app.get("/api/v1/venues/424242", None), 404);
    }
}

#[test]
fn database_gone_is_503_with_retry_after_not_a_hang() {
    let Some(app) = helpers::spawn(Backend::Postgres, |c| c.db_timeout_secs = 1) else {
        return;
    };
    assert_eq!(app.get("/health", None).status(), 200);
    let name = app.postgres_database().expect("postgres test database");
    let mut admin = PgConnection::establish(&helpers::postgres_admin_url()).unwrap();
    diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut admin)
        .unwrap();

    let res = app.get("/health", None);
    assert_eq!(res.status(), 503);
    assert_eq!(res.headers()["retry-after"], "5");
    let body: serde_json::Value = res.json().unwrap();
    assert_eq!(
        body,
        json!({"status": "unavailable", "database": "postgres"})
    );

    let res = app.get("/api/v1/venues", None);
    assert_eq!(res.headers()["retry-after"], "5");
    let p = problem(res, 503);
    assert!(
        !p["detail"].as_str().unwrap().contains(&name),
        "no internal details: {p}"
    );
}
