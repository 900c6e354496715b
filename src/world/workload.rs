//! Where a site's requests come from: drawn open-loop arrivals, a replayed trace, or
//! closed-loop virtual users.

use rand_distr::{Distribution, Exp};
use rand_pcg::Pcg64Mcg;

use super::arrivals::SiteArrivals;
use crate::engine::{RngStreams, SimTime, StreamId};
use crate::scenario::{ClosedLoop, TraceReplay};

/// The request source of one site.
// One per site, and the big variant is the common one: boxing it would add an indirection
// to every synthetic arrival to save a few hundred bytes per replay site.
#[allow(clippy::large_enum_variant)]
pub(super) enum SiteSource<'s> {
    /// Open-loop non-homogeneous Poisson arrivals (the synthetic process).
    Poisson(SiteArrivals),
    /// This site's part of a replayed trace.
    Trace(TraceCursor<'s>),
    /// Virtual users: a request is sent when the previous reply (plus think time) arrives.
    Closed(ClosedUsers),
}

impl SiteSource<'_> {
    /// The next open-loop arrival, or `None` (always for closed-loop users: their sends are
    /// scheduled by replies).
    pub(super) fn next_arrival(&mut self, end: SimTime) -> Option<SimTime> {
        match self {
            SiteSource::Poisson(a) => a.next_arrival(end),
            SiteSource::Trace(t) => t.next_arrival(end),
            SiteSource::Closed(_) => None,
        }
    }

    /// Token counts the trace gives the arrival scheduled last; `None` when they are drawn.
    pub(super) fn trace_tokens(&self) -> Option<(u32, u32)> {
        match self {
            SiteSource::Trace(t) => Some(t.pending_tokens),
            _ => None,
        }
    }
}

/// Least time a closed-loop user waits after an error before its next request (its think
/// time if longer). An assumption: clients back off after errors rather than spin.
pub(super) const ERROR_PAUSE: SimTime = SimTime(1_000_000);

/// Closed-loop users of a site.
pub(super) struct ClosedUsers {
    pub(super) users: u32,
    think: Option<Exp<f64>>,
    rng: Pcg64Mcg,
}

impl ClosedUsers {
    pub(super) fn new(c: ClosedLoop, rng: Pcg64Mcg) -> ClosedUsers {
        ClosedUsers {
            users: c.virtual_users,
            think: (c.think_mean_s > 0.0)
                .then(|| Exp::new(1.0 / c.think_mean_s).expect("validated: think > 0, finite")),
            rng,
        }
    }

    /// A think time: exponential with the configured mean, or zero.
    pub(super) fn think(&mut self) -> SimTime {
        match &self.think {
            Some(d) => SimTime::from_secs_ceil(d.sample(&mut self.rng)),
            None => SimTime::ZERO,
        }
    }
}

/// Walks the trace for one site: the rows assigned to it, shifted and sped up, looping if
/// asked.
pub(super) struct TraceCursor<'s> {
    replay: &'s TraceReplay,
    site: u32,
    /// Cumulative shares of the open-loop sites (index-aligned with all sites).
    cumulative_share: Vec<f64>,
    streams: RngStreams,
    /// Trace ns this site replays early; wrapped into one period when looping.
    shift_ns: i128,
    pass: u64,
    row: usize,
    done: bool,
    pending_tokens: (u32, u32),
}

impl<'s> TraceCursor<'s> {
    pub(super) fn new(
        replay: &'s TraceReplay,
        site: u32,
        shares: &[f64],
        streams: RngStreams,
    ) -> TraceCursor<'s> {
        let mut acc = 0.0;
        let cumulative_share = shares
            .iter()
            .map(|s| {
                acc += s;
                acc
            })
            .collect();
        let shift = i128::from(replay.shift_ns[site as usize]);
        let shift_ns = if replay.looping {
            shift.rem_euclid(i128::from(replay.trace.period_ns()))
        } else {
            shift
        };
        TraceCursor {
            replay,
            site,
            cumulative_share,
            streams,
            shift_ns,
            pass: 0,
            row: 0,
            done: false,
            pending_tokens: (0, 0),
        }
    }

    /// Which site row `row` of pass `pass` belongs to.
    fn owner(&self, pass: u64, row: usize) -> u32 {
        if let Some(sites) = &self.replay.site_of_row {
            return sites[row];
        }
        let n = self.replay.trace.len() as u64;
        let u = self.streams.uniform_at(StreamId::new(
            super::streams::TRACE,
            pass.wrapping_mul(n).wrapping_add(row as u64),
        ));
        // Shares sum to 1 up to rounding: the last open site takes what rounding leaves.
        let mut last_open = 0;
        for (i, c) in self.cumulative_share.iter().enumerate() {
            if self.share_of(i) > 0.0 {
                last_open = i as u32;
                if u < *c {
                    return i as u32;
                }
            }
        }
        last_open
    }

    fn share_of(&self, i: usize) -> f64 {
        let prev = if i == 0 {
            0.0
        } else {
            self.cumulative_share[i - 1]
        };
        self.cumulative_share[i] - prev
    }

    fn next_arrival(&mut self, end: SimTime) -> Option<SimTime> {
        let trace = &self.replay.trace;
        let n = trace.len();
        let period = i128::from(trace.period_ns());
        while !self.done {
            if self.row == n {
                if !self.replay.looping {
                    self.done = true;
                    break;
                }
                self.pass += 1;
                self.row = 0;
            }
            let row = self.row;
            self.row += 1;
            let t_ns =
                i128::from(self.pass) * period + i128::from(trace.offsets_ns[row]) - self.shift_ns;
            if t_ns < 0 {
                continue;
            }
            // Whole µs, rounded down: with speed-up 1 a request lands in the same minute
            // (second, µs) of the run as in the trace, so per-minute counts replay exactly.
            let t_us = if self.replay.speedup == 1.0 {
                (t_ns / 1000) as u64
            } else {
                (t_ns as f64 / self.replay.speedup / 1000.0).floor() as u64
            };
            if t_us >= end.as_us() {
                self.done = true;
                break;
            }
            if self.owner(self.pass, row) == self.site {
                self.pending_tokens = (trace.prompt_tokens[row], trace.output_tokens[row]);
                return Some(SimTime(t_us));
            }
        }
        None
    }
}

/// One request an open-loop site sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SentRequest {
    pub at: SimTime,
    pub site: u32,
    pub prompt_tokens: u32,
    pub output_tokens: u32,
}

/// The requests the open-loop sites (drawn or replayed) of `scenario` send in replication
/// `replication`, in time order (ties by site), warm-up included — the same times and token
/// counts a run sees, since they come from the same streams in the same order. Closed-loop
/// sites are left out: when they send depends on the service. For tests and diagnostics; it
/// holds every request in memory.
pub fn open_loop_arrivals(
    scenario: &crate::scenario::Scenario,
    replication: u32,
) -> Vec<SentRequest> {
    let mut world = super::World::new(scenario, replication);
    let end = world.end;
    let mut out = Vec::new();
    for (site, s) in world.sites.iter_mut().enumerate() {
        while let Some(at) = s.arrivals.next_arrival(end) {
            let (prompt_tokens, output_tokens) = match s.arrivals.trace_tokens() {
                Some(t) => t,
                None => (
                    world.prompt.sample(&mut s.tokens_rng),
                    world.output.sample(&mut s.tokens_rng),
                ),
            };
            out.push(SentRequest {
                at,
                site: site as u32,
                prompt_tokens,
                output_tokens,
            });
        }
    }
    out.sort_unstable();
    out
}
