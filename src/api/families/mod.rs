//! A parent's own family profile and children. Every parent account has exactly one family; any
//! id that is not theirs answers 404. The children's own endpoints are in `children`.

pub mod calendar;
pub mod care;
pub mod children;
pub mod enrolment;
pub mod monitoring;
pub mod records;

use crate::api::access::{Parent, Require};
use crate::api::docs::{E400, E401, E403, E404, E413, E415, E422, E429, E503};
use crate::api::families::children::FamilyChildOut;
use crate::api::field_errors;
use crate::api::json::ApiJson;
use crate::app::AppState;
use crate::domain::family::{phone_ok, REFERRAL_SOURCES};
use crate::domain::message::{Channel, ContactBy, Language};
use crate::domain::{postcode, ward::Ward};
use crate::error::{ApiError, FieldErrors};
use crate::service::{self, families::profile::FamilyRecord};
use crate::store::families::Profile;
use actix_web::{delete, get, put, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct FamilyOut {
    pub id: i32,
    /// One or two carers' names.
    pub carers: Vec<String>,
    pub phone: String,
    pub email: String,
    pub postcode: String,
    /// Ward with its boundary set, if known.
    pub ward: String,
    /// BCP 47 tag; messages are written in en, pt, es and pl, other languages read English.
    pub preferred_language: Language,
    /// The language's name, when `preferred_language` is `other`.
    pub language_other: String,
    pub interpreter_needed: bool,
    pub access_needs: String,
    /// self, health_visitor, gp, midwife, childrens_centre, social_care or other.
    pub referral_source: String,
    pub consent_to_contact: bool,
    /// How the centre tells the family of bookings, changes and reminders.
    pub contact_by: ContactBy,
    /// Reminders before each session (service messages about bookings always go).
    pub reminders: bool,
    pub monitoring: monitoring::Monitoring,
    pub children: Vec<FamilyChildOut>,
    /// Whether a parent's login owns the record (a family the centre enrolled has none until
    /// it accepts an invitation).
    pub has_account: bool,
    /// Whether the family has shown it reads the address its email goes to (opened a link
    /// sent there); reminders by email go only to such an address.
    pub email_verified: bool,
    pub updated_at: DateTime<Utc>,
}

/// One or two carers' names, as the answers list them (the second is stored empty when absent).
pub(crate) fn carers(one: String, two: String) -> Vec<String> {
    [one, two].into_iter().filter(|c| !c.is_empty()).collect()
}

pub(crate) fn family_out(record: FamilyRecord) -> FamilyOut {
    let email_verified = record.email_verified();
    let FamilyRecord {
        family: f,
        children,
        answers,
        ..
    } = record;
    let monitoring = monitoring::Monitoring::of(answers, f.carers().len());
    FamilyOut {
        monitoring,
        has_account: f.user_id.is_some(),
        email_verified,
        id: f.id,
        carers: carers(f.carer_one, f.carer_two),
        phone: f.phone,
        email: f.email,
        postcode: f.postcode,
        ward: f.ward,
        preferred_language: f.preferred_language,
        language_other: f.language_other,
        interpreter_needed: f.interpreter_needed,
        access_needs: f.access_needs,
        referral_source: f.referral_source,
        consent_to_contact: f.consent_to_contact,
        contact_by: f.contact_by,
        reminders: f.reminders,
        children: children.into_iter().map(FamilyChildOut::from).collect(),
        updated_at: crate::api::utc(f.updated_at),
    }
}

/// Declares a request body holding a family's whole profile, and more fields after it: the
/// profile's fields are written once, for `PUT /me/family` (`FamilyBody`) and for a family staff
/// enrol (`EnrolFamilyBody`). (serde's `flatten` would lose `deny_unknown_fields` and the name
/// of a field sent with the wrong type.) `into_parts` gives the profile as a `FamilyBody` and
/// the other fields as a tuple.
macro_rules! family_body {
    (
        $(#[$attr:meta])*
        pub struct $name:ident {
            $( $(#[$xattr:meta])* pub $x:ident : $xt:ty, )*
        }
    ) => {
        $(#[$attr])*
        #[derive(Debug, ::serde::Deserialize, ::validator::Validate, ::utoipa::ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// One or two carers' names.
            #[validate(length(min = 1, max = 2, message = "must name one or two carers"))]
            #[schema(min_items = 1, max_items = 2)]
            pub carers: Vec<String>,
            #[serde(default)]
            #[schema(example = "07700 900123")]
            pub phone: String,
            #[validate(email, length(max = 254))]
            #[schema(max_length = 254, format = Email)]
            pub email: Option<String>,
            #[serde(default)]
            #[schema(
                example = "SW9 8LF",
                pattern = r"^(?:(?:[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}|[Gg][Ii][Rr] ?0[Aa][Aa]))?$"
            )]
            pub postcode: String,
            /// `boundary-set:Ward name`, if known.
            #[serde(default)]
            #[schema(
                pattern = r"^(?:(?:[a-z0-9-]{0,35}-)?[0-9]{4}:[^\s:\x00-\x1F\x7F-\x9F](?:[^:\x00-\x1F\x7F-\x9F]{0,78}[^\s:\x00-\x1F\x7F-\x9F])?)?$"
            )]
            pub ward: String,
            /// BCP 47 tag of the language the family prefers; `other` with its name in `language_other`.
            #[schema(example = "en")]
            pub preferred_language: $crate::domain::message::Language,
            /// The language's name when `preferred_language` is `other` (otherwise ignored).
            #[serde(default)]
            #[validate(length(max = 60))]
            #[schema(max_length = 60, pattern = r"^[^\x00-\x1F\x7F]*$")]
            pub language_other: String,
            #[serde(default)]
            pub interpreter_needed: bool,
            #[validate(length(max = 2000))]
            #[schema(max_length = 2000)]
            #[serde(default)]
            pub access_needs: String,
            /// self, health_visitor, gp, midwife, childrens_centre, social_care or other.
            #[schema(example = "self", value_type = crate::api::docs::ReferralSource)]
            pub referral_source: String,
            #[serde(default)]
            pub consent_to_contact: bool,
            /// How to tell the family of bookings, changes and reminders (default email: the family's
            /// email, or the account's when it has none). `sms` and `both` need a phone number.
            #[serde(default = "crate::api::families::email_contact")]
            pub contact_by: $crate::domain::message::ContactBy,
            /// Reminders before each session (default on).
            #[serde(default = "crate::api::families::reminders_on")]
            pub reminders: bool,
            /// Monitoring answers, all optional; left out, those stored stay as they are.
            #[serde(default)]
            pub monitoring: Option<$crate::api::families::monitoring::Monitoring>,
            $( $(#[$xattr])* pub $x: $xt, )*
        }

        impl $name {
            #[allow(dead_code)]
            pub fn into_parts(self) -> ($crate::api::families::FamilyBody, ($($xt,)*)) {
                let profile = $crate::api::families::FamilyBody {
                    carers: self.carers,
                    phone: self.phone,
                    email: self.email,
                    postcode: self.postcode,
                    ward: self.ward,
                    preferred_language: self.preferred_language,
                    language_other: self.language_other,
                    interpreter_needed: self.interpreter_needed,
                    access_needs: self.access_needs,
                    referral_source: self.referral_source,
                    consent_to_contact: self.consent_to_contact,
                    contact_by: self.contact_by,
                    reminders: self.reminders,
                    monitoring: self.monitoring,
                };
                (profile, ($(self.$x,)*))
            }
        }
    };
}
pub(crate) use family_body;

family_body! {
    /// A family's profile.
    pub struct FamilyBody {}
}

pub(crate) fn email_contact() -> ContactBy {
    ContactBy::Email
}

pub(crate) fn reminders_on() -> bool {
    true
}

/// The profile a body asks for, cleaned (names trimmed, postcode and ward in their stored form,
/// email in lower case), with what breaks a rule added to `errors`: the one check of a family's
/// profile, for a parent's own change and for staff enrolling or changing a family.
pub(crate) fn checked_profile(b: FamilyBody, errors: &mut FieldErrors) -> Profile {
    let mut add = |f: &str, m: &str| errors.entry(f.to_string()).or_default().push(m.to_string());
    let carers: Vec<String> = b.carers.iter().map(|c| c.trim().to_string()).collect();
    if carers
        .iter()
        .any(|c| c.is_empty() || c.chars().count() > 100)
    {
        add("carers", "each name must be 1 to 100 characters");
    }
    let phone = b.phone.trim().to_string();
    if !phone.is_empty() && !phone_ok(&phone) {
        add("phone", "is not a phone number");
    }
    let postcode = match b.postcode.trim() {
        "" => String::new(),
        p => postcode::normalise(p).unwrap_or_else(|| {
            add("postcode", "is not a UK postcode");
            String::new()
        }),
    };
    let ward = match b.ward.trim() {
        "" => String::new(),
        w => Ward::parse(w).map(|w| w.key()).unwrap_or_else(|m| {
            add("ward", m);
            String::new()
        }),
    };
    if !REFERRAL_SOURCES.contains(&b.referral_source.as_str()) {
        add("referral_source", "must be one of self, health_visitor, gp, midwife, childrens_centre, social_care, other");
    }
    // Checked even when another language is chosen and this is not kept: what a request may
    // hold does not depend on the other fields (the OpenAPI document says so).
    if b.language_other.chars().any(char::is_control) {
        add("language_other", "must not contain control characters");
    }
    let language_other = match b.preferred_language {
        Language::Other => b.language_other.trim().to_string(),
        _ => String::new(),
    };
    let email = b.email.map(|e| e.trim().to_lowercase()).unwrap_or_default();
    if b.contact_by.channels().contains(&Channel::Sms) && phone.is_empty() {
        add("contact_by", "text messages need a phone number");
    }
    let answers = b.monitoring.map(|m| m.checked(carers.len(), errors));
    Profile {
        answers,
        lsoa: String::new(),
        imd_decile: None,
        carer_one: carers.first().cloned().unwrap_or_default(),
        carer_two: carers.get(1).cloned().unwrap_or_default(),
        phone,
        email,
        postcode,
        ward,
        preferred_language: b.preferred_language,
        language_other,
        interpreter_needed: b.interpreter_needed,
        access_needs: b.access_needs.trim().to_string(),
        referral_source: b.referral_source,
        consent_to_contact: b.consent_to_contact,
        contact_by: b.contact_by,
        reminders: b.reminders,
    }
}

/// My family, with its children (parent).
#[utoipa::path(
    tag = "families",
    security(("bearer" = [])),
    responses((status = 200, description = "My family", body = FamilyOut), E401, E403, E404, E503)
)]
#[get("/me/family")]
pub async fn my_family(
    state: web::Data<AppState>,
    who: Require<Parent>,
) -> Result<web::Json<FamilyOut>, ApiError> {
    let family = service::families::profile::my_family(&state.services, who.actor()).await?;
    Ok(web::Json(family_out(family)))
}

