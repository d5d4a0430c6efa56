//! Resolving a closure added after groups were planned: every session still to come on its
//! dates (at its venue, or at every venue) is moved to the end of its group or cancelled, cohort
//! by cohort. A move goes to the next open week after the group's last session at the same local
//! time (skipping closures and bank holidays again, DST-correct; a meeting before or after the
//! group, the only one of its kind, moves on a week), and is then checked like any
//! move of a session (`cohorts::rechecks`: the team, the crèche on the new dates); a cohort whose
//! move breaks a rule is left as it was, the rule named, and the others go ahead. All of it is
//! one transaction, each cohort in a savepoint; a dry run is the same run, rolled back.

use crate::domain::status::SessionKind;
use crate::service::cohorts::rechecks::{self, Breach};
use crate::service::cohorts::sessions::{cancel_one, end_of_course, move_one};
use crate::service::schedule::zone;
use crate::service::{Actor, Audit, ServiceError, Services, Tx};
use crate::store::{self, closures::Closure, cohorts::Cohort, cohorts::Session};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use std::collections::BTreeMap;

/// What happens to a cohort's sessions on the closed dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Each to the end of its group (the default).
    Move,
    Cancel,
}

/// Apply a closure (coordinator).
#[derive(Debug, Clone)]
pub struct ApplyClosure {
    pub closure_id: i32,
    /// For every cohort not named in `per_cohort`.
    pub resolution: Resolution,
    pub per_cohort: BTreeMap<i32, Resolution>,
    /// Told to families of cancelled sessions (default: the closure's reason).
    pub reason: Option<String>,
    /// Answer what would change, and change nothing.
    pub dry_run: bool,
    /// Groups a supervisor may support in one term (configuration).
    pub supervisor_limit: usize,
}

/// One session the closure hit, and where it goes (None: cancelled, or not placed).
#[derive(Debug, Clone)]
pub struct SessionResolved {
    pub session_id: i32,
    pub kind: SessionKind,
    pub starts_at: DateTime<Utc>,
    pub new_starts_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Moved,
    Cancelled,
    /// Left as it was: the move breaks these rules.
    Refused(Vec<Breach>),
}

/// What happened (or, refused, what was tried) to one cohort's sessions.
#[derive(Debug, Clone)]
pub struct CohortResolved {
    pub cohort_id: i32,
    pub title: String,
    pub timezone: Tz,
    pub outcome: Outcome,
    pub sessions: Vec<SessionResolved>,
}

/// The closure after the apply, and each cohort's outcome (none: nothing left to resolve).
#[derive(Debug, Clone)]
pub struct ClosureResolved {
    pub closure: Closure,
    pub dry_run: bool,
    pub cohorts: Vec<CohortResolved>,
}

/// Moves or cancels the sessions a closure hit; with `dry_run`, only says what that would do.
pub async fn apply_closure(
    services: &Services,
    actor: Actor,
    cmd: ApplyClosure,
) -> Result<ClosureResolved, ServiceError> {
    services
        .write(actor, move |tx| {
            if cmd.dry_run {
                tx.savepoint(|tx| resolve(tx, &cmd), |_| false)
            } else {
                resolve(tx, &cmd)
            }
        })
        .await
}

/// The apply itself; `add_closure` runs it too (rolled back) for the plan it proposes.
pub(super) fn resolve(tx: &mut Tx, cmd: &ApplyClosure) -> Result<ClosureResolved, ServiceError> {
    store::closures::lock(tx.conn, cmd.closure_id)?;
    let closure = store::closures::find(tx.conn, cmd.closure_id)?
        .ok_or_else(|| ServiceError::not_found("closure"))?;
    for id in cmd.per_cohort.keys() {
        if store::cohorts::find(tx.conn, *id)?.is_none() {
            return Err(ServiceError::field("cohorts", format!("no cohort {id}")));
        }
    }
    let reason = cmd
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .unwrap_or(&closure.reason)
        .to_string();
    let mut cohorts = Vec::new();
    for (cohort, hit) in hit_sessions(tx, &closure)? {
        let resolution = cmd
            .per_cohort
            .get(&cohort.id)
            .copied()
            .unwrap_or(cmd.resolution);
        let done = tx.savepoint(
            |tx| resolve_cohort(tx, &cohort, &hit, resolution, &reason, cmd.supervisor_limit),
            |done| !matches!(done.outcome, Outcome::Refused(_)),
        )?;
        cohorts.push(done);
    }
    if cohorts.is_empty() {
        return Ok(ClosureResolved {
            closure,
            dry_run: cmd.dry_run,
            cohorts,
        });
    }
    if cohorts
        .iter()
        .any(|c| !matches!(c.outcome, Outcome::Refused(_)))
    {
        store::closures::mark_applied(tx.conn, closure.id, tx.now_naive())?;
        tx.listing_changed();
    }
    tx.audit(Audit {
        action: "closure_applied",
        entity: "closure",
        entity_id: Some(closure.id),
        family_id: None,
        detail: summary(&cohorts),
    });
    let closure = store::closures::find(tx.conn, closure.id)?
        .ok_or_else(|| ServiceError::not_found("closure"))?;
    Ok(ClosureResolved {
        closure,
        dry_run: cmd.dry_run,
        cohorts,
    })
}

