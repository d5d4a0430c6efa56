//! Accidents, incidents and first aid in the crèche: the crèche workers and lead of a session's
//! cohort (and coordinators) record them and read a session's; the parent reads their family's
//! and says they have seen each; coordinators list them over a period. The family is told the
//! same day by message. The rules, the transaction, the audit and the message are
//! `service::registers::incidents`'s.

use crate::api::access::{Coordinator, Parent, Require, Staff};
use crate::api::docs::{E400, E401, E403, E404, E409, E413, E415, E422, E503};
use crate::api::json::ApiJson;
use crate::api::{utc, PageQuery};
use crate::app::AppState;
use crate::domain::cohort::plausible_date;
use crate::domain::incident::{FIRST_AID_MAX, WHAT_HAPPENED_MAX, WITNESSES_MAX};
use crate::error::{ApiError, FieldErrors};
use crate::service::registers::incidents::{self as service, Period, RecordIncident};
use crate::store::creche_incidents::Listed;
use actix_web::{get, http::header, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentBody {
    /// A child with a crèche place in this group (a confirmed booking).
    #[schema(minimum = 1)]
    pub child_id: i32,
    /// When it happened: during the session (an hour either side at most), not in the future.
    pub happened_at: DateTime<Utc>,
    /// What happened, plainly: the parent reads these words. Line breaks and tabs are fine,
    /// other control characters are not.
    #[schema(
        example = "Slipped on the mat and bumped her knee; she cried for a minute and then played on.",
        min_length = 1,
        max_length = 4000,
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"
    )]
    pub what_happened: String,
    /// The first aid given; `""` (or left out) when none was.
    #[serde(default)]
    #[schema(
        example = "A cold compress for five minutes.",
        max_length = 2000,
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"
    )]
    pub first_aid: String,
    /// Who saw it happen.
    #[serde(default)]
    #[schema(
        example = "Maria Santos",
        max_length = 500,
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"
    )]
    pub witnesses: String,
}

/// An incident as the team and coordinators see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentOut {
    pub id: i32,
    pub session_id: i32,
    pub session_starts_at: DateTime<Utc>,
    pub cohort_id: i32,
    pub cohort_title: String,
    pub booking_id: i32,
    pub family_id: i32,
    pub child_id: i32,
    /// "" once the family was erased.
    pub child_first_name: String,
    pub happened_at: DateTime<Utc>,
    /// "" once the family was erased.
    pub what_happened: String,
    /// "" when no first aid was given (or once the family was erased).
    pub first_aid: String,
    pub witnesses: String,
    /// The user who recorded it.
    pub recorded_by: Option<i32>,
    pub recorded_at: DateTime<Utc>,
    /// When the parent said they had read it; null until then.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// When the family's erasure removed the words; the incident still counts.
    pub erased_at: Option<DateTime<Utc>>,
}

