//! The summary report as a page to print for a funder (`/reports/summary.html`): the headline
//! figures and three charts drawn on the server (attendance by week, reach by ward, completion
//! by programme), on two A4 pages. A browser cannot send our bearer token when it follows a
//! link, so a coordinator asks the API for a short-lived signed link
//! (`POST /api/v1/reports/summary/link`) that opens this one page, for them, for 15 minutes;
//! the account is checked again when the page is opened.

use super::charts::{self, Bar};
use super::reports::{checked, ReportQuery};
use crate::api::access::{still_active, Coordinator, Require, RoleSet};
use crate::api::docs::{E400, E401, E403, E413, E415, E422, E503};
use crate::api::json::ApiJson;
use crate::app::AppState;
use crate::auth::tokens::ReportLink;
use crate::domain::report::columns::{Sheet, Value, COLUMNS};
use crate::error::ApiError;
use crate::service::monitoring::{summary_page as page_figures, SummaryPage};
use actix_web::http::header::{self, HeaderValue};
use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// How long a link to the page works.
pub const LINK_MINUTES: i64 = 15;

/// Which report the page shows: the same period and disclosure as `GET /reports/summary`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportLinkBody {
    /// First day of the period (2000–2100); without it, from the first cohort.
    #[schema(value_type = Option<String>, format = Date, pattern = r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    pub from: Option<NaiveDate>,
    /// Last day of the period, inclusive (2000–2100), not before `from`; without it, to the
    /// last cohort.
    #[schema(value_type = Option<String>, format = Date, pattern = r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    pub to: Option<NaiveDate>,
    /// Exact (`internal`, the default) or safe to share (`suppressed`).
    pub disclosure: Option<Disclosure>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Disclosure {
    Internal,
    Suppressed,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportLinkOut {
    /// The page, at this service's public address.
    pub url: String,
    /// The same, from this server's root.
    pub path: String,
    pub expires_at: DateTime<Utc>,
}

/// A link to the printable summary report (coordinators, admins).
///
/// The link opens `/reports/summary.html` for the period and disclosure asked for, for 15
/// minutes, for the user who asked (checked again when it is opened: a disabled account's link
/// stops working). It is a bearer secret: open it, do not forward it. It opens that page only.
#[utoipa::path(
    tag = "reports",
    security(("bearer" = [])),
    request_body = ReportLinkBody,
    responses(
        (status = 200, description = "The link", body = ReportLinkOut),
        E400, E401, E403, E413, E415, E422, E503,
    )
)]
#[post("/reports/summary/link")]
pub async fn summary_link(
    state: web::Data<AppState>,
    who: Require<Coordinator>,
    body: ApiJson<ReportLinkBody>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    // The same checks as the report's query (dates 2000–2100, `to` not before `from`).
    let q = ReportQuery {
        from: b.from.map(|d| d.to_string()),
        to: b.to.map(|d| d.to_string()),
        group_by: None,
        format: None,
        disclosure: b.disclosure.map(|d| {
            match d {
                Disclosure::Internal => "internal",
                Disclosure::Suppressed => "suppressed",
            }
            .to_string()
        }),
    };
    let (from, to, _, _, shared) = checked(&q)?;
    let now = state.now();
    let link = ReportLink { from, to, shared };
    let token = state
        .jwt
        .issue_report_link(who.user, link, now, LINK_MINUTES)
        .map_err(ApiError::Internal)?;
    let path = format!("/reports/summary.html?token={token}");
    let base = state.config.public_url.trim_end_matches('/');
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(ReportLinkOut {
            url: format!("{base}{path}"),
            path,
            expires_at: now + Duration::minutes(LINK_MINUTES),
        }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The signed link's token, from `POST /api/v1/reports/summary/link`.
    pub token: String,
}

/// The summary report to print (opened through a signed link).
#[utoipa::path(
    tag = "reports",
    params(PageQuery),
    responses(
        (status = 200, description = "The report, two A4 pages", content_type = "text/html", body = String),
        E400, E401, E403, E503,
    )
)]
#[get("/reports/summary.html")]
pub async fn summary_html(
    state: web::Data<AppState>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (who, link) = state
        .jwt
        .verify_report_link(&q.token, state.now())
        .map_err(|reason| {
            tracing::info!(%reason, "report link refused");
            ApiError::Unauthorized(
                "this report link is not valid or has expired: make a new one".into(),
            )
        })?;
    let now_who = still_active(&state, who.user_id).await?;
    if !Coordinator::ROLES.contains(&now_who.role) {
        return Err(ApiError::Forbidden(
            "the report is for coordinators and admins".into(),
        ));
    }
    let figures = page_figures(&state.services, link.from, link.to, link.shared).await?;
    let html = render(&figures, link, state.now()).map_err(ApiError::Internal)?;
    let mut res = HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(html);
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; \
             form-action 'none'; frame-ancestors 'none'",
        ),
    );
    Ok(res)
}

/// The page's stylesheet (print layout: A4, two pages).
#[utoipa::path(
    tag = "reports",
    responses((status = 200, description = "The report page's stylesheet", content_type = "text/css", body = String))
)]
#[get("/reports/report.css")]
pub async fn report_style() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(include_str!("../../../assets/reports/report.css"))
}

