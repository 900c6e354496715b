//! A region's deployment: its load balancer queue and its instances.
//!
//! The load balancer sends each arriving request to the instance with the fewest sequences
//! among those with a free batch slot (least outstanding requests; ties to the lowest
//! index). With every slot taken, it queues the request FIFO up to `max_queue` and rejects
//! beyond (HTTP 503). A request that has not produced its first token within `timeout` of
//! reaching the region gets a 504: in the queue it is dropped when it reaches the head; in
//! service the sequence is aborted at its first token. An optional request quota in front
//! (token bucket) answers HTTP 429 before any of this. Because every request in a region
//! has the same timeout, queue deadlines are in FIFO order and checking the head is exact.

use std::collections::VecDeque;

use rand_distr::{Distribution, Exp};
use rand_pcg::Pcg64Mcg;

use super::least_loaded::LeastLoaded;
use super::managed::ManagedState;
use super::serving::{BatchInstance, BatchSpeed, Phase};
use super::throttle::TokenBucket;
use crate::engine::SimTime;
use crate::metrics::{LatencyHistogram, LatencySet, Outcomes, RegionMetrics, TimeWeightedSeries};
use crate::scenario::{Autoscaling, Deployment, DeploymentKind, ServiceModel, Simulation};

/// What happened to an arriving request.
pub(super) enum Arrival {
    Started { instance: usize },
    Queued,
    Rejected,
    Throttled,
}

/// A milestone a sequence reached.
pub(super) enum Done {
    FirstToken { request: u32 },
    LastToken { request: u32 },
}

struct Waiting {
    request: u32,
    at_region: SimTime,
    prompt_tokens: u32,
    measured: bool,
}

/// How long each phase takes at batch size 1.
enum Work {
    Tokens {
        prefill_ms_per_token: f64,
        tpot_ms_batch1: f64,
    },
    Exponential(Exp<f64>),
    Deterministic {
        ms: f64,
    },
}

pub(super) struct RegionServer {
    instances: Vec<BatchInstance>,
    least_loaded: LeastLoaded,
    speed: BatchSpeed,
    work: Work,
    max_batch: u32,
    max_queue: usize,
    timeout: SimTime,
    queue: VecDeque<Waiting>,
    busy_slots: u32,
    total_slots: f64,
    price_usd_per_hour: f64,
    rng: Pcg64Mcg,
    throttle: Option<TokenBucket>,
    /// Quotas and timing when the region is a managed API (then there are no instances).
    pub(super) managed: Option<ManagedState>,
    /// Per instance: admits new sequences (false once chosen for scale-in).
    serving: Vec<bool>,
    /// Per instance: drained and terminated.
    gone: Vec<bool>,
    serving_count: u32,
    /// Instances running and billed (serving or draining).
    billed: u32,
    pending_launches: u32,
    autoscaling: Option<Autoscaling>,
    /// Busy slot-µs since the last autoscaling check.
    busy_area: f64,
    busy_since: SimTime,
    scale_out_after: SimTime,
    scale_in_after: SimTime,
    pub(super) metrics: RegionMetrics,
}

