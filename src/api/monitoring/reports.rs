//! `GET /reports/summary`: the borough-wide monitoring figures funders ask for, as JSON or CSV.
//! The arithmetic is `domain::report`; the facts come from `store::reports`.

use crate::api::access::{Coordinator, Require};
use crate::api::cohorts::summary::OutcomePairs;
use crate::api::docs::{E400, E401, E403, E422, E503};
use crate::app::AppState;
use crate::domain::cohort::plausible_date;
use crate::domain::report::{csv, Figures, GroupBy};
use crate::error::{ApiError, FieldErrors};
use actix_web::http::header::{self, Accept, Header, Quality};
use actix_web::{get, mime, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::openapi::schema::{
    KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type,
};
use utoipa::{IntoParams, ToSchema};

// The query's schemas say that a blank value (a form's empty field) counts as not given.
// (`schema_with` drops the field's doc comment, so each schema carries its description.)

fn from_schema() -> Schema {
    date_or_blank("First day of the period, `YYYY-MM-DD` (2000–2100); without it (or blank), from the first cohort.")
}

fn to_schema() -> Schema {
    date_or_blank("Last day of the period, inclusive; not before `from`; without it (or blank), to the last cohort.")
}

fn group_by_schema() -> Schema {
    text_choice(
        &["programme", "venue", "ward", "referral_source", "month", ""],
        "One row per programme, venue, ward, referral source or month; without it (or blank), the total only.",
    )
}

fn format_schema() -> Schema {
    text_choice(
        &["json", "csv", ""],
        "`csv` or `json`; without it (or blank), `Accept: text/csv` gives CSV and anything else JSON.",
    )
}

fn text_choice(values: &[&str], description: &str) -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values.iter().copied()))
        .description(Some(description))
        .into()
}

fn date_or_blank(description: &str) -> Schema {
    let date = ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)));
    let blank = ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(0));
    OneOfBuilder::new()
        .item(date)
        .item(blank)
        .description(Some(description))
        .into()
}

/// Read as text and checked here, so that a bad value is a 422 naming its field.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// First day of the period, `YYYY-MM-DD` (2000–2100); without it, from the first cohort.
    #[param(schema_with = from_schema)]
    pub from: Option<String>,
    /// Last day of the period, inclusive; not before `from`; without it, to the last cohort.
    #[param(schema_with = to_schema)]
    pub to: Option<String>,
    /// One row per programme, venue, ward, referral source or month; without it, the total only.
    #[param(schema_with = group_by_schema)]
    pub group_by: Option<String>,
    /// `csv` or `json`; without it, `Accept: text/csv` gives CSV and anything else JSON.
    #[param(schema_with = format_schema)]
    pub format: Option<String>,
}

