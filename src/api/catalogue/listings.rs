//! The public listing of published cohorts (what centre websites show) and the same as an
//! iCalendar feed. Nothing personal is in either.

use crate::api::catalogue::listing_cache::{Lookup, Rendered, Ticket};
use crate::api::cohorts::view::{
    creche_out, session_out, standing, venue_summary, zone, CrecheOut, SessionOut, VenueSummary,
};
use crate::api::docs::{E400, E404, E422, E503};
use crate::api::PageQuery;
use crate::app::AppState;
use crate::db::DbConnection;
use crate::domain::ics;
use crate::domain::ward::Ward;
use crate::error::ApiError;
use crate::service::catalogue::listing::{published_groups, Filter, Listed};
use crate::service::schedule::session_events;
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema, Clone)]
pub struct ListingItem {
    pub cohort_id: i32,
    /// Programme code.
    #[schema(example = "cosp")]
    pub programme: String,
    pub programme_name: String,
    pub title: String,
    pub description: String,
    pub venue: VenueSummary,
    pub first_session_date: NaiveDate,
    pub weekday: String,
    #[schema(example = "10:00")]
    pub start_time: String,
    pub timezone: String,
    pub sessions: Vec<SessionOut>,
    pub places: i32,
    pub places_left: i32,
    pub creche: CrecheOut,
    pub booking_open: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Listing {
    pub items: Vec<ListingItem>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

// Debug: its rendering, after parsing, is the normalised cache key (order and unknown
// parameters in the query string do not matter).
#[derive(Debug, Deserialize, IntoParams, Clone)]
#[into_params(parameter_in = Query)]
pub struct ListingFilter {
    /// Ward with its boundary set, e.g. `lambeth-2014:Stockwell`.
    #[param(
        example = "lambeth-2014:Stockwell",
        pattern = r"^([a-z0-9-]{0,35}-)?[0-9]{4}:[^:\s\x00-\x1f\x7f-\x9f]([^:\x00-\x1f\x7f-\x9f]{0,78}[^:\s\x00-\x1f\x7f-\x9f])?$"
    )]
    pub ward: Option<String>,
    pub venue_id: Option<i32>,
    /// Programme code, e.g. `cosp`.
    pub programme: Option<String>,
    /// Only cohorts with a session on or after this date.
    pub from: Option<NaiveDate>,
    /// Only cohorts starting on or before this date.
    pub to: Option<NaiveDate>,
    /// Only cohorts with parent places left.
    pub has_places: Option<bool>,
    /// Only cohorts offering a crèche with places left.
    pub has_creche: Option<bool>,
    /// Only this group (e.g. one group's dates as a calendar feed).
    #[param(minimum = 1)]
    pub group_id: Option<i32>,
}

/// The filter with its ward as stored, or a 422 (checked before the cache: a bad query is not
/// kept).
pub(crate) fn checked(f: &ListingFilter) -> Result<Filter, ApiError> {
    if f.group_id.is_some_and(|id| id < 1) {
        return Err(ApiError::field("group_id", "must be a group's id (from 1)"));
    }
    ApiError::check_ids(&[("venue_id", f.venue_id)])?;
    if let (Some(from), Some(to)) = (f.from, f.to) {
        if to < from {
            return Err(ApiError::field("to", "must not be before from"));
        }
    }
    let ward = match &f.ward {
        Some(w) => Some(
            Ward::parse(w)
                .map_err(|m| ApiError::field("ward", m))?
                .key(),
        ),
        None => None,
    };
    Ok(Filter {
        ward,
        venue_id: f.venue_id,
        programme: f.programme.clone(),
        from: f.from,
        to: f.to,
        has_places: f.has_places,
        has_creche: f.has_creche,
        with_cancelled: false,
        cohort_id: f.group_id,
    })
}

/// Answers from the listing cache, or renders with `draw` (see `listing_cache` for the rules),
/// with its validators: 304 when the request's `If-None-Match` (or, without one,
/// `If-Modified-Since`) shows the client has it already. Errors (the database down) are not
/// kept; a bad filter was refused before.
pub(crate) async fn cached(
    state: web::Data<AppState>,
    req: &HttpRequest,
    key: String,
    filter: Filter,
    content_type: &'static str,
    draw: impl FnOnce(&mut DbConnection, &[Listed], DateTime<Utc>) -> Result<Vec<u8>, ApiError>
        + Send
        + 'static,
) -> Result<HttpResponse, ApiError> {
    let answer = rendered(state, key, filter, draw).await?;
    Ok(conditional(req, answer, content_type))
}

