//! Migrations that change data, checked on a database that holds the data they change.

use super::*;
use diesel::sql_types::{Integer, Nullable, Text};

#[derive(QueryableByName, Debug, PartialEq)]
struct ChildRow {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Nullable<Text>)]
    date_of_birth: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    erased_at: Option<String>,
}

type Migrations = Vec<Box<dyn diesel::migration::Migration<diesel::sqlite::Sqlite>>>;

/// The migrations before the one named (by its suffix), and that one.
fn up_to(c: &mut diesel::SqliteConnection, suffix: &str) -> (Migrations, Migrations) {
    let mut all = c.pending_migrations(SQLITE_MIGRATIONS).unwrap();
    let at = all
        .iter()
        .position(|m| m.name().to_string().ends_with(suffix))
        .unwrap();
    all.truncate(at + 1);
    let target = all.split_off(at);
    (all, target)
}

#[test]
fn erased_children_lose_the_placeholder_date_and_the_rebuilt_table_keeps_its_rules() {
    let (dir, mut conn) = super::tests::temp_sqlite("migrate");
    let DbConnection::Sqlite(c) = &mut conn else {
        panic!("a SQLite connection")
    };
    // The database as it was before the rebuild, with one erased family and one live one.
    let (before, rebuild) = up_to(c, "_erased_children");
    for m in &before {
        c.run_migration(m).unwrap();
    }
    c.batch_execute(
        "INSERT INTO families (id, created_at, updated_at, erased_at) VALUES
             (1, '2026-01-01 10:00:00', '2026-01-01 10:00:00', '2026-06-01 09:00:00'),
             (2, '2026-01-01 10:00:00', '2026-01-01 10:00:00', NULL);
         INSERT INTO children (id, family_id, first_name, date_of_birth, due_date, created_at, updated_at) VALUES
             (10, 1, '', '1900-01-01', NULL, '2026-01-01 10:00:00', '2026-06-01 09:00:00'),
             (20, 2, 'Isla', '2025-03-04', NULL, '2026-01-01 10:00:00', '2026-01-01 10:00:00');",
    )
    .unwrap();
    assert_eq!(rebuild.len(), 1);
    c.run_migration(&rebuild[0]).unwrap();

    let rows: Vec<ChildRow> = diesel::sql_query(
        "SELECT id, CAST(date_of_birth AS TEXT) AS date_of_birth,
                CAST(erased_at AS TEXT) AS erased_at FROM children ORDER BY id",
    )
    .load(c)
    .unwrap();
    assert_eq!(
        rows,
        [
            ChildRow {
                id: 10,
                date_of_birth: None,
                erased_at: Some("2026-06-01 09:00:00".into())
            },
            ChildRow {
                id: 20,
                date_of_birth: Some("2025-03-04".into()),
                erased_at: None
            },
        ]
    );
    // Foreign keys are back on and nothing points at a missing row.
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = Integer)]
        n: i32,
    }
    let broken: Count = diesel::sql_query("SELECT COUNT(*) AS n FROM pragma_foreign_key_check")
        .get_result(c)
        .unwrap();
    assert_eq!(broken.n, 0);
    assert!(c
        .batch_execute(
            "INSERT INTO children (family_id, first_name, date_of_birth, created_at, updated_at)
             VALUES (99, 'Nobody', '2025-01-01', '2026-01-01', '2026-01-01')"
        )
        .is_err());
    // A live child still needs exactly one date; an erased one has none and no name.
    for bad in [
        "(2, 'Ada', NULL, NULL, NULL)",
        "(2, 'Ada', '2025-01-01', '2026-01-01', NULL)",
        "(1, '', '2025-01-01', NULL, '2026-06-01')",
        "(1, 'Ada', NULL, NULL, '2026-06-01')",
    ] {
        let sql = format!(
            "INSERT INTO children (family_id, first_name, date_of_birth, due_date, erased_at,
                 created_at, updated_at) VALUES {}",
            bad.replace(')', ", '2026-01-01', '2026-01-01')")
        );
        assert!(c.batch_execute(&sql).is_err(), "{bad} was accepted");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[derive(QueryableByName, Debug, PartialEq)]
