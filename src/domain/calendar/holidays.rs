//! Easter and the England and Wales bank holidays: the rule, and the one-off changes to it.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// Easter Sunday (Gregorian, anonymous/Meeus algorithm).
///
/// Total over all `i32` years: the year's own Easter is returned for any year chrono can
/// represent; beyond that the result saturates to `NaiveDate::MIN`/`MAX` rather than panicking.
pub fn easter_sunday(year: i32) -> NaiveDate {
    // Meeus, "Astronomical Algorithms", ch. 8. Euclidean division keeps every intermediate
    // non-negative for years before 1 AD, where Rust's `%` would go negative.
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    // With h in 0..30, l in 0..7 and m in 0..=1, n is 107..=149: March or April.
    let n = h + l - 7 * m + 114;
    let (month, day) = ((n / 31) as u32, (n % 31 + 1) as u32);
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(if year < 0 {
        NaiveDate::MIN
    } else {
        NaiveDate::MAX
    })
}

/// A bank holiday: its date and its name as GOV.UK writes it ("Christmas Day", "Boxing Day
/// (substitute day)" etc.).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankHoliday {
    pub date: NaiveDate,
    pub name: String,
}

/// GOV.UK's spelling, typographic apostrophe included, so names match its published list.
const NEW_YEARS_DAY: &str = "New Year\u{2019}s Day";
const SUBSTITUTE: &str = " (substitute day)";

pub(super) fn holiday(date: NaiveDate, name: &str) -> BankHoliday {
    BankHoliday {
        date,
        name: name.to_string(),
    }
}

fn substitute(date: NaiveDate, name: &str) -> BankHoliday {
    holiday(date, &format!("{name}{SUBSTITUTE}"))
}

/// The Monday on or after `date`.
fn monday_on_or_after(date: NaiveDate) -> NaiveDate {
    let ahead = (7 - date.weekday().num_days_from_monday()) % 7;
    date + Days::new(u64::from(ahead))
}

/// The Monday on or before `date`.
fn monday_on_or_before(date: NaiveDate) -> NaiveDate {
    date - Days::new(u64::from(date.weekday().num_days_from_monday()))
}

/// England and Wales bank holidays for `year`, computed by rule, sorted by date:
/// New Year's Day (1 Jan; if it falls on Sat/Sun the holiday is the following Monday),
/// Good Friday and Easter Monday (from Easter), Early May bank holiday (first Monday of May),
/// Spring bank holiday (last Monday of May), Summer bank holiday (last Monday of August),
/// Christmas Day and Boxing Day with substitute days: Christmas on Saturday → Christmas substitute
/// Mon 27 and Boxing substitute Tue 28; Christmas on Sunday → Boxing Day Mon 26 and Christmas
/// substitute Tue 27; Boxing Day on Saturday → substitute Mon 28.
///
/// One-off changes (e.g. 2020 early May moved to 8 May; 2022 spring moved to 2 June plus the
/// Platinum Jubilee 3 June and the State Funeral 19 Sep; 2023 Coronation 8 May) are NOT in the
/// rule: they are applied by [`bank_holidays_between`] from a list of [`HolidayChange`]s.
///
/// A substitute day replaces the weekend date in the list (as GOV.UK lists it): the weekend date
/// itself is not a bank holiday. Years chrono cannot represent give an empty list.
pub fn bank_holidays(year: i32) -> Vec<BankHoliday> {
    // Every date used below lies between 1 January and 31 December of `year`, so once both
    // exist, plain date arithmetic inside the year cannot overflow.
    let (Some(jan1), Some(_)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return Vec::new();
    };
    let day = |month: u32, day: u32| {
        NaiveDate::from_ymd_opt(year, month, day).unwrap_or(jan1) // always Some: checked above
    };
    let easter = easter_sunday(year);
    let mut out = Vec::with_capacity(8);

    out.push(match jan1.weekday() {
        Weekday::Sat | Weekday::Sun => substitute(monday_on_or_after(jan1), NEW_YEARS_DAY),
        _ => holiday(jan1, NEW_YEARS_DAY),
    });
    out.push(holiday(easter - Days::new(2), "Good Friday"));
    out.push(holiday(easter + Days::new(1), "Easter Monday"));
    out.push(holiday(
        monday_on_or_after(day(5, 1)),
        "Early May bank holiday",
    ));
    out.push(holiday(
        monday_on_or_before(day(5, 31)),
        "Spring bank holiday",
    ));
    out.push(holiday(
        monday_on_or_before(day(8, 31)),
        "Summer bank holiday",
    ));

    // Spelled out case by case rather than "move to the next free weekday", because GOV.UK names
    // the days differently by case: with Christmas on a Sunday, 26 December is Boxing Day itself
    // and the 27th is Christmas's substitute.
    match day(12, 25).weekday() {
        Weekday::Sat => {
            out.push(substitute(day(12, 27), "Christmas Day"));
            out.push(substitute(day(12, 28), "Boxing Day"));
        }
        Weekday::Sun => {
            out.push(holiday(day(12, 26), "Boxing Day"));
            out.push(substitute(day(12, 27), "Christmas Day"));
        }
        Weekday::Fri => {
            out.push(holiday(day(12, 25), "Christmas Day"));
            out.push(substitute(day(12, 28), "Boxing Day"));
        }
        _ => {
            out.push(holiday(day(12, 25), "Christmas Day"));
            out.push(holiday(day(12, 26), "Boxing Day"));
        }
    }
    // Already in date order (Easter Monday is at latest 26 April), but sorting keeps the promise
    // whatever the rule becomes.
    out.sort_by_key(|h| h.date);
    out
}

