//! A parent's own children: adding, reading, changing and removing them on their family's record.

use crate::api::access::{Parent, Require};
use crate::api::docs::{E400, E401, E403, E404, E409, E413, E415, E422, E503};
use crate::api::families::{audit_change, own_family};
use crate::api::field_errors;
use crate::api::json::ApiJson;
use crate::app::AppState;
use crate::domain::family::child_date_problems;
use crate::error::{ApiError, FieldErrors};
use crate::store::{self, families::Child};
use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

#[derive(Debug, Serialize, ToSchema)]
pub struct ChildOut {
    pub id: i32,
    pub first_name: String,
    pub date_of_birth: Option<NaiveDate>,
    /// For a baby not born yet.
    pub due_date: Option<NaiveDate>,
}

impl From<Child> for ChildOut {
    fn from(c: Child) -> Self {
        ChildOut {
            id: c.id,
            first_name: c.first_name,
            date_of_birth: c.date_of_birth,
            due_date: c.due_date,
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChildBody {
    #[validate(length(min = 1, max = 60))]
    #[schema(example = "Layla", min_length = 1, max_length = 60)]
    pub first_name: String,
    pub date_of_birth: Option<NaiveDate>,
    /// For a baby not born yet, instead of date_of_birth.
    pub due_date: Option<NaiveDate>,
}

/// Any subset. Giving `date_of_birth` for an expected baby records the birth (the due date goes).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChildPatch {
    #[validate(length(min = 1, max = 60))]
    #[schema(min_length = 1, max_length = 60)]
    pub first_name: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
}

fn add_problems(errors: &mut FieldErrors, problems: Vec<(&'static str, String)>) {
    for (field, msg) in problems {
        errors.entry(field.to_string()).or_default().push(msg);
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
    let mut errors = field_errors(&b);
    add_problems(
        &mut errors,
        child_date_problems(b.date_of_birth, b.due_date, state.now().date_naive()),
    );
    ApiError::check_fields(errors)?;
    let (user, now) = (who.user.user_id, state.now_naive());
    let child = state
        .write(move |c| {
            let f = own_family(c, user)?;
            let child = store::families::add_child(
                c,
                f.id,
                b.first_name.trim(),
                b.date_of_birth,
                b.due_date,
                now,
            )?;
            let detail = if child.date_of_birth.is_some() {
                "born"
            } else {
                "expected"
            };
            audit_change(
                c,
                user,
                now,
                f.id,
                "child_added",
                ("child", child.id),
                detail.into(),
            )?;
            Ok(child)
        })
        .await?;
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
    let (user, id) = (who.user.user_id, id.into_inner());
    let child = state
        .db(move |c| {
            let f = own_family(c, user)?;
            store::families::child_of(c, f.id, id)?.ok_or_else(|| ApiError::not_found("child"))
        })
        .await?;
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
    let (user, id, p) = (who.user.user_id, id.into_inner(), body.into_inner());
    let errors = field_errors(&p);
    let (today, now) = (state.now().date_naive(), state.now_naive());
    let child = state
        .write(move |c| {
            let f = own_family(c, user)?;
            let child = store::families::child_of(c, f.id, id)?
                .ok_or_else(|| ApiError::not_found("child"))?;
            // A date of birth replaces a due date (the baby has arrived), and vice versa.
            let (dob, due) = match (p.date_of_birth, p.due_date) {
                (Some(b), None) => (Some(b), None),
                (None, Some(d)) => (None, Some(d)),
                (None, None) => (child.date_of_birth, child.due_date),
                (b, d) => (b, d),
            };
            let mut errors = errors;
            add_problems(&mut errors, child_date_problems(dob, due, today));
            ApiError::check_fields(errors)?;
            let name = p
                .first_name
                .as_deref()
                .map(str::trim)
                .unwrap_or(&child.first_name)
                .to_string();
            let changed: Vec<&str> = [
                ("first_name", name != child.first_name),
                ("date_of_birth", dob != child.date_of_birth),
                ("due_date", due != child.due_date),
            ]
            .into_iter()
            .filter_map(|(field, differs)| differs.then_some(field))
            .collect();
            let detail = if changed.is_empty() {
                "no change".to_string()
            } else {
                format!("changed: {}", changed.join(", "))
            };
            let updated = store::families::update_child(c, id, &name, dob, due, now)?;
            audit_change(c, user, now, f.id, "child_updated", ("child", id), detail)?;
            Ok(updated)
        })
        .await?;
    state.listing_cache.invalidate();
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
    let (user, id, now) = (who.user.user_id, id.into_inner(), state.now_naive());
    state
        .write(move |c| {
            let f = own_family(c, user)?;
            // Crèche places and sign-ins refer to the child (foreign keys): refuse, do not fail.
            let deleted = store::families::delete_child(c, f.id, id).map_err(|e| match e {
                diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::ForeignKeyViolation,
                    _,
                ) => ApiError::Conflict(
                    "this child has had a crèche place in a group, so stays on the family's record"
                        .into(),
                ),
                e => e.into(),
            })?;
            if deleted {
                audit_change(
                    c,
                    user,
                    now,
                    f.id,
                    "child_removed",
                    ("child", id),
                    String::new(),
                )
            } else {
                Err(ApiError::not_found("child"))
            }
        })
        .await?;
    state.listing_cache.invalidate();
    Ok(HttpResponse::NoContent().finish())
}
