//! `db::unique_violated` names each UNIQUE rule the same way on both databases (SQLite reports
//! `table.column`, PostgreSQL the constraint name): a few real violations, read back.

use crate::db_test;
use diesel::RunQueryDsl;
use groupwork::db::{unique_violated, Unique};
use groupwork::domain::role::Role;
use groupwork::store;

db_test! {
    fn each_unique_rule_is_named_on_both_databases(app) {
        let mut c = app.state.pool.get().unwrap();
        let now = app.state.now_naive();
        let user = |c: &mut _, email: &str| {
            store::users::insert(c, store::users::NewUser {
                email,
                password_hash: "x",
                display_name: "Someone",
                role: Role::Coordinator,
                now,
            })
        };
        user(&mut c, "once@example.org").unwrap();
        let twice = user(&mut c, "once@example.org").unwrap_err();
        assert_eq!(unique_violated(&twice), Some(Unique::UserEmail), "{twice:?}");

        let setting = "INSERT INTO settings (key, value) VALUES ('k', 'v')";
        diesel::sql_query(setting).execute(&mut c).unwrap();
        let again = diesel::sql_query(setting).execute(&mut c).unwrap_err();
        assert_eq!(unique_violated(&again), Some(Unique::Setting), "{again:?}");

        // Not every database error is a unique one.
        let other = diesel::sql_query("INSERT INTO settings (key) VALUES (NULL)").execute(&mut c).unwrap_err();
        assert_eq!(unique_violated(&other), None);
    }
}
