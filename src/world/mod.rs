//! The simulated world: users at sites, the network, regions with their serving instances.
//!
//! [`simulate`] runs one replication of a scenario. Per request the engine handles a fixed
//! handful of events — the user sends, the request reaches its region, the first token, the
//! last token — never one per output token (see [`serving`]).

pub mod arrivals;
pub mod least_loaded;
pub mod network;
pub mod serving;
pub mod throttle;
pub mod tokens;

mod region;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use rand::Rng;
use rand_distr::{Distribution, Exp1};
use rand_pcg::Pcg64Mcg;

use crate::catalog::Continent;
use crate::engine::{EventQueue, RngStreams, SimTime, StreamId};
use crate::metrics::{LatencyHistogram, LatencySet, Outcomes, ReplicationMetrics};
use crate::routing::{self, RoutingContext, RoutingPolicy};
use crate::scenario::Scenario;

use arrivals::{LocalClock, SiteArrivals};
use network::NetworkModel;
use region::RegionServer;
use tokens::TokenSampler;

/// Random stream purposes. Each has its own generator per index, so changing one purpose's
/// consumption (e.g. a routing policy) never shifts another's numbers.
pub mod streams {
    pub const ARRIVALS: u64 = 1;
    pub const TOKENS: u64 = 2;
    pub const NETWORK: u64 = 3;
    pub const ROUTING: u64 = 4;
    pub const SERVICE: u64 = 5;
}

/// Events of the world.
#[derive(Debug, Clone, Copy)]
enum Event {
    /// A user at this site sends a request.
    UserSends { site: u32 },
    /// A request reaches its region's load balancer.
    ReachesRegion { request: u32 },
    /// An instance reaches its next milestone (stale unless `generation` is current).
    InstanceMilestone {
        region: u32,
        instance: u32,
        generation: u32,
    },
}

/// A request in flight. Lives in a slab and is recycled when it ends, so memory follows the
/// number of requests in flight, not the number simulated.
#[derive(Debug, Clone, Copy, Default)]
struct Request {
    sent: SimTime,
    at_region: SimTime,
    return_leg: SimTime,
    prompt_tokens: u32,
    output_tokens: u32,
    site: u32,
    region: u32,
    measured: bool,
    live: bool,
}

struct SiteState {
    arrivals: SiteArrivals,
    continent: Continent,
    tokens_rng: Pcg64Mcg,
    network_rng: Pcg64Mcg,
}

/// One replication's simulation state.
pub struct World<'s> {
    scenario: &'s Scenario,
    queue: EventQueue<Event>,
    sites: Vec<SiteState>,
    regions: Vec<RegionServer>,
    routing: Box<dyn RoutingPolicy>,
    expected_rtt_ms: Vec<Vec<f64>>,
    prompt: TokenSampler,
    output: TokenSampler,
    requests: Vec<Request>,
    free: Vec<u32>,
    warmup: SimTime,
    end: SimTime,
    metrics: ReplicationMetrics,
    scratch_done: Vec<region::Done>,
    scratch_expired: Vec<u32>,
}

/// Runs replication `replication` of `scenario` and returns what it measured.
pub fn simulate(scenario: &Scenario, replication: u32) -> ReplicationMetrics {
    let mut world = World::new(scenario, replication);
    world.run();
    world.finish()
}

/// Events processed between two looks at the cancel flag: often enough to stop within a
/// millisecond, rarely enough to cost nothing.
const CANCEL_CHECK_EVENTS: u64 = 4096;

/// Like [`simulate`], but gives up (returning `None`) soon after `cancel` becomes true.
pub fn simulate_cancellable(
    scenario: &Scenario,
    replication: u32,
    cancel: &AtomicBool,
) -> Option<ReplicationMetrics> {
    let mut world = World::new(scenario, replication);
    world.start();
    loop {
        if cancel.load(Ordering::Relaxed) {
            return None;
        }
        if !world.step(CANCEL_CHECK_EVENTS) {
            break;
        }
    }
    Some(world.finish())
}

