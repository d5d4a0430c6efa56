//! The public geography (issue 19): loading an edition (`groupwork import-geography`, the demo)
//! and placing a family or venue by its postcode.
//!
//! An edition replaces the one before in one transaction, and every family (not erased) and venue
//! is placed again under it. Once one is loaded, a postcode of the area gives the ward, the LSOA
//! and its IMD decile; a postcode of a sector outside the area is accepted without them; any
//! other postcode is refused (`postcode`: we cannot find it), never given a wrong ward. With no
//! edition loaded the ward is the one typed, as before.

pub mod files;

use crate::db::DbConnection;
use crate::domain::geography::{sector, ImdEdition, Place};
use crate::service::{Actor, Audit, ServiceError, Services, Tx};
use crate::store::{self, geography::PostcodeRow};
use std::fmt;

/// An edition of the geography, read from the open-data files (`files::read_edition`).
#[derive(Debug, Clone)]
pub struct Edition {
    pub imd: ImdEdition,
    /// GSS codes of the local authorities served.
    pub local_authorities: Vec<String>,
    /// The boundary set the ward keys are in (`lambeth-2022`).
    pub ward_set: String,
    /// Where it came from (file names), as stored with the edition.
    pub sources: String,
    pub postcodes: Vec<PostcodeRow>,
    /// Ward code and key (`lambeth-2022:Stockwell East`).
    pub wards: Vec<(String, String)>,
    /// LSOA and IMD decile.
    pub lsoas: Vec<(String, i32)>,
    pub outside_sectors: Vec<String>,
    /// Children under five by ward code, when a population file was given.
    pub under_fives: Option<Vec<(String, i32)>>,
}

/// What an import loaded, said in one sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    pub imd: ImdEdition,
    pub local_authorities: Vec<String>,
    pub postcodes: usize,
    pub wards: usize,
    pub lsoas: usize,
    pub outside_sectors: usize,
    /// Wards given an under-five figure, when a population file was given.
    pub population_wards: Option<usize>,
    /// Families and venues whose postcode the edition places.
    pub families_placed: usize,
    pub venues_placed: usize,
}

/// `4,100`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

impl fmt::Display for Loaded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Loaded {} ({} LSOAs): {} in {} of {}, {}, {} outside",
            self.imd.as_str(),
            self.imd.census(),
            plural(self.postcodes, "postcode", "postcodes"),
            plural(self.wards, "ward", "wards"),
            self.local_authorities.join(", "),
            plural(self.lsoas, "LSOA", "LSOAs"),
            plural(self.outside_sectors, "sector", "sectors"),
        )?;
        if let Some(n) = self.population_wards {
            write!(
                f,
                "; under-five population for {}",
                plural(n, "ward", "wards")
            )?;
        }
        write!(
            f,
            "; placed {} and {}.",
            plural(self.families_placed, "family", "families"),
            plural(self.venues_placed, "venue", "venues")
        )
    }
}

/// What loading the population alone did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopulationLoaded {
    pub wards: usize,
    pub wards_loaded: usize,
}

impl fmt::Display for PopulationLoaded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Loaded the under-five population for {} of the {} loaded.",
            plural(self.wards, "ward", "wards"),
            plural(self.wards_loaded, "ward", "wards")
        )
    }
}

/// Replaces the loaded geography with `edition` in one transaction and places every family
/// (not erased) and venue again. Audited as `geography_loaded`.
pub async fn import(
    services: &Services,
    actor: Actor,
    edition: Edition,
) -> Result<Loaded, ServiceError> {
    services.write(actor, move |tx| replace(tx, &edition)).await
}

