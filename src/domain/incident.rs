//! Accidents, incidents and first aid in the crèche (EYFS: recorded, and parents told the same
//! day): what a record must hold before it is kept.

use chrono::{Duration, NaiveDateTime};

/// Longest description of what happened, in characters.
pub const WHAT_HAPPENED_MAX: usize = 4000;
/// Longest description of the first aid given.
pub const FIRST_AID_MAX: usize = 2000;
/// Longest list of who saw it.
pub const WITNESSES_MAX: usize = 500;

/// An incident as a crèche worker wrote it, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    pub what_happened: String,
    /// "" when none was given.
    pub first_aid: String,
    pub witnesses: String,
}

impl Words {
    pub fn new(what_happened: &str, first_aid: &str, witnesses: &str) -> Self {
        Words {
            what_happened: what_happened.trim().to_string(),
            first_aid: first_aid.trim().to_string(),
            witnesses: witnesses.trim().to_string(),
        }
    }
}

/// Whether text can be read back as written: line breaks and tabs are fine, other control
/// characters are not.
fn readable(s: &str) -> bool {
    !s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// What is wrong with an incident's words and time, by field: the words within their lengths
/// and readable, something said about what happened, and the time around the session (an hour
/// either side of `starts_at`–`ends_at`) and not in the future (a tablet with a wrong clock or
/// zone should be noticed).
pub fn problems(
    words: &Words,
    happened_at: NaiveDateTime,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for (field, value, min, max) in [
        ("what_happened", &words.what_happened, 1, WHAT_HAPPENED_MAX),
        ("first_aid", &words.first_aid, 0, FIRST_AID_MAX),
        ("witnesses", &words.witnesses, 0, WITNESSES_MAX),
    ] {
        let n = value.chars().count();
        if n < min || n > max {
            out.push((field, format!("must be {min} to {max} characters")));
        } else if !readable(value) {
            out.push((
                field,
                "must not contain control characters other than line breaks and tabs".into(),
            ));
        }
    }
    let (earliest, latest) = (starts_at - Duration::hours(1), ends_at + Duration::hours(1));
    if happened_at > now + Duration::minutes(5) {
        out.push(("happened_at", "must not be in the future".into()));
    } else if happened_at < earliest || happened_at > latest {
        out.push((
            "happened_at",
            "must be during the session (an hour either side at most)".into(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn an_incident_needs_words_of_a_sensible_length_at_a_sensible_time() {
        let (starts, ends, now) = (
            t("2026-03-03 10:00"),
            t("2026-03-03 12:00"),
            t("2026-03-03 12:30"),
        );
        let ok = Words::new("  Fell over on the mat and bumped her knee. ", "", "");
        assert_eq!(
            ok.what_happened,
            "Fell over on the mat and bumped her knee."
        );
        assert!(problems(&ok, t("2026-03-03 10:40"), starts, ends, now).is_empty());
        // A line break and a tab are text; a bell is not.
        let lines = Words::new("Bumped head\non the table", "Cold\tcompress", "Maria");
        assert!(problems(&lines, t("2026-03-03 11:00"), starts, ends, now).is_empty());
        let fields = |w: &Words, at: &str| -> Vec<&str> {
            problems(w, t(at), starts, ends, now)
                .into_iter()
                .map(|(f, _)| f)
                .collect()
        };
        assert_eq!(
            fields(&Words::new("   ", "", ""), "2026-03-03 10:40"),
            ["what_happened"]
        );
        let long = Words::new(&"x".repeat(4001), &"y".repeat(2001), &"z".repeat(501));
        assert_eq!(
            fields(&long, "2026-03-03 10:40"),
            ["what_happened", "first_aid", "witnesses"]
        );
        let exact = Words::new(&"x".repeat(4000), &"y".repeat(2000), &"z".repeat(500));
        assert!(fields(&exact, "2026-03-03 10:40").is_empty());
        assert_eq!(
            fields(&Words::new("a\u{7}bell", "", ""), "2026-03-03 10:40"),
            ["what_happened"]
        );
        // An hour either side of the session, never after now.
        assert!(fields(&ok, "2026-03-03 09:00").is_empty());
        assert_eq!(fields(&ok, "2026-03-03 08:59"), ["happened_at"]);
        assert_eq!(fields(&ok, "2026-03-02 10:30"), ["happened_at"]);
        let p = problems(&ok, t("2026-03-03 12:40"), starts, ends, now);
        assert_eq!(
            p,
            [("happened_at", "must not be in the future".to_string())]
        );
    }
}
