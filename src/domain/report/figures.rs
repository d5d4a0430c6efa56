//! The arithmetic of the report: each row collects the families, children and (cohort, family)
//! pairs it has seen as sets, so a family counts once per row however many bookings it has.

use super::id_set::IdSet;
use super::{BookingFact, Facts, FamilyFact, Figures, GroupBy, Report, UNKNOWN_WARD};
use crate::domain::monitoring::most_deprived;
use crate::domain::register::{completed, summarise_pairs};
use crate::domain::status::FollowUpOutcome;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The rows for `by` (none without it) and the total.
pub fn build(facts: &Facts, by: Option<GroupBy>) -> Report {
    let (groups, mut total) = accumulate(facts, by);
    let groups = match by {
        Some(g) => groups
            .into_iter()
            .map(|(k, mut acc)| {
                // The ward's own under-fives; other rows have no population of their own.
                if g == GroupBy::Ward {
                    acc.under_fives = facts.under_fives.get(&k).copied();
                }
                (k, acc.finish(!g.by_family()))
            })
            .collect(),
        None => Vec::new(),
    };
    total.under_fives = (!facts.under_fives.is_empty()).then(|| facts.under_fives.values().sum());
    Report {
        groups,
        total: total.finish(true),
    }
}

/// A booking's pre and post score of one measure, as far as recorded.
type PrePost = (Option<f64>, Option<f64>);

#[derive(Default)]
struct Acc {
    run: i64,
    cancelled: i64,
    sessions: i64,
    booked: IdSet,
    reached: IdSet,
    children: IdSet,
    incidents: i64,
    attended: i64,
    recorded: i64,
    visits: i64,
    /// (cohort, family) booked on a cohort that has ended, and those who completed it.
    eligible: HashSet<(i32, i32)>,
    completed: i64,
    waitlisted: IdSet,
    never_offered: IdSet,
    follow_ups: i64,
    open: i64,
    outcomes: BTreeMap<String, i64>,
    /// measure → booking → (pre, post)
    scores: BTreeMap<String, BTreeMap<i32, PrePost>>,
    children_reached: IdSet,
    under_fives: Option<i64>,
    /// Reached, living in a ward whose under-fives are loaded.
    families_in_area: IdSet,
    children_in_area: IdSet,
    decile_known: IdSet,
    most_deprived: IdSet,
}

fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

impl Acc {
    fn finish(self, cohort_level: bool) -> Figures {
        // Closed follow-ups are counted by every outcome (always all, for stable CSV columns).
        let mut outcomes: BTreeMap<String, i64> = FollowUpOutcome::ALL
            .iter()
            .map(|o| (o.to_string(), 0))
            .collect();
        outcomes.extend(self.outcomes);
        let pairs = self
            .scores
            .into_iter()
            .filter_map(|(measure, by_booking)| {
                let complete: Vec<(f64, f64)> = by_booking
                    .values()
                    .filter_map(|(pre, post)| Some(((*pre)?, (*post)?)))
                    .collect();
                Some((measure, summarise_pairs(&complete)?))
            })
            .collect();
        let (eligible, completed) = (self.eligible.len() as i64, self.completed);
        Figures {
            cohorts_run: cohort_level.then_some(self.run),
            cohorts_cancelled: cohort_level.then_some(self.cancelled),
            sessions_delivered: cohort_level.then_some(self.sessions),
            families_booked: self.booked.len() as i64,
            families_reached: self.reached.len() as i64,
            children_in_creche: self.children.len() as i64,
            creche_incidents: self.incidents,
            marks_attended: self.attended,
            marks_recorded: self.recorded,
            attendance_rate: rate(self.attended, self.recorded),
            visitor_attendances: self.visits,
            completion_eligible: eligible,
            completed,
            completion_rate: rate(completed, eligible),
            families_waitlisted: self.waitlisted.len() as i64,
            families_never_offered: self.never_offered.len() as i64,
            follow_ups_opened: self.follow_ups,
            follow_ups_open: self.open,
            follow_up_outcomes: outcomes,
            outcome_pairs: pairs,
            children_reached: self.children_reached.len() as i64,
            under_fives: self.under_fives,
            families_reached_in_area: self.families_in_area.len() as i64,
            children_reached_in_area: self.children_in_area.len() as i64,
            families_reach_rate: self
                .under_fives
                .and_then(|u| rate(self.families_in_area.len() as i64, u)),
            children_reach_rate: self
                .under_fives
                .and_then(|u| rate(self.children_in_area.len() as i64, u)),
            families_reached_decile_known: self.decile_known.len() as i64,
            families_reached_most_deprived: self.most_deprived.len() as i64,
            most_deprived_share: rate(
                self.most_deprived.len() as i64,
                self.decile_known.len() as i64,
            ),
        }
    }
}

