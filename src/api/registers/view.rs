//! The register as a facilitator's tablet shows it: the session, every confirmed family with its
//! mark so far, and the crèche list with a ratio and room check for the children signed in.
//! Shaped from `service::registers::Register`.

use crate::api::cohorts::view::{session_out, venue_summary, zone, SessionOut, VenueSummary};
use crate::service::registers as service;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

pub use crate::service::registers::{
    CallCard, CareFlags, CollectorCard, CrecheCare, CrecheEntry, CrecheRegister, KeyPersonOut,
    MarkCounts, RegisterChild, RegisterFamily, RegisterVisitor,
};

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
    /// The facilitators' notes on the session (`""` when none); null for crèche workers, whose
    /// part of the register it is not.
    pub notes: Option<String>,
    /// Families who walked in when no place could be given: present at this session only,
    /// holding no place (`counts.visitors`).
    pub visitors: Vec<RegisterVisitor>,
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
            families: r.families,
            counts: r.counts,
            creche: r.creche,
            notes: r.notes,
            visitors: r.visitors,
        }
    }
}
