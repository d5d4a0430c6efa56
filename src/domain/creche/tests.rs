//! Unit tests of the crèche rules; the shared helpers are here, the tests by theme below.

use super::*;

mod places_left;
mod ratios;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A date of birth making a child exactly `months` old on `on`.
fn aged(months: u32, on: &str) -> NaiveDate {
    d(on).checked_sub_months(Months::new(months)).unwrap()
}

fn births(groups: &[(usize, u32)], on: &str) -> Vec<NaiveDate> {
    groups
        .iter()
        .flat_map(|&(count, months)| std::iter::repeat_n(aged(months, on), count))
        .collect()
}

fn some(births: &[NaiveDate]) -> Vec<Option<NaiveDate>> {
    births.iter().copied().map(Some).collect()
}
