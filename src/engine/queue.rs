//! The future-event list: a monotone radix heap of radix 64, keyed by `(time, sequence
//! number)`.
//!
//! A discrete-event simulation never schedules into the past, so the smallest time only
//! grows; a radix heap exploits that. Times are split into 6-bit digits (11 levels of 64
//! slots). An event sits at the level of the highest digit in which its time differs from
//! the last time popped (`last`), in the slot given by its own digit there. Every event at
//! the lowest non-empty level's lowest non-empty slot is earlier than every other pending
//! event; popping empties that slot into `due` (the events at the new minimum time) and into
//! lower levels. An event moves at most once per level, so the work per event is flat
//! however many events are pending (a binary heap's sift-down cost grows with the heap, and
//! with a million pending events it is dominated by cache misses).
//!
//! Why radix 64 rather than the textbook radix 2 (one bucket per bit): events here are
//! scheduled milliseconds to seconds ahead in µs (2^10–2^23), and in a binary radix heap an
//! event moves through up to one bucket per bit of its delay; with 6-bit digits it moves at
//! most four times. Measured with callgrind on the 15-region benchmark, the binary version's
//! redistribution was about 28 % of all instructions. Emptied slots keep their allocation
//! (a slot is drained in place), and occupancy bit masks find
//! the lowest non-empty level and slot without scanning.

use std::collections::VecDeque;

use super::SimTime;

/// Bits per digit: 64 slots per level.
const DIGIT_BITS: u32 = 6;
const SLOTS: usize = 1 << DIGIT_BITS;
/// Levels needed for a 64-bit time: ⌈64 / 6⌉ (the top one uses 4 bits).
const LEVELS: usize = 64_usize.div_ceil(DIGIT_BITS as usize);

