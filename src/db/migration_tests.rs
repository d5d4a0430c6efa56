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

/// The migrations before the one named (by its suffix), and that one.
#[allow(clippy::type_complexity)]
fn up_to(
    c: &mut diesel::SqliteConnection,
    suffix: &str,
) -> (
    Vec<Box<dyn diesel::migration::Migration<diesel::sqlite::Sqlite>>>,
    Vec<Box<dyn diesel::migration::Migration<diesel::sqlite::Sqlite>>>,
) {
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