impl RegionServer {
    pub(super) fn new(d: &Deployment, sim: &Simulation, rng: Pcg64Mcg) -> RegionServer {
        // Managed APIs and front ends have no instances: speed and work are never consulted.
        let (speed, work, instances, max_batch, price, managed) = match &d.kind {
            DeploymentKind::SelfHosted(h) => {
                let (speed, work) = match h.service {
                    ServiceModel::TokenProfile => (
                        BatchSpeed::from_tpot(
                            h.profile.tpot_ms_batch1,
                            h.profile.tpot_ms_per_extra_seq,
                        ),
                        Work::Tokens {
                            prefill_ms_per_token: 1000.0 / h.profile.prefill_tokens_per_s,
                            tpot_ms_batch1: h.profile.tpot_ms_batch1,
                        },
                    ),
                    ServiceModel::Exponential { mean_ms } => (
                        BatchSpeed::CONSTANT,
                        Work::Exponential(Exp::new(1.0 / mean_ms).expect("validated: mean > 0")),
                    ),
                    ServiceModel::Deterministic { ms } => {
                        (BatchSpeed::CONSTANT, Work::Deterministic { ms })
                    }
                };
                (
                    speed,
                    work,
                    h.instances,
                    h.max_batch,
                    h.price.usd_per_hour,
                    None,
                )
            }
            DeploymentKind::FrontendOnly => (
                BatchSpeed::CONSTANT,
                Work::Deterministic { ms: 0.0 },
                0,
                1,
                0.0,
                None,
            ),
            DeploymentKind::Managed(api) => (
                BatchSpeed::CONSTANT,
                Work::Deterministic { ms: 0.0 },
                0,
                1,
                0.0,
                Some(ManagedState::new(api)),
            ),
        };
        let autoscaling = d.self_hosted().and_then(|h| h.autoscaling);
        let end = sim.warmup + sim.duration;
        let series = || TimeWeightedSeries::new(sim.warmup, end, sim.timeseries_step);
        let mut instance_series = series();
        instance_series.set(SimTime::ZERO, f64::from(instances));
        RegionServer {
            instances: (0..instances).map(|_| BatchInstance::default()).collect(),
            least_loaded: LeastLoaded::new(instances as usize),
            speed,
            work,
            max_batch,
            max_queue: d.max_queue as usize,
            timeout: d.timeout,
            queue: VecDeque::new(),
            busy_slots: 0,
            total_slots: (f64::from(instances) * f64::from(max_batch)).max(1.0),
            price_usd_per_hour: price,
            managed,
            serving: vec![true; instances as usize],
            gone: vec![false; instances as usize],
            serving_count: instances,
            billed: instances,
            pending_launches: 0,
            autoscaling,
            busy_area: 0.0,
            busy_since: SimTime::ZERO,
            scale_out_after: SimTime::ZERO,
            scale_in_after: SimTime::ZERO,
            rng,
            throttle: d.throttle.map(|t| {
                TokenBucket::new(t.rate_rps, t.burst).expect("validated: rate > 0, burst >= 1")
            }),
            metrics: RegionMetrics {
                outcomes: Outcomes::default(),
                latency: LatencySet::default(),
                queue_wait: LatencyHistogram::new(),
                waited: 0,
                utilisation: series(),
                queue_length: series(),
                prompt_tokens: 0,
                output_tokens: 0,
                instance_hours: 0.0,
                instance_cost_usd: 0.0,
                token_cost_usd: 0.0,
                served_for_other_regions: 0,
                forwarded: 0,
                cold_starts: 0,
                request_fees_usd: 0.0,
                instances: instance_series,
            },
        }
    }

    pub(super) fn timeout(&self) -> SimTime {
        self.timeout
    }

    /// Instance with the fewest sequences among those with a free slot.
    fn free_instance(&self) -> Option<usize> {
        self.least_loaded.best()
    }

    /// A request reaches the load balancer.
    pub(super) fn arrive(
        &mut self,
        now: SimTime,
        request: u32,
        prompt_tokens: u32,
        measured: bool,
        expired: &mut Vec<u32>,
    ) -> Arrival {
        self.drop_expired_head(now, expired);
        if let Some(bucket) = &mut self.throttle
            && !bucket.try_take(now)
        {
            return Arrival::Throttled;
        }
        if let Some(instance) = self.free_instance() {
            self.start(
                now,
                instance,
                Waiting {
                    request,
                    at_region: now,
                    prompt_tokens,
                    measured,
                },
            );
            return Arrival::Started { instance };
        }
        if self.queue.len() < self.max_queue {
            self.queue.push_back(Waiting {
                request,
                at_region: now,
                prompt_tokens,
                measured,
            });
            self.metrics.queue_length.set(now, self.queue.len() as f64);
            Arrival::Queued
        } else {
            Arrival::Rejected
        }
    }

    fn drop_expired_head(&mut self, now: SimTime, expired: &mut Vec<u32>) {
        let before = self.queue.len();
        while let Some(w) = self.queue.front() {
            if now > w.at_region + self.timeout {
                expired.push(w.request);
                self.queue.pop_front();
            } else {
                break;
            }
        }
        if self.queue.len() != before {
            self.metrics.queue_length.set(now, self.queue.len() as f64);
        }
    }

    fn start(&mut self, now: SimTime, instance: usize, w: Waiting) {
        let prefill_ms = match &self.work {
            Work::Tokens {
                prefill_ms_per_token,
                ..
            } => f64::from(w.prompt_tokens) * prefill_ms_per_token,
            Work::Exponential(d) => d.sample(&mut self.rng),
            Work::Deterministic { ms } => *ms,
        };
        let inst = &mut self.instances[instance];
        inst.advance(now, self.speed);
        inst.start(w.request, prefill_ms);
        self.refresh(instance);
        self.note_busy(now);
        self.busy_slots += 1;
        self.metrics
            .utilisation
            .set(now, f64::from(self.busy_slots) / self.total_slots);
        if w.measured {
            let wait = now.saturating_since(w.at_region);
            self.metrics.queue_wait.record_us(wait.as_us());
            if wait > SimTime::ZERO {
                self.metrics.waited += 1;
            }
        }
    }

    /// An instance's milestone event fired; `false` if it was stale. Fills `done` with the
    /// milestones reached now.
    pub(super) fn milestone(
        &mut self,
        now: SimTime,
        instance: usize,
        generation: u32,
        done: &mut Vec<Done>,
    ) -> bool {
        let inst = &mut self.instances[instance];
        if inst.generation() != generation {
            return false;
        }
        inst.advance(now, self.speed);
        while let Some((request, phase)) = inst.pop_due() {
            done.push(match phase {
                Phase::Prefill => Done::FirstToken { request },
                Phase::Decode => Done::LastToken { request },
            });
        }
        true
    }

