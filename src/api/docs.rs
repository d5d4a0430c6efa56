//! The OpenAPI document: base information, the bearer scheme, and the error responses that
//! handlers list. `groupwork openapi` prints it; `openapi/openapi.json` is its committed copy.

use crate::error::Problem;
use actix_web::App;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "groupwork",
        description = "REST API for children's centres running parent–infant group programmes \
                       (Together Time, Circle of Security Parenting): venues, cohorts and sessions, \
                       parents' self-booking with crèche places and waiting lists, registers, \
                       follow-up and monitoring. Errors are RFC 9457 application/problem+json.",
        license(name = "MIT")
    ),
    components(schemas(Problem)),
    modifiers(&BearerScheme),
    tags(
        (name = "health", description = "Service health"),
        (name = "auth", description = "Accounts and tokens"),
        (name = "users", description = "Staff accounts (admin)"),
        (name = "programmes", description = "Kinds of group"),
        (name = "venues", description = "Children's centres and community venues"),
        (name = "closures", description = "Bank holidays, venue closures and term breaks"),
        (name = "staff", description = "Facilitators, crèche workers and supervisors"),
        (name = "cohorts", description = "Runs of a programme: sessions, teams, lifecycle"),
        (name = "listings", description = "The public programme of groups"),
        (name = "families", description = "A parent's own family and children; families the centre enrols, finds and invites"),
        (name = "bookings", description = "Places, crèche places and the waiting list"),
        (name = "messages", description = "What families were told, and how its delivery went"),
        (name = "pages", description = "The public programme as web pages: to link to, embed or print"),
    )
)]
struct BaseDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("Access token from /api/v1/auth/login (15 minutes)"))
                    .build(),
            ),
        );
    }
}

/// The whole document, built from the same route table the server uses.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(BaseDoc::openapi())
        .configure(super::routes)
        .split_for_parts();
    super::spec_rules::apply(api)
}

/// Error answers, for `responses(...)` lists.
#[derive(utoipa::IntoResponses)]
pub enum E400 {
    #[response(
        status = 400,
        description = "Malformed request",
        content_type = "application/problem+json"
    )]
    BadRequest(Problem),
}
#[derive(utoipa::IntoResponses)]
pub enum E401 {
    #[response(
        status = 401,
        description = "No valid access token, or its account has been erased or disabled since",
        content_type = "application/problem+json"
    )]
    Unauthorized(Problem),
}
#[derive(utoipa::IntoResponses)]
pub enum E403 {
    #[response(
        status = 403,
        description = "Role not allowed",
        content_type = "application/problem+json"
    )]
    Forbidden(Problem),
}
#[derive(utoipa::IntoResponses)]
pub enum E404 {
    #[response(
        status = 404,
        description = "Not found",
        content_type = "application/problem+json"
    )]
    NotFound(Problem),
}
#[derive(utoipa::IntoResponses)]
pub enum E409 {
    #[response(
        status = 409,
        description = "Conflict (duplicate or stale)",
        content_type = "application/problem+json"
    )]
    Conflict(Problem),
}
#[derive(utoipa::IntoResponses)]
pub enum E412 {
    #[response(
        status = 412,
        description = "Stale If-Match: someone else changed it since it was read",
        content_type = "application/problem+json"
    )]
    PreconditionFailed(Problem),
}
#[derive(utoipa::IntoResponses)]
pub enum E428 {
    #[response(
        status = 428,
        description = "If-Match is required",
        content_type = "application/problem+json"
    )]
    PreconditionRequired(Problem),
}
#[derive(utoipa::IntoResponses)]
pub enum E413 {
    #[response(
        status = 413,
        description = "Body too large",
        content_type = "application/problem+json"
    )]
    TooLarge(Problem),
}
#[derive(utoipa::IntoResponses)]
pub enum E415 {
    #[response(
        status = 415,
        description = "Body is not JSON",
        content_type = "application/problem+json"
    )]
    NotJson(Problem),
}
#[derive(utoipa::IntoResponses)]
pub enum E422 {
    #[response(
        status = 422,
        description = "Invalid fields, listed in `errors`",
        content_type = "application/problem+json"
    )]
    Invalid(Problem),
}
#[derive(utoipa::IntoResponses)]
pub enum E429 {
    #[response(
        status = 429,
        description = "Too many attempts; see Retry-After",
        content_type = "application/problem+json"
    )]
    RateLimited(Problem),
}
#[derive(utoipa::IntoResponses)]
/// The database's own troubles, on every operation that uses it.
pub enum E503 {
    #[response(
        status = 503,
        description = "Database unavailable; see Retry-After",
        content_type = "application/problem+json"
    )]
    Unavailable(Problem),
    #[response(
        status = 507,
        description = "The database's storage is full: nothing was saved; see Retry-After",
        content_type = "application/problem+json"
    )]
    StorageFull(Problem),
}

// Documentation-only enums. The service reads these values as text and checks them itself, so a
// bad one is a 422 naming its field; these give the allowed values to the OpenAPI document (and
// so to generated clients). Keep them in step with the checks they describe.

/// The one status a session can be given by `PATCH /sessions/{id}`.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum SessionStatusChange {
    Cancelled,
}

/// The kinds of work staff do in the groups (`staff::STAFF_ROLES`).
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum StaffRole {
    Clinician,
    CospFacilitator,
    BetterStartWorker,
    ParentingWorker,
    Trainee,
    CrecheWorker,
    Supervisor,
}

/// Qualifications staff hold (`domain::programme::QUALIFICATIONS`).
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum QualificationKind {
    Clinical,
    CospRegistered,
    PaediatricFirstAid,
    Supervisor,
}

/// How a family heard of the group (`domain::family::REFERRAL_SOURCES`).
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum ReferralSource {
    #[schema(rename = "self")]
    SelfReferral,
    HealthVisitor,
    Gp,
    Midwife,
    ChildrensCentre,
    SocialCare,
    Other,
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::PartialSchema;

    fn values<T: PartialSchema>() -> Vec<String> {
        let json = serde_json::to_value(T::schema()).unwrap();
        json["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn documented_values_are_the_checked_ones() {
        assert_eq!(values::<StaffRole>(), crate::api::admin::staff::STAFF_ROLES);
        assert_eq!(
            values::<QualificationKind>(),
            crate::domain::programme::QUALIFICATIONS
        );
        assert_eq!(
            values::<ReferralSource>(),
            crate::domain::family::REFERRAL_SOURCES
        );
    }
}
