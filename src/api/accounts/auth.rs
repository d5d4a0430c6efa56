//! Accounts and tokens: parents register themselves; everyone logs in, refreshes and logs out.

use crate::api::docs::{E400, E401, E409, E413, E415, E422, E429, E503};
use crate::api::json::ApiJson;
use crate::api::validate;
use crate::app::AppState;
use crate::auth::{password, tokens};
use crate::domain::role::Role;
use crate::error::ApiError;
use crate::store::{self, users::User};
use actix_web::http::header;
use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::Duration;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// A parent's sign-up (its own schema name: `RegisterBody` is the register of a session).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterAccountBody {
    #[validate(email, length(max = 254))]
    #[schema(example = "amira@example.org", format = Email, max_length = 254)]
    pub email: String,
    /// At least 10 characters; not a common password; not your email address.
    #[schema(example = "a long memorable phrase", min_length = 10, max_length = 128)]
    pub password: String,
    #[validate(length(min = 1, max = 100))]
    #[schema(example = "Amira", min_length = 1, max_length = 100)]
    pub display_name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    #[schema(example = "amira@example.org")]
    pub email: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshBody {
    pub refresh_token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenUser {
    pub id: i32,
    pub email: String,
    pub role: Role,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Opaque; use once at /auth/refresh to get a new pair.
    pub refresh_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: i64,
    pub user: TokenUser,
}

/// Makes an access token and a new refresh-token family for `user`.
async fn start_session(state: &web::Data<AppState>, user: User) -> Result<TokenResponse, ApiError> {
    let refresh_token = tokens::random_secret();
    let (hash, family) = (tokens::hash_opaque(&refresh_token), tokens::random_secret());
    let now = state.now_naive();
    let expires = now + Duration::days(state.config.refresh_token_days);
    let user_id = user.id;
    state
        .write(move |c| {
            Ok(store::logins::insert(
                c, user_id, &hash, &family, now, expires,
            )?)
        })
        .await?;
    token_response(state, &user, refresh_token)
}

fn token_response(
    state: &AppState,
    user: &User,
    refresh_token: String,
) -> Result<TokenResponse, ApiError> {
    let subject = tokens::TokenSubject {
        user_id: user.id,
        role: user.role(),
    };
    let minutes = state.config.access_token_minutes;
    Ok(TokenResponse {
        access_token: state
            .jwt
            .issue(subject, state.now(), minutes)
            .map_err(ApiError::Internal)?,
        refresh_token,
        token_type: "Bearer",
        expires_in: minutes * 60,
        user: TokenUser {
            id: user.id,
            email: user.email.clone(),
            role: user.role(),
        },
    })
}

/// Hashes on the blocking pool: argon2 is deliberately slow.
pub async fn hash_password(pw: String) -> Result<String, ApiError> {
    web::block(move || password::hash(&pw))
        .await?
        .map_err(ApiError::Internal)
}

/// 422 when the password breaks the rules.
pub fn check_password(pw: &str, email: &str) -> Result<(), ApiError> {
    let problems = crate::domain::password::problems(pw, email);
    ApiError::check_fields(
        [("password".to_string(), problems)]
            .into_iter()
            .filter(|(_, p)| !p.is_empty())
            .collect(),
    )
}

/// Register a parent account.
///
/// Parents need no referral: anyone can register and then book. Staff accounts are made by an
/// admin instead.
#[utoipa::path(
    tag = "auth",
    request_body = RegisterAccountBody,
    responses(
        (status = 201, description = "Registered and signed in", body = TokenResponse,
         headers(("Location" = String, description = "/api/v1/me"))),
        E400, E409, E413, E415, E422, E503,
    )
)]
#[post("/auth/register")]
pub async fn register(
    state: web::Data<AppState>,
    body: ApiJson<RegisterAccountBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    validate(&body)?;
    check_password(&body.password, &body.email)?;
    let hash = hash_password(body.password).await?;
    let now = state.now_naive();
    let user = state
        .db(move |c| {
            // The account and its family are made together: every parent has exactly one.
            crate::db::write_transaction(c, |c| {
                let new = store::users::NewUser {
                    email: &body.email,
                    password_hash: &hash,
                    display_name: &body.display_name,
                    role: Role::Parent,
                    now,
                };
                let user = store::users::insert(c, new).map_err(|e| match e {
                    e if crate::db::unique_violated(&e) == Some(crate::db::Unique::UserEmail) => {
                        ApiError::Conflict(
                            "an account with this email already exists; log in instead".into(),
                        )
                    }
                    e => e.into(),
                })?;
                let family = store::families::create_for_user(
                    c,
                    user.id,
                    user.display_name.as_str(),
                    user.email.as_str(),
                    now,
                )?;
                crate::api::families::audit_change(
                    c,
                    user.id,
                    now,
                    family.id,
                    "family_created",
                    ("family", family.id),
                    "registered".into(),
                )?;
                Ok(user)
            })
        })
        .await?;
    let tokens = start_session(&state, user).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, "/api/v1/me"))
        .json(tokens))
}

