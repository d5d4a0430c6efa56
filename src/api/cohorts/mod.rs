//! Cohorts: one run of a programme at a venue. Coordinators plan them (sessions are generated
//! weekly at the same local time, skipping closures), staff them, publish and cancel them.
//! This file holds planning and its bodies, and reading cohorts; changes are in `changes`, the
//! cohort view (`CohortOut`) in `view`. The rules and transactions are `service::cohorts`'.

pub mod changes;
pub mod families;
pub mod sessions;
pub mod summary;
pub mod team;
pub mod view;

use crate::api::access::{Coordinator, Require, Staff};
use crate::api::cohorts::view::CohortOut;
use crate::api::docs::{E400, E401, E403, E404, E413, E415, E422, E503};
use crate::api::field_errors;
use crate::api::json::ApiJson;
use crate::app::AppState;
use crate::domain::status::CohortStatus;
use crate::error::ApiError;
use crate::service::{self, cohorts::plan::Meeting, cohorts::plan::PlanCohort};
use actix_web::http::header;
use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

#[derive(Debug, Deserialize, Validate, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct MeetingBody {
    /// 2000–2100.
    #[schema(pattern = r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    pub date: NaiveDate,
    /// Local time, `HH:MM`.
    #[schema(
        example = "10:00",
        pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
    )]
    pub start_time: String,
    /// Length in minutes (default 60).
    #[validate(range(min = 15, max = 240))]
    #[schema(minimum = 15, maximum = 240)]
    pub minutes: Option<i32>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CohortBody {
    /// Programme code.
    #[schema(example = "cosp")]
    pub programme: String,
    pub venue_id: i32,
    #[schema(
        example = "2026-03-03",
        pattern = r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"
    )]
    pub first_session_date: NaiveDate,
    /// Local wall-clock start, `HH:MM`, the same every week.
    #[schema(
        example = "10:00",
        pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
    )]
    pub start_time: String,
    /// Default: the programme's session length.
    #[validate(range(min = 15, max = 480))]
    #[schema(minimum = 15, maximum = 480)]
    pub session_minutes: Option<i32>,
    /// IANA zone; default `Europe/London`.
    #[schema(example = "Europe/London")]
    pub timezone: Option<String>,
    /// Parent places (families).
    #[validate(range(min = 1, max = 200))]
    #[schema(example = 10, minimum = 1, maximum = 200)]
    pub places: i32,
    /// Crèche workers planned (default 2 when a crèche runs).
    #[validate(range(min = 0, max = 20))]
    #[schema(minimum = 0, maximum = 20)]
    pub creche_workers: Option<i32>,
    /// Whether a crèche runs; default: whether the programme provides one (COSP always does).
    pub creche_offered: Option<bool>,
    #[schema(pattern = r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    pub booking_opens_on: Option<NaiveDate>,
    /// Default: the first session's date.
    #[schema(pattern = r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    pub booking_closes_on: Option<NaiveDate>,
    /// Optional meeting before the group (pre-group outcome measures).
    #[validate(nested)]
    pub pre_group_meeting: Option<MeetingBody>,
    /// Optional meeting after the group (post-group outcome measures).
    #[validate(nested)]
    pub post_group_meeting: Option<MeetingBody>,
    /// Default: "`<programme>` at `<venue>`", e.g. "Circle of Security Parenting at Stockwell Children's Centre".
    #[validate(length(min = 1, max = 120))]
    #[schema(min_length = 1, max_length = 120)]
    pub title: Option<String>,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub description: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CohortList {
    pub items: Vec<CohortOut>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CohortFilter {
    /// `draft`, `published`, `completed` or `cancelled`.
    #[param(value_type = Option<CohortStatus>, inline)]
    pub status: Option<String>,
    pub venue_id: Option<i32>,
    /// Programme code.
    pub programme: Option<String>,
}

impl From<MeetingBody> for Meeting {
    fn from(m: MeetingBody) -> Self {
        Meeting {
            date: m.date,
            start_time: m.start_time,
            minutes: m.minutes,
        }
    }
}

/// Plan a cohort (coordinator). Its sessions are generated at once; it starts as a draft.
#[utoipa::path(
    tag = "cohorts",
    security(("bearer" = [])),
    request_body = CohortBody,
    responses(
        (status = 201, description = "Created with its sessions", body = CohortOut,
         headers(("Location" = String, description = "/api/v1/cohorts/{id}")),
         links(("GetCohort" = (operation_id = "get_cohort", parameters(("id" = "$response.body#/id")), description = "The cohort just planned")), ("UpdateCohort" = (operation_id = "update_cohort", parameters(("id" = "$response.body#/id")), description = "Change it")), ("SetTeam" = (operation_id = "set_team", parameters(("id" = "$response.body#/id")), description = "Give it a team")), ("PublishCohort" = (operation_id = "publish_cohort", parameters(("id" = "$response.body#/id")), description = "Publish it")), ("CancelCohort" = (operation_id = "cancel_cohort", parameters(("id" = "$response.body#/id")), description = "Cancel it")), ("CohortBookings" = (operation_id = "cohort_bookings", parameters(("id" = "$response.body#/id")), description = "Its bookings")), ("BookPlace" = (operation_id = "book", parameters(("id" = "$response.body#/id")), description = "Book a place on it")))),
        E400, E401, E403, E413, E415, E422, E503,
    )
)]
#[post("/cohorts")]
pub async fn create_cohort(
    state: web::Data<AppState>,
    who: Require<Coordinator>,
    body: ApiJson<CohortBody>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let cmd = PlanCohort {
        invalid: field_errors(&b),
        programme: b.programme,
        venue_id: b.venue_id,
        first_session_date: b.first_session_date,
        start_time: b.start_time,
        session_minutes: b.session_minutes,
        timezone: b.timezone,
        places: b.places,
        creche_workers: b.creche_workers,
        creche_offered: b.creche_offered,
        booking_opens_on: b.booking_opens_on,
        booking_closes_on: b.booking_closes_on,
        pre_group_meeting: b.pre_group_meeting.map(Meeting::from),
        post_group_meeting: b.post_group_meeting.map(Meeting::from),
        title: b.title,
        description: b.description,
    };
    let out = CohortOut::from(
        service::cohorts::plan::plan_cohort(&state.services, who.actor(), cmd).await?,
    );
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/cohorts/{}", out.id)))
        .json(out))
}

