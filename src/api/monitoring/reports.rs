//! `GET /reports/summary`: the borough-wide monitoring figures funders ask for, as JSON or CSV.
//! The arithmetic is `domain::report`; the facts come from `store::reports`.

use crate::api::access::{Coordinator, Require};
use crate::api::docs::{E400, E401, E403, E422, E503};
use crate::app::AppState;
use crate::domain::cohort::plausible_date;
use crate::domain::report::columns::{Kind, SheetColumn, Value, COLUMNS};
use crate::domain::report::disclosure::{PROTECTING, SMALL};
use crate::domain::report::{csv, GroupBy};
use crate::error::{ApiError, FieldErrors};
use actix_web::http::header::{self, Accept, Header, Quality};
use actix_web::{get, mime, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
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
    let mut names: Vec<&str> = GroupBy::ALL.iter().map(|g| g.as_str()).collect();
    names.push("");
    text_choice(
        &names,
        "One row per programme, venue, ward, referral source, month, or by what families told us (ethnicity, first language, father involved, teenage parent, lone parent, disability of a carer, SEND) or IMD decile; without it (or blank), the total only.",
    )
}

fn disclosure_schema() -> Schema {
    text_choice(
        &["internal", "suppressed", ""],
        "`internal` (the default): exact figures, for the council only. `suppressed`: safe to share outside the council, every count from 1 to 4 shown as `<5`, and any figure that would give one back from a total (or from follow-ups opened = open + outcomes) as `[c]`, with the rates and means built on a hidden figure.",
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
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        .pattern(Some(crate::domain::cohort::PLAUSIBLE_DATE_PATTERN));
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
    /// `internal` (exact) or `suppressed` (safe to share).
    #[param(schema_with = disclosure_schema)]
    pub disclosure: Option<String>,
}

/// One row's figures, named and described by `domain::report::columns` (the CSV's columns are
/// the same, by their JSON paths). Counts of families are of distinct families within the row,
/// so rows need not add up to the total when a family appears in several (rows split by
/// cohort). In a report safe to share, a hidden figure is `<5` or `[c]`.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct ReportFigures(serde_json::Map<String, serde_json::Value>);

impl utoipa::PartialSchema for ReportFigures {
    fn schema() -> utoipa::openapi::RefOr<Schema> {
        let hidden = json!({"type": "string", "enum": [SMALL, PROTECTING]});
        let figure = |kind: &Kind, about: &str| {
            let plain = match kind {
                Kind::Cohort | Kind::Population => {
                    json!({"type": ["integer", "null"], "minimum": 0})
                }
                Kind::People | Kind::Events => json!({"type": "integer", "minimum": 0}),
                Kind::Rate { .. } | Kind::Mean { .. } => json!({"type": ["number", "null"]}),
            };
            match kind {
                Kind::Population => {
                    json!({"description": about, "type": ["integer", "null"], "minimum": 0})
                }
                _ => json!({"description": about, "oneOf": [plain, hidden]}),
            }
        };
        let mut properties = serde_json::Map::new();
        for c in COLUMNS {
            properties.insert(c.name.into(), figure(&c.kind(), c.about));
        }
        properties.insert(
            "follow_up_outcomes".into(),
            json!({
                "type": "object",
                "description": "Closed follow-ups by outcome (every outcome listed, 0 when none).",
                "additionalProperties": {"oneOf": [{"type": "integer", "minimum": 0}, hidden]},
            }),
        );
        let number = json!({"oneOf": [{"type": "number"}, hidden]});
        properties.insert(
            "outcome_pairs".into(),
            json!({
                "type": "array",
                "description": "Per measure, bookings with both a pre and a post score, their means and mean change.",
                "items": {
                    "type": "object",
                    "required": ["measure", "pairs", "mean_pre", "mean_post", "mean_change"],
                    "properties": {
                        "measure": {"type": "string"},
                        "pairs": {"oneOf": [{"type": "integer", "minimum": 0}, hidden]},
                        "mean_pre": number, "mean_post": number, "mean_change": number,
                    },
                },
            }),
        );
        let required: Vec<&str> = properties.keys().map(String::as_str).collect();
        let schema = json!({"type": "object", "required": required, "properties": properties});
        // Written as JSON for reading's sake; the test below proves it reads as a schema.
        utoipa::openapi::RefOr::T(serde_json::from_value::<Schema>(schema).unwrap_or_default())
    }
}

impl ToSchema for ReportFigures {}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportGroup {
    /// Programme code, venue name, ward (`boundary-set:Ward`, or `unknown`), referral source,
    /// month (`YYYY-MM`), an answer (`prefer_not_to_say` and `not_asked` are rows of their
    /// own), or an IMD decile (`1` to `10`, `unknown`).
    pub group: String,
    #[serde(flatten)]
    pub figures: ReportFigures,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryReport {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub group_by: Option<String>,
    /// `internal` (exact) or `suppressed` (safe to share).
    #[schema(value_type = String, pattern = "^(internal|suppressed)$")]
    pub disclosure: &'static str,
    pub generated_at: DateTime<Utc>,
    /// One per group, in key order; empty without `group_by`.
    pub groups: Vec<ReportGroup>,
    pub total: ReportFigures,
}

/// One line of the sheet as the JSON answer gives it: the fixed columns by name, the follow-up
/// outcomes as a map, each measure's pair figures as an item of `outcome_pairs` (left out where
/// the row has none).
fn figures_out(columns: &[SheetColumn], values: &[Value]) -> ReportFigures {
    let value = |v: &Value| match *v {
        Value::Int(n) => json!(n),
        Value::Num(x) => json!(x),
        Value::Null => serde_json::Value::Null,
        Value::Hidden(s) => json!(s.mark()),
    };
    let mut out = serde_json::Map::new();
    let mut outcomes = serde_json::Map::new();
    let mut pairs: BTreeMap<&str, serde_json::Map<String, serde_json::Value>> = BTreeMap::new();
    for (c, v) in columns.iter().zip(values) {
        if let Some(o) = c.name.strip_prefix("follow_up_outcomes.") {
            outcomes.insert(o.into(), value(v));
        } else if let Some(rest) = c.name.strip_prefix("outcome_pairs.") {
            if let Some((measure, field)) = rest.rsplit_once('.') {
                pairs
                    .entry(measure)
                    .or_default()
                    .insert(field.into(), value(v));
            }
        } else {
            out.insert(c.name.clone(), value(v));
        }
    }
    out.insert("follow_up_outcomes".into(), outcomes.into());
    let pairs: Vec<serde_json::Value> = pairs
        .into_iter()
        .filter(|(_, p)| p.get("pairs").is_some_and(|n| !n.is_null()))
        .map(|(measure, mut p)| {
            p.insert("measure".into(), measure.into());
            p.into()
        })
        .collect();
    out.insert("outcome_pairs".into(), pairs.into());
    ReportFigures(out)
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
/// cohort counts are null in those rows. So do the answers families give about themselves:
/// `ethnicity` (ONS 2021 groups), `language` (first language), `father_involved` (a carer who
/// comes is a father), `teen_parent` (a carer under 20 by year of birth in the report's year),
/// `lone_parent`, `disability` (of a carer), `send` (of a child) — a family is `yes` when anyone
/// in it is, `no` only when everyone said no, and `prefer_not_to_say` and `not_asked` are rows of
/// their own — and `imd_decile` (`1`–`10` from the postcode, `unknown`). In rows split by family
/// every count adds up to the total. A family counts once in each row and once in `total`. No
/// names or contacts are read: the figures stay the same after a family is erased.
///
/// **Reach.** With the public geography loaded, `under_fives` is a ward's population under five
/// (in the total, the area's); `families_reach_rate` and `children_reach_rate` are those reached
/// who live there, over it. `most_deprived_share`: families reached in IMD deciles 1–3, of those
/// whose decile is known.
///
/// **Safe to share** (`disclosure=suppressed`): every count from 1 to 4 is `"<5"`, and any figure
/// that would give one back from a sum the report holds (a column's rows adding up to its total;
/// follow-ups opened = open + each outcome) is `"[c]"`, as are rates and means built on a hidden
/// figure. Population figures are public and stay. The default, `internal`, is exact: for the
/// council only.
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
    let (from, to, by, format, shared) = checked(&q)?;
    let as_csv = format.unwrap_or_else(|| accepts_csv(&req));
    let now = state.now();
    let sheet = crate::service::monitoring::summary(&state.services, from, to, by, shared).await?;
    let mut res = HttpResponse::Ok();
    res.insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::VARY, "Accept"));
    if as_csv {
        let day = |d: Option<NaiveDate>| d.map_or("all".to_string(), |d| d.to_string());
        let kind = if shared { "-shared" } else { "" };
        let name = format!("groupwork-summary-{}-{}{kind}.csv", day(from), day(to));
        return Ok(res
            .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ))
            .body(csv::report(&sheet, by)));
    }
    Ok(res.json(SummaryReport {
        from,
        to,
        group_by: by.map(|g| g.as_str().to_string()),
        disclosure: if shared { "suppressed" } else { "internal" },
        generated_at: now,
        groups: sheet
            .rows
            .iter()
            .map(|(group, values)| ReportGroup {
                group: group.clone(),
                figures: figures_out(&sheet.columns, values),
            })
            .collect(),
        total: figures_out(&sheet.columns, &sheet.total),
    }))
}

pub(super) type Checked = (
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<GroupBy>,
    Option<bool>,
    bool,
);

/// (from, to, group_by, CSV asked for by `format`, safe to share), or a 422 naming every bad
/// field.
pub(super) fn checked(q: &ReportQuery) -> Result<Checked, ApiError> {
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
            let names: Vec<&str> = GroupBy::ALL.iter().map(|g| g.as_str()).collect();
            add("group_by", &format!("must be one of {}", names.join(", ")));
            None
        })
    });
    let shared = match given(&q.disclosure) {
        None | Some("internal") => false,
        Some("suppressed") => true,
        Some(_) => {
            add("disclosure", "must be internal or suppressed");
            false
        }
    };
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
    Ok((from, to, by, format, shared))
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

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::PartialSchema;

    #[test]
    fn the_figures_schema_names_every_column() {
        let schema = serde_json::to_value(ReportFigures::schema()).unwrap();
        for c in COLUMNS {
            assert_eq!(
                schema["properties"][c.name]["description"], c.about,
                "{}",
                c.name
            );
        }
        assert_eq!(
            schema["properties"]["outcome_pairs"]["items"]["required"][0],
            "measure"
        );
    }
}
