//! Families and their records: a parent's own profile, children and calendar link; the subject
//! access export and erasure (a parent's own request, an admin's, or the retention job's).
//!
//! A parent only ever reaches their own family, found through their login: any other id answers
//! "not found". Every change is recorded in the audit trail by field name, never by value.

pub mod calendar;
pub mod care;
pub mod children;
pub mod enrolment;
pub mod erasure;
pub mod export;
pub mod lookup;
pub mod profile;

use crate::db::DbConnection;
use crate::service::{Actor, ServiceError};
use crate::store::{self, families::Family};

/// The acting parent's family; an erased family is gone for them (erasure also unlinks it from
/// the login, so this only matters for data erased some other way).
pub(crate) fn own_family(c: &mut DbConnection, actor: Actor) -> Result<Family, ServiceError> {
    let Some(user) = actor.user_id() else {
        return Err(ServiceError::not_found("family"));
    };
    store::families::of_user(c, user)?
        .filter(|f| f.erased_at.is_none())
        .ok_or_else(|| ServiceError::not_found("family"))
}

/// "changed: a, b" naming the fields that differ, or "no change": for the audit trail, which
/// holds field names and never their values.
pub(crate) fn changed(fields: &[(&str, bool)]) -> String {
    let names: Vec<&str> = fields
        .iter()
        .filter_map(|(name, differs)| differs.then_some(*name))
        .collect();
    if names.is_empty() {
        "no change".into()
    } else {
        format!("changed: {}", names.join(", "))
    }
}
