//! Staff records: facilitators, crèche workers and supervisors with dated qualifications
//! (admins and coordinators). Contact details never leave this staff-only API. The rules and
//! the writes are `service::staff`'s.

use crate::api::access::{Coordinator, Require};
use crate::api::accounts::auth::hash_password;
use crate::api::docs::{E400, E401, E403, E404, E409, E413, E415, E422, E503};
use crate::api::json::ApiJson;
use crate::api::{field_errors, PageQuery};
use crate::app::AppState;
use crate::auth::tokens::random_secret;
use crate::domain::programme::QUALIFICATIONS;
use crate::error::ApiError;
use crate::service::{self, staff::NewStaff, staff::StaffChange};
use crate::store::{self, staff::StaffFields, staff::StaffMember};
use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

/// The kinds of work staff do in the groups.
pub use crate::service::staff::STAFF_ROLES;

#[derive(Debug, Serialize, Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct QualificationDto {
    /// `clinical`, `cosp_registered`, `paediatric_first_aid` or `supervisor`.
    #[schema(example = "cosp_registered", value_type = crate::api::docs::QualificationKind)]
    pub kind: String,
    /// Last day it is valid; null = does not expire.
    pub expires_on: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffOut {
    pub id: i32,
    pub name: String,
    pub email: String,
    pub phone: String,
    #[schema(example = "PAIRS")]
    pub organisation: String,
    pub roles: Vec<String>,
    pub qualifications: Vec<QualificationDto>,
    /// The facilitator login linked to this record, if any.
    pub user_id: Option<i32>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<StaffMember> for StaffOut {
    fn from(m: StaffMember) -> Self {
        StaffOut {
            roles: m.roles(),
            id: m.row.id,
            name: m.row.name,
            email: m.row.email,
            phone: m.row.phone,
            organisation: m.row.organisation,
            qualifications: m
                .qualifications
                .into_iter()
                .map(|(kind, expires_on)| QualificationDto { kind, expires_on })
                .collect(),
            user_id: m.row.user_id,
            active: m.row.active,
            created_at: crate::api::utc(m.row.created_at),
            updated_at: crate::api::utc(m.row.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffCreated {
    #[serde(flatten)]
    pub staff: StaffOut,
    /// Only when `create_login` was asked: the initial password, shown this once.
    pub initial_password: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffList {
    pub items: Vec<StaffOut>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffBody {
    #[validate(length(min = 1, max = 120))]
    #[schema(example = "Grace Adeyemi", min_length = 1, max_length = 120)]
    pub name: String,
    #[validate(email, length(max = 254))]
    #[schema(max_length = 254, format = Email)]
    pub email: String,
    #[validate(length(max = 40))]
    #[schema(max_length = 40)]
    #[serde(default)]
    pub phone: String,
    #[validate(length(min = 1, max = 120))]
    #[schema(example = "PAIRS", min_length = 1, max_length = 120)]
    pub organisation: String,
    /// Any of clinician, cosp_facilitator, better_start_worker, parenting_worker, trainee, creche_worker, supervisor.
    #[serde(default)]
    #[schema(value_type = Vec<crate::api::docs::StaffRole>)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub qualifications: Vec<QualificationDto>,
    /// Also make a facilitator login with this email (the initial password is returned once).
    #[serde(default)]
    pub create_login: bool,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffPatch {
    #[validate(length(min = 1, max = 120))]
    #[schema(min_length = 1, max_length = 120)]
    pub name: Option<String>,
    #[validate(email, length(max = 254))]
    #[schema(max_length = 254, format = Email)]
    pub email: Option<String>,
    #[validate(length(max = 40))]
    #[schema(max_length = 40)]
    pub phone: Option<String>,
    #[validate(length(min = 1, max = 120))]
    #[schema(min_length = 1, max_length = 120)]
    pub organisation: Option<String>,
    #[schema(value_type = Option<Vec<crate::api::docs::StaffRole>>)]
    pub roles: Option<Vec<String>>,
    /// Replaces the whole list.
    pub qualifications: Option<Vec<QualificationDto>>,
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StaffFilter {
    /// Only staff holding this qualification kind.
    #[param(value_type = Option<crate::api::docs::QualificationKind>, inline)]
    pub qualification: Option<String>,
    pub active: Option<bool>,
}

/// Add a staff member (admin, coordinator), optionally with a facilitator login.
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    request_body = StaffBody,
    responses(
        (status = 201, description = "Created", body = StaffCreated,
         headers(("Location" = String, description = "/api/v1/staff/{id}")),
         links(("GetStaff" = (operation_id = "get_staff", parameters(("id" = "$response.body#/id")), description = "The staff member just added")), ("UpdateStaff" = (operation_id = "update_staff", parameters(("id" = "$response.body#/id")), description = "Change them")))),
        E400, E401, E403, E409, E413, E415, E422, E503,
    )
)]
#[post("/staff")]
pub async fn create_staff(
    state: web::Data<AppState>,
    who: Require<Coordinator>,
    body: ApiJson<StaffBody>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let errors = field_errors(&b);
    // Checked before any password is hashed: a refused request costs no hashing.
    let staff = service::staff::check(
        StaffFields {
            name: b.name,
            email: b.email,
            phone: b.phone.trim().to_string(),
            organisation: b.organisation,
            roles: b.roles,
            active: true,
            qualifications: b
                .qualifications
                .into_iter()
                .map(|q| (q.kind, q.expires_on))
                .collect(),
        },
        errors,
    )?;
    let login = match b.create_login {
        true => {
            let pw = format!("welcome-{}", &random_secret()[..16]);
            Some((hash_password(pw.clone()).await?, pw))
        }
        false => None,
    };
    let (login_password_hash, initial_password) = login.unzip();
    let cmd = NewStaff {
        staff,
        login_password_hash,
    };
    let member = service::staff::add_staff(&state.services, who.actor(), cmd).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/staff/{}", member.row.id)))
        .json(StaffCreated {
            staff: member.into(),
            initial_password,
        }))
}

/// List staff (admin, coordinator).
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(PageQuery, StaffFilter),
    responses((status = 200, description = "Staff, by name", body = StaffList), E400, E401, E403, E422, E503)
)]
#[get("/staff")]
pub async fn list_staff(
    state: web::Data<AppState>,
    _who: Require<Coordinator>,
    page: web::Query<PageQuery>,
    filter: web::Query<StaffFilter>,
) -> Result<web::Json<StaffList>, ApiError> {
    let (limit, offset) = page.checked()?;
    let StaffFilter {
        qualification,
        active,
    } = filter.into_inner();
    // An unknown kind would only ever match nobody: say so, as the other filters do.
    if let Some(q) = qualification.as_deref() {
        if !QUALIFICATIONS.contains(&q) {
            return Err(ApiError::field(
                "qualification",
                format!("must be one of {}", QUALIFICATIONS.join(", ")),
            ));
        }
    }
    let page = state
        .db(move |c| {
            Ok(store::staff::list(
                c,
                qualification.as_deref(),
                active,
                limit,
                offset,
            )?)
        })
        .await?;
    Ok(web::Json(StaffList {
        items: page.items.into_iter().map(StaffOut::from).collect(),
        total: page.total,
        limit,
        offset,
    }))
}

/// One staff member (admin, coordinator).
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Staff id")),
    responses((status = 200, description = "The staff member", body = StaffOut), E401, E403, E404, E503)
)]
#[get("/staff/{id}")]
pub async fn get_staff(
    state: web::Data<AppState>,
    _who: Require<Coordinator>,
    id: web::Path<i32>,
) -> Result<web::Json<StaffOut>, ApiError> {
    let id = id.into_inner();
    let m = state
        .db(move |c| Ok(store::staff::find(c, id)?))
        .await?
        .ok_or_else(|| ApiError::not_found("staff member"))?;
    Ok(web::Json(m.into()))
}

/// Change a staff member (admin, coordinator): send only what changes.
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Staff id")),
    request_body = StaffPatch,
    responses((status = 200, description = "Updated", body = StaffOut), E400, E401, E403, E404, E409, E413, E415, E422, E503)
)]
#[patch("/staff/{id}")]
pub async fn update_staff(
    state: web::Data<AppState>,
    who: Require<Coordinator>,
    id: web::Path<i32>,
    body: ApiJson<StaffPatch>,
) -> Result<web::Json<StaffOut>, ApiError> {
    let id = id.into_inner();
    let p = body.into_inner();
    let change = StaffChange {
        problems: field_errors(&p),
        name: p.name,
        email: p.email,
        phone: p.phone,
        organisation: p.organisation,
        roles: p.roles,
        qualifications: p
            .qualifications
            .map(|q| q.into_iter().map(|q| (q.kind, q.expires_on)).collect()),
        active: p.active,
    };
    let m = service::staff::change_staff(&state.services, who.actor(), id, change).await?;
    Ok(web::Json(m.into()))
}