/// One cohort with its sessions and team (staff).
#[utoipa::path(
    tag = "cohorts",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Cohort id")),
    responses((status = 200, description = "The cohort", body = CohortOut), E401, E403, E404, E503)
)]
#[get("/cohorts/{id}")]
pub async fn get_cohort(
    state: web::Data<AppState>,
    _who: Require<Staff>,
    id: web::Path<i32>,
) -> Result<web::Json<CohortOut>, ApiError> {
    let cohort = service::cohorts::cohort(&state.services, id.into_inner()).await?;
    Ok(web::Json(cohort.into()))
}

/// All cohorts, any status (staff), by first session.
#[utoipa::path(
    tag = "cohorts",
    security(("bearer" = [])),
    params(super::PageQuery, CohortFilter),
    responses((status = 200, description = "Cohorts", body = CohortList), E400, E401, E403, E422, E503)
)]
#[get("/cohorts")]
pub async fn list_cohorts(
    state: web::Data<AppState>,
    _who: Require<Staff>,
    page: web::Query<super::PageQuery>,
    filter: web::Query<CohortFilter>,
) -> Result<web::Json<CohortList>, ApiError> {
    let (limit, offset) = page.checked()?;
    let f = filter.into_inner();
    ApiError::check_ids(&[("venue_id", f.venue_id)])?;
    let status = match &f.status {
        None => None,
        Some(s) => Some(CohortStatus::parse(s).ok_or_else(|| {
            ApiError::field("status", "must be draft, published, completed or cancelled")
        })?),
    };
    let all = service::cohorts::all_cohorts(&state.services).await?;
    let matching: Vec<CohortOut> = all
        .into_iter()
        .map(CohortOut::from)
        .filter(|v| status.is_none_or(|s| v.status == s))
        .filter(|v| f.venue_id.is_none_or(|id| v.venue.id == id))
        .filter(|v| f.programme.as_ref().is_none_or(|p| &v.programme == p))
        .collect();
    let total = matching.len() as i64;
    let items = matching
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .collect();
    Ok(web::Json(CohortList {
        items,
        total,
        limit,
        offset,
    }))
}
