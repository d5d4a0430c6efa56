//! Crèche capacity under the EYFS staff:child ratios for group settings in England.
//!
//! A crèche place is for one named child for the whole cohort, so a set of crèche children fits
//! a cohort only if it fits on **every** session date, with each child's age taken on that date:
//! - never more children than the venue's crèche room holds, and
//! - never more staff needed than the crèche workers assigned to the cohort.
//!
//! The staff needed on a date is `ceil(Σ 1/ratio(band of the child's age on that date))`, with the
//! ratios in effect on that date. It is computed exactly, never with floats: every ratio divides
//! the least common multiple `L` of the three ratios, so a child costs `L / ratio` whole units and
//! a worker is worth `L` units (with 1:3, 1:5 and 1:8, `L` = 120: a baby costs 40, a two-year-old
//! 24, a child of three or over 15). Two under-2s, three two-year-olds and four three-year-olds
//! cost 80 + 72 + 60 = 212 units, which needs ⌈212 / 120⌉ = 2 workers.
//!
//! Ratios are data with an effective date, because they have changed before: from 4 September
//! 2023 a two-year-old counts at 1:5 instead of 1:4. Each session uses the set in effect on its
//! own date, so a cohort that straddles a change is checked date by date.
//!
//! Which children a programme admits (e.g. "until the fourth birthday") is the programme's rule,
//! not this module's: a child of 48 months or more still counts at the three-and-over ratio here.
//! Paediatric first aid cover is checked where the crèche workers are assigned, not here.
//!
//! Everything here is pure (no I/O, no clock) so that the rules are unit-tested directly.

pub mod care;

use std::fmt;

use chrono::{Months, NaiveDate};

use crate::domain::calendar::age_in_months;

/// The EYFS age bands for staff:child ratios. Ordered youngest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AgeBand {
    /// Under 2 years (under 24 months).
    UnderTwo,
    /// Two-year-olds (24 to 35 months).
    Two,
    /// Three and over (36 months or more, with no upper limit here).
    ThreeAndOver,
}

impl AgeBand {
    /// Every band, youngest first.
    pub const ALL: [AgeBand; 3] = [AgeBand::UnderTwo, AgeBand::Two, AgeBand::ThreeAndOver];

    /// The band for an age in whole months ([`age_in_months`]). A negative age (not a real age)
    /// is treated as a baby, the band that needs most staff.
    pub fn of(age_months: i32) -> AgeBand {
        match age_months {
            ..=23 => AgeBand::UnderTwo,
            24..=35 => AgeBand::Two,
            _ => AgeBand::ThreeAndOver,
        }
    }

    /// The band on `date` for a child born on `born`. A child whose date of birth is after `date`
    /// is 0 months ([`age_in_months`]) and so counts as a baby: that over-counts staff rather than
    /// under-counts.
    pub fn on(born: NaiveDate, date: NaiveDate) -> AgeBand {
        AgeBand::of(age_in_months(born, date))
    }

    /// The code used in the API and the database: `under_2`, `age_2`, `age_3_plus`.
    pub fn code(self) -> &'static str {
        match self {
            AgeBand::UnderTwo => "under_2",
            AgeBand::Two => "age_2",
            AgeBand::ThreeAndOver => "age_3_plus",
        }
    }

    /// The youngest age in whole months in the band.
    fn youngest_months(self) -> u32 {
        match self {
            AgeBand::UnderTwo => 0,
            AgeBand::Two => 24,
            AgeBand::ThreeAndOver => 36,
        }
    }

    fn index(self) -> usize {
        match self {
            AgeBand::UnderTwo => 0,
            AgeBand::Two => 1,
            AgeBand::ThreeAndOver => 2,
        }
    }
}

/// The staff:child ratios in effect from a date: `under_two` = 3 means one adult to every three
/// children under two. A ratio of 0 means the set gives no ratio for that band: a child in that
/// band cannot be counted on a date the set covers ([`CrecheProblem::NoRatios`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatioSet {
    pub effective_from: NaiveDate,
    pub under_two: u32,
    pub two: u32,
    pub three_plus: u32,
}

impl RatioSet {
    /// Children per adult for `band` (0: no ratio given).
    pub fn ratio(&self, band: AgeBand) -> u32 {
        match band {
            AgeBand::UnderTwo => self.under_two,
            AgeBand::Two => self.two,
            AgeBand::ThreeAndOver => self.three_plus,
        }
    }

    /// What one worker is worth in units: the least common multiple of the set's ratios (zeros
    /// left out), so that every child costs a whole number of units. At most the product of three
    /// `u32`s, so it fits a `u128`; at least 1.
    fn worker_units(&self) -> u128 {
        AgeBand::ALL
            .iter()
            .map(|&band| u128::from(self.ratio(band)))
            .filter(|&ratio| ratio > 0)
            .fold(1, lcm)
    }

