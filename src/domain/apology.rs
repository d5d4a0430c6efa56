//! Apologies in advance: a family with a place says they will miss a session. What may be said,
//! and until when. How an apology weighs on follow-ups is in [`crate::domain::register`].

use chrono::NaiveDateTime;

/// The longest reason, in characters: a short note for the facilitators, not a message.
pub const REASON_MAX_CHARS: usize = 200;

/// The reason as stored (trimmed; empty when none was given), or why it cannot be.
pub fn reason(text: Option<&str>) -> Result<String, &'static str> {
    let text = text.unwrap_or("").trim();
    if text.chars().count() > REASON_MAX_CHARS {
        return Err("must be at most 200 characters");
    }
    if text.chars().any(char::is_control) {
        return Err("must be one line of text, without control characters");
    }
    Ok(text.to_string())
}

/// Why an apology cannot be given or withdrawn for a session now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The session was cancelled: there is nothing to miss.
    Cancelled,
    /// The session has started (or is over): an apology is given beforehand, and once it has
    /// started the register says what happened.
    Started,
}

impl Refusal {
    pub fn says(self) -> &'static str {
        match self {
            Refusal::Cancelled => "this session was cancelled",
            Refusal::Started => "this session has already started",
        }
    }
}

/// Whether an apology may be given (or withdrawn) at `now` for a session starting `starts_at`:
/// only for a session still to take place, before it starts.
pub fn open(starts_at: NaiveDateTime, cancelled: bool, now: NaiveDateTime) -> Result<(), Refusal> {
    if cancelled {
        return Err(Refusal::Cancelled);
    }
    if now >= starts_at {
        return Err(Refusal::Started);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, 10)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    #[test]
    fn a_reason_is_short_one_line_and_optional() {
        assert_eq!(reason(None), Ok(String::new()));
        assert_eq!(
            reason(Some("  Hospital appointment ")),
            Ok("Hospital appointment".into())
        );
        assert_eq!(
            reason(Some(&"é".repeat(200))).map(|r| r.chars().count()),
            Ok(200)
        );
        assert!(reason(Some(&"a".repeat(201))).is_err());
        assert!(reason(Some("Ill\nagain")).is_err());
        assert!(reason(Some("bell\u{7}")).is_err());
    }

    #[test]
    fn only_before_a_session_that_will_take_place() {
        assert_eq!(open(at(10, 0), false, at(9, 59)), Ok(()));
        assert_eq!(open(at(10, 0), false, at(10, 0)), Err(Refusal::Started));
        assert_eq!(open(at(10, 0), false, at(12, 0)), Err(Refusal::Started));
        assert_eq!(open(at(10, 0), true, at(9, 0)), Err(Refusal::Cancelled));
    }
}
