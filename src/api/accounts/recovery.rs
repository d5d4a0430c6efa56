//! Links sent by email that need no sign-in: asking for a password-reset link, choosing the new
//! password with it, and confirming a new address. The use cases are
//! `service::accounts::{passwords, email_change}`'s.

use super::auth::client_address;
use crate::api::docs::{E400, E409, E413, E415, E422, E429, E503};
use crate::api::json::ApiJson;
use crate::api::validate;
use crate::app::AppState;
use crate::error::ApiError;
use crate::service::accounts::{email_change, passwords};
use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

/// The answer to every reset request, whether or not an account uses the address.
const RESET_SENT: &str = "If an account uses this address, we have sent it a link to choose a \
                          new password. The link works for one hour.";

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetBody {
    #[validate(email, length(max = 254))]
    #[schema(example = "amira@example.org", format = Email, max_length = 254)]
    pub email: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordResetRequested {
    /// The same words for every address: whether it has an account is not told.
    #[schema(
        example = "If an account uses this address, we have sent it a link to choose a new password. The link works for one hour."
    )]
    pub message: &'static str,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirmBody {
    /// The `token` of the link in the email.
    pub token: String,
    /// At least 10 characters; not a common password; not your email address.
    #[schema(example = "a new memorable phrase", min_length = 10, max_length = 128)]
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailChangeConfirmBody {
    /// The `token` of the link sent to the new address.
    pub token: String,
}

/// Ask for a link to choose a new password.
///
/// Always answers 202 with the same words, whether or not an account uses the address, so the
/// answer never tells who has an account. When one does (and is in use), a link that works once,
/// for one hour, is emailed to it; asking again ends the earlier link. Requests are limited per
/// address asked for and per client (429), in the database, across every process.
#[utoipa::path(
    tag = "auth",
    request_body = PasswordResetBody,
    responses(
        (status = 202, description = "Taken (the same for every address)", body = PasswordResetRequested),
        E400, E413, E415, E422, E429, E503,
    )
)]
#[post("/auth/password-reset")]
pub async fn request_password_reset(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<PasswordResetBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    validate(&body)?;
    let cmd = passwords::RequestReset {
        email: body.email,
        from_address: client_address(&req),
    };
    passwords::request_reset(&state.services, cmd).await?;
    Ok(HttpResponse::Accepted().json(PasswordResetRequested {
        message: RESET_SENT,
    }))
}

/// Choose a new password with the link from the email.
///
/// The new password follows the same rules as at sign-up. The link works once; a used,
/// replaced or expired link is 422 (`errors.token`). Every session of the account ends: sign in
/// again with the new password. The account is told by email.
#[utoipa::path(
    tag = "auth",
    request_body = PasswordResetConfirmBody,
    responses(
        (status = 204, description = "The new password is set; every session has ended"),
        E400, E413, E415, E422, E503,
    )
)]
#[post("/auth/password-reset/confirm")]
pub async fn confirm_password_reset(
    state: web::Data<AppState>,
    body: ApiJson<PasswordResetConfirmBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let cmd = passwords::ResetPassword {
        token: body.token,
        password: body.password,
    };
    passwords::reset_password(&state.services, cmd).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Confirm a new email address with the link sent to it.
///
/// From now on the account signs in with the new address, and the family's contact address
/// follows when it was the old one. The old address is told of the change. The link works once
/// (422 `errors.token` otherwise); 409 when another account has taken the address meanwhile.
#[utoipa::path(
    tag = "auth",
    request_body = EmailChangeConfirmBody,
    responses(
        (status = 204, description = "The account's address is changed"),
        E400, E409, E413, E415, E422, E503,
    )
)]
#[post("/auth/email-change/confirm")]
pub async fn confirm_email_change(
    state: web::Data<AppState>,
    body: ApiJson<EmailChangeConfirmBody>,
) -> Result<HttpResponse, ApiError> {
    email_change::confirm_email_change(&state.services, body.into_inner().token).await?;
    Ok(HttpResponse::NoContent().finish())
}
