//! What a family's profile and children must look like. Referral source is kept because the
//! service wants more self-referrals and reports on it; dates of birth and due dates are checked
//! against today so nobody books with a typo (a birth next year, a due date two years away).

use chrono::{Duration, NaiveDate};

/// How the family heard of the group.
pub const REFERRAL_SOURCES: &[&str] = &[
    "self",
    "health_visitor",
    "gp",
    "midwife",
    "childrens_centre",
    "social_care",
    "other",
];

/// A due date may be this far ahead (about ten months)…
pub const DUE_DATE_MAX_AHEAD_DAYS: i64 = 305;
/// …or this far behind (babies come late, and parents update the record after the birth).
pub const DUE_DATE_MAX_PAST_DAYS: i64 = 42;
/// Oldest child the service records (parent–infant groups are for under-fives; older siblings
/// may still be listed).
pub const OLDEST_CHILD_YEARS: i64 = 18;

/// Problems with a child's dates, in words a parent understands (field → message).
pub fn child_date_problems(
    date_of_birth: Option<NaiveDate>,
    due_date: Option<NaiveDate>,
    today: NaiveDate,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    match (date_of_birth, due_date) {
        (None, None) => out.push((
            "date_of_birth",
            "give the date of birth, or the due date if the baby is not born yet".to_string(),
        )),
        (Some(_), Some(_)) => out.push((
            "due_date",
            "give either a date of birth or a due date, not both".to_string(),
        )),
        (Some(born), None) => {
            if born > today {
                out.push(("date_of_birth", "cannot be in the future".to_string()));
            } else if born < today - Duration::days(OLDEST_CHILD_YEARS * 366) {
                out.push((
                    "date_of_birth",
                    format!("cannot be more than {OLDEST_CHILD_YEARS} years ago"),
                ));
            }
        }
        (None, Some(due)) => {
            if due > today + Duration::days(DUE_DATE_MAX_AHEAD_DAYS) {
                out.push((
                    "due_date",
                    "cannot be more than ten months from today".to_string(),
                ));
            } else if due < today - Duration::days(DUE_DATE_MAX_PAST_DAYS) {
                out.push(("due_date", "is more than six weeks ago: if your baby has arrived, give the date of birth instead".to_string()));
            }
        }
    }
    out
}

/// A UK-style phone number: digits, spaces, and an optional leading +, 7 to 20 characters.
pub fn phone_ok(phone: &str) -> bool {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    (7..=20).contains(&phone.len())
        && digits >= 7
        && phone.chars().enumerate().all(|(i, c)| {
            c.is_ascii_digit()
                || c == ' '
                || c == '-'
                || (c == '+' && i == 0)
                || c == '('
                || c == ')'
        })
}

/// A phone number as the centre compares them: its digits, with a leading +44 (or 0044, or
/// "+44 (0)") read as the 0 of a UK number and any other international prefix as 00. So
/// "+44 7700 900123" and "07700 900123" are one number, whatever the spacing.
pub fn phone_key(phone: &str) -> String {
    let t = phone.trim();
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    let abroad = match t.starts_with('+') {
        true => Some(digits.as_str()),
        false => digits.strip_prefix("00"),
    };
    match abroad {
        Some(rest) => match rest.strip_prefix("44") {
            Some(uk) if uk.starts_with('0') => uk.to_string(),
            Some(uk) => format!("0{uk}"),
            None => format!("00{rest}"),
        },
        None => digits,
    }
}

/// Every way a number with this key may be stored once its spaces, dashes and brackets are
/// taken out (`07700900123`, `+447700900123`, `00447700900123`, `+4407700900123`…): what a
/// stored phone is compared with to find the same number.
pub fn phone_spellings(key: &str) -> Vec<String> {
    if let Some(rest) = key.strip_prefix("00") {
        return vec![key.to_string(), format!("+{rest}")];
    }
    match key.strip_prefix('0') {
        Some(national) => ["0", "+44", "0044", "+440", "00440"]
            .iter()
            .map(|p| format!("{p}{national}"))
            .collect(),
        None => vec![key.to_string()],
    }
}