/// Sessions still to come on the closure's local dates, of live cohorts at its venue (or every
/// venue), by cohort in the order of their first hit session.
fn hit_sessions(
    tx: &mut Tx,
    closure: &Closure,
) -> Result<Vec<(Cohort, Vec<Session>)>, ServiceError> {
    // The store compares UTC dates; a day either side, then each session's own local date.
    let from = closure.from_date.pred_opt().unwrap_or(closure.from_date);
    let to = closure.to_date.succ_opt().unwrap_or(closure.to_date);
    let now = tx.now.naive_utc();
    let mut by_cohort: Vec<(Cohort, Vec<Session>)> = Vec::new();
    for s in store::cohorts::sessions_on_dates(tx.conn, closure.venue_id, from, to)? {
        if s.starts_at <= now {
            continue;
        }
        let i = match by_cohort.iter().position(|(c, _)| c.id == s.cohort_id) {
            Some(i) => i,
            None => {
                let cohort = store::cohorts::find(tx.conn, s.cohort_id)?
                    .ok_or_else(|| ServiceError::not_found("cohort"))?;
                by_cohort.push((cohort, Vec::new()));
                by_cohort.len() - 1
            }
        };
        let local: NaiveDate = s
            .starts_at
            .and_utc()
            .with_timezone(&zone(&by_cohort[i].0))
            .date_naive();
        if (closure.from_date..=closure.to_date).contains(&local) {
            by_cohort[i].1.push(s);
        }
    }
    by_cohort.retain(|(_, hit)| !hit.is_empty());
    Ok(by_cohort)
}

/// One cohort's hit sessions moved or cancelled, in its own savepoint (kept unless refused).
fn resolve_cohort(
    tx: &mut Tx,
    cohort: &Cohort,
    hit: &[Session],
    resolution: Resolution,
    reason: &str,
    supervisor_limit: usize,
) -> Result<CohortResolved, ServiceError> {
    // Bookings wait, so a crèche place cannot be taken between the move and its check.
    store::bookings::lock_cohort(tx.conn, cohort.id)?;
    let tz = zone(cohort);
    let mut sessions = Vec::new();
    let mut breaches = Vec::new();
    let mut new_dates = Vec::new();
    for s in hit {
        let was = s.starts_at.and_utc();
        let new_starts_at = match resolution {
            Resolution::Cancel => {
                cancel_one(tx, cohort, s, Some(reason))?;
                None
            }
            // In time order, each after the group's last session as it now stands.
            Resolution::Move => {
                let time = was.with_timezone(&tz).time();
                match end_of_course(tx.conn, cohort, s.kind, time)? {
                    Ok(starts) => {
                        move_one(tx, cohort, s, starts)?;
                        new_dates.push(starts.with_timezone(&tz).date_naive());
                        Some(starts)
                    }
                    Err(e) => {
                        breaches.push(Breach {
                            rule: "schedule".into(),
                            detail: format!("session {}: {e}", s.id),
                        });
                        None
                    }
                }
            }
        };
        sessions.push(SessionResolved {
            session_id: s.id,
            kind: s.kind,
            starts_at: was,
            new_starts_at,
        });
    }
    store::cohorts::renumber(tx.conn, cohort.id)?;
    let outcome = match resolution {
        Resolution::Cancel => Outcome::Cancelled,
        Resolution::Move => {
            breaches.extend(rechecks::after_schedule_change(
                tx.conn,
                cohort,
                &new_dates,
                supervisor_limit,
            )?);
            if breaches.is_empty() {
                Outcome::Moved
            } else {
                Outcome::Refused(breaches)
            }
        }
    };
    Ok(CohortResolved {
        cohort_id: cohort.id,
        title: cohort.title.clone(),
        timezone: tz,
        outcome,
        sessions,
    })
}

/// For the audit trail: ids and rule codes only.
fn summary(cohorts: &[CohortResolved]) -> String {
    cohorts
        .iter()
        .map(|c| {
            let ids = c
                .sessions
                .iter()
                .map(|s| s.session_id.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            let what = match &c.outcome {
                Outcome::Moved => "moved".to_string(),
                Outcome::Cancelled => "cancelled".to_string(),
                Outcome::Refused(b) => format!(
                    "refused ({})",
                    b.iter()
                        .map(|b| b.rule.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            format!("cohort {}: sessions {ids} {what}", c.cohort_id)
        })
        .collect::<Vec<_>>()
        .join("; ")
}
