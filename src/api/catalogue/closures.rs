//! Closures: bank holidays (by rule, plus one-off changes), venue closures and term breaks. A
//! cohort's sessions skip any date its venue is closed.

use super::closure_apply::CohortResolutionOut;
use crate::api::access::{Coordinator, Require, Staff};
use crate::api::docs::{E400, E401, E403, E404, E409, E413, E415, E422, E503};
use crate::api::field_errors;
use crate::api::json::ApiJson;
use crate::app::AppState;
use crate::error::ApiError;
use crate::service;
use crate::service::closures::{ChangeBankHoliday, CloseVenue, Closed, ClosureAdded};
use actix_web::http::header;
use actix_web::{delete, get, post, web, HttpResponse};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClosureKind {
    BankHoliday,
    Closure,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClosureOut {
    pub kind: ClosureKind,
    /// The closure's id; null for bank holidays.
    pub id: Option<i32>,
    /// The venue closed; null = every venue.
    pub venue_id: Option<i32>,
    pub from: NaiveDate,
    /// Inclusive.
    pub to: NaiveDate,
    #[schema(example = "Half term")]
    pub reason: String,
}

impl ClosureOut {
    /// A recorded closure (not a bank holiday).
    pub fn of(c: crate::store::closures::Closure) -> Self {
        ClosureOut {
            kind: ClosureKind::Closure,
            id: Some(c.id),
            venue_id: c.venue_id,
            from: c.from_date,
            to: c.to_date,
            reason: c.reason,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClosureList {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub items: Vec<ClosureOut>,
    pub total: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClosureQuery {
    /// First date (default today; 2000–2100).
    #[param(pattern = r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    pub from: Option<NaiveDate>,
    /// Last date, inclusive (default a year after `from`; at most five years after it; 2000–2100).
    #[param(pattern = r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    pub to: Option<NaiveDate>,
    /// Only closures affecting this venue (its own and all-venue closures).
    pub venue_id: Option<i32>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClosureBody {
    /// The venue closed; null or absent = every venue.
    pub venue_id: Option<i32>,
    /// 2000–2100.
    #[schema(pattern = r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    pub from: NaiveDate,
    /// Inclusive; the same as `from` for a single day (2000–2100).
    #[schema(pattern = r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    pub to: NaiveDate,
    #[validate(length(min = 1, max = 200))]
    #[schema(example = "February half term", min_length = 1, max_length = 200)]
    pub reason: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HolidayChangeBody {
    pub date: NaiveDate,
    #[validate(length(min = 1, max = 120))]
    #[schema(
        example = "Bank holiday for the State Funeral",
        min_length = 1,
        max_length = 120
    )]
    pub name: String,
    /// `add` an extra bank holiday, or `remove` the rule's holiday on that date (when one is moved).
    pub change: HolidayChangeKind,
}

#[derive(Debug, Deserialize, Serialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum HolidayChangeKind {
    Add,
    Remove,
}

/// A scheduled session that falls on a new closure: the coordinator decides whether to move it
/// (`proposed_plan`, `POST /closures/{id}/apply`).
#[derive(Debug, Serialize, ToSchema)]
pub struct AffectedSession {
    pub session_id: i32,
    pub cohort_id: i32,
    pub starts_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClosureCreated {
    #[serde(flatten)]
    pub closure: ClosureOut,
    /// Sessions already planned on these dates; they are not moved until the closure is applied.
    pub affected_sessions: Vec<AffectedSession>,
    /// What `POST /closures/{id}/apply` with `move` would do now, per cohort: each hit session
    /// moved to the end of its group, or the cohort refused with the rule the move would break.
    pub proposed_plan: Vec<CohortResolutionOut>,
}

/// Bank holidays and closures in a date range (staff).
#[utoipa::path(
    tag = "closures",
    security(("bearer" = [])),
    params(ClosureQuery),
    responses((status = 200, description = "Bank holidays and closures, by date", body = ClosureList), E400, E401, E403, E422, E503)
)]
#[get("/closures")]
pub async fn list_closures(
    state: web::Data<AppState>,
    _who: Require<Staff>,
    q: web::Query<ClosureQuery>,
) -> Result<web::Json<ClosureList>, ApiError> {
    let today = state.now().date_naive();
    ApiError::check_ids(&[("venue_id", q.venue_id)])?;
    for (field, d) in [("from", q.from), ("to", q.to)] {
        if d.is_some_and(|d| !crate::domain::cohort::plausible_date(d)) {
            return Err(ApiError::field(
                field,
                "must be a date between 2000 and 2100",
            ));
        }
    }
    let from = q.from.unwrap_or(today);
    let to = q.to.unwrap_or(from + Duration::days(365));
    if to < from {
        return Err(ApiError::field("to", "must not be before from"));
    }
    if to > from + Duration::days(5 * 366) {
        return Err(ApiError::field("to", "the range can be at most five years"));
    }
    let Closed {
        bank_holidays: holidays,
        closures,
    } = service::closures::closed_between(&state.services, from, to, q.venue_id).await?;
    let mut items: Vec<ClosureOut> = holidays
        .into_iter()
        .map(|h| ClosureOut {
            kind: ClosureKind::BankHoliday,
            id: None,
            venue_id: None,
            from: h.date,
            to: h.date,
            reason: h.name,
        })
        .chain(closures.into_iter().map(ClosureOut::of))
        .collect();
    items.sort_by_key(|i| (i.from, i.id));
    Ok(web::Json(ClosureList {
        from,
        to,
        total: items.len() as i64,
        items,
    }))
}

/// Close one venue or every venue for a date or a range (coordinator).
#[utoipa::path(
    tag = "closures",
    security(("bearer" = [])),
    request_body = ClosureBody,
    responses(
        (status = 201, description = "Created; lists sessions already planned on those dates and the plan applying it would carry out", body = ClosureCreated,
         headers(("Location" = String, description = "/api/v1/closures/{id}")),
         links(("DeleteClosure" = (operation_id = "delete_closure", parameters(("id" = "$response.body#/id")), description = "Remove the closure just added")))),
        E400, E401, E403, E413, E415, E422, E503,
    )
)]
#[post("/closures")]
pub async fn create_closure(
    state: web::Data<AppState>,
    who: Require<Coordinator>,
    body: ApiJson<ClosureBody>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let mut errors = field_errors(&b);
    for (field, d) in [("from", b.from), ("to", b.to)] {
        if !crate::domain::cohort::plausible_date(d) {
            errors
                .entry(field.into())
                .or_default()
                .push("must be a date between 2000 and 2100".into());
        }
    }
    if b.to < b.from {
        errors
            .entry("to".into())
            .or_default()
            .push("must not be before from".into());
    } else if b.to > b.from + Duration::days(366) {
        errors
            .entry("to".into())
            .or_default()
            .push("a closure can last at most a year".into());
    }
    ApiError::check_fields(errors)?;
    let cmd = CloseVenue {
        venue_id: b.venue_id,
        from: b.from,
        to: b.to,
        reason: b.reason,
        supervisor_limit: state.config.supervisor_cohort_limit,
    };
    let ClosureAdded {
        closure,
        affected_sessions: affected,
        proposed,
    } = service::closures::add_closure(&state.services, who.actor(), cmd).await?;
    let id = closure.id;
    let body = ClosureCreated {
        closure: ClosureOut::of(closure),
        affected_sessions: affected
            .into_iter()
            .map(|s| AffectedSession {
                session_id: s.id,
                cohort_id: s.cohort_id,
                starts_at: crate::api::utc(s.starts_at),
            })
            .collect(),
        proposed_plan: proposed.into_iter().map(Into::into).collect(),
    };
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/closures/{id}")))
        .json(body))
}

