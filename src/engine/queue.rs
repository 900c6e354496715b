//! The future-event list: a monotone radix heap keyed by `(time, sequence number)`.
//!
//! A discrete-event simulation never schedules into the past, so the smallest time only
//! grows; a radix heap exploits that. Events sit in buckets by the highest bit in which their
//! time differs from the last time popped; popping empties the lowest non-empty bucket into
//! lower ones, so each event moves at most once per bit, and the work per event stays flat
//! however many events are pending (a binary heap's sift-down cost grows with the heap, and
//! with a million pending events it is dominated by cache misses).
//!
//! Costs that used to dominate and are avoided here (measured with callgrind on the
//! end-to-end benchmark, where the queue plus `malloc`/`free` took about a third of all
//! instructions): buckets keep their capacity when they are emptied (no allocation per
//! redistribution), the lowest non-empty bucket is found from a bit mask rather than by
//! scanning 64 vectors.

use std::collections::VecDeque;

use super::SimTime;

/// Number of buckets: one for "at the last time popped" plus one per bit of the time.
const BUCKETS: usize = 65;

/// One pending event: its time in µs, its insertion number, the event.
struct Entry<E> {
    time: u64,
    seq: u64,
    event: E,
}

/// A queue of future events of type `E`, popped in `(time, seq)` order.
///
/// `seq` is an insertion counter, so events at the same instant come out in the order they
/// were scheduled (FIFO ties): a run never depends on how ties happen to break. `due` holds
/// the events at the current minimum time in `seq` order; the buckets
/// are unordered. The queue tracks the current simulated time: popping advances `now` to
/// the event's time, and scheduling in the past is clamped to `now` (an event can never run
/// before the one that scheduled it).
pub struct EventQueue<E> {
    /// Events at time `last`, in `seq` order.
    due: VecDeque<Entry<E>>,
    /// `buckets[i]` (i ≥ 1) holds events whose time differs from `last` first in bit i − 1.
    /// `buckets[0]` is unused (those events are in `due`).
    buckets: [Vec<Entry<E>>; BUCKETS],
    /// Bit `i − 1` is set iff `buckets[i]` is non-empty.
    nonempty: u64,
    /// Spare vector swapped with the bucket being redistributed, so that neither loses its
    /// allocation.
    spare: Vec<Entry<E>>,
    /// The smallest pending time is ≥ `last`.
    last: u64,
    len: usize,
    next_seq: u64,
    now: SimTime,
    popped: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

/// The bucket of an event at `time` (≥ `last`): 0 when equal, else 1 + the index of the
/// highest bit in which the two differ.
#[inline(always)]
fn bucket_of(time: u64, last: u64) -> usize {
    // Equal times: 64 leading zeros, bucket 0; highest differing bit k: bucket k + 1.
    (u64::BITS - (time ^ last).leading_zeros()) as usize
}

impl<E> EventQueue<E> {
    pub fn new() -> Self {
        EventQueue {
            due: VecDeque::new(),
            buckets: std::array::from_fn(|_| Vec::new()),
            nonempty: 0,
            spare: Vec::new(),
            last: 0,
            len: 0,
            next_seq: 0,
            now: SimTime::ZERO,
            popped: 0,
        }
    }

    /// The time of the event most recently popped.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Schedules `event` at absolute time `at` (clamped to now).
    #[inline]
    pub fn schedule(&mut self, at: SimTime, event: E) {
        let time = at.max(self.now).as_us();
        let seq = self.next_seq;
        self.next_seq += 1;
        let entry = Entry { time, seq, event };
        // time ≥ now ≥ last. At time == last the new event has the largest seq so far, so
        // appending keeps `due` in seq order.
        match bucket_of(time, self.last) {
            0 => self.due.push_back(entry),
            b => {
                self.buckets[b].push(entry);
                self.nonempty |= 1 << (b - 1);
            }
        }
        self.len += 1;
    }

    /// Schedules `event` after `delay` from now.
    #[inline]
    pub fn schedule_in(&mut self, delay: SimTime, event: E) {
        let at = self.now + delay;
        self.schedule(at, event);
    }

    /// Makes `due` hold the events at the smallest pending time; returns that time.
    #[inline]
    fn settle(&mut self) -> Option<u64> {
        if let Some(e) = self.due.front() {
            return Some(e.time);
        }
        if self.nonempty == 0 {
            return None;
        }
        self.refill_due();
        Some(self.last)
    }