/// Log in with email and password.
///
/// A wrong password and an unknown email get the same answer. Repeated failures for one account,
/// or many attempts from one address, are refused with 429 for a while.
#[utoipa::path(
    tag = "auth",
    request_body = LoginBody,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        E400, E401, E413, E415, E422, E429, E503,
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<LoginBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let now = state.now();
    let address = format!(
        "addr:{}",
        req.peer_addr()
            .map(|a| a.ip().to_string())
            .unwrap_or_default()
    );
    let account = format!("acct:{}", store::users::normalise_email(&body.email));
    for (limiter, key) in [
        (&state.login_by_address, &address),
        (&state.login_by_account, &account),
    ] {
        if let Some(retry_after_secs) = limiter.blocked_for(key, now) {
            return Err(ApiError::TooManyRequests { retry_after_secs });
        }
    }
    state.login_by_address.record(&address, now);
    let email = body.email.clone();
    let user = state
        .db(move |c| Ok(store::users::find_by_email(c, &email)?))
        .await?;
    let pw = body.password;
    let verified = web::block(move || match user {
        Some(u) if password::verify(&pw, &u.password_hash) && !u.disabled => Some(u),
        Some(_) => None,
        None => {
            password::verify_dummy(&pw);
            None
        }
    })
    .await?;
    let Some(user) = verified else {
        state.login_by_account.record(&account, now);
        return Err(ApiError::Unauthorized(
            "email or password is incorrect".into(),
        ));
    };
    state.login_by_account.clear(&account);
    Ok(HttpResponse::Ok().json(start_session(&state, user).await?))
}

/// Swap a refresh token for a new pair.
///
/// Each refresh token works once. Presenting one that was already used signs that login out
/// everywhere (it may have been stolen).
#[utoipa::path(
    tag = "auth",
    request_body = RefreshBody,
    responses(
        (status = 200, description = "New token pair", body = TokenResponse),
        E400, E401, E413, E415, E422, E503,
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    body: ApiJson<RefreshBody>,
) -> Result<HttpResponse, ApiError> {
    let presented = tokens::hash_opaque(body.refresh_token.trim());
    let next = tokens::random_secret();
    let next_hash = tokens::hash_opaque(&next);
    let now = state.now_naive();
    let expires = now + Duration::days(state.config.refresh_token_days);
    let user = state
        .db(move |c| {
            use store::logins::Rotation;
            match store::logins::rotate(c, &presented, &next_hash, now, expires)? {
                Rotation::Rotated { user_id } => {
                    Ok(store::users::find(c, user_id)?.filter(|u| !u.disabled))
                }
                Rotation::Reused => {
                    tracing::warn!("refresh token reused: its login family is revoked");
                    Ok(None)
                }
                Rotation::Invalid => Ok(None),
            }
        })
        .await?
        .ok_or_else(|| {
            ApiError::Unauthorized(
                "the refresh token is invalid, used or expired; log in again".into(),
            )
        })?;
    Ok(HttpResponse::Ok().json(token_response(&state, &user, next)?))
}

/// Log out: the refresh token and every token rotated from it stop working.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshBody,
    responses((status = 204, description = "Logged out (also when the token was unknown)"), E400, E413, E415, E422, E503)
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    body: ApiJson<RefreshBody>,
) -> Result<HttpResponse, ApiError> {
    let hash = tokens::hash_opaque(body.refresh_token.trim());
    let now = state.now_naive();
    state
        .write(move |c| Ok(store::logins::revoke_by_token(c, &hash, now)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