/// A one-off change to the rule: add a holiday on a date, or remove the rule's holiday on a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HolidayChange {
    Add { date: NaiveDate, name: String },
    Remove { date: NaiveDate },
}

/// The known one-off changes since 2020 (the 2020 and 2022 moves as a Remove + Add), named as
/// GOV.UK names them.
pub fn known_changes() -> Vec<HolidayChange> {
    let add = |y, m, d, name: &str| {
        NaiveDate::from_ymd_opt(y, m, d).map(|date| HolidayChange::Add {
            date,
            name: name.to_string(),
        })
    };
    let remove =
        |y, m, d| NaiveDate::from_ymd_opt(y, m, d).map(|date| HolidayChange::Remove { date });
    [
        // 2020: the early May bank holiday moved to Friday 8 May for the 75th VE Day.
        remove(2020, 5, 4),
        add(2020, 5, 8, "Early May bank holiday (VE day)"),
        // 2022: the spring bank holiday moved to Thursday 2 June for the Platinum Jubilee.
        remove(2022, 5, 30),
        add(2022, 6, 2, "Spring bank holiday"),
        add(2022, 6, 3, "Platinum Jubilee bank holiday"),
        add(
            2022,
            9,
            19,
            "Bank Holiday for the State Funeral of Queen Elizabeth II",
        ),
        // 2023: an extra day for the coronation.
        add(
            2023,
            5,
            8,
            "Bank holiday for the coronation of King Charles III",
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Bank holidays between `from` and `to` inclusive (any number of years), rule plus `changes`,
/// sorted. Empty when `to` is before `from`.
///
/// `changes` are applied in order, so a later change wins: `Remove` takes away whatever holiday
/// is on that date by then (the rule's, or an earlier `Add`, which lets a coordinator undo a
/// mistaken entry), and `Add` on a date that is already a holiday renames it rather than listing
/// the date twice. A date is closed at most once, whatever the list says.
pub fn bank_holidays_between(
    from: NaiveDate,
    to: NaiveDate,
    changes: &[HolidayChange],
) -> Vec<BankHoliday> {
    if to < from {
        return Vec::new();
    }
    let mut days: BTreeMap<NaiveDate, String> = (from.year()..=to.year())
        .flat_map(bank_holidays)
        .map(|h| (h.date, h.name))
        .collect();
    for change in changes {
        match change {
            HolidayChange::Remove { date } => {
                days.remove(date);
            }
            HolidayChange::Add { date, name } => {
                days.insert(*date, name.clone());
            }
        }
    }
    days.range(from..=to)
        .map(|(date, name)| holiday(*date, name))
        .collect()
}
