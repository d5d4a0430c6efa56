//! Tests of double booking against other cohorts' sessions.

use super::*;

#[test]
fn overlap_is_half_open() {
    let (a, b, c, e) = (
        t("2026-03-10T10:00:00Z"),
        t("2026-03-10T12:00:00Z"),
        t("2026-03-10T11:30:00Z"),
        t("2026-03-10T13:00:00Z"),
    );
    assert!(overlaps((a, b), (c, e)));
    assert!(overlaps((c, e), (a, b)));
    assert!(!overlaps((a, b), (b, e)), "back to back");
    assert!(!overlaps((b, e), (a, b)), "back to back");
    assert!(overlaps((a, e), (c, b)), "inside");
}

#[test]
fn double_booking_across_two_venues_overlapping_by_30_minutes_is_refused() {
    let c = elsewhere(1, "2026-03-10T11:30:00Z", "2026-03-10T13:00:00Z");
    let p = check(&cosp(), &good_team(), &slots(), &[c]);
    assert_eq!(codes(&p), ["double_booked"]);
    assert_eq!(p[0].person_id, Some(1));
    assert!(
        p[0].message.starts_with(
            "Grace Adeyemi is already running \"Together Time Vassall\" on 2026-03-10 at 11:30 UTC"
        ),
        "{}",
        p[0].message
    );
}

#[test]
fn back_to_back_is_allowed() {
    let after = elsewhere(1, "2026-03-10T12:00:00Z", "2026-03-10T13:30:00Z");
    let before = elsewhere(2, "2026-03-10T08:30:00Z", "2026-03-10T10:00:00Z");
    assert!(check(&cosp(), &good_team(), &slots(), &[after, before]).is_empty());
}

#[test]
fn a_weekly_clash_is_one_problem_per_person_and_cohort() {
    // Maria works a crèche elsewhere every Tuesday 11:00–13:00 for four weeks.
    let weekly: Vec<Commitment> = (0..4)
        .map(|w| {
            let start = t("2026-03-10T11:00:00Z") + Duration::weeks(w);
            Commitment {
                ends_at: start + Duration::hours(2),
                starts_at: start,
                ..elsewhere(3, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
            }
        })
        .collect();
    let p = check(&cosp(), &good_team(), &slots(), &weekly);
    assert_eq!(codes(&p), ["double_booked"]);
    assert!(
        p[0].message.contains("Maria Santos") && p[0].message.contains("3 more"),
        "{}",
        p[0].message
    );
}

#[test]
fn the_supervisor_is_not_checked_for_overlap() {
    let c = elsewhere(5, "2026-03-10T10:00:00Z", "2026-03-10T12:00:00Z");
    assert!(check(&cosp(), &good_team(), &slots(), &[c]).is_empty());
}
