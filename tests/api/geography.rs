//! The public geography (issue 19 item 2): `groupwork import-geography` run as the built binary
//! against the test's database with the made-up fixture in the real files' formats
//! (`tests/fixtures/geography/`), then families and venues placed by their postcode through the
//! API: the ward in the answer, the LSOA and IMD decile in the database (a family's own answer
//! never labels it), an unknown postcode a 422 on `postcode` that changes nothing, a postcode of a
//! sector outside the area accepted without a ward; a new edition replaces the old and places
//! everyone again; bad input is refused with one clear line and nothing changed.

use crate::db_test;
use crate::family_enrolment::phone_caller;
use crate::helpers::{ok_json, problem, scratch_dir, TestApp};
use groupwork::db::{DbConnection, DbManager};
use groupwork::domain::role::Role;
use groupwork::store;
use reqwest::Method;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub(crate) fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/geography")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// `groupwork import-geography args…` against the app's database, with only the GROUPWORK_*
/// variables given here.
fn import(app: &TestApp, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_groupwork"));
    cmd.arg("import-geography")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, _) in std::env::vars() {
        if name.starts_with("GROUPWORK_") {
            cmd.env_remove(name);
        }
    }
    cmd.env("GROUPWORK_LOG", "warn")
        .env("GROUPWORK_DATABASE_URL", &app.state.config.database_url);
    cmd.output().expect("run groupwork")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The whole fixture: postcodes, ward names, IMD 2025 and population, for Lambeth.
