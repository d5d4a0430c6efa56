//! Applying a closure added after groups were planned: the sessions it hits are moved to the end
//! of their group or cancelled, per cohort, after the team and crèche checks; `?dry_run=true`
//! answers the same without changing anything. The rules are `service::closures::apply`'s.

use super::closures::ClosureOut;
use crate::api::access::{Coordinator, Require};
use crate::api::docs::{E400, E401, E403, E404, E413, E415, E422, E503};
use crate::api::json::ApiJson;
use crate::app::AppState;
use crate::domain::status::SessionKind;
use crate::error::{ApiError, FieldErrors};
use crate::service;
use crate::service::closures::{
    ApplyClosure, ClosureResolved, CohortResolved, Outcome, Resolution, SessionResolved,
};
use actix_web::{post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

/// What to do with a cohort's sessions on the closed dates.
#[derive(Debug, Deserialize, Serialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ResolutionChoice {
    /// Each to the next open week after the group's last session, at the same local time.
    Move,
    Cancel,
}

impl From<ResolutionChoice> for Resolution {
    fn from(r: ResolutionChoice) -> Self {
        match r {
            ResolutionChoice::Move => Resolution::Move,
            ResolutionChoice::Cancel => Resolution::Cancel,
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyBody {
    /// For every cohort not named in `cohorts`.
    pub resolution: ResolutionChoice,
    /// Per cohort, by id: `move` or `cancel`.
    #[serde(default)]
    #[schema(example = json!({"12": "cancel"}))]
    pub cohorts: BTreeMap<String, ResolutionChoice>,
    /// Told to the families of cancelled sessions (default: the closure's reason).
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500)]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApplyQuery {
    /// Answer exactly what would change, and change nothing.
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Serialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CohortOutcome {
    Moved,
    Cancelled,
    /// Left as it was: the move would break a rule.
    Refused,
}

/// A rule a move would break.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleBroken {
    /// `double_booked`, `supervisor_load`, `paediatric_first_aid`, `creche_ratio`,
    /// `creche_room`, `schedule` (no open week, or the local time does not exist), …
    #[schema(example = "creche_ratio")]
    pub rule: String,
    pub detail: String,
}

/// One session the closure hits.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionResolutionOut {
    pub session_id: i32,
    pub kind: SessionKind,
    /// Where it was.
    pub starts_at: DateTime<Utc>,
    #[schema(example = "2027-03-23T10:00:00+00:00")]
    pub local_start: String,
    /// Where it moves (refused: where it would have gone); null when cancelled.
    pub new_starts_at: Option<DateTime<Utc>>,
    #[schema(example = "2027-04-06T10:00:00+01:00")]
    pub new_local_start: Option<String>,
}

/// What happens to one cohort's sessions on the closed dates.
#[derive(Debug, Serialize, ToSchema)]
pub struct CohortResolutionOut {
    pub cohort_id: i32,
    pub title: String,
    pub outcome: CohortOutcome,
    /// Refused: the first rule broken.
    pub rule: Option<String>,
    /// Refused: what breaks it, naming the date or the person.
    pub detail: Option<String>,
    /// Refused: every rule broken.
    pub problems: Vec<RuleBroken>,
    pub sessions: Vec<SessionResolutionOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClosureApplied {
    #[serde(flatten)]
    pub closure: ClosureOut,
    /// When its sessions were last moved or cancelled (on a dry run: would be); null: never.
    pub applied_at: Option<DateTime<Utc>>,
    pub dry_run: bool,
    /// Per cohort, by its first hit session; empty when nothing is left to resolve.
    pub cohorts: Vec<CohortResolutionOut>,
}

fn session_out(s: SessionResolved, tz: chrono_tz::Tz) -> SessionResolutionOut {
    SessionResolutionOut {
        session_id: s.session_id,
        kind: s.kind,
        starts_at: s.starts_at,
        local_start: s.starts_at.with_timezone(&tz).to_rfc3339(),
        new_starts_at: s.new_starts_at,
        new_local_start: s.new_starts_at.map(|n| n.with_timezone(&tz).to_rfc3339()),
    }
}

impl From<CohortResolved> for CohortResolutionOut {
    fn from(c: CohortResolved) -> Self {
        let (outcome, problems) = match c.outcome {
            Outcome::Moved => (CohortOutcome::Moved, Vec::new()),
            Outcome::Cancelled => (CohortOutcome::Cancelled, Vec::new()),
            Outcome::Refused(breaches) => (
                CohortOutcome::Refused,
                breaches
                    .into_iter()
                    .map(|b| RuleBroken {
                        rule: b.rule,
                        detail: b.detail,
                    })
                    .collect(),
            ),
        };
        let tz = c.timezone;
        CohortResolutionOut {
            cohort_id: c.cohort_id,
            title: c.title,
            outcome,
            rule: problems.first().map(|p| p.rule.clone()),
            detail: problems.first().map(|p| p.detail.clone()),
            problems,
            sessions: c.sessions.into_iter().map(|s| session_out(s, tz)).collect(),
        }
    }
}

/// Move or cancel the sessions a closure hits (coordinator): each hit session to the end of its
/// group (the next open week after its last session, at the same local time, skipping closures
/// and bank holidays) or cancelled, per cohort. A move is checked again for the team (nobody in
/// two places, supervisor load, qualifications on the new dates) and the crèche (each child's
/// age on each new date, the room); a cohort whose move breaks a rule is left unchanged and
/// named with the rule, while the others go ahead. Families of moved or cancelled sessions are
/// told. Applying again when nothing is left answers with no cohorts.
#[utoipa::path(
    tag = "closures",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Closure id"), ApplyQuery),
    request_body = ApplyBody,
    responses(
        (status = 200, description = "What was done (or, on a dry run, would be) per cohort", body = ClosureApplied),
        E400, E401, E403, E404, E413, E415, E422, E503,
    )
)]
#[post("/closures/{id}/apply")]
pub async fn apply_closure(
    state: web::Data<AppState>,
    who: Require<Coordinator>,
    id: web::Path<i32>,
    q: web::Query<ApplyQuery>,
    body: ApiJson<ApplyBody>,
) -> Result<web::Json<ClosureApplied>, ApiError> {
    let b = body.into_inner();
    crate::api::validate(&b)?;
    let mut per_cohort = BTreeMap::new();
    let mut errors = FieldErrors::new();
    for (key, choice) in &b.cohorts {
        match key.parse::<i32>() {
            Ok(cohort) if cohort > 0 => {
                per_cohort.insert(cohort, Resolution::from(*choice));
            }
            _ => errors
                .entry("cohorts".into())
                .or_default()
                .push(format!("`{key}` is not a cohort id")),
        }
    }
    ApiError::check_fields(errors)?;
    let cmd = ApplyClosure {
        closure_id: id.into_inner(),
        resolution: b.resolution.into(),
        per_cohort,
        reason: b.reason,
        dry_run: q.dry_run,
        supervisor_limit: state.config.supervisor_cohort_limit,
    };
    let ClosureResolved {
        closure,
        dry_run,
        cohorts,
    } = service::closures::apply_closure(&state.services, who.actor(), cmd).await?;
    Ok(web::Json(ClosureApplied {
        applied_at: closure.applied_at.map(crate::api::utc),
        closure: ClosureOut::of(closure),
        dry_run,
        cohorts: cohorts.into_iter().map(Into::into).collect(),
    }))
}
