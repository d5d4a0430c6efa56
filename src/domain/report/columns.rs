//! The report's columns, defined once: each one's name (the JSON field and the CSV header), what
//! it means (the OpenAPI description), how it behaves across a breakdown's rows (which add up to
//! the total, so the disclosure rules know what could be worked out), and the figures as a flat
//! [`Sheet`] that the JSON, the CSV and the disclosure rules all read.

use super::disclosure::{suppress_cells, Shown, Sum};
use super::{Figures, Report};
use std::collections::BTreeSet;

/// How a column's figures behave across the rows of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Counted per cohort: null in rows split by family; rows add up to the total.
    Cohort,
    /// Distinct families or children: a family can be in several rows split by cohort, so those
    /// rows add up to the total only when the split is by family.
    People,
    /// Marks, incidents, visits, follow-ups, (cohort, family) pairs, scored bookings: each in
    /// exactly one row, so rows always add up to the total.
    Events,
    /// `of / over`, by the columns' names: hidden when either is.
    Rate { of: String, over: String },
    /// A mean over a measure's pairs (the column named): hidden when that count is.
    Mean { pairs: String },
    /// Public population figures: never hidden, and rows need not add up.
    Population,
}

impl Kind {
    /// A count the disclosure rules look at.
    pub fn is_count(&self) -> bool {
        matches!(self, Kind::Cohort | Kind::People | Kind::Events)
    }

    fn rate(of: &str, over: &str) -> Kind {
        Kind::Rate {
            of: of.into(),
            over: over.into(),
        }
    }
}

/// A figure in the sheet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Int(i64),
    Num(f64),
    Null,
    /// Hidden in a report safe to share.
    Hidden(Shown),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Value::Null, Value::Int)
    }
}

impl From<Option<f64>> for Value {
    fn from(v: Option<f64>) -> Self {
        v.map_or(Value::Null, Value::Num)
    }
}

/// One of the report's fixed columns.
pub struct Column {
    pub name: &'static str,
    /// What the figure counts, as the OpenAPI document says.
    pub about: &'static str,
    kind: fn() -> Kind,
    get: fn(&Figures) -> Value,
}

impl Column {
    pub fn kind(&self) -> Kind {
        (self.kind)()
    }
}

macro_rules! columns {
    ($( $name:ident : $kind:expr, $about:literal; )*) => {
        /// The fixed columns, in the order the JSON and the CSV give them.
        pub const COLUMNS: &[Column] = &[
            $( Column {
                name: stringify!($name),
                about: $about,
                kind: || $kind,
                get: |f: &Figures| Value::from(f.$name),
            }, )*
        ];
    };
}

columns! {
    cohorts_run: Kind::Cohort,
        "Cohorts run (published, not cancelled). Null in rows split by family.";
    cohorts_cancelled: Kind::Cohort,
        "Cohorts cancelled. Null in rows split by family.";
    sessions_delivered: Kind::Cohort,
        "Group sessions held: not cancelled, started by now (by its cancellation, for a cohort cancelled). Null in rows split by family.";
    families_booked: Kind::People,
        "Families with a booking ever confirmed (also if later cancelled or withdrawn).";
    families_reached: Kind::People,
        "Families marked present or late at least once.";
    children_reached: Kind::People,
        "Children (born or expected) of the families reached.";
    children_in_creche: Kind::People,
        "Distinct children signed in to the crèche at a session held.";
    creche_incidents: Kind::Events,
        "Accidents, incidents and first aid recorded in the crèche (each counts, also after the family's erasure).";
    marks_attended: Kind::Events,
        "Marks present or late, at sessions held (meetings included).";
    marks_recorded: Kind::Events,
        "All marks (present, late, apologies, absent) at sessions held.";
    attendance_rate: Kind::rate("marks_attended", "marks_recorded"),
        "marks_attended / marks_recorded; null without marks.";
    visitor_attendances: Kind::Events,
        "Attendances of one-off visitors at sessions held: families who walked in when the group had no place for them, once per session. They hold no place, so they are not in families_booked, families_reached or the marks.";
    completion_eligible: Kind::Events,
        "Families booked on cohorts run whose last session has ended (once per family per cohort).";
    completed: Kind::Events,
        "Of those, the ones who attended the programme's completion threshold of group sessions.";
    completion_rate: Kind::rate("completed", "completion_eligible"),
        "completed / completion_eligible; null when no cohort has ended.";
    families_waitlisted: Kind::People,
        "Families who were ever on a waiting list.";
    families_never_offered: Kind::People,
        "Families who waited for a cohort and were never given a place on it.";
    follow_ups_opened: Kind::Events,
        "Follow-ups opened: still open plus those closed, by outcome.";
    follow_ups_open: Kind::Events,
        "Follow-ups still open.";
    under_fives: Kind::Population,
        "Children under five living in the ward (the loaded population figures); in the total, in all the wards loaded. Null in other rows, and when no population is loaded.";
    families_reached_in_area: Kind::People,
        "Families reached who live in a ward whose under-fives are loaded.";
    children_reached_in_area: Kind::People,
        "Children of those families.";
    families_reach_rate: Kind::rate("families_reached_in_area", "under_fives"),
        "families_reached_in_area / under_fives: the families reached as a share of the under-fives there.";
    children_reach_rate: Kind::rate("children_reached_in_area", "under_fives"),
        "children_reached_in_area / under_fives: the children reached as a share of the under-fives there.";
    families_reached_decile_known: Kind::People,
        "Families reached whose postcode gives an IMD decile (in the area loaded).";
    families_reached_most_deprived: Kind::People,
        "Of those, the families living in the 30% most deprived neighbourhoods of England (IMD deciles 1 to 3).";
    most_deprived_share: Kind::rate("families_reached_most_deprived", "families_reached_decile_known"),
        "families_reached_most_deprived / families_reached_decile_known.";
}

