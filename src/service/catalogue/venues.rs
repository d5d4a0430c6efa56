//! Venues: children's centres and community locations, each in a ward (named with its boundary
//! set) and with a crèche room of some capacity. Coordinators add and change them.

use crate::domain::{geography::Place, postcode, ward::Ward};
use crate::error::FieldErrors;
use crate::service::{geography, Actor, ServiceError, Services};
use crate::store::{self, venues::Venue, venues::VenueFields};

/// Add a venue.
#[derive(Debug, Clone)]
pub struct AddVenue {
    /// As given: checked and normalised here.
    pub venue: VenueFields,
    /// What the caller already found wrong in the request (lengths, ranges), answered together
    /// with the rules' own findings.
    pub problems: FieldErrors,
}

/// What changes on a venue; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct VenueChange {
    pub name: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub ward: Option<String>,
    pub creche_room_capacity: Option<i32>,
    pub creche_registered: Option<bool>,
    pub accessibility_notes: Option<String>,
    /// As for [`AddVenue::problems`].
    pub problems: FieldErrors,
}

/// Checks the rules between a venue's fields and normalises them (postcode, ward key, trimmed
/// text); `problems` are answered together with what the rules find.
fn checked(mut f: VenueFields, mut problems: FieldErrors) -> Result<VenueFields, ServiceError> {
    let mut add = |field: &str, msg: &str| {
        problems
            .entry(field.to_string())
            .or_default()
            .push(msg.to_string())
    };
    match postcode::normalise(&f.postcode) {
        Some(p) => f.postcode = p,
        None => add("postcode", "is not a UK postcode"),
    }
    match Ward::parse(&f.ward) {
        Ok(w) => f.ward = w.key(),
        Err(msg) => add("ward", msg),
    }
    if f.creche_registered && f.creche_room_capacity == 0 {
        add(
            "creche_registered",
            "a registered crèche needs a crèche room (creche_room_capacity above 0)",
        );
    }
    f.name = f.name.trim().to_string();
    f.address = f.address.trim().to_string();
    f.accessibility_notes = f.accessibility_notes.trim().to_string();
    ServiceError::check_fields(problems)?;
    Ok(f)
}

/// The venue placed by its postcode when the geography is loaded: the ward derived wins over
/// the one typed, with the LSOA and its IMD decile; a postcode the geography does not know is
/// a 422 on `postcode`.
fn placed(
    c: &mut crate::db::DbConnection,
    f: &VenueFields,
) -> Result<(VenueFields, Place), ServiceError> {
    let place = geography::place_of(c, &f.postcode, &f.ward)?;
    let fields = VenueFields {
        ward: place.ward.clone(),
        ..f.clone()
    };
    Ok((fields, place))
}

/// Adds a venue. No group runs there yet, so the public listing is unchanged.
pub async fn add_venue(
    services: &Services,
    actor: Actor,
    cmd: AddVenue,
) -> Result<Venue, ServiceError> {
    let fields = checked(cmd.venue, cmd.problems)?;
    services
        .write(actor, move |tx| {
            let (fields, place) = placed(tx.conn, &fields)?;
            let v = store::venues::insert(tx.conn, &fields, tx.now_naive())?;
            store::venues::set_place(tx.conn, v.id, &fields.ward, &place.lsoa, place.imd_decile)?
                .ok_or_else(|| ServiceError::not_found("venue"))
        })
        .await
}

/// Changes a venue: the change is merged into the venue and the whole checked again. The
/// public listing shows venues, so it changes too.
pub async fn change_venue(
    services: &Services,
    actor: Actor,
    id: i32,
    change: VenueChange,
) -> Result<Venue, ServiceError> {
    services
        .write(actor, move |tx| {
            let v = store::venues::find(tx.conn, id)?
                .ok_or_else(|| ServiceError::not_found("venue"))?;
            let p = change.clone();
            let fields = checked(
                VenueFields {
                    name: p.name.unwrap_or(v.name),
                    address: p.address.unwrap_or(v.address),
                    postcode: p.postcode.unwrap_or(v.postcode),
                    ward: p.ward.unwrap_or(v.ward),
                    creche_room_capacity: p.creche_room_capacity.unwrap_or(v.creche_room_capacity),
                    creche_registered: p.creche_registered.unwrap_or(v.creche_registered),
                    accessibility_notes: p.accessibility_notes.unwrap_or(v.accessibility_notes),
                },
                p.problems,
            )?;
            let (fields, place) = placed(tx.conn, &fields)?;
            store::venues::update(tx.conn, id, &fields, tx.now_naive())?
                .ok_or_else(|| ServiceError::not_found("venue"))?;
            let changed =
                store::venues::set_place(tx.conn, id, &fields.ward, &place.lsoa, place.imd_decile)?
                    .ok_or_else(|| ServiceError::not_found("venue"))?;
            tx.listing_changed();
            Ok(changed)
        })
        .await
}
