//! Tests of school-style terms and ages in whole months.

use super::*;

#[test]
fn terms_turn_at_easter_and_september() {
    let term = |s: &str| term_of(d(s)).to_string();
    assert_eq!(term("2026-01-01"), "spring 2026");
    assert_eq!(term("2026-04-05"), "spring 2026"); // Easter Sunday
    assert_eq!(term("2026-04-06"), "summer 2026"); // Easter Monday
    assert_eq!(term("2026-08-31"), "summer 2026");
    assert_eq!(term("2026-09-01"), "autumn 2026");
    assert_eq!(term("2026-12-31"), "autumn 2026");
    assert_eq!(term("2027-01-01"), "spring 2027");
    assert_eq!(term("2027-03-28"), "spring 2027"); // a March Easter
    assert_eq!(term("2027-03-29"), "summer 2027");
    assert_eq!(
        term_of(d("2026-04-06")),
        Term {
            year: 2026,
            name: TermName::Summer
        }
    );
    assert!(term_of(d("2026-12-31")) < term_of(d("2027-01-01")));
    assert!(term_of(d("2026-04-05")) < term_of(d("2026-04-06")));
}

#[test]
fn ages_in_whole_months() {
    let age = |born: &str, on: &str| age_in_months(d(born), d(on));
    assert_eq!(age("2024-01-31", "2024-02-29"), 0);
    assert_eq!(age("2024-01-31", "2024-03-01"), 1);
    assert_eq!(age("2024-01-31", "2024-03-30"), 1);
    assert_eq!(age("2024-01-31", "2024-03-31"), 2);
    assert_eq!(age("2022-05-10", "2026-05-10"), 48);
    assert_eq!(age("2022-05-10", "2026-05-09"), 47);
    assert_eq!(age("2024-02-29", "2025-02-28"), 11);
    assert_eq!(age("2024-02-29", "2025-03-01"), 12);
    assert_eq!(age("2025-12-15", "2026-01-15"), 1);
    assert_eq!(age("2026-03-03", "2026-03-03"), 0);
    assert_eq!(age("2026-03-03", "2026-04-02"), 0);
    // Before birth (an expected baby): 0, never negative.
    assert_eq!(age("2026-06-01", "2026-03-03"), 0);
}
