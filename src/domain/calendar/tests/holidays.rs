//! Tests of Easter, the bank holiday rule and the one-off changes to it.

use super::*;
use crate::domain::calendar::holidays::holiday;
use chrono::Weekday;

#[test]
fn easter_sunday_matches_published_dates() {
    for (year, easter) in [
        (1818, "1818-03-22"), // earliest possible
        (1943, "1943-04-25"), // latest possible
        (2000, "2000-04-23"),
        (2008, "2008-03-23"),
        (2011, "2011-04-24"),
        (2016, "2016-03-27"),
        (2017, "2017-04-16"),
        (2018, "2018-04-01"),
        (2019, "2019-04-21"),
        (2020, "2020-04-12"),
        (2021, "2021-04-04"),
        (2022, "2022-04-17"),
        (2023, "2023-04-09"),
        (2024, "2024-03-31"),
        (2025, "2025-04-20"),
        (2026, "2026-04-05"),
        (2027, "2027-03-28"),
        (2028, "2028-04-16"),
        (2029, "2029-04-01"),
        (2030, "2030-04-21"),
        (2038, "2038-04-25"),
        (2285, "2285-03-22"),
    ] {
        assert_eq!(easter_sunday(year), d(easter), "Easter {year}");
    }
}

#[test]
fn easter_sunday_is_total() {
    // chrono's first and last whole years, and years it cannot represent at all.
    let (first, last) = (NaiveDate::MIN.year(), NaiveDate::MAX.year());
    for year in [first, -5000, -1, 0, 1, 1582, 9999, last] {
        let easter = easter_sunday(year);
        assert_eq!(easter.year(), year);
        assert_eq!(easter.weekday(), Weekday::Sun, "{year}");
        assert!((3..=4).contains(&easter.month()), "{year}");
        assert_eq!(bank_holidays(year).len(), 8, "{year}");
    }
    assert_eq!(easter_sunday(i32::MAX), NaiveDate::MAX);
    assert_eq!(easter_sunday(i32::MIN), NaiveDate::MIN);
    assert!(bank_holidays(last + 1).is_empty());
    assert!(bank_holidays(i32::MIN).is_empty());
}

/// 2016–2027 as published on GOV.UK (rule dates: the one-off changes of 2020 and 2022 are
/// checked separately); 2028–2030 worked by hand from the same rule.
#[test]
fn rule_gives_gov_uk_lists_2016_to_2030() {
    let expected: [(i32, [&str; 8]); 15] = [
        (
            2016,
            [
                "01-01", "03-25", "03-28", "05-02", "05-30", "08-29", "12-26", "12-27",
            ],
        ),
        (
            2017,
            [
                "01-02", "04-14", "04-17", "05-01", "05-29", "08-28", "12-25", "12-26",
            ],
        ),
        (
            2018,
            [
                "01-01", "03-30", "04-02", "05-07", "05-28", "08-27", "12-25", "12-26",
            ],
        ),
        (
            2019,
            [
                "01-01", "04-19", "04-22", "05-06", "05-27", "08-26", "12-25", "12-26",
            ],
        ),
        (
            2020,
            [
                "01-01", "04-10", "04-13", "05-04", "05-25", "08-31", "12-25", "12-28",
            ],
        ),
        (
            2021,
            [
                "01-01", "04-02", "04-05", "05-03", "05-31", "08-30", "12-27", "12-28",
            ],
        ),
        (
            2022,
            [
                "01-03", "04-15", "04-18", "05-02", "05-30", "08-29", "12-26", "12-27",
            ],
        ),
        (
            2023,
            [
                "01-02", "04-07", "04-10", "05-01", "05-29", "08-28", "12-25", "12-26",
            ],
        ),
        (
            2024,
            [
                "01-01", "03-29", "04-01", "05-06", "05-27", "08-26", "12-25", "12-26",
            ],
        ),
        (
            2025,
            [
                "01-01", "04-18", "04-21", "05-05", "05-26", "08-25", "12-25", "12-26",
            ],
        ),
        (
            2026,
            [
                "01-01", "04-03", "04-06", "05-04", "05-25", "08-31", "12-25", "12-28",
            ],
        ),
        (
            2027,
            [
                "01-01", "03-26", "03-29", "05-03", "05-31", "08-30", "12-27", "12-28",
            ],
        ),
        (
            2028,
            [
                "01-03", "04-14", "04-17", "05-01", "05-29", "08-28", "12-25", "12-26",
            ],
        ),
        (
            2029,
            [
                "01-01", "03-30", "04-02", "05-07", "05-28", "08-27", "12-25", "12-26",
            ],
        ),
        (
            2030,
            [
                "01-01", "04-19", "04-22", "05-06", "05-27", "08-26", "12-25", "12-26",
            ],
        ),
    ];
    for (year, days) in expected {
        let want: Vec<String> = days.iter().map(|md| format!("{year}-{md}")).collect();
        assert_eq!(dates(&bank_holidays(year)), want, "bank holidays {year}");
    }
}

