//! Register rules: what may be marked when, when a family's absences open a follow-up (never a
//! removal), when a returning family closes it, and whether the crèche stayed within ratio for
//! the children actually signed in.

use crate::domain::creche::{self, RatioSet};
use chrono::{Duration, NaiveDate, NaiveDateTime};

crate::domain::status::text_enum! {
    /// A family's mark at one session.
    #[schema(as = MarkStatus)]
    pub enum Mark {
        Present = "present",
        Late = "late",
        /// Sent apologies: an explained absence, never counted with unexplained ones. One never
        /// opens a follow-up on its own; apologies in a row may (the programme's threshold).
        Apologies = "apologies",
        Absent = "absent",
    }
}

impl Mark {
    pub fn attended(self) -> bool {
        matches!(self, Mark::Present | Mark::Late)
    }
}

/// Why a mark cannot be made now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarkRefusal {
    /// Only apologies can be recorded before the session starts.
    NotStartedYet,
    /// The facilitators' window closed; a coordinator can still correct the register.
    WindowClosed { closed_at: NaiveDateTime },
}

/// Whether `mark` may be recorded at `now` for a session running `starts_at`–`ends_at`.
/// Facilitators may mark until `window_days` after the session ends; coordinators any time after
/// it starts (to correct it). Apologies may be recorded ahead of the session by anyone.
pub fn may_mark(
    mark: Mark,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    now: NaiveDateTime,
    window_days: i64,
    coordinator: bool,
) -> Result<(), MarkRefusal> {
    if now < starts_at && mark != Mark::Apologies {
        return Err(MarkRefusal::NotStartedYet);
    }
    let closed_at = ends_at + Duration::days(window_days);
    if !coordinator && now > closed_at {
        return Err(MarkRefusal::WindowClosed { closed_at });
    }
    Ok(())
}

/// Whether crèche sign-ins may be recorded at `now`: the same window as marks, and not before
/// the session starts (a child cannot have been signed in yet).
pub fn may_sign_in(
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    now: NaiveDateTime,
    window_days: i64,
    coordinator: bool,
) -> Result<(), MarkRefusal> {
    may_mark(
        Mark::Present,
        starts_at,
        ends_at,
        now,
        window_days,
        coordinator,
    )
}

/// Why a mark's arrival or leave time cannot be recorded: the field and the reason.
pub type TimesRefusal = (&'static str, &'static str);

/// Whether a late arrival (`arrived`) and an early leave (`left`) make sense for `mark` at a
/// session running `starts_at`–`ends_at`, at `now`. Only a family who came has them; each falls
/// around the session (an hour either side) and not in the future, as a tablet with a wrong clock
/// or zone should be noticed; a family leaves after arriving.
pub fn times_problem(
    mark: Mark,
    arrived: Option<NaiveDateTime>,
    left: Option<NaiveDateTime>,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Option<TimesRefusal> {
    if !mark.attended() {
        return match (arrived, left) {
            (Some(_), _) => Some(("arrived_at", ONLY_WHO_CAME)),
            (_, Some(_)) => Some(("left_at", ONLY_WHO_CAME)),
            _ => None,
        };
    }
    let (earliest, latest) = (starts_at - Duration::hours(1), ends_at + Duration::hours(1));
    let plausible =
        |t: NaiveDateTime| t >= earliest && t <= latest && t <= now + Duration::minutes(5);
    const AROUND: &str = "must be around the session's time, and not in the future";
    if arrived.is_some_and(|t| !plausible(t)) {
        return Some(("arrived_at", AROUND));
    }
    if left.is_some_and(|t| !plausible(t)) {
        return Some(("left_at", AROUND));
    }
    if let (Some(a), Some(l)) = (arrived, left) {
        if l < a {
            return Some(("left_at", "must be after the arrival"));
        }
    }
    None
}

const ONLY_WHO_CAME: &str = "only a family marked present or late has arrival and leave times";

/// One held (not cancelled) session of a family's cohort, in order, with the family's mark and
/// whether they sent apologies for it in advance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    pub session_id: i32,
    pub mark: Option<Mark>,
    /// Apologies sent in advance (not a mark: the register shows it until someone marks).
    pub apology: bool,
}

