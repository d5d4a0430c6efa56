//! Who may call what: every route, called by anonymous, parent, facilitator, coordinator and admin,
//! with a valid body made fresh for each call, must answer exactly the expected status (401
//! without a token, 403 for a role not allowed, the success code otherwise). The table must name
//! every route the OpenAPI document lists, so a new route cannot ship without a row here.

use crate::db_test;
use crate::helpers::{ok_json, problem, TestApp, PASSWORD};
use groupwork::domain::role::Role;
use groupwork::store::account_tokens::{self, Purpose};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// Who a route admits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    /// Everyone, with or without a token.
    Public,
    /// Any signed-in user.
    AnyUser,
    /// Facilitators, coordinators, admins.
    Staff,
    /// Coordinators and admins.
    Coordinator,
    Admin,
    /// Parents only (their own family).
    ParentOnly,
    /// Coordinators, admins and the cohort's own team: the matrix's facilitator runs no
    /// cohort, so for them the cohort is not there (404).
    CohortTeam,
}

impl Who {
    fn admits(self, role: Role) -> bool {
        match self {
            Who::Public | Who::AnyUser => true,
            Who::Staff => role != Role::Parent,
            Who::Coordinator => matches!(role, Role::Coordinator | Role::Admin),
            Who::Admin => role == Role::Admin,
            Who::ParentOnly => role == Role::Parent,
            Who::CohortTeam => role != Role::Parent,
        }
    }

    fn expected(self, caller: Option<Role>, ok: u16) -> u16 {
        match (self, caller) {
            (Who::Public, _) => ok,
            (_, None) => 401,
            (Who::CohortTeam, Some(Role::Facilitator)) => 404,
            (who, Some(role)) if who.admits(role) => ok,
            _ => 403,
        }
    }
}

/// One concrete request.
struct Call {
    path: String,
    body: Option<Value>,
}

fn call(path: impl Into<String>, body: Option<Value>) -> Call {
    Call {
        path: path.into(),
        body,
    }
}

/// Shared fixtures, made by a separate coordinator and admin, and fresh ones per cell.
struct Setup<'a> {
    app: &'a TestApp,
    co: String,
    admin: String,
    parent_email: String,
    parent_id: i64,
    venue: i64,
    staff: i64,
    cohort: i64,
    session: i64,
    /// The parent caller's token, so that their own children can be made for a cell.
    parent_token: String,
}

