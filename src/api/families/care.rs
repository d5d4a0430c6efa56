//! What the crèche needs to know about a child, beyond the care details on the child itself:
//! the family's emergency contacts and who may collect each child (parents keep them), and the
//! staff read of all of it on a need-to-know basis. The rules are `service::families::care`'s.

use crate::api::access::{Parent, Require, Staff};
use crate::api::accounts::auth::hash_password;
use crate::api::docs::{E400, E401, E403, E404, E413, E415, E422, E503};
use crate::api::families::children::CareOut;
use crate::api::field_errors;
use crate::api::json::ApiJson;
use crate::app::AppState;
use crate::error::ApiError;
use crate::service::{
    self,
    families::care::{AddCollector, CareRead},
};
use crate::store::child_care::{Collector, EmergencyContact, NewContact};
use actix_web::http::header;
use actix_web::{delete, get, post, put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// Someone to call in an emergency.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmergencyContactOut {
    pub name: String,
    pub relation: String,
    pub phone: String,
}

impl From<EmergencyContact> for EmergencyContactOut {
    fn from(c: EmergencyContact) -> Self {
        EmergencyContactOut {
            name: c.name,
            relation: c.relation,
            phone: c.phone,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactsOut {
    /// In the order to call them.
    pub contacts: Vec<EmergencyContactOut>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactBody {
    #[validate(length(min = 1, max = 100))]
    #[schema(example = "Amira Khan", min_length = 1, max_length = 100)]
    pub name: String,
    #[validate(length(min = 1, max = 60))]
    #[schema(example = "grandmother", min_length = 1, max_length = 60)]
    pub relation: String,
    /// 7 to 20 characters: digits, spaces, a leading +.
    #[schema(example = "07700 900123", min_length = 7, max_length = 20)]
    pub phone: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactsBody {
    /// The whole list, in the order to call them: 2 to 5 people.
    #[validate(nested)]
    #[schema(min_items = 2, max_items = 5)]
    pub contacts: Vec<ContactBody>,
}

/// Someone who may collect the child from the crèche.
#[derive(Debug, Serialize, ToSchema)]
pub struct CollectorOut {
    pub id: i32,
    pub name: String,
    pub relation: String,
    /// Whether they must give a collection password (which is never shown).
    pub has_password: bool,
}

impl From<Collector> for CollectorOut {
    fn from(c: Collector) -> Self {
        CollectorOut {
            id: c.id,
            name: c.name,
            relation: c.relation,
            has_password: c.password_hash.is_some(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CollectorsOut {
    pub collectors: Vec<CollectorOut>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectorBody {
    #[validate(length(min = 1, max = 100))]
    #[schema(example = "Amira Khan", min_length = 1, max_length = 100)]
    pub name: String,
    #[validate(length(min = 1, max = 60))]
    #[schema(example = "grandmother", min_length = 1, max_length = 60)]
    pub relation: String,
    /// A password the collector gives at the crèche door; kept hashed, never shown.
    #[validate(length(min = 4, max = 64))]
    #[schema(min_length = 4, max_length = 64)]
    pub password: Option<String>,
}

/// My family's emergency contacts (parent).
#[utoipa::path(
    tag = "families",
    security(("bearer" = [])),
    responses((status = 200, description = "The contacts", body = ContactsOut), E401, E403, E404, E503)
)]
#[get("/me/family/emergency-contacts")]
pub async fn my_contacts(
    state: web::Data<AppState>,
    who: Require<Parent>,
) -> Result<web::Json<ContactsOut>, ApiError> {
    let list = service::families::care::contacts(&state.services, who.actor()).await?;
    Ok(web::Json(ContactsOut {
        contacts: list.into_iter().map(EmergencyContactOut::from).collect(),
    }))
}

/// Replace my family's emergency contacts (parent): at least two people the crèche can call, at
/// most five, in the order to call them.
#[utoipa::path(
    tag = "families",
    security(("bearer" = [])),
    request_body = ContactsBody,
    responses((status = 200, description = "The contacts now", body = ContactsOut), E400, E401, E403, E404, E413, E415, E422, E503)
)]
#[put("/me/family/emergency-contacts")]
pub async fn set_contacts(
    state: web::Data<AppState>,
    who: Require<Parent>,
    body: ApiJson<ContactsBody>,
) -> Result<web::Json<ContactsOut>, ApiError> {
    let b = body.into_inner();
    let problems = field_errors(&b);
    let contacts = b
        .contacts
        .into_iter()
        .map(|c| NewContact {
            name: c.name,
            relation: c.relation,
            phone: c.phone,
        })
        .collect();
    let list =
        service::families::care::set_contacts(&state.services, who.actor(), contacts, problems)
            .await?;
    Ok(web::Json(ContactsOut {
        contacts: list.into_iter().map(EmergencyContactOut::from).collect(),
    }))
}

/// Who may collect one of my children from the crèche (parent).
#[utoipa::path(
    tag = "families",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Child id")),
    responses((status = 200, description = "The collectors", body = CollectorsOut), E401, E403, E404, E503)
)]
#[get("/me/children/{id}/collectors")]
pub async fn my_collectors(
    state: web::Data<AppState>,
    who: Require<Parent>,
    id: web::Path<i32>,
) -> Result<web::Json<CollectorsOut>, ApiError> {
    let list =
        service::families::care::collectors(&state.services, who.actor(), id.into_inner()).await?;
    Ok(web::Json(CollectorsOut {
        collectors: list.into_iter().map(CollectorOut::from).collect(),
    }))
}

/// Add someone who may collect one of my children (parent), with an optional collection
/// password.
#[utoipa::path(
    tag = "families",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Child id")),
    request_body = CollectorBody,
    responses(
        (status = 201, description = "Added", body = CollectorOut),
        E400, E401, E403, E404, E413, E415, E422, E503,
    )
)]
#[post("/me/children/{id}/collectors")]
pub async fn add_collector(
    state: web::Data<AppState>,
    who: Require<Parent>,
    id: web::Path<i32>,
    body: ApiJson<CollectorBody>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    ApiError::check_fields(field_errors(&b))?;
    let child_id = id.into_inner();
    let password_hash = match b.password {
        Some(pw) => Some(hash_password(pw).await?),
        None => None,
    };
    let cmd = AddCollector {
        child_id,
        name: b.name,
        relation: b.relation,
        password_hash,
    };
    let added = service::families::care::add_collector(&state.services, who.actor(), cmd).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/me/children/{child_id}/collectors"),
        ))
        .json(CollectorOut::from(added)))
}

