//! Confirming a parent's email address with the link their first booking confirmation carries
//! (or one they asked for), and asking for a new link. The use cases are `service::accounts::confirmation`'s.

use crate::api::access::{Parent, Require};
use crate::api::docs::{E400, E401, E403, E404, E409, E413, E415, E422, E429, E503};
use crate::api::json::ApiJson;
use crate::app::AppState;
use crate::error::ApiError;
use crate::service::accounts::confirmation;
use actix_web::{post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmEmailBody {
    /// The `token` of the link in the email.
    #[schema(min_length = 1, max_length = 200)]
    pub token: String,
}

/// Where a link was sent, and until when it works.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkSentOut {
    pub sent_to: String,
    pub expires_at: DateTime<Utc>,
}

/// Confirm an email address with its link (no sign-in needed).
///
/// The first booking confirmation sent to an address not yet confirmed carries the link; a
/// parent can also ask for one. From then on reminders go to that address by email too; booking
/// never waits for it. A link works once, for a week; a used, expired or replaced link, or one
/// for an address the account no longer uses, is 422 (`errors.token`).
#[utoipa::path(
    tag = "auth",
    request_body = ConfirmEmailBody,
    responses((status = 204, description = "The address is confirmed"), E400, E413, E415, E422, E503)
)]
#[post("/auth/confirm-email")]
pub async fn confirm_email(
    state: web::Data<AppState>,
    body: ApiJson<ConfirmEmailBody>,
) -> Result<HttpResponse, ApiError> {
    confirmation::confirm_email(&state.services, &body.token).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Send me a new link to confirm my email address (parent). The older link stops working; 409
/// when the address is confirmed already.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses((status = 202, description = "A new link is on its way", body = LinkSentOut), E401, E403, E404, E409, E429, E503)
)]
#[post("/me/email/confirmation")]
pub async fn send_confirmation_again(
    state: web::Data<AppState>,
    who: Require<Parent>,
) -> Result<HttpResponse, ApiError> {
    let sent = confirmation::send_again(&state.services, who.actor()).await?;
    Ok(HttpResponse::Accepted().json(LinkSentOut {
        sent_to: sent.sent_to,
        expires_at: sent.expires_at,
    }))
}
