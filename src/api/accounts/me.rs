//! `GET /api/v1/me`: who am I.

use crate::api::access::{AnyUser, Require};
use crate::api::docs::{E401, E503};
use crate::app::AppState;
use crate::domain::role::Role;
use crate::error::ApiError;
use crate::store;
use actix_web::{get, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct UserOut {
    pub id: i32,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    /// A disabled account cannot sign in, and its tokens are refused.
    pub disabled: bool,
}

impl From<store::users::User> for UserOut {
    fn from(u: store::users::User) -> Self {
        UserOut {
            id: u.id,
            role: u.role(),
            email: u.email,
            display_name: u.display_name,
            created_at: crate::api::utc(u.created_at),
            disabled: u.disabled,
        }
    }
}

/// The signed-in user.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses((status = 200, description = "The signed-in user", body = UserOut), E401, E503)
)]
#[get("/me")]
pub async fn me(
    state: web::Data<AppState>,
    who: Require<AnyUser>,
) -> Result<web::Json<UserOut>, ApiError> {
    let id = who.user.user_id;
    let user = state
        .db(move |c| Ok(store::users::find(c, id)?))
        .await?
        .filter(|u| !u.disabled)
        .ok_or_else(|| ApiError::Unauthorized("this account no longer exists".into()))?;
    Ok(web::Json(user.into()))
}
