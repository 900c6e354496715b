//! Picking the least-loaded instance with a free slot in O(1), updating in O(log n).
//!
//! A load balancer with least-outstanding-requests routing consults every instance's load on
//! each arrival; with hundreds of instances a linear scan dominates the simulation. This
//! keeps a min segment tree over keys `(sequences << 32) | index`, so the root is the
//! instance with the fewest sequences and, among equals, the lowest index — exactly what a
//! scan in index order would pick. Full instances get the key `u64::MAX`.

/// Segment tree of instance keys.
#[derive(Debug, Clone)]
pub struct LeastLoaded {
    leaves: usize,
    len: usize,
    tree: Vec<u64>,
}

const FULL: u64 = u64::MAX;

impl LeastLoaded {
    /// `instances` idle instances.
    pub fn new(instances: usize) -> LeastLoaded {
        let leaves = instances.next_power_of_two().max(1);
        let mut tree = vec![FULL; 2 * leaves];
        for i in 0..instances {
            tree[leaves + i] = i as u64;
        }
        for n in (1..leaves).rev() {
            tree[n] = tree[2 * n].min(tree[2 * n + 1]);
        }
        LeastLoaded {
            leaves,
            len: instances,
            tree,
        }
    }

    /// Adds an idle instance (a scale-out), index = the previous count.
    pub fn push(&mut self) {
        if self.len == self.leaves {
            // Full: rebuild at twice the width, keeping every key.
            let keys: Vec<u64> = self.tree[self.leaves..self.leaves + self.len].to_vec();
            let leaves = (self.leaves * 2).max(1);
            let mut tree = vec![FULL; 2 * leaves];
            tree[leaves..leaves + keys.len()].copy_from_slice(&keys);
            for n in (1..leaves).rev() {
                tree[n] = tree[2 * n].min(tree[2 * n + 1]);
            }
            self.leaves = leaves;
            self.tree = tree;
        }
        self.len += 1;
        self.update(self.len - 1, 0, 1);
    }

    /// Records that `instance` now runs `active` sequences out of `max_batch`.
    #[inline]
    pub fn update(&mut self, instance: usize, active: u32, max_batch: u32) {
        let key = if active < max_batch {
            (u64::from(active) << 32) | instance as u64
        } else {
            FULL
        };
        let mut n = self.leaves + instance;
        self.tree[n] = key;
        while n > 1 {
            n /= 2;
            let m = self.tree[2 * n].min(self.tree[2 * n + 1]);
            if self.tree[n] == m {
                break;
            }
            self.tree[n] = m;
        }
    }

    /// The instance with the fewest sequences among those with a free slot.
    #[inline]
    pub fn best(&self) -> Option<usize> {
        let k = self.tree[1];
        (k != FULL).then_some((k & 0xffff_ffff) as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{RngStreams, StreamId};
    use rand::Rng;

    /// The scan it replaces: fewest sequences, lowest index first, only non-full instances.
    fn scan(active: &[u32], max_batch: u32) -> Option<usize> {
        let mut best: Option<(usize, u32)> = None;
        for (i, &a) in active.iter().enumerate() {
            if a < max_batch && best.is_none_or(|(_, b)| a < b) {
                best = Some((i, a));
            }
        }
        best.map(|(i, _)| i)
    }

    #[test]
    fn grows_and_keeps_its_keys() {
        let mut t = LeastLoaded::new(2);
        t.update(0, 3, 4);
        t.update(1, 3, 4);
        for _ in 0..5 {
            t.push();
        }
        assert_eq!(t.best(), Some(2), "the first new, idle instance");
        for i in 2..7 {
            t.update(i, 4, 4);
        }
        assert_eq!(t.best(), Some(0));
    }

    #[test]
    fn agrees_with_a_linear_scan() {
        let mut rng = RngStreams::new(4, 0).stream(StreamId::new(0, 0));
        for n in [1usize, 2, 3, 7, 64, 100] {
            let max_batch = 4;
            let mut active = vec![0u32; n];
            let mut tree = LeastLoaded::new(n);
            for _ in 0..5000 {
                assert_eq!(tree.best(), scan(&active, max_batch), "n = {n}");
                let i = rng.random_range(0..n);
                if rng.random::<bool>() && active[i] < max_batch {
                    active[i] += 1;
                } else if active[i] > 0 {
                    active[i] -= 1;
                }
                tree.update(i, active[i], max_batch);
            }
        }
    }
}
