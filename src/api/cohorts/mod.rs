//! Cohorts: one run of a programme at a venue. Coordinators plan them (sessions are generated
//! weekly at the same local time, skipping closures), staff them, publish and cancel them.
//! This file holds planning and its bodies, and reading cohorts; changes are in
//! `cohort_changes`, the cohort view (`CohortOut`) in `cohort_views`.

pub mod changes;
pub mod families;
pub mod sessions;
pub mod summary;
pub mod team;
pub mod view;

use crate::api::access::{Coordinator, Require, Staff};
use crate::api::cohorts::view::{load_view, CohortOut};
use crate::api::docs::{E400, E401, E403, E404, E413, E415, E422, E503};
use crate::api::field_errors;
use crate::api::json::ApiJson;
use crate::app::AppState;
use crate::db::{write_transaction, DbConnection};
use crate::domain::{calendar, cohort as rules};
use crate::error::{ApiError, FieldErrors};
use crate::store::cohorts::{CohortFields, NewSession};
use crate::store::{self, programmes::Programme, venues::Venue};
use actix_web::http::header;
use actix_web::{get, post, web, HttpResponse};
use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

#[derive(Debug, Deserialize, Validate, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct MeetingBody {
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
    #[schema(example = "2026-03-03")]
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
    pub booking_opens_on: Option<NaiveDate>,
    /// Default: the first session's date.
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
    #[param(value_type = Option<crate::api::docs::CohortStatus>, inline)]
    pub status: Option<String>,
    pub venue_id: Option<i32>,
    /// Programme code.
    pub programme: Option<String>,
}

/// The weekly sessions (and meetings) of a cohort, or 422 naming the field and date.
pub fn plan_sessions(
    c: &mut DbConnection,
    f: &CohortFields,
    count: i32,
    tz: Tz,
    meetings: [Option<&MeetingBody>; 2],
) -> Result<Vec<NewSession>, ApiError> {
    let mut out = store::cohorts::plan_weekly(
        c,
        f.venue_id,
        f.first_session_date,
        f.start_time,
        f.session_minutes,
        tz,
        count,
    )
    .map_err(|e| match e {
        store::cohorts::PlanError::Db(e) => ApiError::from(e),
        store::cohorts::PlanError::Schedule(e) => schedule_error("start_time", e),
    })?;
    let (first, last) = (
        out.first().map(|p| p.starts_at.and_utc()),
        out.last().map(|p| p.ends_at.and_utc()),
    );
    for (meeting, kind, field) in [
        (meetings[0], "pre_group", "pre_group_meeting"),
        (meetings[1], "post_group", "post_group_meeting"),
    ] {
        let Some(m) = meeting else { continue };
        let time = rules::parse_local_time(&m.start_time)
            .ok_or_else(|| ApiError::field(field, "start_time must be HH:MM"))?;
        let start =
            calendar::local_instant(m.date, time, tz).map_err(|e| schedule_error(field, e))?;
        let end = start + Duration::minutes(i64::from(m.minutes.unwrap_or(60)));
        let in_order = match kind {
            "pre_group" => first.is_none_or(|f| end <= f),
            _ => last.is_none_or(|l| start >= l),
        };
        if !in_order {
            return Err(ApiError::field(
                field,
                format!(
                    "must be {} the group sessions",
                    if kind == "pre_group" {
                        "before"
                    } else {
                        "after"
                    }
                ),
            ));
        }
        out.push(NewSession {
            kind,
            number: None,
            starts_at: start.naive_utc(),
            ends_at: end.naive_utc(),
        });
    }
    Ok(out)
}

pub fn schedule_error(field: &str, e: calendar::ScheduleError) -> ApiError {
    ApiError::field(field, e.to_string())
}