/// The figures of each outcome measure's pairs, after `outcome_pairs.<measure>.`.
pub const PAIR_FIELDS: [&str; 4] = ["pairs", "mean_pre", "mean_post", "mean_change"];

/// A column of one report: a fixed one, a follow-up outcome or a measure's pair figure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetColumn {
    pub name: String,
    pub kind: Kind,
}

/// A report as a table: the columns, a row per group and the total.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub columns: Vec<SheetColumn>,
    pub rows: Vec<(String, Vec<Value>)>,
    pub total: Vec<Value>,
}

/// The report's figures, exactly.
pub fn sheet(r: &Report) -> Sheet {
    let all = || r.groups.iter().map(|(_, f)| f).chain([&r.total]);
    let outcomes: BTreeSet<&String> = all().flat_map(|f| f.follow_up_outcomes.keys()).collect();
    let measures: BTreeSet<&String> = all().flat_map(|f| f.outcome_pairs.keys()).collect();
    let mut columns: Vec<SheetColumn> = COLUMNS
        .iter()
        .map(|c| SheetColumn {
            name: c.name.into(),
            kind: c.kind(),
        })
        .collect();
    columns.extend(outcomes.iter().map(|o| SheetColumn {
        name: format!("follow_up_outcomes.{o}"),
        kind: Kind::Events,
    }));
    for m in &measures {
        let pairs = format!("outcome_pairs.{m}.pairs");
        columns.extend(PAIR_FIELDS.iter().map(|p| SheetColumn {
            name: format!("outcome_pairs.{m}.{p}"),
            kind: match *p {
                "pairs" => Kind::Events,
                _ => Kind::Mean {
                    pairs: pairs.clone(),
                },
            },
        }));
    }
    let line = |f: &Figures| -> Vec<Value> {
        let mut v: Vec<Value> = COLUMNS.iter().map(|c| (c.get)(f)).collect();
        v.extend(
            outcomes
                .iter()
                .map(|o| Value::Int(f.follow_up_outcomes.get(*o).copied().unwrap_or(0))),
        );
        for m in &measures {
            match f.outcome_pairs.get(*m) {
                Some(p) => v.extend([
                    Value::Int(p.pairs as i64),
                    Value::Num(p.mean_pre),
                    Value::Num(p.mean_post),
                    Value::Num(p.mean_change),
                ]),
                None => v.extend([Value::Null; 4]),
            }
        }
        v
    };
    Sheet {
        rows: r.groups.iter().map(|(k, f)| (k.clone(), line(f))).collect(),
        total: line(&r.total),
        columns,
    }
}