    /// What one child in `band` costs in units (`None`: no ratio for the band).
    fn child_units(&self, band: AgeBand) -> Option<u128> {
        match u128::from(self.ratio(band)) {
            0 => None,
            ratio => Some(self.worker_units() / ratio),
        }
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Least common multiple of two non-zero numbers.
fn lcm(a: u128, b: u128) -> u128 {
    a / gcd(a, b) * b
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN) // only called with real dates
}

/// The built-in history of EYFS ratios for group settings in England (children under 5, outside
/// a school's reception class, with no qualified teacher working directly with the children, as
/// in a crèche):
/// - from 1 September 2012 (the revised EYFS framework): under 2 1:3, two-year-olds 1:4, three
///   and over 1:8;
/// - from 4 September 2023: two-year-olds 1:5, the others unchanged.
///
/// Dates before 1 September 2012 have no ratios here.
pub fn eyfs_ratios() -> Vec<RatioSet> {
    vec![
        RatioSet {
            effective_from: ymd(2012, 9, 1),
            under_two: 3,
            two: 4,
            three_plus: 8,
        },
        RatioSet {
            effective_from: ymd(2023, 9, 4),
            under_two: 3,
            two: 5,
            three_plus: 8,
        },
    ]
}

/// The set in effect on `date`: the one with the latest `effective_from` on or before `date`,
/// whatever the order of `sets` (of two with the same `effective_from`, the later in `sets`).
/// `None` if every set starts after `date`.
pub fn ratio_on(sets: &[RatioSet], date: NaiveDate) -> Option<&RatioSet> {
    sets.iter()
        .filter(|set| set.effective_from <= date)
        .max_by_key(|set| set.effective_from)
}

/// How many of `births` are in each band on `date`, indexed by [`AgeBand::index`].
fn band_counts(date: NaiveDate, births: &[NaiveDate]) -> [u128; 3] {
    let mut counts = [0u128; 3];
    for &born in births {
        counts[AgeBand::on(born, date).index()] += 1;
    }
    counts
}

/// What children counted by band cost under `set`, in units of [`RatioSet::worker_units`].
/// `Err(band)`: a child is in a band the set gives no ratio for. Saturates at `u128::MAX`, which
/// can only over-count.
fn load_units(set: &RatioSet, counts: &[u128; 3]) -> Result<u128, AgeBand> {
    AgeBand::ALL
        .iter()
        .try_fold(0u128, |total, &band| match counts[band.index()] {
            0 => Ok(total),
            count => {
                let each = set.child_units(band).ok_or(band)?;
                Ok(total.saturating_add(count.saturating_mul(each)))
            }
        })
}

fn saturate_u32(n: impl TryInto<u32>) -> u32 {
    n.try_into().unwrap_or(u32::MAX)
}

/// Workers needed on `date` for children born on `births`, or why it cannot be said.
fn needed_on(
    sets: &[RatioSet],
    date: NaiveDate,
    births: &[NaiveDate],
) -> Result<u32, CrecheProblem> {
    if births.is_empty() {
        return Ok(0);
    }
    let set = ratio_on(sets, date).ok_or(CrecheProblem::NoRatios { date })?;
    let units = load_units(set, &band_counts(date, births))
        .map_err(|_| CrecheProblem::NoRatios { date })?;
    let per_worker = set.worker_units();
    let workers = units / per_worker + u128::from(units % per_worker != 0);
    Ok(saturate_u32(workers))
}

/// Crèche staff needed on one date for children born on `births`, each at their age on `date`:
/// `ceil(Σ 1/ratio)` with the ratios in effect on `date`, computed exactly.
///
/// No children need no staff. If children cannot be counted on `date` (no ratio set applies, or
/// the set gives no ratio for a child's band) the answer is `u32::MAX`: no number of workers is
/// enough. [`fits`] reports that case as [`CrecheProblem::NoRatios`] instead.
pub fn staff_needed(sets: &[RatioSet], date: NaiveDate, births: &[NaiveDate]) -> u32 {
    needed_on(sets, date, births).unwrap_or(u32::MAX)
}

/// Why a set of crèche children does not fit a cohort, naming the first date that fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CrecheProblem {
    /// More children than the crèche room holds.
    RoomFull {
        date: NaiveDate,
        children: u32,
        capacity: u32,
    },
    /// The children's ages on `date` need more crèche workers than the cohort has.
    NotEnoughStaff {
        date: NaiveDate,
        needed: u32,
        workers: u32,
    },
    /// The child at this index (from 0, in the order given) has no date of birth yet, only a due
    /// date.
    NotBorn { child_index: usize },
    /// No staff:child ratio applies on `date` to a child's age band.
    NoRatios { date: NaiveDate },
}

impl CrecheProblem {
    /// The rule broken, as refusals name it: `creche_room`, `creche_ratio` (too few workers for
    /// the children's ages on a date, or no ratio to count them by), `creche_not_born`.
    pub fn rule(&self) -> &'static str {
        match self {
            CrecheProblem::RoomFull { .. } => "creche_room",
            CrecheProblem::NotEnoughStaff { .. } | CrecheProblem::NoRatios { .. } => "creche_ratio",
            CrecheProblem::NotBorn { .. } => "creche_not_born",
        }
    }
}

fn workers_word(n: u32) -> &'static str {
    if n == 1 {
        "crèche worker"
    } else {
        "crèche workers"
    }
}

