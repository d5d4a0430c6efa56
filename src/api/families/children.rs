//! A parent's own children: adding, reading, changing and removing them on their family's record.
//! The rules and the transaction are `service::families::children`'s.

use crate::api::access::{Parent, Require};
use crate::api::docs::{E400, E401, E403, E404, E409, E413, E415, E422, E503};
use crate::api::field_errors;
use crate::api::json::ApiJson;
use crate::app::AppState;
use crate::error::ApiError;
use crate::service::{
    self,
    families::care::CarePatch,
    families::children::{AddChild, UpdateChild},
};
use crate::store::families::Child;
use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// A child as their own parent sees them, with what the crèche needs to know.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChildOut {
    pub id: i32,
    pub first_name: String,
    pub date_of_birth: Option<NaiveDate>,
    /// For a baby not born yet.
    pub due_date: Option<NaiveDate>,
    /// Special educational needs or a disability, as the family says, for monitoring.
    #[schema(schema_with = crate::api::families::monitoring::send_schema)]
    pub send: String,
    #[serde(flatten)]
    pub care: CareOut,
}

/// What the crèche needs to know about a child ('' for nothing).
#[derive(Debug, Serialize, ToSchema)]
pub struct CareOut {
    pub allergies: String,
    pub dietary_needs: String,
    pub medical_needs: String,
    pub medicines: String,
    /// The parent's written consent to give the medicines, and the date it was given.
    pub medicines_consent: bool,
    pub medicines_consent_date: Option<NaiveDate>,
    /// Special educational needs and disabilities (SEND).
    pub additional_needs: String,
    /// Whether any of the notes above says something.
    pub has_care_notes: bool,
}

impl From<&Child> for CareOut {
    fn from(c: &Child) -> Self {
        let care = c.care();
        CareOut {
            has_care_notes: care.any(),
            allergies: care.allergies,
            dietary_needs: care.dietary_needs,
            medical_needs: care.medical_needs,
            medicines: care.medicines,
            medicines_consent: care.medicines_consent,
            medicines_consent_date: care.medicines_consent_date,
            additional_needs: care.additional_needs,
        }
    }
}

impl From<Child> for ChildOut {
    fn from(c: Child) -> Self {
        ChildOut {
            care: CareOut::from(&c),
            id: c.id,
            first_name: c.first_name,
            date_of_birth: c.date_of_birth,
            due_date: c.due_date,
            send: c.send,
        }
    }
}

/// A child on a family's record: the care details themselves are read on a need-to-know basis
/// (`GET /api/v1/children/{id}/care`, or the parent's `/me/children`).
#[derive(Debug, Serialize, ToSchema)]
pub struct FamilyChildOut {
    pub id: i32,
    pub first_name: String,
    pub date_of_birth: Option<NaiveDate>,
    /// For a baby not born yet.
    pub due_date: Option<NaiveDate>,
    /// Whether the child has care notes (allergies, diet, health, medicines, additional needs).
    pub has_care_notes: bool,
}

impl From<Child> for FamilyChildOut {
    fn from(c: Child) -> Self {
        FamilyChildOut {
            has_care_notes: c.care().any(),
            id: c.id,
            first_name: c.first_name,
            date_of_birth: c.date_of_birth,
            due_date: c.due_date,
        }
    }
}