fn fields_from_body(
    b: &CohortBody,
    p: &Programme,
    v: &Venue,
    mut errors: FieldErrors,
) -> Result<(CohortFields, Tz), ApiError> {
    let mut add = |field: &str, msg: String| errors.entry(field.to_string()).or_default().push(msg);
    for (field, date) in [
        ("first_session_date", Some(b.first_session_date)),
        ("booking_opens_on", b.booking_opens_on),
        ("booking_closes_on", b.booking_closes_on),
    ] {
        if date.is_some_and(|d| !rules::plausible_date(d)) {
            add(field, "must be a date between 2000 and 2100".into());
        }
    }
    for (field, m) in [
        ("pre_group_meeting", &b.pre_group_meeting),
        ("post_group_meeting", &b.post_group_meeting),
    ] {
        if m.as_ref().is_some_and(|m| !rules::plausible_date(m.date)) {
            add(field, "must be a date between 2000 and 2100".into());
        }
    }
    let tz_name = b.timezone.clone().unwrap_or_else(|| "Europe/London".into());
    let tz = rules::parse_timezone(&tz_name);
    if tz.is_none() {
        add(
            "timezone",
            "is not a known time zone, e.g. Europe/London".into(),
        );
    }
    let start = rules::parse_local_time(&b.start_time);
    if start.is_none() {
        add("start_time", "must be a local time HH:MM".into());
    }
    let creche_offered = b.creche_offered.unwrap_or(p.creche_provided);
    let creche_workers = b
        .creche_workers
        .unwrap_or(if creche_offered { 2 } else { 0 });
    check_creche(p, v, creche_offered, creche_workers, &mut add);
    check_booking_window(b.booking_opens_on, b.booking_closes_on, &mut add);
    let title = b
        .title
        .clone()
        .map(|t| t.trim().to_string())
        .unwrap_or_else(|| format!("{} at {}", p.name, v.name));
    ApiError::check_fields(errors)?;
    let (Some(tz), Some(start_time)) = (tz, start) else {
        return Err(ApiError::field("start_time", "must be a local time HH:MM"));
    };
    Ok((
        CohortFields {
            programme_id: p.id,
            venue_id: v.id,
            title,
            description: b.description.clone().unwrap_or_default().trim().to_string(),
            first_session_date: b.first_session_date,
            start_time,
            session_minutes: b.session_minutes.unwrap_or(p.session_minutes),
            timezone: tz_name,
            places: b.places,
            creche_offered,
            creche_workers,
            booking_opens_on: b.booking_opens_on,
            booking_closes_on: b.booking_closes_on,
        },
        tz,
    ))
}

pub(super) fn check_creche(
    p: &Programme,
    v: &Venue,
    offered: bool,
    workers: i32,
    add: &mut impl FnMut(&str, String),
) {
    if p.creche_provided && !offered {
        add(
            "creche_offered",
            format!("{} always provides a crèche", p.name),
        );
    }
    if offered && v.creche_room_capacity == 0 {
        add("creche_offered", format!("{} has no crèche room", v.name));
    }
    if offered && workers == 0 {
        add(
            "creche_workers",
            "a crèche needs at least one crèche worker".into(),
        );
    }
}

pub(super) fn check_booking_window(
    opens: Option<NaiveDate>,
    closes: Option<NaiveDate>,
    add: &mut impl FnMut(&str, String),
) {
    if let (Some(o), Some(c)) = (opens, closes) {
        if c < o {
            add(
                "booking_closes_on",
                "must not be before booking_opens_on".into(),
            );
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
    let errors = field_errors(&b);
    let (now, now_naive, actor) = (state.now(), state.now_naive(), who.user.user_id);
    let out = state
        .db(move |c| {
            let (p, v, mut errors) = (
                store::programmes::find_by_code(c, &b.programme)?,
                store::venues::find(c, b.venue_id)?,
                errors,
            );
            if p.is_none() {
                errors
                    .entry("programme".into())
                    .or_default()
                    .push("no such programme".into());
            }
            if v.is_none() {
                errors
                    .entry("venue_id".into())
                    .or_default()
                    .push("no such venue".into());
            }
            let (Some(p), Some(v)) = (p, v) else {
                ApiError::check_fields(errors)?;
                return Err(ApiError::field("programme", "no such programme"));
            };
            let (fields, tz) = fields_from_body(&b, &p, &v, errors)?;
            let id = write_transaction(c, |c| {
                let sessions = plan_sessions(
                    c,
                    &fields,
                    p.session_count,
                    tz,
                    [b.pre_group_meeting.as_ref(), b.post_group_meeting.as_ref()],
                )?;
                let cohort = store::cohorts::insert(c, &fields, &sessions, actor, now_naive)?;
                Ok::<_, ApiError>(cohort.id)
            })?;
            load_view(c, id, now)
        })
        .await?;
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
    let (id, now) = (id.into_inner(), state.now());
    Ok(web::Json(state.db(move |c| load_view(c, id, now)).await?))
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
    if let Some(s) = &f.status {
        if !["draft", "published", "completed", "cancelled"].contains(&s.as_str()) {
            return Err(ApiError::field(
                "status",
                "must be draft, published, completed or cancelled",
            ));
        }
    }
    let now = state.now();
    let all = state
        .db(move |c| crate::api::cohorts::team::views_of(c, None, now))
        .await?;
    let matching: Vec<CohortOut> = all
        .into_iter()
        .filter(|v| f.status.as_ref().is_none_or(|s| &v.status == s))
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