/// How a family stood at one held session, as far as follow-ups are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stood {
    /// Marked present or late (also after sending apologies: they came after all).
    Attended,
    /// Missed with apologies: marked `apologies`, or apologies sent in advance and not marked
    /// as attended (an `absent` mark does not take back the family's word).
    Apologised,
    /// Marked absent, no apologies: an unexplained absence.
    Unexplained,
    /// Not marked and no apologies: not known yet.
    Unknown,
}

impl Held {
    pub fn stood(&self) -> Stood {
        match (self.mark, self.apology) {
            (Some(Mark::Present | Mark::Late), _) => Stood::Attended,
            (Some(Mark::Apologies), _) | (Some(Mark::Absent) | None, true) => Stood::Apologised,
            (Some(Mark::Absent), false) => Stood::Unexplained,
            (None, false) => Stood::Unknown,
        }
    }
}

/// The session whose absence should open a follow-up now, if any.
///
/// The family's latest known sessions are read backwards as a run of the same kind: unexplained
/// absences, or apologies. A follow-up opens when the run reaches the programme's threshold
/// (`follow_up_after_absences`): unexplained absences because the family went quiet, apologies
/// because a family who keeps being unable to come may be struggling too. A run of apologies
/// needs at least two, so one apologised absence never opens a follow-up on its own; and the
/// kinds do not add up (an absence next to an apology is one of each: the family was in touch).
/// An unknown session (unmarked, no apologies) or an attended one ends the run; later unknown
/// sessions are ignored. The trigger is the session that completed the run; a run that already
/// had a follow-up (its trigger is in `earlier_triggers`) does not open another, so a family who
/// stays away is not chased twice for the same absence.
pub fn follow_up_trigger(
    history: &[Held],
    threshold: usize,
    earlier_triggers: &[i32],
) -> Option<i32> {
    let last_known = history.iter().rposition(|h| h.stood() != Stood::Unknown)?;
    let known = &history[..=last_known];
    let kind = known[last_known].stood();
    let needed = match kind {
        Stood::Unexplained => threshold.max(1),
        Stood::Apologised => threshold.max(2),
        Stood::Attended | Stood::Unknown => return None,
    };
    let run_len = known.iter().rev().take_while(|h| h.stood() == kind).count();
    if run_len < needed {
        return None;
    }
    let run = &known[known.len() - run_len..];
    if run.iter().any(|h| earlier_triggers.contains(&h.session_id)) {
        return None;
    }
    Some(run[needed - 1].session_id)
}

/// Whether the family attended a session after the follow-up's trigger session: they came back.
pub fn returned_after(history: &[Held], trigger_session_id: i32) -> bool {
    history
        .iter()
        .skip_while(|h| h.session_id != trigger_session_id)
        .skip(1)
        .any(|h| h.mark.is_some_and(Mark::attended))
}

/// A crèche child's sign-in at one session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignIn {
    pub born: NaiveDate,
    pub signed_in_at: NaiveDateTime,
    pub signed_out_at: Option<NaiveDateTime>,
}

/// The busiest moment of a session's crèche.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CrechePeak {
    /// Most children in the room at once.
    pub children: u32,
    /// Most staff the EYFS ratios needed at once, for the ages present then.
    pub staff_needed: u32,
}

/// Sweeps the sign-ins and sign-outs in time order; a child not signed out counts as still in
/// the room. The staff needed depends on who is in at each moment, as ages weigh differently.
pub fn creche_peak(ratios: &[RatioSet], date: NaiveDate, signins: &[SignIn]) -> CrechePeak {
    let mut events: Vec<(NaiveDateTime, bool, NaiveDate)> = Vec::new();
    for s in signins {
        events.push((s.signed_in_at, true, s.born));
        if let Some(out) = s.signed_out_at {
            events.push((out, false, s.born));
        }
    }
    // At the same instant, departures before arrivals: a handover is not an overlap.
    events.sort_by_key(|(at, arriving, _)| (*at, *arriving));
    let mut present: Vec<NaiveDate> = Vec::new();
    let mut peak = CrechePeak::default();
    for (_, arriving, born) in events {
        if arriving {
            present.push(born);
            peak.children = peak.children.max(present.len() as u32);
            peak.staff_needed = peak
                .staff_needed
                .max(creche::staff_needed(ratios, date, &present));
        } else if let Some(i) = present.iter().position(|b| *b == born) {
            present.swap_remove(i);
        }
    }
    peak
}

