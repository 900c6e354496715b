//! Outcomes and latency per region and time bucket: the capacity planner's region-hour
//! cells, so that a missed target can be traced to the region and hour that missed it.

use super::{LatencySet, Outcomes};
use crate::engine::SimTime;

/// What the requests sent in one bucket and served (or refused) by one region saw.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    /// Finished requests only: `in_flight_at_end` stays 0 and `generated` counts the
    /// finished ones.
    pub outcomes: Outcomes,
    pub latency: LatencySet,
}

/// Cells for every region × bucket of the measured window; empty when not asked for.
#[derive(Debug, Clone, Default)]
pub struct CellGrid {
    origin: SimTime,
    step_us: u64,
    buckets: usize,
    /// Region-major: `region * buckets + bucket`.
    cells: Vec<Cell>,
}

impl CellGrid {
    /// Cells for `regions` regions, buckets of `step` from `origin` (the end of warm-up)
    /// to `end`.
    pub fn new(regions: usize, origin: SimTime, end: SimTime, step: SimTime) -> CellGrid {
        let step_us = step.as_us().max(1);
        let span = end.saturating_since(origin).as_us();
        let buckets = span.div_ceil(step_us).max(1) as usize;
        CellGrid {
            origin,
            step_us,
            buckets,
            cells: vec![Cell::default(); regions * buckets],
        }
    }

    /// Whether cells are being kept at all.
    pub fn is_enabled(&self) -> bool {
        !self.cells.is_empty()
    }

    /// Buckets per region.
    pub fn buckets(&self) -> usize {
        self.buckets
    }

    /// The cell of a request sent at `sent` and booked in `region` (none when disabled).
    pub fn at_mut(&mut self, region: usize, sent: SimTime) -> Option<&mut Cell> {
        if self.cells.is_empty() {
            return None;
        }
        let b = (sent.saturating_since(self.origin).as_us() / self.step_us) as usize;
        let i = region * self.buckets + b.min(self.buckets - 1);
        self.cells.get_mut(i)
    }

    /// Cell `bucket` of `region`.
    pub fn cell(&self, region: usize, bucket: usize) -> &Cell {
        &self.cells[region * self.buckets + bucket]
    }

    /// Adds another replication's cells (same shape).
    pub fn merge(&mut self, o: &CellGrid) {
        if self.cells.is_empty() {
            *self = o.clone();
            return;
        }
        for (a, b) in self.cells.iter_mut().zip(&o.cells) {
            a.outcomes += b.outcomes;
            a.latency.merge(&b.latency);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_land_in_their_send_bucket() {
        let mut g = CellGrid::new(
            2,
            SimTime::from_secs(100),
            SimTime::from_secs(400),
            SimTime::from_secs(100),
        );
        assert_eq!(g.buckets(), 3);
        g.at_mut(1, SimTime::from_secs(250))
            .unwrap()
            .outcomes
            .completed += 1;
        // Past the end (a late booking) counts in the last bucket.
        g.at_mut(0, SimTime::from_secs(900))
            .unwrap()
            .outcomes
            .failed += 1;
        assert_eq!(g.cell(1, 1).outcomes.completed, 1);
        assert_eq!(g.cell(0, 2).outcomes.failed, 1);
        let mut h = g.clone();
        h.merge(&g);
        assert_eq!(h.cell(1, 1).outcomes.completed, 2);
        assert!(CellGrid::default().at_mut(0, SimTime::ZERO).is_none());
    }
}