/// The rows keyed by `by`'s key (none without it) and the total, in one pass; a fact whose row
/// cannot be told counts in the total only. A cancelled cohort counts as cancelled, not run (and
/// no one is eligible to complete it), but what happened before it was cancelled counts as on
/// any cohort: sessions held, families booked, waiting (never offered a place, if they only
/// waited), attending, in the crèche (and its incidents), followed up, scored. So cancelling a
/// group changes only the two cohort counts.
///
/// Each booking's rows are worked out once (sign-ins, incidents and scores come by the ten
/// thousand at a borough's size), and rows are kept in a vector by index until the end.
fn accumulate(f: &Facts, by: Option<GroupBy>) -> (BTreeMap<String, Acc>, Acc) {
    let mut rows = Rows::new(f, by);
    for (&id, c) in &f.cohorts {
        for r in rows.of(id, None) {
            let row = &mut rows.accs[r];
            if c.cancelled {
                row.cancelled += 1;
            } else {
                row.run += 1;
            }
            row.sessions += c.delivered;
        }
    }
    // Per (cohort, family): ever confirmed, ever waitlisted — never offered a place is per cohort.
    let mut history: HashMap<(i32, i32), (bool, bool)> = HashMap::new();
    let mut attended_group: HashMap<(i32, i32), i64> = HashMap::new();
    // The rows each booking's facts go to, with the booking.
    let mut of_booking: HashMap<i32, (&BookingFact, Targets)> =
        HashMap::with_capacity(f.bookings.len());
    for (&bid, b) in &f.bookings {
        let Some(c) = f.cohorts.get(&b.cohort_id) else {
            continue;
        };
        let targets = rows.of(b.cohort_id, Some(b.family_id));
        of_booking.insert(bid, (b, targets));
        let pair = (b.cohort_id, b.family_id);
        for r in targets {
            let row = &mut rows.accs[r];
            if b.confirmed {
                row.booked.insert(b.family_id);
                if c.ended && !c.cancelled {
                    row.eligible.insert(pair);
                }
            }
            if b.waitlisted {
                row.waitlisted.insert(b.family_id);
            }
        }
        let h = history.entry(pair).or_default();
        *h = (h.0 || b.confirmed, h.1 || b.waitlisted);
    }
    let booking_rows = |bid: i32| of_booking.get(&bid).copied();
    for (&(cohort, family), &(confirmed, waitlisted)) in &history {
        if waitlisted && !confirmed {
            for r in rows.of(cohort, Some(family)) {
                rows.accs[r].never_offered.insert(family);
            }
        }
    }
    for &(bid, tally) in &f.marks {
        let Some((b, targets)) = booking_rows(bid) else {
            continue;
        };
        for r in targets {
            let row = &mut rows.accs[r];
            row.recorded += tally.recorded;
            row.attended += tally.attended;
            if tally.attended > 0 {
                row.reached.insert(b.family_id);
            }
        }
        if tally.attended_group > 0 {
            *attended_group
                .entry((b.cohort_id, b.family_id))
                .or_default() += tally.attended_group;
        }
    }
    // Visitors held no place: counted apart, never as families booked or reached, nor in the
    // attendance rate (they have no marks).
    for &(sid, family) in &f.visitors {
        let Some(s) = f.sessions.get(&sid).filter(|s| s.delivered) else {
            continue;
        };
        for r in rows.of(s.cohort_id, Some(family)) {
            rows.accs[r].visits += 1;
        }
    }
    for row in &mut rows.accs {
        for &(cohort, family) in &row.eligible {
            let threshold = f.cohorts.get(&cohort).map_or(1, |c| c.completion_threshold);
            let attended = attended_group.get(&(cohort, family)).copied().unwrap_or(0);
            if completed(attended as usize, threshold) {
                row.completed += 1;
            }
        }
    }
    for &(sid, bid, child) in &f.creche {
        if f.sessions.get(&sid).is_some_and(|s| s.delivered) {
            for r in booking_rows(bid).map(|b| b.1).unwrap_or_default() {
                rows.accs[r].children.insert(child);
            }
        }
    }
    // Every incident recorded counts, in the row of the child's family's booking.
    for &(_, bid) in &f.incidents {
        for r in booking_rows(bid).map(|b| b.1).unwrap_or_default() {
            rows.accs[r].incidents += 1;
        }
    }
    for (cohort_id, family, outcome) in &f.follow_ups {
        for r in rows.of(*cohort_id, Some(*family)) {
            let row = &mut rows.accs[r];
            row.follow_ups += 1;
            match outcome {
                Some(o) => *row.outcomes.entry(o.clone()).or_default() += 1,
                None => row.open += 1,
            }
        }
    }
    // Reach: the children of the families reached, who of them live where the under-fives are
    // known, and how deprived their neighbourhoods are.
    for row in &mut rows.accs {
        for family in row.reached.iter() {
            let Some(fam) = f.families.get(&family) else {
                continue;
            };
            row.children_reached.extend(&fam.children);
            if f.under_fives.contains_key(&fam.ward) {
                row.families_in_area.insert(family);
                row.children_in_area.extend(&fam.children);
            }
            if let Some(d) = fam.profile.imd_decile {
                row.decile_known.insert(family);
                if most_deprived(Some(d)) {
                    row.most_deprived.insert(family);
                }
            }
        }
    }
    for (bid, measure, pre, score) in &f.scores {
        for r in booking_rows(*bid).map(|b| b.1).unwrap_or_default() {
            let scores = &mut rows.accs[r].scores;
            // Looked up before inserting: a measure's name is copied once per row, not per score.
            if !scores.contains_key(measure) {
                scores.insert(measure.clone(), BTreeMap::new());
            }
            let Some(by_booking) = scores.get_mut(measure) else {
                continue;
            };
            let e = by_booking.entry(*bid).or_default();
            if *pre {
                e.0 = Some(*score);
            } else {
                e.1 = Some(*score);
            }
        }
    }
    rows.into_map()
}