/// A figure as the page writes it: counts as numbers, shares as percentages, hidden ones by
/// their mark, nothing as a dash.
fn shown(v: Value, percent: bool) -> String {
    match v {
        Value::Int(n) => n.to_string(),
        Value::Num(x) if percent && x > 0.0 && x < 0.01 => format!("{:.2}%", x * 100.0),
        Value::Num(x) if percent && x < 0.1 => format!("{:.1}%", x * 100.0),
        Value::Num(x) if percent => format!("{:.0}%", x * 100.0),
        Value::Num(x) => format!("{x:.2}"),
        Value::Null => "–".into(),
        Value::Hidden(s) => s.mark().unwrap_or_default().into(),
    }
}

fn get(sheet: &Sheet, values: &[Value], name: &str) -> Value {
    sheet
        .columns
        .iter()
        .position(|c| c.name == name)
        .map_or(Value::Null, |j| values[j])
}

fn share(v: Value) -> Option<f64> {
    match v {
        Value::Num(x) => Some(x),
        _ => None,
    }
}

/// The headline figures, in the order a funder reads them.
const HEADLINES: [(&str, &str); 16] = [
    ("cohorts_run", "Groups run"),
    ("sessions_delivered", "Sessions held"),
    ("families_booked", "Families booked"),
    ("families_reached", "Families reached"),
    ("children_reached", "Children reached"),
    ("attendance_rate", "Attendance"),
    ("completion_rate", "Completion"),
    ("families_waitlisted", "Families who waited for a place"),
    ("families_never_offered", "Families never offered a place"),
    ("follow_ups_opened", "Follow-ups after missed sessions"),
    ("visitor_attendances", "Visits without a place"),
    ("children_in_creche", "Children in the crèche"),
    ("under_fives", "Under-fives in the area"),
    ("children_reach_rate", "Under-fives reached"),
    (
        "families_reached_most_deprived",
        "Families reached in the 30% most deprived areas",
    ),
    (
        "most_deprived_share",
        "Share of families reached in the 30% most deprived areas",
    ),
];

fn render(p: &SummaryPage, link: ReportLink, now: DateTime<Utc>) -> Result<String, String> {
    let day = |d: Option<NaiveDate>, none: &str| {
        d.map_or(none.to_string(), |d| d.format("%-d %B %Y").to_string())
    };
    let total = &p.overall.total;
    let headlines: Vec<minijinja::Value> = HEADLINES
        .iter()
        .map(|(name, label)| {
            let v = get(&p.overall, total, name);
            let about = COLUMNS
                .iter()
                .find(|c| c.name == *name)
                .map_or("", |c| c.about);
            minijinja::context! {
                label => label,
                value => shown(v, matches!(v, Value::Num(_))),
                about => about,
            }
        })
        .collect();
    let weeks: Vec<Bar> = p
        .weeks
        .iter()
        .map(|(monday, rate)| Bar {
            label: monday.format("%-d %b").to_string(),
            value: *rate,
            says: rate.map_or("left blank".into(), |r| format!("{:.0}%", r * 100.0)),
        })
        .collect();
    let population = p
        .wards
        .rows
        .iter()
        .any(|(_, v)| matches!(get(&p.wards, v, "under_fives"), Value::Int(_)));
    let wards: Vec<Bar> = p
        .wards
        .rows
        .iter()
        .map(|(ward, v)| {
            let children = get(&p.wards, v, "children_reached_in_area");
            let label = ward
                .split_once(':')
                .map_or(ward.as_str(), |w| w.1)
                .to_string();
            match get(&p.wards, v, "under_fives") {
                Value::Int(under_fives) if population => Bar {
                    label,
                    value: share(get(&p.wards, v, "children_reach_rate")),
                    says: format!(
                        "{} ({} of {under_fives} under-fives)",
                        shown(get(&p.wards, v, "children_reach_rate"), true),
                        shown(children, false)
                    ),
                },
                _ => {
                    let reached = get(&p.wards, v, "families_reached");
                    Bar {
                        label,
                        value: match reached {
                            Value::Int(n) if !population => Some(n as f64),
                            _ => None,
                        },
                        says: format!("{} families reached", shown(reached, false)),
                    }
                }
            }
        })
        .collect();
    let programmes: Vec<Bar> = p
        .programmes
        .rows
        .iter()
        .map(|(code, v)| {
            let rate = get(&p.programmes, v, "completion_rate");
            Bar {
                label: code.clone(),
                value: share(rate),
                says: format!(
                    "{} ({} of {})",
                    shown(rate, true),
                    shown(get(&p.programmes, v, "completed"), false),
                    shown(get(&p.programmes, v, "completion_eligible"), false)
                ),
            }
        })
        .collect();
    let context = minijinja::context! {
        from => day(link.from, "the first group"),
        to => day(link.to, "the last group"),
        generated => now.format("%-d %B %Y, %H:%M UTC").to_string(),
        shared => p.shared,
        headlines => headlines,
        weeks_chart => charts::columns("weeks", "Attendance by week",
            "The share of register marks that were present or late, week by week.", &weeks),
        wards_chart => charts::bars("wards", "Reach by ward",
            if population { "Children reached as a share of the under-fives living in each ward." }
            else { "Families reached in each ward (no population figures are loaded)." },
            &wards, false),
        programmes_chart => charts::bars("programmes", "Completion by programme",
            "Families who attended enough sessions to complete, of those on groups that have ended.",
            &programmes, true),
    };
    crate::api::pages::render::page("report.html", context)
}
