//! Staff finding a family and reading its record. Every search and every read is in the audit
//! trail: a search as `families_searched`, saying how it searched and how many it found but
//! never what was typed (the trail outlives erasure and holds no personal data), and each family
//! it showed as `family_listed`, so a family's own trail shows each time staff looked them up.
//! Searches never look at children's details.

use super::profile::FamilyRecord;
use crate::db::DbConnection;
use crate::domain::family::{is_phone_search, phone_search_patterns};
use crate::domain::role::Role;
use crate::service::{Actor, Audit, ServiceError, Services};
use crate::store::{self, families::Family, family_search::Search, Page};

/// A search by carer's name, email, phone number or postcode.
#[derive(Debug, Clone)]
pub struct FindFamilies {
    /// What staff typed (2 to 100 characters, checked by the caller). Only digits, spaces, a
    /// leading + and at least four digits: a phone number, compared however it is spaced and
    /// with +44 read as 0. Anything else: part of a carer's name or an email address (any case),
    /// or of a postcode (any case, spaces ignored).
    pub q: String,
    pub limit: i64,
    pub offset: i64,
}

/// Finds families (coordinators); erased families are never found. Each search and each family
/// shown is audited.
pub async fn find_families(
    services: &Services,
    actor: Actor,
    cmd: FindFamilies,
) -> Result<Page<Family>, ServiceError> {
    let q = cmd.q.trim().to_string();
    let (search, how) = match is_phone_search(&q) {
        true => (Search::Phone(phone_search_patterns(&q)), "by phone"),
        false => {
            let postcode: String = q
                .chars()
                .filter(|c| !c.is_whitespace())
                .flat_map(char::to_uppercase)
                .collect();
            let text = Search::Text {
                lower: q.to_lowercase(),
                postcode,
            };
            (text, "by name, email or postcode")
        }
    };
    services
        .write(actor, move |tx| {
            let page = store::family_search::search(tx.conn, &search, cmd.limit, cmd.offset)?;
            tx.audit(Audit {
                action: "families_searched",
                entity: "family",
                entity_id: None,
                family_id: None,
                detail: format!("{how}, {} found", page.total),
            });
            for f in &page.items {
                tx.audit(Audit {
                    action: "family_listed",
                    entity: "family",
                    entity_id: Some(f.id),
                    family_id: Some(f.id),
                    detail: "in search results".into(),
                });
            }
            Ok(page)
        })
        .await
}

/// A family's record with its children, for coordinators and for the lead or a co-facilitator
/// of a group the family has (or had) a booking in; for anyone else, and for an erased family,
/// it is not found. Audited as `family_read`.
pub async fn family(
    services: &Services,
    actor: Actor,
    family_id: i32,
) -> Result<FamilyRecord, ServiceError> {
    services
        .write(actor, move |tx| {
            let f = store::families::find(tx.conn, family_id)?
                .filter(|f| f.erased_at.is_none())
                .ok_or_else(|| ServiceError::not_found("family"))?;
            if !staff_may_read(tx.conn, tx.actor, f.id)? {
                return Err(ServiceError::not_found("family"));
            }
            tx.audit(Audit {
                action: "family_read",
                entity: "family",
                entity_id: Some(f.id),
                family_id: Some(f.id),
                detail: "record".into(),
            });
            FamilyRecord::of(tx.conn, f)
        })
        .await
}

/// Whether a member of staff may read a family's record: coordinators (and admins) any; a
/// facilitator the families of the groups they lead or co-facilitate (a booking there, now or
/// before). Crèche workers and supervisors of the group do not need the contact details.
pub(crate) fn staff_may_read(
    c: &mut DbConnection,
    actor: Actor,
    family_id: i32,
) -> Result<bool, ServiceError> {
    Ok(match actor {
        Actor::System
        | Actor::User {
            role: Role::Admin | Role::Coordinator,
            ..
        } => true,
        Actor::User {
            role: Role::Facilitator,
            id,
        } => store::family_search::facilitated_by(c, family_id, id)?,
        Actor::User {
            role: Role::Parent, ..
        } => false,
    })
}
