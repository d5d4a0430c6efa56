//! The register as a facilitator's tablet shows it: the session, every confirmed family (and
//! any who withdrew after being marked here) with its mark so far and any apologies sent in
//! advance, and the crèche list with the EYFS ratio and room check for the children signed in
//! at once. The API shows these shapes as they are, inside its `RegisterOut`.

use super::{Context, TeamAccess};
use crate::db::DbConnection;
use crate::domain::creche::care::CareView;
use crate::domain::creche::{self, AgeBand};
use crate::domain::register::Mark;
use crate::domain::register::{self, SignIn};
use crate::domain::status::BookingStatus;
use crate::service::booking::apologies::taken_by_staff;
use crate::service::schedule::zone;
use crate::service::ServiceError;
use crate::store::{self, cohorts::Cohort, cohorts::Session, venues::Venue};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegisterChild {
    pub child_id: i32,
    pub first_name: String,
    pub date_of_birth: Option<NaiveDate>,
    /// Whole months on the session date.
    pub age_months: Option<i32>,
    /// `under_2`, `age_2` or `age_3_plus` on the session date.
    pub age_band: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegisterFamily {
    pub booking_id: i32,
    pub family_id: i32,
    /// `confirmed`, or `withdrawn` (`transferred`) for a family who left (moved to another group)
    /// after being marked here.
    pub booking_status: BookingStatus,
    /// Booked on the register when the family walked in without a booking.
    pub walk_in: bool,
    pub carers_names: Vec<String>,
    /// Carers expected: 1 or 2.
    pub carers: i32,
    /// `present`, `late`, `apologies`, `absent`, or null while unmarked.
    pub mark: Option<Mark>,
    pub marked_at: Option<DateTime<Utc>>,
    /// A late arrival's time, when recorded.
    pub arrived_at: Option<DateTime<Utc>>,
    /// An early leave's time, when recorded.
    pub left_at: Option<DateTime<Utc>>,
    /// What to pre-fill while unmarked: `apologies` when the family sent apologies for this
    /// session; null otherwise. A suggestion only: a family who comes is marked present.
    pub suggested_mark: Option<Mark>,
    /// Apologies the family sent in advance for this session, if any (kept after marking).
    pub apology: Option<RegisterApology>,
    pub creche_children: Vec<RegisterChild>,
    pub access_needs: String,
    pub interpreter_needed: bool,
    pub preferred_language: crate::domain::message::Language,
}

/// Apologies sent in advance, as the register shows them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegisterApology {
    /// The family's short reason; empty when none was given, and for crèche workers.
    pub reason: String,
    pub given_at: DateTime<Utc>,
    /// Taken down by staff (e.g. on the phone) rather than sent by the family's parent.
    pub taken_by_staff: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CrecheEntry {
    #[serde(flatten)]
    pub child: RegisterChild,
    pub booking_id: i32,
    /// Whether the parents told the crèche anything about the child's care (shown to the whole
    /// team; what it is only to those who need to know, in `care`).
    pub has_care_notes: bool,
    /// Which kinds of care notes there are, without what they say.
    pub care_flags: CareFlags,
    /// What the crèche needs to know (coordinators, the group's lead and its crèche workers);
    /// null for the co-facilitators, who see only the flags.
    pub care: Option<CrecheCare>,
    /// The crèche worker who is the child's key person in this group, when assigned.
    pub key_person: Option<KeyPersonOut>,
    pub signed_in_at: Option<DateTime<Utc>>,
    pub signed_out_at: Option<DateTime<Utc>>,
    pub collected_by: Option<String>,
    /// The listed collector who collected the child (null for a carer, or a collector the
    /// parents have since removed: `collected_by` keeps the name).
    pub collector_id: Option<i32>,
    /// A coordinator's reason for letting someone not on the list collect the child.
    pub collection_override: Option<String>,
}

/// Which kinds of care notes a child has.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct CareFlags {
    pub allergies: bool,
    pub dietary_needs: bool,
    pub medical_needs: bool,
    pub medicines: bool,
    pub additional_needs: bool,
}

