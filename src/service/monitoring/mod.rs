//! Monitoring: the figures funders ask for (the summary report over a date range, worked out by
//! `domain::report` from one consistent snapshot of the records, `store::reports::facts`), and
//! the audit trail's record of refused attempts on family data ([`audit`]).

pub mod audit;

use crate::domain::report::columns::{sheet, Sheet};
use crate::domain::report::{self, GroupBy};
use crate::service::{ServiceError, Services};
use crate::store;
use chrono::{NaiveDate, SubsecRound};

/// The summary report's rows for cohorts starting in `from..=to`, grouped `by`, as a sheet:
/// exact, or (`shared`) safe to share outside the council (`Sheet::suppressed`).
pub async fn summary(
    services: &Services,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    by: Option<GroupBy>,
    shared: bool,
) -> Result<Sheet, ServiceError> {
    services
        .read(move |c, now| {
            let facts = store::reports::facts(c, from, to, now.naive_utc().trunc_subsecs(6))?;
            let exact = sheet(&report::build(&facts, by));
            Ok(match shared {
                true => exact.suppressed(by.is_some_and(GroupBy::by_family)),
                false => exact,
            })
        })
        .await
}
