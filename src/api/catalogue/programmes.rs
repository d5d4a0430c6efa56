//! Programmes: the kinds of group. Two are built in; admins add centres' own (the rules are
//! `service::catalogue::programmes`'s).

use crate::api::access::{Admin, Require};
use crate::api::docs::{E400, E401, E403, E404, E409, E413, E415, E422, E503};
use crate::api::field_errors;
use crate::api::json::ApiJson;
use crate::app::AppState;
use crate::domain::message::ReminderRule;
use crate::error::ApiError;
use crate::service::{self, catalogue::programmes::AddProgramme};
use crate::store::{self, programmes::NewProgramme, programmes::Programme};
use actix_web::http::header;
use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgrammeOut {
    pub id: i32,
    #[schema(example = "cosp")]
    pub code: String,
    #[schema(example = "Circle of Security Parenting")]
    pub name: String,
    pub description: String,
    #[schema(example = 8)]
    pub session_count: i32,
    #[schema(example = 120)]
    pub session_minutes: i32,
    /// Youngest child's age in whole months on the first session date.
    pub min_age_months: i32,
    /// The child must be younger than this many months (48 = before the fourth birthday).
    #[schema(example = 48)]
    pub max_age_months: i32,
    /// Whether an expected baby (a due date) qualifies.
    pub pregnancy_eligible: bool,
    pub creche_provided: bool,
    /// Qualification the lead facilitator must hold, if any.
    #[schema(example = "cosp_registered")]
    pub lead_qualification: Option<String>,
    pub co_facilitator_required: bool,
    pub co_facilitator_qualification: Option<String>,
    /// Sessions attended (present or late) to count as completed.
    #[schema(example = 6)]
    pub completion_threshold: i32,
    pub built_in: bool,
    /// Unexplained absences in a row that open a follow-up; apologies in a row open one at the
    /// same count (never fewer than two), and the two kinds are not added up.
    #[schema(example = 2)]
    pub follow_up_after_absences: i32,
    /// The outcome questionnaires facilitators record before and after the group.
    pub outcome_measures: Vec<String>,
    /// When families are reminded of each session.
    pub reminders: Reminders,
}

/// When families are reminded of each session: `days_before` it, at `at` local time (the
/// default: the day before at 10:00). A family who books within the hour before a session is
/// not reminded of it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Reminders {
    /// Whether reminders are sent at all.
    pub send: bool,
    /// 0 (the same day) to 14.
    #[serde(default = "one_day")]
    #[schema(minimum = 0, maximum = 14, default = 1)]
    pub days_before: i32,
    /// Local time, `HH:MM`.
    #[serde(default = "ten_o_clock")]
    #[schema(
        pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
        example = "10:00",
        default = "10:00"
    )]
    pub at: String,
}

fn one_day() -> i32 {
    1
}

fn ten_o_clock() -> String {
    "10:00".into()
}

impl Reminders {
    /// The rule this asks for, or the field and why not.
    /// Checked whether or not reminders are sent, as the schema says.
    pub fn rule(&self) -> Result<Option<ReminderRule>, (&'static str, &'static str)> {
        if !(0..=14).contains(&self.days_before) {
            return Err(("reminders.days_before", "must be from 0 to 14"));
        }
        let at = chrono::NaiveTime::parse_from_str(&self.at, "%H:%M")
            .ok()
            .filter(|_| self.at.len() == 5)
            .ok_or(("reminders.at", "must be a time of day, HH:MM"))?;
        Ok(self.send.then_some(ReminderRule {
            days_before: self.days_before as u32,
            at,
        }))
    }
}

impl From<Option<ReminderRule>> for Reminders {
    fn from(rule: Option<ReminderRule>) -> Self {
        let r = rule.unwrap_or_default();
        Reminders {
            send: rule.is_some(),
            days_before: r.days_before as i32,
            at: r.at.format("%H:%M").to_string(),
        }
    }
}

