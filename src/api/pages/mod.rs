//! The public programme as web pages any centre can link to or embed (issue 18): `/programme`
//! (this term's groups, with filters), `/programme/groups/{id}` (one group's dates, place and
//! booking), `/programme/print` (the termly programme for noticeboards, with a QR code per group).
//! Rendered on the server from the same rows and cache as the JSON listing (so the three agree),
//! in English, Portuguese, Spanish or Polish; they work without JavaScript, set no cookie and
//! hold nothing personal. `?embed=1` is the compact layout for an `<iframe>`, which only the
//! origins in `GROUPWORK_EMBED_ORIGINS` may frame.

mod language;
pub(crate) mod render;
pub mod view;

use crate::api::catalogue::listings::{cached, checked, ListingFilter};
use crate::api::docs::{E400, E404, E422, E503};
use crate::app::AppState;
use crate::config::Config;
use crate::domain::ward::Ward;
use crate::error::ApiError;
use crate::service::catalogue::listing::{group_dates, published_groups, Filter, Listed};
use actix_web::http::header::{self, HeaderValue};
use actix_web::{get, web, HttpRequest, HttpResponse};
use minijinja::context;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::IntoParams;
use view::{call_html, Keep};

const HTML: &str = "text/html; charset=utf-8";

/// How a page is shown: its language and layout.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// `en`, `pt`, `es` or `pl`; otherwise the browser's `Accept-Language`, else English.
    #[param(example = "pt")]
    pub lang: Option<String>,
    /// `1`: the compact layout, without the page's header and footer, for an `<iframe>`.
    #[param(example = "1")]
    pub embed: Option<String>,
}

/// The programme page's filters, as its form sends them (an empty value is "any").
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgrammeQuery {
    /// Ward with its boundary set, e.g. `lambeth-2014:Stockwell`; empty for any.
    #[param(
        example = "lambeth-2014:Stockwell",
        pattern = r"^(([a-z0-9-]{0,35}-)?[0-9]{4}:[^:\s\x00-\x1f\x7f-\x9f]([^:\x00-\x1f\x7f-\x9f]{0,78}[^:\s\x00-\x1f\x7f-\x9f])?)?$"
    )]
    pub ward: Option<String>,
    /// A venue's id; empty for any.
    #[param(example = "2", pattern = r"^([1-9][0-9]{0,8})?$")]
    pub venue: Option<String>,
    /// Programme code, e.g. `cosp`.
    pub programme: Option<String>,
    /// `true` (or `1`, `on`): only groups with places left.
    pub has_places: Option<String>,
    /// `true` (or `1`, `on`): only groups with crèche places left.
    pub has_creche: Option<String>,
    /// Which page of groups, from 1 ([`PAGE_SIZE`] a page); past the last, the last.
    #[param(example = "2", pattern = r"^([1-9][0-9]{0,5})?$")]
    pub page: Option<String>,
}

/// Groups on one programme page: the JSON listing's first page, and enough for an old phone.
pub const PAGE_SIZE: usize = 20;

/// A filter the form sent, `None` for its empty "any".
fn given(v: &Option<String>) -> Option<String> {
    v.as_deref().filter(|v| !v.is_empty()).map(str::to_string)
}

/// A whole number as the spec's pattern writes it: digits, no leading zero, at most `max_digits`.
fn number(v: &str, max_digits: usize) -> Option<usize> {
    let digits = v.len() <= max_digits && v.bytes().all(|b| b.is_ascii_digit());
    if digits && !v.starts_with('0') {
        v.parse().ok()
    } else {
        None
    }
}

fn ticked(v: &Option<String>) -> Option<bool> {
    given(v).map(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "true" | "1" | "on" | "yes"
        )
    })
}

impl ProgrammeQuery {
    fn page(&self) -> Result<usize, ApiError> {
        match given(&self.page) {
            Some(p) => {
                number(&p, 6).ok_or_else(|| ApiError::field("page", "must be a page number from 1"))
            }
            None => Ok(1),
        }
    }

    fn listing_filter(&self) -> Result<ListingFilter, ApiError> {
        let venue_id = match given(&self.venue) {
            Some(v) => Some(
                number(&v, 9)
                    .and_then(|v| i32::try_from(v).ok())
                    .ok_or_else(|| ApiError::field("venue", "must be a venue's id"))?,
            ),
            None => None,
        };
        // The ward as the form offers it: exactly a ward's key (no spaces around its parts).
        if let Some(w) = given(&self.ward) {
            if Ward::parse(&w).map(|p| p.key()) != Ok(w) {
                return Err(ApiError::field(
                    "ward",
                    "must be a ward with its boundary set, e.g. lambeth-2014:Stockwell",
                ));
            }
        }
        Ok(ListingFilter {
            ward: given(&self.ward),
            venue_id,
            programme: given(&self.programme),
            from: None,
            to: None,
            has_places: ticked(&self.has_places).filter(|t| *t),
            has_creche: ticked(&self.has_creche).filter(|t| *t),
            group_id: None,
        })
    }
}