    /// After the first token: schedules decoding of the remaining tokens. `false` when
    /// there is nothing left to decode (the request is complete).
    pub(super) fn decode(&mut self, instance: usize, request: u32, output_tokens: u32) -> bool {
        match self.work {
            Work::Tokens { tpot_ms_batch1, .. } if output_tokens > 1 => {
                let work_ms = f64::from(output_tokens - 1) * tpot_ms_batch1;
                self.instances[instance].continue_with(request, Phase::Decode, work_ms);
                true
            }
            _ => false,
        }
    }

    fn leave(&mut self, now: SimTime, instance: usize) {
        self.instances[instance].finish_sequence();
        self.refresh(instance);
        self.note_busy(now);
        self.busy_slots -= 1;
        if !self.serving[instance] && self.instances[instance].active() == 0 {
            self.terminate(now, instance);
        }
        self.metrics
            .utilisation
            .set(now, f64::from(self.busy_slots) / self.total_slots);
    }

    /// A sequence is aborted (its client is gone).
    pub(super) fn abort(&mut self, now: SimTime, instance: usize) {
        self.leave(now, instance);
    }

    /// A sequence produced its last token.
    pub(super) fn complete(
        &mut self,
        now: SimTime,
        instance: usize,
        prompt_tokens: u32,
        output_tokens: u32,
        measured: bool,
    ) {
        self.leave(now, instance);
        self.count_tokens(prompt_tokens, output_tokens, measured);
    }

    /// Books the tokens of a request this region served.
    pub(super) fn count_tokens(&mut self, prompt_tokens: u32, output_tokens: u32, measured: bool) {
        if measured {
            self.metrics.prompt_tokens += u64::from(prompt_tokens);
            self.metrics.output_tokens += u64::from(output_tokens);
        }
    }

    /// The front-door quota (if any) lets a request through at `now`.
    pub(super) fn pass_throttle(&mut self, now: SimTime) -> bool {
        self.throttle.as_mut().is_none_or(|b| b.try_take(now))
    }

    /// Moves queued requests into the free slots of `instance` (the only instance that can
    /// have a free slot while the queue is non-empty).
    pub(super) fn refill(&mut self, now: SimTime, instance: usize, expired: &mut Vec<u32>) {
        if !self.serving[instance] {
            return;
        }
        let mut changed = false;
        while self.instances[instance].active() < self.max_batch {
            let Some(w) = self.queue.pop_front() else {
                break;
            };
            changed = true;
            if now > w.at_region + self.timeout {
                expired.push(w.request);
            } else {
                self.start(now, instance, w);
            }
        }
        if changed {
            self.metrics.queue_length.set(now, self.queue.len() as f64);
        }
    }

    /// Re-keys `instance` in the least-loaded index: a draining instance takes no new work.
    fn refresh(&mut self, instance: usize) {
        let active = if self.serving[instance] {
            self.instances[instance].active()
        } else {
            self.max_batch
        };
        self.least_loaded.update(instance, active, self.max_batch);
    }

    /// Accumulates busy slot-time up to `now` (for the autoscaler's mean).
    fn note_busy(&mut self, now: SimTime) {
        self.busy_area +=
            f64::from(self.busy_slots) * now.saturating_since(self.busy_since).as_us() as f64;
        self.busy_since = now;
    }

    /// A drained instance stops being billed.
    fn terminate(&mut self, now: SimTime, instance: usize) {
        self.gone[instance] = true;
        self.billed -= 1;
        self.metrics.instances.set(now, f64::from(self.billed));
    }

    /// Slots of the serving instances changed: utilisation is relative to them.
    fn resize_slots(&mut self, now: SimTime) {
        self.total_slots = (f64::from(self.serving_count) * f64::from(self.max_batch)).max(1.0);
        self.metrics
            .utilisation
            .set(now, f64::from(self.busy_slots) / self.total_slots);
    }

    /// The autoscaling period, if the region scales.
    pub(super) fn autoscaling_period(&self) -> Option<SimTime> {
        self.autoscaling.map(|a| a.period)
    }

