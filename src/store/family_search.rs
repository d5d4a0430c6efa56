//! Finding families as staff do: by carer's name, email, phone or postcode, and the records that
//! may be the same family as a new one. Erased families are never found. Phone numbers are
//! compared without their spaces, dashes and brackets, in each spelling `domain::family` gives;
//! names and emails without regard to (ASCII) case.

use crate::db::schema::{
    bookings as bk, cohort_team as ct, families as fa, session_visitors as sv, sessions as se,
    staff as st, users,
};
use crate::db::DbConnection;
use crate::store::{families::Family, Page};
use diesel::prelude::*;
use diesel::sql_types::Text;

diesel::define_sql_function!(fn lower(x: Text) -> Text);
diesel::define_sql_function!(fn upper(x: Text) -> Text);
diesel::define_sql_function!(fn replace(x: Text, from: Text, to: Text) -> Text);

/// The stored phone without spaces, dashes and brackets (as `domain::family::phone_spellings`).
macro_rules! compact_phone {
    () => {
        replace(
            replace(replace(replace(fa::phone, " ", ""), "-", ""), "(", ""),
            ")",
            "",
        )
    };
}

/// What a search looks in.
#[derive(Debug, Clone)]
pub enum Search {
    /// LIKE patterns over the compact phone (`domain::family::phone_search_patterns`).
    Phone(Vec<String>),
    /// Lower-case text found in a carer's name or an email address, or (without spaces, upper
    /// case) in a postcode.
    Text { lower: String, postcode: String },
}

/// `%text%` with LIKE's own characters escaped (`\` is the escape character).
fn containing(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

type Boxed = fa::BoxedQuery<'static, crate::db::MultiBackend>;

/// The families a search finds: (any of the ways it matches) and not erased.
fn matching(search: &Search) -> Boxed {
    let q = fa::table.into_boxed();
    let q = match search {
        Search::Phone(patterns) => {
            let mut q = q.filter(fa::id.eq(-1));
            for p in patterns {
                q = q.or_filter(compact_phone!().like(p.clone()));
            }
            q
        }
        Search::Text {
            lower: text,
            postcode,
        } => {
            let like = containing(text);
            let in_logins = users::table
                .filter(lower(users::email).like(like.clone()).escape('\\'))
                .select(users::id.nullable());
            let mut q = q
                .filter(lower(fa::carer_one).like(like.clone()).escape('\\'))
                .or_filter(lower(fa::carer_two).like(like.clone()).escape('\\'))
                .or_filter(lower(fa::email).like(like).escape('\\'))
                .or_filter(fa::user_id.eq_any(in_logins));
            if !postcode.is_empty() {
                q = q.or_filter(
                    replace(upper(fa::postcode), " ", "")
                        .like(containing(postcode))
                        .escape('\\'),
                );
            }
            q
        }
    };
    q.filter(fa::erased_at.is_null())
}

/// A page of the families found, by first carer's name, and how many there are in all.
pub fn search(
    conn: &mut DbConnection,
    search: &Search,
    limit: i64,
    offset: i64,
) -> QueryResult<Page<Family>> {
    let total = matching(search).count().get_result(conn)?;
    let items = matching(search)
        .order((lower(fa::carer_one), fa::id))
        .limit(limit)
        .offset(offset)
        .load(conn)?;
    Ok(Page { items, total })
}

/// Families (not erased, other than `except`) with this email address, as their own or as
/// their login's.
pub fn with_email(
    conn: &mut DbConnection,
    email: &str,
    except: Option<i32>,
) -> QueryResult<Vec<i32>> {
    let email = email.trim().to_lowercase();
    let logins = users::table
        .filter(users::email.eq(email.clone()))
        .select(users::id.nullable());
    fa::table
        .filter(lower(fa::email).eq(email))
        .or_filter(fa::user_id.eq_any(logins))
        .filter(fa::erased_at.is_null())
        .filter(fa::id.ne(except.unwrap_or(-1)))
        .select(fa::id)
        .order(fa::id)
        .load(conn)
}

/// Families (not erased, other than `except`) whose phone is one of these spellings
/// (`domain::family::phone_spellings`).
pub fn with_phone(
    conn: &mut DbConnection,
    spellings: &[String],
    except: Option<i32>,
) -> QueryResult<Vec<i32>> {
    fa::table
        .filter(compact_phone!().eq_any(spellings.to_vec()))
        .filter(fa::erased_at.is_null())
        .filter(fa::id.ne(except.unwrap_or(-1)))
        .select(fa::id)
        .order(fa::id)
        .load(conn)
}

/// Whether the user is the lead or a co-facilitator of a group the family has (or had) a
/// booking in, or came to as a one-off visitor.
pub fn facilitated_by(conn: &mut DbConnection, family_id: i32, user_id: i32) -> QueryResult<bool> {
    let cohorts = bk::table
        .filter(bk::family_id.eq(family_id))
        .select(bk::cohort_id);
    let visited = sv::table
        .inner_join(se::table)
        .filter(sv::family_id.eq(family_id))
        .select(se::cohort_id);
    diesel::select(diesel::dsl::exists(
        ct::table
            .inner_join(st::table.on(st::id.eq(ct::staff_id)))
            .filter(st::user_id.eq(user_id))
            .filter(st::active.eq(true))
            .filter(ct::role.eq_any(["lead", "co_facilitator"]))
            .filter(
                ct::cohort_id
                    .eq_any(cohorts)
                    .or(ct::cohort_id.eq_any(visited)),
            ),
    ))
    .get_result(conn)
}