impl Sheet {
    fn at(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// The sheet as it may be shared outside the council (`disclosure::suppress_cells`): every
    /// count from 1 to 4 hidden, and whatever would give one back through a sum the report
    /// holds; then each rate and mean whose parts are hidden. `by_family` says the rows split
    /// families (so counts of people add up to the total too).
    pub fn suppressed(mut self, by_family: bool) -> Sheet {
        let width = self.columns.len();
        let height = self.rows.len() + 1;
        let line = |i: usize| -> &Vec<Value> { self.rows.get(i).map_or(&self.total, |(_, v)| v) };
        // Every count as one flat list (row-major, total last); rates, means and population
        // take no part.
        let mut cells = Vec::new();
        let mut index = vec![vec![None; width]; height];
        for (i, at) in index.iter_mut().enumerate() {
            for (j, col) in self.columns.iter().enumerate() {
                if let (true, Value::Int(v)) = (col.kind.is_count(), line(i)[j]) {
                    at[j] = Some(cells.len());
                    cells.push(v);
                }
            }
        }
        let mut sums = Vec::new();
        let total_row = height - 1;
        for (j, col) in self.columns.iter().enumerate() {
            let adds_up = match col.kind {
                Kind::Cohort | Kind::Events => true,
                Kind::People => by_family,
                _ => false,
            };
            let parts: Option<Vec<usize>> = (0..total_row).map(|i| index[i][j]).collect();
            if let (true, Some(total), Some(parts)) = (adds_up, index[total_row][j], parts) {
                if !parts.is_empty() {
                    sums.push(Sum { total, parts });
                }
            }
        }
        // Within each row: follow-ups opened = still open + each outcome.
        let outcomes: Vec<usize> = (0..width)
            .filter(|&j| self.columns[j].name.starts_with("follow_up_outcomes."))
            .collect();
        if let (Some(opened), Some(open)) =
            (self.at("follow_ups_opened"), self.at("follow_ups_open"))
        {
            for at in &index {
                let parts: Option<Vec<usize>> =
                    [open].iter().chain(&outcomes).map(|&j| at[j]).collect();
                if let (Some(total), Some(parts)) = (at[opened], parts) {
                    sums.push(Sum { total, parts });
                }
            }
        }
        let shown = suppress_cells(&cells, &sums);
        let columns = self.columns.clone();
        let hidden_at = |v: &Vec<Value>, name: &str| {
            columns
                .iter()
                .position(|c| c.name == name)
                .is_some_and(|j| matches!(v[j], Value::Hidden(_)))
        };
        for (i, at) in index.iter().enumerate() {
            let values = match self.rows.get_mut(i) {
                Some((_, v)) => v,
                None => &mut self.total,
            };
            for (j, cell) in at.iter().enumerate() {
                if let Some(c) = cell {
                    if shown[*c].is_suppressed() {
                        values[j] = Value::Hidden(shown[*c]);
                    }
                }
            }
            for (j, col) in columns.iter().enumerate() {
                let hide = match &col.kind {
                    Kind::Rate { of, over } => hidden_at(values, of) || hidden_at(values, over),
                    Kind::Mean { pairs } => hidden_at(values, pairs),
                    _ => false,
                };
                if hide && values[j] != Value::Null {
                    values[j] = Value::Hidden(Shown::Protecting);
                }
            }
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::register::PairSummary;

    fn figures(booked: i64, opened: i64, open: i64, reengaged: i64) -> Figures {
        let mut f = Figures {
            families_booked: booked,
            families_reached: booked,
            follow_ups_opened: opened,
            follow_ups_open: open,
            marks_attended: booked,
            marks_recorded: 2 * booked,
            attendance_rate: Some(0.5),
            ..Default::default()
        };
        f.follow_up_outcomes.insert("reengaged".into(), reengaged);
        f
    }

    #[test]
    fn every_column_has_a_name_a_kind_and_words() {
        let names: BTreeSet<&str> = COLUMNS.iter().map(|c| c.name).collect();
        assert_eq!(names.len(), COLUMNS.len());
        for c in COLUMNS {
            assert!(c.about.len() > 10, "{}", c.name);
            if let Kind::Rate { of, over } = c.kind() {
                assert!(names.contains(of.as_str()) && names.contains(over.as_str()));
            }
        }
    }

    #[test]
    fn a_shared_sheet_hides_small_counts_what_gives_them_back_and_rates_built_on_them() {
        let mut total = figures(20, 12, 5, 7);
        total.outcome_pairs.insert(
            "PSOC".into(),
            PairSummary {
                pairs: 3,
                mean_pre: 10.0,
                mean_post: 12.0,
                mean_change: 2.0,
            },
        );
        let r = Report {
            groups: vec![
                ("a".into(), figures(3, 4, 1, 3)),
                ("b".into(), figures(17, 8, 4, 4)),
            ],
            total,
        };
        let exact = sheet(&r);
        let shared = exact.clone().suppressed(true);
        let col = |name: &str| exact.at(name).unwrap();
        let a = &shared.rows[0].1;
        assert_eq!(a[col("families_booked")], Value::Hidden(Shown::Small));
        // 17 of 20 would give a's 3 back: hidden too.
        assert!(matches!(
            shared.rows[1].1[col("families_booked")],
            Value::Hidden(_)
        ));
        assert!(matches!(a[col("attendance_rate")], Value::Hidden(_)));
        let t = &shared.total;
        assert_eq!(
            t[col("outcome_pairs.PSOC.pairs")],
            Value::Hidden(Shown::Small)
        );
        assert!(matches!(
            t[col("outcome_pairs.PSOC.mean_change")],
            Value::Hidden(_)
        ));
        // Exact, nothing is hidden.
        assert!(exact
            .rows
            .iter()
            .flat_map(|(_, v)| v)
            .chain(&exact.total)
            .all(|v| !matches!(v, Value::Hidden(_))));
        // No count 1–4 is left in the shared one.
        for v in shared.rows.iter().flat_map(|(_, v)| v).chain(&shared.total) {
            assert!(!matches!(v, Value::Int(n) if (1..5).contains(n)), "{v:?}");
        }
    }
}
