//! Families the centre records itself (a phone call, a referral): enrolling, finding, reading and
//! changing them, and inviting them to claim their record with an account of their own. The
//! rules, the duplicate check and the audit trail are `service::families::{enrolment, lookup}`'s
//! and `service::accounts::invitation`'s.

use super::children::ChildBody;
use super::{checked_profile, family_out, FamilyBody, FamilyOut};
use crate::api::access::{Coordinator, Require, Staff};
use crate::api::docs::{E400, E401, E403, E404, E409, E413, E415, E422, E503};
use crate::api::json::ApiJson;
use crate::api::{field_errors, utc, PageQuery};
use crate::app::AppState;
use crate::domain::message::{ContactBy, Language};
use crate::error::ApiError;
use crate::service::{
    self,
    families::enrolment::{ChangeFamily, EnrolFamily, NewChild},
    families::lookup::FindFamilies,
};
use crate::store::{self, families::Family};
use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

/// The most children recorded with a family staff enrol.
const MAX_CHILDREN: usize = 10;

super::family_body! {
    /// A family staff enrol: the profile as a parent gives it (`PUT /me/family`), its children,
    /// and whether staff have checked it is not a family already recorded.
    pub struct EnrolFamilyBody {
        /// Children, born or expected (up to 10).
        #[serde(default)]
        #[validate(nested)]
        #[schema(max_items = 10)]
        pub children: Vec<ChildBody>,
        /// `true` when staff have looked at the families with the same email address or phone
        /// number (a 409 names them) and this is a different family.
        #[serde(default)]
        pub confirmed_new: bool,
    }
}

/// A JSON merge patch of a family's profile: only the fields present change, to values the
/// same rules allow as in `PUT /me/family`; `null` clears a text field.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FamilyPatch {
    #[schema(min_items = 1, max_items = 2)]
    pub carers: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::api::json::sent")]
    #[schema(value_type = Option<String>, example = "07700 900123")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::json::sent")]
    #[schema(value_type = Option<String>, max_length = 254, format = Email)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::json::sent")]
    #[schema(
        value_type = Option<String>,
        example = "SW9 8LF",
        pattern = r"^(?:(?:[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}|[Gg][Ii][Rr] ?0[Aa][Aa]))?$"
    )]
    pub postcode: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::api::json::sent")]
    #[schema(
        value_type = Option<String>,
        pattern = r"^(?:(?:[a-z0-9-]{0,35}-)?[0-9]{4}:[^\s:\x00-\x1F\x7F-\x9F](?:[^:\x00-\x1F\x7F-\x9F]{0,78}[^\s:\x00-\x1F\x7F-\x9F])?)?$"
    )]
    pub ward: Option<Option<String>>,
    pub preferred_language: Option<Language>,
    #[serde(default, deserialize_with = "crate::api::json::sent")]
    #[schema(value_type = Option<String>, max_length = 60, pattern = r"^[^\x00-\x1F\x7F]*$")]
    pub language_other: Option<Option<String>>,
    pub interpreter_needed: Option<bool>,
    #[serde(default, deserialize_with = "crate::api::json::sent")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub access_needs: Option<Option<String>>,
    #[schema(value_type = Option<crate::api::docs::ReferralSource>)]
    pub referral_source: Option<String>,
    pub consent_to_contact: Option<bool>,
    pub contact_by: Option<ContactBy>,
    pub reminders: Option<bool>,
    /// The monitoring answers, whole (those left out of it are `not_asked`).
    pub monitoring: Option<crate::api::families::monitoring::Monitoring>,
    /// As when enrolling: a new email address or phone number that another family has is
    /// refused (409) unless this is `true`.
    #[serde(default)]
    pub confirmed_new: bool,
}