/// A child's care details as the crèche register shows them to those who need to know.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CrecheCare {
    pub allergies: String,
    pub dietary_needs: String,
    pub medical_needs: String,
    pub medicines: String,
    /// The parent's written consent to the medicines, and its date.
    pub medicines_consent: bool,
    pub medicines_consent_date: Option<NaiveDate>,
    /// Special educational needs and disabilities (SEND).
    pub additional_needs: String,
    /// Whom to call in an emergency, in order.
    pub emergency_contacts: Vec<CallCard>,
    /// The family's carers, who may always collect the child (by name).
    pub carers: Vec<String>,
    /// Others the parents listed as allowed to collect the child.
    pub collectors: Vec<CollectorCard>,
}

/// Someone to call in an emergency.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CallCard {
    pub name: String,
    pub relation: String,
    pub phone: String,
}

/// Someone listed as allowed to collect a child; choose them by `id` when signing out.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CollectorCard {
    pub id: i32,
    pub name: String,
    pub relation: String,
    /// Ask for the collection password the parents set (never shown).
    pub password_required: bool,
}

/// A child's key person.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KeyPersonOut {
    pub staff_id: i32,
    pub name: String,
}

/// The crèche side of the register, checked against the ratios and the room.
#[derive(Debug, Clone, Serialize, ToSchema)]
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

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct MarkCounts {
    pub present: i64,
    pub late: i64,
    pub apologies: i64,
    pub absent: i64,
    pub unmarked: i64,
    /// Families who sent apologies in advance, marked or not.
    pub apologies_in_advance: i64,
    /// One-off visitors (`visitors`): present, holding no place, not in the counts above.
    pub visitors: i64,
}

/// A session's register as read (or as left by a change).
#[derive(Debug, Clone)]
pub struct Register {
    pub cohort: Cohort,
    pub programme_code: String,
    pub venue: Venue,
    pub session: Session,
    /// The register's version as an ETag: a change must send it back.
    pub etag: String,
    /// When the facilitators' marking window closes (coordinators can correct later).
    pub editable_until: DateTime<Utc>,
    pub families: Vec<RegisterFamily>,
    pub counts: MarkCounts,
    pub creche: CrecheRegister,
    /// The facilitators' notes on the session; `None` for crèche workers (not theirs to read).
    pub notes: Option<String>,
    /// Families who came without a place (the group was full): present that day only.
    pub visitors: Vec<RegisterVisitor>,
}

/// A one-off visitor of the session: a family who walked in when no place could be given.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegisterVisitor {
    pub visitor_id: i32,
    pub family_id: i32,
    /// Blank once the family is erased.
    pub carers_names: Vec<String>,
    /// Carers who came: 1 or 2.
    pub carers: i32,
    pub added_at: DateTime<Utc>,
}

/// The session's one-off visitors, in the order added.
fn visitors(c: &mut DbConnection, session_id: i32) -> Result<Vec<RegisterVisitor>, ServiceError> {
    Ok(store::visitors::of_session(c, session_id)?
        .into_iter()
        .map(|(v, one, two)| RegisterVisitor {
            visitor_id: v.id,
            family_id: v.family_id,
            carers_names: [one, two].into_iter().filter(|n| !n.is_empty()).collect(),
            carers: v.carers,
            added_at: v.added_at.and_utc(),
        })
        .collect())
}

/// The register's ETag: the session and its register version.
pub fn etag(session: &Session) -> String {
    format!("\"r{}v{}\"", session.id, session.register_version)
}

/// Whether an `If-Match` value lets a change go ahead on the register whose ETag is `current`
/// (RFC 9110 §13.1.1): `*` matches any current register, otherwise one of the listed tags must
/// be the current one, compared strongly (a weak `W/` tag never matches).
pub fn if_match_allows(if_match: &str, current: &str) -> bool {
    if_match
        .split(',')
        .map(str::trim)
        .any(|t| t == "*" || t == current)
}