/// Update my family's profile (parent): the whole profile is replaced.
#[utoipa::path(
    tag = "families",
    security(("bearer" = [])),
    request_body = FamilyBody,
    responses((status = 200, description = "Updated", body = FamilyOut), E400, E401, E403, E404, E413, E415, E422, E503)
)]
#[put("/me/family")]
pub async fn update_family(
    state: web::Data<AppState>,
    who: Require<Parent>,
    body: ApiJson<FamilyBody>,
) -> Result<web::Json<FamilyOut>, ApiError> {
    let b = body.into_inner();
    let mut errors = field_errors(&b);
    let profile = checked_profile(b, &mut errors);
    ApiError::check_fields(errors)?;
    let family =
        service::families::profile::update_profile(&state.services, who.actor(), profile).await?;
    Ok(web::Json(family_out(family)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseMyFamilyBody {
    /// The account's password, to confirm.
    pub password: String,
}

/// Erase my family's data (parent): names, contacts, children's names and dates and notes are
/// removed, places in groups not yet finished are given up, and this login stops working for
/// good. Anonymous attendance figures are kept. The password must be confirmed: a wrong one is
/// 422 (`errors.password`) and changes nothing; repeated failures count against the account's
/// login limit (429).
#[utoipa::path(
    tag = "families",
    security(("bearer" = [])),
    request_body = EraseMyFamilyBody,
    responses((status = 204, description = "Erased; the tokens no longer work"), E400, E401, E403, E404, E413, E415, E422, E429, E503)
)]
#[delete("/me/family")]
pub async fn erase_my_family(
    state: web::Data<AppState>,
    who: Require<Parent>,
    body: ApiJson<EraseMyFamilyBody>,
) -> Result<HttpResponse, ApiError> {
    // The password is checked against the account's lockout, as at sign-in: a stolen access
    // token must not become a password oracle.
    let password = body.into_inner().password;
    service::accounts::sessions::confirm_own_password(
        &state.services,
        who.user.user_id,
        password,
        "password",
    )
    .await?;
    service::families::erasure::erase_own_family(&state.services, who.actor()).await?;
    Ok(HttpResponse::NoContent().finish())
}
