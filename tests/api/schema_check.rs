//! Every table and column of src/db/schema.rs exists, with a matching type and nullability, in
//! both migration sets — and the migrations hold nothing schema.rs does not know about.

use crate::db_test;
use diesel::sql_types::{Integer, Text};
use diesel::{QueryableByName, RunQueryDsl};
use groupwork::db::DbConnection;
use std::collections::BTreeMap;

/// table → column → (diesel type, nullable)
type Columns = BTreeMap<String, BTreeMap<String, (String, bool)>>;

fn schema_rs() -> Columns {
    let text = include_str!("../../src/db/schema.rs");
    let mut out = Columns::new();
    let mut table: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_suffix('{').map(str::trim) {
            if let Some((name, _pk)) = rest.split_once(" (") {
                table = Some(name.trim().to_string());
                out.entry(name.trim().to_string()).or_default();
            }
            continue;
        }
        if line == "}" {
            table = None;
            continue;
        }
        if let (Some(t), Some((col, ty))) = (
            &table,
            line.strip_suffix(',').and_then(|l| l.split_once("->")),
        ) {
            let ty = ty.trim();
            let (ty, nullable) = match ty
                .strip_prefix("Nullable<")
                .and_then(|t| t.strip_suffix('>'))
            {
                Some(inner) => (inner.to_string(), true),
                None => (ty.to_string(), false),
            };
            out.get_mut(t)
                .unwrap()
                .insert(col.trim().to_string(), (ty, nullable));
        }
    }
    out
}

#[derive(QueryableByName)]
struct PgColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
}

#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Integer)]
    not_null: i32,
    #[diesel(sql_type = Integer)]
    pk: i32,
}

/// The diesel type a database column type reads as.
fn diesel_type(db_type: &str) -> String {
    match db_type.to_lowercase().as_str() {
        "integer" | "int" | "int4" => "Integer",
        "bigint" | "int8" => "BigInt",
        "text" => "Text",
        "boolean" => "Bool",
        "timestamp" | "timestamp without time zone" => "Timestamp",
        "date" => "Date",
        "time" | "time without time zone" => "Time",
        "double precision" | "real" | "double" => "Double",
        "bytea" | "blob" => "Binary",
        other => return format!("unmapped:{other}"),
    }
    .to_string()
}

fn database_columns(conn: &mut DbConnection) -> Columns {
    let mut out = Columns::new();
    match conn {
        DbConnection::Postgres(c) => {
            let rows: Vec<PgColumn> = diesel::sql_query(
                "SELECT table_name::text AS table_name, column_name::text AS column_name, \
                 data_type::text AS data_type, is_nullable::text AS is_nullable \
                 FROM information_schema.columns WHERE table_schema = 'public' \
                 AND table_name <> '__diesel_schema_migrations'",
            )
            .load(c)
            .unwrap();
            for r in rows {
                out.entry(r.table_name).or_default().insert(
                    r.column_name,
                    (diesel_type(&r.data_type), r.is_nullable == "YES"),
                );
            }
        }
        DbConnection::Sqlite(c) => {
            let rows: Vec<SqliteColumn> = diesel::sql_query(
                "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type, p.\"notnull\" AS not_null, p.pk AS pk \
                 FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations'",
            )
            .load(c)
            .unwrap();
            for r in rows {
                let nullable = r.not_null == 0 && r.pk == 0;
                out.entry(r.table_name)
                    .or_default()
                    .insert(r.column_name, (diesel_type(&r.data_type), nullable));
            }
        }
    }
    out
}

db_test! {
    fn schema_rs_matches_the_migrations(app) {
        let expected = schema_rs();
        assert!(expected.len() >= 5 && expected["users"].contains_key("email"), "schema.rs parsed");
        let mut conn = app.state.pool.get().unwrap();
        let actual = database_columns(&mut conn);
        assert_eq!(
            expected.keys().collect::<Vec<_>>(),
            actual.keys().collect::<Vec<_>>(),
            "tables in schema.rs vs the database"
        );
        for (table, cols) in &expected {
            assert_eq!(cols, &actual[table], "columns of {table}: schema.rs (left) vs database (right)");
        }
    }
}