impl Setup<'_> {
    fn co(&self) -> Option<&str> {
        Some(&self.co)
    }

    fn unique(&self, n: usize, what: &str) -> String {
        format!("matrix-{what}-{n}")
    }

    fn venue(app: &TestApp, co: &str) -> i64 {
        let body = json!({"name": "Matrix Centre", "address": "1 Matrix Road, London", "postcode": "SW9 8LF",
                          "ward": "lambeth-2014:Stockwell", "creche_room_capacity": 0, "creche_registered": false});
        ok_json(app.post("/api/v1/venues", Some(co), &body), 201)["id"]
            .as_i64()
            .unwrap()
    }

    fn staff(&self, email: &str, quals: Value) -> i64 {
        let body = json!({"name": "Matrix Staff", "email": email, "organisation": "PAIRS", "qualifications": quals});
        ok_json(self.app.post("/api/v1/staff", self.co(), &body), 201)["id"]
            .as_i64()
            .unwrap()
    }

    /// A draft Together Time cohort at the crèche-less venue.
    fn cohort(&self) -> Value {
        let body = json!({"programme": "together-time", "venue_id": self.venue, "first_session_date": "2026-04-14",
                          "start_time": "10:00", "places": 8});
        ok_json(self.app.post("/api/v1/cohorts", self.co(), &body), 201)
    }

    /// A draft cohort with its own clinically trained lead, ready to publish.
    fn staffed_cohort(&self, n: usize) -> i64 {
        let id = self.cohort()["id"].as_i64().unwrap();
        let lead = self.staff(
            &format!("{}@staff.example", self.unique(n, "lead")),
            json!([{"kind": "clinical", "expires_on": null}]),
        );
        let res = self
            .app
            .req(
                Method::PUT,
                &format!("/api/v1/cohorts/{id}/facilitators"),
                self.co(),
            )
            .json(&json!({"lead": lead}))
            .send()
            .unwrap();
        ok_json(res, 200);
        id
    }

    /// A published cohort with its own lead, named apart from `staffed_cohort`'s so that a cell
    /// may have both.
    fn published_cohort(&self, n: usize) -> i64 {
        let id = self.cohort()["id"].as_i64().unwrap();
        let lead = self.staff(
            &format!("{}@staff.example", self.unique(n, "published-lead")),
            json!([{"kind": "clinical", "expires_on": null}]),
        );
        let team = self
            .app
            .req(
                Method::PUT,
                &format!("/api/v1/cohorts/{id}/facilitators"),
                self.co(),
            )
            .json(&json!({"lead": lead}))
            .send()
            .unwrap();
        ok_json(team, 200);
        let publish = format!("/api/v1/cohorts/{id}/publish");
        ok_json(self.app.post(&publish, self.co(), &json!({})), 200);
        id
    }

    fn closure(&self) -> i64 {
        let body = json!({"venue_id": self.venue, "from": "2030-06-03", "to": "2030-06-04", "reason": "Deep clean"});
        ok_json(self.app.post("/api/v1/closures", self.co(), &body), 201)["id"]
            .as_i64()
            .unwrap()
    }

    /// A child of the parent caller's family.
    /// A family the centre enrols, with its own email address per cell.
    fn enrolled_body(&self, n: usize, what: &str) -> Value {
        let email = format!("{}@enrolled.example", self.unique(n, what));
        json!({"carers": [format!("Matrix {what} {n}")], "email": email,
               "preferred_language": "en", "referral_source": "health_visitor",
               "children": [{"first_name": "Baby", "due_date": "2026-06-01"}]})
    }

    /// A family enrolled by the matrix's own coordinator; its id.
    fn enrolled(&self, n: usize, what: &str) -> i64 {
        let body = self.enrolled_body(n, what);
        ok_json(
            self.app.post("/api/v1/families", Some(&self.co), &body),
            201,
        )["id"]
            .as_i64()
            .unwrap()
    }

    /// The token of an invitation sent to a fresh enrolled family, read from its outbox row
    /// (this test runs no delivery worker).
    fn invitation(&self, n: usize) -> String {
        let family = self.enrolled(n, "claim");
        let url = format!("/api/v1/families/{family}/invitation");
        ok_json(self.app.post(&url, Some(&self.co), &json!({})), 202);
        let mut conn = self.app.state.pool.get().unwrap();
        let filter = groupwork::store::messages::Filter {
            family_id: Some(family as i32),
            ..Default::default()
        };
        let sent = groupwork::store::messages::list(&mut conn, &filter, 1, 0).unwrap();
        let text = &sent.items[0].body_text;
        let token = text.split("account/claim?token=").nth(1).unwrap();
        token
            .chars()
            .take_while(|c| c.is_ascii_hexdigit())
            .collect()
    }

    fn child(&self, n: usize) -> i64 {
        let body = json!({"first_name": format!("Child {n}"), "date_of_birth": "2025-01-15"});
        ok_json(
            self.app
                .post("/api/v1/me/children", Some(&self.parent_token), &body),
            201,
        )["id"]
            .as_i64()
            .unwrap()
    }

    fn refresh_token(&self, n: usize, what: &str) -> String {
        let email = format!("{}@parents.example", self.unique(n, what));
        self.app.register_parent(&email)["refresh_token"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

impl Setup<'_> {
    /// A one-time link of `purpose` for a new parent, stored as the service would (only its
    /// hash), with `email` (for a change of address, the new one); returns the secret.
    fn account_link(&self, n: usize, purpose: Purpose, email: Option<String>) -> String {
        let own = format!("{}@parents.example", self.unique(n, purpose.as_str()));
        let user = self.app.register_parent(&own)["user"]["id"]
            .as_i64()
            .unwrap() as i32;
        let secret = groupwork::auth::tokens::random_secret();
        let now = self.app.state.now_naive();
        let mut conn = self.app.state.pool.get().unwrap();
        let new = account_tokens::NewToken {
            purpose,
            token_hash: &groupwork::auth::tokens::hash_opaque(&secret),
            user_id: Some(user),
            family_id: None,
            email: &email.unwrap_or(own),
            expires_at: now + chrono::Duration::hours(1),
        };
        account_tokens::issue(&mut conn, new, now).unwrap();
        secret
    }
}

type Make = fn(&Setup<'_>, usize) -> Call;

struct Row {
    method: Method,
    template: &'static str,
    who: Who,
    ok: u16,
    make: Make,
}

fn row(method: Method, template: &'static str, who: Who, ok: u16, make: Make) -> Row {
    Row {
        method,
        template,
        who,
        ok,
        make,
    }
}

/// Every route with who may call it, its success status and a fresh valid request.
fn table() -> Vec<Row> {
    use Method as M;
    use Who::*;
    vec![
        row(M::GET, "/health", Public, 200, |_, _| call("/health", None)),
        row(M::GET, "/programme", Public, 200, |_, _| {
            call("/programme", None)
        }),
        row(M::GET, "/programme.ics", Public, 200, |_, _| {
            call("/programme.ics", None)
        }),
        row(M::GET, "/programme/print", Public, 200, |_, _| {
            call("/programme/print", None)
        }),
        row(M::GET, "/programme/style.css", Public, 200, |_, _| {
            call("/programme/style.css", None)
        }),
        row(M::GET, "/programme/frame.js", Public, 200, |_, _| {
            call("/programme/frame.js", None)
        }),
        row(M::GET, "/programme/embed.js", Public, 200, |_, _| {
            call("/programme/embed.js", None)
        }),
        // The matrix's cohort is a draft: not public, to anyone (404); `pages` tests the rest.
        row(M::GET, "/programme/groups/{id}", Public, 404, |s, _| {
            call(format!("/programme/groups/{}", s.cohort), None)
        }),
        // The matrix's cohort is a draft: not public, to anyone (404); `listings` tests the rest.
        row(M::GET, "/api/v1/listings/{id}", Public, 404, |s, _| {
            call(format!("/api/v1/listings/{}", s.cohort), None)
        }),
        row(M::POST, "/api/v1/auth/register", Public, 201, |s, n| {
            let email = format!("{}@parents.example", s.unique(n, "register"));
            call(
                "/api/v1/auth/register",
                Some(json!({"email": email, "password": PASSWORD, "display_name": "Parent"})),
            )
        }),
        row(M::POST, "/api/v1/auth/login", Public, 200, |s, _| {
            call(
                "/api/v1/auth/login",
                Some(json!({"email": s.parent_email, "password": PASSWORD})),
            )
        }),
        row(M::POST, "/api/v1/auth/refresh", Public, 200, |s, n| {
            call(
                "/api/v1/auth/refresh",
                Some(json!({"refresh_token": s.refresh_token(n, "refresh")})),
            )
        }),
        row(M::POST, "/api/v1/auth/logout", Public, 204, |s, n| {
            call(
                "/api/v1/auth/logout",
                Some(json!({"refresh_token": s.refresh_token(n, "logout")})),
            )
        }),
        row(
            M::POST,
            "/api/v1/auth/confirm-email",
            Public,
            204,
            |s, n| {
                let email = format!("{}@parents.example", s.unique(n, "confirm"));
                let parent = s.app.register_parent(&email);
                let bearer = parent["access_token"].as_str().unwrap();
                s.app
                    .post("/api/v1/me/email/confirmation", Some(bearer), &json!({}));
                let token = s.app.token_in_outbox("account/confirm-email", &email);
                call(
                    "/api/v1/auth/confirm-email",
                    Some(json!({ "token": token })),
                )
            },
        ),
        row(
            M::POST,
            "/api/v1/me/email/confirmation",
            ParentOnly,
            202,
            |_, _| call("/api/v1/me/email/confirmation", Some(json!({}))),
        ),
        row(M::GET, "/api/v1/me", AnyUser, 200, |_, _| {
            call("/api/v1/me", None)
        }),
        row(M::GET, "/api/v1/me/cohorts", AnyUser, 200, |_, _| {
            call("/api/v1/me/cohorts", None)
        }),
        row(
            M::POST,
            "/api/v1/auth/password-reset",
            Public,
            202,
            |s, n| {
                let email = format!("{}@parents.example", s.unique(n, "forgot"));
                call("/api/v1/auth/password-reset", Some(json!({"email": email})))
            },
        ),
        row(
            M::POST,
            "/api/v1/auth/password-reset/confirm",
            Public,
            204,
            |s, n| {
                let token = s.account_link(n, Purpose::PasswordReset, None);
                call(
                    "/api/v1/auth/password-reset/confirm",
                    Some(json!({"token": token, "password": "a brand new memorable phrase"})),
                )
            },
        ),
        row(
            M::POST,
            "/api/v1/auth/email-change/confirm",
            Public,
            204,
            |s, n| {
                let new = format!("{}@parents.example", s.unique(n, "moved"));
                let token = s.account_link(n, Purpose::EmailChange, Some(new));
                call(
                    "/api/v1/auth/email-change/confirm",
                    Some(json!({"token": token})),
                )
            },
        ),
        // The callers' passwords stay the same, so their later cells still sign in.
        row(M::POST, "/api/v1/me/password", AnyUser, 200, |_, _| {
            call(
                "/api/v1/me/password",
                Some(json!({"current_password": PASSWORD, "new_password": PASSWORD})),
            )
        }),
        row(M::POST, "/api/v1/me/email", ParentOnly, 202, |s, n| {
            let email = format!("{}@parents.example", s.unique(n, "new-address"));
            call(
                "/api/v1/me/email",
                Some(json!({"new_email": email, "password": PASSWORD})),
            )
        }),
        row(M::POST, "/api/v1/users", Admin, 201, |s, n| {
            let email = format!("{}@staff.example", s.unique(n, "user"));
            call(
                "/api/v1/users",
                Some(
                    json!({"email": email, "password": PASSWORD, "display_name": "New coordinator", "role": "coordinator"}),
                ),
            )
        }),
        row(M::GET, "/api/v1/users", Admin, 200, |_, _| {
            call("/api/v1/users", None)
        }),
        row(M::GET, "/api/v1/users/{id}", Admin, 200, |s, _| {
            call(format!("/api/v1/users/{}", s.parent_id), None)
        }),
        row(M::PATCH, "/api/v1/users/{id}", Admin, 200, |s, _| {
            call(
                format!("/api/v1/users/{}", s.parent_id),
                Some(json!({"display_name": "Parent"})),
            )
        }),
        row(M::GET, "/api/v1/programmes", Public, 200, |_, _| {
            call("/api/v1/programmes", None)
        }),
        row(M::GET, "/api/v1/programmes/{code}", Public, 200, |_, _| {
            call("/api/v1/programmes/cosp", None)
        }),
        row(M::POST, "/api/v1/programmes", Admin, 201, |s, n| {
            call(
                "/api/v1/programmes",
                Some(
                    json!({"code": s.unique(n, "programme"), "name": "Matrix group", "session_count": 4,
                "session_minutes": 60, "min_age_months": 0, "max_age_months": 24, "lead_qualification": null,
                "co_facilitator_qualification": null, "completion_threshold": 3}),
                ),
            )
        }),
        row(M::GET, "/api/v1/venues", Public, 200, |_, _| {
            call("/api/v1/venues", None)
        }),
        row(M::GET, "/api/v1/venues/{id}", Public, 200, |s, _| {
            call(format!("/api/v1/venues/{}", s.venue), None)
        }),
        row(M::POST, "/api/v1/venues", Coordinator, 201, |s, n| {
            call(
                "/api/v1/venues",
                Some(
                    json!({"name": s.unique(n, "venue"), "address": "2 Matrix Road, London", "postcode": "SE5 9RA",
                "ward": "lambeth-2014:Vassall", "creche_room_capacity": 6, "creche_registered": true}),
                ),
            )
        }),
        row(M::PATCH, "/api/v1/venues/{id}", Coordinator, 200, |s, n| {
            call(
                format!("/api/v1/venues/{}", s.venue),
                Some(json!({"accessibility_notes": s.unique(n, "notes")})),
            )
        }),
        row(M::GET, "/api/v1/closures", Staff, 200, |_, _| {
            call("/api/v1/closures", None)
        }),
        row(M::POST, "/api/v1/closures", Coordinator, 201, |s, n| {
            call(
                "/api/v1/closures",
                Some(
                    json!({"venue_id": s.venue, "from": "2030-07-01", "to": "2030-07-02", "reason": s.unique(n, "closure")}),
                ),
            )
        }),
        row(
            M::POST,
            "/api/v1/closures/bank-holidays",
            Coordinator,
            204,
            |s, n| {
                let date = chrono::NaiveDate::from_ymd_opt(2030, 8, 1).unwrap()
                    + chrono::Duration::days(n as i64);
                call(
                    "/api/v1/closures/bank-holidays",
                    Some(json!({"date": date, "name": s.unique(n, "holiday"), "change": "add"})),
                )
            },
        ),
        row(
            M::DELETE,
            "/api/v1/closures/{id}",
            Coordinator,
            204,
            |s, _| call(format!("/api/v1/closures/{}", s.closure()), None),
        ),
        row(
            M::POST,
            "/api/v1/closures/{id}/apply",
            Coordinator,
            200,
            |s, _| {
                call(
                    format!("/api/v1/closures/{}/apply", s.closure()),
                    Some(json!({"resolution": "move"})),
                )
            },
        ),
        row(M::POST, "/api/v1/staff", Coordinator, 201, |s, n| {
            let email = format!("{}@staff.example", s.unique(n, "staff"));
            call(
                "/api/v1/staff",
                Some(
                    json!({"name": "New Staff", "email": email, "organisation": "PAIRS",
                "qualifications": [{"kind": "paediatric_first_aid", "expires_on": "2028-01-31"}]}),
                ),
            )
        }),
        row(M::GET, "/api/v1/staff", Coordinator, 200, |_, _| {
            call("/api/v1/staff", None)
        }),
        row(M::GET, "/api/v1/staff/{id}", Coordinator, 200, |s, _| {
            call(format!("/api/v1/staff/{}", s.staff), None)
        }),
        row(M::PATCH, "/api/v1/staff/{id}", Coordinator, 200, |s, n| {
            call(
                format!("/api/v1/staff/{}", s.staff),
                Some(json!({"phone": format!("020 7926 {n:04}")})),
            )
        }),
        row(M::POST, "/api/v1/cohorts", Coordinator, 201, |s, n| {
            call(
                "/api/v1/cohorts",
                Some(
                    json!({"programme": "together-time", "venue_id": s.venue, "first_session_date": "2026-05-05",
                "start_time": "13:00", "places": 8, "title": s.unique(n, "cohort")}),
                ),
            )
        }),
        row(M::GET, "/api/v1/cohorts", Staff, 200, |_, _| {
            call("/api/v1/cohorts", None)
        }),
        row(M::GET, "/api/v1/cohorts/{id}", Staff, 200, |s, _| {
            call(format!("/api/v1/cohorts/{}", s.cohort), None)
        }),
        row(
            M::PATCH,
            "/api/v1/cohorts/{id}",
            Coordinator,
            200,
            |s, n| {
                call(
                    format!("/api/v1/cohorts/{}", s.cohort),
                    Some(json!({"title": s.unique(n, "title")})),
                )
            },
        ),
        row(
            M::POST,
            "/api/v1/cohorts/{id}/publish",
            Coordinator,
            200,
            |s, n| {
                call(
                    format!("/api/v1/cohorts/{}/publish", s.staffed_cohort(n)),
                    None,
                )
            },
        ),
        row(
            M::POST,
            "/api/v1/cohorts/{id}/cancel",
            Coordinator,
            200,
            |s, n| {
                let id = s.cohort()["id"].as_i64().unwrap();
                call(
                    format!("/api/v1/cohorts/{id}/cancel"),
                    Some(json!({"reason": s.unique(n, "reason")})),
                )
            },
        ),
        row(
            M::PUT,
            "/api/v1/cohorts/{id}/facilitators",
            Coordinator,
            200,
            |s, _| {
                call(
                    format!("/api/v1/cohorts/{}/facilitators", s.cohort),
                    Some(json!({"lead": s.staff})),
                )
            },
        ),
        row(
            M::PATCH,
            "/api/v1/sessions/{id}",
            Coordinator,
            200,
            |s, _| {
                call(
                    format!("/api/v1/sessions/{}", s.session),
                    Some(json!({"start_time": "11:00"})),
                )
            },
        ),
        row(M::GET, "/api/v1/listings", Public, 200, |_, _| {
            call("/api/v1/listings", None)
        }),
        row(M::GET, "/api/v1/listings.ics", Public, 200, |_, _| {
            call("/api/v1/listings.ics", None)
        }),
        row(M::GET, "/api/v1/me/family", ParentOnly, 200, |_, _| {
            call("/api/v1/me/family", None)
        }),
        row(M::PUT, "/api/v1/me/family", ParentOnly, 200, |_, _| {
            call(
                "/api/v1/me/family",
                Some(
                    json!({"carers": ["Amira"], "preferred_language": "en", "referral_source": "self"}),
                ),
            )
        }),
        row(M::POST, "/api/v1/me/children", ParentOnly, 201, |_, n| {
            call(
                "/api/v1/me/children",
                Some(json!({"first_name": format!("Baby {n}"), "due_date": "2026-06-01"})),
            )
        }),
        row(
            M::GET,
            "/api/v1/me/children/{id}",
            ParentOnly,
            200,
            |s, n| call(format!("/api/v1/me/children/{}", s.child(n)), None),
        ),
        row(
            M::PATCH,
            "/api/v1/me/children/{id}",
            ParentOnly,
            200,
            |s, n| {
                call(
                    format!("/api/v1/me/children/{}", s.child(n)),
                    Some(json!({"first_name": "Renamed"})),
                )
            },
        ),
        row(
            M::DELETE,
            "/api/v1/me/children/{id}",
            ParentOnly,
            204,
            |s, n| call(format!("/api/v1/me/children/{}", s.child(n)), None),
        ),
        row(
            M::GET,
            "/api/v1/me/family/emergency-contacts",
            ParentOnly,
            200,
            |_, _| call("/api/v1/me/family/emergency-contacts", None),
        ),
        row(
            M::PUT,
            "/api/v1/me/family/emergency-contacts",
            ParentOnly,
            200,
            |_, _| {
                call(
                    "/api/v1/me/family/emergency-contacts",
                    Some(json!({"contacts": [
                        {"name": "Amira", "relation": "aunt", "phone": "07700 900123"},
                        {"name": "Yusuf", "relation": "grandfather", "phone": "07700 900124"}]})),
                )
            },
        ),
        row(
            M::GET,
            "/api/v1/me/children/{id}/collectors",
            ParentOnly,
            200,
            |s, n| {
                call(
                    format!("/api/v1/me/children/{}/collectors", s.child(n)),
                    None,
                )
            },
        ),
        row(
            M::POST,
            "/api/v1/me/children/{id}/collectors",
            ParentOnly,
            201,
            |s, n| {
                call(
                    format!("/api/v1/me/children/{}/collectors", s.child(n)),
                    Some(json!({"name": "Amira", "relation": "aunt"})),
                )
            },
        ),
        row(
            M::DELETE,
            "/api/v1/me/children/{id}/collectors/{collector_id}",
            ParentOnly,
            204,
            |s, n| {
                let child = s.child(n);
                let url = format!("/api/v1/me/children/{child}/collectors");
                let body = json!({"name": "Amira", "relation": "aunt"});
                let made = ok_json(s.app.post(&url, Some(&s.parent_token), &body), 201);
                call(format!("{url}/{}", made["id"]), None)
            },
        ),
        // The matrix's facilitator runs no cohort the child has a crèche place in.
        row(
            M::GET,
            "/api/v1/children/{id}/care",
            CohortTeam,
            200,
            |s, n| call(format!("/api/v1/children/{}/care", s.child(n)), None),
        ),
        row(
            M::GET,
            "/api/v1/cohorts/{id}/creche/key-persons",
            CohortTeam,
            200,
            |s, _| {
                call(
                    format!("/api/v1/cohorts/{}/creche/key-persons", s.cohort),
                    None,
                )
            },
        ),
        // Admitted callers get as far as the child, who has no crèche place in the matrix's
        // cohort (404); `creche_register` tests the lead, the crèche worker and the rest.
        row(
            M::PUT,
            "/api/v1/cohorts/{id}/creche/key-persons/{child_id}",
            CohortTeam,
            404,
            |s, n| {
                let url = format!(
                    "/api/v1/cohorts/{}/creche/key-persons/{}",
                    s.cohort,
                    s.child(n)
                );
                call(url, Some(json!({"staff_id": s.staff})))
            },
        ),
        row(
            M::DELETE,
            "/api/v1/cohorts/{id}/creche/key-persons/{child_id}",
            CohortTeam,
            404,
            |s, n| {
                let url = format!(
                    "/api/v1/cohorts/{}/creche/key-persons/{}",
                    s.cohort,
                    s.child(n)
                );
                call(url, None)
            },
        ),
        // A wrong password is refused (422) before anything changes, so the shared parent
        // caller keeps its family; `family_records` tests the erasure itself.
        row(M::DELETE, "/api/v1/me/family", ParentOnly, 422, |_, _| {
            call(
                "/api/v1/me/family",
                Some(json!({"password": "not the password at all"})),
            )
        }),
        row(
            M::GET,
            "/api/v1/families/{id}/export",
            Admin,
            200,
            |s, _| {
                let family = ok_json(s.app.get("/api/v1/me/family", Some(&s.parent_token)), 200);
                call(format!("/api/v1/families/{}/export", family["id"]), None)
            },
        ),
        // A fresh family per cell: an admin's call erases it.
        row(M::DELETE, "/api/v1/families/{id}", Admin, 204, |s, n| {
            let email = format!("{}@parents.example", s.unique(n, "erase"));
            let token = s.app.register_parent(&email)["access_token"]
                .as_str()
                .unwrap()
                .to_string();
            let family = ok_json(s.app.get("/api/v1/me/family", Some(&token)), 200);
            call(
                format!("/api/v1/families/{}", family["id"]),
                Some(json!({"reason": "duplicate_record"})),
            )
        }),
        row(M::POST, "/api/v1/families", Coordinator, 201, |s, n| {
            call("/api/v1/families", Some(s.enrolled_body(n, "enrol")))
        }),
        row(M::GET, "/api/v1/families", Coordinator, 200, |_, _| {
            call("/api/v1/families?q=Matrix", None)
        }),
        // The matrix's facilitator runs no group the family booked: 404.
        row(M::GET, "/api/v1/families/{id}", CohortTeam, 200, |s, n| {
            call(format!("/api/v1/families/{}", s.enrolled(n, "read")), None)
        }),
        row(
            M::PATCH,
            "/api/v1/families/{id}",
            Coordinator,
            200,
            |s, n| {
                call(
                    format!("/api/v1/families/{}", s.enrolled(n, "change")),
                    Some(json!({"postcode": "SE5 9RU"})),
                )
            },
        ),
        row(
            M::POST,
            "/api/v1/families/{id}/invitation",
            Coordinator,
            202,
            |s, n| {
                let family = s.enrolled(n, "invite");
                call(format!("/api/v1/families/{family}/invitation"), None)
            },
        ),
        row(
            M::POST,
            "/api/v1/auth/invitation/accept",
            Public,
            201,
            |s, n| {
                call(
                    "/api/v1/auth/invitation/accept",
                    Some(json!({"token": s.invitation(n), "password": PASSWORD})),
                )
            },
        ),
        row(M::GET, "/api/v1/me/bookings", ParentOnly, 200, |_, _| {
            call("/api/v1/me/bookings", None)
        }),
        row(
            M::POST,
            "/api/v1/me/calendar-link",
            ParentOnly,
            201,
            |_, _| call("/api/v1/me/calendar-link", None),
        ),
        row(
            M::DELETE,
            "/api/v1/me/calendar-link",
            ParentOnly,
            204,
            |_, _| call("/api/v1/me/calendar-link", None),
        ),
        row(
            M::GET,
            "/api/v1/me/calendar.ics",
            ParentOnly,
            200,
            |_, _| call("/api/v1/me/calendar.ics", None),
        ),
        row(
            M::GET,
            "/api/v1/cohorts/{id}/bookings",
            CohortTeam,
            200,
            |s, _| call(format!("/api/v1/cohorts/{}/bookings", s.cohort), None),
        ),
        row(
            M::GET,
            "/api/v1/sessions/{id}/register",
            CohortTeam,
            200,
            |s, _| call(format!("/api/v1/sessions/{}/register", s.session), None),
        ),
        // Admitted callers get as far as the If-Match check (428); `registers` tests the rest.
        row(
            M::PUT,
            "/api/v1/sessions/{id}/register",
            CohortTeam,
            428,
            |s, _| {
                call(
                    format!("/api/v1/sessions/{}/register", s.session),
                    Some(json!({"marks": []})),
                )
            },
        ),
        // Admitted callers get as far as the check of the child (no crèche place in this
        // crèche-less group: 422); `creche_incidents` tests the rest.
        row(
            M::POST,
            "/api/v1/sessions/{id}/creche/incidents",
            CohortTeam,
            422,
            |s, _| {
                call(
                    format!("/api/v1/sessions/{}/creche/incidents", s.session),
                    Some(
                        json!({"child_id": 424242, "happened_at": "2026-04-14T10:30:00Z",
                                "what_happened": "Bumped a knee"}),
                    ),
                )
            },
        ),
        row(
            M::GET,
            "/api/v1/sessions/{id}/creche/incidents",
            CohortTeam,
            200,
            |s, _| {
                call(
                    format!("/api/v1/sessions/{}/creche/incidents", s.session),
                    None,
                )
            },
        ),
        row(
            M::GET,
            "/api/v1/creche/incidents",
            Coordinator,
            200,
            |_, _| {
                call(
                    "/api/v1/creche/incidents?from=2026-01-01&to=2026-12-31",
                    None,
                )
            },
        ),
        // The matrix has no incident: admitted callers get 404; `creche_incidents` tests the rest.
        row(
            M::GET,
            "/api/v1/creche/incidents/{id}",
            Staff,
            404,
            |_, _| call("/api/v1/creche/incidents/424242", None),
        ),
        row(
            M::GET,
            "/api/v1/me/creche/incidents",
            ParentOnly,
            200,
            |_, _| call("/api/v1/me/creche/incidents", None),
        ),
        row(
            M::POST,
            "/api/v1/me/creche/incidents/{id}/acknowledge",
            ParentOnly,
            404,
            |_, _| call("/api/v1/me/creche/incidents/424242/acknowledge", None),
        ),
        // Admitted callers get as far as the session's start: the matrix's session is still to
        // come (409); `walk_ins` tests the rest.
        row(
            M::POST,
            "/api/v1/sessions/{id}/register/walk-ins",
            CohortTeam,
            409,
            |s, n| {
                call(
                    format!("/api/v1/sessions/{}/register/walk-ins", s.session),
                    Some(json!({"family_id": s.enrolled(n, "walk-in"), "carers": 1})),
                )
            },
        ),
        row(
            M::GET,
            "/api/v1/cohorts/{id}/summary",
            CohortTeam,
            200,
            |s, _| call(format!("/api/v1/cohorts/{}/summary", s.cohort), None),
        ),
        row(M::PATCH, "/api/v1/programmes/{code}", Admin, 200, |_, _| {
            call(
                "/api/v1/programmes/together-time",
                Some(json!({"follow_up_after_absences": 2})),
            )
        }),
        row(M::GET, "/api/v1/audit", Admin, 200, |_, _| {
            call("/api/v1/audit", None)
        }),
        row(M::GET, "/api/v1/follow-ups", Staff, 200, |_, _| {
            call("/api/v1/follow-ups", None)
        }),
        // The matrix has no follow-up: admitted callers get 404; `follow_ups` tests the rest.
        row(M::PATCH, "/api/v1/follow-ups/{id}", Staff, 404, |_, _| {
            call("/api/v1/follow-ups/424242", Some(json!({"note": "Called"})))
        }),
        row(
            M::POST,
            "/api/v1/bookings/{id}/outcomes",
            CohortTeam,
            201,
            |s, n| {
                let (booking, _) = outcome_booking(s, n, false);
                call(
                    format!("/api/v1/bookings/{booking}/outcomes"),
                    Some(outcome_score()),
                )
            },
        ),
        row(
            M::GET,
            "/api/v1/bookings/{id}/outcomes",
            CohortTeam,
            200,
            |s, n| {
                let (booking, _) = outcome_booking(s, n, true);
                call(format!("/api/v1/bookings/{booking}/outcomes"), None)
            },
        ),
        row(
            M::GET,
            "/api/v1/bookings/{id}/outcomes/{outcome_id}",
            CohortTeam,
            200,
            |s, n| call(outcome_booking(s, n, true).1, None),
        ),
        row(
            M::PATCH,
            "/api/v1/bookings/{id}/outcomes/{outcome_id}",
            CohortTeam,
            200,
            |s, n| call(outcome_booking(s, n, true).1, Some(json!({"score": 41}))),
        ),
        row(
            M::POST,
            "/api/v1/me/bookings/{id}/apologies",
            ParentOnly,
            201,
            |s, n| {
                let (booking, session) = apology_booking(s, n);
                call(
                    format!("/api/v1/me/bookings/{booking}/apologies"),
                    Some(json!({"session_id": session, "reason": "Hospital appointment"})),
                )
            },
        ),
        row(
            M::GET,
            "/api/v1/me/bookings/{id}/apologies",
            ParentOnly,
            200,
            |s, n| {
                let (booking, _) = apology_booking(s, n);
                call(format!("/api/v1/me/bookings/{booking}/apologies"), None)
            },
        ),
        row(
            M::GET,
            "/api/v1/me/bookings/{id}/apologies/{session_id}",
            ParentOnly,
            200,
            |s, n| call(an_apology(s, n), None),
        ),
        row(
            M::DELETE,
            "/api/v1/me/bookings/{id}/apologies/{session_id}",
            ParentOnly,
            204,
            |s, n| call(an_apology(s, n), None),
        ),
        row(
            M::POST,
            "/api/v1/bookings/{id}/apologies",
            CohortTeam,
            201,
            |s, n| {
                let (booking, session) = apology_booking(s, n);
                call(
                    format!("/api/v1/bookings/{booking}/apologies"),
                    Some(json!({"session_id": session, "reason": "Phoned the centre"})),
                )
            },
        ),
        row(
            M::GET,
            "/api/v1/bookings/{id}/apologies/{session_id}",
            CohortTeam,
            200,
            |s, n| {
                let path = an_apology(s, n).replacen("/me/", "/", 1);
                call(path, None)
            },
        ),
        row(
            M::GET,
            "/api/v1/me/notifications",
            ParentOnly,
            200,
            |_, _| call("/api/v1/me/notifications", None),
        ),
        row(M::GET, "/api/v1/me/messages", ParentOnly, 200, |_, _| {
            call("/api/v1/me/messages", None)
        }),
        row(M::GET, "/api/v1/messages", Coordinator, 200, |_, _| {
            call("/api/v1/messages", None)
        }),
        row(M::GET, "/api/v1/messages/{id}", Coordinator, 200, |s, n| {
            call(format!("/api/v1/messages/{}", a_message(s, n)), None)
        }),
        row(
            M::POST,
            "/api/v1/messages/{id}/resend",
            Coordinator,
            201,
            |s, n| {
                call(
                    format!("/api/v1/messages/{}/resend", a_message(s, n)),
                    Some(json!({})),
                )
            },
        ),
        // The parent caller's own booking: a parent may not move it either (403); other
        // families' bookings are not there for a parent (404, `booking_transfers`).
        row(
            M::POST,
            "/api/v1/bookings/{id}/transfer",
            Coordinator,
            201,
            |s, n| {
                let (booking, _) = outcome_booking(s, n, false);
                let to = s.published_cohort(n);
                call(
                    format!("/api/v1/bookings/{booking}/transfer"),
                    Some(json!({"cohort_id": to})),
                )
            },
        ),
        // Facilitators and parents are refused (403); `reports` checks the figures.
        row(
            M::GET,
            "/api/v1/reports/summary",
            Coordinator,
            200,
            |_, _| call("/api/v1/reports/summary?group_by=ward", None),
        ),
        row(
            M::POST,
            "/api/v1/reports/summary/link",
            Coordinator,
            200,
            |_, _| {
                call(
                    "/api/v1/reports/summary/link",
                    Some(json!({"disclosure": "suppressed"})),
                )
            },
        ),
        // The page is opened by its signed link, whoever carries it (`report_page` checks the
        // link is refused when expired, forged, or its maker's account is disabled).
        row(M::GET, "/reports/summary.html", Public, 200, |s, _| {
            let made = ok_json(
                s.app
                    .post("/api/v1/reports/summary/link", Some(&s.co), &json!({})),
                200,
            );
            call(made["path"].as_str().unwrap(), None)
        }),
        row(M::GET, "/reports/report.css", Public, 200, |_, _| {
            call("/reports/report.css", None)
        }),
    ]
}

/// A message to the parent caller's family: the confirmation of a new booking.
fn a_message(s: &Setup<'_>, n: usize) -> i64 {
    let (booking, _) = outcome_booking(s, n, false);
    let list = ok_json(
        s.app.get("/api/v1/messages?kind=booking_confirmed", s.co()),
        200,
    );
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["booking_id"] == booking)
        .unwrap_or_else(|| panic!("no confirmation of booking {booking}: {list}"))["id"]
        .as_i64()
        .unwrap()
}

/// A confirmed booking of the parent caller's family on a fresh published group (outcome
/// measures need a place), and the URL of a pre score on it when `scored`.
fn outcome_booking(s: &Setup<'_>, n: usize, scored: bool) -> (i64, String) {
    let cohort = s.staffed_cohort(n);
    let publish = format!("/api/v1/cohorts/{cohort}/publish");
    ok_json(s.app.post(&publish, s.co(), &json!({})), 200);
    s.child(n);
    let family = ok_json(s.app.get("/api/v1/me/family", Some(&s.parent_token)), 200)["id"].clone();
    let url = format!("/api/v1/cohorts/{cohort}/bookings");
    let booking = ok_json(s.app.post(&url, s.co(), &json!({"family_id": family})), 201)["id"]
        .as_i64()
        .unwrap();
    if !scored {
        return (booking, String::new());
    }
    let url = format!("/api/v1/bookings/{booking}/outcomes");
    let res = s.app.post(&url, s.co(), &outcome_score());
    let location = res.headers()["location"].to_str().unwrap().to_string();
    ok_json(res, 201);
    (booking, location)
}

/// A confirmed booking of the parent caller's family on a fresh published group, and that
/// group's first session (still to come).
fn apology_booking(s: &Setup<'_>, n: usize) -> (i64, i64) {
    let (booking, _) = outcome_booking(s, n, false);
    let b = ok_json(
        s.app.get(&format!("/api/v1/bookings/{booking}"), s.co()),
        200,
    );
    let url = format!("/api/v1/cohorts/{}", b["cohort_id"]);
    let cohort = ok_json(s.app.get(&url, s.co()), 200);
    (booking, cohort["sessions"][0]["id"].as_i64().unwrap())
}

/// The URL of apologies the parent caller's family sent for a session.
fn an_apology(s: &Setup<'_>, n: usize) -> String {
    let (booking, session) = apology_booking(s, n);
    let url = format!("/api/v1/me/bookings/{booking}/apologies");
    let res = s
        .app
        .post(&url, Some(&s.parent_token), &json!({"session_id": session}));
    let location = res.headers()["location"].to_str().unwrap().to_string();
    ok_json(res, 201);
    location
}

fn outcome_score() -> Value {
    json!({"measure": "Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS)", "phase": "pre",
           "score": 40, "recorded_on": "2026-03-01"})
}

/// (METHOD, path) of every operation in the OpenAPI document.
fn documented_routes() -> BTreeSet<(String, String)> {
    let spec = serde_json::to_value(groupwork::api::openapi()).unwrap();
    let mut out = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in [
            "get", "put", "post", "delete", "patch", "head", "options", "trace",
        ] {
            if item.get(method).is_some() {
                out.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

/// Routes whose admission depends on who owns the record, not only on the role; their role
/// checks are in `bookings::who_may_book_and_see_bookings` (and, for changing a booking,
/// `booking_changes::only_the_family_and_the_centre_change_a_booking`) instead of this table.
const BY_OWNERSHIP: &[(&str, &str)] = &[
    ("POST", "/api/v1/cohorts/{id}/bookings"),
    ("GET", "/api/v1/bookings/{id}"),
    ("DELETE", "/api/v1/bookings/{id}"),
    ("PATCH", "/api/v1/bookings/{id}"),
];

#[test]
fn the_matrix_names_every_documented_route() {
    let mut rows: BTreeSet<(String, String)> = table()
        .iter()
        .map(|r| (r.method.to_string(), r.template.to_string()))
        .collect();
    assert_eq!(rows.len(), table().len(), "a route is listed twice");
    rows.extend(
        BY_OWNERSHIP
            .iter()
            .map(|(m, p)| (m.to_string(), p.to_string())),
    );
    let documented = documented_routes();
    let missing: Vec<_> = documented.difference(&rows).collect();
    let stale: Vec<_> = rows.difference(&documented).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "routes without a row in the role matrix: {missing:?}; rows for routes that do not exist: {stale:?}"
    );
}

const CALLERS: [(&str, Option<Role>); 5] = [
    ("anonymous", None),
    ("parent", Some(Role::Parent)),
    ("facilitator", Some(Role::Facilitator)),
    ("coordinator", Some(Role::Coordinator)),
    ("admin", Some(Role::Admin)),
];

db_test! {
    fn every_route_answers_each_role_exactly(app) {
        let co = app.user_token(Role::Coordinator);
        let admin = app.user_token(Role::Admin);
        let parent_email = "matrix-parent@parents.example".to_string();
        let parent_id = app.register_parent(&parent_email)["user"]["id"].as_i64().unwrap();
        let venue = Setup::venue(&app, &co);
        let mut setup = Setup { app: &app, co, admin, parent_email, parent_id, venue, staff: 0, cohort: 0, session: 0, parent_token: String::new() };
        setup.staff = setup.staff("matrix-clinician@staff.example", json!([{"kind": "clinical", "expires_on": null}]));
        let cohort = setup.cohort();
        setup.cohort = cohort["id"].as_i64().unwrap();
        setup.session = cohort["sessions"][0]["id"].as_i64().unwrap();
        assert!(!setup.admin.is_empty());

        let tokens: Vec<(&str, Option<Role>, Option<String>)> = CALLERS
            .iter()
            .map(|(name, role)| (*name, *role, role.map(|r| app.user_token(r))))
            .collect();
        setup.parent_token = tokens[1].2.clone().expect("a parent caller");

        let mut failures = Vec::new();
        let mut cells = 0;
        for (i, r) in table().iter().enumerate() {
            for (j, (name, role, token)) in tokens.iter().enumerate() {
                let n = i * CALLERS.len() + j;
                let c = (r.make)(&setup, n);
                let mut req = app.req(r.method.clone(), &c.path, token.as_deref());
                if let Some(body) = &c.body {
                    req = req.json(body);
                }
                let res = req.send().expect("request");
                let want = r.who.expected(*role, r.ok);
                let got = res.status().as_u16();
                let cell = format!("{} {} ({}) as {name}", r.method, r.template, c.path);
                cells += 1;
                let headers = res.headers().clone();
                let text = res.text().unwrap_or_default();
                if got != want {
                    let text: String = text.chars().take(300).collect();
                    failures.push(format!("{cell}: expected {want}, got {got}: {text}"));
                    continue;
                }
                let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
                if got >= 400 && content_type != "application/problem+json" {
                    failures.push(format!("{cell}: {got} is not problem+json ({content_type})"));
                }
                if got == 401 && headers.get("www-authenticate").and_then(|v| v.to_str().ok()) != Some("Bearer") {
                    failures.push(format!("{cell}: 401 without WWW-Authenticate: Bearer"));
                }
                if got == 201 && !headers.get("location").and_then(|v| v.to_str().ok()).is_some_and(|l| l.starts_with("/api/v1/")) {
                    failures.push(format!("{cell}: 201 without a Location"));
                }
            }
        }
        assert_eq!(cells, table().len() * CALLERS.len());
        assert!(failures.is_empty(), "{} of {cells} cells failed:\n{}", failures.len(), failures.join("\n"));
    }
}

db_test! {
    fn refused_calls_change_nothing(app) {
        let co = app.user_token(Role::Coordinator);
        let venue = Setup::venue(&app, &co);
        let before = ok_json(app.get(&format!("/api/v1/venues/{venue}"), None), 200);
        for role in [Role::Parent, Role::Facilitator] {
            let t = app.user_token(role);
            problem(app.patch(&format!("/api/v1/venues/{venue}"), Some(&t), &json!({"name": "Taken over"})), 403);
            problem(app.post("/api/v1/venues", Some(&t), &json!({"name": "Mine", "address": "A road", "postcode": "SW9 8LF",
                "ward": "lambeth-2014:Stockwell", "creche_room_capacity": 0, "creche_registered": false})), 403);
            let p = problem(app.post("/api/v1/programmes", Some(&t), &json!({"code": "mine", "name": "Mine", "session_count": 4,
                "session_minutes": 60, "min_age_months": 0, "max_age_months": 24, "completion_threshold": 3})), 403);
            assert_eq!(p["type"], "/problems/forbidden");
        }
        problem(app.post("/api/v1/programmes", Some(&co), &json!({"code": "mine", "name": "Mine", "session_count": 4,
            "session_minutes": 60, "min_age_months": 0, "max_age_months": 24, "completion_threshold": 3})), 403);
        assert_eq!(ok_json(app.get(&format!("/api/v1/venues/{venue}"), None), 200), before);
        assert_eq!(ok_json(app.get("/api/v1/venues", None), 200)["total"], 1);
        assert_eq!(ok_json(app.get("/api/v1/programmes", None), 200)["total"], 2);
        problem(app.get("/api/v1/programmes/mine", None), 404);
    }
}

db_test! {
    fn bad_tokens_are_401_with_www_authenticate(app) {
        let parent = app.user_token(Role::Parent);
        let cases: Vec<(&str, Option<String>)> = vec![
            ("no header", None),
            ("empty bearer", Some("Bearer ".into())),
            ("basic auth", Some("Basic dXNlcjpwYXNz".into())),
            ("garbage", Some("Bearer not.a.jwt".into())),
            ("tampered", Some(format!("Bearer {}x", parent))),
        ];
        for (what, header) in cases {
            for path in ["/api/v1/me", "/api/v1/users", "/api/v1/closures"] {
                let mut req = app.req(Method::GET, path, None);
                if let Some(h) = &header {
                    req = req.header("authorization", h);
                }
                let res = req.send().unwrap();
                assert_eq!(res.headers().get("www-authenticate").map(|v| v.to_str().unwrap()), Some("Bearer"), "{what} {path}");
                let p = problem(res, 401);
                assert_eq!(p["type"], "/problems/unauthorized", "{what} {path}");
            }
        }
        // A 403 is not a 401: no challenge.
        let res = app.get("/api/v1/users", Some(&parent));
        assert!(res.headers().get("www-authenticate").is_none());
        problem(res, 403);
        // The access token expires.
        app.clock.advance(chrono::Duration::minutes(16));
        let res = app.get("/api/v1/me", Some(&parent));
        assert_eq!(res.headers()["www-authenticate"], "Bearer");
        problem(res, 401);
    }
}

db_test! {
    fn admin_makes_staff_logins(app) {
        let admin = app.user_token(Role::Admin);
        let body = |email: &str, role: &str| json!({"email": email, "password": PASSWORD, "display_name": "Sam Okafor", "role": role});

        let p = problem(app.post("/api/v1/users", Some(&admin), &body("parent@staff.example", "parent")), 422);
        assert!(p["errors"]["role"].is_array(), "{p}");
        let p = problem(app.post("/api/v1/users", Some(&admin), &json!({"email": "weak@staff.example", "password": "password1",
            "display_name": "Weak", "role": "facilitator"})), 422);
        assert!(p["errors"]["password"].is_array(), "{p}");

        let res = app.post("/api/v1/users", Some(&admin), &body("Sam.Okafor@Staff.example", "coordinator"));
        let location = res.headers()["location"].to_str().unwrap().to_string();
        let u = ok_json(res, 201);
        assert_eq!(location, format!("/api/v1/users/{}", u["id"]));
        assert_eq!(u["email"], "sam.okafor@staff.example");
        assert_eq!(u["role"], "coordinator");
        assert!(u.get("password_hash").is_none() && u.get("password").is_none(), "{u}");
        assert_eq!(ok_json(app.get(&location, Some(&admin)), 200), u);

        let dup = problem(app.post("/api/v1/users", Some(&admin), &body("SAM.OKAFOR@staff.EXAMPLE", "facilitator")), 409);
        assert_eq!(dup["type"], "/problems/conflict");

        // The new login works and carries its role.
        let login = app.login("sam.okafor@staff.example", PASSWORD);
        assert_eq!(login["user"]["role"], "coordinator");
        let token = login["access_token"].as_str().unwrap();
        ok_json(app.post("/api/v1/venues", Some(token), &json!({"name": "By Sam", "address": "A road", "postcode": "SW9 8LF",
            "ward": "lambeth-2014:Stockwell", "creche_room_capacity": 0, "creche_registered": false})), 201);
        problem(app.get("/api/v1/users", Some(token)), 403);

        let coordinators = ok_json(app.get("/api/v1/users?role=coordinator", Some(&admin)), 200);
        assert_eq!(coordinators["total"], 1, "{coordinators}");
        assert_eq!(coordinators["items"][0]["id"], u["id"]);
        let everyone = ok_json(app.get("/api/v1/users", Some(&admin)), 200);
        assert_eq!(everyone["total"], 2, "the admin and Sam: {everyone}");
        problem(app.get("/api/v1/users/424242", Some(&admin)), 404);
    }
}
