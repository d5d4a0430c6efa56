//! `GET/PUT /sessions/{id}/register`: the facilitators mark attendance and crèche workers sign
//! children in and out. The register carries an ETag; a PUT must send it back in `If-Match`
//! (428 without, 412 when someone changed the register since), so two tablets never overwrite
//! each other silently. A PUT that changes nothing succeeds as it is (a retried request).
//! Checking and writing the change itself is in `register/plan.rs`.

pub mod follow_ups;
pub mod outcomes;
pub mod view;

use crate::api::access::{Require, Staff};
use crate::api::cohorts::families::{team_access, TeamAccess};
use crate::api::docs::{E400, E401, E403, E404, E409, E412, E413, E415, E422, E428, E503};
use crate::api::json::ApiJson;
use crate::api::registers::view::RegisterOut;
use crate::app::AppState;
use crate::auth::tokens::TokenSubject;
use crate::db::{write_transaction, DbConnection};
use crate::error::ApiError;
use crate::store::venues::Venue;
use crate::store::{self, cohorts::Cohort, cohorts::Session, programmes::Programme};
use actix_web::http::header;
use actix_web::{get, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

mod plan;

use plan::{apply, plan};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkIn {
    pub booking_id: i32,
    /// `present`, `late`, `apologies` (sent beforehand) or `absent`.
    #[schema(example = "present", value_type = crate::api::docs::MarkStatus)]
    pub status: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CrecheIn {
    pub child_id: i32,
    /// Null (with `signed_out_at` null) removes a sign-in recorded by mistake.
    pub signed_in_at: Option<DateTime<Utc>>,
    pub signed_out_at: Option<DateTime<Utc>>,
    /// Who collected the child; required with `signed_out_at`.
    pub collected_by: Option<String>,
}

/// Marks for the families named and sign-ins for the children named; others stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterBody {
    #[serde(default)]
    pub marks: Vec<MarkIn>,
    #[serde(default)]
    pub creche: Vec<CrecheIn>,
    /// Crèche staff actually present, when it differs from those assigned.
    pub creche_staff_present: Option<i32>,
}

struct Context {
    session: Session,
    cohort: Cohort,
    programme: Programme,
    venue: Venue,
    access: TeamAccess,
}

/// The session, its cohort and what the caller may do there (404 when it is not theirs).
fn context(c: &mut DbConnection, id: i32, who: &TokenSubject) -> Result<Context, ApiError> {
    let session =
        store::cohorts::find_session(c, id)?.ok_or_else(|| ApiError::not_found("session"))?;
    let access = team_access(c, session.cohort_id, who).map_err(|e| match e {
        ApiError::NotFound(_) => ApiError::not_found("session"),
        e => e,
    })?;
    let (cohort, programme, venue) = store::cohorts::find_full(c, session.cohort_id)?
        .ok_or_else(|| ApiError::not_found("session"))?;
    Ok(Context {
        session,
        cohort,
        programme,
        venue,
        access,
    })
}

fn built(
    c: &mut DbConnection,
    x: &Context,
    window: i64,
    now: NaiveDateTime,
) -> Result<RegisterOut, ApiError> {
    let (p, now) = (&x.programme.code, now.and_utc());
    view::build(c, &x.cohort, p, &x.venue, &x.session, window, now)
}

fn answer(out: RegisterOut, etag: String) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(out)
}

/// Records that staff saw these families' records.
fn audit_reads(
    c: &mut DbConnection,
    out: &RegisterOut,
    actor: i32,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    for f in &out.families {
        store::audit::record(
            c,
            store::audit::Event {
                at: now,
                actor_user_id: Some(actor),
                action: "family_read",
                entity: "booking",
                entity_id: Some(f.booking_id),
                family_id: Some(f.family_id),
                detail: format!("register of session {}", out.session.id),
            },
        )?;
    }
    Ok(())
}

/// The session's register (the cohort's lead, co-facilitators and crèche workers; coordinators),
/// with an ETag to send back when marking.
#[utoipa::path(
    tag = "registers",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Session id")),
    responses((status = 200, description = "The register", body = RegisterOut,
               headers(("ETag" = String, description = "Send it back in If-Match to mark"))),
               E401, E403, E404, E503)
)]
#[get("/sessions/{id}/register")]
pub async fn get_register(
    state: web::Data<AppState>,
    who: Require<Staff>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let (id, user, now) = (id.into_inner(), who.user, state.now_naive());
    let window = state.config.marking_window_days;
    let (out, etag) = state
        .db(move |c| {
            let x = context(c, id, &user)?;
            let out = built(c, &x, window, now)?;
            audit_reads(c, &out, user.user_id, now)?;
            Ok((out, view::etag(&x.session)))
        })
        .await?;
    Ok(answer(out, etag))
}

/// Marks attendance (lead and co-facilitators; coordinators, also to correct after the marking
/// window) and signs crèche children in and out (also crèche workers). Send `If-Match` with the
/// ETag read. Marks can be made from the session's start (apologies before it) until the window
/// closes; a cancelled session cannot be marked. Two unexplained absences in a row open a
/// follow-up; a family who comes back closes theirs.
#[utoipa::path(
    tag = "registers",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Session id"),
           ("If-Match" = String, Header, description = "The register's ETag")),
    request_body = RegisterBody,
    responses((status = 200, description = "The register after the change", body = RegisterOut,
               headers(("ETag" = String, description = "The new version"))),
               E400, E401, E403, E404, E409, E412, E413, E415, E422, E428, E503)
)]
#[put("/sessions/{id}/register")]
pub async fn put_register(
    state: web::Data<AppState>,
    who: Require<Staff>,
    req: HttpRequest,
    id: web::Path<i32>,
    body: ApiJson<RegisterBody>,
) -> Result<HttpResponse, ApiError> {
    let (id, user, now) = (id.into_inner(), who.user, state.now_naive());
    let window = state.config.marking_window_days;
    let if_match = req
        .headers()
        .get(header::IF_MATCH)
        .map(|v| v.to_str().unwrap_or("").to_string());
    let body = body.into_inner();
    let (out, etag) = state
        .db(move |c| {
            write_transaction(c, |c| {
                store::registers::lock_session(c, id)?;
                let x = context(c, id, &user)?;
                let Some(if_match) = if_match else {
                    return Err(ApiError::PreconditionRequired(
                        "send If-Match with the register's ETag (from GET), so no one's marks are overwritten".into(),
                    ));
                };
                let plan = plan(c, &x, &body, now, window)?;
                if plan.is_empty() && body.creche_staff_present.is_none_or(|n| Some(n) == staff_present(&x)) {
                    let out = built(c, &x, window, now)?;
                    return Ok((out, view::etag(&x.session)));
                }
                let current = view::etag(&x.session);
                if !if_match.split(',').any(|t| t.trim() == current) {
                    return Err(ApiError::PreconditionFailed(format!(
                        "the register changed since you read it (now {current}); read it again and redo your marks"
                    )));
                }
                apply(c, &x, &body, plan, user.user_id, now)?;
                let x = context(c, id, &user)?;
                let out = built(c, &x, window, now)?;
                Ok((out, view::etag(&x.session)))
            })
        })
        .await?;
    Ok(answer(out, etag))
}

fn staff_present(x: &Context) -> Option<i32> {
    Some(
        x.session
            .creche_staff_present
            .unwrap_or(x.cohort.creche_workers),
    )
}
