//! The demo data set: loads once, with working logins and venues in the four LEAP wards, into a
//! new database or one holding only accounts; a second load changes nothing, and a database with
//! records of its own (families, cohorts, venues, staff) or a demo login's email is refused and
//! left as it was.

use crate::db_test;
use crate::fixtures::Coordinator;
use crate::helpers::{ok_json, TestApp};
use groupwork::demo::{DemoLogin, Outcome, Refusal};
use groupwork::domain::role::Role;
use serde_json::{json, Value};
use std::collections::BTreeSet;

fn load(app: &TestApp) -> Outcome {
    actix_web::rt::System::new()
        .block_on(groupwork::demo::load(&app.state.services))
        .expect("demo load runs")
}

/// The logins of a load that happened; panics on any other outcome.
fn loaded(app: &TestApp) -> Vec<DemoLogin> {
    match load(app) {
        Outcome::Loaded(logins) => logins,
        Outcome::AlreadyLoaded { at } => panic!("demo already loaded at {at}"),
        Outcome::Refused(why) => panic!("demo refused: {why}"),
    }
}

fn refusal(app: &TestApp) -> Refusal {
    match load(app) {
        Outcome::Refused(why) => why,
        Outcome::Loaded(_) => panic!("the demo was loaded"),
        Outcome::AlreadyLoaded { at } => panic!("demo already loaded at {at}"),
    }
}

/// Everything the API shows, to compare before and after.
fn snapshot(app: &TestApp, admin: &str) -> Value {
    let mut out = json!({});
    for path in [
        "/api/v1/venues?limit=100",
        "/api/v1/programmes",
        "/api/v1/users?limit=100",
        "/api/v1/staff?limit=100",
        "/api/v1/cohorts?limit=100",
        "/api/v1/listings?limit=100",
    ] {
        out[path] = ok_json(app.get(path, Some(admin)), 200);
    }
    out
}

db_test! {
    fn demo_loads_once_with_working_logins(app) {
        let logins = loaded(&app);

        assert!(!logins.is_empty());
        let emails: BTreeSet<&str> = logins.iter().map(|l| l.email).collect();
        assert_eq!(emails.len(), logins.len(), "one login per email");
        let roles: BTreeSet<&str> = logins.iter().map(|l| l.role.as_str()).collect();
        for role in ["admin", "coordinator", "facilitator"] {
            assert!(roles.contains(role), "a demo {role}: {roles:?}");
        }
        let passwords: BTreeSet<&str> = logins.iter().map(|l| l.password.as_str()).collect();
        assert_eq!(passwords.len(), logins.len(), "each login has its own password");

        let mut admin = None;
        for l in &logins {
            let t = app.login(l.email, &l.password);
            assert_eq!(t["user"]["role"], l.role.as_str(), "{}", l.email);
            assert_eq!(t["user"]["email"], l.email);
            let me = ok_json(app.get("/api/v1/me", t["access_token"].as_str()), 200);
            assert_eq!(me["display_name"], l.name);
            if l.role == Role::Admin {
                admin = Some(t["access_token"].as_str().unwrap().to_string());
            }
        }
        let admin = admin.expect("an admin login");
        let users = ok_json(app.get("/api/v1/users?limit=100", Some(&admin)), 200);
        assert_eq!(users["total"].as_u64(), Some(logins.len() as u64), "{users}");

        let venues = ok_json(app.get("/api/v1/venues?limit=100", None), 200);
        let items = venues["items"].as_array().unwrap();
        assert!(!items.is_empty());
        assert!(items.iter().all(|v| v["ward_boundary_set"] == "lambeth-2022"), "{venues}");
        // The demo loads the made-up geography: every venue is placed by its postcode.
        assert!(items.iter().all(|v| v["imd_decile"].as_i64().is_some_and(|d| (1..=10).contains(&d))), "{venues}");
        let wards: BTreeSet<&str> = items.iter().map(|v| v["ward_name"].as_str().unwrap()).collect();
        assert_eq!(wards.len(), 4, "four distinct wards: {wards:?}");
        for v in items {
            assert_eq!(v["ward"].as_str().unwrap(), format!("lambeth-2022:{}", v["ward_name"].as_str().unwrap()));
            assert!(v["creche_registered"] == false || v["creche_room_capacity"].as_i64().unwrap() > 0, "{v}");
        }

        let before = snapshot(&app, &admin);
        match load(&app) {
            Outcome::AlreadyLoaded { at } => assert_eq!(at, "2026-03-02 09:00 UTC"),
            _ => panic!("the demo loads only once"),
        }
        assert_eq!(snapshot(&app, &admin), before, "the second load changed nothing");
        // The first passwords still work: nothing was replaced.
        for l in &logins {
            app.login(l.email, &l.password);
        }
    }
}