    /// `due` is exhausted and some bucket is not: empties the lowest non-empty bucket,
    /// moving the events at its minimum time into `due` and the others into lower buckets.
    #[cold]
    #[inline(never)]
    fn refill_due(&mut self) {
        let i = self.nonempty.trailing_zeros() as usize + 1;
        self.nonempty &= !(1 << (i - 1));
        if self.buckets[i].len() == 1 {
            // Common with few pending events: the only event is the minimum; nothing moves.
            let e = self.buckets[i].pop().expect("length is 1");
            self.last = e.time;
            self.due.push_back(e);
            return;
        }
        let mut items = std::mem::replace(&mut self.buckets[i], std::mem::take(&mut self.spare));
        let min = items
            .iter()
            .map(|e| e.time)
            .min()
            .expect("bucket is non-empty");
        self.last = min;
        // Every event of bucket i differs from `min` below bit i − 1, so it lands in a
        // bucket below i (or in `due`).
        for e in items.drain(..) {
            match bucket_of(e.time, min) {
                0 => self.due.push_back(e),
                b => {
                    self.buckets[b].push(e);
                    self.nonempty |= 1 << (b - 1);
                }
            }
        }
        self.spare = items;
        // Events reach the same bucket along different paths: restore FIFO among ties.
        if self.due.len() > 1 {
            self.due.make_contiguous().sort_unstable_by_key(|e| e.seq);
        }
    }

    /// Removes the next event and advances `now` to its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.settle()?;
        let e = self.due.pop_front()?;
        self.len -= 1;
        self.popped += 1;
        self.now = SimTime(e.time);
        Some((self.now, e.event))
    }

    /// Removes the next event if it happens before `end`.
    #[inline]
    pub fn pop_before(&mut self, end: SimTime) -> Option<(SimTime, E)> {
        let time = self.settle()?;
        if time < end.as_us() { self.pop() } else { None }
    }

    /// Time of the next event without removing it.
    pub fn peek_time(&mut self) -> Option<SimTime> {
        self.settle().map(SimTime)
    }

    /// Events waiting.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Events popped so far (for throughput figures).
    pub fn events_processed(&self) -> u64 {
        self.popped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{RngStreams, StreamId};
    use rand::Rng;
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    #[test]
    fn pops_in_time_order() {
        let mut q = EventQueue::new();
        q.schedule(SimTime(30), "c");
        q.schedule(SimTime(10), "a");
        q.schedule(SimTime(20), "b");
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, ["a", "b", "c"]);
    }

    #[test]
    fn ties_come_out_in_insertion_order() {
        let mut q = EventQueue::new();
        for i in 0..1000 {
            q.schedule(SimTime(5), i);
        }
        q.schedule(SimTime(1), -1);
        assert_eq!(q.pop(), Some((SimTime(1), -1)));
        for i in 0..1000 {
            assert_eq!(q.pop(), Some((SimTime(5), i)));
        }
        assert!(q.is_empty());
    }

    #[test]
    fn scheduling_in_the_past_is_clamped_to_now() {
        let mut q = EventQueue::new();
        q.schedule(SimTime(100), 1);
        q.pop();
        q.schedule(SimTime(50), 2);
        assert_eq!(q.pop(), Some((SimTime(100), 2)));
        assert_eq!(q.now(), SimTime(100));
        assert_eq!(q.events_processed(), 2);
    }

    #[test]
    fn pop_before_leaves_later_events() {
        let mut q = EventQueue::new();
        q.schedule(SimTime(10), 1);
        q.schedule(SimTime(20), 2);
        assert_eq!(q.pop_before(SimTime(15)), Some((SimTime(10), 1)));
        assert_eq!(q.pop_before(SimTime(15)), None);
        assert_eq!(q.peek_time(), Some(SimTime(20)));
        assert_eq!(q.len(), 1);
    }

    #[test]
    fn matches_a_binary_heap_on_a_random_hold_model() {
        // Interleaved schedules and pops with many ties: the order must equal the one of a
        // reference binary heap on (time, seq).
        let mut rng = RngStreams::new(9, 0).stream(StreamId::new(0, 0));
        let mut q = EventQueue::new();
        let mut reference = BinaryHeap::new();
        let mut seq = 0u64;
        let mut now = 0u64;
        for step in 0..200_000u64 {
            if step < 1000 || rng.random::<f64>() < 0.5 {
                let at = now + rng.random_range(0..50u64);
                q.schedule(SimTime(at), seq);
                reference.push(Reverse((at, seq)));
                seq += 1;
            } else if let Some(Reverse((t, s))) = reference.pop() {
                assert_eq!(q.pop(), Some((SimTime(t), s)));
                now = t;
            }
        }
        while let Some(Reverse((t, s))) = reference.pop() {
            assert_eq!(q.pop(), Some((SimTime(t), s)));
        }
        assert!(q.pop().is_none());
    }
}