/// Whether a search is for a phone number: only digits, spaces, dashes, brackets and a leading
/// +, with at least four digits.
pub fn is_phone_search(q: &str) -> bool {
    let q = q.trim();
    q.chars().filter(char::is_ascii_digit).count() >= 4
        && q.chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || " -()".contains(c) || (c == '+' && i == 0))
}

/// LIKE patterns (on a phone without spaces, dashes or brackets) that find the numbers holding
/// the searched digits: anywhere in the number, or after the country code of a number stored as
/// +44… when the search starts with the 0 of a UK number.
pub fn phone_search_patterns(q: &str) -> Vec<String> {
    let key = phone_key(q);
    let mut out = vec![format!("%{key}%")];
    if key.starts_with('0') {
        for spelling in phone_spellings(&key).into_iter().skip(1) {
            out.push(format!("{spelling}%"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn child_dates() {
        let today = d("2026-03-02");
        assert!(child_date_problems(Some(d("2025-06-01")), None, today).is_empty());
        assert!(child_date_problems(None, Some(d("2026-09-01")), today).is_empty());
        assert!(
            child_date_problems(None, Some(d("2026-02-01")), today).is_empty(),
            "a few weeks overdue is fine"
        );
        assert_eq!(
            child_date_problems(Some(d("2026-03-03")), None, today)[0].0,
            "date_of_birth"
        );
        assert_eq!(
            child_date_problems(None, Some(d("2027-03-01")), today)[0].0,
            "due_date"
        );
        assert_eq!(
            child_date_problems(None, Some(d("2025-12-01")), today)[0].0,
            "due_date"
        );
        assert_eq!(child_date_problems(None, None, today)[0].0, "date_of_birth");
        assert_eq!(
            child_date_problems(Some(d("2025-01-01")), Some(d("2026-05-01")), today)[0].0,
            "due_date"
        );
        assert_eq!(
            child_date_problems(Some(d("1990-01-01")), None, today)[0].0,
            "date_of_birth"
        );
    }

    #[test]
    fn phones() {
        assert!(phone_ok("020 7926 1000"));
        assert!(phone_ok("+44 7700 900123"));
        assert!(phone_ok("07700900123"));
        assert!(!phone_ok("call me"));
        assert!(!phone_ok("123"));
        assert!(!phone_ok("07700+900123"));
    }

    #[test]
    fn one_number_however_it_is_written() {
        let k = phone_key("+44 7700 900123");
        assert_eq!(k, "07700900123");
        for same in [
            "07700 900123",
            "07700-900-123",
            "0044 7700 900123",
            "+44 (0)7700 900123",
        ] {
            assert_eq!(phone_key(same), k, "{same}");
        }
        assert_eq!(phone_key("+351 912 345 678"), "00351912345678");
        assert_eq!(phone_key("00351 912 345 678"), "00351912345678");
        let spellings = phone_spellings(&k);
        assert!(spellings.contains(&"+447700900123".to_string()));
        assert!(spellings.contains(&"07700900123".to_string()));
        assert!(phone_spellings("00351912").contains(&"+351912".to_string()));
    }

    #[test]
    fn phone_searches() {
        assert!(is_phone_search("+44 7700 900123"));
        assert!(is_phone_search("9001"));
        assert!(!is_phone_search("900"));
        assert!(!is_phone_search("SW9 8LF"));
        assert!(!is_phone_search("amira1234"));
        let p = phone_search_patterns("07700 900");
        assert!(p.contains(&"%07700900%".to_string()));
        assert!(p.contains(&"+447700900%".to_string()));
        assert_eq!(phone_search_patterns("900123"), ["%900123%"]);
    }
}
