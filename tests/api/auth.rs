//! Accounts and tokens: register, login, refresh rotation and reuse, logout, rate limits, and
//! every kind of bad token.

use crate::db_test;
use crate::helpers::{self, ok_json, problem, Backend, JWT_SECRET, PASSWORD};
use chrono::Duration;
use groupwork::domain::role::Role;
use groupwork::Clock;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

fn register_body(email: &str) -> Value {
    json!({"email": email, "password": PASSWORD, "display_name": "Amira"})
}

db_test! {
    fn register_then_me(app) {
        let res = app.post("/api/v1/auth/register", None, &register_body("Amira@Example.org"));
        assert_eq!(res.headers()["location"], "/api/v1/me");
        let tokens = ok_json(res, 201);
        assert_eq!(tokens["token_type"], "Bearer");
        assert_eq!(tokens["expires_in"], 900);
        assert_eq!(tokens["user"]["email"], "amira@example.org");
        assert_eq!(tokens["user"]["role"], "parent");
        let me = ok_json(app.get("/api/v1/me", tokens["access_token"].as_str()), 200);
        assert_eq!(me["id"], tokens["user"]["id"]);
        assert_eq!(me["display_name"], "Amira");
        // Same email in another case: one account per person.
        let dup = problem(app.post("/api/v1/auth/register", None, &register_body("AMIRA@example.org")), 409);
        assert!(dup["detail"].as_str().unwrap().contains("already exists"));
    }
}

db_test! {
    fn register_refuses_bad_fields_and_creates_nothing(app) {
        let weak = problem(
            app.post("/api/v1/auth/register", None, &json!({"email": "b@example.org", "password": "password1", "display_name": "B"})),
            422,
        );
        assert!(weak["errors"]["password"].is_array(), "{weak}");
        let bad = problem(
            app.post("/api/v1/auth/register", None, &json!({"email": "not-an-email", "password": PASSWORD, "display_name": ""})),
            422,
        );
        assert!(bad["errors"]["email"].is_array(), "{bad}");
        assert!(bad["errors"]["display_name"].is_array(), "{bad}");
        let missing = problem(app.post("/api/v1/auth/register", None, &json!({"email": "c@example.org"})), 422);
        assert!(missing["errors"]["password"].is_array(), "{missing}");
        problem(app.post("/api/v1/auth/login", None, &json!({"email": "b@example.org", "password": "password1"})), 401);
        problem(app.post("/api/v1/auth/login", None, &json!({"email": "not-an-email", "password": PASSWORD})), 401);
    }
}

db_test! {
    fn login_failures_look_the_same(app) {
        app.register_parent("dana@example.org");
        let wrong = problem(app.post("/api/v1/auth/login", None, &json!({"email": "dana@example.org", "password": "wrong password!"})), 401);
        let unknown = problem(app.post("/api/v1/auth/login", None, &json!({"email": "nobody@example.org", "password": "wrong password!"})), 401);
        assert_eq!(wrong, unknown);
        let ok = app.login("DANA@example.org", PASSWORD);
        assert_eq!(ok["user"]["role"], "parent");
    }
}