/// The answer for a public page or feed, or 304 Not Modified (RFC 9110 §13.1.2, §13.1.3).
pub(crate) fn conditional(
    req: &HttpRequest,
    answer: Rendered,
    content_type: &'static str,
) -> HttpResponse {
    let headers = req.headers();
    let fresh = match headers.get(header::IF_NONE_MATCH) {
        Some(v) => v.to_str().is_ok_and(|v| {
            v.trim() == "*"
                || v.split(',')
                    .any(|t| t.trim().trim_start_matches("W/") == answer.etag)
        }),
        None => headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| DateTime::parse_from_rfc2822(v).ok())
            .is_some_and(|since| answer.last_modified <= since),
    };
    let last_modified = answer
        .last_modified
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    let mut res = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, answer.etag))
        .insert_header((header::LAST_MODIFIED, last_modified))
        // Anyone may keep it, but must ask again before using it: places change.
        .insert_header((header::CACHE_CONTROL, "public, no-cache"));
    if fresh {
        return res.finish();
    }
    res.insert_header((header::CONTENT_TYPE, content_type))
        .body(answer.body)
}

async fn rendered(
    state: web::Data<AppState>,
    key: String,
    filter: Filter,
    draw: impl FnOnce(&mut DbConnection, &[Listed], DateTime<Utc>) -> Result<Vec<u8>, ApiError>
        + Send
        + 'static,
) -> Result<Rendered, ApiError> {
    let now = state.now();
    let body = match state.listing_cache.lookup(&key, now) {
        Lookup::Hit(body) => body,
        Lookup::HitRefresh(body, ticket) => {
            // Still valid: answer it now, and re-render before it expires.
            let state = state.clone();
            actix_web::rt::spawn(async move {
                let now = state.now();
                let _ = render(&state, &key, filter, now, Some(ticket), draw).await;
            });
            body
        }
        Lookup::Render(ticket) => render(&state, &key, filter, now, Some(ticket), draw).await?,
        Lookup::Wait(wait) => match wait.await {
            Some(body) => body,
            None => render(&state, &key, filter, now, None, draw).await?,
        },
    };
    Ok(body)
}

/// Renders from the database; with a ticket, keeps the result and hands it to the waiters.
async fn render(
    state: &AppState,
    key: &str,
    filter: Filter,
    now: DateTime<Utc>,
    ticket: Option<Ticket>,
    draw: impl FnOnce(&mut DbConnection, &[Listed], DateTime<Utc>) -> Result<Vec<u8>, ApiError>
        + Send
        + 'static,
) -> Result<Rendered, ApiError> {
    let (body, until) = state
        .db(move |c| {
            let (rows, until) = published_groups(c, &filter, now)?;
            Ok((draw(c, &rows, now)?, until))
        })
        .await?;
    let body = Bytes::from(body);
    Ok(match ticket {
        Some(ticket) => ticket.finish(&state.listing_cache, now, until, body),
        None => state.listing_cache.validated(key, body, now),
    })
}

pub(crate) fn item(l: &Listed, now: DateTime<Utc>) -> ListingItem {
    let (c, p, v, sessions) = (&l.cohort, &l.programme, &l.venue, &l.sessions);
    let tz = zone(c);
    ListingItem {
        cohort_id: c.id,
        programme: p.code.clone(),
        programme_name: p.name.clone(),
        title: c.title.clone(),
        description: c.description.clone(),
        venue: venue_summary(v),
        first_session_date: c.first_session_date,
        weekday: c.first_session_date.format("%A").to_string(),
        start_time: c.start_time.format("%H:%M").to_string(),
        timezone: c.timezone.clone(),
        sessions: sessions.iter().map(|s| session_out(s, tz)).collect(),
        places: c.places,
        places_left: c.places - c.confirmed_count,
        creche: creche_out(c, v, sessions, &l.creche_births),
        booking_open: standing(c, sessions, now).booking_open,
    }
}