/// Remove a closure (coordinator). Bank holidays cannot be deleted; record a change instead.
#[utoipa::path(
    tag = "closures",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Closure id")),
    responses((status = 204, description = "Removed"), E401, E403, E404, E503)
)]
#[delete("/closures/{id}")]
pub async fn delete_closure(
    state: web::Data<AppState>,
    who: Require<Coordinator>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    service::closures::remove_closure(&state.services, who.actor(), id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Record a one-off change to the bank holidays (coordinator), e.g. an extra holiday for a
/// national event, or a rule holiday that moved (remove it, then add the new date).
#[utoipa::path(
    tag = "closures",
    security(("bearer" = [])),
    request_body = HolidayChangeBody,
    responses((status = 204, description = "Recorded"), E400, E401, E403, E409, E413, E415, E422, E503)
)]
#[post("/closures/bank-holidays")]
pub async fn add_bank_holiday_change(
    state: web::Data<AppState>,
    who: Require<Coordinator>,
    body: ApiJson<HolidayChangeBody>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    crate::api::validate(&b)?;
    let cmd = ChangeBankHoliday {
        date: b.date,
        name: b.name,
        remove: b.change == HolidayChangeKind::Remove,
    };
    service::closures::change_bank_holiday(&state.services, who.actor(), cmd).await?;
    Ok(HttpResponse::NoContent().finish())
}