/// Builds the register of the context's session. Each family shown is a read of its record:
/// the use case that shows it to staff audits it. Crèche workers see who sent apologies but
/// not their reasons (they need to know who is not coming, not why), nor the facilitators'
/// notes on the session.
pub(super) fn build(
    c: &mut DbConnection,
    x: &Context,
    window_days: i64,
    now: DateTime<Utc>,
) -> Result<Register, ServiceError> {
    let (cohort, venue, session) = (&x.cohort, &x.venue, &x.session);
    let show_reasons = x.access != TeamAccess::CrecheWorker;
    let tz = zone(cohort);
    let date = session.starts_at.and_utc().with_timezone(&tz).date_naive();
    let marks: BTreeMap<i32, store::registers::MarkRow> =
        store::registers::marks_of_session(c, session.id)?
            .into_iter()
            .map(|m| (m.booking_id, m))
            .collect();
    let apologies: BTreeMap<i32, store::apologies::Apology> =
        store::apologies::of_session(c, session.id)?
            .into_iter()
            .map(|a| (a.booking_id, a))
            .collect();
    // Families who left (or moved to another group) after being marked here stay on its register,
    // after those booked.
    let on_register = [
        BookingStatus::Confirmed,
        BookingStatus::Withdrawn,
        BookingStatus::Transferred,
    ];
    let (mut bookings, left): (Vec<_>, Vec<_>) =
        store::bookings::of_cohort_in(c, cohort.id, &on_register)?
            .into_iter()
            .partition(|b| b.status == BookingStatus::Confirmed);
    bookings.extend(left.into_iter().filter(|b| marks.contains_key(&b.id)));
    let ids: Vec<i32> = bookings.iter().map(|b| b.id).collect();
    let places = store::bookings::creche_children(c, &ids)?;
    let signins: BTreeMap<i32, store::registers::CrecheRow> = if places.is_empty() {
        BTreeMap::new()
    } else {
        store::registers::creche_of_session(c, session.id)?
            .into_iter()
            .map(|r| (r.child_id, r))
            .collect()
    };
    let with_places: Vec<i32> = bookings
        .iter()
        .filter(|b| places.iter().any(|(bid, _, _)| *bid == b.id))
        .map(|b| b.family_id)
        .collect();
    let care = CareBook::read(c, x, &places, &with_places)?;
    let child_view = |ch: &store::families::Child| RegisterChild {
        child_id: ch.id,
        first_name: ch.first_name.clone(),
        date_of_birth: ch.date_of_birth,
        age_months: ch
            .date_of_birth
            .map(|b| crate::domain::calendar::age_in_months(b, date)),
        age_band: ch
            .date_of_birth
            .map(|b| AgeBand::on(b, date).code().to_string()),
    };
    // Every family and child on the register read at once, not one query each.
    let family_ids: Vec<i32> = bookings.iter().map(|b| b.family_id).collect();
    let booked: BTreeMap<i32, store::families::Family> =
        store::families::find_many(c, &family_ids)?
            .into_iter()
            .map(|f| (f.id, f))
            .collect();
    let mut children_of: BTreeMap<i32, Vec<store::families::Child>> = BTreeMap::new();
    for ch in store::families::children_of_families(c, &family_ids)? {
        children_of.entry(ch.family_id).or_default().push(ch);
    }
    let (mut families, mut entries, mut counts) = (Vec::new(), Vec::new(), MarkCounts::default());
    for b in &bookings {
        // A family can be on it twice: withdrawn after a mark, then booked again.
        let f = booked
            .get(&b.family_id)
            .ok_or_else(|| ServiceError::not_found("family"))?;
        let children = children_of.get(&f.id).map_or(&[][..], Vec::as_slice);
        let mine: Vec<&store::families::Child> = children
            .iter()
            .filter(|ch| {
                places
                    .iter()
                    .any(|(bid, cid, _)| *bid == b.id && *cid == ch.id)
            })
            .collect();
        for ch in &mine {
            let s = signins.get(&ch.id);
            let notes = ch.care();
            entries.push(CrecheEntry {
                child: child_view(ch),
                booking_id: b.id,
                has_care_notes: notes.any(),
                care_flags: CareFlags {
                    allergies: !notes.allergies.trim().is_empty(),
                    dietary_needs: !notes.dietary_needs.trim().is_empty(),
                    medical_needs: !notes.medical_needs.trim().is_empty(),
                    medicines: !notes.medicines.trim().is_empty(),
                    additional_needs: !notes.additional_needs.trim().is_empty(),
                },
                care: care.details(f, ch),
                key_person: care.key_person(ch.id),
                signed_in_at: s.map(|s| s.signed_in_at.and_utc()),
                signed_out_at: s.and_then(|s| s.signed_out_at.map(|t| t.and_utc())),
                collected_by: s.map(|s| s.collected_by.clone()).filter(|n| !n.is_empty()),
                collector_id: s.and_then(|s| s.collector_id),
                collection_override: s
                    .map(|s| s.collection_override.clone())
                    .filter(|r| !r.is_empty()),
            });
        }
        let mark = marks.get(&b.id);
        match mark.map(|m| m.status) {
            Some(Mark::Present) => counts.present += 1,
            Some(Mark::Late) => counts.late += 1,
            Some(Mark::Apologies) => counts.apologies += 1,
            Some(Mark::Absent) => counts.absent += 1,
            None => counts.unmarked += 1,
        }
        let apology = apologies.get(&b.id).map(|a| RegisterApology {
            reason: if show_reasons {
                a.reason.clone()
            } else {
                String::new()
            },
            given_at: a.created_at.and_utc(),
            taken_by_staff: taken_by_staff(a.given_by, f.user_id),
        });
        counts.apologies_in_advance += i64::from(apology.is_some());
        families.push(RegisterFamily {
            booking_id: b.id,
            family_id: f.id,
            booking_status: b.status,
            walk_in: b.walk_in,
            carers_names: f.carers(),
            carers: b.carers,
            mark: mark.map(|m| m.status),
            marked_at: mark.map(|m| m.marked_at.and_utc()),
            arrived_at: mark.and_then(|m| m.arrived_at).map(|t| t.and_utc()),
            left_at: mark.and_then(|m| m.left_at).map(|t| t.and_utc()),
            suggested_mark: (mark.is_none() && apology.is_some()).then_some(Mark::Apologies),
            apology,
            creche_children: mine.iter().map(|ch| child_view(ch)).collect(),
            // The booking's own: copied from the family when booked, changed per group since.
            access_needs: b.access_needs.clone(),
            interpreter_needed: b.interpreter_needed,
            preferred_language: f.preferred_language,
        });
    }
    let creche = creche_check(cohort, venue, session, date, &entries, now);
    let visitors = visitors(c, session.id)?;
    counts.visitors = visitors.len() as i64;
    Ok(Register {
        cohort: cohort.clone(),
        programme_code: x.programme.code.clone(),
        venue: venue.clone(),
        session: session.clone(),
        etag: etag(session),
        editable_until: session.ends_at.and_utc() + Duration::days(window_days),
        families,
        counts,
        notes: show_reasons.then(|| session.register_notes.clone()),
        visitors,
        creche: CrecheRegister {
            children: entries,
            ..creche
        },
    })
}