/// One row's figures. Counts of families are of distinct families within the row, so rows need
/// not add up to the total when a family appears in several.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportFigures {
    /// Cohorts run (published, not cancelled). Null in ward and referral_source rows.
    pub cohorts_run: Option<i64>,
    /// Cohorts cancelled. Null in ward and referral_source rows.
    pub cohorts_cancelled: Option<i64>,
    /// Group sessions held: not cancelled, started by now (by its cancellation, for a cohort
    /// cancelled). Null in ward and referral_source rows.
    pub sessions_delivered: Option<i64>,
    /// Families with a booking ever confirmed (also if later cancelled or withdrawn).
    pub families_booked: i64,
    /// Families marked present or late at least once.
    pub families_reached: i64,
    /// Distinct children signed in to the crèche at a session held.
    pub children_in_creche: i64,
    /// Accidents, incidents and first aid recorded in the crèche (each counts, also after the
    /// family's erasure).
    pub creche_incidents: i64,
    /// Marks present or late, at sessions held (meetings included).
    pub marks_attended: i64,
    /// All marks (present, late, apologies, absent) at sessions held.
    pub marks_recorded: i64,
    /// marks_attended / marks_recorded; null without marks.
    pub attendance_rate: Option<f64>,
    /// Attendances of one-off visitors at sessions held: families who walked in when the group
    /// had no place for them, once per session. They hold no place, so they are not in
    /// families_booked, families_reached or the marks.
    pub visitor_attendances: i64,
    /// Families booked on cohorts run whose last session has ended (once per family per cohort).
    pub completion_eligible: i64,
    /// Of those, the ones who attended the programme's completion threshold of group sessions.
    pub completed: i64,
    /// completed / completion_eligible; null when no cohort has ended.
    pub completion_rate: Option<f64>,
    /// Families who were ever on a waiting list.
    pub families_waitlisted: i64,
    /// Families who waited for a cohort and were never given a place on it.
    pub families_never_offered: i64,
    pub follow_ups_opened: i64,
    /// Follow-ups still open.
    pub follow_ups_open: i64,
    /// Closed follow-ups by outcome (every outcome listed, 0 when none).
    pub follow_up_outcomes: BTreeMap<String, i64>,
    /// Per measure, bookings with both a pre and a post score.
    pub outcome_pairs: Vec<OutcomePairs>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportGroup {
    /// Programme code, venue name, ward (`boundary-set:Ward`, or `unknown`), referral source or
    /// month (`YYYY-MM`).
    pub group: String,
    #[serde(flatten)]
    pub figures: ReportFigures,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryReport {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub group_by: Option<String>,
    pub generated_at: DateTime<Utc>,
    /// One per group, in key order; empty without `group_by`.
    pub groups: Vec<ReportGroup>,
    pub total: ReportFigures,
}

fn figures_out(f: Figures) -> ReportFigures {
    ReportFigures {
        cohorts_run: f.cohorts_run,
        cohorts_cancelled: f.cohorts_cancelled,
        sessions_delivered: f.sessions_delivered,
        families_booked: f.families_booked,
        families_reached: f.families_reached,
        children_in_creche: f.children_in_creche,
        creche_incidents: f.creche_incidents,
        marks_attended: f.marks_attended,
        marks_recorded: f.marks_recorded,
        attendance_rate: f.attendance_rate,
        visitor_attendances: f.visitor_attendances,
        completion_eligible: f.completion_eligible,
        completed: f.completed,
        completion_rate: f.completion_rate,
        families_waitlisted: f.families_waitlisted,
        families_never_offered: f.families_never_offered,
        follow_ups_opened: f.follow_ups_opened,
        follow_ups_open: f.follow_ups_open,
        follow_up_outcomes: f.follow_up_outcomes,
        outcome_pairs: f
            .outcome_pairs
            .into_iter()
            .map(|(measure, s)| OutcomePairs {
                measure,
                pairs: s.pairs,
                mean_pre: s.mean_pre,
                mean_post: s.mean_post,
                mean_change: s.mean_change,
            })
            .collect(),
    }
}

/// Monitoring figures over a period (coordinators, admins), as JSON or CSV.
///
/// **Period.** A cohort is in it when the local date of its first group session not cancelled
/// (its planned first date if none is left) is within `from..=to`. Drafts are never counted. A
/// cancelled cohort counts in `cohorts_cancelled`, not in `cohorts_run`, and no one is eligible to
/// complete it; what happened before it was cancelled (sessions held, families booked, waiting,
/// attending, in the crèche, followed up, scored) counts as on any cohort, so cancelling a group
/// changes only `cohorts_run` and `cohorts_cancelled`.
///
/// **Figures.** Sessions delivered: group sessions (not pre- or post-group meetings) not
/// cancelled and started by now (by its cancellation, for a cohort cancelled). Families booked: with a booking ever confirmed. Families
/// reached: marked present or late at least once. Children in the crèche: distinct children
/// signed in. Crèche incidents: accidents, incidents and first aid recorded at the cohorts'
/// sessions, each counted. Attendance rate: (present + late) / all marks at sessions held. A family who walked
/// in and was given a place (a walk-in booking) counts as any family booked. Visitor
/// attendances: families who walked in when no place could be given, once per session held;
/// they hold no place, so they are in no other figure. Completion rate:
/// families (once per cohort) who attended the programme's completion threshold of group
/// sessions, over those booked on cohorts whose last group session has ended. Waiting list: a
/// booking waited if it is waiting, was promoted (confirmed after it was made) or ended without
/// ever being confirmed; families never offered a place waited for a cohort and never had a
/// booking on it confirmed. Follow-ups: opened, still open, and closed by outcome. Outcome
/// pairs: per measure, bookings with both a pre and a post score, their means and mean change.
///
/// **Rows.** `programme`, `venue` and `month` (`YYYY-MM` of the first session) split by cohort.
/// `ward` (as stored on the family, with its boundary set, so wards of different boundary sets
/// never mix; `unknown` when not recorded) and `referral_source` split by the family, so the
/// cohort counts are null in those rows. A family counts once in each row and once in `total`.
/// No names or contacts are read: the figures stay the same after a family is erased.
///
/// **CSV** (`format=csv` or `Accept: text/csv`): a header row, one row per group, then the total
/// (`group_by` = `total`); column names are the JSON field paths, e.g.
/// `follow_up_outcomes.withdrew`, `outcome_pairs.<measure>.mean_change`. Quoted as RFC 4180 says;
/// a text cell starting with `=`, `+`, `-`, `@`, tab or CR is prefixed with `'` so spreadsheets
/// do not run it; numbers are plain numbers, empty when null.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    params(ReportQuery),
    responses(
        (status = 200, description = "The figures (JSON), or the same as CSV",
         content((SummaryReport = "application/json"), (String = "text/csv")),
         headers(("Content-Disposition" = String, description = "CSV only: attachment; filename=\"groupwork-summary-<from>-<to>.csv\""))),
        E400, E401, E403, E422, E503,
    )
)]
#[get("/reports/summary")]
pub async fn summary_report(
    state: web::Data<AppState>,
    _who: Require<Coordinator>,
    q: web::Query<ReportQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (from, to, by, format) = checked(&q)?;
    let as_csv = format.unwrap_or_else(|| accepts_csv(&req));
    let now = state.now();
    let rows = crate::service::monitoring::summary(&state.services, from, to, by).await?;
    let mut res = HttpResponse::Ok();
    res.insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::VARY, "Accept"));
    if as_csv {
        let day = |d: Option<NaiveDate>| d.map_or("all".to_string(), |d| d.to_string());
        let name = format!("groupwork-summary-{}-{}.csv", day(from), day(to));
        return Ok(res
            .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ))
            .body(csv::report(&rows, by)));
    }
    Ok(res.json(SummaryReport {
        from,
        to,
        group_by: by.map(|g| g.as_str().to_string()),
        generated_at: now,
        groups: rows
            .groups
            .into_iter()
            .map(|(group, f)| ReportGroup {
                group,
                figures: figures_out(f),
            })
            .collect(),
        total: figures_out(rows.total),
    }))
}

