//! `PATCH /programmes/{code}` (admin): the settings a centre tunes on any programme, built-in
//! ones included — completion threshold, when absences open a follow-up, the outcome
//! questionnaires used, when families are reminded of sessions. The programme's shape (sessions, ages, team rules) stays as defined.

use crate::api::access::{Admin, Require};
use crate::api::catalogue::programmes::{measure_names, ProgrammeOut, Reminders};
use crate::api::docs::{E400, E401, E403, E404, E413, E415, E422, E503};
use crate::api::json::ApiJson;
use crate::api::validate;
use crate::app::AppState;
use crate::error::ApiError;
use crate::service::{self, catalogue::programmes::SettingsChange};
use actix_web::{patch, web};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeSettingsPatch {
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub description: Option<String>,
    /// Sessions attended to complete; at most the programme's session count.
    #[validate(range(min = 1, max = 52))]
    #[schema(minimum = 1, maximum = 52)]
    pub completion_threshold: Option<i32>,
    /// Unexplained absences in a row that open a follow-up; apologies in a row open one at the
    /// same count (never fewer than two), and the two kinds are not added up.
    #[validate(range(min = 1, max = 52))]
    #[schema(minimum = 1, maximum = 52)]
    pub follow_up_after_absences: Option<i32>,
    /// Replaces the list of outcome questionnaires. Scores already recorded keep their names.
    #[validate(
        length(max = 20, message = "must list at most 20 measures"),
        custom(function = "measure_names")
    )]
    #[schema(max_items = 20)]
    pub outcome_measures: Option<Vec<String>>,
    /// When families are reminded of each session.
    pub reminders: Option<Reminders>,
}

/// Tune a programme's settings (admin).
#[utoipa::path(
    tag = "programmes",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Programme code, e.g. cosp")),
    request_body = ProgrammeSettingsPatch,
    responses((status = 200, description = "The programme", body = ProgrammeOut),
              E400, E401, E403, E404, E413, E415, E422, E503)
)]
#[patch("/programmes/{code}")]
pub async fn update_programme(
    state: web::Data<AppState>,
    admin: Require<Admin>,
    code: web::Path<String>,
    body: ApiJson<ProgrammeSettingsPatch>,
) -> Result<web::Json<ProgrammeOut>, ApiError> {
    let b = body.into_inner();
    validate(&b)?;
    let reminders = match &b.reminders {
        None => None,
        Some(r) => Some(
            r.rule()
                .map_err(|(field, why)| ApiError::field(field, why))?,
        ),
    };
    let change = SettingsChange {
        reminders,
        description: b.description,
        completion_threshold: b.completion_threshold,
        follow_up_after_absences: b.follow_up_after_absences,
        outcome_measures: b.outcome_measures,
    };
    let p = service::catalogue::programmes::change_settings(
        &state.services,
        admin.actor(),
        code.into_inner(),
        change,
    )
    .await?;
    Ok(web::Json(p.into()))
}
