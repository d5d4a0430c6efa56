//! Building blocks for calendar tests: venues, staff, cohorts and teams made through the API.

use crate::helpers::{ok_json, TestApp};
use groupwork::domain::role::Role;
use serde_json::{json, Value};

pub struct Coordinator<'a> {
    pub app: &'a TestApp,
    pub token: String,
}

impl<'a> Coordinator<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Coordinator {
            token: app.user_token(Role::Coordinator),
            app,
        }
    }

    pub fn t(&self) -> Option<&str> {
        Some(&self.token)
    }

    pub fn venue(&self, name: &str, ward: &str, creche_room: i32) -> i64 {
        let body = json!({"name": name, "address": "1 High Street, London", "postcode": "SW9 8LF", "ward": ward,
                          "creche_room_capacity": creche_room, "creche_registered": creche_room > 0});
        ok_json(self.app.post("/api/v1/venues", self.t(), &body), 201)["id"]
            .as_i64()
            .unwrap()
    }

    /// A staff member holding `quals` (kind, optional expiry date).
    pub fn staff(&self, name: &str, quals: &[(&str, Option<&str>)]) -> i64 {
        let email = format!("{}@staff.example", name.to_lowercase().replace(' ', "."));
        let q: Vec<Value> = quals
            .iter()
            .map(|(k, e)| json!({"kind": k, "expires_on": e}))
            .collect();
        let body =
            json!({"name": name, "email": email, "organisation": "PAIRS", "qualifications": q});
        ok_json(self.app.post("/api/v1/staff", self.t(), &body), 201)["id"]
            .as_i64()
            .unwrap()
    }

    /// A staff member with a facilitator login; returns (staff id, access token).
    pub fn staff_with_login(&self, name: &str, quals: &[(&str, Option<&str>)]) -> (i64, String) {
        let email = format!("{}@staff.example", name.to_lowercase().replace(' ', "."));
        let q: Vec<Value> = quals
            .iter()
            .map(|(k, e)| json!({"kind": k, "expires_on": e}))
            .collect();
        let body = json!({"name": name, "email": email, "organisation": "PAIRS", "qualifications": q,
                          "create_login": true});
        let made = ok_json(self.app.post("/api/v1/staff", self.t(), &body), 201);
        let password = made["initial_password"].as_str().unwrap();
        let token = self.app.login(&email, password)["access_token"]
            .as_str()
            .unwrap()
            .to_string();
        (made["id"].as_i64().unwrap(), token)
    }

    /// Creates a cohort; returns the whole answer.
    pub fn cohort(
        &self,
        programme: &str,
        venue: i64,
        first: &str,
        start: &str,
        extra: Value,
    ) -> Value {
        let mut body = json!({"programme": programme, "venue_id": venue, "first_session_date": first,
                              "start_time": start, "places": 10});
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            body[k] = v;
        }
        ok_json(self.app.post("/api/v1/cohorts", self.t(), &body), 201)
    }

    pub fn set_team(&self, cohort: i64, team: Value) -> reqwest::blocking::Response {
        self.app
            .req(
                reqwest::Method::PUT,
                &format!("/api/v1/cohorts/{cohort}/facilitators"),
                self.t(),
            )
            .json(&team)
            .send()
            .unwrap()
    }

    /// A published COSP group with a crèche: its venue, lead, co-facilitator and crèche worker
    /// named `names` in that order (each name once per app: staff emails come from names).
    pub fn published_cosp(&self, names: [&str; 4], places: usize, first: &str) -> i64 {
        let [venue, lead, co_fac, creche] = names;
        let venue = self.venue(venue, "lambeth-2014:Stockwell", 10);
        let lead = self.staff(lead, &[("cosp_registered", None)]);
        let co_fac = self.staff(co_fac, &[]);
        let creche = self.staff(creche, &[("paediatric_first_aid", None)]);
        let extra = json!({"places": places, "creche_workers": 1});
        let id = self.cohort("cosp", venue, first, "10:00", extra)["id"]
            .as_i64()
            .unwrap();
        let team = json!({"lead": lead, "co_facilitators": [co_fac], "creche_workers": [creche]});
        ok_json(self.set_team(id, team), 200);
        ok_json(self.publish(id), 200);
        id
    }

    pub fn publish(&self, cohort: i64) -> reqwest::blocking::Response {
        self.app.post(
            &format!("/api/v1/cohorts/{cohort}/publish"),
            self.t(),
            &json!({}),
        )
    }
}

/// The sessions' `(starts_at, local_start)` pairs of a cohort answer, scheduled ones only.
pub fn times(cohort: &Value) -> Vec<(String, String)> {
    cohort["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] == "scheduled" && s["kind"] == "group")
        .map(|s| {
            (
                s["starts_at"].as_str().unwrap().to_string(),
                s["local_start"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Local dates (YYYY-MM-DD) of the scheduled group sessions.
pub fn dates(cohort: &Value) -> Vec<String> {
    times(cohort)
        .into_iter()
        .map(|(_, local)| local[..10].to_string())
        .collect()
}