#[test]
fn rule_names_every_holiday_as_gov_uk_does() {
    assert_eq!(
        named(&bank_holidays(2026)),
        [
            "2026-01-01 New Year\u{2019}s Day",
            "2026-04-03 Good Friday",
            "2026-04-06 Easter Monday",
            "2026-05-04 Early May bank holiday",
            "2026-05-25 Spring bank holiday",
            "2026-08-31 Summer bank holiday",
            "2026-12-25 Christmas Day",
            "2026-12-28 Boxing Day (substitute day)",
        ]
    );
}

#[test]
fn christmas_and_boxing_day_substitutes() {
    let christmas = |year| named(&bank_holidays(year)[6..]);
    // Christmas on Saturday: both move, Christmas first.
    for year in [2021, 2027] {
        assert_eq!(
            christmas(year),
            [
                format!("{year}-12-27 Christmas Day (substitute day)"),
                format!("{year}-12-28 Boxing Day (substitute day)"),
            ],
            "{year}"
        );
    }
    // Christmas on Sunday: Boxing Day keeps the 26th, Christmas takes the 27th.
    for year in [2016, 2022] {
        assert_eq!(
            christmas(year),
            [
                format!("{year}-12-26 Boxing Day"),
                format!("{year}-12-27 Christmas Day (substitute day)"),
            ],
            "{year}"
        );
    }
    // Boxing Day on Saturday: only Boxing Day moves, to Monday 28th.
    for year in [2020, 2026] {
        assert_eq!(
            christmas(year),
            [
                format!("{year}-12-25 Christmas Day"),
                format!("{year}-12-28 Boxing Day (substitute day)"),
            ],
            "{year}"
        );
    }
    // Weekend dates themselves are not listed.
    assert!(!dates(&bank_holidays(2021)).contains(&"2021-12-25".to_string()));
}

#[test]
fn new_years_day_substitutes() {
    let new_year = |year| bank_holidays(year)[0].clone();
    assert_eq!(
        new_year(2022),
        holiday(d("2022-01-03"), "New Year\u{2019}s Day (substitute day)")
    ); // Saturday
    assert_eq!(
        new_year(2023),
        holiday(d("2023-01-02"), "New Year\u{2019}s Day (substitute day)")
    ); // Sunday
    assert_eq!(
        new_year(2024),
        holiday(d("2024-01-01"), "New Year\u{2019}s Day")
    );
}

