//! Rules about one cohort that do not need the database: its lifecycle as seen at a moment,
//! when parents may book, and how many crèche places it can promise.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use crate::domain::status::CohortStatus;

/// What a cohort is now. `completed` is not stored: a published cohort becomes completed when its
/// last session has ended, whatever the time the question is asked.
pub fn effective_status(
    stored: CohortStatus,
    last_end: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> CohortStatus {
    match stored {
        CohortStatus::Cancelled => CohortStatus::Cancelled,
        CohortStatus::Draft => CohortStatus::Draft,
        _ if last_end.is_some_and(|end| end <= now) => CohortStatus::Completed,
        _ => CohortStatus::Published,
    }
}

/// Whether the public calendar feed carries a cohort now. A listed cohort (published, not yet
/// completed) is in it; so is one cancelled after it was published, until its planned last
/// session would have ended, with its events marked cancelled: calendars that subscribed while it
/// was listed must see the cancellation before the dates come. After that it leaves the feed as
/// a group that ran would have.
pub fn in_public_feed(
    stored: CohortStatus,
    was_published: bool,
    last_end: Option<DateTime<Utc>>,
    planned_end: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    match stored {
        CohortStatus::Cancelled => was_published && planned_end.is_some_and(|end| end > now),
        _ => effective_status(stored, last_end, now) == CohortStatus::Published,
    }
}

/// Parents may book a published cohort from its opening date (if any) until its closing date,
/// which defaults to the first session's date; coordinators can still book on families' behalf.
pub fn booking_open(
    status: CohortStatus,
    opens_on: Option<NaiveDate>,
    closes_on: Option<NaiveDate>,
    first_session_date: NaiveDate,
    today: NaiveDate,
) -> bool {
    status == CohortStatus::Published
        && opens_on.is_none_or(|d| d <= today)
        && closes_on.unwrap_or(first_session_date) >= today
}

/// Crèche places a cohort can promise whatever the children's ages: the room's capacity, and at
/// the tightest ratio (under-2s, 1 adult to 3) for the crèche workers planned. The booking rules
/// refine this per age band.
pub fn guaranteed_creche_places(offered: bool, workers: i32, room_capacity: i32) -> i32 {
    if !offered {
        return 0;
    }
    (workers.max(0) * 3).min(room_capacity.max(0))
}

/// Dates the service plans with: anything outside is a typo, and keeping to it means date
/// arithmetic (a year of weeks ahead) can never overflow.
pub fn plausible_date(d: NaiveDate) -> bool {
    d.year() >= 2000 && d.year() <= 2100
}

/// [`plausible_date`] as the OpenAPI document says it, beside `format: date` (the `pattern`s
/// written on the request fields it checks are this text; `tests/api/spec_rules.rs` holds them to it).
pub const PLAUSIBLE_DATE_PATTERN: &str = r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$";

/// "10:00" or "10:00:00" → a local time.
pub fn parse_local_time(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M:%S"))
        .ok()
}

/// An IANA zone name such as `Europe/London`.
pub fn parse_timezone(s: &str) -> Option<Tz> {
    s.parse::<Tz>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn published_cohort_completes_after_its_last_session() {
        let end = Some(t("2026-04-28T11:00:00Z"));
        assert_eq!(
            effective_status(CohortStatus::Published, end, t("2026-04-28T10:59:00Z")),
            CohortStatus::Published
        );
        assert_eq!(
            effective_status(CohortStatus::Published, end, t("2026-04-28T11:00:00Z")),
            CohortStatus::Completed
        );
        assert_eq!(
            effective_status(CohortStatus::Draft, end, t("2027-01-01T00:00:00Z")),
            CohortStatus::Draft
        );
        assert_eq!(
            effective_status(CohortStatus::Cancelled, end, t("2026-01-01T00:00:00Z")),
            CohortStatus::Cancelled
        );
    }

    #[test]
    fn a_cancelled_group_stays_in_the_public_feed_until_its_planned_end() {
        let (held, planned) = (
            Some(t("2026-03-10T12:00:00Z")),
            Some(t("2026-04-28T12:00:00Z")),
        );
        let before = t("2026-04-28T11:59:00Z");
        let after = t("2026-04-28T12:00:00Z");
        // Cancelled after publishing: shown (cancelled) until the planned last session ends,
        // whatever sessions were held.
        assert!(in_public_feed(
            CohortStatus::Cancelled,
            true,
            held,
            planned,
            before
        ));
        assert!(in_public_feed(
            CohortStatus::Cancelled,
            true,
            None,
            planned,
            before
        ));
        assert!(!in_public_feed(
            CohortStatus::Cancelled,
            true,
            held,
            planned,
            after
        ));
        // A draft cancelled was never in the feed.
        assert!(!in_public_feed(
            CohortStatus::Cancelled,
            false,
            None,
            planned,
            before
        ));
        // Otherwise: while listed.
        assert!(in_public_feed(
            CohortStatus::Published,
            true,
            planned,
            planned,
            before
        ));
        assert!(!in_public_feed(
            CohortStatus::Published,
            true,
            planned,
            planned,
            after
        ));
        assert!(!in_public_feed(
            CohortStatus::Draft,
            false,
            planned,
            planned,
            before
        ));
    }

    #[test]
    fn booking_window() {
        let first = d("2026-03-03");
        assert!(booking_open(
            CohortStatus::Published,
            None,
            None,
            first,
            d("2026-03-03")
        ));
        assert!(!booking_open(
            CohortStatus::Published,
            None,
            None,
            first,
            d("2026-03-04")
        ));
        assert!(!booking_open(
            CohortStatus::Draft,
            None,
            None,
            first,
            d("2026-03-01")
        ));
        assert!(!booking_open(
            CohortStatus::Published,
            Some(d("2026-02-01")),
            None,
            first,
            d("2026-01-31")
        ));
        assert!(booking_open(
            CohortStatus::Published,
            None,
            Some(d("2026-03-10")),
            first,
            d("2026-03-09")
        ));
    }

    #[test]
    fn creche_places_are_bounded_by_room_and_tightest_ratio() {
        assert_eq!(guaranteed_creche_places(true, 2, 12), 6);
        assert_eq!(guaranteed_creche_places(true, 5, 12), 12);
        assert_eq!(guaranteed_creche_places(false, 5, 12), 0);
        assert_eq!(guaranteed_creche_places(true, 0, 12), 0);
    }

    #[test]
    fn implausible_dates_are_refused() {
        assert!(plausible_date(d("2026-03-03")));
        assert!(!plausible_date(d("1999-12-31")));
        assert!(!plausible_date(d("9999-01-01")));
    }

    #[test]
    fn times_and_zones_parse() {
        assert_eq!(parse_local_time("10:00"), NaiveTime::from_hms_opt(10, 0, 0));
        assert_eq!(parse_local_time("25:00"), None);
        assert!(parse_timezone("Europe/London").is_some());
        assert!(parse_timezone("Mars/Olympus").is_none());
    }
}
