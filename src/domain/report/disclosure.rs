//! Safe to share (issue 19 item 5): a report sent outside the council shows no count from 1 to 4
//! (a family could be recognised from it), and no figure that would let one be worked out again
//! by subtraction. Primary suppression hides each count 1–4 (shown `<5`). Secondary suppression
//! then looks at every sum the report holds (a column's rows adding up to its total; within a
//! row, follow-ups opened = still open + each outcome) and, where exactly one figure of a sum is
//! hidden, hides one more (shown `[c]`, the statistics' mark for "confidential"): the smallest
//! other non-zero part, else the sum itself; and again until no sum gives one back. Zeros stay
//! shown: they describe no one. Pure, so tested directly.

/// Counts below this are hidden.
pub const THRESHOLD: i64 = 5;

/// A count as a shared report shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Count(i64),
    /// A count from 1 to 4: shown as `<5`.
    Small,
    /// Hidden so that a small count elsewhere cannot be worked out: shown as `[c]`.
    Protecting,
}

impl Shown {
    pub fn is_suppressed(self) -> bool {
        !matches!(self, Shown::Count(_))
    }

    /// The mark a shared report prints for a hidden figure.
    pub fn mark(self) -> Option<&'static str> {
        match self {
            Shown::Count(_) => None,
            Shown::Small => Some(SMALL),
            Shown::Protecting => Some(PROTECTING),
        }
    }
}

pub const SMALL: &str = "<5";
pub const PROTECTING: &str = "[c]";

/// A sum the report holds: `cells[total] = Σ cells[parts]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sum {
    pub total: usize,
    pub parts: Vec<usize>,
}

/// The counts as they may be shared, given every sum that holds between them.
pub fn suppress_cells(cells: &[i64], sums: &[Sum]) -> Vec<Shown> {
    let mut shown: Vec<Shown> = cells
        .iter()
        .map(|&v| {
            if (1..THRESHOLD).contains(&v) {
                Shown::Small
            } else {
                Shown::Count(v)
            }
        })
        .collect();
    // Each pass hides at least one more figure or stops, so this ends.
    loop {
        let mut changed = false;
        for sum in sums {
            let figures = || sum.parts.iter().chain([&sum.total]);
            if figures().filter(|&&i| shown[i].is_suppressed()).count() != 1 {
                continue;
            }
            // The smallest other part that says something, so as little as possible is hidden.
            let partner = sum
                .parts
                .iter()
                .filter_map(|&i| match shown[i] {
                    Shown::Count(v) if v > 0 => Some((v, i)),
                    _ => None,
                })
                .min()
                .map_or(sum.total, |(_, i)| i);
            shown[partner] = Shown::Protecting;
            changed = true;
        }
        if !changed {
            return shown;
        }
    }
}

/// One breakdown's counts: a row per group, the same columns in each, and the total row.
/// `additive[j]` says whether column `j`'s rows add up to its total (a family counted in one
/// group only); only those can give a hidden count back by subtraction.
#[derive(Debug, Clone)]
pub struct Table<'a> {
    pub rows: &'a [Vec<i64>],
    pub total: &'a [i64],
    pub additive: &'a [bool],
}