impl fmt::Display for CrecheProblem {
    /// Plain words for a parent or coordinator; dates as YYYY-MM-DD. Children are numbered from 1.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            CrecheProblem::RoomFull {
                date,
                children,
                capacity,
            } => write!(
                f,
                "On {date} the crèche would have {children} children, but the room holds only \
                 {capacity}."
            ),
            CrecheProblem::NotEnoughStaff {
                date,
                needed,
                workers,
            } => write!(
                f,
                "On {date} the children's ages would need {needed} {}, but the group has {workers}.",
                workers_word(needed)
            ),
            CrecheProblem::NotBorn { child_index } => write!(
                f,
                "Child {} has no date of birth yet: a crèche place can only be booked once the \
                 baby is born.",
                child_index.saturating_add(1)
            ),
            CrecheProblem::NoRatios { date } => write!(
                f,
                "No staff-to-child ratios are set for {date}, so the crèche cannot be checked \
                 for that date."
            ),
        }
    }
}

impl std::error::Error for CrecheProblem {}

/// Checks that all `births` (one per crèche child; `None` for a child not yet born) fit on every
/// one of `session_dates`, each child at their age on that date.
///
/// The first problem found is returned: an unborn child before any date, then the dates from the
/// earliest (whatever the order given), and on each date the room before the staff. With no
/// session dates there is nothing to fit, so only unborn children are refused.
pub fn fits(
    sets: &[RatioSet],
    session_dates: &[NaiveDate],
    births: &[Option<NaiveDate>],
    room_capacity: u32,
    workers: u32,
) -> Result<(), CrecheProblem> {
    if let Some(child_index) = births.iter().position(Option::is_none) {
        return Err(CrecheProblem::NotBorn { child_index });
    }
    let born: Vec<NaiveDate> = births.iter().flatten().copied().collect();
    let children = saturate_u32(born.len());
    let mut dates = session_dates.to_vec();
    dates.sort_unstable();
    dates.dedup();
    for date in dates {
        if children > room_capacity {
            return Err(CrecheProblem::RoomFull {
                date,
                children,
                capacity: room_capacity,
            });
        }
        let needed = needed_on(sets, date, &born)?;
        if needed > workers {
            return Err(CrecheProblem::NotEnoughStaff {
                date,
                needed,
                workers,
            });
        }
    }
    Ok(())
}

/// Crèche places left per age band, for the listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacesLeft {
    pub under_2: u32,
    pub age_2: u32,
    pub age_3_plus: u32,
}

/// How many more children of each band (their band taken on the first session date) could join
/// the `existing` crèche children and still [`fits`] on every session date. Each figure is for
/// that band alone: the three are not places that can all be taken together.
///
/// The exact answer depends on the extra children's dates of birth, which a listing does not
/// know, so each band is represented by its **youngest** possible child on the first session
/// date (born that day for under 2s; exactly 24 months old for two-year-olds; exactly 36 months
/// for three and over), and the figure is the largest `k` for which `existing` plus `k` such
/// children fits. The youngest child stays in the band longest, so while older children never
/// need more staff than younger ones (true of every EYFS ratio set), the figure is a promise:
/// any that many children of the band on the first date fit on every date.
///
/// The answer is computed directly from each date's spare units, not by trying `k` = 1, 2, …,
/// but equals what that search with [`fits`] gives. It is 0 when the existing children do not fit
/// themselves, or a date has no ratios. With no session dates it is the room left.
pub fn places_left(
    sets: &[RatioSet],
    session_dates: &[NaiveDate],
    existing: &[NaiveDate],
    room_capacity: u32,
    workers: u32,
) -> PlacesLeft {
    let room_left = u128::from(room_capacity).saturating_sub(existing.len() as u128);
    let first = session_dates.iter().min().copied();
    let for_band = |band: AgeBand| -> u32 {
        let Some(first) = first else {
            return saturate_u32(room_left);
        };
        let Some(born) = first.checked_sub_months(Months::new(band.youngest_months())) else {
            return 0;
        };
        let left = session_dates
            .iter()
            .map(|&date| extra_fit(sets, date, existing, born, workers))
            .fold(room_left, u128::min);
        saturate_u32(left)
    };
    PlacesLeft {
        under_2: for_band(AgeBand::UnderTwo),
        age_2: for_band(AgeBand::Two),
        age_3_plus: for_band(AgeBand::ThreeAndOver),
    }
}

/// How many more children born on `born` the staff on `date` can take beside `existing`
/// (ignoring the room).
fn extra_fit(
    sets: &[RatioSet],
    date: NaiveDate,
    existing: &[NaiveDate],
    born: NaiveDate,
    workers: u32,
) -> u128 {
    let Some(set) = ratio_on(sets, date) else {
        return 0;
    };
    let (Ok(used), Some(each)) = (
        load_units(set, &band_counts(date, existing)),
        set.child_units(AgeBand::on(born, date)),
    ) else {
        return 0;
    };
    let budget = u128::from(workers).saturating_mul(set.worker_units());
    budget.checked_sub(used).map_or(0, |spare| spare / each)
}

#[cfg(test)]
mod tests;
