//! `GET/PUT /sessions/{id}/register`: the facilitators mark attendance and crèche workers sign
//! children in and out. The register carries an ETag; a PUT must send it back in `If-Match`
//! (428 without, 412 when someone changed the register since), so two tablets never overwrite
//! each other silently. A PUT that changes nothing succeeds as it is (a retried request).
//! The rules, the transaction and the audit are `service::registers`'s.

pub mod follow_ups;
pub mod incidents;
pub mod key_persons;
pub mod outcomes;
pub mod view;
pub mod walk_ins;

use crate::api::access::{Require, Staff};
use crate::api::docs::{E400, E401, E403, E404, E409, E412, E413, E415, E422, E428, E503};
use crate::api::json::ApiJson;
use crate::api::registers::view::RegisterOut;
use crate::app::AppState;
use crate::error::ApiError;
use crate::service::registers::{self as service, CrecheSignIn, MarkEntry, MarkRegister, Register};
use actix_web::http::header;
use actix_web::{get, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkIn {
    pub booking_id: i32,
    /// `present`, `late`, `apologies` (sent beforehand) or `absent`.
    #[schema(value_type = crate::domain::register::Mark)]
    pub status: String,
    /// When a family who came late arrived. Left out keeps what the register has; `null` clears
    /// it. Only with `present` or `late`, around the session's time.
    #[serde(default, deserialize_with = "crate::api::json::sent")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub arrived_at: Option<Option<DateTime<Utc>>>,
    /// When a family who left early left; as `arrived_at`, and after it.
    #[serde(default, deserialize_with = "crate::api::json::sent")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub left_at: Option<Option<DateTime<Utc>>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CrecheIn {
    pub child_id: i32,
    /// Null (with `signed_out_at` null) removes a sign-in recorded by mistake.
    pub signed_in_at: Option<DateTime<Utc>>,
    pub signed_out_at: Option<DateTime<Utc>>,
    /// Who collected the child, by name, with `signed_out_at`: one of the family's carers as the
    /// register names them. Someone the parents listed is chosen by `collector_id` instead (the
    /// name may then be left out). Anyone else is refused (422) unless a coordinator gives
    /// `override_reason`.
    #[schema(max_length = 120)]
    pub collected_by: Option<String>,
    /// One of the child's listed collectors (the register's `care.collectors`).
    #[schema(minimum = 1)]
    pub collector_id: Option<i32>,
    /// The collection password the collector gives, when the parents set one (422 when it is
    /// missing or wrong). Never stored.
    #[schema(max_length = 200)]
    pub collection_password: Option<String>,
    /// Coordinators only (403 for others): lets someone not on the list (or without the right
    /// password) collect the child, for this reason; audited.
    #[schema(max_length = 500, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub override_reason: Option<String>,
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
    #[schema(minimum = 0, maximum = 50)]
    pub creche_staff_present: Option<i32>,
    /// The facilitators' notes on the session, replacing what the register has (`""` clears
    /// them); private to the lead, co-facilitators and coordinators. Line breaks and tabs are
    /// fine, other control characters are not.
    #[schema(
        max_length = 4000,
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"
    )]
    pub notes: Option<String>,
}

fn answer(register: Register) -> HttpResponse {
    let etag = register.etag.clone();
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(RegisterOut::from(register))
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
    let window = state.config.marking_window_days;
    let register = service::register(&state.services, who.actor(), id.into_inner(), window).await?;
    Ok(answer(register))
}

/// Marks attendance, with late arrivals and early leaves, and notes on the session (lead and
/// co-facilitators; coordinators, also to correct after the marking window) and signs crèche
/// children in and out (also crèche workers). Send `If-Match` with the
/// ETag read. Marks can be made from the session's start (apologies before it) until the window
/// closes; a cancelled session cannot be marked. Unexplained absences in a row (two, or as the
/// programme says) open a follow-up, and so do apologies in a row (one alone never); a family
/// who comes back closes theirs.
#[utoipa::path(
    tag = "registers",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Session id"),
           ("If-Match" = String, Header, description = "The register's ETag (one or a list), or `*` to change it whatever its version (RFC 9110)")),
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
    // Several If-Match lines are one list (RFC 9110 §5.3), so a `*` or the current tag on any
    // of them counts; a line that is not text matches nothing.
    let lines: Vec<&str> = req
        .headers()
        .get_all(header::IF_MATCH)
        .map(|v| v.to_str().unwrap_or(""))
        .collect();
    let if_match = (!lines.is_empty()).then(|| lines.join(", "));
    let body = body.into_inner();
    let cmd = MarkRegister {
        session_id: id.into_inner(),
        if_match,
        marks: body
            .marks
            .into_iter()
            .map(|m| MarkEntry {
                booking_id: m.booking_id,
                status: m.status,
                arrived_at: m.arrived_at,
                left_at: m.left_at,
            })
            .collect(),
        creche: body
            .creche
            .into_iter()
            .map(|e| CrecheSignIn {
                child_id: e.child_id,
                signed_in_at: e.signed_in_at,
                signed_out_at: e.signed_out_at,
                collected_by: e.collected_by,
                collector_id: e.collector_id,
                collection_password: e.collection_password,
                override_reason: e.override_reason,
            })
            .collect(),
        creche_staff_present: body.creche_staff_present,
        notes: body.notes,
        window_days: state.config.marking_window_days,
    };
    let register = service::mark_register(&state.services, who.actor(), cmd).await?;
    Ok(answer(register))
}