/// The table as it may be shared: (rows, total).
pub fn suppress(t: &Table<'_>) -> (Vec<Vec<Shown>>, Vec<Shown>) {
    let width = t.total.len();
    let mut cells: Vec<i64> = t.rows.iter().flatten().copied().collect();
    let total_at = cells.len();
    cells.extend(t.total);
    let sums: Vec<Sum> = (0..width)
        .filter(|&j| t.additive.get(j) == Some(&true))
        .map(|j| Sum {
            total: total_at + j,
            parts: (0..t.rows.len()).map(|i| i * width + j).collect(),
        })
        .collect();
    let shown = suppress_cells(&cells, &sums);
    let rows = shown[..total_at]
        .chunks(width.max(1))
        .map(<[Shown]>::to_vec);
    (
        rows.take(t.rows.len()).collect(),
        shown[total_at..].to_vec(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(v: i64) -> Shown {
        Shown::Count(v)
    }
    const S: Shown = Shown::Small;
    const P: Shown = Shown::Protecting;

    /// For each additive column, how many figures of "rows = total" are hidden.
    fn hidden_in_sums(rows: &[Vec<Shown>], total: &[Shown], additive: &[bool]) -> Vec<usize> {
        (0..total.len())
            .filter(|j| additive[*j])
            .map(|j| {
                rows.iter().filter(|r| r[j].is_suppressed()).count()
                    + usize::from(total[j].is_suppressed())
            })
            .collect()
    }

    #[test]
    fn small_counts_are_hidden_and_a_lone_one_takes_a_partner() {
        // Families booked and reached by ward: 3 in one ward would be total − the rest.
        let rows = vec![vec![12, 9], vec![3, 3], vec![20, 0]];
        let total = [35, 12];
        let t = Table {
            rows: &rows,
            total: &total,
            additive: &[true, true],
        };
        let (shown, sum) = suppress(&t);
        // Each column's 3 takes the smallest other non-zero count with it (12; 9): the total
        // minus what is shown then gives only their sum.
        assert_eq!(shown, [vec![P, P], vec![S, S], vec![c(20), c(0)]]);
        assert_eq!(sum, [c(35), c(12)]);
        // With nothing else to hide, the total goes.
        let rows = vec![vec![2], vec![0], vec![0]];
        let (shown, sum) = suppress(&Table {
            rows: &rows,
            total: &[2],
            additive: &[true],
        });
        assert_eq!(
            (shown, sum),
            (vec![vec![S], vec![c(0)], vec![c(0)]], vec![S])
        );
    }

    #[test]
    fn a_figure_hidden_to_protect_one_sum_is_protected_in_the_others_too() {
        // Two rows and the total of follow-ups: opened = open + reengaged (within each row),
        // and each column adds up over the rows. Row A's 3 re-engaged takes A's 6 open with it
        // (its row's sum); then each of those is alone in its column, so B's 9 open and 7
        // re-engaged go too; B's own sum then has two hidden, and nothing gives one back.
        // cells: A = [opened 9, open 6, reengaged 3], B = [16, 9, 7], total = [25, 15, 10]
        let cells = [9, 6, 3, 16, 9, 7, 25, 15, 10];
        let mut sums = vec![
            Sum {
                total: 0,
                parts: vec![1, 2],
            },
            Sum {
                total: 3,
                parts: vec![4, 5],
            },
            Sum {
                total: 6,
                parts: vec![7, 8],
            },
        ];
        for j in 0..3 {
            sums.push(Sum {
                total: 6 + j,
                parts: vec![j, 3 + j],
            });
        }
        let shown = suppress_cells(&cells, &sums);
        for sum in &sums {
            let hidden = sum
                .parts
                .iter()
                .chain([&sum.total])
                .filter(|&&i| shown[i].is_suppressed())
                .count();
            assert_ne!(hidden, 1, "{sum:?} gives a figure back: {shown:?}");
        }
        assert_eq!(shown[2], S);
        assert!(shown[1].is_suppressed() && shown[4].is_suppressed());
        assert_eq!(Shown::Small.mark(), Some("<5"));
        assert_eq!(Shown::Protecting.mark(), Some("[c]"));
    }

    #[test]
    fn columns_that_do_not_add_up_hide_only_small_counts() {
        // Families by month: a family books in more than one month, so no subtraction works.
        let rows = vec![vec![7], vec![2], vec![9]];
        let (shown, sum) = suppress(&Table {
            rows: &rows,
            total: &[14],
            additive: &[false],
        });
        assert_eq!(
            (shown, sum),
            (vec![vec![c(7)], vec![S], vec![c(9)]], vec![c(14)])
        );
    }

    #[test]
    fn no_small_count_survives_and_none_can_be_worked_out_again() {
        // Many tables, drawn by a small deterministic generator: the rules hold for each.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: i64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            ((seed >> 33) as i64).rem_euclid(n)
        };
        for _ in 0..2_000 {
            let (height, width) = (1 + next(6) as usize, 1 + next(4) as usize);
            let rows: Vec<Vec<i64>> = (0..height)
                .map(|_| {
                    (0..width)
                        .map(|_| if next(3) == 0 { next(6) } else { next(40) })
                        .collect()
                })
                .collect();
            let additive: Vec<bool> = (0..width).map(|_| next(4) != 0).collect();
            let total: Vec<i64> = (0..width)
                .map(|j| {
                    let sum: i64 = rows.iter().map(|r| r[j]).sum();
                    if additive[j] {
                        sum
                    } else {
                        sum - next(sum.max(1))
                    }
                })
                .collect();
            let (shown, sum) = suppress(&Table {
                rows: &rows,
                total: &total,
                additive: &additive,
            });
            for (r, s) in rows.iter().flatten().zip(shown.iter().flatten()) {
                assert!(
                    !matches!(s, Shown::Count(v) if (1..THRESHOLD).contains(v)),
                    "{rows:?}"
                );
                if let Shown::Count(v) = s {
                    assert_eq!(v, r, "shown as it is");
                }
            }
            assert!(sum
                .iter()
                .all(|s| !matches!(s, Shown::Count(v) if (1..THRESHOLD).contains(v))));
            for hidden in hidden_in_sums(&shown, &sum, &additive) {
                assert_ne!(
                    hidden, 1,
                    "total − the shown cells gives a hidden one back: {rows:?} {total:?}"
                );
            }
        }
    }
}
