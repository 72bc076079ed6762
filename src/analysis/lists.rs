//! Many short lists by index in two allocations (offsets and items), for
//! per-step lists over a large graph: a `Vec<Vec<T>>` costs a 24-byte
//! header per step and an allocation per non-empty list, which at a
//! million steps was tens of megabytes of a check's peak.

/// `get(i)` is the list of index `i`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lists<T> {
    /// `start[i]..start[i + 1]` are the items of index `i`: one more
    /// entry than there are lists.
    start: Vec<u32>,
    items: Vec<T>,
}

impl<T> Default for Lists<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Lists<T> {
    /// No lists yet: [`Lists::push`] adds them in index order.
    pub fn new() -> Self {
        Lists {
            start: vec![0],
            items: Vec::new(),
        }
    }

    /// Adds the list of the next index.
    pub fn push(&mut self, list: impl IntoIterator<Item = T>) {
        self.items.extend(list);
        self.start.push(self.items.len() as u32);
    }

    pub fn get(&self, i: usize) -> &[T] {
        &self.items[self.start[i] as usize..self.start[i + 1] as usize]
    }

    /// Whether every list is empty.
    pub fn all_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl<T: Copy> Lists<T> {
    /// The lists of `n` indices from `(index, item)` pairs, each index
    /// below `n`; within an index, items keep the pairs' order. `pairs` is
    /// walked twice: once to count, once to place.
    pub fn from_pairs<I>(n: usize, pairs: impl Fn() -> I) -> Self
    where
        I: Iterator<Item = (usize, T)>,
    {
        let mut start = vec![0u32; n + 1];
        let mut any = None;
        for (i, item) in pairs() {
            start[i + 1] += 1;
            any = Some(item);
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        // Every slot is written below: `any` only fills them first.
        let Some(any) = any else {
            return Lists {
                start,
                items: Vec::new(),
            };
        };
        let mut next: Vec<u32> = start[..n].to_vec();
        let mut items = vec![any; start[n] as usize];
        for (i, item) in pairs() {
            items[next[i] as usize] = item;
            next[i] += 1;
        }
        Lists { start, items }
    }
}

#[cfg(test)]
mod tests {
    use super::Lists;

    #[test]
    fn lists_keep_each_index_items_in_order() {
        let pairs = [(2, 'a'), (0, 'b'), (2, 'c'), (0, 'd')];
        let lists = Lists::from_pairs(4, || pairs.iter().copied());
        assert_eq!(lists.get(0), ['b', 'd']);
        assert_eq!(lists.get(1), [] as [char; 0]);
        assert_eq!(lists.get(2), ['a', 'c']);
        assert_eq!(lists.get(3), [] as [char; 0]);
    }

    #[test]
    fn lists_pushed_in_order_read_back_and_none_is_all_empty() {
        let mut lists = Lists::default();
        assert!(lists.all_empty());
        lists.push([1, 2]);
        lists.push([]);
        lists.push([3]);
        assert!(!lists.all_empty());
        assert_eq!(lists.get(0), [1, 2]);
        assert_eq!(lists.get(1), [] as [i32; 0]);
        assert_eq!(lists.get(2), [3]);
        let none: Lists<u8> = Lists::from_pairs(2, std::iter::empty);
        assert!(none.all_empty());
        assert_eq!(none.get(1), [] as [u8; 0]);
    }
}
