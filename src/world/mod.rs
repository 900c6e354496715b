//! The simulated world: users at sites, the network, regions with their serving instances.
//!
//! [`simulate`] runs one replication of a scenario. Per request the engine handles a fixed
//! handful of events — the user sends, the request reaches its region, the first token, the
//! last token — never one per output token (see [`serving`]).

pub mod arrivals;
pub mod faults;
pub mod frontend;
pub mod health;
pub mod least_loaded;
pub mod managed;
pub mod network;
pub mod serving;
pub mod throttle;
pub mod tokens;
mod workload;

mod region;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use rand::Rng;
use rand_distr::{Distribution, Exp1};
use rand_pcg::Pcg64Mcg;

use crate::catalog::Continent;
use crate::engine::{EventQueue, RngStreams, SimTime, StreamId};
use crate::metrics::{
    CellGrid, ContinentMetrics, FaultObservation, LatencyHistogram, LatencySet, Outcomes,
    ReplicationMetrics, SuccessSeries, Timelines,
};
use crate::routing::{self, DnsCache, RoutingContext, RoutingPolicy};
use crate::scenario::{FaultKind, Scenario};

use arrivals::{LocalClock, SiteArrivals};
use faults::FaultState;
use health::HealthMonitor;
use network::NetworkModel;
use region::RegionServer;
use tokens::TokenSampler;
pub use workload::{SentRequest, open_loop_arrivals};

/// Random stream purposes. Each has its own generator per index, so changing one purpose's
/// consumption (e.g. a routing policy) never shifts another's numbers.
pub mod streams {
    pub const ARRIVALS: u64 = 1;
    pub const TOKENS: u64 = 2;
    pub const NETWORK: u64 = 3;
    pub const ROUTING: u64 = 4;
    pub const SERVICE: u64 = 5;
    pub const DNS: u64 = 6;
    pub const FAULTS: u64 = 7;
    pub const RETRY: u64 = 8;
    pub const SPILL: u64 = 9;
    /// Which site each trace row goes to (counter-based, one draw per pass and row).
    pub const TRACE: u64 = 10;
    /// Think times of closed-loop users, one stream per site.
    pub const THINK: u64 = 11;
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
    /// A client tries a failed request again.
    Retry { request: u32 },
    /// A scenario fault starts (`active`) or ends.
    FaultChange { fault: u32, active: bool },
    /// A health checker probes a region.
    HealthProbe { region: u32, checker: u32 },
    /// A managed API sends the first token (stale unless `admission` is current).
    ManagedFirstToken { request: u32, admission: u32 },
    /// A managed API sends the last token.
    ManagedLastToken { request: u32, admission: u32 },
    /// A region's autoscaler evaluates its target.
    ScaleCheck { region: u32 },
    /// A launched instance has loaded its model and starts serving.
    InstanceReady { region: u32 },
    /// A scheduled action changes a region's autoscaling range.
    ScheduledAction { region: u32, action: u32 },
}

/// Number of [`Continent`] variants (the length of `World::continents`).
const CONTINENTS: usize = 6;

/// `Request::via_frontend` when no front end is involved.
const NO_FRONTEND: u32 = u32::MAX;

/// Why an attempt failed; each maps to an [`Outcomes`] field if it is the last attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    Throttled,
    Rejected,
    TimedOut,
    Failed,
}

impl Failure {
    fn outcome(self) -> fn(&mut Outcomes) -> &mut u64 {
        match self {
            Failure::Throttled => |o| &mut o.throttled,
            Failure::Rejected => |o| &mut o.rejected,
            Failure::TimedOut => |o| &mut o.timed_out,
            Failure::Failed => |o| &mut o.failed,
        }
    }
}

/// A request in flight. Lives in a slab and is recycled when it ends, so memory follows the
/// number of requests in flight, not the number simulated.
///
/// Aligned to a 64-byte cache line: the struct is 56 bytes, so unaligned most requests
/// straddled two lines, and the request slab (tens of thousands in flight on a global
/// scenario, megabytes) is read at random — a cache miss per line, the largest single cost
/// in a profile of the 15-region benchmark.
#[derive(Debug, Clone, Copy, Default)]
#[repr(align(64))]
struct Request {
    sent: SimTime,
    at_region: SimTime,
    return_leg: SimTime,
    prompt_tokens: u32,
    output_tokens: u32,
    site: u32,
    region: u32,
    /// Attempts made so far (1 after the first send).
    attempts: u32,
    /// Managed APIs: the admission this request's pending events belong to; events of an
    /// earlier admission (lost in an outage, or a recycled slot) are stale.
    admission: u32,
    /// Being served by a managed API right now.
    in_managed: bool,
    /// Front end (deployment index) holding an execution environment for this attempt, or
    /// `NO_FRONTEND`.
    via_frontend: u32,
    measured: bool,
    live: bool,
}