fn keep(req: &HttpRequest, q: &PageQuery) -> Keep {
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    Keep {
        lang: language::negotiate(q.lang.as_deref(), accept),
        embed: ticked(&q.embed).unwrap_or(false),
    }
}

/// A link to the language switch's page in each written language, keeping the filters.
#[derive(Debug, Serialize)]
struct LanguageLink {
    code: &'static str,
    name: &'static str,
    href: String,
    current: bool,
}

fn languages(keep: Keep, path: &str) -> Vec<LanguageLink> {
    language::WRITTEN
        .iter()
        .map(|(l, name)| LanguageLink {
            code: l.as_str(),
            name,
            href: Keep { lang: *l, ..keep }.href(path),
            current: *l == keep.lang,
        })
        .collect()
}

/// The query of the programme page for a filter, as the page writes its own links.
fn filter_query(f: &Filter) -> String {
    let mut q: Vec<String> = Vec::new();
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    if let Some(w) = &f.ward {
        q.push(format!("ward={}", enc(w)));
    }
    if let Some(v) = f.venue_id {
        q.push(format!("venue={v}"));
    }
    if let Some(p) = &f.programme {
        q.push(format!("programme={}", enc(p)));
    }
    if f.has_places == Some(true) {
        q.push("has_places=true".into());
    }
    if f.has_creche == Some(true) {
        q.push("has_creche=true".into());
    }
    if q.is_empty() {
        "/programme".into()
    } else {
        format!("/programme?{}", q.join("&"))
    }
}

/// What every page's layout needs.
struct Frame {
    keep: Keep,
    call_html: String,
    booking_url: String,
    public_url: String,
}

impl Frame {
    /// What every page's layout (`base.html`) shows: its language and layout, the way home, the
    /// language switch to `path` in each language, and the phone line.
    fn layout(&self, path: &str) -> minijinja::Value {
        context! {
            lang => self.keep.lang.as_str(),
            embed => self.keep.embed,
            home_href => self.keep.href("/programme"),
            languages => languages(self.keep, path),
            call_html => &self.call_html,
        }
    }

    fn new(keep: Keep, config: &Config) -> Frame {
        Frame {
            keep,
            call_html: call_html(keep.lang, &config.centre_phone),
            booking_url: config.booking_url.clone(),
            public_url: config.public_url.trim_end_matches('/').to_string(),
        }
    }
}

#[derive(Debug, Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Debug, Serialize)]
struct Select {
    name: &'static str,
    label: &'static str,
    options: Vec<Choice>,
}

/// The filters' choices: every ward, venue and kind of group with a group listed now.
fn selects(all: &[Listed], f: &Filter) -> Vec<Select> {
    let mut wards = BTreeMap::new();
    let mut venues = BTreeMap::new();
    let mut programmes = BTreeMap::new();
    for l in all {
        let ward_name = Ward::parse(&l.venue.ward)
            .map(|w| w.name)
            .unwrap_or_else(|_| l.venue.ward.clone());
        wards.insert(l.venue.ward.clone(), ward_name);
        venues.insert(l.venue.name.clone(), l.venue.id);
        programmes.insert(l.programme.name.clone(), l.programme.code.clone());
    }
    let mut wards: Vec<(String, String)> = wards.into_iter().collect();
    wards.sort_by(|a, b| a.1.cmp(&b.1));
    vec![
        Select {
            name: "ward",
            label: "page-filter-ward",
            options: wards
                .into_iter()
                .map(|(key, name)| Choice {
                    selected: f.ward.as_deref() == Some(key.as_str()),
                    value: key,
                    label: name,
                })
                .collect(),
        },
        Select {
            name: "venue",
            label: "page-filter-venue",
            options: venues
                .into_iter()
                .map(|(name, id)| Choice {
                    selected: f.venue_id == Some(id),
                    value: id.to_string(),
                    label: name,
                })
                .collect(),
        },
        Select {
            name: "programme",
            label: "page-filter-programme",
            options: programmes
                .into_iter()
                .map(|(name, code)| Choice {
                    selected: f.programme.as_deref() == Some(code.as_str()),
                    value: code,
                    label: name,
                })
                .collect(),
        },
    ]
}