/// Remove someone from those who may collect one of my children (parent).
#[utoipa::path(
    tag = "families",
    security(("bearer" = [])),
    params(
        ("id" = i32, Path, description = "Child id"),
        ("collector_id" = i32, Path, description = "Collector id"),
    ),
    responses((status = 204, description = "Removed"), E401, E403, E404, E503)
)]
#[delete("/me/children/{id}/collectors/{collector_id}")]
pub async fn remove_collector(
    state: web::Data<AppState>,
    who: Require<Parent>,
    path: web::Path<(i32, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (child_id, collector_id) = path.into_inner();
    service::families::care::remove_collector(&state.services, who.actor(), child_id, collector_id)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A child's care details, emergency contacts and collectors, for staff who need to know.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChildCareOut {
    pub child_id: i32,
    pub has_care_notes: bool,
    /// The rest only for coordinators and the lead and crèche workers of the child's cohort.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub care: Option<CareOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emergency_contacts: Option<Vec<EmergencyContactOut>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collectors: Option<Vec<CollectorOut>>,
}

/// What the crèche needs to know about a child (staff). Coordinators, and the lead and crèche
/// workers of a cohort where the child has a crèche place, get the care details, the family's
/// emergency contacts and who may collect the child; other facilitators of that cohort get only
/// whether the child has care notes; anyone else 404. Every read is audited.
#[utoipa::path(
    tag = "families",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Child id")),
    responses((status = 200, description = "The child's care details, or only the flag", body = ChildCareOut), E401, E403, E404, E503)
)]
#[get("/children/{id}/care")]
pub async fn child_care(
    state: web::Data<AppState>,
    who: Require<Staff>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let read =
        service::families::care::child_care(&state.services, who.actor(), id.into_inner()).await?;
    let out = match read {
        CareRead::FlagOnly {
            child_id,
            has_care_notes,
        } => ChildCareOut {
            child_id,
            has_care_notes,
            first_name: None,
            care: None,
            emergency_contacts: None,
            collectors: None,
        },
        CareRead::Full {
            child,
            contacts,
            collectors,
        } => {
            let care = CareOut::from(&*child);
            ChildCareOut {
                child_id: child.id,
                has_care_notes: care.has_care_notes,
                first_name: Some(child.first_name),
                care: Some(care),
                emergency_contacts: Some(
                    contacts
                        .into_iter()
                        .map(EmergencyContactOut::from)
                        .collect(),
                ),
                collectors: Some(collectors.into_iter().map(CollectorOut::from).collect()),
            }
        }
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(out))
}
