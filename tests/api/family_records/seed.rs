//! One family with a row in every table that can hold its data (booking, crèche place, marks,
//! a crèche sign-in, a key person, a crèche incident, a follow-up with a contact attempt, outcome
//! scores, apologies, a one-off visit to a full group's session, a notification, audit events,
//! logins, a stored retry, a password-reset link), written with distinctive values to search for
//! after erasure.

use crate::fixtures::Coordinator;
use crate::helpers::{ok_json, TestApp, PASSWORD};
use crate::registers::{group, mark, put, read, staff, Group};
use chrono::Duration;
use groupwork::domain::role::Role;
use reqwest::Method;
use serde_json::json;

pub const NAME: &str = "Zanele Okonkwo-Birch";
pub const SECOND_CARER: &str = "Kwame Okonkwo-Birch";
pub const EMAIL: &str = "zanele.okonkwo-birch@example.org";
pub const PHONE: &str = "07700 900999";
pub const CHILD: &str = "Thandiwe";
pub const COLLECTED_BY: &str = "Sipho Dlamini";
/// A word that only the staff's notes about the family contain.
pub const NOTE_WORD: &str = "tonsillitis";
pub const DATE_OF_BIRTH: &str = "2025-06-01";
/// A word only the child's care notes contain.
pub const ALLERGY_WORD: &str = "cashew";
pub const EMERGENCY_NAME: &str = "Nomvula Mthembu";
pub const EMERGENCY_PHONE: &str = "07700 900555";
pub const COLLECTOR: &str = "Bongani Ndlovu";
/// A word only the coordinator's reason to let someone not on the list collect the child holds.
pub const OVERRIDE_WORD: &str = "Mkhize";
/// A word only the crèche's record of an incident (and the message about it) contains.
pub const INCIDENT_WORD: &str = "grazed";

/// Every value that identifies or describes the family.
pub fn personal_values() -> [&'static str; 14] {
    [
        NAME,
        "Okonkwo-Birch",
        SECOND_CARER,
        EMAIL,
        PHONE,
        CHILD,
        COLLECTED_BY,
        NOTE_WORD,
        ALLERGY_WORD,
        EMERGENCY_NAME,
        EMERGENCY_PHONE,
        COLLECTOR,
        OVERRIDE_WORD,
        INCIDENT_WORD,
    ]
}

pub struct Seeded {
    /// The COSP group (Tuesdays 3 March to 21 April 2026) the family attended.
    pub group: Group,
    pub family: i64,
    pub user: i64,
    pub refresh_token: String,
    pub booking: i64,
    pub child: i64,
    /// The family's place on a Together Time group from 2 June 2026, its only place.
    pub future_booking: i64,
    /// (user, booking) of the family waiting for that place.
    pub waiting: (i64, i64),
    /// The token of the password-reset link the family asked for (never used).
    pub reset_link: String,
}