fn entries_births(entries: &[CrecheEntry]) -> Vec<SignIn> {
    entries
        .iter()
        .filter_map(|e| {
            Some(SignIn {
                born: e.child.date_of_birth?,
                signed_in_at: e.signed_in_at?.naive_utc(),
                signed_out_at: e.signed_out_at.map(|t| t.naive_utc()),
            })
        })
        .collect()
}

fn creche_check(
    cohort: &Cohort,
    venue: &Venue,
    session: &Session,
    date: NaiveDate,
    entries: &[CrecheEntry],
    now: DateTime<Utc>,
) -> CrecheRegister {
    let signins = entries_births(entries);
    let staff_present = session
        .creche_staff_present
        .unwrap_or(cohort.creche_workers);
    let peak = register::creche_peak(&creche::eyfs_ratios(), date, &signins);
    let within_ratio = peak.staff_needed <= staff_present.max(0) as u32;
    let within_room_capacity = peak.children <= venue.creche_room_capacity.max(0) as u32;
    let not_signed_out: Vec<i32> = entries
        .iter()
        .filter(|e| e.signed_in_at.is_some() && e.signed_out_at.is_none())
        .map(|e| e.child.child_id)
        .collect();
    let mut warnings = Vec::new();
    if !within_ratio {
        warnings.push(format!(
            "The crèche needed {} staff for the children in at once, but {} present.",
            peak.staff_needed, staff_present
        ));
    }
    if !within_room_capacity {
        warnings.push(format!(
            "{} children were in the crèche room at once; it takes {}.",
            peak.children, venue.creche_room_capacity
        ));
    }
    if !not_signed_out.is_empty() && session.ends_at.and_utc() < now {
        warnings.push(format!(
            "{} signed-in child(ren) not yet signed out.",
            not_signed_out.len()
        ));
    }
    CrecheRegister {
        children: Vec::new(),
        not_signed_out,
        staff_assigned: cohort.creche_workers,
        staff_present,
        room_capacity: venue.creche_room_capacity,
        peak_children: peak.children,
        staff_needed_at_peak: peak.staff_needed,
        within_ratio,
        within_room_capacity,
        warnings,
    }
}

