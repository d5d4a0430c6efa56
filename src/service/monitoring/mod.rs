//! Monitoring: the figures funders ask for (the summary report over a date range, worked out by
//! `domain::report` from one consistent snapshot of the records, `store::reports::facts`), and
//! the audit trail's record of refused attempts on family data ([`audit`]).

pub mod audit;

use crate::domain::report::columns::{sheet, Sheet};
use crate::domain::report::{self, disclosure, GroupBy};
use crate::service::{ServiceError, Services};
use crate::store;
use crate::store::reports::Extra;
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
            let extra = Extra {
                answers: by.is_some_and(GroupBy::reads_answers),
                session_marks: false,
            };
            let now = now.naive_utc().trunc_subsecs(6);
            let facts = store::reports::facts(c, from, to, now, extra)?;
            let exact = sheet(&report::build(&facts, by));
            Ok(match shared {
                true => exact.suppressed(by.is_some_and(GroupBy::by_family)),
                false => exact,
            })
        })
        .await
}

/// Everything the printable report shows, from one snapshot: the totals, the rows by ward
/// (reach) and by programme (completion), and attendance week by week. `shared`: safe to share
/// (each sheet suppressed; a week's rate hidden when its marks attended or missed are 1 to 4).
#[derive(Debug, Clone)]
pub struct SummaryPage {
    pub overall: Sheet,
    pub wards: Sheet,
    pub programmes: Sheet,
    /// (Monday, share of marks attended; `None` when hidden)
    pub weeks: Vec<(NaiveDate, Option<f64>)>,
    pub shared: bool,
}

pub async fn summary_page(
    services: &Services,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    shared: bool,
) -> Result<SummaryPage, ServiceError> {
    services
        .read(move |c, now| {
            let extra = Extra {
                answers: false,
                session_marks: true,
            };
            let now = now.naive_utc().trunc_subsecs(6);
            let facts = store::reports::facts(c, from, to, now, extra)?;
            let sheet_of = |by: Option<GroupBy>| {
                let exact = sheet(&report::build(&facts, by));
                match shared {
                    true => exact.suppressed(by.is_some_and(GroupBy::by_family)),
                    false => exact,
                }
            };
            let small = |n: i64| shared && (1..disclosure::THRESHOLD).contains(&n);
            let weeks = report::attendance_by_week(&facts)
                .into_iter()
                .map(|w| {
                    let hidden = small(w.attended) || small(w.recorded - w.attended);
                    let rate =
                        (w.recorded > 0 && !hidden).then(|| w.attended as f64 / w.recorded as f64);
                    (w.monday, rate)
                })
                .collect();
            Ok(SummaryPage {
                overall: sheet_of(None),
                wards: sheet_of(Some(GroupBy::Ward)),
                programmes: sheet_of(Some(GroupBy::Programme)),
                weeks,
                shared,
            })
        })
        .await
}