#[test]
fn known_changes_give_the_published_2020_2022_2023_lists() {
    let c = known_changes();
    let year = |y: i32| {
        bank_holidays_between(
            NaiveDate::from_ymd_opt(y, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(y, 12, 31).unwrap(),
            &c,
        )
    };
    let y2020 = year(2020);
    assert_eq!(
        dates(&y2020),
        [
            "2020-01-01",
            "2020-04-10",
            "2020-04-13",
            "2020-05-08",
            "2020-05-25",
            "2020-08-31",
            "2020-12-25",
            "2020-12-28"
        ]
    );
    assert_eq!(y2020[3].name, "Early May bank holiday (VE day)");

    let y2022 = year(2022);
    assert_eq!(
        named(&y2022),
        [
            "2022-01-03 New Year\u{2019}s Day (substitute day)",
            "2022-04-15 Good Friday",
            "2022-04-18 Easter Monday",
            "2022-05-02 Early May bank holiday",
            "2022-06-02 Spring bank holiday",
            "2022-06-03 Platinum Jubilee bank holiday",
            "2022-08-29 Summer bank holiday",
            "2022-09-19 Bank Holiday for the State Funeral of Queen Elizabeth II",
            "2022-12-26 Boxing Day",
            "2022-12-27 Christmas Day (substitute day)",
        ]
    );
    assert!(!dates(&y2022).contains(&"2022-05-30".to_string()));

    let y2023 = year(2023);
    assert_eq!(
        dates(&y2023),
        [
            "2023-01-02",
            "2023-04-07",
            "2023-04-10",
            "2023-05-01",
            "2023-05-08",
            "2023-05-29",
            "2023-08-28",
            "2023-12-25",
            "2023-12-26"
        ]
    );
    assert_eq!(
        y2023[4].name,
        "Bank holiday for the coronation of King Charles III"
    );

    // Years without changes are the rule's.
    assert_eq!(year(2026), bank_holidays(2026));
    assert_eq!(c.len(), 7);
}

#[test]
fn between_is_inclusive_spans_years_and_sorts() {
    let c = known_changes();
    assert_eq!(
        dates(&bank_holidays_between(d("2021-12-27"), d("2022-01-03"), &c)),
        ["2021-12-27", "2021-12-28", "2022-01-03"]
    );
    assert_eq!(
        dates(&bank_holidays_between(d("2021-12-28"), d("2022-01-02"), &c)),
        ["2021-12-28"]
    );
    assert_eq!(
        bank_holidays_between(d("2016-01-01"), d("2030-12-31"), &c).len(),
        15 * 8 + 3
    );
    assert!(bank_holidays_between(d("2026-01-02"), d("2026-01-01"), &c).is_empty());
    assert!(bank_holidays_between(d("2026-01-02"), d("2026-04-02"), &c).is_empty());
    // Without changes, 2020 keeps the rule's 4 May.
    assert_eq!(
        dates(&bank_holidays_between(
            d("2020-05-01"),
            d("2020-05-31"),
            &[]
        )),
        ["2020-05-04", "2020-05-25"]
    );
}

#[test]
fn changes_apply_in_order_and_never_duplicate_a_date() {
    let mut c = known_changes();
    // A coordinator adds a local holiday, then withdraws the coronation entry by mistake and
    // puts it back; and re-adds an existing date under another name.
    c.push(HolidayChange::Add {
        date: d("2026-06-01"),
        name: "Local holiday".into(),
    });
    c.push(HolidayChange::Remove {
        date: d("2023-05-08"),
    });
    c.push(HolidayChange::Add {
        date: d("2026-05-25"),
        name: "Whit Monday".into(),
    });
    let got = named(&bank_holidays_between(d("2023-05-01"), d("2023-05-31"), &c));
    assert_eq!(
        got,
        [
            "2023-05-01 Early May bank holiday",
            "2023-05-29 Spring bank holiday",
        ]
    );
    let got = named(&bank_holidays_between(d("2026-05-01"), d("2026-06-30"), &c));
    assert_eq!(
        got,
        [
            "2026-05-04 Early May bank holiday",
            "2026-05-25 Whit Monday",
            "2026-06-01 Local holiday",
        ]
    );
    c.push(HolidayChange::Remove {
        date: d("2026-06-01"),
    });
    assert_eq!(
        bank_holidays_between(d("2026-06-01"), d("2026-06-01"), &c),
        []
    );
}
