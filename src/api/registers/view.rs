//! The register as a facilitator's tablet shows it: the session, every confirmed family with its
//! mark so far, and the crèche list with a ratio and room check for the children signed in.
//! Shaped from `service::registers::Register`.

use crate::api::cohorts::view::{session_out, venue_summary, zone, SessionOut, VenueSummary};
use crate::domain::register::Mark;
use crate::domain::status::BookingStatus;
use crate::service::registers as service;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterChild {
    pub child_id: i32,
    pub first_name: String,
    pub date_of_birth: Option<NaiveDate>,
    /// Whole months on the session date.
    pub age_months: Option<i32>,
    /// `under_2`, `age_2` or `age_3_plus` on the session date.
    pub age_band: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterFamily {
    pub booking_id: i32,
    pub family_id: i32,
    /// `confirmed`, or `withdrawn` for a family who left after being marked here.
    pub booking_status: BookingStatus,
    pub carers_names: Vec<String>,
    /// Carers expected: 1 or 2.
    pub carers: i32,
    /// `present`, `late`, `apologies`, `absent`, or null while unmarked.
    pub mark: Option<Mark>,
    pub marked_at: Option<DateTime<Utc>>,
    pub creche_children: Vec<RegisterChild>,
    pub access_needs: String,
    pub interpreter_needed: bool,
    pub preferred_language: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CrecheEntry {
    #[serde(flatten)]
    pub child: RegisterChild,
    pub booking_id: i32,
    pub signed_in_at: Option<DateTime<Utc>>,
    pub signed_out_at: Option<DateTime<Utc>>,
    pub collected_by: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CrecheRegister {
    /// Every child with a crèche place in this group, signed in or not.
    pub children: Vec<CrecheEntry>,
    /// Children signed in and not yet signed out: they must be collected.
    pub not_signed_out: Vec<i32>,
    pub staff_assigned: i32,
    /// Crèche staff present (as assigned unless the register says otherwise).
    pub staff_present: i32,
    pub room_capacity: i32,
    /// Most children in the room at once, and the staff the EYFS ratios needed then.
    pub peak_children: u32,
    pub staff_needed_at_peak: u32,
    pub within_ratio: bool,
    pub within_room_capacity: bool,
    /// Plain-words warnings for the tablet.
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema, Default)]
pub struct MarkCounts {
    pub present: i64,
    pub late: i64,
    pub apologies: i64,
    pub absent: i64,
    pub unmarked: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterOut {
    pub cohort_id: i32,
    pub cohort_title: String,
    pub programme: String,
    pub venue: VenueSummary,
    pub session: SessionOut,
    /// The register's version; the ETag header carries it too.
    pub version: i32,
    /// When the facilitators' marking window closes (coordinators can correct later).
    pub editable_until: DateTime<Utc>,
    pub families: Vec<RegisterFamily>,
    pub counts: MarkCounts,
    pub creche: CrecheRegister,
}

impl From<service::RegisterChild> for RegisterChild {
    fn from(c: service::RegisterChild) -> Self {
        RegisterChild {
            child_id: c.child_id,
            first_name: c.first_name,
            date_of_birth: c.date_of_birth,
            age_months: c.age_months,
            age_band: c.age_band,
        }
    }
}

impl From<service::RegisterFamily> for RegisterFamily {
    fn from(f: service::RegisterFamily) -> Self {
        RegisterFamily {
            booking_id: f.booking_id,
            family_id: f.family_id,
            booking_status: f.booking_status,
            carers_names: f.carers_names,
            carers: f.carers,
            mark: f.mark,
            marked_at: f.marked_at,
            creche_children: f.creche_children.into_iter().map(Into::into).collect(),
            access_needs: f.access_needs,
            interpreter_needed: f.interpreter_needed,
            preferred_language: f.preferred_language,
        }
    }
}

impl From<service::CrecheEntry> for CrecheEntry {
    fn from(e: service::CrecheEntry) -> Self {
        CrecheEntry {
            child: e.child.into(),
            booking_id: e.booking_id,
            signed_in_at: e.signed_in_at,
            signed_out_at: e.signed_out_at,
            collected_by: e.collected_by,
        }
    }
}

impl From<service::CrecheCheck> for CrecheRegister {
    fn from(c: service::CrecheCheck) -> Self {
        CrecheRegister {
            children: c.children.into_iter().map(Into::into).collect(),
            not_signed_out: c.not_signed_out,
            staff_assigned: c.staff_assigned,
            staff_present: c.staff_present,
            room_capacity: c.room_capacity,
            peak_children: c.peak_children,
            staff_needed_at_peak: c.staff_needed_at_peak,
            within_ratio: c.within_ratio,
            within_room_capacity: c.within_room_capacity,
            warnings: c.warnings,
        }
    }
}

impl From<service::MarkCounts> for MarkCounts {
    fn from(c: service::MarkCounts) -> Self {
        MarkCounts {
            present: c.present,
            late: c.late,
            apologies: c.apologies,
            absent: c.absent,
            unmarked: c.unmarked,
        }
    }
}

impl From<service::Register> for RegisterOut {
    fn from(r: service::Register) -> Self {
        RegisterOut {
            cohort_id: r.cohort.id,
            cohort_title: r.cohort.title.clone(),
            programme: r.programme_code,
            venue: venue_summary(&r.venue),
            session: session_out(&r.session, zone(&r.cohort)),
            version: r.session.register_version,
            editable_until: r.editable_until,
            families: r.families.into_iter().map(Into::into).collect(),
            counts: r.counts.into(),
            creche: r.creche.into(),
        }
    }
}