impl From<Listed> for IncidentOut {
    fn from(l: Listed) -> Self {
        let i = l.incident;
        IncidentOut {
            id: i.id,
            session_id: i.session_id,
            session_starts_at: utc(l.session_starts_at),
            cohort_id: l.cohort_id,
            cohort_title: l.cohort_title,
            booking_id: i.booking_id,
            family_id: l.family_id,
            child_id: i.child_id,
            child_first_name: l.child_first_name,
            happened_at: utc(i.happened_at),
            what_happened: i.what_happened,
            first_aid: i.first_aid,
            witnesses: i.witnesses,
            recorded_by: i.recorded_by,
            recorded_at: utc(i.recorded_at),
            acknowledged_at: i.acknowledged_at.map(utc),
            erased_at: i.erased_at.map(utc),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentList {
    pub items: Vec<IncidentOut>,
    pub total: i64,
}

/// An incident as the family reads it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyIncidentOut {
    pub id: i32,
    pub child_id: i32,
    pub child_first_name: String,
    pub cohort_title: String,
    pub session_starts_at: DateTime<Utc>,
    pub happened_at: DateTime<Utc>,
    pub what_happened: String,
    /// "" when no first aid was given.
    pub first_aid: String,
    pub witnesses: String,
    pub recorded_at: DateTime<Utc>,
    /// Whether the parent has said they read it.
    pub acknowledged: bool,
    /// When they said so; null until then.
    pub acknowledged_at: Option<DateTime<Utc>>,
}

impl From<Listed> for MyIncidentOut {
    fn from(l: Listed) -> Self {
        let i = l.incident;
        MyIncidentOut {
            id: i.id,
            child_id: i.child_id,
            child_first_name: l.child_first_name,
            cohort_title: l.cohort_title,
            session_starts_at: utc(l.session_starts_at),
            happened_at: utc(i.happened_at),
            what_happened: i.what_happened,
            first_aid: i.first_aid,
            witnesses: i.witnesses,
            recorded_at: utc(i.recorded_at),
            acknowledged: i.acknowledged_at.is_some(),
            acknowledged_at: i.acknowledged_at.map(utc),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyIncidentList {
    /// Newest first.
    pub items: Vec<MyIncidentOut>,
    pub total: i64,
    /// How many are not yet acknowledged.
    pub unacknowledged: i64,
}

/// Record an accident, incident or first aid in the crèche (the crèche workers and lead of the
/// session's cohort, coordinators; others 404), about a child with a crèche place in the group.
/// The family is told the same day, in their language, by the channels they chose, and reads it
/// in their account (`GET /api/v1/me/creche/incidents`). Audited without the words.
#[utoipa::path(
    tag = "registers",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Session id")),
    request_body = IncidentBody,
    responses(
        (status = 201, description = "Recorded, and the family's message queued", body = IncidentOut,
         headers(("Location" = String, description = "/api/v1/creche/incidents/{incident_id}"))),
        E400, E401, E403, E404, E409, E413, E415, E422, E503,
    )
)]
#[post("/sessions/{id}/creche/incidents")]
pub async fn record_incident(
    state: web::Data<AppState>,
    who: Require<Staff>,
    id: web::Path<i32>,
    body: ApiJson<IncidentBody>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let cmd = RecordIncident {
        session_id: id.into_inner(),
        child_id: b.child_id,
        happened_at: b.happened_at,
        what_happened: b.what_happened,
        first_aid: b.first_aid,
        witnesses: b.witnesses,
    };
    let out = IncidentOut::from(service::record(&state.services, who.actor(), cmd).await?);
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/creche/incidents/{}", out.id),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(out))
}

fn no_store<T: Serialize>(body: T) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body)
}

/// A session's crèche incidents, in the order they happened (the crèche workers and lead of its
/// cohort, coordinators; others 404). Each family shown is an audited read.
#[utoipa::path(
    tag = "registers",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Session id")),
    responses((status = 200, description = "The session's incidents", body = IncidentList), E401, E403, E404, E503)
)]
#[get("/sessions/{id}/creche/incidents")]
pub async fn session_incidents(
    state: web::Data<AppState>,
    who: Require<Staff>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let rows = service::of_session(&state.services, who.actor(), id.into_inner()).await?;
    let items: Vec<IncidentOut> = rows.into_iter().map(Into::into).collect();
    Ok(no_store(IncidentList {
        total: items.len() as i64,
        items,
    }))
}

/// One crèche incident (the crèche workers and lead of its session's cohort, coordinators;
/// others 404). An audited read of the family's record.
#[utoipa::path(
    tag = "registers",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Incident id")),
    responses((status = 200, description = "The incident", body = IncidentOut), E401, E403, E404, E503)
)]
#[get("/creche/incidents/{id}")]
pub async fn get_incident(
    state: web::Data<AppState>,
    who: Require<Staff>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let row = service::one(&state.services, who.actor(), id.into_inner()).await?;
    Ok(no_store(IncidentOut::from(row)))
}

