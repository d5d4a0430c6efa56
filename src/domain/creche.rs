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
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// A date of birth making a child exactly `months` old on `on`.
    fn aged(months: u32, on: &str) -> NaiveDate {
        d(on).checked_sub_months(Months::new(months)).unwrap()
    }

    fn births(groups: &[(usize, u32)], on: &str) -> Vec<NaiveDate> {
        groups
            .iter()
            .flat_map(|&(count, months)| std::iter::repeat_n(aged(months, on), count))
            .collect()
    }

    fn some(births: &[NaiveDate]) -> Vec<Option<NaiveDate>> {
        births.iter().copied().map(Some).collect()
    }

    #[test]
    fn bands_by_whole_months() {
        assert_eq!(AgeBand::of(-1), AgeBand::UnderTwo);
        assert_eq!(AgeBand::of(0), AgeBand::UnderTwo);
        assert_eq!(AgeBand::of(23), AgeBand::UnderTwo);
        assert_eq!(AgeBand::of(24), AgeBand::Two);
        assert_eq!(AgeBand::of(35), AgeBand::Two);
        assert_eq!(AgeBand::of(36), AgeBand::ThreeAndOver);
        assert_eq!(AgeBand::of(48), AgeBand::ThreeAndOver);
        assert_eq!(AgeBand::of(60), AgeBand::ThreeAndOver);
        assert_eq!(AgeBand::UnderTwo.code(), "under_2");
        assert_eq!(AgeBand::Two.code(), "age_2");
        assert_eq!(AgeBand::ThreeAndOver.code(), "age_3_plus");
        // The day before the second birthday, and the birthday itself.
        assert_eq!(
            AgeBand::on(d("2024-03-10"), d("2026-03-09")),
            AgeBand::UnderTwo
        );
        assert_eq!(AgeBand::on(d("2024-03-10"), d("2026-03-10")), AgeBand::Two);
        // Born after the date: counted as a baby.
        assert_eq!(
            AgeBand::on(d("2026-04-01"), d("2026-03-03")),
            AgeBand::UnderTwo
        );
    }

    #[test]
    fn ratio_in_effect_by_date() {
        let sets = eyfs_ratios();
        assert_eq!(ratio_on(&sets, d("2012-08-31")), None);
        assert_eq!(ratio_on(&sets, d("2012-09-01")).unwrap().two, 4);
        assert_eq!(ratio_on(&sets, d("2023-09-03")).unwrap().two, 4);
        assert_eq!(ratio_on(&sets, d("2023-09-04")).unwrap().two, 5);
        assert_eq!(ratio_on(&sets, d("2026-03-03")).unwrap().two, 5);
        for set in &sets {
            assert_eq!((set.under_two, set.three_plus), (3, 8));
        }
        // The order of the data does not matter.
        let reversed: Vec<RatioSet> = sets.iter().rev().cloned().collect();
        assert_eq!(ratio_on(&reversed, d("2026-03-03")).unwrap().two, 5);
        assert_eq!(ratio_on(&reversed, d("2020-01-01")).unwrap().two, 4);
        assert_eq!(ratio_on(&[], d("2026-03-03")), None);
    }

    #[test]
    fn mixed_ages_round_up_exactly() {
        let sets = eyfs_ratios();
        // 2/3 + 3/5 + 4/8 = 1.7667 → 2.
        let kids = births(&[(2, 12), (3, 30), (4, 42)], "2026-03-03");
        assert_eq!(staff_needed(&sets, d("2026-03-03"), &kids), 2);
        // 1/3 + 1/5 + 1/8 = 0.658 → 1.
        let kids = births(&[(1, 12), (1, 30), (1, 42)], "2026-03-03");
        assert_eq!(staff_needed(&sets, d("2026-03-03"), &kids), 1);
        // 3/3 + 5/5 + 8/8 = 3 exactly; one more baby tips it to 4.
        let kids = births(&[(3, 12), (5, 30), (8, 42)], "2026-03-03");
        assert_eq!(staff_needed(&sets, d("2026-03-03"), &kids), 3);
        let kids = births(&[(4, 12), (5, 30), (8, 42)], "2026-03-03");
        assert_eq!(staff_needed(&sets, d("2026-03-03"), &kids), 4);
        // 2/3 + 1/5 + 1/8 = 0.9917 → 1, where float sums of thirds drift.
        let kids = births(&[(2, 12), (1, 30), (1, 42)], "2026-03-03");
        assert_eq!(staff_needed(&sets, d("2026-03-03"), &kids), 1);
    }

    #[test]
    fn exact_at_the_ratio_boundaries() {
        let sets = eyfs_ratios();
        let on = "2026-03-03";
        let need =
            |count: usize, months: u32| staff_needed(&sets, d(on), &births(&[(count, months)], on));
        assert_eq!(need(0, 12), 0);
        assert_eq!(need(1, 12), 1);
        assert_eq!(need(3, 12), 1);
        assert_eq!(need(4, 12), 2);
        assert_eq!(need(6, 12), 2);
        assert_eq!(need(7, 12), 3);
        assert_eq!(need(5, 30), 1);
        assert_eq!(need(6, 30), 2);
        assert_eq!(need(10, 30), 2);
        assert_eq!(need(8, 42), 1);
        assert_eq!(need(9, 42), 2);
        assert_eq!(need(16, 42), 2);
        // Four and over still counts at 1:8.
        assert_eq!(need(8, 50), 1);
        assert_eq!(need(9, 50), 2);
    }

    #[test]
    fn turning_two_or_three_lowers_the_staff_on_later_dates() {
        let sets = eyfs_ratios();
        let (before, after) = (d("2026-03-03"), d("2026-03-10"));
        // Two on 2026-03-05, between the sessions.
        let turning_two = d("2024-03-05");
        let mut kids = births(&[(4, 30)], "2026-03-03");
        kids.push(turning_two);
        // 1/3 + 4/5 = 1.13 → 2, then 5/5 = 1.
        assert_eq!(staff_needed(&sets, before, &kids), 2);
        assert_eq!(staff_needed(&sets, after, &kids), 1);

        // Three on 2026-03-05.
        let turning_three = d("2023-03-05");
        let mut kids = births(&[(7, 42)], "2026-03-03");
        kids.push(turning_three);
        // 1/5 + 7/8 = 1.075 → 2, then 8/8 = 1.
        assert_eq!(staff_needed(&sets, before, &kids), 2);
        assert_eq!(staff_needed(&sets, after, &kids), 1);
    }

    #[test]
    fn fails_on_the_first_date_only() {
        let sets = eyfs_ratios();
        let dates = [d("2026-03-03"), d("2026-03-10"), d("2026-03-17")];
        // Two babies, and two children turning three between the first two sessions:
        // 2/3 + 2/5 = 1.07 → 2 on the first date, 2/3 + 2/8 = 0.92 → 1 after.
        let mut kids = births(&[(2, 12)], "2026-03-03");
        kids.extend([d("2023-03-05"), d("2023-03-06")]);
        assert_eq!(staff_needed(&sets, dates[0], &kids), 2);
        assert_eq!(staff_needed(&sets, dates[1], &kids), 1);
        assert_eq!(staff_needed(&sets, dates[2], &kids), 1);
        assert_eq!(
            fits(&sets, &dates, &some(&kids), 12, 1),
            Err(CrecheProblem::NotEnoughStaff {
                date: dates[0],
                needed: 2,
                workers: 1
            })
        );
        // The later dates alone fit.
        assert_eq!(fits(&sets, &dates[1..], &some(&kids), 12, 1), Ok(()));
        assert_eq!(fits(&sets, &dates, &some(&kids), 12, 2), Ok(()));
    }

    #[test]
    fn a_later_date_can_fail_when_the_first_fits() {
        // With EYFS ratios older is never dearer, so a stricter future set is what makes a later
        // date fail: say 1:6 for three and over from 2026-03-10.
        let mut sets = eyfs_ratios();
        sets.push(RatioSet {
            effective_from: d("2026-03-10"),
            under_two: 3,
            two: 5,
            three_plus: 6,
        });
        let dates = [d("2026-03-03"), d("2026-03-10"), d("2026-03-17")];
        let kids = births(&[(8, 42)], "2026-03-03");
        assert_eq!(staff_needed(&sets, dates[0], &kids), 1);
        assert_eq!(staff_needed(&sets, dates[1], &kids), 2);
        assert_eq!(fits(&sets, &dates[..1], &some(&kids), 12, 1), Ok(()));
        assert_eq!(
            fits(&sets, &dates, &some(&kids), 12, 1),
            Err(CrecheProblem::NotEnoughStaff {
                date: dates[1],
                needed: 2,
                workers: 1
            })
        );
        // A baby turning two after the first date, beside seven babies, under the same data:
        // 8/3 → 3 then 7/3 + 1/5 = 2.53 → 3; the room, not the staff, is what fails.
        let mut babies = births(&[(7, 12)], "2026-03-03");
        babies.push(d("2024-03-05"));
        assert_eq!(staff_needed(&sets, dates[0], &babies), 3);
        assert_eq!(staff_needed(&sets, dates[1], &babies), 3);
        assert_eq!(fits(&sets, &dates, &some(&babies), 8, 3), Ok(()));
        assert_eq!(
            fits(&sets, &dates, &some(&babies), 7, 3),
            Err(CrecheProblem::RoomFull {
                date: dates[0],
                children: 8,
                capacity: 7
            })
        );
    }

    #[test]
    fn every_date_is_checked_earliest_first() {
        let sets = eyfs_ratios();
        // Given out of order: the earliest failing date is named.
        let dates = [d("2026-03-17"), d("2026-03-03"), d("2026-03-10")];
        let kids = births(&[(4, 12)], "2026-03-03");
        assert_eq!(
            fits(&sets, &dates, &some(&kids), 12, 1),
            Err(CrecheProblem::NotEnoughStaff {
                date: d("2026-03-03"),
                needed: 2,
                workers: 1
            })
        );
        // A baby who is under two on the first date and two later must fit on every date: three
        // babies need one worker on the first date, and still one after the turn.
        let mut kids = births(&[(2, 12)], "2026-03-03");
        kids.push(d("2024-03-05"));
        assert_eq!(fits(&sets, &dates, &some(&kids), 3, 1), Ok(()));
        kids.push(aged(30, "2026-03-03"));
        // 3/3 + 1/5 on the first date, 2/3 + 2/5 later: both need 2.
        assert_eq!(
            fits(&sets, &dates, &some(&kids), 12, 1),
            Err(CrecheProblem::NotEnoughStaff {
                date: d("2026-03-03"),
                needed: 2,
                workers: 1
            })
        );
    }

    #[test]
    fn never_more_children_than_the_room_holds() {
        let sets = eyfs_ratios();
        let dates = [d("2026-03-03"), d("2026-03-10")];
        let kids = births(&[(5, 42)], "2026-03-03");
        assert_eq!(fits(&sets, &dates, &some(&kids), 5, 1), Ok(()));
        // The room is checked before the staff.
        assert_eq!(
            fits(&sets, &dates, &some(&kids), 4, 0),
            Err(CrecheProblem::RoomFull {
                date: d("2026-03-03"),
                children: 5,
                capacity: 4
            })
        );
        assert_eq!(
            fits(&sets, &dates, &some(&kids), 5, 0),
            Err(CrecheProblem::NotEnoughStaff {
                date: d("2026-03-03"),
                needed: 1,
                workers: 0
            })
        );
        // No crèche children always fit, even with no room or workers.
        assert_eq!(fits(&sets, &dates, &[], 0, 0), Ok(()));
    }

    #[test]
    fn the_2023_change_for_two_year_olds() {
        let sets = eyfs_ratios();
        let kids = births(&[(5, 30)], "2023-09-01");
        assert_eq!(staff_needed(&sets, d("2023-09-01"), &kids), 2); // 1:4
        assert_eq!(staff_needed(&sets, d("2023-09-03"), &kids), 2);
        assert_eq!(staff_needed(&sets, d("2023-09-04"), &kids), 1); // 1:5
        assert_eq!(staff_needed(&sets, d("2023-09-05"), &kids), 1);
        // A cohort straddling the change is checked with each date's ratios.
        let dates = [d("2023-08-29"), d("2023-09-05")];
        assert_eq!(
            fits(&sets, &dates, &some(&kids), 12, 1),
            Err(CrecheProblem::NotEnoughStaff {
                date: d("2023-08-29"),
                needed: 2,
                workers: 1
            })
        );
        assert_eq!(fits(&sets, &dates[1..], &some(&kids), 12, 1), Ok(()));
    }

    #[test]
    fn unborn_children_cannot_have_a_place() {
        let sets = eyfs_ratios();
        let dates = [d("2026-03-03")];
        let kids = [Some(aged(12, "2026-03-03")), None, None];
        assert_eq!(
            fits(&sets, &dates, &kids, 12, 2),
            Err(CrecheProblem::NotBorn { child_index: 1 })
        );
        // Even with no sessions, and before any room problem.
        assert_eq!(
            fits(&sets, &[], &kids, 0, 0),
            Err(CrecheProblem::NotBorn { child_index: 1 })
        );
    }

    #[test]
    fn missing_ratios_are_a_problem_not_a_guess() {
        let sets = eyfs_ratios();
        let kids = births(&[(1, 12)], "2011-03-01");
        assert_eq!(staff_needed(&sets, d("2011-03-01"), &kids), u32::MAX);
        assert_eq!(staff_needed(&sets, d("2011-03-01"), &[]), 0);
        assert_eq!(
            fits(&sets, &[d("2011-03-01")], &some(&kids), 12, 2),
            Err(CrecheProblem::NoRatios {
                date: d("2011-03-01")
            })
        );
        // A set with no ratio (0) for a band refuses children of that band only.
        let sets = [RatioSet {
            effective_from: d("2020-01-01"),
            under_two: 0,
            two: 5,
            three_plus: 8,
        }];
        let dates = [d("2026-03-03")];
        let olders = births(&[(5, 30), (8, 42)], "2026-03-03");
        assert_eq!(staff_needed(&sets, dates[0], &olders), 2);
        assert_eq!(fits(&sets, &dates, &some(&olders), 13, 2), Ok(()));
        let baby = births(&[(1, 12)], "2026-03-03");
        assert_eq!(staff_needed(&sets, dates[0], &baby), u32::MAX);
        assert_eq!(
            fits(&sets, &dates, &some(&baby), 13, 2),
            Err(CrecheProblem::NoRatios { date: dates[0] })
        );
        assert_eq!(
            places_left(&sets, &dates, &[], 12, 2),
            PlacesLeft {
                under_2: 0,
                age_2: 10,
                age_3_plus: 12
            }
        );
    }

    #[test]
    fn problems_in_plain_words_with_the_date() {
        let room = CrecheProblem::RoomFull {
            date: d("2026-03-03"),
            children: 13,
            capacity: 12,
        };
        assert_eq!(
            room.to_string(),
            "On 2026-03-03 the crèche would have 13 children, but the room holds only 12."
        );
        let staff = CrecheProblem::NotEnoughStaff {
            date: d("2026-03-10"),
            needed: 3,
            workers: 2,
        };
        assert_eq!(
            staff.to_string(),
            "On 2026-03-10 the children's ages would need 3 crèche workers, but the group has 2."
        );
        let one = CrecheProblem::NotEnoughStaff {
            date: d("2026-03-10"),
            needed: 1,
            workers: 0,
        };
        assert!(one.to_string().contains("need 1 crèche worker,"));
        let unborn = CrecheProblem::NotBorn { child_index: 0 };
        assert!(unborn
            .to_string()
            .starts_with("Child 1 has no date of birth"));
        let none = CrecheProblem::NoRatios {
            date: d("2011-03-01"),
        };
        assert!(none.to_string().contains("2011-03-01"));
        // Usable as an error.
        let _: &dyn std::error::Error = &room;
    }

    #[test]
    fn places_left_in_an_empty_creche() {
        let sets = eyfs_ratios();
        let dates: Vec<NaiveDate> = ["2026-03-03", "2026-03-10", "2026-03-17", "2026-03-24"]
            .iter()
            .map(|s| d(s))
            .collect();
        assert_eq!(
            places_left(&sets, &dates, &[], 12, 2),
            PlacesLeft {
                under_2: 6,
                age_2: 10,
                age_3_plus: 12
            }
        );
        assert_eq!(
            places_left(&sets, &dates, &[], 5, 2),
            PlacesLeft {
                under_2: 5,
                age_2: 5,
                age_3_plus: 5
            }
        );
        assert_eq!(
            places_left(&sets, &dates, &[], 12, 0),
            PlacesLeft {
                under_2: 0,
                age_2: 0,
                age_3_plus: 0
            }
        );
        // Before 2023-09-04 a two-year-old counted at 1:4.
        let old_dates = [d("2023-06-06"), d("2023-06-13")];
        assert_eq!(places_left(&sets, &old_dates, &[], 12, 2).age_2, 8);
        // No sessions: only the room limits.
        assert_eq!(
            places_left(&sets, &[], &[], 7, 0),
            PlacesLeft {
                under_2: 7,
                age_2: 7,
                age_3_plus: 7
            }
        );
        // No ratios: no places.
        assert_eq!(
            places_left(&sets, &[d("2011-03-01")], &[], 12, 2),
            PlacesLeft {
                under_2: 0,
                age_2: 0,
                age_3_plus: 0
            }
        );
    }

    #[test]
    fn places_left_beside_existing_children() {
        let sets = eyfs_ratios();
        let dates = [d("2026-03-03"), d("2026-03-10")];
        // Two babies (80 of 240 units) and three two-year-olds (72): 88 spare units.
        let kids = births(&[(2, 12), (3, 30)], "2026-03-03");
        assert_eq!(
            places_left(&sets, &dates, &kids, 12, 2),
            PlacesLeft {
                under_2: 2,
                age_2: 3,
                age_3_plus: 5
            }
        );
        assert_eq!(places_left(&sets, &dates, &kids, 8, 2).age_3_plus, 3);
        // Already over the room or the staff: nothing left.
        assert_eq!(
            places_left(&sets, &dates, &kids, 4, 2),
            PlacesLeft {
                under_2: 0,
                age_2: 0,
                age_3_plus: 0
            }
        );
        assert_eq!(places_left(&sets, &dates, &kids, 12, 1).age_3_plus, 0);
    }

    #[test]
    fn places_left_promise_holds_for_any_child_of_the_band() {
        // The representative is the band's youngest child; older ones of the band fit too.
        let sets = eyfs_ratios();
        let dates: Vec<NaiveDate> = (0..11)
            .map(|week| d("2026-01-06") + chrono::Days::new(7 * week))
            .collect();
        let existing = births(&[(1, 20), (2, 34)], "2026-01-06");
        let left = places_left(&sets, &dates, &existing, 12, 2);
        for (band, count, ages) in [
            (AgeBand::UnderTwo, left.under_2, 0..24),
            (AgeBand::Two, left.age_2, 24..36),
            (AgeBand::ThreeAndOver, left.age_3_plus, 36..50),
        ] {
            for months in ages {
                let mut kids = existing.clone();
                kids.extend(std::iter::repeat_n(
                    aged(months, "2026-01-06"),
                    count as usize,
                ));
                assert_eq!(
                    fits(&sets, &dates, &some(&kids), 12, 2),
                    Ok(()),
                    "{band:?} at {months} months"
                );
            }
            // And the youngest of the band is refused one more.
            let mut kids = existing.clone();
            let youngest = aged(band.youngest_months(), "2026-01-06");
            kids.extend(std::iter::repeat_n(youngest, count as usize + 1));
            assert!(fits(&sets, &dates, &some(&kids), 12, 2).is_err());
        }
    }

    /// `places_left` by brute force: add the band's youngest child one at a time until `fits`
    /// fails, never past the room.
    fn places_by_search(
        sets: &[RatioSet],
        dates: &[NaiveDate],
        existing: &[NaiveDate],
        room: u32,
        workers: u32,
        band: AgeBand,
    ) -> u32 {
        let room_left = room.saturating_sub(existing.len() as u32);
        let Some(&first) = dates.iter().min() else {
            return room_left;
        };
        let born = first
            .checked_sub_months(Months::new(band.youngest_months()))
            .unwrap();
        let mut kids = some(existing);
        let mut added = 0;
        while added < room_left {
            kids.push(Some(born));
            if fits(sets, dates, &kids, room, workers).is_err() {
                break;
            }
            added += 1;
        }
        added
    }

    #[test]
    fn places_left_agrees_with_searching_by_fits() {
        // A small deterministic generator (no rand dependency).
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |below: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % below
        };
        let mut strict = eyfs_ratios();
        strict.push(RatioSet {
            effective_from: d("2026-02-01"),
            under_two: 2,
            two: 4,
            three_plus: 7,
        });
        let all_sets = [eyfs_ratios(), strict];
        for _ in 0..1000 {
            let sets = &all_sets[next(2) as usize];
            // Straddling the 2023 change, or the stricter set above.
            let start = if next(2) == 0 {
                d("2023-08-01")
            } else {
                d("2026-01-06")
            };
            let dates: Vec<NaiveDate> = (0..next(12))
                .map(|week| start + chrono::Days::new(7 * week))
                .collect();
            let existing: Vec<NaiveDate> = (0..next(9))
                .map(|_| start - chrono::Days::new(next(52 * 7 * 4 + 30)) + chrono::Days::new(14))
                .collect();
            let room = next(16) as u32;
            let workers = next(4) as u32;
            let left = places_left(sets, &dates, &existing, room, workers);
            let case = format!("{dates:?} {existing:?} room {room} workers {workers}");
            for (band, got) in [
                (AgeBand::UnderTwo, left.under_2),
                (AgeBand::Two, left.age_2),
                (AgeBand::ThreeAndOver, left.age_3_plus),
            ] {
                let want = places_by_search(sets, &dates, &existing, room, workers, band);
                assert_eq!(got, want, "{band:?}: {case}");
            }
        }
    }

    #[test]
    fn huge_numbers_saturate_instead_of_overflowing() {
        let sets = eyfs_ratios();
        let dates = [d("2026-03-03")];
        let left = places_left(&sets, &dates, &[], u32::MAX, u32::MAX);
        assert_eq!(left.age_3_plus, u32::MAX);
        assert_eq!(left.under_2, u32::MAX);
        let odd = [RatioSet {
            effective_from: d("2020-01-01"),
            under_two: u32::MAX,
            two: u32::MAX - 1,
            three_plus: u32::MAX - 2,
        }];
        let kids = births(&[(3, 12), (3, 30), (3, 42)], "2026-03-03");
        assert_eq!(staff_needed(&odd, dates[0], &kids), 1);
        assert_eq!(places_left(&odd, &dates, &kids, 20, 1).under_2, 11);
    }
}