    /// Target tracking: compares the slots demanded over the last period (mean busy slots
    /// plus the queue) with the target share of the serving slots. Returns how many
    /// instances to launch now (they become ready after the launch delay); surplus
    /// instances are drained here.
    pub(super) fn autoscale(&mut self, now: SimTime) -> (u32, SimTime) {
        let Some(a) = self.autoscaling else {
            return (0, SimTime::ZERO);
        };
        self.note_busy(now);
        let mean_busy = self.busy_area / a.period.as_us() as f64;
        self.busy_area = 0.0;
        let demand = mean_busy + self.queue.len() as f64;
        let per_instance = f64::from(self.max_batch) * a.target_utilisation;
        let desired =
            ((demand / per_instance).ceil() as u32).clamp(a.min_instances, a.max_instances);
        let planned = self.serving_count + self.pending_launches;
        if desired > planned && now >= self.scale_out_after {
            let n = desired - planned;
            self.pending_launches += n;
            self.scale_out_after = now + a.scale_out_cooldown;
            self.scale_in_after = self.scale_in_after.max(now + a.scale_out_cooldown);
            return (n, a.launch);
        }
        if desired < self.serving_count && self.pending_launches == 0 && now >= self.scale_in_after
        {
            self.drain_to(now, desired);
            self.scale_in_after = now + a.scale_in_cooldown;
        }
        (0, SimTime::ZERO)
    }

    /// Stops `serving_count − target` instances from taking work (the least busy first, the
    /// highest index among equals); each stops being billed once drained.
    fn drain_to(&mut self, now: SimTime, target: u32) {
        for _ in target..self.serving_count {
            let victim = (0..self.instances.len())
                .filter(|i| self.serving[*i])
                .min_by_key(|i| (self.instances[*i].active(), std::cmp::Reverse(*i)))
                .expect("more serving instances than the target");
            self.serving[victim] = false;
            self.serving_count -= 1;
            self.refresh(victim);
            if self.instances[victim].active() == 0 {
                self.terminate(now, victim);
            }
        }
        self.resize_slots(now);
    }

    /// A scheduled action sets the autoscaling range: instances below the new minimum are
    /// launched at once (returned with their launch delay), those above the new maximum
    /// drained.
    pub(super) fn set_scaling_range(&mut self, now: SimTime, min: u32, max: u32) -> (u32, SimTime) {
        let Some(a) = self.autoscaling.as_mut() else {
            return (0, SimTime::ZERO);
        };
        a.min_instances = min;
        a.max_instances = max;
        let launch = a.launch;
        let planned = self.serving_count + self.pending_launches;
        if planned < min {
            self.pending_launches += min - planned;
            return (min - planned, launch);
        }
        if self.serving_count > max {
            self.drain_to(now, max);
        }
        (0, SimTime::ZERO)
    }

    /// A launched instance is ready: it joins the serving pool. Returns its index.
    pub(super) fn add_instance(&mut self, now: SimTime) -> usize {
        self.pending_launches -= 1;
        self.instances.push(BatchInstance::default());
        self.serving.push(true);
        self.gone.push(false);
        self.least_loaded.push();
        self.serving_count += 1;
        self.billed += 1;
        self.metrics.instances.set(now, f64::from(self.billed));
        self.resize_slots(now);
        self.instances.len() - 1
    }

    /// The region's quota refills at `factor` × its rate from `now` on (quota cut faults).
    pub(super) fn set_quota_factor(&mut self, now: SimTime, factor: f64) {
        if let Some(bucket) = &mut self.throttle {
            bucket.set_rate_factor(now, factor);
        }
        if let Some(m) = &mut self.managed {
            m.set_quota_factor(now, factor);
        }
    }

    /// The region fails: every queued and running request is returned in `lost`, and the
    /// instances start empty (capacity is back once the outage ends).
    pub(super) fn fail_all(&mut self, now: SimTime, lost: &mut Vec<u32>) {
        lost.extend(self.queue.drain(..).map(|w| w.request));
        for inst in self.instances.iter_mut() {
            // Heap order is an implementation detail: sort, so the order is deterministic.
            let before = lost.len();
            inst.clear(lost);
            lost[before..].sort_unstable();
        }
        for i in 0..self.instances.len() {
            self.refresh(i);
            if !self.serving[i] && !self.gone[i] {
                self.terminate(now, i);
            }
        }
        self.note_busy(now);
        self.busy_slots = 0;
        self.metrics.utilisation.set(now, 0.0);
        self.metrics.queue_length.set(now, 0.0);
    }

    /// When `instance` next needs attention, with the generation its event must carry.
    pub(super) fn reschedule(&mut self, now: SimTime, instance: usize) -> Option<(SimTime, u32)> {
        self.instances[instance].reschedule(now, self.speed)
    }

    /// Final metrics, with instance-hours and cost over the measured window.
    pub(super) fn into_metrics(mut self, duration_h: f64) -> RegionMetrics {
        self.metrics.utilisation.finish();
        self.metrics.queue_length.finish();
        self.metrics.instances.finish();
        self.metrics.instance_hours = self.metrics.instances.overall_mean() * duration_h;
        self.metrics.instance_cost_usd = self.metrics.instance_hours * self.price_usd_per_hour;
        self.metrics
    }
}