/// Read as text and checked here, so that a bad value is a 422 naming its field.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First day, `YYYY-MM-DD` (2000–2100, days as the centres count them, in England); without
    /// it, a month before `to`.
    #[param(value_type = Option<String>, format = Date, example = "2026-03-01", pattern = r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    pub from: Option<String>,
    /// Last day, inclusive: not before `from`, at most a year after it; without it, today.
    #[param(value_type = Option<String>, format = Date, example = "2026-03-31", pattern = r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    pub to: Option<String>,
}

type Dates = (Option<NaiveDate>, Option<NaiveDate>);

fn period_dates(q: &PeriodQuery) -> Result<Dates, ApiError> {
    let mut errors = FieldErrors::new();
    let mut date = |field: &str, v: &Option<String>| -> Option<NaiveDate> {
        // Left out is the default; sent, it must be a date (an empty value is not one).
        let v = v.as_deref()?;
        let problem = match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
            Ok(d) if plausible_date(d) => return Some(d),
            Ok(_) => "must be a date between 2000 and 2100",
            Err(_) => "must be a date, YYYY-MM-DD",
        };
        errors.entry(field.into()).or_default().push(problem.into());
        None
    };
    let dates = (date("from", &q.from), date("to", &q.to));
    ApiError::check_fields(errors)?;
    Ok(dates)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodIncidents {
    /// The period listed (the defaults filled in).
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub items: Vec<IncidentOut>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// Crèche incidents that happened over a period, in the order they happened (coordinators):
/// at most a year at once, by default the month up to today. Each family shown is an audited
/// read.
#[utoipa::path(
    tag = "registers",
    security(("bearer" = [])),
    params(PeriodQuery, PageQuery),
    responses((status = 200, description = "The incidents of the period", body = PeriodIncidents), E400, E401, E403, E422, E503)
)]
#[get("/creche/incidents")]
pub async fn incidents_in_period(
    state: web::Data<AppState>,
    who: Require<Coordinator>,
    q: web::Query<PeriodQuery>,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, offset) = page.checked()?;
    let (from, to) = period_dates(&q)?;
    let p = Period {
        from,
        to,
        limit,
        offset,
    };
    let (from, to, found) = service::in_period(&state.services, who.actor(), p).await?;
    Ok(no_store(PeriodIncidents {
        from,
        to,
        items: found.items.into_iter().map(Into::into).collect(),
        total: found.total,
        limit,
        offset,
    }))
}

/// What happened to my children in the crèche, newest first, each saying whether I have
/// acknowledged it (parent).
#[utoipa::path(
    tag = "families",
    security(("bearer" = [])),
    responses((status = 200, description = "My family's incidents", body = MyIncidentList), E401, E403, E404, E503)
)]
#[get("/me/creche/incidents")]
pub async fn my_incidents(
    state: web::Data<AppState>,
    who: Require<Parent>,
) -> Result<HttpResponse, ApiError> {
    let rows = service::mine(&state.services, who.actor()).await?;
    let items: Vec<MyIncidentOut> = rows.into_iter().map(Into::into).collect();
    Ok(no_store(MyIncidentList {
        total: items.len() as i64,
        unacknowledged: items.iter().filter(|i| !i.acknowledged).count() as i64,
        items,
    }))
}

/// Say I have read an incident of my family (parent; others 404). Saying it again keeps the
/// first time.
#[utoipa::path(
    tag = "families",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Incident id")),
    responses((status = 200, description = "The incident, acknowledged", body = MyIncidentOut), E401, E403, E404, E503)
)]
#[post("/me/creche/incidents/{id}/acknowledge")]
pub async fn acknowledge_incident(
    state: web::Data<AppState>,
    who: Require<Parent>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let row = service::acknowledge(&state.services, who.actor(), id.into_inner()).await?;
    Ok(no_store(MyIncidentOut::from(row)))
}

// The limits the schema states are the rules' own.
const _: () = assert!(WHAT_HAPPENED_MAX == 4000 && FIRST_AID_MAX == 2000 && WITNESSES_MAX == 500);