db_test! {
    fn demo_loads_beside_staff_accounts(app) {
        // Accounts alone (create-admin, staff logins) are not records the demo could mix with.
        app.user_token(Role::Coordinator);
        let admin = app.user_token(Role::Admin);
        let logins = loaded(&app);
        let users = ok_json(app.get("/api/v1/users?limit=100", Some(&admin)), 200);
        assert_eq!(users["total"].as_u64(), Some(logins.len() as u64 + 2), "{users}");
        assert!(ok_json(app.get("/api/v1/venues", None), 200)["total"].as_i64().unwrap() > 0);
    }
}

db_test! {
    fn demo_is_refused_beside_records_of_the_centres_own(app) {
        let co = Coordinator::new(&app);
        co.staff("Real Person", &[]);
        assert_eq!(refusal(&app), Refusal::RecordsPresent(vec![(1, "staff member")]));
        co.venue("Our Centre", "lambeth-2014:Vassall", 0);
        co.venue("Our Hall", "lambeth-2014:Vassall", 0);
        app.register_parent("one@parents.example");
        let why = refusal(&app);
        assert_eq!(why, Refusal::RecordsPresent(vec![(1, "family"), (2, "venues"), (1, "staff member")]));
        assert_eq!(
            why.to_string(),
            "the demo was not loaded, and nothing was changed: this database holds 1 family, 2 venues \
             and 1 staff member that are not the demo's, and the demo is only loaded into a new \
             database (accounts alone, such as an admin from create-admin, are fine)"
        );
        assert_eq!(ok_json(app.get("/api/v1/venues", None), 200)["total"], 2);
        assert_eq!(ok_json(app.get("/api/v1/staff", co.t()), 200)["total"], 1);
        assert_eq!(ok_json(app.get("/api/v1/cohorts", co.t()), 200)["total"], 0);
        assert_eq!(app.login_status("admin@demo.groupwork.example"), 401);
    }
}

db_test! {
    fn demo_is_refused_when_a_demo_login_is_taken(app) {
        let hash = groupwork::auth::password::hash(crate::helpers::PASSWORD).unwrap();
        let mut conn = app.state.pool.get().unwrap();
        let new = groupwork::store::users::NewUser {
            email: "Coordinator@Demo.Groupwork.Example",
            password_hash: &hash,
            display_name: "Someone",
            role: Role::Admin,
            now: app.state.now_naive(),
        };
        groupwork::store::users::insert(&mut conn, new).unwrap();
        drop(conn);
        let why = refusal(&app);
        assert_eq!(why, Refusal::EmailsTaken(vec!["coordinator@demo.groupwork.example"]));
        assert!(why.to_string().contains("coordinator@demo.groupwork.example is already an account"), "{why}");
        let admin = app.user_token(Role::Admin);
        let users = ok_json(app.get("/api/v1/users?limit=100", Some(&admin)), 200);
        assert_eq!(users["total"], 2, "{users}");
        assert_eq!(ok_json(app.get("/api/v1/venues", None), 200)["total"], 0);
    }
}

db_test! {
    fn demo_term_programme_is_listed_with_valid_teams(app) {
        app.clock.set("2026-11-23T09:00:00Z".parse().unwrap());
        let logins = loaded(&app);
        let coordinator = logins.iter().find(|l| l.role == Role::Coordinator).unwrap();
        let token = app.login(coordinator.email, &coordinator.password)["access_token"].as_str().unwrap().to_string();

        let listing = ok_json(app.get("/api/v1/listings?limit=100", None), 200);
        let items = listing["items"].as_array().unwrap();
        assert!(items.len() >= 5, "{listing}");
        let wards: BTreeSet<&str> = items.iter().map(|i| i["venue"]["ward"].as_str().unwrap()).collect();
        assert_eq!(wards.len(), 4, "groups in all four LEAP wards: {wards:?}");
        let programmes: BTreeSet<&str> = items.iter().map(|i| i["programme"].as_str().unwrap()).collect();
        assert_eq!(programmes, BTreeSet::from(["cosp", "together-time"]));

        // One group spans Easter (and skips Easter Monday), one spans the end of summer time.
        let offsets = |i: &Value| -> BTreeSet<String> {
            i["sessions"].as_array().unwrap().iter().map(|s| s["local_start"].as_str().unwrap()[19..].to_string()).collect()
        };
        let local_times = |i: &Value| -> BTreeSet<String> {
            i["sessions"].as_array().unwrap().iter().map(|s| s["local_start"].as_str().unwrap()[11..16].to_string()).collect()
        };
        let easter = items.iter().find(|i| i["title"].as_str().unwrap().contains("Easter")).expect("an Easter group");
        let dates: Vec<&str> = easter["sessions"].as_array().unwrap().iter().map(|s| &s["local_start"].as_str().unwrap()[..10]).collect();
        assert!(!dates.contains(&"2027-03-29"), "Easter Monday 2027 skipped: {dates:?}");
        assert!(dates.first().unwrap() < &"2027-03-29" && dates.last().unwrap() > &"2027-03-29", "{dates:?}");
        let spans_clock_change = items.iter().filter(|i| offsets(i).len() == 2 && local_times(i).len() == 1).count();
        assert!(spans_clock_change >= 2, "groups crossing a clock change keep their local time");

        // Every published team satisfies its programme: setting it again is accepted.
        for i in items {
            let id = i["cohort_id"].as_i64().unwrap();
            let c = ok_json(app.get(&format!("/api/v1/cohorts/{id}"), Some(&token)), 200);
            let team = &c["team"];
            let ids = |v: &Value| v.as_array().unwrap().iter().map(|m| m["staff_id"].clone()).collect::<Vec<_>>();
            let body = json!({"lead": team["lead"]["staff_id"], "co_facilitators": ids(&team["co_facilitators"]),
                              "creche_workers": ids(&team["creche_workers"]), "supervisor": team["supervisor"]["staff_id"]});
            let res = app.req(reqwest::Method::PUT, &format!("/api/v1/cohorts/{id}/facilitators"), Some(&token)).json(&body).send().unwrap();
            ok_json(res, 200);
        }
        let drafts = ok_json(app.get("/api/v1/cohorts?status=draft", Some(&token)), 200);
        assert_eq!(drafts["total"], 1);
    }
}

