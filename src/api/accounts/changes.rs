//! A signed-in person changes their password, or (a parent) their email address. Both need the
//! current password, checked against the account's lockout, so a stolen access token cannot
//! take the account over.

use super::auth::{token_response, TokenResponse};
use crate::api::access::{AnyUser, Parent, Require};
use crate::api::docs::{E400, E401, E403, E409, E413, E415, E422, E429, E503};
use crate::api::json::ApiJson;
use crate::api::validate;
use crate::app::AppState;
use crate::error::ApiError;
use crate::service::accounts::{email_change, passwords};
use actix_web::{post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordBody {
    pub current_password: String,
    /// At least 10 characters; not a common password; not your email address.
    #[schema(example = "a new memorable phrase", min_length = 10, max_length = 128)]
    pub new_password: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeEmailBody {
    #[validate(email, length(max = 254))]
    #[schema(example = "amira.new@example.org", format = Email, max_length = 254)]
    pub new_email: String,
    /// The account's password, to confirm.
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EmailChangeSentOut {
    /// The new address, where the link went.
    pub sent_to: String,
    /// Until when the link works.
    pub expires_at: DateTime<Utc>,
}

/// Change my password.
///
/// The current password must be given (422 `errors.current_password` when wrong; repeated
/// failures lock the account for a while, 429). Every session of the account ends and a new one
/// starts here: the answer is a new token pair, and other devices must sign in again. The
/// account is told by email.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    request_body = ChangePasswordBody,
    responses(
        (status = 200, description = "Changed; a new token pair for this device", body = TokenResponse),
        E400, E401, E413, E415, E422, E429, E503,
    )
)]
#[post("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    who: Require<AnyUser>,
    body: ApiJson<ChangePasswordBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let cmd = passwords::ChangePassword {
        user_id: who.user.user_id,
        current_password: body.current_password,
        new_password: body.new_password,
        session_days: state.config.refresh_token_days,
    };
    let signed_in = passwords::change_password(&state.services, cmd).await?;
    Ok(HttpResponse::Ok().json(token_response(&state, signed_in)?))
}

/// Change my email address (parent).
///
/// The password must be given (422 `errors.password` when wrong, 429 after repeated failures).
/// A link is sent to the new address; until it is opened
/// (`POST /auth/email-change/confirm`), the account keeps signing in with the old address.
/// 422 `errors.new_email` when it is already this account's address; 409 when another account
/// uses it.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    request_body = ChangeEmailBody,
    responses(
        (status = 202, description = "A link was sent to the new address", body = EmailChangeSentOut),
        E400, E401, E403, E409, E413, E415, E422, E429, E503,
    )
)]
#[post("/me/email")]
pub async fn change_email(
    state: web::Data<AppState>,
    who: Require<Parent>,
    body: ApiJson<ChangeEmailBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    validate(&body)?;
    let cmd = email_change::RequestEmailChange {
        user_id: who.user.user_id,
        new_email: body.new_email,
        password: body.password,
    };
    let sent = email_change::request_email_change(&state.services, cmd).await?;
    Ok(HttpResponse::Accepted().json(EmailChangeSentOut {
        sent_to: sent.sent_to,
        expires_at: sent.expires_at,
    }))
}