struct SiteState<'s> {
    arrivals: workload::SiteSource<'s>,
    continent: Continent,
    tokens_rng: Pcg64Mcg,
    network_rng: Pcg64Mcg,
}

/// One replication's simulation state.
pub struct World<'s> {
    scenario: &'s Scenario,
    queue: EventQueue<Event>,
    sites: Vec<SiteState<'s>>,
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
    /// Per-continent metrics indexed by `Continent as usize`, created on first use and moved
    /// into `metrics.continents` (a `BTreeMap`) by [`World::finish`]: a map look-up on every
    /// record was about a tenth of the instructions per request.
    continents: [Option<Box<ContinentMetrics>>; CONTINENTS],
    scratch_done: Vec<region::Done>,
    scratch_expired: Vec<u32>,
    faults: FaultState,
    health: Option<HealthMonitor>,
    /// Health as the routing sees it: from the monitor, or all healthy without checks.
    healthy: Vec<bool>,
    dns: Option<DnsCache>,
    dns_rng: Pcg64Mcg,
    fault_rng: Pcg64Mcg,
    retry_rng: Pcg64Mcg,
    spill_rng: Pcg64Mcg,
    /// Per site, the regions residency rules allow (`None`: unrestricted).
    allowed: Vec<Option<Vec<bool>>>,
    /// Mean per-request jitter on the path in use, ms.
    jitter_ms: f64,
    /// Measured region-to-region RTT for cross-region inference, ms.
    region_rtt_ms: Vec<Vec<f64>>,
    next_admission: u32,
    /// Serverless front ends, index-aligned with the deployments.
    frontends: Vec<Option<frontend::FrontendState>>,
}

/// `f((site lat, lon), (region lat, lon))` for every user site (rows) and deployment (columns).
fn per_site_and_region(
    scenario: &Scenario,
    f: impl Fn((f64, f64), (f64, f64)) -> f64,
) -> Vec<Vec<f64>> {
    scenario
        .traffic
        .sites
        .iter()
        .map(|s| {
            scenario
                .deployments
                .iter()
                .map(|d| {
                    f(
                        (s.site.lat_deg, s.site.lon_deg),
                        (d.region.lat_deg, d.region.lon_deg),
                    )
                })
                .collect()
        })
        .collect()
}

/// Every continent at its `as usize` index.
const CONTINENT_ORDER: [Continent; CONTINENTS] = [
    Continent::NorthAmerica,
    Continent::SouthAmerica,
    Continent::Europe,
    Continent::Asia,
    Continent::Oceania,
    Continent::Africa,
];

