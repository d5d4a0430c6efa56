//! Families who phone the centre (issue 16): a coordinator enrols them with their children, books
//! them a place, finds them again by phone number or postcode however it is written, and changes
//! their record; the same family is never recorded twice without a coordinator saying so. Every
//! search and read is in the audit trail, which never holds what was searched for. Each test
//! runs on SQLite and on PostgreSQL.

use crate::db_test;
use crate::fixtures::Coordinator;
use crate::helpers::{ok_json, problem, TestApp};
use groupwork::domain::role::Role;
use serde_json::{json, Value};

/// A published COSP group led by a facilitator with a login; returns (cohort, the lead's token,
/// the token of a facilitator who leads another group).
fn group_with_lead(co: &Coordinator) -> (i64, String, String) {
    let venue = co.venue("Stockwell Children's Centre", "lambeth-2014:Stockwell", 10);
    let (lead, lead_t) = co.staff_with_login("Grace Adeyemi", &[("cosp_registered", None)]);
    let (tom, _) = co.staff_with_login("Tom Reilly", &[]);
    let (ola, ola_t) = co.staff_with_login("Ola Nowak", &[("cosp_registered", None)]);
    let maria = co.staff("Maria Santos", &[("paediatric_first_aid", None)]);
    let cohort = co.cohort(
        "cosp",
        venue,
        "2026-03-03",
        "10:00",
        json!({"places": 8, "creche_workers": 1}),
    )["id"]
        .as_i64()
        .unwrap();
    ok_json(
        co.set_team(
            cohort,
            json!({"lead": lead, "co_facilitators": [tom], "creche_workers": [maria]}),
        ),
        200,
    );
    ok_json(co.publish(cohort), 200);
    let other = co.cohort(
        "cosp",
        venue,
        "2026-03-05",
        "10:00",
        json!({"places": 8, "creche_workers": 1}),
    )["id"]
        .as_i64()
        .unwrap();
    ok_json(
        co.set_team(
            other,
            json!({"lead": ola, "co_facilitators": [tom], "creche_workers": [maria]}),
        ),
        200,
    );
    (cohort, lead_t, ola_t)
}

/// A family who phoned: no email, told by text message, one baby.
pub(crate) fn phone_caller() -> Value {
    json!({
        "carers": ["Amina Bello", "Yusuf Bello"], "phone": "07700 900123", "postcode": "SW9 8LF",
        "preferred_language": "so", "referral_source": "health_visitor", "contact_by": "sms",
        "consent_to_contact": true,
        "children": [{"first_name": "Idris", "date_of_birth": "2025-06-01"}]
    })
}

fn find(app: &TestApp, co: &Coordinator, q: &str) -> Value {
    let res = app
        .req(reqwest::Method::GET, "/api/v1/families", co.t())
        .query(&[("q", q)])
        .send()
        .unwrap();
    ok_json(res, 200)
}

fn ids(list: &Value) -> Vec<i64> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect()
}

/// The audit trail as an admin reads it, filtered by `query`.
fn audit(app: &TestApp, admin: &str, query: &str) -> Vec<Value> {
    let list = ok_json(
        app.get(&format!("/api/v1/audit?limit=100&{query}"), Some(admin)),
        200,
    );
    list["items"].as_array().unwrap().clone()
}

