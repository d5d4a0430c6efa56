//! A family's rights over its record (admin): the subject access export, and erasure. Erasure
//! anonymises rather than deletes: the pseudonymous rows (bookings, marks, outcomes, ward and
//! referral source) stay so that attendance and monitoring figures do not change, and everything
//! that names or describes the family or its children is blanked or deleted.
//! `erase_family` is the one place that does it: the admin route, a parent's own request
//! (`DELETE /me/family`) and the retention job all call it.

pub mod export;
mod export_body;

use crate::api::access::{Admin, Require};
use crate::api::docs::{E400, E401, E403, E404, E409, E413, E415, E422, E503};
use crate::api::json::ApiJson;
use crate::app::AppState;
use crate::db::{write_transaction, DbConnection};
use crate::error::ApiError;
use crate::store;
use actix_web::http::header;
use actix_web::{delete, get, web, HttpResponse};
use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
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

impl ErasureReason {
    pub fn code(self) -> &'static str {
        match self {
            ErasureReason::SubjectRequest => "subject_request",
            ErasureReason::DuplicateRecord => "duplicate_record",
            ErasureReason::Other => "other",
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErasureBody {
    pub reason: ErasureReason,
}

/// What an erasure did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ErasureSummary {
    pub family_id: i32,
    /// The family had been erased before: nothing was changed this time.
    pub already_erased: bool,
    /// Bookings in groups running or yet to run that were ended: (booking id, `cancelled` or
    /// `withdrawn`). Their places went to the waiting list.
    pub bookings_ended: Vec<(i32, &'static str)>,
    pub children_blanked: usize,
    pub notifications_deleted: usize,
    /// The parent's login, anonymised and disabled.
    pub user_anonymised: Option<i32>,
}

/// Erases a family inside the caller's transaction (wrap it in `write_transaction`):
/// - ends its bookings in groups that are running or yet to run (`end_booking`: the place is
///   freed and the waiting list promoted) and closes their open follow-ups as `withdrew`;
///   bookings of finished or cancelled groups stay as they are, for the figures;
/// - blanks carers' names, contacts, postcode, language, access needs, consent and the calendar
///   link (ward and referral source stay), children's names and dates, follow-up and contact
///   notes and who collected a child from the crèche; deletes the family's notifications;
/// - anonymises and disables the parent's login, deleting its sessions and stored retries;
/// - records `family_erased` in the audit trail with `reason` (a code such as
///   `subject_request`) and `actor` (`None` for the system).
///
/// Erasing an erased family changes nothing and says so (`already_erased`).
pub fn erase_family(
    c: &mut DbConnection,
    family_id: i32,
    reason: &str,
    actor: Option<i32>,
    now: DateTime<Utc>,
) -> Result<ErasureSummary, ApiError> {
    // The reason is kept in the audit trail: only a short code may go there.
    let is_code = (1..=40).contains(&reason.len())
        && reason.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    if !is_code {
        return Err(ApiError::field(
            "reason",
            "must be a code such as subject_request",
        ));
    }
    store::erasure::lock_family(c, family_id)?;
    let family =
        store::families::find(c, family_id)?.ok_or_else(|| ApiError::not_found("family"))?;
    let mut summary = ErasureSummary {
        family_id,
        ..Default::default()
    };
    if family.erased_at.is_some() {
        summary.already_erased = true;
        return Ok(summary);
    }
    let at = now.naive_utc().trunc_subsecs(6);
    // Places first, while the children still have their real dates: no crèche-ratio check run
    // by a promotion ever sees a child without one.
    for b in store::bookings::of_family(c, family_id)? {
        if !b.is_active() {
            continue;
        }
        // Finished groups keep their bookings for the figures; a cancelled group's places are
        // not given up either, or the waiting list would be "promoted" into a group not running.
        let cohort =
            store::cohorts::find(c, b.cohort_id)?.ok_or_else(|| ApiError::not_found("cohort"))?;
        let sessions = store::cohorts::sessions_of(c, cohort.id)?;
        if crate::api::cohorts::view::standing(&cohort, &sessions, now).status != "published" {
            continue;
        }
        let who = match actor {
            Some(id) => crate::service::Actor::User {
                id,
                role: crate::domain::role::Role::Admin,
            },
            None => crate::service::Actor::System,
        };
        let (status, _) = crate::service::Tx::within(c, who, now, |tx| {
            crate::service::booking::end_booking(tx, b.id)
        })?;
        store::erasure::close_open_follow_ups(c, b.id, actor, at)?;
        summary.bookings_ended.push((b.id, status));
    }
    store::erasure::blank_free_text(c, family_id)?;
    summary.children_blanked = store::erasure::blank_children(c, family_id, at)?;
    summary.notifications_deleted = store::erasure::delete_notifications(c, family_id)?;
    if let Some(user) = family.user_id {
        store::erasure::anonymise_user(c, user)?;
        summary.user_anonymised = Some(user);
    }
    store::erasure::blank_family(c, family_id, at)?;
    store::audit::record(
        c,
        store::audit::Event {
            at,
            actor_user_id: actor,
            action: "family_erased",
            entity: "family",
            entity_id: Some(family_id),
            family_id: Some(family_id),
            detail: reason.to_string(),
        },
    )?;
    Ok(summary)
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
    let (id, actor, now) = (id.into_inner(), who.user.user_id, state.now());
    let reason = body.into_inner().reason.code();
    state
        .db(move |c| {
            write_transaction(c, |c| {
                let done = erase_family(c, id, reason, Some(actor), now)?;
                if done.already_erased {
                    return Err(ApiError::Conflict("this family was already erased".into()));
                }
                Ok(())
            })
        })
        .await?;
    state.listing_cache.invalidate();
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
    let (id, actor, now) = (id.into_inner(), who.user.user_id, state.now());
    let out = state
        .db(move |c| {
            write_transaction(c, |c| {
                store::families::find(c, id)?.ok_or_else(|| ApiError::not_found("family"))?;
                let at = now.naive_utc().trunc_subsecs(6);
                store::audit::record(
                    c,
                    store::audit::Event {
                        at,
                        actor_user_id: Some(actor),
                        action: "family_exported",
                        entity: "family",
                        entity_id: Some(id),
                        family_id: Some(id),
                        detail: "subject access export".into(),
                    },
                )?;
                export::build(c, id, now)
            })
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"family-{id}-export.json\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(out))
}