impl<'s> World<'s> {
    pub fn new(scenario: &'s Scenario, replication: u32) -> World<'s> {
        let streams = RngStreams::new(scenario.simulation.seed, u64::from(replication));
        let sim = &scenario.simulation;
        let warmup = sim.warmup;
        let end = sim.warmup + sim.duration;
        let net = NetworkModel::new(scenario.network);
        let expected_rtt_ms: Vec<Vec<f64>> = scenario
            .traffic
            .sites
            .iter()
            .map(|s| {
                scenario
                    .deployments
                    .iter()
                    .map(|d| {
                        net.site_region_rtt_ms(
                            (s.site.lat_deg, s.site.lon_deg),
                            (d.region.lat_deg, d.region.lon_deg),
                        )
                    })
                    .collect()
            })
            .collect();
        let sites: Vec<SiteState> = scenario
            .traffic
            .sites
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let i = i as u64;
                let clock = LocalClock::new(sim.start_utc_hour, warmup, s.site.utc_offset_hours);
                SiteState {
                    arrivals: SiteArrivals::new(
                        scenario.traffic.total_rate_rps * s.share,
                        scenario.traffic.diurnal.clone(),
                        clock,
                        scenario.traffic.burstiness,
                        streams.stream(StreamId::new(streams::ARRIVALS, i)),
                    ),
                    continent: s.site.continent,
                    tokens_rng: streams.stream(StreamId::new(streams::TOKENS, i)),
                    network_rng: streams.stream(StreamId::new(streams::NETWORK, i)),
                }
            })
            .collect();
        let regions: Vec<RegionServer> = scenario
            .deployments
            .iter()
            .enumerate()
            .map(|(i, d)| {
                RegionServer::new(
                    d,
                    sim,
                    streams.stream(StreamId::new(streams::SERVICE, i as u64)),
                )
            })
            .collect();
        let routing = routing::build(
            &scenario.routing,
            &RoutingContext {
                expected_rtt_ms: &expected_rtt_ms,
            },
            streams.stream(StreamId::new(streams::ROUTING, 0)),
        );
        let metrics = ReplicationMetrics {
            outcomes: Outcomes::default(),
            latency: LatencySet::default(),
            queue_wait: LatencyHistogram::new(),
            waited: 0,
            regions: Vec::new(),
            continents: BTreeMap::new(),
            events: 0,
            requests_simulated: 0,
        };
        World {
            scenario,
            queue: EventQueue::new(),
            sites,
            regions,
            routing,
            expected_rtt_ms,
            prompt: TokenSampler::new(&scenario.requests.prompt_tokens),
            output: TokenSampler::new(&scenario.requests.output_tokens),
            requests: Vec::new(),
            free: Vec::new(),
            warmup,
            end,
            metrics,
            scratch_done: Vec::new(),
            scratch_expired: Vec::new(),
        }
    }

    /// Processes events until the end of the measured window.
    pub fn run(&mut self) {
        self.start();
        while self.step(u64::MAX) {}
    }

    /// Schedules every site's first request.
    fn start(&mut self) {
        for site in 0..self.sites.len() {
            self.schedule_next_send(site as u32, SimTime::ZERO);
        }
    }

    /// Processes up to `max_events` events; `false` once the run has reached its end.
    fn step(&mut self, max_events: u64) -> bool {
        for _ in 0..max_events {
            let Some((now, event)) = self.queue.pop_before(self.end) else {
                return false;
            };
            match event {
                Event::UserSends { site } => self.on_user_sends(now, site),
                Event::ReachesRegion { request } => self.on_reaches_region(now, request),
                Event::InstanceMilestone {
                    region,
                    instance,
                    generation,
                } => self.on_milestone(now, region, instance, generation),
            }
        }
        true
    }

    fn schedule_next_send(&mut self, site: u32, _now: SimTime) {
        if let Some(t) = self.sites[site as usize].arrivals.next_arrival(self.end) {
            self.queue.schedule(t, Event::UserSends { site });
        }
    }

    fn alloc(&mut self, r: Request) -> u32 {
        match self.free.pop() {
            Some(id) => {
                self.requests[id as usize] = r;
                id
            }
            None => {
                self.requests.push(r);
                (self.requests.len() - 1) as u32
            }
        }
    }

    fn release(&mut self, id: u32) {
        self.requests[id as usize].live = false;
        self.free.push(id);
    }

    fn on_user_sends(&mut self, now: SimTime, site: u32) {
        self.schedule_next_send(site, now);
        self.metrics.requests_simulated += 1;
        let region = self.routing.choose(site as usize);
        let jitter_mean_ms = self.scenario.network.jitter_ms;
        let handshake_rtts = self.scenario.network.handshake_rtts;
        let new_conn_share = self.scenario.network.new_connection_share;
        let s = &mut self.sites[site as usize];
        let prompt_tokens = self.prompt.sample(&mut s.tokens_rng);
        let output_tokens = self.output.sample(&mut s.tokens_rng);
        let jitter: f64 = Exp1.sample(&mut s.network_rng);
        let rtt_ms = self.expected_rtt_ms[site as usize][region] + jitter * jitter_mean_ms;
        let setup_ms = if s.network_rng.random::<f64>() < new_conn_share {
            handshake_rtts * rtt_ms
        } else {
            0.0
        };
        let continent = s.continent;
        let measured = now >= self.warmup;
        let one_way = SimTime::from_ms_ceil(rtt_ms / 2.0);
        let at_region = now + SimTime::from_ms_ceil(setup_ms) + one_way;
        let id = self.alloc(Request {
            sent: now,
            at_region,
            return_leg: one_way,
            prompt_tokens,
            output_tokens,
            site,
            region: region as u32,
            measured,
            live: true,
        });
        if measured {
            self.metrics.outcomes.generated += 1;
            self.regions[region].metrics.outcomes.generated += 1;
            self.metrics
                .continents
                .entry(continent)
                .or_default()
                .outcomes
                .generated += 1;
        }
        self.queue
            .schedule(at_region, Event::ReachesRegion { request: id });
    }

    fn on_reaches_region(&mut self, now: SimTime, id: u32) {
        let r = self.requests[id as usize];
        let region = r.region as usize;
        let mut expired = std::mem::take(&mut self.scratch_expired);
        let admitted =
            self.regions[region].arrive(now, id, r.prompt_tokens, r.measured, &mut expired);
        for e in expired.drain(..) {
            self.finish_timed_out(e);
        }
        self.scratch_expired = expired;
        match admitted {
            region::Arrival::Started { instance } => self.reschedule(now, region, instance),
            region::Arrival::Queued => {}
            region::Arrival::Rejected => self.finish_unserved(id, |o| &mut o.rejected),
            region::Arrival::Throttled => self.finish_unserved(id, |o| &mut o.throttled),
        }
    }

    fn on_milestone(&mut self, now: SimTime, region: u32, instance: u32, generation: u32) {
        let ri = region as usize;
        let mut done = std::mem::take(&mut self.scratch_done);
        if !self.regions[ri].milestone(now, instance as usize, generation, &mut done) {
            self.scratch_done = done;
            return;
        }
        for d in done.drain(..) {
            match d {
                region::Done::FirstToken { request } => {
                    self.on_first_token(now, ri, instance as usize, request)
                }
                region::Done::LastToken { request } => {
                    self.on_last_token(now, ri, instance as usize, request)
                }
            }
        }
        self.scratch_done = done;
        let mut expired = std::mem::take(&mut self.scratch_expired);
        self.regions[ri].refill(now, instance as usize, &mut expired);
        for e in expired.drain(..) {
            self.finish_timed_out(e);
        }
        self.scratch_expired = expired;
        self.reschedule(now, ri, instance as usize);
    }

    fn on_first_token(&mut self, now: SimTime, region: usize, instance: usize, id: u32) {
        let r = self.requests[id as usize];
        let deadline = r.at_region + self.regions[region].timeout();
        if now > deadline {
            // The gateway gave up before the first byte; the server aborts the sequence at
            // its first write to the closed connection.
            self.regions[region].abort(now, instance);
            self.finish_timed_out(id);
            return;
        }
        let ttft_us = (now + r.return_leg).saturating_since(r.sent).as_us();
        if r.measured {
            self.metrics.latency.ttft.record_us(ttft_us);
            self.regions[region].metrics.latency.ttft.record_us(ttft_us);
            let c = self.sites[r.site as usize].continent;
            self.metrics
                .continents
                .entry(c)
                .or_default()
                .latency
                .ttft
                .record_us(ttft_us);
        }
        if !self.regions[region].decode(instance, id, r.output_tokens) {
            self.on_last_token(now, region, instance, id);
        }
    }

    fn on_last_token(&mut self, now: SimTime, region: usize, instance: usize, id: u32) {
        let r = self.requests[id as usize];
        self.regions[region].complete(now, instance, r.prompt_tokens, r.output_tokens, r.measured);
        if r.measured {
            let e2e_us = (now + r.return_leg).saturating_since(r.sent).as_us();
            let c = self.sites[r.site as usize].continent;
            self.metrics.outcomes.completed += 1;
            self.metrics.latency.e2e.record_us(e2e_us);
            let rm = &mut self.regions[region].metrics;
            rm.outcomes.completed += 1;
            rm.latency.e2e.record_us(e2e_us);
            let cm = self.metrics.continents.entry(c).or_default();
            cm.outcomes.completed += 1;
            cm.latency.e2e.record_us(e2e_us);
        }
        self.release(id);
    }

    /// Books a request that ended without being served, under `outcome` (a field of
    /// [`Outcomes`]), in the totals, its region and its users' continent.
    fn finish_unserved(&mut self, id: u32, outcome: fn(&mut Outcomes) -> &mut u64) {
        let r = self.requests[id as usize];
        if r.measured {
            *outcome(&mut self.metrics.outcomes) += 1;
            *outcome(&mut self.regions[r.region as usize].metrics.outcomes) += 1;
            let c = self.sites[r.site as usize].continent;
            *outcome(&mut self.metrics.continents.entry(c).or_default().outcomes) += 1;
        }
        self.release(id);
    }

    fn finish_timed_out(&mut self, id: u32) {
        self.finish_unserved(id, |o| &mut o.timed_out);
    }

    fn reschedule(&mut self, now: SimTime, region: usize, instance: usize) {
        if let Some((at, generation)) = self.regions[region].reschedule(now, instance) {
            self.queue.schedule(
                at,
                Event::InstanceMilestone {
                    region: region as u32,
                    instance: instance as u32,
                    generation,
                },
            );
        }
    }

    /// Closes the books: counts what is still in flight and collects the metrics.
    pub fn finish(mut self) -> ReplicationMetrics {
        let mut in_flight_by_region = vec![0u64; self.regions.len()];
        for r in self.requests.iter().filter(|r| r.live && r.measured) {
            self.metrics.outcomes.in_flight_at_end += 1;
            in_flight_by_region[r.region as usize] += 1;
            let c = self.sites[r.site as usize].continent;
            self.metrics
                .continents
                .entry(c)
                .or_default()
                .outcomes
                .in_flight_at_end += 1;
        }
        self.metrics.events = self.queue.events_processed();
        let duration_h = self.scenario.simulation.duration.as_secs_f64() / 3600.0;
        for (server, in_flight) in self.regions.into_iter().zip(in_flight_by_region) {
            let mut m = server.into_metrics(duration_h);
            m.outcomes.in_flight_at_end = in_flight;
            self.metrics.queue_wait.merge(&m.queue_wait);
            self.metrics.regions.push(m);
        }
        self.metrics.waited = self.metrics.regions.iter().map(|m| m.waited).sum();
        self.metrics
    }
}
