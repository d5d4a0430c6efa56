//! `GET /cohorts/{id}/summary`: how a group is going, for its facilitators and coordinators —
//! attendance per session, who has completed, open follow-ups and the outcome pairs recorded.

use crate::api::access::{Require, Staff};
use crate::api::cohorts::families::{team_access, TeamAccess};
use crate::api::cohorts::view::zone;
use crate::api::docs::{E401, E403, E404, E503};
use crate::app::AppState;
use crate::domain::register::{completed, summarise_pairs, Mark};
use crate::error::ApiError;
use crate::store;
use actix_web::{get, web, HttpResponse};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema, Default)]
pub struct SessionAttendance {
    pub session_id: i32,
    pub number: Option<i32>,
    pub kind: String,
    pub date: Option<NaiveDate>,
    /// `scheduled` or `cancelled`.
    pub status: String,
    /// Started and not cancelled.
    pub held: bool,
    pub present: i64,
    pub late: i64,
    pub apologies: i64,
    pub absent: i64,
    pub unmarked: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FamilyProgress {
    pub booking_id: i32,
    pub family_id: i32,
    pub carers_names: Vec<String>,
    /// `confirmed` or `withdrawn`.
    pub booking_status: String,
    /// Group sessions attended (present or late).
    pub attended: i64,
    pub apologies: i64,
    pub absent: i64,
    pub completed: bool,
    pub open_follow_up: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomePairs {
    pub measure: String,
    pub pairs: usize,
    pub mean_pre: f64,
    pub mean_post: f64,
    pub mean_change: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CohortSummary {
    pub cohort_id: i32,
    pub title: String,
    pub programme: String,
    /// Sessions attended to complete.
    pub completion_threshold: i32,
    pub sessions: Vec<SessionAttendance>,
    pub families: Vec<FamilyProgress>,
    pub completed: i64,
    pub open_follow_ups: i64,
    /// Closed follow-ups by outcome.
    pub follow_up_outcomes: BTreeMap<String, i64>,
    pub outcome_pairs: Vec<OutcomePairs>,
}

/// A cohort's progress (its lead and co-facilitators; coordinators). Each family listed is an
/// audited read.
#[utoipa::path(
    tag = "registers",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Cohort id")),
    responses((status = 200, description = "The cohort's progress", body = CohortSummary), E401, E403, E404, E503)
)]
#[get("/cohorts/{id}/summary")]
pub async fn cohort_summary(
    state: web::Data<AppState>,
    who: Require<Staff>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let (id, user, now) = (id.into_inner(), who.user, state.now());
    let out = state
        .db(move |c| {
            if !matches!(
                team_access(c, id, &user)?,
                TeamAccess::Coordinator | TeamAccess::Facilitator
            ) {
                return Err(ApiError::not_found("cohort"));
            }
            let (cohort, programme, _) =
                store::cohorts::find_full(c, id)?.ok_or_else(|| ApiError::not_found("cohort"))?;
            let tz = zone(&cohort);
            let sessions = store::cohorts::sessions_of(c, id)?;
            let session_ids: Vec<i32> = sessions.iter().map(|s| s.id).collect();
            let marks = store::registers::marks_of_sessions(c, &session_ids)?;
            let mut bookings = store::bookings::of_cohort(c, id, "confirmed")?;
            bookings.extend(
                store::bookings::of_cohort(c, id, "withdrawn")?
                    .into_iter()
                    .filter(|b| marks.iter().any(|m| m.booking_id == b.id)),
            );
            let follow_ups = store::summaries::follow_ups(c, id)?;
            let group_session =
                |sid: i32| sessions.iter().any(|s| s.id == sid && s.kind == "group");
            let mut families = Vec::new();
            for b in &bookings {
                let f = store::families::find(c, b.family_id)?
                    .ok_or_else(|| ApiError::not_found("family"))?;
                let count = |want: &[Mark]| {
                    marks
                        .iter()
                        .filter(|m| m.booking_id == b.id && group_session(m.session_id))
                        .filter(|m| Mark::parse(&m.status).is_some_and(|k| want.contains(&k)))
                        .count() as i64
                };
                let attended = count(&[Mark::Present, Mark::Late]);
                store::audit::record(
                    c,
                    store::audit::Event {
                        at: now.naive_utc(),
                        actor_user_id: Some(user.user_id),
                        action: "family_read",
                        entity: "booking",
                        entity_id: Some(b.id),
                        family_id: Some(b.family_id),
                        detail: format!("cohort {id} summary"),
                    },
                )?;
                families.push(FamilyProgress {
                    booking_id: b.id,
                    family_id: b.family_id,
                    carers_names: [f.carer_one, f.carer_two]
                        .into_iter()
                        .filter(|n| !n.is_empty())
                        .collect(),
                    booking_status: b.status.clone(),
                    attended,
                    apologies: count(&[Mark::Apologies]),
                    absent: count(&[Mark::Absent]),
                    completed: completed(attended as usize, programme.completion_threshold),
                    open_follow_up: follow_ups
                        .iter()
                        .any(|(bid, s, _)| *bid == b.id && s == "open"),
                });
            }
            let expected = bookings.len() as i64;
            let per_session = sessions
                .iter()
                .map(|s| {
                    let mut a = SessionAttendance {
                        session_id: s.id,
                        number: s.number,
                        kind: s.kind.clone(),
                        date: Some(s.starts_at.and_utc().with_timezone(&tz).date_naive()),
                        status: s.status.clone(),
                        held: !s.is_cancelled() && s.starts_at.and_utc() <= now,
                        ..Default::default()
                    };
                    for m in marks.iter().filter(|m| m.session_id == s.id) {
                        match Mark::parse(&m.status) {
                            Some(Mark::Present) => a.present += 1,
                            Some(Mark::Late) => a.late += 1,
                            Some(Mark::Apologies) => a.apologies += 1,
                            Some(Mark::Absent) => a.absent += 1,
                            None => {}
                        }
                    }
                    if a.held {
                        a.unmarked =
                            (expected - a.present - a.late - a.apologies - a.absent).max(0);
                    }
                    a
                })
                .collect();
            let mut outcomes: BTreeMap<String, i64> = BTreeMap::new();
            for (_, _, o) in &follow_ups {
                if let Some(o) = o {
                    *outcomes.entry(o.clone()).or_default() += 1;
                }
            }
            Ok(CohortSummary {
                cohort_id: id,
                title: cohort.title,
                programme: programme.code,
                completion_threshold: programme.completion_threshold,
                sessions: per_session,
                completed: families.iter().filter(|f| f.completed).count() as i64,
                open_follow_ups: follow_ups.iter().filter(|(_, s, _)| s == "open").count() as i64,
                families,
                follow_up_outcomes: outcomes,
                outcome_pairs: pairs(store::summaries::outcome_scores(c, id)?),
            })
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(out))
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
