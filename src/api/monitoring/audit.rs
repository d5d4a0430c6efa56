//! The audit trail for admins: who read or changed what, when. Append-only from the API (there
//! is no route to change or delete an event). Refused attempts to reach family data are
//! recorded too, by a middleware that sees the final answer of every request
//! (`service::monitoring::audit::record_refusal` writes them).

use crate::api::access::{Admin, Require};
use crate::api::docs::{E400, E401, E403, E422, E503};
use crate::api::{utc, PageQuery};
use crate::app::AppState;
use crate::domain::cohort::plausible_date;
use crate::error::ApiError;
use crate::service::{
    self,
    monitoring::audit::{Named, Refusal},
    Actor,
};
use crate::store;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventOut {
    pub id: i32,
    pub at: DateTime<Utc>,
    /// The user who acted; null for the system (e.g. the retention job).
    pub actor_id: Option<i32>,
    #[schema(example = "family_read")]
    pub action: String,
    #[schema(example = "booking")]
    pub entity: String,
    pub entity_id: Option<i32>,
    pub family_id: Option<i32>,
    pub detail: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditList {
    pub items: Vec<AuditEventOut>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub family_id: Option<i32>,
    pub actor_id: Option<i32>,
    /// e.g. `family_read`, `attendance_marked`, `access_refused`, `family_erased`.
    pub action: Option<String>,
    /// First day included (UTC), `YYYY-MM-DD` (2000–2100).
    #[param(pattern = r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    pub from: Option<NaiveDate>,
    /// Last day included (UTC), `YYYY-MM-DD` (2000–2100).
    #[param(pattern = r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    pub to: Option<NaiveDate>,
}

/// Audit events, newest first (admin).
#[utoipa::path(
    tag = "audit",
    security(("bearer" = [])),
    params(AuditQuery, PageQuery),
    responses((status = 200, description = "Audit events", body = AuditList), E400, E401, E403, E422, E503)
)]
#[get("/audit")]
pub async fn list_audit(
    state: web::Data<AppState>,
    _admin: Require<Admin>,
    q: web::Query<AuditQuery>,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, offset) = page.checked()?;
    let q = q.into_inner();
    ApiError::check_ids(&[("family_id", q.family_id), ("actor_id", q.actor_id)])?;
    for (field, date) in [("from", q.from), ("to", q.to)] {
        if date.is_some_and(|d| !plausible_date(d)) {
            return Err(ApiError::field(field, "must be a date from 2000 to 2100"));
        }
    }
    if let (Some(from), Some(to)) = (q.from, q.to) {
        if from > to {
            return Err(ApiError::field("to", "must not be before from"));
        }
    }
    let filter = store::audit::Filter {
        family_id: q.family_id,
        actor_id: q.actor_id,
        action: q.action,
        from: q.from.and_then(|d| d.and_hms_opt(0, 0, 0)),
        before: q
            .to
            .and_then(|d| d.checked_add_days(Days::new(1)))
            .and_then(|d| d.and_hms_opt(0, 0, 0)),
    };
    let (rows, total) = state
        .db(move |c| Ok(store::audit::list(c, &filter, limit, offset)?))
        .await?;
    let items = rows
        .into_iter()
        .map(|r| AuditEventOut {
            id: r.id,
            at: utc(r.at),
            actor_id: r.actor_user_id,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            family_id: r.family_id,
            detail: r.detail,
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(AuditList {
            items,
            total,
            limit,
            offset,
        }))
}

/// Routes that hold family data: a 403 or 404 there, for a signed-in caller, may be someone
/// trying to reach a family that is not theirs.
fn is_family_data(path: &str) -> bool {
    const PREFIXES: [&str; 10] = [
        "/api/v1/bookings/",
        "/api/v1/children/",
        "/api/v1/creche/",
        "/api/v1/me/creche/",
        "/api/v1/me/children",
        "/api/v1/me/family",
        "/api/v1/families",
        "/api/v1/follow-ups",
        "/api/v1/audit",
        "/api/v1/reports",
    ];
    PREFIXES.iter().any(|p| path.starts_with(p))
        || (path.starts_with("/api/v1/cohorts/")
            && (path.ends_with("/bookings") || path.ends_with("/summary")))
        || (path.starts_with("/api/v1/sessions/") && path.ends_with("/register"))
        || (path.starts_with("/api/v1/sessions/") && path.ends_with("/creche/incidents"))
}

/// The family record a refused path names directly, if any.
fn named_in(path: &str) -> Option<Named> {
    let id = |prefix: &str| -> Option<i32> {
        path.strip_prefix(prefix)?.split('/').next()?.parse().ok()
    };
    id("/api/v1/bookings/")
        .map(Named::Booking)
        .or_else(|| id("/api/v1/families/").map(Named::Family))
        .or_else(|| id("/api/v1/children/").map(Named::Child))
}

/// Middleware step: records refused requests for family data (403/404 to a signed-in caller)
/// in the audit trail. Best effort: a failure to record is logged, never turned into an error.
pub async fn record_refusal<B: MessageBody>(res: &ServiceResponse<B>) {
    let status = res.status().as_u16();
    let req = res.request();
    if !matches!(status, 403 | 404) || !is_family_data(req.path()) {
        return;
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return;
    };
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(user) = token.and_then(|t| state.jwt.verify(t.trim(), state.now()).ok()) else {
        return;
    };
    let path = req.path().to_string();
    let refusal = Refusal {
        method: req.method().to_string(),
        named: named_in(&path),
        path,
        status,
    };
    let actor = Actor::User {
        id: user.user_id,
        role: user.role,
    };
    let recorded =
        service::monitoring::audit::record_refusal(&state.services, actor, refusal).await;
    if let Err(e) = recorded {
        tracing::warn!(error = %e, "could not record a refused request in the audit trail");
    }
}

/// Wraps every request: passes it on, then records it if it was a refused family-data request.
pub async fn audit_refusals<B: MessageBody>(
    req: ServiceRequest,
    next: actix_web::middleware::Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let res = next.call(req).await?;
    record_refusal(&res).await;
    Ok(res)
}
