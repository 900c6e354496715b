//! One model instance serving a continuous batch, advanced in virtual time.
//!
//! Every sequence on an instance progresses at the same speed, which depends only on how
//! many sequences share the batch (processor sharing). Work is measured in *batch-1
//! milliseconds*: the time a phase would take alone. With `b` sequences, work advances at
//! `1 / slowdown(b)` ms per ms. The instance keeps one virtual clock `V` (batch-1 ms done by
//! every sequence so far) and a heap of the `V` at which each sequence reaches its next
//! milestone (first token, last token). Only the earliest milestone is ever scheduled as an
//! event; when the batch size changes, it is rescheduled, and the older event becomes stale
//! (recognised by its generation number). So a request costs a constant number of events,
//! however many tokens it generates.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::engine::SimTime;

/// Slack when comparing virtual times: event times are rounded up to whole µs, so `V` can
/// only overshoot a milestone; this absorbs floating-point noise in the other direction.
const V_EPS_MS: f64 = 1e-6;

/// How per-sequence speed falls as the batch grows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchSpeed {
    /// Extra slowdown per additional sequence: `tpot_ms_per_extra_seq / tpot_ms_batch1`.
    slowdown_per_extra_seq: f64,
}

impl BatchSpeed {
    /// Speed independent of batch size (synthetic service times).
    pub const CONSTANT: BatchSpeed = BatchSpeed {
        slowdown_per_extra_seq: 0.0,
    };

    /// From a serving profile's linear time-per-output-token model.
    pub fn from_tpot(tpot_ms_batch1: f64, tpot_ms_per_extra_seq: f64) -> BatchSpeed {
        BatchSpeed {
            slowdown_per_extra_seq: tpot_ms_per_extra_seq / tpot_ms_batch1,
        }
    }

    /// Wall-clock ms per batch-1 ms of work with `batch` sequences.
    #[inline]
    pub fn slowdown(&self, batch: u32) -> f64 {
        1.0 + self.slowdown_per_extra_seq * (batch.max(1) - 1) as f64
    }
}

/// Which milestone a sequence reaches next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// End of prefill: the first output token exists.
    Prefill,
    /// End of decode: the last output token exists.
    Decode,
}

#[derive(Debug)]
struct Milestone {
    target_v_ms: f64,
    seq: u64,
    request: u32,
    phase: Phase,
}

impl PartialEq for Milestone {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Milestone {}
impl PartialOrd for Milestone {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Milestone {
    fn cmp(&self, o: &Self) -> Ordering {
        // Min-heap on (target, seq): earliest milestone first, FIFO among equals.
        o.target_v_ms
            .total_cmp(&self.target_v_ms)
            .then_with(|| o.seq.cmp(&self.seq))
    }
}

/// One instance: its batch, virtual clock and pending milestones.
#[derive(Debug)]
pub struct BatchInstance {
    active: u32,
    v_ms: f64,
    last: SimTime,
    generation: u32,
    next_seq: u64,
    milestones: BinaryHeap<Milestone>,
}

impl Default for BatchInstance {
    fn default() -> Self {
        BatchInstance {
            active: 0,
            v_ms: 0.0,
            last: SimTime::ZERO,
            generation: 0,
            next_seq: 0,
            milestones: BinaryHeap::new(),
        }
    }
}

impl BatchInstance {
    /// Sequences in the batch.
    pub fn active(&self) -> u32 {
        self.active
    }

    /// The generation an event must carry to be current.
    pub fn generation(&self) -> u32 {
        self.generation
    }

    /// Brings the virtual clock to `now` at the current batch size. Call before any change.
    #[inline]
    pub fn advance(&mut self, now: SimTime, speed: BatchSpeed) {
        if self.active > 0 {
            let dt_ms = now.saturating_since(self.last).as_us() as f64 * 1e-3;
            self.v_ms += dt_ms / speed.slowdown(self.active);
        }
        self.last = now;
    }

    /// Starts a new sequence whose first milestone is `work_ms` (batch-1 ms) away.
    pub fn start(&mut self, request: u32, work_ms: f64) {
        self.active += 1;
        self.push(request, Phase::Prefill, work_ms);
    }

