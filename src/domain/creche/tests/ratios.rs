//! Tests of age bands, ratios by date, staff needed and whether children fit.

use super::*;

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
fn a_session_moved_earlier_can_break_the_ratio_a_later_one_cannot() {
    // Five children who turn two on 2027-03-01: at 1:5 one worker is enough from that day, but
    // on an earlier date they are all under two (1:3) and need two.
    let born = vec![Some(d("2025-03-01")); 5];
    let sets = eyfs_ratios();
    assert_eq!(fits(&sets, &[d("2027-03-02")], &born, 6, 1), Ok(()));
    assert_eq!(fits(&sets, &[d("2027-04-13")], &born, 6, 1), Ok(()));
    let earlier = fits(&sets, &[d("2027-02-23")], &born, 6, 1).unwrap_err();
    assert_eq!(
        earlier,
        CrecheProblem::NotEnoughStaff {
            date: d("2027-02-23"),
            needed: 2,
            workers: 1
        }
    );
    assert_eq!(earlier.rule(), "creche_ratio");
    assert!(earlier.to_string().contains("2027-02-23"), "{earlier}");
}

#[test]
fn each_creche_problem_names_its_rule() {
    let room = CrecheProblem::RoomFull {
        date: d("2027-04-13"),
        children: 7,
        capacity: 6,
    };
    assert_eq!(room.rule(), "creche_room");
    assert_eq!(
        CrecheProblem::NoRatios {
            date: d("2010-01-05")
        }
        .rule(),
        "creche_ratio"
    );
    assert_eq!(
        CrecheProblem::NotBorn { child_index: 0 }.rule(),
        "creche_not_born"
    );
}
