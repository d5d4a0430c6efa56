//! Staff accounts, made by an admin (parents register themselves). Staff records with
//! qualifications come with `/api/v1/staff`; these are the logins. The use cases are
//! `service::accounts::users`'s.

use crate::api::access::{Admin, Require};
use crate::api::accounts::auth::{check_password, hash_password};
use crate::api::accounts::me::UserOut;
use crate::api::docs::{E400, E401, E403, E404, E409, E413, E415, E422, E503};
use crate::api::json::ApiJson;
use crate::api::{validate, PageQuery};
use crate::app::AppState;
use crate::domain::role::Role;
use crate::error::ApiError;
use crate::service::{self, accounts::users::NewLogin, accounts::users::UserChange};
use crate::store;
use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    #[validate(email, length(max = 254))]
    #[schema(example = "sam.okafor@example.org", format = Email, max_length = 254)]
    pub email: String,
    /// The initial password, to hand over in person; same rules as for parents.
    #[schema(min_length = 10, max_length = 128)]
    pub password: String,
    #[validate(length(min = 1, max = 100))]
    #[schema(example = "Sam Okafor", min_length = 1, max_length = 100)]
    pub display_name: String,
    /// `admin`, `coordinator` or `facilitator`.
    pub role: Role,
}

/// What an admin can change on an account; fields left out stay as they are.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    /// `true` turns the login off at once (e.g. someone has left): it cannot sign in, its
    /// sessions end and its tokens are refused from the next request. `false` turns it on again.
    pub disabled: Option<bool>,
    #[validate(length(min = 1, max = 100))]
    #[schema(example = "Sam Okafor", min_length = 1, max_length = 100)]
    pub display_name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub items: Vec<UserOut>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    /// Only users with this role.
    pub role: Option<Role>,
}

/// Create a staff login (admin).
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    request_body = NewUserBody,
    responses(
        (status = 201, description = "Created", body = UserOut,
         headers(("Location" = String, description = "/api/v1/users/{id}")),
         links(("GetUser" = (operation_id = "get_user", parameters(("id" = "$response.body#/id")), description = "The login just made")))),
        E400, E401, E403, E409, E413, E415, E422, E503,
    )
)]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    admin: Require<Admin>,
    body: ApiJson<NewUserBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    validate(&body)?;
    service::accounts::users::check_staff_role(body.role)?;
    check_password(&body.password, &body.email)?;
    let cmd = NewLogin {
        email: body.email,
        password_hash: hash_password(body.password).await?,
        display_name: body.display_name,
        role: body.role,
    };
    let user = service::accounts::users::create_login(&state.services, admin.actor(), cmd).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/users/{}", user.id)))
        .json(UserOut::from(user)))
}

/// List user accounts (admin).
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(PageQuery, UserFilter),
    responses((status = 200, description = "Accounts", body = UserList), E400, E401, E403, E422, E503)
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    _admin: Require<Admin>,
    page: web::Query<PageQuery>,
    filter: web::Query<UserFilter>,
) -> Result<web::Json<UserList>, ApiError> {
    let (limit, offset) = page.checked()?;
    let role = filter.role;
    let page = state
        .db(move |c| Ok(store::users::list(c, role, limit, offset)?))
        .await?;
    Ok(web::Json(UserList {
        items: page.items.into_iter().map(UserOut::from).collect(),
        total: page.total,
        limit,
        offset,
    }))
}

/// One user account (admin).
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "User id")),
    responses((status = 200, description = "The account", body = UserOut), E401, E403, E404, E503)
)]
#[get("/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    _admin: Require<Admin>,
    id: web::Path<i32>,
) -> Result<web::Json<UserOut>, ApiError> {
    let id = id.into_inner();
    let user = state
        .db(move |c| Ok(store::users::find(c, id)?))
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    Ok(web::Json(user.into()))
}

/// Change an account (admin): turn a login off or on again, or correct its name. An admin
/// cannot disable their own account, so there is always an admin left. Audited.
#[utoipa::path(
    tag = "users",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "User id")),
    request_body = UserPatch,
    responses((status = 200, description = "The account after the change", body = UserOut),
              E400, E401, E403, E404, E409, E413, E415, E422, E503)
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    admin: Require<Admin>,
    id: web::Path<i32>,
    body: ApiJson<UserPatch>,
) -> Result<web::Json<UserOut>, ApiError> {
    let body = body.into_inner();
    validate(&body)?;
    if let Some(name) = &body.display_name {
        if name.trim().is_empty() {
            return Err(ApiError::field("display_name", "must not be blank"));
        }
    }
    let change = UserChange {
        disabled: body.disabled,
        display_name: body.display_name,
    };
    let user = service::accounts::users::change_user(
        &state.services,
        admin.actor(),
        id.into_inner(),
        change,
    )
    .await?;
    Ok(web::Json(user.into()))
}