db_test! {
    fn a_family_who_phones_is_enrolled_booked_found_and_read(app) {
        let co = Coordinator::new(&app);
        let admin = app.user_token(Role::Admin);
        let (cohort, lead_t, other_t) = group_with_lead(&co);

        let res = app.post("/api/v1/families", co.t(), &phone_caller());
        assert_eq!(res.status(), 201);
        let location = res.headers()["location"].to_str().unwrap().to_string();
        let family: Value = res.json().unwrap();
        let id = family["id"].as_i64().unwrap();
        assert_eq!(location, format!("/api/v1/families/{id}"));
        assert_eq!(family["carers"], json!(["Amina Bello", "Yusuf Bello"]));
        assert_eq!((family["has_account"].as_bool(), family["email_verified"].as_bool()), (Some(false), Some(false)));
        assert_eq!(family["email"], "");
        assert_eq!(family["contact_by"], "sms");
        assert_eq!(family["children"][0]["first_name"], "Idris");

        // Booked on the phone; the confirmation goes by text message, the way they chose.
        let booked = ok_json(app.post(&format!("/api/v1/cohorts/{cohort}/bookings"), co.t(), &json!({"family_id": id})), 201);
        assert_eq!(booked["status"], "confirmed");
        let told = ok_json(app.get(&format!("/api/v1/messages?family_id={id}"), co.t()), 200);
        let channels: Vec<&str> = told["items"].as_array().unwrap().iter().map(|m| m["channel"].as_str().unwrap()).collect();
        assert_eq!(channels, ["sms"], "{told}");
        assert_eq!(told["items"][0]["recipient"], "07700 900123");
        assert_eq!(told["items"][0]["status"], "queued");

        // Found by the phone number however it is written, by postcode in any case and
        // spacing, by either carer's name; never by a child's name.
        for q in ["+44 7700 900123", "07700900123", "(07700) 900-123", "900123", "sw98lf", "SW9 8LF", "amina", "YUSUF BELLO"] {
            assert_eq!(ids(&find(&app, &co, q)), [id], "{q}");
        }
        assert_eq!(find(&app, &co, "Idris")["total"], 0);
        assert_eq!(find(&app, &co, "07700 900124")["total"], 0);
        let page = find(&app, &co, "07700 900123");
        assert_eq!(page["items"][0]["phone"], "07700 900123");
        assert_eq!(page["items"][0]["has_account"], false);
        assert!(page["items"][0].get("children").is_none(), "{page}");
        assert_eq!((page["limit"].as_i64(), page["offset"].as_i64(), page["total"].as_i64()), (Some(20), Some(0), Some(1)));

        // The group's lead may read the family's record; a facilitator of another group
        // cannot tell it exists; a parent is not staff.
        let read = ok_json(app.get(&location, Some(&lead_t)), 200);
        assert_eq!(read["children"][0]["first_name"], "Idris");
        problem(app.get(&location, Some(&other_t)), 404);
        let parent = app.user_token(Role::Parent);
        problem(app.get(&location, Some(&parent)), 403);
        problem(app.get("/api/v1/families", Some(&parent)), 403);
        problem(app.get("/api/v1/families?q=amina", Some(&lead_t)), 403);
        problem(app.post("/api/v1/families", Some(&lead_t), &phone_caller()), 403);
        ok_json(app.get(&location, co.t()), 200);
        problem(app.get("/api/v1/families/424242", co.t()), 404);

        // The audit trail: every search (how, and how many, never what was typed), each time
        // the family was shown, and each read with its reader.
        let searches = audit(&app, &admin, "action=families_searched");
        assert_eq!(searches.len(), 11);
        let details: Vec<&str> = searches.iter().map(|e| e["detail"].as_str().unwrap()).collect();
        assert!(details.contains(&"by phone, 1 found"), "{details:?}");
        assert!(details.contains(&"by name, email or postcode, 0 found"), "{details:?}");
        let trail = serde_json::to_string(&audit(&app, &admin, "")).unwrap();
        for typed in ["7700", "900123", "SW9", "sw98lf", "amina", "Idris", "YUSUF"] {
            assert!(!trail.contains(typed), "the audit trail holds {typed:?}");
        }
        let listed = audit(&app, &admin, &format!("family_id={id}&action=family_listed"));
        assert_eq!(listed.len(), 9, "each search that showed the family is in its trail");
        let lead_id = app.user_id(&lead_t);
        let reads = audit(&app, &admin, &format!("family_id={id}&action=family_read"));
        let readers: Vec<i64> = reads.iter().map(|e| e["actor_id"].as_i64().unwrap()).collect();
        // Newest first: the coordinator's read, the lead's, and the coordinator's look at the
        // family's messages.
        let co_id = app.user_id(co.t().unwrap());
        assert_eq!(readers, [co_id, lead_id, co_id]);
        let enrolled = audit(&app, &admin, &format!("family_id={id}&action=family_enrolled"));
        assert_eq!(enrolled[0]["detail"], "1 child");
    }
}

