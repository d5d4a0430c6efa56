//! Role checks declared in handler signatures: `Require<Coordinator>` admits coordinators and
//! admins, answers 401 without a valid access token and 403 for other roles.

use crate::app::AppState;
use crate::auth::tokens::TokenSubject;
use crate::domain::role::Role;
use crate::error::ApiError;
use crate::service::Actor;
use crate::store;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

/// A set of roles allowed through.
pub trait RoleSet {
    const ROLES: &'static [Role];
}

/// Admins only.
pub struct Admin;
/// Coordinators and admins.
pub struct Coordinator;
/// Any staff: facilitators, coordinators, admins.
pub struct Staff;
/// Parents only (their own family's data).
pub struct Parent;
/// Any signed-in user.
pub struct AnyUser;

impl RoleSet for Admin {
    const ROLES: &'static [Role] = &[Role::Admin];
}
impl RoleSet for Coordinator {
    const ROLES: &'static [Role] = &[Role::Admin, Role::Coordinator];
}
impl RoleSet for Staff {
    const ROLES: &'static [Role] = &[Role::Admin, Role::Coordinator, Role::Facilitator];
}
impl RoleSet for Parent {
    const ROLES: &'static [Role] = &[Role::Parent];
}
impl RoleSet for AnyUser {
    const ROLES: &'static [Role] = &[
        Role::Admin,
        Role::Coordinator,
        Role::Facilitator,
        Role::Parent,
    ];
}

/// The signed-in user, admitted because their role is in `R`.
pub struct Require<R: RoleSet> {
    pub user: TokenSubject,
    _roles: PhantomData<R>,
}

impl<R: RoleSet> Require<R> {
    /// The signed-in user as the use cases see them.
    pub fn actor(&self) -> Actor {
        Actor::User {
            id: self.user.user_id,
            role: self.user.role,
        }
    }
}

impl<R: RoleSet> FromRequest for Require<R> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let user = authenticate(&req).await?;
            if R::ROLES.contains(&user.role) {
                Ok(Require {
                    user,
                    _roles: PhantomData,
                })
            } else {
                Err(ApiError::Forbidden(format!(
                    "this needs the {} role",
                    R::ROLES
                        .iter()
                        .map(|r| r.as_str())
                        .collect::<Vec<_>>()
                        .join(" or ")
                )))
            }
        })
    }
}

/// The token's user, as the database knows them now. A signed, unexpired token is not enough:
/// an account erased or disabled since the token was issued must lose access at once, not when
/// the token expires (up to 15 minutes later); and the role is the stored one.
async fn authenticate(req: &HttpRequest) -> Result<TokenSubject, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal("application state missing".into()))?;
    let id = verified_token(req, state)?.user_id;
    still_active(state, id).await
}

/// The user as the database knows them now (their stored role), or a 401 when the account is
/// gone or disabled: what every signed token (an access token, a report link) is checked by.
pub(crate) async fn still_active(state: &AppState, id: i32) -> Result<TokenSubject, ApiError> {
    let user = state.db(move |c| Ok(store::users::find(c, id)?)).await?;
    match user {
        Some(u) if !u.disabled => Ok(TokenSubject {
            user_id: u.id,
            role: u.role(),
        }),
        _ => {
            tracing::info!(
                user_id = id,
                "access token of a gone or disabled account refused"
            );
            Err(ApiError::Unauthorized(
                "this account is no longer active; sign in again".into(),
            ))
        }
    }
}

/// The subject of a valid access token in the Authorization header.
fn verified_token(req: &HttpRequest, state: &AppState) -> Result<TokenSubject, ApiError> {
    let value = req.headers().get(header::AUTHORIZATION).ok_or_else(|| {
        ApiError::Unauthorized("send an access token: Authorization: Bearer <token>".into())
    })?;
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::Unauthorized("the Authorization header must be Bearer <token>".into())
        })?;
    state.jwt.verify(token, state.now()).map_err(|reason| {
        tracing::info!(%reason, "access token refused");
        ApiError::Unauthorized("the access token is invalid or has expired".into())
    })
}