/// Attended at least the programme's completion threshold.
pub fn completed(attended: usize, threshold: i32) -> bool {
    attended as i64 >= i64::from(threshold.max(1))
}

/// Pre/post pairs of one measure summarised: how many, the means and the mean change.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairSummary {
    pub pairs: usize,
    pub mean_pre: f64,
    pub mean_post: f64,
    pub mean_change: f64,
}

/// `None` without any complete pair: a lone pre or post score says nothing about change.
pub fn summarise_pairs(pairs: &[(f64, f64)]) -> Option<PairSummary> {
    if pairs.is_empty() {
        return None;
    }
    let n = pairs.len() as f64;
    let mean_pre = pairs.iter().map(|(pre, _)| pre).sum::<f64>() / n;
    let mean_post = pairs.iter().map(|(_, post)| post).sum::<f64>() / n;
    Some(PairSummary {
        pairs: pairs.len(),
        mean_pre,
        mean_post,
        mean_change: mean_post - mean_pre,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveTime;

    fn at(d: &str, t: &str) -> NaiveDateTime {
        NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .unwrap()
            .and_time(NaiveTime::parse_from_str(t, "%H:%M").unwrap())
    }

    fn h(marks: &[Option<Mark>]) -> Vec<Held> {
        marks
            .iter()
            .enumerate()
            .map(|(i, m)| Held {
                session_id: i as i32 + 1,
                mark: *m,
                apology: false,
            })
            .collect()
    }

    /// Marks with apologies sent in advance for the sessions numbered in `apologised` (1-based).
    fn with_apologies(marks: &[Option<Mark>], apologised: &[i32]) -> Vec<Held> {
        h(marks)
            .into_iter()
            .map(|x| Held {
                apology: apologised.contains(&x.session_id),
                ..x
            })
            .collect()
    }

    use Mark::*;

    #[test]
    fn marks_parse_and_print() {
        for s in Mark::ALL {
            assert_eq!(Mark::parse(s.as_str()), Some(*s));
        }
        assert_eq!(Mark::parse("Present"), None);
        assert!(Late.attended() && !Apologies.attended());
    }

    #[test]
    fn marking_window() {
        let (s, e) = (at("2026-03-03", "10:00"), at("2026-03-03", "12:00"));
        assert_eq!(
            may_mark(Present, s, e, at("2026-03-03", "09:00"), 7, false),
            Err(MarkRefusal::NotStartedYet)
        );
        assert_eq!(
            may_mark(Apologies, s, e, at("2026-03-01", "09:00"), 7, false),
            Ok(())
        );
        assert_eq!(
            may_mark(Absent, s, e, at("2026-03-10", "12:00"), 7, false),
            Ok(())
        );
        assert_eq!(
            may_mark(Absent, s, e, at("2026-03-10", "12:01"), 7, false),
            Err(MarkRefusal::WindowClosed {
                closed_at: at("2026-03-10", "12:00")
            })
        );
        assert_eq!(
            may_mark(Absent, s, e, at("2026-05-01", "12:00"), 7, true),
            Ok(())
        );
        assert_eq!(
            may_sign_in(s, e, at("2026-03-03", "09:59"), 7, true),
            Err(MarkRefusal::NotStartedYet)
        );
    }

    #[test]
    fn arrival_and_leave_times_fit_the_session_and_who_came() {
        let (s, e) = (at("2026-03-03", "10:00"), at("2026-03-03", "12:00"));
        let now = at("2026-03-03", "12:30");
        let t = |x| Some(at("2026-03-03", x));
        assert_eq!(times_problem(Late, t("10:25"), None, s, e, now), None);
        assert_eq!(times_problem(Present, None, t("11:15"), s, e, now), None);
        assert_eq!(times_problem(Late, t("10:25"), t("11:50"), s, e, now), None);
        assert_eq!(
            times_problem(Absent, t("10:25"), None, s, e, now).map(|p| p.0),
            Some("arrived_at")
        );
        assert_eq!(
            times_problem(Apologies, None, t("11:00"), s, e, now).map(|p| p.0),
            Some("left_at")
        );
        assert_eq!(times_problem(Absent, None, None, s, e, now), None);
        // Far from the session, or in the future.
        assert_eq!(
            times_problem(Late, t("08:30"), None, s, e, now).map(|p| p.0),
            Some("arrived_at")
        );
        assert_eq!(
            times_problem(Present, None, t("12:45"), s, e, at("2026-03-03", "12:35")).map(|p| p.0),
            Some("left_at")
        );
        assert_eq!(
            times_problem(Late, t("11:00"), t("10:30"), s, e, now),
            Some(("left_at", "must be after the arrival"))
        );
    }

    #[test]
    fn two_consecutive_unexplained_absences_open_a_follow_up() {
        assert_eq!(
            follow_up_trigger(&h(&[Some(Present), Some(Absent), Some(Absent)]), 2, &[]),
            Some(3)
        );
        assert_eq!(follow_up_trigger(&h(&[Some(Absent)]), 2, &[]), None);
        // A threshold of three.
        assert_eq!(
            follow_up_trigger(&h(&[Some(Absent), Some(Absent)]), 3, &[]),
            None
        );
        assert_eq!(follow_up_trigger(&h(&[Some(Absent); 3]), 3, &[]), Some(3));
    }

    #[test]
    fn apologies_and_gaps_break_a_run_of_absences() {
        assert_eq!(
            follow_up_trigger(&h(&[Some(Absent), Some(Apologies)]), 2, &[]),
            None
        );
        assert_eq!(
            follow_up_trigger(&h(&[Some(Apologies), Some(Absent)]), 2, &[]),
            None
        );
        // Apologies sent in advance break it the same way, whatever the mark.
        let sent = with_apologies(&[Some(Absent), Some(Absent)], &[1]);
        assert_eq!(follow_up_trigger(&sent, 2, &[]), None);
        // Two absences that are not consecutive.
        assert_eq!(
            follow_up_trigger(&h(&[Some(Absent), Some(Present), Some(Absent)]), 2, &[]),
            None
        );
        // An unmarked session between absences breaks the run.
        assert_eq!(
            follow_up_trigger(&h(&[Some(Absent), None, Some(Absent)]), 2, &[]),
            None
        );
        // A later unmarked session is not yet known: the run still counts.
        assert_eq!(
            follow_up_trigger(&h(&[Some(Absent), Some(Absent), None]), 2, &[]),
            Some(2)
        );
        // A family who returned is not followed up for old absences.
        assert_eq!(
            follow_up_trigger(&h(&[Some(Absent), Some(Absent), Some(Late)]), 2, &[]),
            None
        );
        assert_eq!(follow_up_trigger(&h(&[None, None]), 2, &[]), None);
    }

    #[test]
    fn one_apology_never_opens_a_follow_up_on_its_own() {
        for threshold in [1, 2, 3] {
            assert_eq!(
                follow_up_trigger(&h(&[Some(Apologies)]), threshold, &[]),
                None
            );
            let sent = with_apologies(&[Some(Present), None], &[2]);
            assert_eq!(follow_up_trigger(&sent, threshold, &[]), None);
            // Marked absent after sending apologies: still explained.
            let sent = with_apologies(&[Some(Present), Some(Absent)], &[2]);
            assert_eq!(follow_up_trigger(&sent, threshold, &[]), None);
        }
        // Apologies, then they came after all: attended.
        let came = with_apologies(&[Some(Apologies), Some(Present)], &[2]);
        assert_eq!(follow_up_trigger(&came, 1, &[]), None);
        // Whereas one unexplained absence is enough where the programme says one.
        assert_eq!(follow_up_trigger(&h(&[Some(Absent)]), 1, &[]), Some(1));
    }

    #[test]
    fn apologies_in_a_row_follow_the_programmes_threshold() {
        // Two in a row reach the usual threshold of two, sent in advance or marked.
        assert_eq!(
            follow_up_trigger(&h(&[Some(Apologies), Some(Apologies)]), 2, &[]),
            Some(2)
        );
        let sent = with_apologies(&[Some(Present), None, None, None], &[2, 3]);
        assert_eq!(follow_up_trigger(&sent, 2, &[]), Some(3));
        let mixed = with_apologies(&[Some(Absent), Some(Apologies)], &[1]);
        assert_eq!(follow_up_trigger(&mixed, 2, &[]), Some(2));
        // Not before the programme's threshold; never fewer than two.
        assert_eq!(
            follow_up_trigger(&h(&[Some(Apologies), Some(Apologies)]), 3, &[]),
            None
        );
        assert_eq!(
            follow_up_trigger(&h(&[Some(Apologies); 3]), 3, &[]),
            Some(3)
        );
        assert_eq!(
            follow_up_trigger(&h(&[Some(Apologies), Some(Apologies)]), 1, &[]),
            Some(2)
        );
        // Once per run, as for absences.
        assert_eq!(follow_up_trigger(&h(&[Some(Apologies); 4]), 2, &[2]), None);
    }

    #[test]
    fn one_follow_up_per_run_of_absences() {
        let run = h(&[Some(Absent), Some(Absent), Some(Absent), Some(Absent)]);
        assert_eq!(follow_up_trigger(&run, 2, &[2]), None, "still the same run");
        // A new run after a return opens a new one.
        let again = h(&[
            Some(Absent),
            Some(Absent),
            Some(Present),
            Some(Absent),
            Some(Absent),
        ]);
        assert_eq!(follow_up_trigger(&again, 2, &[2]), Some(5));
    }

    #[test]
    fn returning_is_attending_after_the_trigger() {
        let hist = h(&[Some(Absent), Some(Absent), Some(Apologies), Some(Present)]);
        assert!(returned_after(&hist, 2));
        assert!(!returned_after(&hist[..3], 2), "apologies are not a return");
        assert!(!returned_after(&hist, 4));
        assert!(!returned_after(&hist, 99));
    }

    #[test]
    fn the_crèche_peak_counts_who_is_in_the_room_at_once() {
        let ratios = creche::eyfs_ratios();
        let day = NaiveDate::from_ymd_opt(2026, 3, 3).unwrap();
        let baby = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        let three = NaiveDate::from_ymd_opt(2022, 6, 1).unwrap();
        let s = |born, i: &str, o: Option<&str>| SignIn {
            born,
            signed_in_at: at("2026-03-03", i),
            signed_out_at: o.map(|o| at("2026-03-03", o)),
        };
        // Four babies in at once need two staff (1:3).
        let four: Vec<SignIn> = (0..4).map(|_| s(baby, "10:00", Some("12:00"))).collect();
        assert_eq!(
            creche_peak(&ratios, day, &four),
            CrechePeak {
                children: 4,
                staff_needed: 2
            }
        );
        // The same four, one leaving before the next arrives, never need more than one.
        let staggered = vec![
            s(baby, "10:00", Some("10:30")),
            s(baby, "10:00", None),
            s(baby, "10:00", None),
            s(baby, "10:30", Some("11:00")),
        ];
        assert_eq!(
            creche_peak(&ratios, day, &staggered),
            CrechePeak {
                children: 3,
                staff_needed: 1
            }
        );
        // A three-year-old weighs 1/8: three babies and one three-year-old need two.
        let mixed = vec![
            s(baby, "10:00", None),
            s(baby, "10:00", None),
            s(baby, "10:00", None),
            s(three, "10:05", None),
        ];
        assert_eq!(creche_peak(&ratios, day, &mixed).staff_needed, 2);
        assert_eq!(creche_peak(&ratios, day, &[]), CrechePeak::default());
    }

    #[test]
    fn pairs_give_the_mean_change() {
        assert_eq!(summarise_pairs(&[]), None);
        let s = summarise_pairs(&[(10.0, 14.0), (20.0, 22.0)]).unwrap();
        assert_eq!(
            (s.pairs, s.mean_pre, s.mean_post, s.mean_change),
            (2, 15.0, 18.0, 3.0)
        );
    }

    #[test]
    fn completion_needs_the_threshold() {
        assert!(completed(6, 6) && completed(7, 6) && !completed(5, 6));
    }
}