fn html(page: Result<String, String>) -> Result<Vec<u8>, ApiError> {
    page.map(String::into_bytes).map_err(ApiError::Internal)
}

/// The headers every page carries: its language, that it varies with the browser's, and a
/// Content-Security-Policy that allows our own stylesheet and script only and says who may
/// frame it (the embed's origins, or no one).
fn page_headers(mut res: HttpResponse, keep: Keep, config: &Config) -> HttpResponse {
    let ancestors = if keep.embed {
        std::iter::once("'self'".to_string())
            .chain(config.embed_origins.iter().cloned())
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        "'none'".to_string()
    };
    let csp = format!(
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; \
         form-action 'self'; base-uri 'none'; frame-ancestors {ancestors}"
    );
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(keep.lang.as_str()),
    );
    h.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    res
}

/// This term's groups as a web page (public), narrowed by the filters, 20 a page, in the
/// visitor's language. Works without JavaScript; `?embed=1` for an iframe.
#[utoipa::path(
    tag = "pages",
    params(PageQuery, ProgrammeQuery),
    responses(
        (status = 200, description = "The programme page", content_type = "text/html", body = String),
        (status = 304, description = "Not modified since the client's copy"),
        E400, E422, E503,
    )
)]
#[get("/programme")]
pub async fn programme(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<PageQuery>,
    f: web::Query<ProgrammeQuery>,
) -> Result<HttpResponse, ApiError> {
    let keep = keep(&req, &q);
    let filter = checked(&f.listing_filter()?)?;
    let page = f.page()?;
    let key = format!(
        "html programme {} {} {page} {filter:?}",
        keep.lang.as_str(),
        keep.embed
    );
    let frame = Frame::new(keep, &state.config);
    let everyone = Filter::default();
    let chosen = filter.clone();
    let res = cached(
        state.clone(),
        &req,
        key,
        filter,
        HTML,
        move |c, rows, now| {
            let (all, _) = published_groups(c, &everyone, now)?;
            let pages = rows.len().div_ceil(PAGE_SIZE).max(1);
            let page = page.min(pages);
            let groups: Vec<view::GroupView> = rows
                .iter()
                .skip((page - 1) * PAGE_SIZE)
                .take(PAGE_SIZE)
                .map(|l| view::group(l, &[], frame.keep, &frame.booking_url, now))
                .collect();
            let path = filter_query(&chosen);
            let page_href = |n: usize| {
                let sep = if path.contains('?') { '&' } else { '?' };
                keep.href(&format!("{path}{sep}page={n}"))
            };
            html(render::page(
                "programme.html",
                context! {
                    print_href => keep.href("/programme/print"),
                    selects => selects(&all, &chosen),
                    has_places => chosen.has_places == Some(true),
                    has_creche => chosen.has_creche == Some(true),
                    total => rows.len(),
                    groups => groups,
                    page => page,
                    pages => pages,
                    previous_href => (page > 1).then(|| page_href(page - 1)),
                    next_href => (page < pages).then(|| page_href(page + 1)),
                    ..frame.layout(&path)
                },
            ))
        },
    )
    .await?;
    Ok(page_headers(res, keep, &state.config))
}

/// One published group as a web page (public): its dates (the weeks with no group say why), the
/// venue with a map link and access notes, the crèche, a "Book a place" link to the centre's
/// booking page and a phone number; schema.org event data for search engines. 404 for drafts,
/// cancelled and finished groups.
#[utoipa::path(
    tag = "pages",
    params(("id" = i32, Path, description = "Cohort id", minimum = 1), PageQuery),
    responses(
        (status = 200, description = "The group's page", content_type = "text/html", body = String),
        (status = 304, description = "Not modified since the client's copy"),
        E400, E404, E503,
    )
)]
#[get("/programme/groups/{id}")]
pub async fn group_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i32>,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let keep = keep(&req, &q);
    let id = id.into_inner();
    let filter = Filter {
        cohort_id: Some(id),
        ..Filter::default()
    };
    let key = format!("html group {id} {} {}", keep.lang.as_str(), keep.embed);
    let frame = Frame::new(keep, &state.config);
    let res = cached(
        state.clone(),
        &req,
        key,
        filter,
        HTML,
        move |c, rows, now| {
            let l = rows
                .first()
                .ok_or_else(|| ApiError::NotFound("group not found".into()))?;
            let dates = group_dates(c, l)?;
            let g = view::group(l, &dates, keep, &frame.booking_url, now);
            let page_url = format!("{}/programme/groups/{id}", frame.public_url);
            let json_ld = view::json_ld(l, &g, &page_url);
            html(render::page(
                "group.html",
                context! {
                    back_href => keep.href("/programme"),
                    g => g,
                    json_ld => json_ld,
                    ..frame.layout(&format!("/programme/groups/{id}"))
                },
            ))
        },
    )
    .await?;
    Ok(page_headers(res, keep, &state.config))
}