type Checked = (
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<GroupBy>,
    Option<bool>,
);

/// (from, to, group_by, CSV asked for by `format`), or a 422 naming every bad field.
fn checked(q: &ReportQuery) -> Result<Checked, ApiError> {
    let mut errors = FieldErrors::new();
    let mut add = |f: &str, m: &str| errors.entry(f.into()).or_default().push(m.into());
    let mut date = |field: &str, v: &Option<String>| -> Option<NaiveDate> {
        match NaiveDate::parse_from_str(given(v)?, "%Y-%m-%d") {
            Ok(d) if plausible_date(d) => return Some(d),
            Ok(_) => add(field, "must be a date between 2000 and 2100"),
            Err(_) => add(field, "must be a date, YYYY-MM-DD"),
        }
        None
    };
    let (from, to) = (date("from", &q.from), date("to", &q.to));
    if from.zip(to).is_some_and(|(f, t)| f > t) {
        add("to", "must not be before from");
    }
    let by = given(&q.group_by).and_then(|g| {
        GroupBy::parse(g).or_else(|| {
            add(
                "group_by",
                "must be programme, venue, ward, referral_source or month",
            );
            None
        })
    });
    let format = match given(&q.format) {
        None => None,
        Some("json") => Some(false),
        Some("csv") => Some(true),
        Some(_) => {
            add("format", "must be json or csv");
            None
        }
    };
    ApiError::check_fields(errors)?;
    Ok((from, to, by, format))
}

/// A query value, unless absent or blank (a form's empty field).
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Whether `Accept` prefers CSV: `text/csv` with a quality above zero and at least that of any
/// JSON it also accepts (`application/json`, `application/*`, `*/*`).
fn accepts_csv(req: &HttpRequest) -> bool {
    let Ok(accept) = Accept::parse(req) else {
        return false;
    };
    let best = |wanted: &dyn Fn(&mime::Mime) -> bool| {
        accept
            .iter()
            .filter(|i| wanted(&i.item))
            .map(|i| i.quality)
            .max()
    };
    let csv = best(&|m| m.type_() == mime::TEXT && m.subtype() == "csv");
    let json = best(&|m| {
        m.type_() == mime::STAR
            || (m.type_() == mime::APPLICATION && [mime::JSON, mime::STAR].contains(&m.subtype()))
    });
    csv.is_some_and(|c| c > Quality::ZERO && json.is_none_or(|j| c >= j))
}