impl From<Programme> for ProgrammeOut {
    fn from(p: Programme) -> Self {
        let outcome_measures = p.measures();
        let reminders = p.reminder_rule().into();
        ProgrammeOut {
            id: p.id,
            code: p.code,
            name: p.name,
            description: p.description,
            session_count: p.session_count,
            session_minutes: p.session_minutes,
            min_age_months: p.min_age_months,
            max_age_months: p.max_age_months,
            pregnancy_eligible: p.pregnancy_eligible,
            creche_provided: p.creche_provided,
            lead_qualification: p.lead_qualification,
            co_facilitator_required: p.co_facilitator_required,
            co_facilitator_qualification: p.co_facilitator_qualification,
            completion_threshold: p.completion_threshold,
            built_in: p.built_in,
            follow_up_after_absences: p.follow_up_after_absences,
            outcome_measures,
            reminders,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgrammeList {
    pub items: Vec<ProgrammeOut>,
    pub total: i64,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProgrammeBody {
    /// Short slug: lower-case letters, digits and hyphens.
    #[schema(example = "antenatal", pattern = r"^[a-z0-9][a-z0-9-]{0,38}[a-z0-9]$")]
    pub code: String,
    #[validate(length(min = 1, max = 120))]
    #[schema(example = "Antenatal group", min_length = 1, max_length = 120)]
    pub name: String,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    #[serde(default)]
    pub description: String,
    #[validate(range(min = 1, max = 52))]
    #[schema(minimum = 1, maximum = 52)]
    pub session_count: i32,
    #[validate(range(min = 15, max = 480))]
    #[schema(minimum = 15, maximum = 480)]
    pub session_minutes: i32,
    #[validate(range(min = 0, max = 216))]
    #[schema(minimum = 0, maximum = 216)]
    pub min_age_months: i32,
    #[validate(range(min = 1, max = 216))]
    #[schema(minimum = 1, maximum = 216)]
    pub max_age_months: i32,
    #[serde(default)]
    pub pregnancy_eligible: bool,
    #[serde(default)]
    pub creche_provided: bool,
    /// `clinical`, `cosp_registered`, `paediatric_first_aid` or `supervisor`.
    #[schema(value_type = Option<crate::api::docs::QualificationKind>)]
    pub lead_qualification: Option<String>,
    #[serde(default)]
    pub co_facilitator_required: bool,
    #[schema(value_type = Option<crate::api::docs::QualificationKind>)]
    pub co_facilitator_qualification: Option<String>,
    #[validate(range(min = 1, max = 52))]
    #[schema(minimum = 1, maximum = 52)]
    pub completion_threshold: i32,
    /// Unexplained absences in a row that open a follow-up (default 2); apologies in a row open
    /// one at the same count (never fewer than two), and the two kinds are not added up.
    #[validate(range(min = 1, max = 52))]
    #[schema(minimum = 1, maximum = 52)]
    #[serde(default = "two")]
    pub follow_up_after_absences: i32,
    /// The outcome questionnaires the programme uses.
    #[validate(
        length(max = 20, message = "must list at most 20 measures"),
        custom(function = "measure_names")
    )]
    #[schema(max_items = 20)]
    #[serde(default)]
    pub outcome_measures: Vec<String>,
    /// When families are reminded of each session (default: the day before at 10:00).
    pub reminders: Option<Reminders>,
}

fn two() -> i32 {
    2
}

pub(crate) fn measure_names(names: &[String]) -> Result<(), validator::ValidationError> {
    let ok = names.iter().all(|n| {
        let n = n.trim();
        !n.is_empty() && n.chars().count() <= 120 && !n.contains(['\n', '\r'])
    });
    if ok {
        Ok(())
    } else {
        Err(validator::ValidationError::new("measure")
            .with_message("each measure is 1–120 characters on one line".into()))
    }
}

/// List programmes (public).
#[utoipa::path(tag = "programmes", responses((status = 200, description = "All programmes", body = ProgrammeList), E503))]
#[get("/programmes")]
pub async fn list_programmes(
    state: web::Data<AppState>,
) -> Result<web::Json<ProgrammeList>, ApiError> {
    let items = state.db(|c| Ok(store::programmes::list(c)?)).await?;
    Ok(web::Json(ProgrammeList {
        total: items.len() as i64,
        items: items.into_iter().map(ProgrammeOut::from).collect(),
    }))
}

/// One programme by code (public).
#[utoipa::path(
    tag = "programmes",
    params(("code" = String, Path, description = "Programme code, e.g. cosp")),
    responses((status = 200, description = "The programme", body = ProgrammeOut), E404, E503)
)]
#[get("/programmes/{code}")]
pub async fn get_programme(
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<web::Json<ProgrammeOut>, ApiError> {
    let code = code.into_inner();
    let p = state
        .db(move |c| Ok(store::programmes::find_by_code(c, &code)?))
        .await?
        .ok_or_else(|| ApiError::not_found("programme"))?;
    Ok(web::Json(p.into()))
}

/// Add a centre's own programme (admin).
#[utoipa::path(
    tag = "programmes",
    security(("bearer" = [])),
    request_body = NewProgrammeBody,
    responses(
        (status = 201, description = "Created", body = ProgrammeOut,
         headers(("Location" = String, description = "/api/v1/programmes/{code}")),
         links(("GetProgramme" = (operation_id = "get_programme", parameters(("code" = "$response.body#/code")), description = "The programme just added")), ("UpdateProgramme" = (operation_id = "update_programme", parameters(("code" = "$response.body#/code")), description = "Change its settings")))),
        E400, E401, E403, E409, E413, E415, E422, E503,
    )
)]
#[post("/programmes")]
pub async fn create_programme(
    state: web::Data<AppState>,
    admin: Require<Admin>,
    body: ApiJson<NewProgrammeBody>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let mut problems = field_errors(&b);
    let reminders = match b.reminders.as_ref().map(Reminders::rule) {
        None => Some(ReminderRule::default()),
        Some(Ok(rule)) => rule,
        Some(Err((field, why))) => {
            problems
                .entry(field.to_string())
                .or_default()
                .push(why.to_string());
            None
        }
    };
    let programme = NewProgramme {
        reminders,
        code: b.code,
        name: b.name.trim().to_string(),
        description: b.description.trim().to_string(),
        session_count: b.session_count,
        session_minutes: b.session_minutes,
        min_age_months: b.min_age_months,
        max_age_months: b.max_age_months,
        pregnancy_eligible: b.pregnancy_eligible,
        creche_provided: b.creche_provided,
        lead_qualification: b.lead_qualification,
        co_facilitator_required: b.co_facilitator_required,
        co_facilitator_qualification: b.co_facilitator_qualification,
        completion_threshold: b.completion_threshold,
        follow_up_after_absences: b.follow_up_after_absences,
        outcome_measures: b
            .outcome_measures
            .iter()
            .map(|m| m.trim())
            .collect::<Vec<_>>()
            .join("\n"),
    };
    let cmd = AddProgramme {
        programme,
        problems,
    };
    let p =
        service::catalogue::programmes::add_programme(&state.services, admin.actor(), cmd).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/programmes/{}", p.code)))
        .json(ProgrammeOut::from(p)))
}
