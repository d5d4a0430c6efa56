//! Who can book a group: a family with a child inside the programme's age range on the first
//! session date, or an expected baby where the programme welcomes parents-to-be. Refusals are
//! written for parents, not for staff.

use super::calendar::age_in_months;
use chrono::NaiveDate;

/// The programme's age rules.
#[derive(Debug, Clone)]
pub struct AgeRange {
    pub programme_name: String,
    pub min_age_months: i32,
    /// The child must be younger than this.
    pub max_age_months: i32,
    pub pregnancy_eligible: bool,
}

/// A child as eligibility sees it.
#[derive(Debug, Clone, Copy)]
pub struct ChildDates {
    pub date_of_birth: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
}

fn years_or_months(months: i32) -> String {
    match months {
        m if m % 12 == 0 && m >= 12 => format!("{} year{}", m / 12, if m == 12 { "" } else { "s" }),
        m => format!("{m} month{}", if m == 1 { "" } else { "s" }),
    }
}

/// `Ok` when the family can join a group starting on `first_session`; otherwise why not.
pub fn check(
    range: &AgeRange,
    first_session: NaiveDate,
    children: &[ChildDates],
) -> Result<(), String> {
    let in_range = |born: NaiveDate| {
        born <= first_session && {
            let age = age_in_months(born, first_session);
            age >= range.min_age_months && age < range.max_age_months
        }
    };
    if children
        .iter()
        .filter_map(|c| c.date_of_birth)
        .any(in_range)
    {
        return Ok(());
    }
    // A baby due (or born) by the first session counts as a child from birth when the programme
    // starts at birth; an expected baby counts where the programme welcomes parents-to-be.
    let expecting = children.iter().any(|c| c.due_date.is_some());
    if expecting && range.pregnancy_eligible {
        return Ok(());
    }
    let date = first_session.format("%-d %B %Y");
    let ages = if range.min_age_months == 0 {
        format!("children under {}", years_or_months(range.max_age_months))
    } else {
        format!(
            "children aged {} to under {}",
            years_or_months(range.min_age_months),
            years_or_months(range.max_age_months)
        )
    };
    Err(match (children.is_empty(), expecting) {
        (true, _) => format!(
            "{} is for families with {ages}{}. Add your child (or your baby's due date) to your family first.",
            range.programme_name,
            if range.pregnancy_eligible { " or expecting a baby" } else { "" }
        ),
        (false, true) => format!(
            "{} is for families with {ages} when the group starts on {date}; it does not take bookings during pregnancy. You are welcome to book once your baby has arrived.",
            range.programme_name
        ),
        (false, false) => format!(
            "{} is for families with {ages} when the group starts on {date}, and none of your children is in that age range then.",
            range.programme_name
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn together_time() -> AgeRange {
        AgeRange {
            programme_name: "Together Time".into(),
            min_age_months: 0,
            max_age_months: 48,
            pregnancy_eligible: true,
        }
    }

    fn cosp() -> AgeRange {
        AgeRange {
            programme_name: "Circle of Security Parenting".into(),
            pregnancy_eligible: false,
            ..together_time()
        }
    }

    fn born(s: &str) -> ChildDates {
        ChildDates {
            date_of_birth: Some(d(s)),
            due_date: None,
        }
    }

    fn due(s: &str) -> ChildDates {
        ChildDates {
            date_of_birth: None,
            due_date: Some(d(s)),
        }
    }

    #[test]
    fn a_child_under_four_on_the_first_session_date() {
        let first = d("2026-03-03");
        assert!(
            check(&cosp(), first, &[born("2022-03-04")]).is_ok(),
            "still 3 on the day"
        );
        let e = check(&cosp(), first, &[born("2022-03-03")]).unwrap_err();
        assert!(
            e.contains("under 4 years") && e.contains("3 March 2026"),
            "{e}"
        );
        assert!(
            check(&cosp(), first, &[born("2015-01-01"), born("2025-06-01")]).is_ok(),
            "any one child is enough"
        );
    }

    #[test]
    fn pregnancy_where_the_programme_allows_it() {
        let first = d("2026-03-03");
        assert!(check(&together_time(), first, &[due("2026-06-01")]).is_ok());
        let e = check(&cosp(), first, &[due("2026-06-01")]).unwrap_err();
        assert!(e.contains("pregnancy"), "{e}");
    }

    #[test]
    fn no_children_yet() {
        let e = check(&together_time(), d("2026-03-03"), &[]).unwrap_err();
        assert!(e.contains("Add your child"), "{e}");
        assert!(e.contains("expecting"), "{e}");
    }

    #[test]
    fn programmes_with_a_minimum_age() {
        let toddlers = AgeRange {
            programme_name: "Toddler group".into(),
            min_age_months: 12,
            max_age_months: 36,
            pregnancy_eligible: false,
        };
        let e = check(&toddlers, d("2026-03-03"), &[born("2025-06-01")]).unwrap_err();
        assert!(e.contains("aged 1 year to under 3 years"), "{e}");
        assert!(check(&toddlers, d("2026-03-03"), &[born("2025-03-03")]).is_ok());
    }
}