struct LanguageRow {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Text)]
    preferred_language: String,
    #[diesel(sql_type = Text)]
    language_other: String,
}

#[test]
fn families_languages_become_tags_and_an_unknown_one_keeps_its_name() {
    let (dir, mut conn) = super::tests::temp_sqlite("languages");
    let DbConnection::Sqlite(c) = &mut conn else {
        panic!("a SQLite connection")
    };
    let (before, messages) = up_to(c, "_messages");
    for m in &before {
        c.run_migration(m).unwrap();
    }
    let languages = [
        "English",
        " english ",
        "Português",
        "Spanish",
        "polski",
        "Somali",
        "isiZulu",
        "",
        "",
    ];
    for (i, lang) in languages.iter().enumerate() {
        let erased = if i == 8 {
            "'2026-06-01 09:00:00'"
        } else {
            "NULL"
        };
        c.batch_execute(&format!(
            "INSERT INTO families (id, preferred_language, created_at, updated_at, erased_at)
             VALUES ({}, '{lang}', '2026-01-01 10:00:00', '2026-01-01 10:00:00', {erased})",
            i + 1
        ))
        .unwrap();
    }
    assert_eq!(messages.len(), 1);
    c.run_migration(&messages[0]).unwrap();
    let rows: Vec<LanguageRow> = diesel::sql_query(
        "SELECT id, preferred_language, language_other FROM families ORDER BY id",
    )
    .load(c)
    .unwrap();
    let got: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r.preferred_language.as_str(), r.language_other.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("en", ""),
            ("en", ""),
            ("pt", ""),
            ("es", ""),
            ("pl", ""),
            ("so", ""),
            ("other", "isiZulu"),
            ("en", ""),
            // An erased family's blank language says nothing about it.
            ("other", ""),
        ]
    );
    // A family inserted without a language (the old column default) reads as English.
    c.batch_execute(
        "INSERT INTO families (id, created_at, updated_at) VALUES (99, '2026-01-01', '2026-01-01')",
    )
    .unwrap();
    let rows: Vec<LanguageRow> = diesel::sql_query(
        "SELECT id, preferred_language, language_other FROM families ORDER BY id",
    )
    .load(c)
    .unwrap();
    assert_eq!(rows.last().unwrap().preferred_language, "en");
    // Every stored tag is one the service reads.
    for r in &rows {
        assert!(
            crate::domain::message::Language::parse(&r.preferred_language).is_some(),
            "{r:?}"
        );
    }
    drop(conn);
    let _ = std::fs::remove_dir_all(dir);
}

#[derive(QueryableByName, Debug, PartialEq)]
struct BookingRow {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Text)]
    access_needs: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    interpreter_needed: bool,
}

