//! A set of database ids as bits. The report puts each family, child and booking into a dozen
//! sets per row (booked, reached, waiting, in the area, …); at a borough's ten years that is
//! hundreds of thousands of inserts a report, and as tree sets they were a fifth of its time.
//! Ids are a table's serial numbers, so a bit per id up to the largest is small (2.5 KB for
//! 20,000 families) and an insert is a shift and an or. An id beyond [`DENSE_BELOW`] (or below
//! zero) goes to a tree set instead, so a sequence that jumped costs no memory.

use std::collections::BTreeSet;

/// Ids from 0 up to this are bits (at most 2 MiB a set).
pub const DENSE_BELOW: i32 = 1 << 24;

#[derive(Debug, Clone, Default)]
pub struct IdSet {
    words: Vec<u64>,
    len: usize,
    /// Ids outside `0..DENSE_BELOW`.
    sparse: BTreeSet<i32>,
}

fn dense(id: i32) -> Option<usize> {
    if id < DENSE_BELOW {
        usize::try_from(id).ok()
    } else {
        None
    }
}

impl IdSet {
    /// Adds `id`; true when it was not there yet.
    pub fn insert(&mut self, id: i32) -> bool {
        let Some(at) = dense(id) else {
            let new = self.sparse.insert(id);
            self.len += usize::from(new);
            return new;
        };
        let (word, bit) = (at / 64, 1u64 << (at % 64));
        if word >= self.words.len() {
            self.words.resize(word + 1, 0);
        }
        let new = self.words[word] & bit == 0;
        self.words[word] |= bit;
        self.len += usize::from(new);
        new
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// The ids, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = i32> + '_ {
        let dense = self.words.iter().enumerate().flat_map(|(i, &w)| {
            let mut rest = w;
            std::iter::from_fn(move || {
                if rest == 0 {
                    return None;
                }
                let bit = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                i32::try_from(i * 64 + bit).ok()
            })
        });
        dense.chain(self.sparse.iter().copied())
    }
}

impl<'a> Extend<&'a i32> for IdSet {
    fn extend<I: IntoIterator<Item = &'a i32>>(&mut self, ids: I) {
        for &id in ids {
            self.insert(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_id_once_and_agrees_with_a_tree_set() {
        let ids = [5, 0, 63, 64, 5, 1_000_000, 127, -3, 64, -3, 2_147_483_647];
        let (mut ours, mut tree) = (IdSet::default(), BTreeSet::new());
        for id in ids {
            assert_eq!(ours.insert(id), tree.insert(id), "{id}");
        }
        assert_eq!(ours.len(), tree.len());
        let mut listed: Vec<i32> = ours.iter().collect();
        listed.sort_unstable();
        assert_eq!(listed, tree.iter().copied().collect::<Vec<_>>());
        // Far ids cost no bits.
        assert!(ours.words.len() <= 1_000_000 / 64 + 1);
        assert_eq!(IdSet::default().len(), 0);
    }

    #[test]
    fn extends_from_a_list() {
        let mut s = IdSet::default();
        s.extend(&[3, 1, 3, 2]);
        assert_eq!(s.iter().collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(s.len(), 3);
    }
}
