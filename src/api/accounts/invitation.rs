//! A family the centre enrolled claims its record: the parent opens the invitation's link and
//! sets a password. The rules and the single use of the link are
//! `service::accounts::invitation`'s.

use super::auth::{check_password, hash_password, token_response, TokenResponse};
use crate::api::docs::{E400, E409, E413, E415, E422, E503};
use crate::api::json::ApiJson;
use crate::api::validate;
use crate::app::AppState;
use crate::auth::tokens;
use crate::error::ApiError;
use crate::service::{self, accounts::invitation::AcceptInvitation};
use crate::store::{self, account_tokens::Purpose};
use actix_web::http::header;
use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitationBody {
    /// The `token` of the invitation's link.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub token: String,
    /// At least 10 characters; not a common password; not the email address.
    #[schema(example = "a long memorable phrase", min_length = 10, max_length = 128)]
    pub password: String,
    /// The name the account shows (default: the family's first carer).
    #[validate(length(min = 1, max = 100))]
    #[schema(example = "Amira", min_length = 1, max_length = 100)]
    pub display_name: Option<String>,
}

/// Claim a family with an invitation's link (public).
///
/// The parent sets a password, becomes the family's account with the address the invitation went to, sees the bookings staff made, and is
/// signed in. The link works once: a used, replaced or expired link, or one whose family was
/// erased or claimed already, is refused with 422 (`errors.token`); 409 when a login already
/// uses the address.
#[utoipa::path(
    tag = "auth",
    request_body = AcceptInvitationBody,
    responses(
        (status = 201, description = "The family is theirs, and they are signed in", body = TokenResponse,
         headers(("Location" = String, description = "/api/v1/me/family"))),
        E400, E409, E413, E415, E422, E503,
    )
)]
#[post("/auth/invitation/accept")]
pub async fn accept_invitation(
    state: web::Data<AppState>,
    body: ApiJson<AcceptInvitationBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    validate(&body)?;
    // The password must not be the address the link went to: read it first (the service
    // checks the link again, in its transaction).
    let (hash, now) = (tokens::hash_opaque(body.token.trim()), state.now_naive());
    let link = state
        .db(move |c| Ok(store::account_tokens::find(c, Purpose::Invitation, &hash)?))
        .await?
        .filter(|t| t.is_live(now));
    let Some(link) = link else {
        return Err(service::accounts::invitation::link_unusable().into());
    };
    check_password(&body.password, &link.email)?;
    let cmd = AcceptInvitation {
        token: body.token,
        password_hash: hash_password(body.password).await?,
        display_name: body.display_name,
        session_days: state.config.refresh_token_days,
    };
    let signed_in = service::accounts::invitation::accept_invitation(&state.services, cmd).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, "/api/v1/me/family"))
        .json(token_response(&state, signed_in)?))
}
