//! The database's own catalogue, read the same way on SQLite and PostgreSQL: which tables and
//! columns exist, which rows of them belong to one family, and which text columns hold a value.
//! Discovered, not listed, so a table added later is walked (and must be exported) too.

use diesel::sql_types::{BigInt, Text};
use diesel::{QueryableByName, RunQueryDsl};
use groupwork::db::DbConnection;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// table → [(column, lower-case type)]
pub type Tables = BTreeMap<String, Vec<(String, String)>>;

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

pub fn tables(conn: &mut DbConnection) -> Tables {
    let sql = match conn {
        DbConnection::Postgres(_) => {
            "SELECT table_name::text AS table_name, column_name::text AS column_name, \
             data_type::text AS data_type FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations' \
             ORDER BY table_name, ordinal_position"
        }
        DbConnection::Sqlite(_) => {
            "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
             AND m.name <> '__diesel_schema_migrations' ORDER BY m.name, p.cid"
        }
    };
    let rows: Vec<Column> = diesel::sql_query(sql)
        .load(conn)
        .expect("read the catalogue");
    let mut out = Tables::new();
    for r in rows {
        out.entry(r.table_name)
            .or_default()
            .push((r.column_name, r.data_type.to_lowercase()));
    }
    assert!(out.contains_key("families"), "catalogue read: {out:?}");
    out
}

/// The table a column `<thing>_id` points at, by the schema's naming (`family_id` → families,
/// `child_id` → children, `booking_id` → bookings, `staff_id` → staff).
pub fn referenced(column: &str, tables: &Tables) -> Option<String> {
    let stem = column.strip_suffix("_id")?;
    let mut names = vec![format!("{stem}s"), format!("{stem}ren"), stem.to_string()];
    if let Some(s) = stem.strip_suffix('y') {
        names.push(format!("{s}ies"));
    }
    names.into_iter().find(|n| tables.contains_key(n))
}

/// Row ids of every table that reaches the family, found by following `<thing>_id` columns from
/// the family and its parent's login until nothing new is reached. Tables in `skip` are not
/// walked through. Tables that reach the family but hold no row of it are listed with no ids.
pub fn family_rows(
    conn: &mut DbConnection,
    tables: &Tables,
    family_id: i64,
    user_id: i64,
    skip: &[&str],
) -> BTreeMap<String, BTreeSet<i64>> {
    let mut ids: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    ids.insert("families".into(), [family_id].into());
    ids.insert("users".into(), [user_id].into());
    loop {
        let mut changed = false;
        for (table, columns) in tables {
            if skip.contains(&table.as_str()) || table == "families" || table == "users" {
                continue;
            }
            for (column, _) in columns {
                let Some(wanted) = referenced(column, tables).and_then(|t| ids.get(&t)) else {
                    continue;
                };
                let wanted: Vec<String> = wanted.iter().map(i64::to_string).collect();
                if !ids.contains_key(table) {
                    ids.insert(table.clone(), BTreeSet::new());
                    changed = true;
                }
                if wanted.is_empty() {
                    continue;
                }
                assert!(
                    columns.iter().any(|(c, _)| c == "id"),
                    "{table} reaches a family through {column} but has no id column to check"
                );
                let sql = format!(
                    "SELECT CAST(id AS BIGINT) AS id FROM \"{table}\" WHERE \"{column}\" IN ({})",
                    wanted.join(", ")
                );
                let found: Vec<Id> = diesel::sql_query(sql).load(conn).expect("walk a table");
                let entry = ids.entry(table.clone()).or_default();
                for row in found {
                    changed |= entry.insert(row.id);
                }
            }
        }
        if !changed {
            return ids;
        }
    }
}

/// `table.column` of every text column holding `value` (case-insensitive), with the count.
pub fn text_hits(conn: &mut DbConnection, tables: &Tables, value: &str) -> Vec<String> {
    let needle = value.to_lowercase().replace('\'', "''");
    let mut hits = Vec::new();
    for (table, columns) in tables {
        for (column, ty) in columns {
            if !(ty.contains("text") || ty.contains("char")) {
                continue;
            }
            let sql = format!(
                "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM \"{table}\" \
                 WHERE LOWER(\"{column}\") LIKE '%{needle}%'"
            );
            let n: Vec<Count> = diesel::sql_query(sql).load(conn).expect("search a column");
            if n.first().is_some_and(|c| c.n > 0) {
                hits.push(format!("{table}.{column} ({} rows)", n[0].n));
            }
        }
    }
    hits
}

/// Rows of `table` whose `column` is `value`.
pub fn count_where(conn: &mut DbConnection, table: &str, column: &str, value: i64) -> i64 {
    let sql = format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM \"{table}\" WHERE \"{column}\" = {value}"
    );
    let n: Vec<Count> = diesel::sql_query(sql).load(conn).expect("count rows");
    n.first().map_or(0, |c| c.n)
}

/// The integers at `path` in a JSON document (`a/*/b`: field `b` of every item of `a`).
pub fn ids_at(v: &Value, path: &str) -> BTreeSet<i64> {
    fn walk(v: &Value, parts: &[&str], out: &mut BTreeSet<i64>) {
        match parts.split_first() {
            None => out.extend(v.as_i64()),
            Some((&"*", rest)) => v
                .as_array()
                .into_iter()
                .flatten()
                .for_each(|item| walk(item, rest, out)),
            Some((key, rest)) => v.get(*key).into_iter().for_each(|x| walk(x, rest, out)),
        }
    }
    let mut out = BTreeSet::new();
    walk(v, &path.split('/').collect::<Vec<_>>(), &mut out);
    out
}
