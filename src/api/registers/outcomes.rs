//! Outcome measures: the questionnaire scores a family gives before (`pre`) and after (`post`) a
//! group, kept by the cohort's lead and co-facilitators, or a coordinator. One pre and one post
//! per measure per booking; a mistake is corrected with PATCH. Crèche workers, supervisors and
//! other cohorts' facilitators get 404, as for a booking that does not exist. Every read and
//! every change is audited with the family.

use crate::api::access::{Require, Staff};
use crate::api::cohorts::families::{team_access, TeamAccess};
use crate::api::docs::{E400, E401, E403, E404, E409, E413, E415, E422, E503};
use crate::api::json::ApiJson;
use crate::app::AppState;
use crate::auth::tokens::TokenSubject;
use crate::db::{write_transaction, DbConnection};
use crate::error::{ApiError, FieldErrors};
use crate::store::outcomes::{NewOutcome, Outcome, Recorded};
use crate::store::{self, bookings::Booking, programmes::Programme};
use actix_web::{get, http::header, patch, post, web, HttpResponse};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The largest score either side of zero; real questionnaire totals are far smaller.
const MAX_SCORE: f64 = 1_000_000.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OutcomePhase {
    /// Before the group (usually at or before the first session).
    Pre,
    /// After the group.
    Post,
}

impl OutcomePhase {
    fn as_str(self) -> &'static str {
        match self {
            OutcomePhase::Pre => "pre",
            OutcomePhase::Post => "post",
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeBody {
    /// One of the measures of the booking's programme (its `outcome_measures`).
    #[schema(example = "Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS)")]
    pub measure: String,
    pub phase: OutcomePhase,
    /// The score, a number from -1,000,000 to 1,000,000.
    #[schema(example = 42, minimum = -1_000_000, maximum = 1_000_000)]
    pub score: f64,
    /// The day the questionnaire was filled in: not after today (in the group's time zone),
    /// not before 2000.
    pub recorded_on: NaiveDate,
}

/// A correction: the score and/or the date. Measure and phase cannot change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomePatch {
    pub score: Option<f64>,
    pub recorded_on: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeOut {
    pub id: i32,
    pub booking_id: i32,
    pub measure: String,
    pub phase: OutcomePhase,
    pub score: f64,
    pub recorded_on: NaiveDate,
    /// The user who recorded it.
    pub recorded_by: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A measure's scores side by side; `change` is post − pre when both are recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomePair {
    pub measure: String,
    pub pre: Option<f64>,
    pub post: Option<f64>,
    pub change: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeList {
    /// By measure, `pre` before `post`.
    pub items: Vec<OutcomeOut>,
    pub total: i64,
    /// One per measure recorded, in the same order.
    pub pairs: Vec<OutcomePair>,
}

fn outcome_out(o: Outcome) -> OutcomeOut {
    let phase = if o.phase == "post" {
        OutcomePhase::Post
    } else {
        OutcomePhase::Pre
    };
    OutcomeOut {
        id: o.id,
        booking_id: o.booking_id,
        measure: o.measure,
        phase,
        score: o.score,
        recorded_on: o.recorded_on,
        recorded_by: o.recorded_by,
        created_at: crate::api::utc(o.created_at),
        updated_at: crate::api::utc(o.updated_at),
    }
}

/// A booking whose outcome measures the caller may keep, with what the checks and the audit
/// trail need: its programme, today in the group's time zone, who is asking and when.
struct Reached {
    booking: Booking,
    programme: Programme,
    today: NaiveDate,
    access: TeamAccess,
    actor: i32,
    at: NaiveDateTime,
}

/// The booking, when the caller is a coordinator or runs its cohort; otherwise 404, as if
/// there were no such booking.
fn reach(
    c: &mut DbConnection,
    booking_id: i32,
    who: TokenSubject,
    now: DateTime<Utc>,
) -> Result<Reached, ApiError> {
    let missing = || ApiError::not_found("booking");
    let booking = store::bookings::find(c, booking_id)?.ok_or_else(missing)?;
    let access = match team_access(c, booking.cohort_id, &who) {
        Ok(TeamAccess::CrecheWorker) | Err(ApiError::NotFound(_)) => return Err(missing()),
        other => other?,
    };
    let (cohort, programme, _) =
        store::cohorts::find_full(c, booking.cohort_id)?.ok_or_else(missing)?;
    let zone = crate::api::cohorts::view::zone(&cohort);
    Ok(Reached {
        booking,
        programme,
        today: now.with_timezone(&zone).date_naive(),
        access,
        actor: who.user_id,
        at: now.naive_utc().trunc_subsecs(6),
    })
}

impl Reached {
    /// Checks a score and its date, and (for a new record) the measure; returns the measure in
    /// the programme's own spelling (matched ignoring case and outer spaces).
    fn check(&self, measure: Option<&str>, score: f64, on: NaiveDate) -> Result<String, ApiError> {
        let mut errors = FieldErrors::new();
        let mut fail = |field: &str, message: String| {
            errors.entry(field.to_string()).or_default().push(message)
        };
        let (measures, name) = (self.programme.measures(), &self.programme.name);
        let found = measure.and_then(|given| {
            let given = given.trim();
            measures
                .iter()
                .find(|m| m.eq_ignore_ascii_case(given))
                .cloned()
        });
        if measure.is_some() && found.is_none() {
            fail(
                "measure",
                match measures.is_empty() {
                    true => format!("{name} has no outcome measures set up yet"),
                    false => format!(
                        "must be one of the measures {name} uses: {}",
                        measures.join("; ")
                    ),
                },
            );
        }
        if !score.is_finite() || score.abs() > MAX_SCORE {
            fail(
                "score",
                "must be a number from -1,000,000 to 1,000,000".into(),
            );
        }
        if on > self.today {
            fail(
                "recorded_on",
                format!("must not be in the future (today is {})", self.today),
            );
        } else if on.year() < 2000 {
            fail("recorded_on", "must not be before 2000".into());
        }
        ApiError::check_fields(errors)?;
        Ok(found.unwrap_or_default())
    }

    /// Writes one audit row about the family: `entity` is what was read or changed.
    fn audit(
        &self,
        c: &mut DbConnection,
        action: &str,
        (entity, id): (&str, i32),
        detail: String,
    ) -> Result<(), ApiError> {
        let event = store::audit::Event {
            at: self.at,
            actor_user_id: Some(self.actor),
            action,
            entity,
            entity_id: Some(id),
            family_id: Some(self.booking.family_id),
            detail: format!("{detail}, as {:?}", self.access),
        };
        Ok(store::audit::record(c, event)?)
    }
}

/// Record a pre or post score (the cohort's lead or co-facilitators, or a coordinator). The
/// booking must be confirmed or withdrawn (a family who left keeps its pre score); a waitlisted
/// or cancelled booking is 409. A second score for the same measure and phase is 409 naming the
/// first one's URL: correct it with PATCH.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Booking id")),
    request_body = OutcomeBody,
    responses(
        (status = 201, description = "Recorded", body = OutcomeOut,
         headers(("Location" = String, description = "/api/v1/bookings/{id}/outcomes/{outcome_id}")),
         links(("GetOutcome" = (operation_id = "get_outcome", parameters(("id" = "$request.path.id"), ("outcome_id" = "$response.body#/id")), description = "The score just recorded")), ("CorrectOutcome" = (operation_id = "correct_outcome", parameters(("id" = "$request.path.id"), ("outcome_id" = "$response.body#/id")), description = "Correct it")))),
        E400, E401, E403, E404, E409, E413, E415, E422, E503,
    )
)]
#[post("/bookings/{id}/outcomes")]
pub async fn record_outcome(
    state: web::Data<AppState>,
    who: Require<Staff>,
    id: web::Path<i32>,
    body: ApiJson<OutcomeBody>,
) -> Result<HttpResponse, ApiError> {
    let (booking_id, b, user, now) = (id.into_inner(), body.into_inner(), who.user, state.now());
    let out = state
        .db(move |c| {
            write_transaction(c, |c| {
                let r = reach(c, booking_id, user, now)?;
                record(c, r, b)
            })
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location(out.booking_id, out.id)))
        .json(out))
}