    /// Schedules the next phase of a sequence already in the batch.
    pub fn continue_with(&mut self, request: u32, phase: Phase, work_ms: f64) {
        self.push(request, phase, work_ms);
    }

    fn push(&mut self, request: u32, phase: Phase, work_ms: f64) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.milestones.push(Milestone {
            target_v_ms: self.v_ms + work_ms.max(0.0),
            seq,
            request,
            phase,
        });
    }

    /// A sequence leaves the batch (finished or aborted).
    pub fn finish_sequence(&mut self) {
        debug_assert!(self.active > 0);
        self.active -= 1;
    }

    /// Pops the next milestone already reached at the current virtual time.
    pub fn pop_due(&mut self) -> Option<(u32, Phase)> {
        let top = self.milestones.peek()?;
        if top.target_v_ms <= self.v_ms + V_EPS_MS {
            let m = self.milestones.pop()?;
            Some((m.request, m.phase))
        } else {
            None
        }
    }

    /// Invalidates earlier events and returns when the earliest pending milestone will be
    /// reached at the current batch size, with the new generation; `None` if idle.
    pub fn reschedule(&mut self, now: SimTime, speed: BatchSpeed) -> Option<(SimTime, u32)> {
        self.generation = self.generation.wrapping_add(1);
        let top = self.milestones.peek()?;
        let remaining_ms = (top.target_v_ms - self.v_ms).max(0.0);
        let delay = SimTime::from_ms_ceil(remaining_ms * speed.slowdown(self.active));
        Some((now + delay, self.generation))
    }

    /// Empties the instance (its region failed): returns every request it was serving, and
    /// invalidates its scheduled event.
    pub fn clear(&mut self, out: &mut Vec<u32>) {
        out.extend(self.milestones.drain().map(|m| m.request));
        self.active = 0;
        self.generation = self.generation.wrapping_add(1);
    }

    /// Pending milestones (one per sequence in the batch).
    pub fn pending(&self) -> usize {
        self.milestones.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processor_sharing_slows_everyone_equally() {
        // Two sequences of 100 ms work with slowdown 2 at batch 2: both finish at 200 ms.
        let speed = BatchSpeed::from_tpot(10.0, 10.0);
        let mut inst = BatchInstance::default();
        inst.advance(SimTime::ZERO, speed);
        inst.start(1, 100.0);
        inst.start(2, 100.0);
        let (t, g) = inst.reschedule(SimTime::ZERO, speed).unwrap();
        assert_eq!(t, SimTime(200_000));
        assert_eq!(g, inst.generation());
        inst.advance(t, speed);
        assert_eq!(inst.pop_due(), Some((1, Phase::Prefill)));
        assert_eq!(inst.pop_due(), Some((2, Phase::Prefill)));
        assert_eq!(inst.pop_due(), None);
    }

    #[test]
    fn batch_change_reschedules() {
        let speed = BatchSpeed::from_tpot(10.0, 10.0);
        let mut inst = BatchInstance::default();
        inst.advance(SimTime::ZERO, speed);
        inst.start(1, 100.0);
        let (t1, g1) = inst.reschedule(SimTime::ZERO, speed).unwrap();
        assert_eq!(t1, SimTime(100_000));
        // At 50 ms a second sequence joins: request 1 has 50 ms of work left, now at half speed.
        let now = SimTime(50_000);
        inst.advance(now, speed);
        inst.start(2, 100.0);
        let (t2, g2) = inst.reschedule(now, speed).unwrap();
        assert_ne!(g1, g2);
        assert_eq!(t2, SimTime(150_000));
        inst.advance(t2, speed);
        assert_eq!(inst.pop_due(), Some((1, Phase::Prefill)));
        inst.finish_sequence();
        // Request 2 did 50 ms of work; the rest runs alone at full speed.
        let (t3, _) = inst.reschedule(t2, speed).unwrap();
        assert_eq!(t3, SimTime(200_000));
    }
}