impl FamilyPatch {
    /// The whole profile the patch would leave `f` with, and the names of the fields sent.
    fn over(self, f: &Family) -> (FamilyBody, BTreeSet<String>) {
        let mut sent = BTreeSet::new();
        let mut mark = |name: &str, here: bool| {
            if here {
                sent.insert(name.to_string());
            }
        };
        mark("carers", self.carers.is_some());
        mark("phone", self.phone.is_some());
        mark("email", self.email.is_some());
        mark("postcode", self.postcode.is_some());
        mark("ward", self.ward.is_some());
        mark("preferred_language", self.preferred_language.is_some());
        mark("language_other", self.language_other.is_some());
        mark("interpreter_needed", self.interpreter_needed.is_some());
        mark("access_needs", self.access_needs.is_some());
        mark("referral_source", self.referral_source.is_some());
        mark("consent_to_contact", self.consent_to_contact.is_some());
        mark("contact_by", self.contact_by.is_some());
        mark("reminders", self.reminders.is_some());
        mark("monitoring", self.monitoring.is_some());
        let text = |new: Option<Option<String>>, old: &str| match new {
            Some(v) => v.unwrap_or_default(),
            None => old.to_string(),
        };
        let carers = [&f.carer_one, &f.carer_two]
            .into_iter()
            .filter(|c| !c.is_empty())
            .cloned()
            .collect();
        let email = match self.email {
            Some(v) => v,
            None => Some(f.email.clone()),
        };
        let body = FamilyBody {
            carers: self.carers.unwrap_or(carers),
            phone: text(self.phone, &f.phone),
            email: email.filter(|e| !e.trim().is_empty()),
            postcode: text(self.postcode, &f.postcode),
            ward: text(self.ward, &f.ward),
            preferred_language: self.preferred_language.unwrap_or(f.preferred_language),
            language_other: text(self.language_other, &f.language_other),
            interpreter_needed: self.interpreter_needed.unwrap_or(f.interpreter_needed),
            access_needs: text(self.access_needs, &f.access_needs),
            referral_source: self
                .referral_source
                .unwrap_or_else(|| f.referral_source.clone()),
            consent_to_contact: self.consent_to_contact.unwrap_or(f.consent_to_contact),
            contact_by: self.contact_by.unwrap_or(f.contact_by),
            reminders: self.reminders.unwrap_or(f.reminders),
            monitoring: self.monitoring,
        };
        (body, sent)
    }
}

/// Enrol a family (coordinators).
///
/// For a family who phoned or was referred and may never make an account: staff then book for them (`POST /cohorts/{id}/bookings` with `family_id`) and
/// they are told by text message or email as they chose. A family whose email address or phone
/// number is already recorded is refused with 409 naming the families
/// (`existing_family_ids`): book them instead, or send `confirmed_new: true`. Facilitators
/// cannot enrol: the duplicate check looks across all the borough's families and names them,
/// which only coordinators may see.
#[utoipa::path(
    tag = "families",
    security(("bearer" = [])),
    request_body = EnrolFamilyBody,
    responses(
        (status = 201, description = "Enrolled", body = FamilyOut,
         headers(("Location" = String, description = "/api/v1/families/{id}")),
         links(("GetFamily" = (operation_id = "get_family", parameters(("id" = "$response.body#/id")), description = "The family just enrolled")),
               ("InviteFamily" = (operation_id = "invite_family", parameters(("id" = "$response.body#/id")), description = "Invite them to claim their record")))),
        E400, E401, E403, E409, E413, E415, E422, E503,
    )
)]
#[post("/families")]
pub async fn enrol_family(
    state: web::Data<AppState>,
    who: Require<Coordinator>,
    body: ApiJson<EnrolFamilyBody>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let mut errors = field_errors(&b);
    let (profile, (children, confirmed_new)) = b.into_parts();
    if children.len() > MAX_CHILDREN {
        let why = format!("at most {MAX_CHILDREN} children");
        errors.entry("children".into()).or_default().push(why);
    }
    let profile = checked_profile(profile, &mut errors);
    let cmd = EnrolFamily {
        profile,
        children: children
            .into_iter()
            .map(|c| NewChild {
                first_name: c.first_name,
                date_of_birth: c.date_of_birth,
                due_date: c.due_date,
                send: c.send,
            })
            .collect(),
        confirmed_new,
        request_problems: errors,
    };
    let record =
        service::families::enrolment::enrol_family(&state.services, who.actor(), cmd).await?;
    let out = family_out(record);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/families/{}", out.id)))
        .json(out))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FindQuery {
    /// Part of a carer's name, an email address or a postcode (any case; spaces in a postcode
    /// do not matter), or a phone number (at least 4 digits; spacing and +44 do not matter).
    /// Children's details are never searched.
    // Required, but read as optional so that who may search is decided before what was asked.
    // 2 to 100 characters once trimmed: a pattern (`api::spec_rules`), as raw lengths would
    // refuse what the server trims away.
    #[param(required = true, example = "07700 900123")]
    pub q: Option<String>,
}