db_test! {
    fn demo_families_fill_one_cosp_creche_and_wait_for_places(app) {
        app.clock.set("2026-11-23T09:00:00Z".parse().unwrap());
        let logins = loaded(&app);
        let parent = logins.iter().find(|l| l.role == Role::Parent).expect("a demo parent");
        let t = app.login(parent.email, &parent.password)["access_token"].as_str().unwrap().to_string();
        let family = ok_json(app.get("/api/v1/me/family", Some(&t)), 200);
        assert_eq!(family["children"].as_array().unwrap().len(), 1);
        let mine = ok_json(app.get("/api/v1/me/bookings", Some(&t)), 200);
        assert_eq!(mine["items"][0]["status"], "confirmed");
        let cohort = mine["items"][0]["cohort_id"].as_i64().unwrap();
        let item = ok_json(app.get("/api/v1/listings?programme=cosp", None), 200)["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["cohort_id"] == cohort)
            .cloned()
            .unwrap();
        assert_eq!(item["creche"]["places_left_by_age"]["under_2"], 0, "the crèche is full for babies: {item}");
        let co = logins.iter().find(|l| l.role == Role::Coordinator).unwrap();
        let ct = app.login(co.email, &co.password)["access_token"].as_str().unwrap().to_string();
        let c = ok_json(app.get(&format!("/api/v1/cohorts/{cohort}"), Some(&ct)), 200);
        assert_eq!(c["places"].as_i64().unwrap() - c["places_left"].as_i64().unwrap(), 8, "{c}");
    }
}

db_test! {
    fn demo_has_a_group_under_way_with_registers_and_follow_ups(app) {
        app.clock.set("2026-11-23T09:00:00Z".parse().unwrap());
        let logins = loaded(&app);
        let lead = logins.iter().find(|l| l.email.starts_with("cosp@")).expect("the COSP facilitator's login");
        let t = app.login(lead.email, &lead.password)["access_token"].as_str().unwrap().to_string();
        let mine = ok_json(app.get("/api/v1/me/cohorts", Some(&t)), 200);
        let running = mine["items"].as_array().unwrap().iter()
            .find(|c| c["title"].as_str().unwrap().contains("under way")).expect("a group under way").clone();
        let id = running["id"].as_i64().unwrap();
        let summary = ok_json(app.get(&format!("/api/v1/cohorts/{id}/summary"), Some(&t)), 200);
        let held: Vec<&Value> = summary["sessions"].as_array().unwrap().iter().filter(|s| s["held"] == true).collect();
        assert_eq!(held.len(), 4, "{summary}");
        assert!(held.iter().all(|s| s["unmarked"] == 0), "{summary}");
        assert_eq!(summary["open_follow_ups"], 1, "{summary}");
        assert_eq!(summary["follow_up_outcomes"], json!({"reengaged": 1}));
        let open = ok_json(app.get("/api/v1/follow-ups?status=open", Some(&t)), 200);
        assert_eq!(open["items"][0]["carers_names"], json!(["Megan Price"]));
        let fourth = held[3]["session_id"].as_i64().unwrap();
        let register = ok_json(app.get(&format!("/api/v1/sessions/{fourth}/register"), Some(&t)), 200);
        assert_eq!(register["counts"]["unmarked"], 0);
        assert_eq!(register["creche"]["not_signed_out"], json!([]));
        assert!(register["creche"]["within_ratio"].as_bool().unwrap(), "{register}");
    }
}
