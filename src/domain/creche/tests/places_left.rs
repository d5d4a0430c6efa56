//! Tests of the places left per age band.

use super::*;

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