fn location(booking_id: i32, id: i32) -> String {
    format!("/api/v1/bookings/{booking_id}/outcomes/{id}")
}

fn record(c: &mut DbConnection, r: Reached, b: OutcomeBody) -> Result<OutcomeOut, ApiError> {
    let measure = r.check(Some(&b.measure), b.score, b.recorded_on)?;
    let status = r.booking.status.as_str();
    if !matches!(status, "confirmed" | "withdrawn") {
        return Err(ApiError::Conflict(format!(
            "this booking is {status}: scores are kept for families who have or had a place"
        )));
    }
    let (booking_id, phase) = (r.booking.id, b.phase.as_str());
    let new = NewOutcome {
        booking_id,
        measure: &measure,
        phase,
        score: b.score,
        recorded_on: b.recorded_on,
        recorded_by: r.actor,
    };
    let o = match store::outcomes::insert(c, &new, r.at)? {
        Recorded::New(o) => outcome_out(o),
        Recorded::Duplicate(first) => {
            let url = first.map(|id| format!(" at {}", location(booking_id, id)));
            return Err(ApiError::Conflict(format!(
                "a {phase} score for {measure} is already recorded for this booking{}; \
                 correct it with PATCH",
                url.unwrap_or_default()
            )));
        }
    };
    let detail = format!("booking {booking_id}: {measure}, {phase}");
    r.audit(c, "outcome_recorded", ("outcome_measure", o.id), detail)?;
    Ok(o)
}