/// A family found by a search: who they are and how to reach them, without children.
#[derive(Debug, Serialize, ToSchema)]
pub struct FamilyFound {
    pub id: i32,
    pub carers: Vec<String>,
    pub phone: String,
    pub email: String,
    pub postcode: String,
    pub ward: String,
    pub has_account: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FamilyList {
    pub items: Vec<FamilyFound>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

impl From<Family> for FamilyFound {
    fn from(f: Family) -> Self {
        FamilyFound {
            id: f.id,
            carers: super::carers(f.carer_one, f.carer_two),
            phone: f.phone,
            email: f.email,
            postcode: f.postcode,
            ward: f.ward,
            has_account: f.user_id.is_some(),
            created_at: utc(f.created_at),
        }
    }
}

/// Find families by carer's name, email, phone or postcode (coordinators).
///
/// Sorted by first carer's name. Every search is in the audit trail (how it searched and how many it found,
/// never what was typed), and so is each family it shows.
#[utoipa::path(
    tag = "families",
    security(("bearer" = [])),
    params(FindQuery, PageQuery),
    responses((status = 200, description = "Families found", body = FamilyList), E400, E401, E403, E422, E503)
)]
#[get("/families")]
pub async fn find_families(
    state: web::Data<AppState>,
    who: Require<Coordinator>,
    q: web::Query<FindQuery>,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (limit, offset) = page.checked()?;
    let q = q.into_inner().q.unwrap_or_default().trim().to_string();
    if !(2..=100).contains(&q.chars().count()) {
        return Err(ApiError::field(
            "q",
            "say what to search for: 2 to 100 characters of a name, email, phone or postcode",
        ));
    }
    let cmd = FindFamilies { q, limit, offset };
    let found = service::families::lookup::find_families(&state.services, who.actor(), cmd).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(FamilyList {
            items: found.items.into_iter().map(FamilyFound::from).collect(),
            total: found.total,
            limit,
            offset,
        }))
}

/// A family's record, with its children (coordinators; the family's group leads).
///
/// Coordinators, and the lead or a co-facilitator of a group the family has (or had) a booking in. For other staff the family is not there (404).
/// Every read is in the audit trail.
#[utoipa::path(
    tag = "families",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Family id")),
    responses((status = 200, description = "The family", body = FamilyOut), E401, E403, E404, E503)
)]
#[get("/families/{id}")]
pub async fn get_family(
    state: web::Data<AppState>,
    who: Require<Staff>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let record =
        service::families::lookup::family(&state.services, who.actor(), id.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(family_out(record)))
}

/// Change a family's record (coordinators).
///
/// A JSON merge patch of the profile, checked as a parent's own change is. A new email address or phone number that another family has is
/// refused with 409 naming it, unless `confirmed_new` is `true`. Audited, naming the fields
/// that changed.
#[utoipa::path(
    tag = "families",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Family id")),
    request_body = FamilyPatch,
    responses((status = 200, description = "Changed", body = FamilyOut), E400, E401, E403, E404, E409, E413, E415, E422, E503)
)]
#[patch("/families/{id}")]
pub async fn change_family(
    state: web::Data<AppState>,
    who: Require<Coordinator>,
    id: web::Path<i32>,
    body: ApiJson<FamilyPatch>,
) -> Result<web::Json<FamilyOut>, ApiError> {
    let family_id = id.into_inner();
    let current = state
        .db(move |c| Ok(store::families::find(c, family_id)?))
        .await?
        .filter(|f| f.erased_at.is_none())
        .ok_or_else(|| ApiError::not_found("family"))?;
    let patch = body.into_inner();
    let confirmed_new = patch.confirmed_new;
    let (whole, sent) = patch.over(&current);
    let mut errors = field_errors(&whole);
    let profile = checked_profile(whole, &mut errors);
    // What was stored already is not the request's fault: only the fields sent are judged here
    // (the service checks how the family is told on the record as merged).
    errors.retain(|field, _| sent.iter().any(|s| field.starts_with(s.as_str())));
    ApiError::check_fields(errors)?;
    let cmd = ChangeFamily {
        family_id,
        profile,
        sent,
        confirmed_new,
    };
    let record =
        service::families::enrolment::change_family(&state.services, who.actor(), cmd).await?;
    Ok(web::Json(family_out(record)))
}

/// Where an invitation went, and until when its link works.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationSent {
    #[schema(example = "amira@example.org")]
    pub sent_to: String,
    pub expires_at: DateTime<Utc>,
}

/// Invite a family the centre enrolled to claim its record (coordinators).
///
/// A link by email, good for 14 days and once, with which a parent sets a password and then sees the family's
/// bookings. A newer invitation replaces the older link. 409 when the family has an account
/// already or another login uses its address; 422 (`errors.email`) when it has no email
/// address.
#[utoipa::path(
    tag = "families",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Family id")),
    responses((status = 202, description = "The invitation is on its way", body = InvitationSent), E401, E403, E404, E409, E422, E503)
)]
#[post("/families/{id}/invitation")]
pub async fn invite_family(
    state: web::Data<AppState>,
    who: Require<Coordinator>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let invited =
        service::accounts::invitation::invite_family(&state.services, who.actor(), id.into_inner())
            .await?;
    Ok(HttpResponse::Accepted().json(InvitationSent {
        sent_to: invited.sent_to,
        expires_at: utc(invited.expires_at),
    }))
}
