//! A family's rights over its record (admin): the subject access export, and erasure. The rules,
//! the transaction and the audit trail are `service::families::{export, erasure}`'s; here are
//! the routes, the reason codes the API accepts and the export's JSON.

pub mod export;
mod export_body;

use crate::api::access::{Admin, Require};
use crate::api::docs::{E400, E401, E403, E404, E409, E413, E415, E422, E503};
use crate::api::json::ApiJson;
use crate::app::AppState;
use crate::error::ApiError;
use crate::service::{self, families::erasure as rules};
use actix_web::http::header;
use actix_web::{delete, get, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

/// Why a family is erased: `subject_request` (the family asked), `duplicate_record` (the record
/// duplicates another) or `other`. A code, never free text, because it is kept in the audit
/// trail.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErasureReason {
    SubjectRequest,
    DuplicateRecord,
    Other,
}

impl From<ErasureReason> for rules::ErasureReason {
    fn from(r: ErasureReason) -> Self {
        match r {
            ErasureReason::SubjectRequest => rules::ErasureReason::SubjectRequest,
            ErasureReason::DuplicateRecord => rules::ErasureReason::DuplicateRecord,
            ErasureReason::Other => rules::ErasureReason::Other,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErasureBody {
    pub reason: ErasureReason,
}

/// Erase a family (admin): its personal data and its children's are removed, its places in
/// groups not yet finished are given up (the waiting list is promoted), the parent's login stops
/// working, and attendance and monitoring figures stay as they were. Recorded in the audit
/// trail with the reason code. An erased family answers 409.
#[utoipa::path(
    tag = "families",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Family id")),
    request_body = ErasureBody,
    responses(
        (status = 204, description = "Erased"),
        E400, E401, E403, E404, E409, E413, E415, E422, E503,
    )
)]
#[delete("/families/{id}")]
pub async fn erase(
    state: web::Data<AppState>,
    who: Require<Admin>,
    id: web::Path<i32>,
    body: ApiJson<ErasureBody>,
) -> Result<HttpResponse, ApiError> {
    let cmd = rules::EraseFamily {
        family_id: id.into_inner(),
        reason: body.into_inner().reason.into(),
    };
    service::families::erasure::erase_family(&state.services, who.actor(), cmd).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Everything held about a family, as one JSON document (admin): for a subject access request.
/// The export is itself recorded in the audit trail (`family_exported`) and is listed in the
/// document's own `audit_events`.
#[utoipa::path(
    tag = "families",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Family id")),
    responses(
        (status = 200, description = "The family's data", body = export::FamilyExport,
         headers(("Content-Disposition" = String, description = "attachment; filename=\"family-{id}-export.json\""))),
        E401, E403, E404, E503,
    )
)]
#[get("/families/{id}/export")]
pub async fn export_family(
    state: web::Data<AppState>,
    who: Require<Admin>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let record = service::families::export::export_family(&state.services, who.actor(), id).await?;
    let out = export::FamilyExport::from(record);
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"family-{id}-export.json\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(out))
}