db_test! {
    fn refresh_rotates_and_reuse_revokes_the_family(app) {
        let first = app.register_parent("eve@example.org");
        let r1 = first["refresh_token"].as_str().unwrap();
        let second = ok_json(app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": r1})), 200);
        let r2 = second["refresh_token"].as_str().unwrap();
        assert_ne!(r1, r2);
        assert_eq!(second["user"]["email"], "eve@example.org");
        ok_json(app.get("/api/v1/me", second["access_token"].as_str()), 200);
        // Replaying the rotated token: refused, and the current one dies with it.
        problem(app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": r1})), 401);
        problem(app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": r2})), 401);
        // Another login is a separate family and still works.
        let other = app.login("eve@example.org", PASSWORD);
        ok_json(app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": other["refresh_token"]})), 200);
        problem(app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": "made-up"})), 401);
    }
}

db_test! {
    fn refresh_tokens_expire_by_the_app_clock(app) {
        let t = app.register_parent("fay@example.org");
        app.clock.advance(Duration::days(31));
        problem(app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": t["refresh_token"]})), 401);
    }
}

db_test! {
    fn logout_ends_the_login(app) {
        let t = app.register_parent("gus@example.org");
        let res = app.post("/api/v1/auth/logout", None, &json!({"refresh_token": t["refresh_token"]}));
        assert_eq!(res.status(), 204);
        problem(app.post("/api/v1/auth/refresh", None, &json!({"refresh_token": t["refresh_token"]})), 401);
        // Logging out twice, or with an unknown token, is harmless.
        assert_eq!(app.post("/api/v1/auth/logout", None, &json!({"refresh_token": "unknown"})).status(), 204);
    }
}

db_test! {
    fn repeated_failures_lock_the_account_for_a_while(app) {
        app.register_parent("hal@example.org");
        let bad = json!({"email": "hal@example.org", "password": "not the password"});
        for _ in 0..5 {
            problem(app.post("/api/v1/auth/login", None, &bad), 401);
        }
        let res = app.post("/api/v1/auth/login", None, &json!({"email": "hal@example.org", "password": PASSWORD}));
        let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!(retry > 0 && retry <= 900);
        problem(res, 429);
        // Other accounts are not affected.
        app.register_parent("ida@example.org");
        app.login("ida@example.org", PASSWORD);
        app.clock.advance(Duration::minutes(16));
        app.login("hal@example.org", PASSWORD);
    }
}

#[test]
fn many_attempts_from_one_address_are_limited() {
    let Some(app) = helpers::spawn(Backend::Sqlite, |c| c.login_attempts_per_address = 3) else {
        return;
    };
    for i in 0..3 {
        problem(
            app.post(
                "/api/v1/auth/login",
                None,
                &json!({"email": format!("x{i}@example.org"), "password": "whatever it is"}),
            ),
            401,
        );
    }
    problem(
        app.post(
            "/api/v1/auth/login",
            None,
            &json!({"email": "y@example.org", "password": "whatever it is"}),
        ),
        429,
    );
}

fn claims(now: i64) -> Value {
    json!({"sub": "1", "role": "admin", "typ": "access", "iss": "groupwork", "aud": "groupwork-api", "iat": now, "exp": now + 600})
}

fn sign(claims: &Value, alg: Algorithm, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(alg),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

db_test! {
    fn every_bad_token_is_401(app) {
        let now = app.clock.now().timestamp();
        let good = app.user_token(Role::Admin);
        ok_json(app.get("/api/v1/users", Some(&good)), 200);
        let refresh = app.login(&{
            let me = ok_json(app.get("/api/v1/me", Some(&good)), 200);
            me["email"].as_str().unwrap().to_string()
        }, PASSWORD)["refresh_token"].as_str().unwrap().to_string();

        let mut cases: Vec<(&str, String)> = vec![
            ("wrong key", sign(&claims(now), Algorithm::HS256, "another secret entirely, 32+ bytes long")),
            ("other algorithm", sign(&claims(now), Algorithm::HS512, JWT_SECRET)),
            ("refresh token as access token", refresh),
            ("garbage", "not.a.token".into()),
        ];
        let mut c = claims(now);
        c["aud"] = json!("someone-else");
        cases.push(("wrong audience", sign(&c, Algorithm::HS256, JWT_SECRET)));
        let mut c = claims(now);
        c["iss"] = json!("evil");
        cases.push(("wrong issuer", sign(&c, Algorithm::HS256, JWT_SECRET)));
        let mut c = claims(now);
        c["exp"] = json!((now + 600).to_string());
        cases.push(("exp as a string", sign(&c, Algorithm::HS256, JWT_SECRET)));
        let mut c = claims(now);
        c.as_object_mut().unwrap().remove("exp");
        cases.push(("no exp", sign(&c, Algorithm::HS256, JWT_SECRET)));
        let mut c = claims(now);
        c["typ"] = json!("refresh");
        cases.push(("wrong token type", sign(&c, Algorithm::HS256, JWT_SECRET)));
        // A parent's token with the payload edited to say admin, signature kept.
        let parent = app.user_token(Role::Parent);
        let parts: Vec<&str> = parent.split('.').collect();
        use base64_engine::encode_url;
        let forged_payload = encode_url(&serde_json::to_vec(&claims(now)).unwrap());
        cases.push(("tampered payload", format!("{}.{}.{}", parts[0], forged_payload, parts[2])));
        let none_header = encode_url(br#"{"alg":"none","typ":"JWT"}"#);
        cases.push(("alg none", format!("{none_header}.{forged_payload}.")));

        for (what, token) in cases {
            let res = app.get("/api/v1/users", Some(&token));
            assert_eq!(res.status(), 401, "{what}");
            assert_eq!(res.headers()["www-authenticate"], "Bearer", "{what}");
            problem(res, 401);
        }
        // Expired: the same good token after the app clock passes 15 minutes.
        app.clock.advance(Duration::minutes(15));
        problem(app.get("/api/v1/users", Some(&good)), 401);
        // Not a bearer header at all.
        let res = app.req(reqwest::Method::GET, "/api/v1/me", None).header("authorization", "Basic YTpi").send().unwrap();
        problem(res, 401);
    }
}

/// Base64url without padding, for hand-made JWT parts.
mod base64_engine {
    pub fn encode_url(bytes: &[u8]) -> String {
        const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
            for i in 0..=chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }

    #[test]
    fn matches_known_values() {
        assert_eq!(encode_url(b"{\"a\":1}"), "eyJhIjoxfQ");
        assert_eq!(encode_url(b"ab"), "YWI");
    }
}
