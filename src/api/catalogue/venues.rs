//! Venues: children's centres and community locations, each in a ward (named with its boundary
//! set) and with a crèche room of some capacity. Public to read; coordinators edit (the rules
//! are `service::catalogue::venues`'s).

use crate::api::access::{Coordinator, Require};
use crate::api::docs::{E400, E401, E403, E404, E413, E415, E422, E503};
use crate::api::json::ApiJson;
use crate::api::{field_errors, PageQuery};
use crate::app::AppState;
use crate::domain::ward::Ward;
use crate::error::ApiError;
use crate::service::{
    self,
    catalogue::venues::{AddVenue, VenueChange},
};
use crate::store::{self, venues::Venue, venues::VenueFields};
use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

#[derive(Debug, Serialize, ToSchema)]
pub struct VenueOut {
    pub id: i32,
    #[schema(example = "Loughborough Children's Centre")]
    pub name: String,
    pub address: String,
    #[schema(example = "SW9 7SL")]
    pub postcode: String,
    /// Boundary set and ward name.
    #[schema(example = "lambeth-2014:Coldharbour")]
    pub ward: String,
    #[schema(example = "lambeth-2014")]
    pub ward_boundary_set: String,
    #[schema(example = "Coldharbour")]
    pub ward_name: String,
    /// Children the crèche room holds; 0 = no crèche room.
    pub creche_room_capacity: i32,
    /// Whether the crèche is registered with Ofsted.
    pub creche_registered: bool,
    pub accessibility_notes: String,
    /// The IMD decile of the venue's LSOA (1 = among the 10% most deprived in England), from
    /// its postcode when the public geography is loaded (`groupwork import-geography`); null
    /// otherwise.
    #[schema(minimum = 1, maximum = 10, example = 2)]
    pub imd_decile: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Venue> for VenueOut {
    fn from(v: Venue) -> Self {
        let (set, name) = v
            .ward
            .split_once(':')
            .map(|(s, n)| (s.to_string(), n.to_string()))
            .unwrap_or_default();
        VenueOut {
            id: v.id,
            name: v.name,
            address: v.address,
            postcode: v.postcode,
            ward: v.ward,
            ward_boundary_set: set,
            ward_name: name,
            creche_room_capacity: v.creche_room_capacity,
            creche_registered: v.creche_registered,
            accessibility_notes: v.accessibility_notes,
            imd_decile: v.imd_decile,
            created_at: crate::api::utc(v.created_at),
            updated_at: crate::api::utc(v.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VenueList {
    pub items: Vec<VenueOut>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VenueBody {
    #[validate(length(min = 1, max = 120))]
    #[schema(
        example = "Loughborough Children's Centre",
        min_length = 1,
        max_length = 120
    )]
    pub name: String,
    #[validate(length(min = 1, max = 300))]
    #[schema(example = "Minet Road, London", min_length = 1, max_length = 300)]
    pub address: String,
    #[schema(
        example = "SW9 7SL",
        pattern = r"^(?:[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}|[Gg][Ii][Rr] ?0[Aa][Aa])$"
    )]
    pub postcode: String,
    /// `boundary-set:Ward name`.
    #[schema(
        example = "lambeth-2014:Coldharbour",
        pattern = r"^(?:[a-z0-9-]{0,35}-)?[0-9]{4}:[^\s:\x00-\x1F\x7F-\x9F](?:[^:\x00-\x1F\x7F-\x9F]{0,78}[^\s:\x00-\x1F\x7F-\x9F])?$"
    )]
    pub ward: String,
    #[validate(range(min = 0, max = 200))]
    #[schema(minimum = 0, maximum = 200)]
    pub creche_room_capacity: i32,
    pub creche_registered: bool,
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    #[serde(default)]
    pub accessibility_notes: String,
}

/// Any subset of a venue's fields.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VenuePatch {
    #[validate(length(min = 1, max = 120))]
    #[schema(min_length = 1, max_length = 120)]
    pub name: Option<String>,
    #[validate(length(min = 1, max = 300))]
    #[schema(min_length = 1, max_length = 300)]
    pub address: Option<String>,
    #[schema(
        pattern = r"^(?:[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}|[Gg][Ii][Rr] ?0[Aa][Aa])$"
    )]
    pub postcode: Option<String>,
    #[schema(
        pattern = r"^(?:[a-z0-9-]{0,35}-)?[0-9]{4}:[^\s:\x00-\x1F\x7F-\x9F](?:[^:\x00-\x1F\x7F-\x9F]{0,78}[^\s:\x00-\x1F\x7F-\x9F])?$"
    )]
    pub ward: Option<String>,
    #[validate(range(min = 0, max = 200))]
    #[schema(minimum = 0, maximum = 200)]
    pub creche_room_capacity: Option<i32>,
    pub creche_registered: Option<bool>,
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub accessibility_notes: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VenueFilter {
    /// Only venues in this ward, e.g. `lambeth-2014:Stockwell`.
    #[param(
        pattern = r"^(?:[a-z0-9-]{0,35}-)?[0-9]{4}:[^\s:\x00-\x1F\x7F-\x9F](?:[^:\x00-\x1F\x7F-\x9F]{0,78}[^\s:\x00-\x1F\x7F-\x9F])?$"
    )]
    pub ward: Option<String>,
}