db_test! {
    fn the_same_family_is_not_recorded_twice_unless_a_coordinator_says_so(app) {
        let co = Coordinator::new(&app);
        let mut first = phone_caller();
        first["email"] = json!("Amina.Bello@example.org");
        first["contact_by"] = json!("both");
        let a = ok_json(app.post("/api/v1/families", co.t(), &first), 201)["id"].as_i64().unwrap();
        // A parent who registered, whose family gives no address of its own: their login's.
        let p = app.register_parent("rosa@example.org")["access_token"].as_str().unwrap().to_string();
        let rosa = ok_json(app.req(reqwest::Method::PUT, "/api/v1/me/family", Some(&p)).json(&json!({
            "carers": ["Rosa Lima"], "preferred_language": "pt", "referral_source": "self"})).send().unwrap(), 200);
        assert_eq!(rosa["email"], "");

        let newcomer = |email: Option<&str>, phone: &str| {
            json!({"carers": ["Someone New"], "email": email, "phone": phone, "preferred_language": "en",
                   "referral_source": "gp", "contact_by": "sms"})
        };
        let cases = [
            (newcomer(Some("AMINA.BELLO@example.org"), "020 7926 1000"), "email", a),
            (newcomer(None, "+44 7700 900123"), "phone", a),
            (newcomer(None, "0044 (0)7700-900-123"), "phone", a),
            (newcomer(Some("rosa@example.org"), "020 7926 1000"), "email", rosa["id"].as_i64().unwrap()),
        ];
        for (body, field, existing) in cases {
            let p = problem(app.post("/api/v1/families", co.t(), &body), 409);
            assert_eq!(p["existing_family_ids"], json!([existing]), "{p}");
            assert_eq!(p["type"], "/problems/duplicate");
            assert!(p["errors"][field].is_array(), "{p}");
            let words = if field == "email" { "email address" } else { "phone number" };
            assert_eq!(p["detail"], format!("a family with this {words} is already recorded (family {existing}): book them, or send confirmed_new: true if this is a different family"));
        }
        let both = problem(app.post("/api/v1/families", co.t(), &newcomer(Some("amina.bello@example.org"), "07700900123")), 409);
        assert_eq!(both["existing_family_ids"], json!([a]));
        assert!(both["detail"].as_str().unwrap().contains("email address and phone number"), "{both}");
        assert_eq!(find(&app, &co, "Someone New")["total"], 0, "nothing was recorded");

        // The coordinator has looked: a different family with the same phone (a shared mobile).
        let mut different = newcomer(None, "+44 7700 900123");
        different["confirmed_new"] = json!(true);
        let b = ok_json(app.post("/api/v1/families", co.t(), &different), 201)["id"].as_i64().unwrap();
        assert_eq!(ids(&find(&app, &co, "07700 900123")).len(), 2);

        // Changing a record: only what is sent changes, checked the same way, audited by
        // field name; a new phone that another family has is a 409 again.
        let url = format!("/api/v1/families/{b}");
        let changed = ok_json(app.patch(&url, co.t(), &json!({"postcode": "se5 9ru", "phone": "020 7926 1000"})), 200);
        assert_eq!((changed["postcode"].as_str(), changed["carers"][0].as_str()), (Some("SE5 9RU"), Some("Someone New")));
        let clash = problem(app.patch(&url, co.t(), &json!({"email": "amina.bello@example.org"})), 409);
        assert_eq!(clash["existing_family_ids"], json!([a]));
        ok_json(app.patch(&url, co.t(), &json!({"email": "amina.bello@example.org", "confirmed_new": true})), 200);
        // Bad input changes nothing.
        let bad = problem(app.patch(&url, co.t(), &json!({"postcode": "not a postcode", "carers": []})), 422);
        assert!(bad["errors"]["postcode"].is_array() && bad["errors"]["carers"].is_array(), "{bad}");
        let sms_without_phone = problem(app.patch(&url, co.t(), &json!({"phone": null})), 422);
        assert!(sms_without_phone["errors"]["contact_by"].is_array(), "{sms_without_phone}");
        let now = ok_json(app.get(&url, co.t()), 200);
        assert_eq!((now["postcode"].as_str(), now["phone"].as_str()), (Some("SE5 9RU"), Some("020 7926 1000")));
        problem(app.patch("/api/v1/families/424242", co.t(), &json!({"postcode": "SE5 9RU"})), 404);
        problem(app.patch(&url, co.t(), &json!({"nickname": "x"})), 422);
        let admin = app.user_token(Role::Admin);
        let updates = audit(&app, &admin, &format!("family_id={b}&action=family_updated"));
        let details: Vec<&str> = updates.iter().rev().map(|e| e["detail"].as_str().unwrap()).collect();
        assert_eq!(details, ["changed: phone, postcode", "changed: email"]);

        // Bad input when enrolling: every problem at once, children's dates included, and
        // nothing recorded.
        let bad = problem(app.post("/api/v1/families", co.t(), &json!({
            "carers": [], "phone": "call me", "preferred_language": "en", "referral_source": "friend",
            "contact_by": "sms", "children": [{"first_name": "Baby", "date_of_birth": "2027-01-01"}]})), 422);
        for field in ["carers", "phone", "referral_source", "children[0].date_of_birth"] {
            assert!(bad["errors"][field].is_array(), "{field}: {bad}");
        }
        let no_address = problem(app.post("/api/v1/families", co.t(), &json!({
            "carers": ["Nobody Reachable"], "preferred_language": "en", "referral_source": "self"})), 422);
        assert!(no_address["errors"]["contact_by"].is_array(), "{no_address}");
        let eleven: Vec<Value> = (0..11).map(|i| json!({"first_name": format!("Child {i}"), "date_of_birth": "2024-01-01"})).collect();
        let mut many = newcomer(None, "020 7000 0000");
        many["carers"] = json!(["Many Children"]);
        many["children"] = json!(eleven);
        assert!(problem(app.post("/api/v1/families", co.t(), &many), 422)["errors"]["children"].is_array());
        let unknown = problem(app.post("/api/v1/families", co.t(), &json!({"carers": ["X Y"], "preferred_language": "en", "referral_source": "self", "nickname": "x"})), 422);
        assert!(unknown["errors"]["nickname"].is_array(), "{unknown}");
        let wrong_type = problem(app.post("/api/v1/families", co.t(), &json!({"carers": ["X Y"], "preferred_language": "en", "referral_source": "self", "interpreter_needed": "yes"})), 422);
        assert!(wrong_type["errors"]["interpreter_needed"].is_array(), "{wrong_type}");
        for q in ["Nobody", "Many Children", "call me", "X Y"] {
            assert_eq!(find(&app, &co, q)["total"], 0, "{q}");
        }
        // A search must say what it is looking for.
        problem(app.get("/api/v1/families?q=a", co.t()), 422);
        problem(app.get("/api/v1/families", co.t()), 422);
    }
}