/// Declares a request body's care fields, all optional (omitted: unchanged, or none).
macro_rules! care_body {
    ($(#[$m:meta])* pub struct $name:ident { $($body:tt)* }) => {
        $(#[$m])*
        pub struct $name {
            $($body)*
            /// Allergies, and what to do about them.
            #[schema(max_length = 2000, pattern = r"^[^\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F-\u009F]*$")]
            pub allergies: Option<String>,
            #[schema(max_length = 2000, pattern = r"^[^\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F-\u009F]*$")]
            pub dietary_needs: Option<String>,
            #[schema(max_length = 2000, pattern = r"^[^\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F-\u009F]*$")]
            pub medical_needs: Option<String>,
            /// Medicines the crèche may give, with the parent's written consent.
            #[schema(max_length = 2000, pattern = r"^[^\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F-\u009F]*$")]
            pub medicines: Option<String>,
            pub medicines_consent: Option<bool>,
            /// When the parent gave written consent; needed when consent is given for medicines,
            /// and not in the future.
            pub medicines_consent_date: Option<NaiveDate>,
            /// Special educational needs and disabilities (SEND).
            #[schema(max_length = 2000, pattern = r"^[^\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F-\u009F]*$")]
            pub additional_needs: Option<String>,
        }
        impl $name {
            fn care(&self) -> CarePatch {
                CarePatch {
                    allergies: self.allergies.clone(),
                    dietary_needs: self.dietary_needs.clone(),
                    medical_needs: self.medical_needs.clone(),
                    medicines: self.medicines.clone(),
                    medicines_consent: self.medicines_consent,
                    medicines_consent_date: self.medicines_consent_date,
                    additional_needs: self.additional_needs.clone(),
                }
            }
        }
    };
}

care_body! {
    #[derive(Debug, Deserialize, Validate, ToSchema)]
    #[serde(deny_unknown_fields)]
    pub struct ChildBody {
        #[validate(length(min = 1, max = 60))]
        #[schema(example = "Layla", min_length = 1, max_length = 60)]
        pub first_name: String,
        pub date_of_birth: Option<NaiveDate>,
        /// For a baby not born yet, instead of date_of_birth.
        pub due_date: Option<NaiveDate>,
        /// Monitoring: special educational needs or a disability, as the family says
        /// (optional; without it, not asked).
        #[schema(schema_with = crate::api::families::monitoring::send_schema)]
        pub send: Option<String>,
    }
}

care_body! {
    /// Any subset. Giving `date_of_birth` for an expected baby records the birth (the due date
    /// goes); giving `medicines_consent: false` withdraws consent and its date.
    #[derive(Debug, Deserialize, Validate, ToSchema)]
    #[serde(deny_unknown_fields)]
    pub struct ChildPatch {
        #[validate(length(min = 1, max = 60))]
        #[schema(min_length = 1, max_length = 60)]
        pub first_name: Option<String>,
        pub date_of_birth: Option<NaiveDate>,
        pub due_date: Option<NaiveDate>,
        /// Monitoring: special educational needs or a disability, as the family says.
        #[schema(schema_with = crate::api::families::monitoring::send_schema)]
        pub send: Option<String>,
    }
}

/// Add a child, born or expected (parent).
#[utoipa::path(
    tag = "families",
    security(("bearer" = [])),
    request_body = ChildBody,
    responses(
        (status = 201, description = "Added", body = ChildOut, headers(("Location" = String, description = "/api/v1/me/children/{id}")),
         links(("GetChild" = (operation_id = "get_child", parameters(("id" = "$response.body#/id")), description = "The child just added")), ("UpdateChild" = (operation_id = "update_child", parameters(("id" = "$response.body#/id")), description = "Change their details")), ("DeleteChild" = (operation_id = "delete_child", parameters(("id" = "$response.body#/id")), description = "Remove them")))),
        E400, E401, E403, E404, E413, E415, E422, E503,
    )
)]
#[post("/me/children")]
pub async fn add_child(
    state: web::Data<AppState>,
    who: Require<Parent>,
    body: ApiJson<ChildBody>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let cmd = AddChild {
        request_problems: field_errors(&b),
        care: b.care(),
        send: b.send,
        first_name: b.first_name,
        date_of_birth: b.date_of_birth,
        due_date: b.due_date,
    };
    let child = service::families::children::add_child(&state.services, who.actor(), cmd).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/me/children/{}", child.id),
        ))
        .json(ChildOut::from(child)))
}

/// One of my children (parent).
#[utoipa::path(
    tag = "families",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Child id")),
    responses((status = 200, description = "The child", body = ChildOut), E401, E403, E404, E503)
)]
#[get("/me/children/{id}")]
pub async fn get_child(
    state: web::Data<AppState>,
    who: Require<Parent>,
    id: web::Path<i32>,
) -> Result<web::Json<ChildOut>, ApiError> {
    let child =
        service::families::children::child(&state.services, who.actor(), id.into_inner()).await?;
    Ok(web::Json(child.into()))
}

/// Change a child's name or dates (parent); giving a date of birth for an expected baby records
/// the birth.
#[utoipa::path(
    tag = "families",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Child id")),
    request_body = ChildPatch,
    responses((status = 200, description = "Updated", body = ChildOut), E400, E401, E403, E404, E413, E415, E422, E503)
)]
#[patch("/me/children/{id}")]
pub async fn update_child(
    state: web::Data<AppState>,
    who: Require<Parent>,
    id: web::Path<i32>,
    body: ApiJson<ChildPatch>,
) -> Result<web::Json<ChildOut>, ApiError> {
    let p = body.into_inner();
    let cmd = UpdateChild {
        child_id: id.into_inner(),
        request_problems: field_errors(&p),
        care: p.care(),
        send: p.send,
        first_name: p.first_name,
        date_of_birth: p.date_of_birth,
        due_date: p.due_date,
    };
    let child =
        service::families::children::update_child(&state.services, who.actor(), cmd).await?;
    Ok(web::Json(child.into()))
}

/// Remove a child from my family (parent). A child who has (or had) a crèche place in a group
/// stays on the family's record, for the crèche register: 409.
#[utoipa::path(
    tag = "families",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Child id")),
    responses((status = 204, description = "Removed"), E401, E403, E404, E409, E503)
)]
#[delete("/me/children/{id}")]
pub async fn delete_child(
    state: web::Data<AppState>,
    who: Require<Parent>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    service::families::children::remove_child(&state.services, who.actor(), id.into_inner())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
