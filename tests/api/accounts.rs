//! Admins turn logins off (someone has left) and on again: a disabled account loses access at
//! once, its sessions end, and an admin can never lock the last admin out.

use crate::db_test;
use crate::helpers::{ok_json, problem, PASSWORD};
use groupwork::domain::role::Role;
use serde_json::json;

db_test! {
    fn a_disabled_login_loses_access_at_once_and_can_be_turned_on_again(app) {
        let admin = app.user_token(Role::Admin);
        let made = ok_json(app.post("/api/v1/users", Some(&admin), &json!({
            "email": "leaver@staff.example", "password": PASSWORD, "display_name": "Leaver", "role": "coordinator"})), 201);
        let id = made["id"].as_i64().unwrap();
        assert_eq!(made["disabled"], false);
        let session = app.login("leaver@staff.example", PASSWORD);
        let token = session["access_token"].as_str().unwrap().to_string();
        let refresh = json!({"refresh_token": session["refresh_token"]});
        // Control: while the account is on, its token reaches family data.
        assert_eq!(app.get("/api/v1/follow-ups", Some(&token)).status(), 200);

        let url = format!("/api/v1/users/{id}");
        let off = ok_json(app.patch(&url, Some(&admin), &json!({"disabled": true})), 200);
        assert_eq!((off["disabled"].as_bool(), off["display_name"].as_str()), (Some(true), Some("Leaver")));
        // The token has not expired, but it is refused now; so are its refresh and a new login.
        let p = problem(app.get("/api/v1/follow-ups", Some(&token)), 401);
        assert_eq!(p["detail"], "this account is no longer active; sign in again");
        problem(app.post("/api/v1/auth/refresh", None, &refresh), 401);
        assert_eq!(app.login_status("leaver@staff.example"), 401);
        // Disabling again changes nothing and records nothing new.
        ok_json(app.patch(&url, Some(&admin), &json!({"disabled": true})), 200);

        let on = ok_json(app.patch(&url, Some(&admin), &json!({"disabled": false, "display_name": "Returner"})), 200);
        assert_eq!((on["disabled"].as_bool(), on["display_name"].as_str()), (Some(false), Some("Returner")));
        assert_eq!(app.login_status("leaver@staff.example"), 200);
        // Sessions ended by disabling stay ended.
        problem(app.post("/api/v1/auth/refresh", None, &refresh), 401);

        let audit = ok_json(app.get("/api/v1/audit?action=account_disabled", Some(&admin)), 200);
        let items = audit["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{audit}");
        assert_eq!((items[0]["entity_id"].as_i64(), items[0]["actor_id"].as_i64()), (Some(id), Some(app.user_id(&admin))));
        let enabled = ok_json(app.get("/api/v1/audit?action=account_enabled", Some(&admin)), 200);
        assert_eq!(enabled["items"].as_array().unwrap().len(), 1, "{enabled}");
    }
}

db_test! {
    fn admins_cannot_disable_themselves_and_bad_changes_change_nothing(app) {
        let admin = app.user_token(Role::Admin);
        let me = app.user_id(&admin);
        let own = format!("/api/v1/users/{me}");
        let p = problem(app.patch(&own, Some(&admin), &json!({"disabled": true})), 409);
        assert!(p["detail"].as_str().unwrap().contains("your own account"), "{p}");
        assert_eq!(ok_json(app.get("/api/v1/me", Some(&admin)), 200)["disabled"], false);

        // Another admin can (so there is always one left to turn it on again).
        let other = app.user_token(Role::Admin);
        assert_eq!(ok_json(app.patch(&own, Some(&other), &json!({"disabled": true})), 200)["disabled"], true);
        problem(app.get("/api/v1/me", Some(&admin)), 401);

        let parent = app.register_parent("still.here@example.org");
        let url = format!("/api/v1/users/{}", parent["user"]["id"]);
        // (An array of the fields in order is not an object: serde alone would take it.)
        for bad in [json!({"role": "admin"}), json!({"display_name": "  "}), json!({"disabled": "yes"}), json!([true, "Renamed"])] {
            problem(app.patch(&url, Some(&other), &bad), 422);
        }
        problem(app.patch("/api/v1/users/424242", Some(&other), &json!({"disabled": true})), 404);
        let coordinator = app.user_token(Role::Coordinator);
        problem(app.patch(&url, Some(&coordinator), &json!({"disabled": true})), 403);
        let after = ok_json(app.get(&url, Some(&other)), 200);
        assert_eq!((after["role"].as_str(), after["disabled"].as_bool(), after["display_name"].as_str()),
                   (Some("parent"), Some(false), Some("Parent")));
    }
}
