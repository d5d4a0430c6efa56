//! Accounts and tokens: parents register themselves; everyone logs in, refreshes and logs out.
//! The use cases are `service::accounts`'s; access tokens (JWTs) and login rate limits are made
//! here.

use crate::api::docs::{E400, E401, E409, E413, E415, E422, E429, E503};
use crate::api::json::ApiJson;
use crate::api::validate;
use crate::app::AppState;
use crate::auth::{password, tokens};
use crate::domain::role::Role;
use crate::error::ApiError;
use crate::service::limits::{self, Limit};
use crate::service::{
    self,
    accounts::registration::RegisterParent,
    accounts::sessions::{Refresh, SignIn, SignedIn},
};
use actix_web::http::header;
use actix_web::{post, web, HttpRequest, HttpResponse};
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

/// The answer to a sign-in: an access token for the person signed in, and their new refresh
/// token.
pub(crate) fn token_response(
    state: &AppState,
    signed_in: SignedIn,
) -> Result<TokenResponse, ApiError> {
    let SignedIn {
        user,
        refresh_token,
    } = signed_in;
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
            role: user.role(),
            email: user.email,
        },
    })
}

/// The client's address, as the shared rate limits count it.
pub fn client_address(req: &HttpRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default()
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
        E400, E409, E413, E415, E422, E429, E503,
    )
)]
#[post("/auth/register")]
pub async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<RegisterAccountBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    validate(&body)?;
    check_password(&body.password, &body.email)?;
    // Counted before the password is hashed: a flood of sign-ups costs no hashing.
    let address = client_address(&req);
    limits::attempt(&state.services, Limit::RegistrationFromAddress, &address).await?;
    let cmd = RegisterParent {
        email: body.email,
        password_hash: hash_password(body.password).await?,
        display_name: body.display_name,
        session_days: state.config.refresh_token_days,
    };
    let signed_in = service::accounts::registration::register_parent(&state.services, cmd).await?;
    let tokens = token_response(&state, signed_in)?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, "/api/v1/me"))
        .json(tokens))
}

/// Log in with email and password.
///
/// A wrong password and an unknown email get the same answer. Repeated failures for one account
/// lock it for a while (429 `account-locked`, said whatever password is given, so it never tells
/// whether the password was right); many attempts from one address are refused with 429 too.
/// The limits are kept in the database: every process serving the API counts the same attempts.
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
    let cmd = SignIn {
        email: body.email,
        password: body.password,
        session_days: state.config.refresh_token_days,
        from_address: client_address(&req),
    };
    let Some(signed_in) = service::accounts::sessions::sign_in(&state.services, cmd).await? else {
        return Err(ApiError::Unauthorized(
            "email or password is incorrect".into(),
        ));
    };
    Ok(HttpResponse::Ok().json(token_response(&state, signed_in)?))
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
    let cmd = Refresh {
        refresh_token: body.into_inner().refresh_token,
        session_days: state.config.refresh_token_days,
    };
    let signed_in = service::accounts::sessions::refresh(&state.services, cmd)
        .await?
        .ok_or_else(|| {
            ApiError::Unauthorized(
                "the refresh token is invalid, used or expired; log in again".into(),
            )
        })?;
    Ok(HttpResponse::Ok().json(token_response(&state, signed_in)?))
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
    service::accounts::sessions::sign_out(&state.services, &body.refresh_token).await?;
    Ok(HttpResponse::NoContent().finish())
}