/// [`import`] inside the caller's transaction (the demo loads its geography with its records).
pub(crate) fn replace(tx: &mut Tx, e: &Edition) -> Result<Loaded, ServiceError> {
    let now = tx.now_naive();
    let c = &mut *tx.conn;
    store::geography::clear(c)?;
    store::geography::insert_postcodes(c, &e.postcodes)?;
    let counts: std::collections::HashMap<&str, i32> = e
        .under_fives
        .iter()
        .flatten()
        .map(|(code, n)| (code.as_str(), *n))
        .collect();
    let wards: Vec<(String, String, Option<i32>)> = e
        .wards
        .iter()
        .map(|(code, key)| {
            (
                code.clone(),
                key.clone(),
                counts.get(code.as_str()).copied(),
            )
        })
        .collect();
    let population_wards = e
        .under_fives
        .as_ref()
        .map(|_| wards.iter().filter(|w| w.2.is_some()).count());
    store::geography::insert_wards(c, &wards)?;
    store::geography::insert_lsoas(c, &e.lsoas)?;
    store::geography::insert_outside_sectors(c, &e.outside_sectors)?;
    let local_authorities = e.local_authorities.join(",");
    let count =
        |n: usize| i32::try_from(n).map_err(|_| ServiceError::Internal("too many rows".into()));
    store::geography::write_edition(
        c,
        &store::geography::NewEdition {
            imd_edition: e.imd.as_str(),
            local_authorities: &local_authorities,
            ward_set: &e.ward_set,
            sources: &e.sources,
            postcodes: count(e.postcodes.len())?,
            wards: count(e.wards.len())?,
            lsoas: count(e.lsoas.len())?,
            loaded_at: now,
        },
    )?;
    let (families_placed, venues_placed) = place_everyone(c)?;
    let loaded = Loaded {
        imd: e.imd,
        local_authorities: e.local_authorities.clone(),
        postcodes: e.postcodes.len(),
        wards: e.wards.len(),
        lsoas: e.lsoas.len(),
        outside_sectors: e.outside_sectors.len(),
        population_wards,
        families_placed,
        venues_placed,
    };
    tx.audit(Audit {
        action: "geography_loaded",
        entity: "geography",
        entity_id: None,
        family_id: None,
        detail: format!(
            "{}; {}; {} postcodes, {} wards, {} LSOAs; placed {} families, {} venues",
            e.imd.as_str(),
            local_authorities,
            loaded.postcodes,
            loaded.wards,
            loaded.lsoas,
            families_placed,
            venues_placed
        ),
    });
    tx.listing_changed();
    Ok(loaded)
}

/// Every family not erased and every venue placed again by its postcode; a postcode the
/// edition does not place keeps its ward and loses its LSOA and decile. (Erased families keep
/// theirs: they are statistics.) How many families and venues were placed.
fn place_everyone(c: &mut DbConnection) -> Result<(usize, usize), ServiceError> {
    let mut families = 0;
    for (id, postcode, ward) in store::families::with_postcodes(c)? {
        let p = match lookup(c, &postcode)? {
            Lookup::Found(p) if !p.ward.is_empty() => {
                families += 1;
                p
            }
            _ => Place {
                ward,
                ..Place::default()
            },
        };
        store::families::set_place(c, id, &p.ward, &p.lsoa, p.imd_decile)?;
    }
    let mut venues = 0;
    for (id, postcode, ward) in store::venues::postcodes(c)? {
        let p = match lookup(c, &postcode)? {
            Lookup::Found(p) if !p.ward.is_empty() => {
                venues += 1;
                p
            }
            _ => Place {
                ward,
                ..Place::default()
            },
        };
        store::venues::set_place(c, id, &p.ward, &p.lsoa, p.imd_decile)?;
    }
    Ok((families, venues))
}