/// What the register shows of its crèche children's care: the key persons for everyone on the
/// team, and (for those who need to know) the emergency contacts and collectors.
struct CareBook {
    view: CareView,
    key_persons: Vec<store::key_persons::KeyPerson>,
    contacts: BTreeMap<i32, Vec<store::child_care::EmergencyContact>>,
    collectors: Vec<store::child_care::Collector>,
}

impl CareBook {
    fn read(
        c: &mut DbConnection,
        x: &Context,
        places: &[(i32, i32, Option<NaiveDate>)],
        families: &[i32],
    ) -> Result<CareBook, ServiceError> {
        let children: Vec<i32> = places.iter().map(|(_, child, _)| *child).collect();
        let mut book = CareBook {
            view: x.care_view,
            key_persons: Vec::new(),
            contacts: BTreeMap::new(),
            collectors: Vec::new(),
        };
        if children.is_empty() {
            return Ok(book);
        }
        book.key_persons = store::key_persons::of_cohort(c, x.cohort.id)?;
        if book.view == CareView::Details {
            book.collectors = store::child_care::collectors_of_many(c, &children)?;
            for contact in store::child_care::contacts_of_many(c, families)? {
                book.contacts
                    .entry(contact.family_id)
                    .or_default()
                    .push(contact);
            }
        }
        Ok(book)
    }

    fn key_person(&self, child_id: i32) -> Option<KeyPersonOut> {
        self.key_persons
            .iter()
            .find(|k| k.child_id == child_id)
            .map(|k| KeyPersonOut {
                staff_id: k.staff_id,
                name: k.name.clone(),
            })
    }

    fn details(
        &self,
        family: &store::families::Family,
        ch: &store::families::Child,
    ) -> Option<CrecheCare> {
        if self.view != CareView::Details {
            return None;
        }
        let care = ch.care();
        Some(CrecheCare {
            allergies: care.allergies,
            dietary_needs: care.dietary_needs,
            medical_needs: care.medical_needs,
            medicines: care.medicines,
            medicines_consent: care.medicines_consent,
            medicines_consent_date: care.medicines_consent_date,
            additional_needs: care.additional_needs,
            emergency_contacts: self
                .contacts
                .get(&family.id)
                .into_iter()
                .flatten()
                .map(|e| CallCard {
                    name: e.name.clone(),
                    relation: e.relation.clone(),
                    phone: e.phone.clone(),
                })
                .collect(),
            carers: family.carers(),
            collectors: self
                .collectors
                .iter()
                .filter(|k| k.child_id == ch.id)
                .map(|k| CollectorCard {
                    id: k.id,
                    name: k.name.clone(),
                    relation: k.relation.clone(),
                    password_required: k.password_hash.is_some(),
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::if_match_allows;

    #[test]
    fn if_match_is_the_current_tag_one_of_a_list_or_any() {
        let now = "\"r7v3\"";
        assert!(if_match_allows("\"r7v3\"", now));
        assert!(if_match_allows("\"r7v2\", \"r7v3\"", now));
        assert!(
            if_match_allows(" * ", now),
            "RFC 9110: * matches any current register"
        );
        assert!(!if_match_allows("\"r7v2\"", now));
        assert!(
            !if_match_allows("W/\"r7v3\"", now),
            "weak tags never match strongly"
        );
        assert!(!if_match_allows("", now));
        assert!(
            !if_match_allows("\"*\"", now),
            "a quoted star is a tag, not any"
        );
    }
}
