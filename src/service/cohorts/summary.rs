//! How a group is going, for its lead, co-facilitators and coordinators: attendance per
//! session, who has completed, open follow-ups and the outcome pairs recorded. Each family
//! listed is an audited read. The API answers with these shapes as they are.

use super::families::{team_access, TeamAccess};
use crate::domain::register::{completed, summarise_pairs, Mark};
use crate::domain::status::{BookingStatus, FollowUpStatus, SessionKind, SessionStatus};
use crate::service::schedule::zone;
use crate::service::{Actor, Audit, ServiceError, Services};
use crate::store;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionAttendance {
    pub session_id: i32,
    pub number: Option<i32>,
    pub kind: SessionKind,
    pub date: Option<NaiveDate>,
    /// `scheduled` or `cancelled`.
    pub status: SessionStatus,
    /// Started and not cancelled.
    pub held: bool,
    pub present: i64,
    pub late: i64,
    pub apologies: i64,
    pub absent: i64,
    pub unmarked: i64,
    /// One-off visitors: families who walked in when no place could be given (not in the
    /// counts above).
    pub visitors: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FamilyProgress {
    pub booking_id: i32,
    pub family_id: i32,
    pub carers_names: Vec<String>,
    /// `confirmed` or `withdrawn`.
    pub booking_status: BookingStatus,
    /// Booked on the register when the family walked in.
    pub walk_in: bool,
    /// Group sessions attended (present or late).
    pub attended: i64,
    pub apologies: i64,
    pub absent: i64,
    pub completed: bool,
    pub open_follow_up: bool,
}

/// One measure's bookings with both a pre and a post score, summarised.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutcomePairs {
    pub measure: String,
    pub pairs: usize,
    pub mean_pre: f64,
    pub mean_post: f64,
    pub mean_change: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CohortSummary {
    pub cohort_id: i32,
    pub title: String,
    /// Programme code.
    pub programme: String,
    /// Sessions attended to complete.
    pub completion_threshold: i32,
    pub sessions: Vec<SessionAttendance>,
    pub families: Vec<FamilyProgress>,
    pub completed: i64,
    /// Attendances of one-off visitors at sessions held, as the monitoring report counts them.
    pub visitor_attendances: i64,
    pub open_follow_ups: i64,
    /// Closed follow-ups by outcome.
    pub follow_up_outcomes: BTreeMap<String, i64>,
    pub outcome_pairs: Vec<OutcomePairs>,
}

/// A cohort's progress (its lead and co-facilitators; coordinators).
pub async fn cohort_summary(
    services: &Services,
    actor: Actor,
    id: i32,
) -> Result<CohortSummary, ServiceError> {
    services
        .write(actor, move |tx| {
            let c = &mut *tx.conn;
            let now = tx.now;
            if !matches!(
                team_access(c, id, tx.actor)?,
                TeamAccess::Coordinator | TeamAccess::Facilitator
            ) {
                return Err(ServiceError::not_found("cohort"));
            }
            let (cohort, programme, _) = store::cohorts::find_full(c, id)?
                .ok_or_else(|| ServiceError::not_found("cohort"))?;
            let tz = zone(&cohort);
            let sessions = store::cohorts::sessions_of(c, id)?;
            let session_ids: Vec<i32> = sessions.iter().map(|s| s.id).collect();
            let marks = store::registers::marks_of_sessions(c, &session_ids)?;
            let visitors = store::visitors::of_sessions(c, &session_ids)?;
            let mut bookings = store::bookings::of_cohort(c, id, BookingStatus::Confirmed)?;
            for left in [BookingStatus::Withdrawn, BookingStatus::Transferred] {
                bookings.extend(
                    store::bookings::of_cohort(c, id, left)?
                        .into_iter()
                        .filter(|b| marks.iter().any(|m| m.booking_id == b.id)),
                );
            }
            let follow_ups = store::summaries::follow_ups(c, id)?;
            let group_session = |sid: i32| {
                sessions
                    .iter()
                    .any(|s| s.id == sid && s.kind == SessionKind::Group)
            };
            let mut families = Vec::new();
            let mut reads = Vec::new();
            for b in &bookings {
                let f = store::families::find(c, b.family_id)?
                    .ok_or_else(|| ServiceError::not_found("family"))?;
                let count = |want: &[Mark]| {
                    marks
                        .iter()
                        .filter(|m| m.booking_id == b.id && group_session(m.session_id))
                        .filter(|m| want.contains(&m.status))
                        .count() as i64
                };
                let attended = count(&[Mark::Present, Mark::Late]);
                reads.push(Audit {
                    action: "family_read",
                    entity: "booking",
                    entity_id: Some(b.id),
                    family_id: Some(b.family_id),
                    detail: format!("cohort {id} summary"),
                });
                families.push(FamilyProgress {
                    booking_id: b.id,
                    family_id: b.family_id,
                    carers_names: [f.carer_one, f.carer_two]
                        .into_iter()
                        .filter(|n| !n.is_empty())
                        .collect(),
                    booking_status: b.status,
                    walk_in: b.walk_in,
                    attended,
                    apologies: count(&[Mark::Apologies]),
                    absent: count(&[Mark::Absent]),
                    completed: completed(attended as usize, programme.completion_threshold),
                    open_follow_up: follow_ups
                        .iter()
                        .any(|(bid, s, _)| *bid == b.id && *s == FollowUpStatus::Open),
                });
            }
            let expected = bookings.len() as i64;
            let per_session: Vec<SessionAttendance> = sessions
                .iter()
                .map(|s| {
                    let mut a = SessionAttendance {
                        session_id: s.id,
                        number: s.number,
                        kind: s.kind,
                        date: Some(s.starts_at.and_utc().with_timezone(&tz).date_naive()),
                        status: s.status,
                        held: !s.is_cancelled() && s.starts_at.and_utc() <= now,
                        present: 0,
                        late: 0,
                        apologies: 0,
                        absent: 0,
                        unmarked: 0,
                        visitors: visitors.iter().filter(|v| v.session_id == s.id).count() as i64,
                    };
                    for m in marks.iter().filter(|m| m.session_id == s.id) {
                        match m.status {
                            Mark::Present => a.present += 1,
                            Mark::Late => a.late += 1,
                            Mark::Apologies => a.apologies += 1,
                            Mark::Absent => a.absent += 1,
                        }
                    }
                    if a.held {
                        a.unmarked =
                            (expected - a.present - a.late - a.apologies - a.absent).max(0);
                    }
                    a
                })
                .collect();
            let visitor_attendances = per_session
                .iter()
                .filter(|s| s.held)
                .map(|s| s.visitors)
                .sum();
            let mut outcomes: BTreeMap<String, i64> = BTreeMap::new();
            for (_, _, o) in &follow_ups {
                if let Some(o) = o {
                    *outcomes.entry(o.clone()).or_default() += 1;
                }
            }
            let outcome_pairs = pairs(store::summaries::outcome_scores(c, id)?);
            for read in reads {
                tx.audit(read);
            }
            Ok(CohortSummary {
                cohort_id: id,
                title: cohort.title,
                programme: programme.code,
                completion_threshold: programme.completion_threshold,
                sessions: per_session,
                completed: families.iter().filter(|f| f.completed).count() as i64,
                visitor_attendances,
                open_follow_ups: follow_ups
                    .iter()
                    .filter(|(_, s, _)| *s == FollowUpStatus::Open)
                    .count() as i64,
                families,
                follow_up_outcomes: outcomes,
                outcome_pairs,
            })
        })
        .await
}

/// A booking's pre and post score of one measure, as far as recorded.
type PrePost = (Option<f64>, Option<f64>);

/// Per measure, the bookings with both a pre and a post score, summarised.
fn pairs(scores: Vec<(i32, String, String, f64)>) -> Vec<OutcomePairs> {
    let mut by: BTreeMap<String, BTreeMap<i32, PrePost>> = BTreeMap::new();
    for (booking, measure, phase, score) in scores {
        let e = by.entry(measure).or_default().entry(booking).or_default();
        if phase == "pre" {
            e.0 = Some(score);
        } else {
            e.1 = Some(score);
        }
    }
    by.into_iter()
        .filter_map(|(measure, b)| {
            let complete: Vec<(f64, f64)> = b
                .values()
                .filter_map(|(pre, post)| Some(((*pre)?, (*post)?)))
                .collect();
            summarise_pairs(&complete).map(|s| OutcomePairs {
                measure,
                pairs: s.pairs,
                mean_pre: s.mean_pre,
                mean_post: s.mean_post,
                mean_change: s.mean_change,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::pairs;

    #[test]
    fn only_bookings_with_both_scores_make_a_pair() {
        let scores = vec![
            (1, "wemwbs".to_string(), "pre".to_string(), 40.0),
            (1, "wemwbs".to_string(), "post".to_string(), 50.0),
            (2, "wemwbs".to_string(), "pre".to_string(), 30.0),
            (3, "other".to_string(), "post".to_string(), 10.0),
        ];
        let found = pairs(scores);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].measure, "wemwbs");
        assert_eq!(found[0].pairs, 1);
        assert_eq!(found[0].mean_change, 10.0);
    }
}
