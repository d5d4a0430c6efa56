//! The body of the subject access export: every row held about a family, each with its id.

use crate::api::booking::mine::NotificationOut;
use crate::domain::register::Mark;
use crate::domain::status::BookingStatus;
use crate::domain::status::{ContactMethod, FollowUpOutcome, FollowUpStatus};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// Everything held about one family.
#[derive(Debug, Serialize, ToSchema)]
pub struct FamilyExport {
    pub exported_at: DateTime<Utc>,
    pub family: ExportFamily,
    pub children: Vec<ExportChild>,
    /// Whom to call in an emergency, in order.
    pub emergency_contacts: Vec<ExportEmergencyContact>,
    /// Who may collect each child (whether they have a collection password; the password is a
    /// secret, kept only hashed).
    pub collectors: Vec<ExportCollector>,
    /// The parent's login, if the family has one.
    pub user: Option<ExportUser>,
    /// Every booking, also cancelled and withdrawn ones, with its crèche places.
    pub bookings: Vec<ExportBooking>,
    pub attendance_marks: Vec<ExportMark>,
    /// Apologies sent in advance for sessions (withdrawn ones are not kept).
    pub apologies: Vec<ExportApology>,
    pub creche_sign_ins: Vec<ExportSignIn>,
    /// Each crèche child's key person (a crèche worker) in each group.
    pub creche_key_persons: Vec<crate::api::registers::key_persons::KeyPersonEntry>,
    /// Accidents, incidents and first aid recorded in the crèche, and when the parent read each.
    pub creche_incidents: Vec<ExportIncident>,
    /// Sessions the family came to as a one-off visitor, when the group had no place for them.
    pub visits: Vec<ExportVisit>,
    pub follow_ups: Vec<ExportFollowUp>,
    pub outcome_measures: Vec<ExportOutcome>,
    pub notifications: Vec<NotificationOut>,
    /// Every message sent (or being sent) to the family: its words, where it went, and how its
    /// delivery went.
    pub messages: Vec<crate::api::messages::MessageOut>,
    /// One-time links emailed to the family or its login (invitation, password reset, change
    /// of address): that each exists, and until when it works (the link itself is a secret).
    pub account_links: Vec<ExportAccountLink>,
    /// Who read or changed the family's record, and when (this export included).
    pub audit_events: Vec<ExportAuditEvent>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportFamily {
    pub id: i32,
    pub carer_one: String,
    pub carer_two: String,
    pub phone: String,
    pub email: String,
    pub postcode: String,
    pub ward: String,
    pub preferred_language: crate::domain::message::Language,
    pub language_other: String,
    pub interpreter_needed: bool,
    pub access_needs: String,
    pub referral_source: String,
    pub consent_to_contact: bool,
    pub contact_by: crate::domain::message::ContactBy,
    pub reminders: bool,
    /// What the family told us for monitoring (kept, without names, after erasure); null
    /// when never asked.
    pub monitoring: Option<crate::api::families::monitoring::Monitoring>,
    /// The stored answers' row (`family_monitoring`), when there is one.
    pub monitoring_id: Option<i32>,
    /// The LSOA and IMD decile its postcode gave (kept as statistics after erasure).
    pub lsoa: String,
    pub imd_decile: Option<i32>,
    /// The address the family has shown it reads (it opened a link sent there); "" for none.
    pub email_verified: String,
    /// Whether a private calendar link is active (the link itself is a secret).
    pub calendar_link_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub erased_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportChild {
    pub id: i32,
    pub first_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub allergies: String,
    pub dietary_needs: String,
    pub medical_needs: String,
    pub medicines: String,
    pub medicines_consent: bool,
    pub medicines_consent_date: Option<NaiveDate>,
    pub additional_needs: String,
    /// SEND or a disability, as the family says, for monitoring (kept after erasure).
    pub send: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the family was erased: the child then has no name, no dates and no care notes.
    pub erased_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportEmergencyContact {
    pub id: i32,
    /// 1 is called first.
    pub position: i32,
    pub name: String,
    pub relation: String,
    pub phone: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportCollector {
    pub id: i32,
    pub child_id: i32,
    pub name: String,
    pub relation: String,
    pub has_password: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportUser {
    pub id: i32,
    pub email: String,
    pub display_name: String,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    /// Sign-ins (refresh tokens, without the token): when made, used, revoked.
    pub logins: Vec<ExportLogin>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportLogin {
    pub id: i32,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportAccountLink {
    pub id: i32,
    /// `invitation`, `password_reset`, `email_verification` or `email_change`.
    pub purpose: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    /// When a newer link, a new password or erasure ended it.
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportBooking {
    pub id: i32,
    pub cohort_id: i32,
    pub cohort_title: String,
    pub programme: String,
    pub venue_name: String,
    /// `confirmed`, `waitlisted`, `cancelled`, `withdrawn`, `cancelled_by_centre` or
    /// `transferred`.
    pub status: BookingStatus,
    /// Place on the waiting list (1 = next), when waitlisted.
    pub waitlist_position: Option<i64>,
    pub carers: i32,
    /// What the family told the centre it needs for this group.
    pub access_needs: String,
    pub interpreter_needed: bool,
    /// When `transferred`: the booking in the group the family moved to.
    pub transferred_to: Option<i32>,
    /// Made on a session's register when the family walked in without a booking.
    pub walk_in: bool,
    /// The user who made the booking (the parent, or a member of staff).
    pub booked_by: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub creche_places: Vec<ExportCrechePlace>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportCrechePlace {
    pub id: i32,
    pub child_id: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportMark {
    pub id: i32,
    pub booking_id: i32,
    pub session_id: i32,
    pub session_starts_at: Option<DateTime<Utc>>,
    /// `present`, `late`, `apologies` or `absent`.
    pub status: Mark,
    pub marked_by: Option<i32>,
    pub marked_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportApology {
    pub id: i32,
    pub booking_id: i32,
    pub session_id: i32,
    pub session_starts_at: Option<DateTime<Utc>>,
    pub reason: String,
    /// The user who gave them: the family's parent, or the staff member who took them down.
    pub given_by: Option<i32>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportSignIn {
    pub id: i32,
    pub booking_id: i32,
    pub child_id: i32,
    pub session_id: i32,
    pub session_starts_at: Option<DateTime<Utc>>,
    pub signed_in_at: DateTime<Utc>,
    pub signed_out_at: Option<DateTime<Utc>>,
    pub collected_by: String,
    /// The listed collector who collected the child (null for a carer).
    pub collector_id: Option<i32>,
    /// A coordinator's reason for letting someone not on the list collect the child, or "".
    pub collection_override: String,
    pub marked_by: Option<i32>,
    pub marked_at: DateTime<Utc>,
}

/// A session the family came to as a one-off visitor, holding no place.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportVisit {
    pub id: i32,
    pub session_id: i32,
    pub cohort_id: i32,
    pub session_starts_at: DateTime<Utc>,
    /// Carers who came: 1 or 2.
    pub carers: i32,
    /// The member of staff who added them to the register.
    pub added_by: Option<i32>,
    pub added_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportIncident {
    pub id: i32,
    pub booking_id: i32,
    pub child_id: i32,
    pub session_id: i32,
    pub session_starts_at: Option<DateTime<Utc>>,
    pub happened_at: DateTime<Utc>,
    pub what_happened: String,
    pub first_aid: String,
    pub witnesses: String,
    pub recorded_by: Option<i32>,
    pub recorded_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// When the family's erasure removed the words (the row stays, for the count).
    pub erased_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportFollowUp {
    pub id: i32,
    pub booking_id: i32,
    pub cohort_id: i32,
    pub trigger_session_id: i32,
    pub status: FollowUpStatus,
    #[schema(value_type = Option<FollowUpOutcome>)]
    pub outcome: Option<String>,
    pub note: String,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<i32>,
    /// Attempts to contact the family.
    pub contacts: Vec<ExportContact>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportContact {
    pub id: i32,
    pub at: DateTime<Utc>,
    pub method: ContactMethod,
    pub reached: bool,
    pub note: String,
    pub recorded_by: Option<i32>,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportOutcome {
    pub id: i32,
    pub booking_id: i32,
    pub measure: String,
    /// `pre` or `post`.
    pub phase: String,
    pub score: f64,
    pub recorded_on: NaiveDate,
    pub recorded_by: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportAuditEvent {
    pub id: i32,
    pub at: DateTime<Utc>,
    /// The user who acted; null for the system.
    pub actor_id: Option<i32>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i32>,
    pub detail: String,
}
