//! Safe to share (issue 19 item 5): a report sent outside the council shows no count from 1 to 4
//! (a family could be recognised from it), and no figure that would let one be worked out again
//! from a total. Primary suppression hides each count 1–4; secondary suppression then looks at
//! each column whose rows add up to the total, and where exactly one figure of that sum is hidden
//! (so total − the others would give it back) hides one more: the smallest other non-zero count,
//! else the total. Zeros stay shown: they describe no one. Pure, so tested directly.

/// Counts below this are hidden.
pub const THRESHOLD: i64 = 5;

/// A count as a shared report shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Count(i64),
    /// Shown as `<5` (or hidden to protect a small count elsewhere in its column).
    Suppressed,
}

impl Shown {
    pub fn is_suppressed(self) -> bool {
        self == Shown::Suppressed
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
    let hide = |v: i64| {
        if (1..THRESHOLD).contains(&v) {
            Shown::Suppressed
        } else {
            Shown::Count(v)
        }
    };
    let mut rows: Vec<Vec<Shown>> = t
        .rows
        .iter()
        .map(|r| r.iter().map(|v| hide(*v)).collect())
        .collect();
    let mut total: Vec<Shown> = t.total.iter().map(|v| hide(*v)).collect();
    for (j, additive) in t.additive.iter().enumerate() {
        if !additive || j >= total.len() {
            continue;
        }
        let hidden = rows.iter().filter(|r| r[j].is_suppressed()).count()
            + usize::from(total[j].is_suppressed());
        if hidden != 1 {
            continue;
        }
        // The smallest other count that says something, so as little as possible is hidden.
        let partner = rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| match r[j] {
                Shown::Count(v) if v > 0 => Some((v, i)),
                _ => None,
            })
            .min();
        match partner {
            Some((_, i)) => rows[i][j] = Shown::Suppressed,
            None => total[j] = Shown::Suppressed,
        }
    }
    (rows, total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(v: i64) -> Shown {
        Shown::Count(v)
    }
    const S: Shown = Shown::Suppressed;

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
        assert_eq!(shown, [vec![S, S], vec![S, S], vec![c(20), c(0)]]);
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