/// A booking's outcome measures with each measure's change from pre to post (the cohort's lead
/// or co-facilitators, or a coordinator). The read is audited.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Booking id")),
    responses((status = 200, description = "The booking's scores", body = OutcomeList), E401, E403, E404, E503)
)]
#[get("/bookings/{id}/outcomes")]
pub async fn booking_outcomes(
    state: web::Data<AppState>,
    who: Require<Staff>,
    id: web::Path<i32>,
) -> Result<web::Json<OutcomeList>, ApiError> {
    let (booking_id, user, now) = (id.into_inner(), who.user, state.now());
    let items: Vec<OutcomeOut> = state
        .db(move |c| {
            let r = reach(c, booking_id, user, now)?;
            r.audit(
                c,
                "family_read",
                ("booking", booking_id),
                "outcome measures".into(),
            )?;
            let rows = store::outcomes::of_booking(c, booking_id)?;
            Ok(rows.into_iter().map(outcome_out).collect())
        })
        .await?;
    Ok(web::Json(OutcomeList {
        total: items.len() as i64,
        pairs: pairs(&items),
        items,
    }))
}

/// One score (who may record it): the `Location` of a new record. The read is audited.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(
        ("id" = i32, Path, description = "Booking id"),
        ("outcome_id" = i32, Path, description = "Outcome measure id"),
    ),
    responses((status = 200, description = "The score", body = OutcomeOut), E401, E403, E404, E503)
)]
#[get("/bookings/{id}/outcomes/{outcome_id}")]
pub async fn get_outcome(
    state: web::Data<AppState>,
    who: Require<Staff>,
    ids: web::Path<(i32, i32)>,
) -> Result<web::Json<OutcomeOut>, ApiError> {
    let ((booking_id, outcome_id), user, now) = (ids.into_inner(), who.user, state.now());
    let out = state
        .db(move |c| {
            let r = reach(c, booking_id, user, now)?;
            let o = store::outcomes::find(c, booking_id, outcome_id)?
                .ok_or_else(|| ApiError::not_found("outcome measure"))?;
            let detail = format!("outcome measure {outcome_id}");
            r.audit(c, "family_read", ("booking", booking_id), detail)?;
            Ok(outcome_out(o))
        })
        .await?;
    Ok(web::Json(out))
}

/// Side by side per measure; `items` come sorted by measure.
fn pairs(items: &[OutcomeOut]) -> Vec<OutcomePair> {
    let mut out: Vec<OutcomePair> = Vec::new();
    for o in items {
        if out.last().is_none_or(|p| p.measure != o.measure) {
            out.push(OutcomePair {
                measure: o.measure.clone(),
                pre: None,
                post: None,
                change: None,
            });
        }
        if let Some(p) = out.last_mut() {
            match o.phase {
                OutcomePhase::Pre => p.pre = Some(o.score),
                OutcomePhase::Post => p.post = Some(o.score),
            }
        }
    }
    for p in &mut out {
        // Rounded to a millionth so that 3.3 − 3.1 reads 0.2, not 0.19999999999999973.
        p.change = p
            .pre
            .zip(p.post)
            .map(|(pre, post)| ((post - pre) * 1e6).round() / 1e6);
    }
    out
}

/// Correct a score and/or the day it was recorded (who may record it). Measure and phase
/// cannot change: a score under the wrong measure is a new record.
#[utoipa::path(
    tag = "bookings",
    security(("bearer" = [])),
    params(
        ("id" = i32, Path, description = "Booking id"),
        ("outcome_id" = i32, Path, description = "Outcome measure id"),
    ),
    request_body = OutcomePatch,
    responses((status = 200, description = "Corrected", body = OutcomeOut), E400, E401, E403, E404, E413, E415, E422, E503)
)]
#[patch("/bookings/{id}/outcomes/{outcome_id}")]
pub async fn correct_outcome(
    state: web::Data<AppState>,
    who: Require<Staff>,
    ids: web::Path<(i32, i32)>,
    body: ApiJson<OutcomePatch>,
) -> Result<web::Json<OutcomeOut>, ApiError> {
    let ((booking_id, outcome_id), p, user, now) =
        (ids.into_inner(), body.into_inner(), who.user, state.now());
    let out = state
        .db(move |c| {
            write_transaction(c, |c| {
                let r = reach(c, booking_id, user, now)?;
                correct(c, r, outcome_id, p)
            })
        })
        .await?;
    Ok(web::Json(out))
}

fn correct(
    c: &mut DbConnection,
    r: Reached,
    outcome_id: i32,
    p: OutcomePatch,
) -> Result<OutcomeOut, ApiError> {
    let o = store::outcomes::find(c, r.booking.id, outcome_id)?
        .ok_or_else(|| ApiError::not_found("outcome measure"))?;
    let (score, on, what) = match (p.score, p.recorded_on) {
        (None, None) => return Err(ApiError::field("body", "send score and/or recorded_on")),
        (Some(score), None) => (score, o.recorded_on, "score"),
        (None, Some(on)) => (o.score, on, "recorded_on"),
        (Some(score), Some(on)) => (score, on, "score and recorded_on"),
    };
    r.check(None, score, on)?;
    let fixed = store::outcomes::correct(c, o.id, score, on, r.at)?;
    // Which fields changed, not their values: the scores stay in one place only.
    let (b, m, ph) = (o.booking_id, &o.measure, &o.phase);
    let detail = format!("booking {b}: {m}, {ph}; corrected {what}");
    r.audit(c, "outcome_corrected", ("outcome_measure", o.id), detail)?;
    Ok(outcome_out(fixed))
}