pub fn family(app: &TestApp) -> Seeded {
    // Another family holds the only place, with a crèche place.
    let g = group(app, 1, 1, 1);
    let reg = ok_json(
        app.post(
            "/api/v1/auth/register",
            None,
            &json!({"email": EMAIL, "password": PASSWORD, "display_name": NAME}),
        ),
        201,
    );
    let t = reg["access_token"].as_str().unwrap().to_string();
    let user = reg["user"]["id"].as_i64().unwrap();
    let profile = json!({"carers": [NAME, SECOND_CARER], "phone": PHONE, "email": EMAIL,
        "postcode": "SW9 8LF", "ward": "lambeth-2014:Stockwell", "preferred_language": "other", "language_other": "isiZulu",
        "interpreter_needed": true, "access_needs": format!("{NAME} uses a wheelchair"),
        "referral_source": "health_visitor", "consent_to_contact": true,
        "monitoring": {"ethnicity": "black_african", "first_language": "zu", "english_additional_language": "yes",
                       "carers": [{"role": "mother", "year_of_birth": "1995"}, {"role": "father"}]}});
    let put_family = app.req(Method::PUT, "/api/v1/me/family", Some(&t));
    let family = ok_json(put_family.json(&profile).send().unwrap(), 200)["id"]
        .as_i64()
        .unwrap();
    let body = json!({"first_name": CHILD, "date_of_birth": DATE_OF_BIRTH,
        "allergies": format!("{ALLERGY_WORD} nuts"), "medicines": "antihistamine syrup",
        "medicines_consent": true, "medicines_consent_date": "2026-01-05"});
    let child = ok_json(app.post("/api/v1/me/children", Some(&t), &body), 201)["id"]
        .as_i64()
        .unwrap();
    // Whom to call, and who may collect the child (with a collection password).
    let contacts = json!({"contacts": [
        {"name": EMERGENCY_NAME, "relation": "aunt", "phone": EMERGENCY_PHONE},
        {"name": SECOND_CARER, "relation": "father", "phone": PHONE}]});
    let put_contacts = app.req(
        Method::PUT,
        "/api/v1/me/family/emergency-contacts",
        Some(&t),
    );
    ok_json(put_contacts.json(&contacts).send().unwrap(), 200);
    let collector = json!({"name": COLLECTOR, "relation": "uncle", "password": "umhlanga"});
    let url = format!("/api/v1/me/children/{child}/collectors");
    let collector = ok_json(app.post(&url, Some(&t), &collector), 201)["id"].clone();

    // Waitlisted, then promoted when the other family cancels: a notification.
    let url = format!("/api/v1/cohorts/{}/bookings", g.cohort);
    let b = ok_json(
        app.post(&url, Some(&t), &json!({"creche_child_ids": [child]})),
        201,
    );
    assert_eq!(b["status"], "waitlisted", "{b}");
    let booking = b["id"].as_i64().unwrap();
    let other = app.token_as(g.families[0].user, Role::Parent);
    let cancel = format!("/api/v1/bookings/{}", g.families[0].booking);
    let res = app
        .req(Method::DELETE, &cancel, Some(&other))
        .send()
        .unwrap();
    assert_eq!(res.status(), 204);

    // Session 1: present, the child in the crèche and collected by a named person.
    g.at_session(app, 1, 125);
    let lead = staff(app, g.lead);
    let (_, etag) = read(app, &g.register(1), &lead);
    let start = g.sessions[0].1;
    let body = json!({"marks": [{"booking_id": booking, "status": "present"}],
        "creche": [{"child_id": child, "signed_in_at": start + Duration::minutes(5),
                    "signed_out_at": start + Duration::minutes(115), "collector_id": collector,
                    "collection_password": "umhlanga"}]});
    ok_json(put(app, &g.register(1), &lead, Some(&etag), &body), 200);
    // Her key person in the crèche.
    let url = format!("/api/v1/cohorts/{}/creche/key-persons/{child}", g.cohort);
    let assign = app.req(Method::PUT, &url, Some(&lead));
    ok_json(
        assign
            .json(&json!({"staff_id": g.creche_staff}))
            .send()
            .unwrap(),
        200,
    );
    // An accident in the crèche that day, recorded by the crèche worker (the family is told).
    let incident = json!({"child_id": child, "happened_at": start + Duration::minutes(60),
        "what_happened": format!("{CHILD} {INCIDENT_WORD} her elbow on the climbing frame"),
        "first_aid": "Cleaned and a plaster", "witnesses": "Maria Santos"});
    let url = format!("/api/v1/sessions/{}/creche/incidents", g.sessions[0].0);
    ok_json(app.post(&url, Some(&staff(app, g.creche)), &incident), 201);
    // Sessions 2 and 3 missed: a follow-up, a contact attempt and a closing note.
    for n in [2, 3] {
        g.at_session(app, n, 30);
        mark(
            app,
            &g.register(n),
            &staff(app, g.lead),
            &[(booking, "absent")],
        );
    }
    let lead = staff(app, g.lead);
    let open = ok_json(app.get("/api/v1/follow-ups?status=open", Some(&lead)), 200);
    assert_eq!(open["total"], 1, "{open}");
    // Session 4: the child in the crèche, collected by someone not on the list, on a coordinator's word.
    g.at_session(app, 4, 118);
    let coordinator = crate::registers::coordinator(app, &g);
    let (_, etag) = read(app, &g.register(4), &coordinator);
    let start = g.sessions[3].1;
    let body = json!({"creche": [{"child_id": child, "signed_in_at": start + Duration::minutes(5),
        "signed_out_at": start + Duration::minutes(116), "collected_by": COLLECTED_BY,
        "override_reason": format!("aunt {OVERRIDE_WORD}; her mother phoned the centre")}]});
    ok_json(
        put(app, &g.register(4), &coordinator, Some(&etag), &body),
        200,
    );
    // Back to the week of session 3, where the rest of the story happens.
    g.at_session(app, 3, 30);
    let lead = staff(app, g.lead);
    let url = format!("/api/v1/follow-ups/{}", open["items"][0]["id"]);
    let at = (app.state.now() - Duration::hours(1)).to_rfc3339();
    let note = format!("Spoke to Zanele: {CHILD} has {NOTE_WORD}");
    let contact = json!({"contact": {"at": at, "method": "phone", "reached": true, "note": note}});
    ok_json(app.patch(&url, Some(&lead), &contact), 200);
    let note = format!("{NAME} will come back after the {NOTE_WORD}");
    let close = json!({"outcome": "will_rejoin_later", "note": note});
    ok_json(app.patch(&url, Some(&lead), &close), 200);
    for (phase, score) in [("pre", 30), ("post", 38)] {
        let body = json!({"measure": "Parenting Sense of Competence (PSOC)", "phase": phase,
                          "score": score, "recorded_on": "2026-03-03"});
        let url = format!("/api/v1/bookings/{booking}/outcomes");
        ok_json(app.post(&url, Some(&lead), &body), 201);
    }

    // A later group with one place: the family books it (a retry-safe booking), another waits.
    let co = Coordinator::new(app);
    let venue = co.venue("Vassall Children's Centre", "lambeth-2014:Vassall", 0);
    let clinician = co.staff("Nadia Hussain", &[("clinical", None)]);
    let made = co.cohort(
        "together-time",
        venue,
        "2026-06-02",
        "10:00",
        json!({"places": 1}),
    );
    let future_cohort = made["id"].as_i64().unwrap();
    ok_json(co.set_team(future_cohort, json!({"lead": clinician})), 200);
    ok_json(co.publish(future_cohort), 200);
    // A Thursday group whose one place another family holds: the family walks in to its first
    // session and is a one-off visitor, holding no place.
    let thursday = co.cohort(
        "together-time",
        venue,
        "2026-03-19",
        "10:00",
        json!({"places": 1}),
    );
    let (full, first) = (
        thursday["id"].as_i64().unwrap(),
        thursday["sessions"][0]["id"].as_i64().unwrap(),
    );
    ok_json(co.set_team(full, json!({"lead": clinician})), 200);
    ok_json(co.publish(full), 200);
    let host = app.register_parent("place-holder@example.org")["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let body = json!({"first_name": "Baby", "date_of_birth": "2025-10-01"});
    ok_json(app.post("/api/v1/me/children", Some(&host), &body), 201);
    let url = format!("/api/v1/cohorts/{full}/bookings");
    assert_eq!(
        ok_json(app.post(&url, Some(&host), &json!({})), 201)["status"],
        "confirmed"
    );
    app.clock.set("2026-03-19T10:20:00Z".parse().unwrap());
    let url = format!("/api/v1/sessions/{first}/register/walk-ins");
    let coordinator = crate::registers::coordinator(app, &g);
    let visit = ok_json(
        app.post(
            &url,
            Some(&coordinator),
            &json!({"family_id": family, "carers": 2}),
        ),
        201,
    );
    assert_eq!(visit["outcome"], "visitor", "{visit}");

    let url = format!("/api/v1/cohorts/{future_cohort}/bookings");
    let mine = app.token_as(user, Role::Parent);
    let res = app
        .req(Method::POST, &url, Some(&mine))
        .header("Idempotency-Key", "zanele-june-group")
        .json(&json!({}))
        .send()
        .unwrap();
    let future = ok_json(res, 201);
    assert_eq!(future["status"], "confirmed", "{future}");
    // Apologies sent ahead for the June group's second session, with a reason.
    let apologies = format!("/api/v1/me/bookings/{}/apologies", future["id"]);
    let session = &made["sessions"][1]["id"];
    let body = json!({"session_id": session, "reason": format!("{CHILD}'s hearing test")});
    ok_json(app.post(&apologies, Some(&mine), &body), 201);
    let w = app.register_parent("waiting@example.org")["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let body = json!({"first_name": "Baby", "date_of_birth": "2025-09-01"});
    ok_json(app.post("/api/v1/me/children", Some(&w), &body), 201);
    let waiting = ok_json(app.post(&url, Some(&w), &json!({})), 201);
    assert_eq!(waiting["status"], "waitlisted", "{waiting}");

    // A password-reset link, asked for and never used: a one-time link (and its message).
    let res = app.post(
        "/api/v1/auth/password-reset",
        None,
        &json!({"email": EMAIL}),
    );
    assert_eq!(res.status(), 202);
    let reset_link = crate::password_reset::token_in(
        &crate::password_reset::queued(
            app,
            groupwork::domain::message::MessageKind::AccountPasswordReset,
            EMAIL,
        )[0]
        .body_text,
    );

    Seeded {
        reset_link,
        group: g,
        family,
        user,
        refresh_token: reg["refresh_token"].as_str().unwrap().to_string(),
        booking,
        child,
        future_booking: future["id"].as_i64().unwrap(),
        waiting: (app.user_id(&w), waiting["id"].as_i64().unwrap()),
    }
}