#[test]
fn rebuilt_bookings_keep_their_rows_and_what_points_at_them_and_take_the_new_statuses() {
    let (dir, mut conn) = super::tests::temp_sqlite("changes_of_plan");
    let DbConnection::Sqlite(c) = &mut conn else {
        panic!("a SQLite connection")
    };
    let (before, rebuild) = up_to(c, "_changes_of_plan");
    for m in &before {
        c.run_migration(m).unwrap();
    }
    // Only the rows the rebuild reads: cohorts are not needed for it (foreign keys off to seed).
    c.batch_execute(
        "PRAGMA foreign_keys = OFF;
         INSERT INTO families (id, access_needs, interpreter_needed, created_at, updated_at) VALUES
             (1, 'step-free access', 1, '2026-01-01 10:00:00', '2026-01-01 10:00:00'),
             (2, '', 0, '2026-01-01 10:00:00', '2026-01-01 10:00:00');
         INSERT INTO children (id, family_id, first_name, date_of_birth, created_at, updated_at)
             VALUES (10, 1, 'Isla', '2025-03-04', '2026-01-01', '2026-01-01');
         INSERT INTO cohorts (id, programme_id, venue_id, title, status, first_session_date,
             start_time, session_minutes, timezone, places, creche_offered, creche_workers,
             created_at, updated_at, cancelled_at, confirmed_count) VALUES
             (7, 1, 1, 'Running', 'published', '2026-03-03', '10:00', 90, 'Europe/London', 8, 1, 1,
              '2026-01-01', '2026-01-01', NULL, 1),
             (8, 1, 1, 'Called off', 'cancelled', '2026-03-03', '10:00', 90, 'Europe/London', 8, 1, 1,
              '2026-01-01', '2026-01-01', '2026-02-01 09:00:00', 1);
         INSERT INTO bookings (id, cohort_id, family_id, status, carers, created_at, updated_at) VALUES
             (5, 7, 1, 'confirmed', 1, '2026-01-01', '2026-01-01'),
             (6, 7, 2, 'withdrawn', 2, '2026-01-01', '2026-01-01'),
             (7, 8, 1, 'confirmed', 1, '2026-01-01', '2026-01-01'),
             (8, 8, 2, 'waitlisted', 1, '2026-01-01', '2026-01-01');
         INSERT INTO booking_creche_children (booking_id, child_id) VALUES (5, 10);
         PRAGMA foreign_keys = ON;",
    )
    .unwrap();
    c.run_migration(&rebuild[0]).unwrap();
    let rows: Vec<BookingRow> = diesel::sql_query(
        "SELECT id, status, access_needs, interpreter_needed FROM bookings ORDER BY id",
    )
    .load(c)
    .unwrap();
    assert_eq!(
        rows,
        [
            BookingRow {
                id: 5,
                status: "confirmed".into(),
                access_needs: "step-free access".into(),
                interpreter_needed: true
            },
            BookingRow {
                id: 6,
                status: "withdrawn".into(),
                access_needs: String::new(),
                interpreter_needed: false
            },
            // A group cancelled before this change: its bookings end as the centre's doing.
            BookingRow {
                id: 7,
                status: "cancelled_by_centre".into(),
                access_needs: "step-free access".into(),
                interpreter_needed: true
            },
            BookingRow {
                id: 8,
                status: "cancelled_by_centre".into(),
                access_needs: String::new(),
                interpreter_needed: false
            },
        ]
    );
    // What pointed at the old table points at the new one (only the seed's missing cohort is
    // reported), and deleting a booking still cascades to its crèche places.
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = Integer)]
        n: i32,
    }
    let count = |c: &mut diesel::SqliteConnection, sql: &str| -> i32 {
        diesel::sql_query(sql).get_result::<Count>(c).unwrap().n
    };
    assert_eq!(
        count(
            c,
            "SELECT COUNT(*) AS n FROM pragma_foreign_key_check WHERE \"parent\" NOT IN ('programmes', 'venues')"
        ),
        0
    );
    // Ended when the group was cancelled, and the cancelled group holds no place.
    assert_eq!(
        count(
            c,
            "SELECT COUNT(*) AS n FROM bookings WHERE ended_at = '2026-02-01 09:00:00'"
        ),
        2
    );
    assert_eq!(
        count(c, "SELECT confirmed_count AS n FROM cohorts WHERE id = 8"),
        0
    );
    assert_eq!(
        count(c, "SELECT confirmed_count AS n FROM cohorts WHERE id = 7"),
        1
    );
    c.batch_execute("DELETE FROM bookings WHERE id = 5")
        .unwrap();
    assert_eq!(
        count(c, "SELECT COUNT(*) AS n FROM booking_creche_children"),
        0
    );
    // The new statuses are accepted; `transferred` only with the booking it became.
    let insert = |status: &str, to: &str| {
        format!(
            "INSERT INTO bookings (cohort_id, family_id, status, carers, created_at, updated_at, transferred_to)
             VALUES (7, 2, '{status}', 1, '2026-01-01', '2026-01-01', {to})"
        )
    };
    c.batch_execute("PRAGMA foreign_keys = OFF").unwrap();
    c.batch_execute(&insert("cancelled_by_centre", "NULL"))
        .unwrap();
    assert!(c.batch_execute(&insert("transferred", "NULL")).is_err());
    assert!(c.batch_execute(&insert("cancelled", "1")).is_err());
    assert!(c.batch_execute(&insert("gone", "NULL")).is_err());
    drop(conn);
    let _ = std::fs::remove_dir_all(dir);
}