/// Capacity (events) a slot may keep when emptied (2 KiB of 32-byte entries): the 704 slots
/// then hold at most ~1.4 MiB between bursts, whatever the length of the run.
const KEEP_SLOT_CAPACITY: usize = 64;

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
/// the events at the current minimum time in `seq` order; the slots are unordered. The
/// queue tracks the current simulated time: popping advances `now` to the event's time, and
/// scheduling in the past is clamped to `now` (an event can never run before the one that
/// scheduled it).
pub struct EventQueue<E> {
    /// Events at time `last`, in `seq` order.
    due: VecDeque<Entry<E>>,
    /// `slots[level * SLOTS + digit]`: events whose time first differs from `last` (from the
    /// top) in digit `level`, where their digit is `digit`.
    slots: Vec<Vec<Entry<E>>>,
    /// Per level, bit `digit` is set iff that slot is non-empty.
    slot_mask: [u64; LEVELS],
    /// Bit `level` is set iff `slot_mask[level] != 0`.
    level_mask: u32,
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

/// Where an event at `time` (> `last`) goes: `(level, digit)`, the highest 6-bit digit in
/// which `time` differs from `last`, and `time`'s value there.
#[inline(always)]
fn place(time: u64, last: u64) -> (usize, usize) {
    let high_bit = u64::BITS - 1 - (time ^ last).leading_zeros();
    let level = high_bit / DIGIT_BITS;
    let digit = (time >> (level * DIGIT_BITS)) as usize & (SLOTS - 1);
    (level as usize, digit)
}

impl<E> EventQueue<E> {
    pub fn new() -> Self {
        EventQueue {
            due: VecDeque::new(),
            slots: (0..LEVELS * SLOTS).map(|_| Vec::new()).collect(),
            slot_mask: [0; LEVELS],
            level_mask: 0,
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

    /// Files `entry` (time > `last`) in its slot.
    #[inline(always)]
    fn file(&mut self, entry: Entry<E>) {
        let (level, digit) = place(entry.time, self.last);
        self.slots[level * SLOTS + digit].push(entry);
        self.slot_mask[level] |= 1 << digit;
        self.level_mask |= 1 << level;
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
        if time == self.last {
            self.due.push_back(entry);
        } else {
            self.file(entry);
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
        if self.level_mask == 0 {
            return None;
        }
        self.refill_due();
        Some(self.last)
    }

    /// `due` is exhausted and some slot is not: empties the lowest non-empty slot of the
    /// lowest non-empty level, moving the events at its minimum time into `due` and the
    /// others into lower levels.
    #[inline(never)]
    fn refill_due(&mut self) {
        let level = self.level_mask.trailing_zeros() as usize;
        let digit = self.slot_mask[level].trailing_zeros() as usize;
        self.slot_mask[level] &= !(1 << digit);
        if self.slot_mask[level] == 0 {
            self.level_mask &= !(1 << level);
        }
        let slot = level * SLOTS + digit;
        if self.slots[slot].len() == 1 {
            // Common with few pending events: the only event is the minimum; nothing moves.
            let e = self.slots[slot].pop().expect("length is 1");
            self.last = e.time;
            self.due.push_back(e);
            self.trim(slot);
            return;
        }
        if level == 0 {
            // Every digit agrees with `last` but the lowest, which is `digit`: one time.
            self.last = self.slots[slot][0].time;
            self.due.extend(self.slots[slot].drain(..));
        } else {
            let min = self.slots[slot]
                .iter()
                .map(|e| e.time)
                .min()
                .expect("slot is non-empty");
            self.last = min;
            // Every event here agrees with `min` above digit `level`, so it lands in `due`
            // or at a lower level: drain the slot in place (it keeps its allocation) while
            // filing into the levels below it.
            let (lower, upper) = self.slots.split_at_mut(level * SLOTS);
            for e in upper[digit].drain(..) {
                if e.time == min {
                    self.due.push_back(e);
                } else {
                    let (l, d) = place(e.time, min);
                    lower[l * SLOTS + d].push(e);
                    self.slot_mask[l] |= 1 << d;
                    self.level_mask |= 1 << l;
                }
            }
        }
        self.trim(slot);
        // Events reach the same slot along different paths: restore FIFO among ties.
        if self.due.len() > 1 {
            self.due.make_contiguous().sort_unstable_by_key(|e| e.seq);
        }
    }

    /// An emptied slot keeps a small allocation for the next time it fills; a larger one is
    /// given back. Slots fill up in bursts: just before the time crosses a boundary of digit
    /// `k`, nearly every pending event differs from `last` in digit `k` and sits in one slot
    /// of level `k`. Each slot seeing such a burst once would keep room for every pending
    /// event, and the slots of the higher levels see their first burst only after minutes
    /// to hours: memory would creep up with the length of the run instead of following the
    /// number of pending events. Regrowing costs a few reallocations per burst.
    #[inline]
    fn trim(&mut self, slot: usize) {
        let slot = &mut self.slots[slot];
        if slot.capacity() > KEEP_SLOT_CAPACITY {
            slot.shrink_to(KEEP_SLOT_CAPACITY);
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

    #[test]
    fn matches_a_binary_heap_with_delays_across_every_level() {
        // Delays from 0 to 2^44 µs (log-uniform), so events start at every level and move
        // down through several; ties at the same instant still come out FIFO.
        let mut rng = RngStreams::new(11, 0).stream(StreamId::new(0, 1));
        let mut q = EventQueue::new();
        let mut reference = BinaryHeap::new();
        let mut seq = 0u64;
        let mut now = 0u64;
        for step in 0..300_000u64 {
            if step < 2000 || rng.random::<f64>() < 0.5 {
                let bits = rng.random_range(0..45u32);
                let delay = if rng.random::<f64>() < 0.2 {
                    0
                } else {
                    rng.random_range(0..=(1u64 << bits))
                };
                q.schedule(SimTime(now + delay), seq);
                reference.push(Reverse((now + delay, seq)));
                seq += 1;
            } else if let Some(Reverse((t, s))) = reference.pop() {
                assert_eq!(q.pop(), Some((SimTime(t), s)));
                now = t;
            }
            assert_eq!(q.len(), reference.len());
        }
        while let Some(Reverse((t, s))) = reference.pop() {
            assert_eq!(q.pop(), Some((SimTime(t), s)));
        }
        assert!(q.pop().is_none());
    }

    #[test]
    fn far_future_times_are_ordered() {
        let mut q = EventQueue::new();
        for (i, t) in [u64::MAX, 1 << 63, (1 << 63) - 1, 1 << 40, 3]
            .iter()
            .enumerate()
        {
            q.schedule(SimTime(*t), i);
        }
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, [4, 3, 2, 1, 0]);
    }
}