/// List venues (public).
#[utoipa::path(
    tag = "venues",
    params(PageQuery, VenueFilter),
    responses((status = 200, description = "Venues, by name", body = VenueList), E400, E422, E503)
)]
#[get("/venues")]
pub async fn list_venues(
    state: web::Data<AppState>,
    page: web::Query<PageQuery>,
    filter: web::Query<VenueFilter>,
) -> Result<web::Json<VenueList>, ApiError> {
    let (limit, offset) = page.checked()?;
    let ward = match filter.into_inner().ward {
        Some(w) => Some(
            Ward::parse(&w)
                .map_err(|m| ApiError::field("ward", m))?
                .key(),
        ),
        None => None,
    };
    let page = state
        .db(move |c| Ok(store::venues::list(c, ward.as_deref(), limit, offset)?))
        .await?;
    Ok(web::Json(VenueList {
        items: page.items.into_iter().map(VenueOut::from).collect(),
        total: page.total,
        limit,
        offset,
    }))
}

/// One venue (public).
#[utoipa::path(
    tag = "venues",
    params(("id" = i32, Path, description = "Venue id")),
    responses((status = 200, description = "The venue", body = VenueOut), E404, E503)
)]
#[get("/venues/{id}")]
pub async fn get_venue(
    state: web::Data<AppState>,
    id: web::Path<i32>,
) -> Result<web::Json<VenueOut>, ApiError> {
    let id = id.into_inner();
    let v = state
        .db(move |c| Ok(store::venues::find(c, id)?))
        .await?
        .ok_or_else(|| ApiError::not_found("venue"))?;
    Ok(web::Json(v.into()))
}

/// Add a venue (coordinator).
#[utoipa::path(
    tag = "venues",
    security(("bearer" = [])),
    request_body = VenueBody,
    responses(
        (status = 201, description = "Created", body = VenueOut,
         headers(("Location" = String, description = "/api/v1/venues/{id}")),
         links(("GetVenue" = (operation_id = "get_venue", parameters(("id" = "$response.body#/id")), description = "The venue just added")), ("UpdateVenue" = (operation_id = "update_venue", parameters(("id" = "$response.body#/id")), description = "Change it")))),
        E400, E401, E403, E413, E415, E422, E503,
    )
)]
#[post("/venues")]
pub async fn create_venue(
    state: web::Data<AppState>,
    who: Require<Coordinator>,
    body: ApiJson<VenueBody>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let cmd = AddVenue {
        problems: field_errors(&b),
        venue: VenueFields {
            name: b.name,
            address: b.address,
            postcode: b.postcode,
            ward: b.ward,
            creche_room_capacity: b.creche_room_capacity,
            creche_registered: b.creche_registered,
            accessibility_notes: b.accessibility_notes,
        },
    };
    let v = service::catalogue::venues::add_venue(&state.services, who.actor(), cmd).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/venues/{}", v.id)))
        .json(VenueOut::from(v)))
}

/// Change a venue (coordinator): send only the fields that change.
#[utoipa::path(
    tag = "venues",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Venue id")),
    request_body = VenuePatch,
    responses((status = 200, description = "Updated", body = VenueOut), E400, E401, E403, E404, E413, E415, E422, E503)
)]
#[patch("/venues/{id}")]
pub async fn update_venue(
    state: web::Data<AppState>,
    who: Require<Coordinator>,
    id: web::Path<i32>,
    body: ApiJson<VenuePatch>,
) -> Result<web::Json<VenueOut>, ApiError> {
    let p = body.into_inner();
    let change = VenueChange {
        problems: field_errors(&p),
        name: p.name,
        address: p.address,
        postcode: p.postcode,
        ward: p.ward,
        creche_room_capacity: p.creche_room_capacity,
        creche_registered: p.creche_registered,
        accessibility_notes: p.accessibility_notes,
    };
    let v = service::catalogue::venues::change_venue(
        &state.services,
        who.actor(),
        id.into_inner(),
        change,
    )
    .await?;
    Ok(web::Json(v.into()))
}