/// The metrics of users on continent `c`, created empty on first use.
#[inline]
fn continent_metrics(
    slots: &mut [Option<Box<ContinentMetrics>>; CONTINENTS],
    c: Continent,
) -> &mut ContinentMetrics {
    slots[c as usize].get_or_insert_with(Default::default)
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
        // Anycast users ride the provider backbone from a nearby edge; everyone else the
        // public internet.
        let anycast = matches!(
            scenario.routing,
            crate::scenario::RoutingConfig::Anycast { .. }
        );
        let expected_rtt_ms = per_site_and_region(scenario, |site, region| {
            if anycast {
                net.anycast_rtt_ms(site, region)
            } else {
                net.site_region_rtt_ms(site, region)
            }
        });
        let region_rtt_ms = scenario.region_rtt_ms.clone();
        let jitter_ms = if anycast {
            scenario.network.jitter_ms * scenario.network.edge_jitter_share
        } else {
            scenario.network.jitter_ms
        };
        let shares: Vec<f64> = scenario.traffic.sites.iter().map(|s| s.share).collect();
        let sites: Vec<SiteState> = scenario
            .traffic
            .sites
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let i = i as u64;
                let clock = LocalClock::new(sim.start_utc_hour, warmup, s.site.utc_offset_hours);
                // Only open-loop synthetic sites draw from the arrival streams, in the same
                // order as ever: replay and closed-loop users leave them untouched.
                let arrivals = match (s.closed_loop, &scenario.traffic.trace) {
                    (Some(c), _) => workload::SiteSource::Closed(workload::ClosedUsers::new(
                        c,
                        streams.stream(StreamId::new(streams::THINK, i)),
                    )),
                    (None, Some(replay)) => workload::SiteSource::Trace(
                        workload::TraceCursor::new(replay, i as u32, &shares, streams),
                    ),
                    (None, None) => workload::SiteSource::Poisson(SiteArrivals::new(
                        scenario.traffic.total_rate_rps * s.share,
                        scenario.traffic.diurnal.clone(),
                        clock,
                        scenario.traffic.burstiness,
                        streams.stream(StreamId::new(streams::ARRIVALS, i)),
                    )),
                };
                SiteState {
                    arrivals,
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
        let distance_km = per_site_and_region(scenario, |site, region| {
            network::great_circle_km(site.0, site.1, region.0, region.1)
        });
        let allowed = crate::scenario::allowed_regions(
            &scenario.residency,
            scenario.traffic.sites.len(),
            scenario.deployments.len(),
        );
        let routing = routing::build(
            &scenario.routing,
            &RoutingContext {
                expected_rtt_ms: &expected_rtt_ms,
                distance_km: &distance_km,
                allowed: &allowed,
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
            retries: 0,
            residency_violations: 0,
            success: SuccessSeries::new(warmup, end),
            faults: vec![FaultObservation::default(); scenario.faults.len()],
            cells: match sim.cell_step {
                Some(step) => CellGrid::new(scenario.deployments.len(), warmup, end, step),
                None => CellGrid::default(),
            },
            timelines: Timelines::new(scenario),
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
            continents: Default::default(),
            scratch_done: Vec::new(),
            scratch_expired: Vec::new(),
            faults: FaultState::new(scenario.deployments.len()),
            health: scenario
                .health_check
                .as_ref()
                .map(|h| HealthMonitor::new(h, scenario.deployments.len())),
            healthy: vec![true; scenario.deployments.len()],
            dns: scenario
                .dns
                .as_ref()
                .map(|d| DnsCache::new(d, scenario.traffic.sites.len())),
            dns_rng: streams.stream(StreamId::new(streams::DNS, 0)),
            fault_rng: streams.stream(StreamId::new(streams::FAULTS, 0)),
            retry_rng: streams.stream(StreamId::new(streams::RETRY, 0)),
            spill_rng: streams.stream(StreamId::new(streams::SPILL, 0)),
            allowed,
            jitter_ms,
            region_rtt_ms,
            next_admission: 0,
            frontends: scenario
                .deployments
                .iter()
                .map(|d| d.frontend.as_ref().map(frontend::FrontendState::new))
                .collect(),
        }
    }

    /// Processes events until the end of the measured window.
    pub fn run(&mut self) {
        self.start();
        while self.step(u64::MAX) {}
    }

    /// Schedules every site's first request, the faults and the first health probes.
    fn start(&mut self) {
        for site in 0..self.sites.len() {
            if let workload::SiteSource::Closed(users) = &mut self.sites[site].arrivals {
                // Users start one think time apart from the start, not all at once.
                for _ in 0..users.users {
                    let at = users.think();
                    self.queue
                        .schedule(at, Event::UserSends { site: site as u32 });
                }
            } else {
                self.schedule_next_send(site as u32, SimTime::ZERO);
            }
        }
        for (i, f) in self.scenario.faults.iter().enumerate() {
            self.queue.schedule(
                f.start,
                Event::FaultChange {
                    fault: i as u32,
                    active: true,
                },
            );
            self.queue.schedule(
                f.end,
                Event::FaultChange {
                    fault: i as u32,
                    active: false,
                },
            );
        }
        for (region, d) in self.scenario.deployments.iter().enumerate() {
            for (action, a) in d
                .self_hosted()
                .map_or(&[][..], |h| &h.scheduled_actions)
                .iter()
                .enumerate()
            {
                for t in &a.times {
                    self.queue.schedule(
                        *t,
                        Event::ScheduledAction {
                            region: region as u32,
                            action: action as u32,
                        },
                    );
                }
            }
        }
        for region in 0..self.regions.len() {
            if let Some(period) = self.regions[region].autoscaling_period() {
                self.queue.schedule(
                    period,
                    Event::ScaleCheck {
                        region: region as u32,
                    },
                );
            }
        }
        if let Some(h) = &self.health {
            for region in 0..self.regions.len() {
                for checker in 0..h.checkers() {
                    let at = h.first_probe(checker);
                    self.queue.schedule(
                        at,
                        Event::HealthProbe {
                            region: region as u32,
                            checker: checker as u32,
                        },
                    );
                }
            }
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
                Event::Retry { request } => self.send_attempt(now, request),
                Event::FaultChange { fault, active } => {
                    self.on_fault_change(now, fault as usize, active)
                }
                Event::HealthProbe { region, checker } => {
                    self.on_health_probe(now, region as usize, checker as usize)
                }
                Event::ScaleCheck { region } => self.on_scale_check(now, region as usize),
                Event::InstanceReady { region } => self.on_instance_ready(now, region as usize),
                Event::ScheduledAction { region, action } => {
                    self.on_scheduled_action(now, region as usize, action as usize)
                }
                Event::ManagedFirstToken { request, admission } => {
                    self.on_managed_first_token(now, request, admission)
                }
                Event::ManagedLastToken { request, admission } => {
                    self.on_managed_last_token(now, request, admission)
                }
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
        // Read before the next arrival is scheduled: scheduling moves the trace on.
        let replayed = self.sites[site as usize].arrivals.trace_tokens();
        self.schedule_next_send(site, now);
        self.metrics.requests_simulated += 1;
        let s = &mut self.sites[site as usize];
        let (prompt_tokens, output_tokens) = match replayed {
            Some(tokens) => tokens,
            None => (
                self.prompt.sample(&mut s.tokens_rng),
                self.output.sample(&mut s.tokens_rng),
            ),
        };
        let continent = s.continent;
        let measured = now >= self.warmup;
        let id = self.alloc(Request {
            sent: now,
            at_region: now,
            return_leg: SimTime::ZERO,
            prompt_tokens,
            output_tokens,
            site,
            region: 0,
            attempts: 0,
            admission: u32::MAX,
            in_managed: false,
            via_frontend: NO_FRONTEND,
            measured,
            live: true,
        });
        if measured {
            self.metrics.outcomes.generated += 1;
            continent_metrics(&mut self.continents, continent)
                .outcomes
                .generated += 1;
        }
        self.send_attempt(now, id);
    }

    /// The region a user's query resolves to now: through its resolver's cache if DNS
    /// caching is modelled, else straight from the policy.
    fn resolve(&mut self, now: SimTime, site: usize) -> usize {
        let routing = &mut self.routing;
        let healthy = &self.healthy;
        match &mut self.dns {
            Some(cache) => {
                let resolver = self.dns_rng.random_range(0..cache.resolvers_per_site());
                cache.resolve(site, resolver, now, || routing.choose(site, now, healthy))
            }
            None => routing.choose(site, now, healthy),
        }
    }

    /// Sends (or re-sends) request `id`: resolve, cross the network, reach the region.
    fn send_attempt(&mut self, now: SimTime, id: u32) {
        let site = self.requests[id as usize].site as usize;
        let region = self.resolve(now, site);
        let net = &self.scenario.network;
        let s = &mut self.sites[site];
        let jitter: f64 = Exp1.sample(&mut s.network_rng);
        let rtt_ms = self.expected_rtt_ms[site][region] + jitter * self.jitter_ms;
        let r = &mut self.requests[id as usize];
        r.attempts += 1;
        // A retry opens a new connection; a first attempt does with the configured share.
        let new_connection =
            r.attempts > 1 || s.network_rng.random::<f64>() < net.new_connection_share;
        let setup_ms = if new_connection {
            net.handshake_rtts * rtt_ms
        } else {
            0.0
        };
        let one_way = SimTime::from_ms_ceil(rtt_ms / 2.0);
        r.region = region as u32;
        r.return_leg = one_way;
        r.at_region = now + SimTime::from_ms_ceil(setup_ms) + one_way;
        let at = r.at_region;
        self.queue
            .schedule(at, Event::ReachesRegion { request: id });
    }

    /// An attempt failed: the client retries after a backoff if its policy allows, else the
    /// request ends as `failure`.
    fn attempt_failed(&mut self, now: SimTime, id: u32, failure: Failure) {
        self.leave_frontend(now, id);
        let policy = self.scenario.retry;
        let r = self.requests[id as usize];
        if r.attempts < policy.max_attempts {
            // Full jitter (botocore standard mode): uniform in [0, min(cap, base × 2^(k−1))].
            let ceiling_ms = (policy.backoff_base_ms * 2f64.powi(r.attempts as i32 - 1))
                .min(policy.backoff_cap_ms);
            let backoff = SimTime::from_ms_ceil(self.retry_rng.random::<f64>() * ceiling_ms);
            // The client learns of the failure one way-trip later.
            let at = now + r.return_leg + backoff;
            if at.saturating_since(r.sent) <= policy.deadline {
                self.metrics.retries += 1;
                self.queue.schedule(at, Event::Retry { request: id });
                return;
            }
        }
        self.finish_unserved(now, id, failure.outcome());
    }

    fn on_reaches_region(&mut self, now: SimTime, id: u32) {
        let r = self.requests[id as usize];
        let region = r.region as usize;
        // A forwarded request travels from its front end's region, not from the user.
        let from = match r.via_frontend {
            NO_FRONTEND => self.sites[r.site as usize].continent,
            f => self.scenario.deployments[f as usize].region.continent(),
        };
        if self.observe_attempt(now, region, from) {
            // Down or cut off: the connection is refused (no black-holing is modelled).
            return self.attempt_failed(now, id, Failure::Failed);
        }
        let added_ms = self.faults.added_latency_ms(region);
        if added_ms > 0.0 {
            self.requests[id as usize].return_leg = r.return_leg + SimTime::from_ms_ceil(added_ms);
        }
        let error_rate = self.faults.error_rate(region);
        if error_rate > 0.0 && self.fault_rng.random::<f64>() < error_rate {
            return self.attempt_failed(now, id, Failure::Failed);
        }
        if r.via_frontend == NO_FRONTEND && self.frontends[region].is_some() {
            return self.frontend_arrival(now, id, region);
        }
        if self.regions[region].managed.is_some() {
            return self.managed_arrival(now, id, region);
        }
        let mut expired = std::mem::take(&mut self.scratch_expired);
        let admitted =
            self.regions[region].arrive(now, id, r.prompt_tokens, r.measured, &mut expired);
        for e in expired.drain(..) {
            self.attempt_failed(now, e, Failure::TimedOut);
        }
        self.scratch_expired = expired;
        match admitted {
            region::Arrival::Started { instance } => self.reschedule(now, region, instance),
            region::Arrival::Queued => {}
            region::Arrival::Rejected => self.attempt_failed(now, id, Failure::Rejected),
            region::Arrival::Throttled => self.attempt_failed(now, id, Failure::Throttled),
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
            self.attempt_failed(now, e, Failure::TimedOut);
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
            self.attempt_failed(now, id, Failure::TimedOut);
            return;
        }
        self.record_ttft(now, region, id);
        if !self.regions[region].decode(instance, id, r.output_tokens) {
            self.on_last_token(now, region, instance, id);
        }
    }

    /// Records the time to first token of request `id`, served by `region`.
    fn record_ttft(&mut self, now: SimTime, region: usize, id: u32) {
        let r = self.requests[id as usize];
        let ttft_us = (now + r.return_leg).saturating_since(r.sent).as_us();
        if r.measured {
            // The overall histogram is the merge of the regions' (see `finish`).
            self.regions[region].metrics.latency.ttft.record_us(ttft_us);
            if let Some(cell) = self.metrics.cells.at_mut(region, r.sent) {
                cell.latency.ttft.record_us(ttft_us);
            }
            self.metrics.timelines.record_ttft(region, r.sent, ttft_us);
            let c = self.sites[r.site as usize].continent;
            continent_metrics(&mut self.continents, c)
                .latency
                .ttft
                .record_us(ttft_us);
        }
    }

    /// A request reaches a managed API: served here if the quotas allow, else — with a
    /// cross-region inference profile — by the sibling region with the most headroom, at
    /// the extra inter-region round trip; else throttled (HTTP 429).
    fn managed_arrival(&mut self, now: SimTime, id: u32, source: usize) {
        if !self.regions[source].pass_throttle(now) {
            return self.attempt_failed(now, id, Failure::Throttled);
        }
        let r = self.requests[id as usize];
        let tokens = f64::from(r.prompt_tokens) + f64::from(r.output_tokens);
        let fits = |w: &mut Self, region: usize| {
            w.regions[region]
                .managed
                .as_mut()
                .is_some_and(|m| m.fits(now, tokens))
        };
        let target = if fits(self, source) {
            Some(source)
        } else {
            // Bedrock does not document how it picks the destination: pick among the
            // siblings with room, at random in proportion to their request headroom.
            let siblings = self.regions[source]
                .managed
                .as_ref()
                .map(|m| m.spill_to.clone())
                .unwrap_or_default();
            let mut candidates: Vec<(usize, f64)> = Vec::new();
            for s in siblings {
                if self.faults.is_down(s) || !fits(self, s) {
                    continue;
                }
                let headroom = self.regions[s]
                    .managed
                    .as_mut()
                    .map_or(0.0, |m| m.rpm_headroom(now));
                candidates.push((s, headroom));
            }
            let total: f64 = candidates.iter().map(|c| c.1).sum();
            let mut u = self.spill_rng.random::<f64>() * total;
            let mut pick = candidates.last().map(|c| c.0);
            for (s, h) in &candidates {
                if u < *h {
                    pick = Some(*s);
                    break;
                }
                u -= h;
            }
            pick
        };
        let Some(target) = target else {
            return self.attempt_failed(now, id, Failure::Throttled);
        };
        let m = self.regions[target]
            .managed
            .as_mut()
            .expect("siblings are managed");
        m.admit(now, tokens);
        let ttft = m.ttft;
        // Billed at the price of the region the request entered.
        let src = self.regions[source]
            .managed
            .as_ref()
            .expect("source is managed");
        let cost = f64::from(r.prompt_tokens) * src.input_usd_per_token
            + f64::from(r.output_tokens) * src.output_usd_per_token;
        let admission = self.next_admission;
        self.next_admission = self.next_admission.wrapping_add(1);
        let req = &mut self.requests[id as usize];
        req.admission = admission;
        req.in_managed = true;
        req.region = target as u32;
        if target != source {
            req.return_leg =
                req.return_leg + SimTime::from_ms_ceil(self.region_rtt_ms[source][target]);
        }
        if r.measured {
            self.regions[source].metrics.token_cost_usd += cost;
            if target != source {
                self.regions[target].metrics.served_for_other_regions += 1;
            }
        }
        self.queue.schedule(
            now + ttft,
            Event::ManagedFirstToken {
                request: id,
                admission,
            },
        );
    }

    /// A request reaches a serverless front end: it takes an execution environment (a cold
    /// start if none is warm; HTTP 429 over the concurrency limit), pays the request fee, and
    /// is forwarded to the model region across the measured inter-region round trip.
    fn frontend_arrival(&mut self, now: SimTime, id: u32, region: usize) {
        if !self.regions[region].pass_throttle(now) {
            return self.attempt_failed(now, id, Failure::Throttled);
        }
        let fe = self.frontends[region]
            .as_mut()
            .expect("checked by the caller");
        let admission = fe.admit(now);
        let (cold, fee) = (fe.cold_start(), fe.fee_usd);
        let delay = match admission {
            frontend::Admission::Refused => {
                return self.attempt_failed(now, id, Failure::Throttled);
            }
            frontend::Admission::Warm => SimTime::ZERO,
            frontend::Admission::Cold => cold,
        };
        let backend = self.scenario.deployments[region]
            .frontend
            .as_ref()
            .expect("has a front end")
            .backend;
        let one_way = SimTime::from_ms_ceil(self.region_rtt_ms[region][backend] / 2.0);
        let r = &mut self.requests[id as usize];
        r.via_frontend = region as u32;
        r.region = backend as u32;
        r.return_leg = r.return_leg + one_way;
        r.at_region = now + delay + one_way;
        let (measured, at) = (r.measured, r.at_region);
        if measured {
            let m = &mut self.regions[region].metrics;
            m.forwarded += 1;
            m.request_fees_usd += fee;
            if admission == frontend::Admission::Cold {
                m.cold_starts += 1;
            }
        }
        self.queue
            .schedule(at, Event::ReachesRegion { request: id });
    }

    /// Gives back the front-end execution environment of request `id`, if it holds one.
    fn leave_frontend(&mut self, now: SimTime, id: u32) {
        let via = std::mem::replace(&mut self.requests[id as usize].via_frontend, NO_FRONTEND);
        if via != NO_FRONTEND
            && let Some(fe) = &mut self.frontends[via as usize]
        {
            fe.release(now);
        }
    }

    /// The request if `admission` is its current managed admission (events of an earlier
    /// one, lost in an outage or of a recycled slot, are stale).
    fn current_managed(&self, id: u32, admission: u32) -> Option<Request> {
        let r = self.requests[id as usize];
        (r.live && r.in_managed && r.admission == admission).then_some(r)
    }

    fn on_managed_first_token(&mut self, now: SimTime, id: u32, admission: u32) {
        let Some(r) = self.current_managed(id, admission) else {
            return;
        };
        let region = r.region as usize;
        self.record_ttft(now, region, id);
        let decode = self.regions[region]
            .managed
            .as_ref()
            .map_or(SimTime::ZERO, |m| m.decode_time(r.output_tokens));
        self.queue.schedule(
            now + decode,
            Event::ManagedLastToken {
                request: id,
                admission,
            },
        );
    }

    fn on_managed_last_token(&mut self, now: SimTime, id: u32, admission: u32) {
        let Some(r) = self.current_managed(id, admission) else {
            return;
        };
        let region = r.region as usize;
        self.requests[id as usize].in_managed = false;
        self.regions[region].count_tokens(r.prompt_tokens, r.output_tokens, r.measured);
        self.book_completion(now, region, id);
    }

    fn on_last_token(&mut self, now: SimTime, region: usize, instance: usize, id: u32) {
        let r = self.requests[id as usize];
        self.regions[region].complete(now, instance, r.prompt_tokens, r.output_tokens, r.measured);
        self.book_completion(now, region, id);
    }

    /// Books a request served to its last token by `region`, and frees it.
    fn book_completion(&mut self, now: SimTime, region: usize, id: u32) {
        self.leave_frontend(now, id);
        let r = self.requests[id as usize];
        if r.measured {
            let e2e_us = (now + r.return_leg).saturating_since(r.sent).as_us();
            let c = self.sites[r.site as usize].continent;
            self.metrics.outcomes.completed += 1;
            let rm = &mut self.regions[region].metrics;
            rm.outcomes.completed += 1;
            rm.latency.e2e.record_us(e2e_us);
            rm.outcomes.generated += 1;
            let cm = continent_metrics(&mut self.continents, c);
            cm.outcomes.completed += 1;
            cm.latency.e2e.record_us(e2e_us);
            self.metrics.success.record(r.sent, true);
            if let Some(cell) = self.metrics.cells.at_mut(region, r.sent) {
                cell.outcomes.completed += 1;
                cell.outcomes.generated += 1;
                cell.latency.e2e.record_us(e2e_us);
            }
            self.metrics
                .timelines
                .record_served(r.site as usize, region, r.sent, e2e_us);
            if self.allowed[r.site as usize]
                .as_ref()
                .is_some_and(|m| !m[region])
            {
                self.metrics.residency_violations += 1;
            }
        }
        self.release(id);
        self.user_hears_back(now + r.return_leg, r.site, SimTime::ZERO);
    }

    /// A closed-loop user got its reply (or its error) at `at`: it thinks (at least `pause`),
    /// then sends again.
    fn user_hears_back(&mut self, at: SimTime, site: u32, pause: SimTime) {
        if let workload::SiteSource::Closed(users) = &mut self.sites[site as usize].arrivals {
            let next = at + users.think().max(pause);
            self.queue.schedule(next, Event::UserSends { site });
        }
    }

    /// Books a request that ended without being served, under `outcome` (a field of
    /// [`Outcomes`]), in the totals, its region and its users' continent.
    fn finish_unserved(&mut self, now: SimTime, id: u32, outcome: fn(&mut Outcomes) -> &mut u64) {
        let r = self.requests[id as usize];
        if r.measured {
            *outcome(&mut self.metrics.outcomes) += 1;
            let rm = &mut self.regions[r.region as usize].metrics.outcomes;
            *outcome(rm) += 1;
            rm.generated += 1;
            let c = self.sites[r.site as usize].continent;
            *outcome(&mut continent_metrics(&mut self.continents, c).outcomes) += 1;
            self.metrics.success.record(r.sent, false);
            if let Some(cell) = self.metrics.cells.at_mut(r.region as usize, r.sent) {
                *outcome(&mut cell.outcomes) += 1;
                cell.outcomes.generated += 1;
            }
            self.metrics
                .timelines
                .record_unserved(r.region as usize, r.sent);
        }
        self.release(id);
        // The client learns of the failure one way-trip later, and pauses before trying a new
        // request: an instant refusal (a full queue, a region down) with no network delay
        // would otherwise resend at the same instant forever.
        self.user_hears_back(now + r.return_leg, r.site, workload::ERROR_PAUSE);
    }

    /// Notes an attempt reaching `region`; `true` if the region cannot serve it (outage, or
    /// a partition from the user's continent).
    fn observe_attempt(
        &mut self,
        now: SimTime,
        region: usize,
        continent: crate::catalog::Continent,
    ) -> bool {
        for (f, obs) in self.scenario.faults.iter().zip(&mut self.metrics.faults) {
            if f.region == region && now >= f.start && now < f.end && now >= self.warmup {
                let affected = match f.kind {
                    FaultKind::Partition { continent: c } => c == continent,
                    _ => true,
                };
                if affected {
                    obs.attempts_during += 1;
                    obs.last_attempt_at = Some(now);
                }
            }
        }
        self.faults.unreachable_from(continent, region)
    }

    fn on_fault_change(&mut self, now: SimTime, fault: usize, active: bool) {
        let f = &self.scenario.faults[fault];
        self.faults.apply(f, active);
        if let FaultKind::QuotaCut { .. } = f.kind {
            let factor = self.faults.quota_factor(f.region);
            self.regions[f.region].set_quota_factor(now, factor);
        }
        if active && f.kind == FaultKind::Outage {
            // Everything queued or running in the region is lost with it.
            let mut lost = std::mem::take(&mut self.scratch_expired);
            self.regions[f.region].fail_all(now, &mut lost);
            let region = f.region as u32;
            for (id, r) in self.requests.iter_mut().enumerate() {
                if r.live && r.in_managed && r.region == region {
                    r.in_managed = false;
                    lost.push(id as u32);
                }
            }
            for id in lost.drain(..) {
                self.attempt_failed(now, id, Failure::Failed);
            }
            self.scratch_expired = lost;
        }
    }

    fn on_scale_check(&mut self, now: SimTime, region: usize) {
        let (launches, delay) = self.regions[region].autoscale(now);
        for _ in 0..launches {
            self.queue.schedule(
                now + delay,
                Event::InstanceReady {
                    region: region as u32,
                },
            );
        }
        if let Some(period) = self.regions[region].autoscaling_period()
            && now + period < self.end
        {
            self.queue.schedule(
                now + period,
                Event::ScaleCheck {
                    region: region as u32,
                },
            );
        }
    }

    fn on_scheduled_action(&mut self, now: SimTime, region: usize, action: usize) {
        let Some(a) = self.scenario.deployments[region]
            .self_hosted()
            .and_then(|h| h.scheduled_actions.get(action))
        else {
            return;
        };
        let (launches, delay) =
            self.regions[region].set_scaling_range(now, a.min_instances, a.max_instances);
        for _ in 0..launches {
            self.queue.schedule(
                now + delay,
                Event::InstanceReady {
                    region: region as u32,
                },
            );
        }
    }

    fn on_instance_ready(&mut self, now: SimTime, region: usize) {
        let instance = self.regions[region].add_instance(now);
        let mut expired = std::mem::take(&mut self.scratch_expired);
        self.regions[region].refill(now, instance, &mut expired);
        for e in expired.drain(..) {
            self.attempt_failed(now, e, Failure::TimedOut);
        }
        self.scratch_expired = expired;
        self.reschedule(now, region, instance);
    }

    fn on_health_probe(&mut self, now: SimTime, region: usize, checker: usize) {
        let Some(h) = &mut self.health else { return };
        let continent = h.checker_continent(checker);
        // HTTP(S) checks need a TCP connect within 4 s and a 2xx/3xx within 2 s more.
        let success = !self.faults.unreachable_from(continent, region)
            && self.faults.added_latency_ms(region) < 6000.0
            && !(self.faults.error_rate(region) > 0.0
                && self.fault_rng.random::<f64>() < self.faults.error_rate(region));
        let next = now + h.interval();
        if let Some(healthy) = h.probe(region, checker, success) {
            self.healthy[region] = healthy;
            if !healthy {
                for (f, obs) in self.scenario.faults.iter().zip(&mut self.metrics.faults) {
                    if f.region == region && now >= f.start && obs.detected_at.is_none() {
                        obs.detected_at = Some(now);
                    }
                }
            }
        }
        if next < self.end {
            self.queue.schedule(
                next,
                Event::HealthProbe {
                    region: region as u32,
                    checker: checker as u32,
                },
            );
        }
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
            continent_metrics(&mut self.continents, c)
                .outcomes
                .in_flight_at_end += 1;
        }
        for (i, slot) in self.continents.into_iter().enumerate() {
            if let Some(m) = slot {
                self.metrics.continents.insert(CONTINENT_ORDER[i], *m);
            }
        }
        self.metrics.events = self.queue.events_processed();
        let duration_h = self.scenario.simulation.duration.as_secs_f64() / 3600.0;
        for (server, in_flight) in self.regions.into_iter().zip(in_flight_by_region) {
            let mut m = server.into_metrics(duration_h);
            m.outcomes.in_flight_at_end = in_flight;
            m.outcomes.generated += in_flight;
            // Every latency is recorded in exactly one region: merging the regions' histograms
            // gives the same counts and exact sums as recording each value twice, for one
            // record per value instead of two.
            self.metrics.latency.merge(&m.latency);
            self.metrics.queue_wait.merge(&m.queue_wait);
            self.metrics.regions.push(m);
        }
        self.metrics.waited = self.metrics.regions.iter().map(|m| m.waited).sum();
        self.metrics
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continent_order_matches_the_enum_discriminants() {
        for (i, c) in CONTINENT_ORDER.iter().enumerate() {
            assert_eq!(*c as usize, i);
        }
    }
}