/// The rows a fact counts in: the total (when its cohort is known) and its row by `by` (when
/// that can be told).
#[derive(Debug, Clone, Copy, Default)]
struct Targets {
    total: Option<usize>,
    row: Option<usize>,
}

impl IntoIterator for Targets {
    type Item = usize;
    type IntoIter = std::iter::Flatten<std::array::IntoIter<Option<usize>, 2>>;

    fn into_iter(self) -> Self::IntoIter {
        [self.total, self.row].into_iter().flatten()
    }
}

/// The rows met so far, by key, each an index into `accs` (the total is `accs[0]`); a cohort's
/// or family's row is worked out once (a breakdown by what a family told us reads several
/// answers).
struct Rows<'f> {
    facts: &'f Facts,
    by: Option<GroupBy>,
    index: HashMap<String, usize>,
    accs: Vec<Acc>,
    of_cohort: HashMap<i32, Option<usize>>,
    of_family: HashMap<i32, usize>,
}

const TOTAL: usize = 0;

impl<'f> Rows<'f> {
    fn new(facts: &'f Facts, by: Option<GroupBy>) -> Self {
        Rows {
            facts,
            by,
            index: HashMap::new(),
            accs: vec![Acc::default()],
            of_cohort: HashMap::new(),
            of_family: HashMap::new(),
        }
    }

    /// The rows of a cohort's fact, or of a family's on that cohort: none for an unknown cohort,
    /// the total alone for a cohort fact in rows by family attribute.
    fn of(&mut self, cohort: i32, family: Option<i32>) -> Targets {
        let Some(c) = self.facts.cohorts.get(&cohort) else {
            return Targets::default();
        };
        let total = Some(TOTAL);
        let Some(by) = self.by else {
            return Targets { total, row: None };
        };
        if !by.by_family() {
            if let Some(&row) = self.of_cohort.get(&cohort) {
                return Targets { total, row };
            }
            let key = match by {
                GroupBy::Programme => Some(c.programme.clone()),
                GroupBy::Venue => Some(c.venue.clone()),
                GroupBy::Month => Some(c.month.clone()),
                _ => None,
            };
            let row = key.map(|k| self.index(k));
            self.of_cohort.insert(cohort, row);
            return Targets { total, row };
        }
        let Some(family) = family else {
            return Targets { total, row: None };
        };
        if let Some(&row) = self.of_family.get(&family) {
            return Targets {
                total,
                row: Some(row),
            };
        }
        let unknown = FamilyFact::default();
        let fam = self.facts.families.get(&family).unwrap_or(&unknown);
        let key = match by {
            GroupBy::Ward if fam.ward.is_empty() => UNKNOWN_WARD.into(),
            GroupBy::Ward => fam.ward.clone(),
            GroupBy::ReferralSource => fam.referral_source.clone(),
            GroupBy::Family(b) => b.key(&fam.profile, self.facts.year),
            _ => String::new(),
        };
        let row = self.index(key);
        self.of_family.insert(family, row);
        Targets {
            total,
            row: Some(row),
        }
    }

    fn index(&mut self, key: String) -> usize {
        let next = self.accs.len();
        let i = *self.index.entry(key).or_insert(next);
        if i == next {
            self.accs.push(Acc::default());
        }
        i
    }

    /// The rows by key, and the total.
    fn into_map(self) -> (BTreeMap<String, Acc>, Acc) {
        let mut accs: Vec<Option<Acc>> = self.accs.into_iter().map(Some).collect();
        let rows = self
            .index
            .into_iter()
            .filter_map(|(k, i)| Some((k, accs[i].take()?)))
            .collect();
        (rows, accs[TOTAL].take().unwrap_or_default())
    }
}
