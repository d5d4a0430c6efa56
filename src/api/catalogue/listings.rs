//! The public listing of published cohorts (what centre websites show) and the same as an
//! iCalendar feed. Nothing personal is in either.

use crate::api::catalogue::listing_cache::{Lookup, Ticket};
use crate::api::cohorts::view::{
    creche_out, session_out, standing, venue_summary, zone, CrecheOut, SessionOut, VenueSummary,
};
use crate::api::docs::{E400, E422, E503};
use crate::api::PageQuery;
use crate::app::AppState;
use crate::domain::ics;
use crate::domain::ward::Ward;
use crate::error::ApiError;
use crate::service::catalogue::listing::{published_groups, Filter, Listed};
use crate::service::schedule::session_events;
use crate::store::{cohorts::Cohort, cohorts::Session, programmes::Programme, venues::Venue};
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{get, web, HttpResponse};
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
}

/// The filter with its ward as stored, or a 422 (checked before the cache: a bad query is not
/// kept).
fn checked(f: &ListingFilter) -> Result<Filter, ApiError> {
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
    })
}

/// Answers from the listing cache, or renders with `draw` (see `listing_cache` for the rules).
/// Errors (the database down) are not kept; a bad filter was refused before.
async fn cached(
    state: web::Data<AppState>,
    key: String,
    filter: Filter,
    content_type: &'static str,
    draw: impl FnOnce(&[Listed], DateTime<Utc>) -> Result<Vec<u8>, ApiError> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    let now = state.now();
    let body = match state.listing_cache.lookup(&key, now) {
        Lookup::Hit(body) => body,
        Lookup::HitRefresh(body, ticket) => {
            // Still valid: answer it now, and re-render before it expires.
            let state = state.clone();
            actix_web::rt::spawn(async move {
                let now = state.now();
                let _ = render(&state, filter, now, Some(ticket), draw).await;
            });
            body
        }
        Lookup::Render(ticket) => render(&state, filter, now, Some(ticket), draw).await?,
        Lookup::Wait(wait) => match wait.await {
            Some(body) => body,
            None => render(&state, filter, now, None, draw).await?,
        },
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .body(body))
}

/// Renders from the database; with a ticket, keeps the result and hands it to the waiters.
async fn render(
    state: &AppState,
    filter: Filter,
    now: DateTime<Utc>,
    ticket: Option<Ticket>,
    draw: impl FnOnce(&[Listed], DateTime<Utc>) -> Result<Vec<u8>, ApiError> + Send + 'static,
) -> Result<Bytes, ApiError> {
    let (body, until) = state
        .db(move |c| {
            let (rows, until) = published_groups(c, &filter, now)?;
            Ok((draw(&rows, now)?, until))
        })
        .await?;
    let body = Bytes::from(body);
    if let Some(ticket) = ticket {
        ticket.finish(&state.listing_cache, now, until, body.clone());
    }
    Ok(body)
}

fn item(
    c: &Cohort,
    p: &Programme,
    v: &Venue,
    sessions: &[Session],
    booked: &[NaiveDate],
    now: DateTime<Utc>,
) -> ListingItem {
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
        creche: creche_out(c, v, sessions, booked),
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
    page: web::Query<PageQuery>,
    filter: web::Query<ListingFilter>,
) -> Result<HttpResponse, ApiError> {
    let (limit, offset) = page.checked()?;
    let key = format!("json {limit} {offset} {:?}", *filter);
    let filter = checked(&filter)?;
    cached(state, key, filter, "application/json", move |rows, now| {
        let items = rows
            .iter()
            .skip(offset as usize)
            .take(limit as usize)
            .map(|(c, p, v, s, b)| item(c, p, v, s, b, now))
            .collect();
        let listing = Listing {
            items,
            total: rows.len() as i64,
            limit,
            offset,
        };
        serde_json::to_vec(&listing).map_err(|e| ApiError::Internal(e.to_string()))
    })
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
    filter: web::Query<ListingFilter>,
) -> Result<HttpResponse, ApiError> {
    // The feed's DTSTAMP is when it was rendered, at most the cache's TTL ago.
    let key = format!("ics {:?}", *filter);
    let ics = "text/calendar; charset=utf-8";
    let filter = Filter {
        with_cancelled: true,
        ..checked(&filter)?
    };
    cached(state, key, filter, ics, |rows, now| {
        let events: Vec<ics::Event> = rows
            .iter()
            .flat_map(|(c, p, v, s, _)| session_events(c, p, v, s))
            .collect();
        Ok(ics::calendar("Parent–infant groups", &events, now).into_bytes())
    })
    .await
}