pub(crate) fn full_args(postcodes: &str) -> Vec<String> {
    [
        "--postcodes",
        postcodes,
        "--ward-names",
        &fixture("ward_names.csv"),
        "--imd",
        &fixture("iod2025_file1.csv"),
        "--local-authority",
        "E09000022",
        "--ward-set",
        "lambeth-2022",
        "--population",
        &fixture("ward_population.csv"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

pub(crate) fn import_ok(app: &TestApp, args: &[String]) -> String {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = import(app, &args);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "stdout: {stdout}; stderr: {stderr}");
    stdout
}

/// Asserts a refusal: exit 1, one line on stderr naming `needle`, no panic.
fn import_refused(app: &TestApp, args: &[&str], needle: &str) {
    let out = import(app, args);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(1),
        "{args:?}: stdout {stdout}; stderr {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{args:?}: one line, got {stderr:?}");
    assert!(lines[0].starts_with("groupwork: "), "{stderr}");
    assert!(
        lines[0].contains(needle),
        "{args:?}: {needle:?} not in {stderr}"
    );
}

fn conn(app: &TestApp) -> DbConnection {
    DbManager::new(&app.state.config.database_url)
        .unwrap()
        .open()
        .map_err(|e| e.0)
        .unwrap()
}

/// The family's ward, LSOA and decile as stored.
fn family_place(app: &TestApp, id: i64) -> (String, String, Option<i32>) {
    let f = store::families::find(&mut conn(app), id as i32)
        .unwrap()
        .unwrap();
    (f.ward, f.lsoa, f.imd_decile)
}

/// The fixture's ward, LSOA and decile of a postcode, read from its files independently.
pub(crate) fn fixture_place(postcode: &str) -> (String, String, i32) {
    let mut onspd = csv::Reader::from_path(fixture("onspd.csv")).unwrap();
    let h = onspd.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (pcds, ward, lsoa) = (col("pcds"), col("osward"), col("lsoa21"));
    let row = onspd
        .records()
        .map(|r| r.unwrap())
        .find(|r| &r[pcds] == postcode)
        .unwrap();
    let names = csv::Reader::from_path(fixture("ward_names.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .find(|r| r[0] == row[ward])
        .unwrap();
    let decile = csv::Reader::from_path(fixture("iod2025_file1.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .find(|r| r[0] == row[lsoa])
        .unwrap()[5]
        .parse()
        .unwrap();
    (
        format!("lambeth-2022:{}", &names[1]),
        row[lsoa].to_string(),
        decile,
    )
}

fn profile(postcode: &str, ward: &str) -> Value {
    json!({"carers": ["Amira Haddad"], "phone": "07700 900555", "postcode": postcode, "ward": ward,
           "preferred_language": "en", "referral_source": "self", "consent_to_contact": true})
}

fn put_family(app: &TestApp, token: Option<&str>, body: &Value) -> reqwest::blocking::Response {
    app.req(Method::PUT, "/api/v1/me/family", token)
        .json(body)
        .send()
        .unwrap()
}

fn venue(postcode: &str, ward: &str) -> Value {
    json!({"name": "Stockwell Children's Centre", "address": "Lansdowne Way, London",
           "postcode": postcode, "ward": ward, "creche_room_capacity": 10, "creche_registered": true})
}

db_test! {
    fn a_family_and_a_venue_are_placed_by_their_postcode(app) {
        // Before the geography is loaded, the ward is as typed.
        let t = app.register_parent("amira@example.org");
        let token = t["access_token"].as_str();
        let f = ok_json(put_family(&app, token, &profile("SW9 8LF", "lambeth-2014:Coldharbour")), 200);
        let id = f["id"].as_i64().unwrap();
        assert_eq!(family_place(&app, id), ("lambeth-2014:Coldharbour".into(), String::new(), None));

        let said = import_ok(&app, &full_args(&fixture("onspd.csv")));
        assert!(said.starts_with("Loaded IMD 2025 (2021 LSOAs): "), "{said}");
        assert!(said.contains("postcodes in 25 wards of E09000022"), "{said}");
        assert!(said.contains("under-five population for 25 wards"), "{said}");
        assert!(said.contains("placed 1 family and 0 venues."), "{said}");

        // The import placed the family already; saving again keeps it so.
        let (ward, lsoa, decile) = fixture_place("SW9 8LF");
        assert_eq!(ward, "lambeth-2022:Brixton Windrush");
        assert_eq!(family_place(&app, id), (ward.clone(), lsoa.clone(), Some(decile)));
        let f = ok_json(put_family(&app, token, &profile("sw98lf", "")), 200);
        assert_eq!(f["ward"], ward.as_str(), "derived, whatever was typed: {f}");
        assert!(f.get("imd_decile").is_none() && f.get("lsoa").is_none(), "never on the family's own answer: {f}");
        assert_eq!(family_place(&app, id), (ward, lsoa, Some(decile)));

        // Another postcode, another ward.
        let (ward, lsoa, decile) = fixture_place("SE11 5QY");
        let f = ok_json(put_family(&app, token, &profile("SE11 5QY", "lambeth-2014:Oval")), 200);
        assert_eq!(f["ward"], ward.as_str());
        assert_eq!(family_place(&app, id), (ward.clone(), lsoa, Some(decile)));

        // Unknown postcodes, in a sector of the area and nowhere at all: a 422 on postcode,
        // nothing changed.
        for unknown in ["SW9 9ZZ", "ZE9 9ZZ"] {
            let p = problem(put_family(&app, token, &profile(unknown, "lambeth-2022:Oval")), 422);
            assert!(p["errors"]["postcode"][0].as_str().unwrap().contains("cannot find"), "{p}");
            assert_eq!(ok_json(app.get("/api/v1/me/family", token), 200)["postcode"], "SE11 5QY");
            assert_eq!(family_place(&app, id).0, ward, "never a wrong ward");
        }

        // A postcode over the border (a Southwark sector): accepted, the typed ward, no decile.
        let f = ok_json(put_family(&app, token, &profile("SE15 5AA", "")), 200);
        assert_eq!((f["postcode"].as_str(), f["ward"].as_str()), (Some("SE15 5AA"), Some("")));
        assert_eq!(family_place(&app, id), (String::new(), String::new(), None));
        // No postcode at all is always fine.
        let f = ok_json(put_family(&app, token, &profile("", "lambeth-2022:Oval")), 200);
        assert_eq!(f["ward"], "lambeth-2022:Oval");

        // A venue: the derived ward wins over the typed one, with its decile.
        let co = app.user_token(Role::Coordinator);
        let (ward, lsoa, decile) = fixture_place("SW8 2PS");
        let v = ok_json(app.post("/api/v1/venues", Some(&co), &venue("sw8 2ps", "lambeth-2014:Stockwell")), 201);
        assert_eq!((v["ward"].as_str(), v["imd_decile"].as_i64()), (Some(ward.as_str()), Some(decile as i64)), "{v}");
        assert_eq!(v["ward_name"], "Stockwell East");
        let stored = store::venues::find(&mut conn(&app), v["id"].as_i64().unwrap() as i32).unwrap().unwrap();
        assert_eq!(stored.lsoa, lsoa);
        let vid = v["id"].as_i64().unwrap();
        let p = problem(app.patch(&format!("/api/v1/venues/{vid}"), Some(&co), &json!({"postcode": "SW9 9ZZ"})), 422);
        assert!(p["errors"]["postcode"].is_array(), "{p}");
        let again = ok_json(app.get(&format!("/api/v1/venues/{vid}"), None), 200);
        assert_eq!((again["postcode"].as_str(), again["imd_decile"].as_i64()), (Some("SW8 2PS"), Some(decile as i64)));
        let (ward, _, decile) = fixture_place("SW9 6JA");
        let moved = ok_json(app.patch(&format!("/api/v1/venues/{vid}"), Some(&co), &json!({"postcode": "SW9 6JA"})), 200);
        assert_eq!((moved["ward"].as_str(), moved["imd_decile"].as_i64()), (Some(ward.as_str()), Some(decile as i64)));

        // Staff enrolling a family: placed too, and an unknown postcode refused.
        let (ward, _, decile) = fixture_place("SW9 7SL");
        let mut body = phone_caller();
        body["postcode"] = json!("SW9 7SL");
        let f = ok_json(app.post("/api/v1/families", Some(&co), &body), 201);
        assert_eq!(f["ward"], ward.as_str(), "{f}");
        assert_eq!(family_place(&app, f["id"].as_i64().unwrap()).2, Some(decile));
        body["postcode"] = json!("ZE9 9ZZ");
        body["phone"] = json!("07700 900999");
        let p = problem(app.post("/api/v1/families", Some(&co), &body), 422);
        assert!(p["errors"]["postcode"].is_array(), "{p}");
    }
}

db_test! {
    fn a_new_edition_replaces_the_old_and_places_everyone_again(app) {
        import_ok(&app, &full_args(&fixture("onspd.csv")));
        let t = app.register_parent("amira@example.org");
        let token = t["access_token"].as_str();
        let id = ok_json(put_family(&app, token, &profile("SW9 8LF", "")), 200)["id"].as_i64().unwrap();
        let other = app.register_parent("joanna@example.org");
        let other_token = other["access_token"].as_str();
        let other_id = ok_json(put_family(&app, other_token, &profile("SW8 2PS", "")), 200)["id"].as_i64().unwrap();
        assert_eq!(family_place(&app, other_id).0, "lambeth-2022:Stockwell East");

        // A changed directory: SW9 8LF gone, SW8 2PS moved to Oval's ward.
        let original = std::fs::read_to_string(fixture("onspd.csv")).unwrap();
        let oval = "E05014112";
        let changed: String = original
            .lines()
            .filter(|l| !l.contains("\"SW9 8LF\""))
            .map(|l| match l.contains("\"SW8 2PS\"") {
                true => l.replace("\"E05014114\"", &format!("\"{oval}\"")),
                false => l.to_string(),
            })
            .map(|l| l + "\n")
            .collect();
        assert!(changed.contains(oval) && !changed.contains("\"SW9 8LF\""));
        let dir = scratch_dir("geo");
        let path: PathBuf = dir.path().join("ONSPD_changed.csv");
        std::fs::write(&path, changed).unwrap();
        let mut args = full_args(&path.to_string_lossy());
        args.truncate(args.len() - 2); // no population this time
        let said = import_ok(&app, &args);
        drop(dir);
        assert!(said.contains("placed 1 family and 0 venues."), "{said}");
        assert!(!said.contains("under-five"), "{said}");

        // The family whose postcode went keeps its ward and loses its LSOA and decile.
        let (ward, lsoa, decile) = family_place(&app, id);
        assert_eq!((ward.as_str(), lsoa.as_str(), decile), ("lambeth-2022:Brixton Windrush", "", None));
        assert_eq!(family_place(&app, other_id).0, "lambeth-2022:Oval");
        // The old postcode is gone from the geography: it is now refused.
        let p = problem(put_family(&app, token, &profile("SW9 8LF", "")), 422);
        assert!(p["errors"]["postcode"].is_array(), "{p}");
        let mut c = conn(&app);
        let e = store::geography::edition(&mut c).unwrap().unwrap();
        assert_eq!((e.imd_edition.as_str(), e.ward_set.as_str()), ("IMD 2025", "lambeth-2022"));
        assert!(!e.sources.contains("population"), "{}", e.sources);
        assert!(store::geography::wards(&mut c).unwrap().iter().all(|w| w.2.is_none()), "no population this time");

        // The population alone.
        let said = import_ok(&app, &["--population".to_string(), fixture("ward_population.csv")]);
        assert_eq!(said.trim(), "Loaded the under-five population for 25 wards of the 25 wards loaded.");
        let wards = store::geography::wards(&mut c).unwrap();
        let stockwell = wards.iter().find(|w| w.1 == "lambeth-2022:Stockwell East").unwrap();
        // The fixture's ages 0 to 4 of Stockwell East, added up.
        let pop = csv::Reader::from_path(fixture("ward_population.csv")).unwrap().records()
            .map(|r| r.unwrap()).find(|r| &r[1] == "Stockwell East").unwrap();
        let sum: i32 = (5..10).map(|i| pop[i].parse::<i32>().unwrap()).sum();
        assert_eq!(stockwell.2, Some(sum));
        assert!(store::geography::edition(&mut c).unwrap().unwrap().sources.contains("population: ward_population.csv"));
    }
}

db_test! {
    fn bad_input_is_refused_clearly_and_changes_nothing(app) {
        // The population alone before any geography is loaded.
        import_refused(&app, &["--population", &fixture("ward_population.csv")], "no geography is loaded");
        import_ok(&app, &full_args(&fixture("onspd.csv")));
        let before = store::geography::edition(&mut conn(&app)).unwrap().unwrap().loaded_at;
        let (ward_names, imd) = (fixture("ward_names.csv"), fixture("iod2025_file1.csv"));
        let onspd = fixture("onspd.csv");
        let with = |postcodes: &str, names: &str, iod: &str, set: &str| -> Vec<String> {
            ["--postcodes", postcodes, "--ward-names", names, "--imd", iod, "--local-authority", "E09000022", "--ward-set", set]
                .iter().map(|s| s.to_string()).collect()
        };
        let cases: Vec<(Vec<String>, &str)> = vec![
            (with("/nowhere/ONSPD.csv", &ward_names, &imd, "lambeth-2022"), "cannot open /nowhere/ONSPD.csv"),
            // The IoD file given as the directory: no LSOA code column.
            (with(&onspd, &ward_names, &onspd, "lambeth-2022"), "LSOA code (2021)"),
            // The ward names given as the directory: no postcode column.
            (with(&ward_names, &ward_names, &imd, "lambeth-2022"), "no pcds"),
            (with(&onspd, &imd, &imd, "lambeth-2022"), "WDnnCD"),
            (with(&onspd, &ward_names, &imd, "Lambeth"), "--ward-set"),
            (vec!["--postcodes".into(), onspd.clone()], "--ward-names, --imd, --ward-set"),
        ];
        for (args, needle) in &cases {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            import_refused(&app, &args, needle);
        }
        // A local authority the directory does not hold.
        let mut other = with(&onspd, &ward_names, &imd, "lambeth-2022");
        other[7] = "E09000033".into();
        let args: Vec<&str> = other.iter().map(String::as_str).collect();
        import_refused(&app, &args, "no postcode of E09000033");
        other[7] = "Lambeth".into();
        let args: Vec<&str> = other.iter().map(String::as_str).collect();
        import_refused(&app, &args, "not a local authority code");
        // A bad row names its file and line.
        let dir = scratch_dir("geo_bad");
        let bad = dir.path().join("iod_bad.csv");
        let mut iod = std::fs::read_to_string(&imd).unwrap();
        iod.push_str("E01099999,Lambeth 999Z,E09000022,Lambeth,1,eleven\n");
        std::fs::write(&bad, &iod).unwrap();
        let lines = iod.lines().count();
        let args = with(&onspd, &ward_names, &bad.to_string_lossy(), "lambeth-2022");
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        import_refused(&app, &args, &format!("iod_bad.csv, line {lines}: IMD decile \"eleven\""));
        drop(dir);
        // Nothing changed: the edition loaded first is still the one.
        let e = store::geography::edition(&mut conn(&app)).unwrap().unwrap();
        assert_eq!(e.loaded_at, before);
        assert_eq!(e.local_authorities, "E09000022");
    }
}

db_test! {
    fn a_family_who_walks_in_is_placed_too(app) {
        let g = crate::registers::group(&app, 4, 2, 0);
        g.at_session(&app, 1, 20);
        let lead = crate::registers::staff(&app, g.lead);
        import_ok(&app, &full_args(&fixture("onspd.csv")));
        let path = format!("/api/v1/sessions/{}/register/walk-ins", g.sessions[0].0);
        let family = |postcode: &str| json!({"new_family": {"carers": ["Amina Yusuf"], "phone": "07700 900321",
            "preferred_language": "so", "postcode": postcode}, "carers": 1});
        let p = problem(app.post(&path, Some(&lead), &family("SW9 9ZZ")), 422);
        assert!(p["errors"]["new_family.postcode"].is_array(), "{p}");
        let made = ok_json(app.post(&path, Some(&lead), &family("SW9 6HY")), 201);
        let (ward, lsoa, decile) = fixture_place("SW9 6HY");
        let id = made["family_id"].as_i64().unwrap();
        assert_eq!(family_place(&app, id), (ward, lsoa, Some(decile)));
    }
}