#[derive(Debug, Serialize)]
struct PrintVenue {
    id: i32,
    name: String,
    address: String,
    postcode: String,
    accessibility_notes: String,
    groups: Vec<PrintGroup>,
}

#[derive(Debug, Serialize)]
struct PrintGroup {
    #[serde(flatten)]
    group: view::GroupView,
    /// The group's page, as the QR code says it.
    url: String,
    qr_svg: String,
}

/// The termly programme to print (public): one section (an A4 page) per venue, every group with
/// its dates in full and a QR code of its page.
#[utoipa::path(
    tag = "pages",
    params(PageQuery),
    responses(
        (status = 200, description = "The printable programme", content_type = "text/html", body = String),
        (status = 304, description = "Not modified since the client's copy"),
        E400, E503,
    )
)]
#[get("/programme/print")]
pub async fn print_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    q: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let keep = Keep {
        embed: false,
        ..keep(&req, &q)
    };
    let key = format!("html print {}", keep.lang.as_str());
    let frame = Frame::new(keep, &state.config);
    let res = cached(
        state.clone(),
        &req,
        key,
        Filter::default(),
        HTML,
        move |c, rows, now| {
            let mut venues: Vec<PrintVenue> = Vec::new();
            for l in rows {
                let dates = group_dates(c, l)?;
                let group = view::group(l, &dates, keep, &frame.booking_url, now);
                let url = format!(
                    "{}/programme/groups/{}?lang={}",
                    frame.public_url,
                    l.cohort.id,
                    keep.lang.as_str()
                );
                let printed = PrintGroup {
                    qr_svg: view::qr_svg(&url),
                    url,
                    group,
                };
                match venues.iter_mut().find(|v| v.id == l.venue.id) {
                    Some(v) => v.groups.push(printed),
                    None => venues.push(PrintVenue {
                        id: l.venue.id,
                        name: l.venue.name.clone(),
                        address: l.venue.address.clone(),
                        postcode: l.venue.postcode.clone(),
                        accessibility_notes: l.venue.accessibility_notes.clone(),
                        groups: vec![printed],
                    }),
                }
            }
            venues.sort_by(|a, b| a.name.cmp(&b.name));
            html(render::page(
                "print.html",
                context! {
                    venues => venues,
                    ..frame.layout("/programme/print")
                },
            ))
        },
    )
    .await?;
    Ok(page_headers(res, keep, &state.config))
}

const STYLE: &str = include_str!("../../../assets/pages/style.css");
const FRAME_JS: &str = include_str!("../../../assets/pages/frame.js");
const EMBED_JS: &str = include_str!("../../../assets/pages/embed.js");

fn asset(body: &'static str, content_type: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(body)
}

/// The pages' stylesheet (screen, small screens and print).
#[utoipa::path(tag = "pages", responses((status = 200, description = "CSS", content_type = "text/css", body = String)))]
#[get("/programme/style.css")]
pub async fn style() -> HttpResponse {
    asset(STYLE, "text/css; charset=utf-8")
}

/// Inside the iframe: tells the page around it how tall the programme is.
#[utoipa::path(tag = "pages", responses((status = 200, description = "JavaScript", content_type = "text/javascript", body = String)))]
#[get("/programme/frame.js")]
pub async fn frame_script() -> HttpResponse {
    asset(FRAME_JS, "text/javascript; charset=utf-8")
}

/// For the centre's own page, beside the iframe: resizes it to the programme's height.
#[utoipa::path(tag = "pages", responses((status = 200, description = "JavaScript", content_type = "text/javascript", body = String)))]
#[get("/programme/embed.js")]
pub async fn embed_script() -> HttpResponse {
    asset(EMBED_JS, "text/javascript; charset=utf-8")
}

/// The programme as an iCalendar feed (public), for the pages' "add to calendar": the same feed
/// as `/api/v1/listings.ics`, with the same filters.
#[utoipa::path(
    tag = "pages",
    params(ListingFilter),
    responses(
        (status = 200, description = "iCalendar (RFC 5545)", content_type = "text/calendar", body = String),
        (status = 304, description = "Not modified since the client's copy"),
        E400, E422, E503,
    )
)]
#[get("/programme.ics")]
pub async fn programme_ics(
    state: web::Data<AppState>,
    req: HttpRequest,
    filter: web::Query<ListingFilter>,
) -> Result<HttpResponse, ApiError> {
    crate::api::catalogue::listings::feed(state, &req, &filter).await
}