/// Loads the under-five population alone into the loaded edition's wards (one transaction; a
/// ward not in the file has no figure). Audited as `geography_population_loaded`.
pub async fn load_population(
    services: &Services,
    actor: Actor,
    under_fives: Vec<(String, i32)>,
    source: String,
) -> Result<PopulationLoaded, ServiceError> {
    services
        .write(actor, move |tx| {
            let c = &mut *tx.conn;
            let edition = store::geography::edition(c)?.ok_or_else(|| {
                ServiceError::Conflict(
                    "no geography is loaded: load the postcodes, ward names and IMD first".into(),
                )
            })?;
            let wards = store::geography::set_under_fives(c, &under_fives)?;
            let mut sources: Vec<&str> = edition
                .sources
                .split("; ")
                .filter(|s| !s.is_empty() && !s.starts_with("population: "))
                .collect();
            let this = format!("population: {source}");
            sources.push(&this);
            store::geography::set_sources(c, &sources.join("; "))?;
            let loaded = PopulationLoaded {
                wards,
                wards_loaded: store::geography::wards(c)?.len(),
            };
            tx.audit(Audit {
                action: "geography_population_loaded",
                entity: "geography",
                entity_id: None,
                family_id: None,
                detail: format!("{} of {} wards", loaded.wards, loaded.wards_loaded),
            });
            Ok(loaded)
        })
        .await
}

/// What the loaded geography says of a postcode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// No geography is loaded: nothing can be said.
    NotLoaded,
    /// A postcode of the area: its ward, LSOA and decile.
    Found(Place),
    /// A postcode of a sector outside the area: accepted, nothing derived.
    Outside,
    /// Neither: not a postcode we know.
    Unknown,
}

/// What the loaded geography says of `postcode` (in its stored form).
pub fn lookup(c: &mut DbConnection, postcode: &str) -> Result<Lookup, ServiceError> {
    if store::geography::edition(c)?.is_none() {
        return Ok(Lookup::NotLoaded);
    }
    if let Some(p) = store::geography::place(c, postcode)? {
        return Ok(Lookup::Found(Place {
            ward: p.ward.unwrap_or_default(),
            lsoa: p.lsoa,
            imd_decile: p.imd_decile,
        }));
    }
    match sector(postcode) {
        Some(s) if store::geography::outside_sector(c, &s)? => Ok(Lookup::Outside),
        _ => Ok(Lookup::Unknown),
    }
}

/// Where someone with `postcode` (stored form, or '') and the ward they typed is: the derived
/// ward, LSOA and decile for a postcode of the area; the typed ward alone when no geography is
/// loaded, the postcode is empty or it is of a sector outside the area; a 422 on `postcode`
/// for a postcode the geography does not know (never a wrong ward).
pub fn place_of(
    c: &mut DbConnection,
    postcode: &str,
    typed_ward: &str,
) -> Result<Place, ServiceError> {
    let typed = || Place {
        ward: typed_ward.to_string(),
        ..Place::default()
    };
    if postcode.is_empty() {
        return Ok(typed());
    }
    match lookup(c, postcode)? {
        Lookup::Found(p) if !p.ward.is_empty() => Ok(p),
        Lookup::Found(p) => Ok(Place {
            ward: typed_ward.to_string(),
            ..p
        }),
        Lookup::NotLoaded | Lookup::Outside => Ok(typed()),
        Lookup::Unknown => Err(ServiceError::field(
            "postcode",
            "we cannot find this postcode: please check it, or leave it blank",
        )),
    }
}

/// A family's profile placed by its postcode ([`place_of`]): ward, LSOA and decile set.
pub(crate) fn placed_profile(
    c: &mut DbConnection,
    profile: &store::families::Profile,
) -> Result<store::families::Profile, ServiceError> {
    let p = place_of(c, &profile.postcode, &profile.ward)?;
    Ok(store::families::Profile {
        ward: p.ward,
        lsoa: p.lsoa,
        imd_decile: p.imd_decile,
        ..profile.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sentence_says_what_was_loaded() {
        let l = Loaded {
            imd: ImdEdition::Imd2025,
            local_authorities: vec!["E09000022".into()],
            postcodes: 312,
            wards: 21,
            lsoas: 178,
            outside_sectors: 4100,
            population_wards: Some(21),
            families_placed: 35,
            venues_placed: 1,
        };
        assert_eq!(
            l.to_string(),
            "Loaded IMD 2025 (2021 LSOAs): 312 postcodes in 21 wards of E09000022, 178 LSOAs, \
             4,100 sectors outside; under-five population for 21 wards; placed 35 families and \
             1 venue."
        );
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
    }
}