/// Groups open to families (public): published cohorts that have not finished, with their
/// sessions in UTC and local time, places and crèche places left.
#[utoipa::path(
    tag = "listings",
    params(PageQuery, ListingFilter),
    responses((status = 200, description = "Published groups, by first session", body = Listing), E400, E422, E503)
)]
#[get("/listings")]
pub async fn listings(
    state: web::Data<AppState>,
    req: HttpRequest,
    page: web::Query<PageQuery>,
    filter: web::Query<ListingFilter>,
) -> Result<HttpResponse, ApiError> {
    let (limit, offset) = page.checked()?;
    let key = format!("json {limit} {offset} {:?}", *filter);
    let filter = checked(&filter)?;
    cached(
        state,
        &req,
        key,
        filter,
        "application/json",
        move |_, rows, now| {
            let items = rows
                .iter()
                .skip(offset as usize)
                .take(limit as usize)
                .map(|l| item(l, now))
                .collect();
            let listing = Listing {
                items,
                total: rows.len() as i64,
                limit,
                offset,
            };
            serde_json::to_vec(&listing).map_err(|e| ApiError::Internal(e.to_string()))
        },
    )
    .await
}

/// The same groups as an iCalendar feed (public): one event per session, in the group's local
/// time zone; cancelled sessions stay in the feed marked cancelled so calendars drop them. A
/// group cancelled after it was published stays in the feed, its sessions still to come marked
/// cancelled (same UIDs, a higher SEQUENCE), until its planned last session would have ended.
#[utoipa::path(
    tag = "listings",
    params(ListingFilter),
    responses(
        (status = 200, description = "iCalendar (RFC 5545)", content_type = "text/calendar", body = String),
        E400, E422, E503,
    )
)]
#[get("/listings.ics")]
pub async fn listings_ics(
    state: web::Data<AppState>,
    req: HttpRequest,
    filter: web::Query<ListingFilter>,
) -> Result<HttpResponse, ApiError> {
    feed(state, &req, &filter).await
}

/// The iCalendar feed of the listed groups (also at `/programme.ics`). Its DTSTAMP is when the
/// information was last revised (the newest change to a listed group, its sessions or venue),
/// not when it was rendered, so the same programme is the same bytes and a client revalidating
/// gets a 304.
pub(crate) async fn feed(
    state: web::Data<AppState>,
    req: &HttpRequest,
    filter: &ListingFilter,
) -> Result<HttpResponse, ApiError> {
    let key = format!("ics {filter:?}");
    let ics = "text/calendar; charset=utf-8";
    let filter = Filter {
        with_cancelled: true,
        ..checked(filter)?
    };
    cached(state, req, key, filter, ics, |_, rows, _| {
        let events: Vec<ics::Event> = rows
            .iter()
            .flat_map(|l| session_events(&l.cohort, &l.programme, &l.venue, &l.sessions))
            .collect();
        Ok(ics::calendar("Parent–infant groups", &events, revised(rows)).into_bytes())
    })
    .await
}

/// The newest change to the listed groups, their sessions and venues (a fixed instant for an
/// empty feed).
fn revised(rows: &[Listed]) -> DateTime<Utc> {
    rows.iter()
        .flat_map(|l| {
            l.sessions
                .iter()
                .map(|s| s.updated_at)
                .chain([l.cohort.updated_at, l.venue.updated_at])
        })
        .max()
        .map_or(DateTime::<Utc>::UNIX_EPOCH, |t| t.and_utc())
}

/// One published group as the listing shows it (public); 404 for drafts, cancelled and finished
/// groups and unknown ids.
#[utoipa::path(
    tag = "listings",
    params(("id" = i32, Path, description = "Cohort id", minimum = 1)),
    responses(
        (status = 200, description = "The group", body = ListingItem,
         headers(("ETag" = String), ("Last-Modified" = String))),
        (status = 304, description = "Not modified since the client's copy (If-None-Match, If-Modified-Since)"),
        E404, E503,
    )
)]
#[get("/listings/{id}")]
pub async fn listing_one(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let filter = Filter {
        cohort_id: Some(id),
        ..Filter::default()
    };
    cached(
        state,
        &req,
        format!("json one {id}"),
        filter,
        "application/json",
        move |_, rows, now| {
            let group = rows
                .first()
                .ok_or_else(|| ApiError::NotFound("group not found".into()))?;
            serde_json::to_vec(&item(group, now)).map_err(|e| ApiError::Internal(e.to_string()))
        },
    )
    .await
}
