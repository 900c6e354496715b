//! Success ratio over time, for recovery after faults.

use crate::engine::SimTime;

/// Finished requests per bucket of their first-send time, split into served and not.
/// Recovery after a fault is read off it: when the success ratio over a sliding window gets
/// back to the target and stays there.
#[derive(Debug, Clone, PartialEq)]
pub struct SuccessSeries {
    origin_us: u64,
    bucket_us: u64,
    served: Vec<u64>,
    unserved: Vec<u64>,
}

/// Width of one bucket: 10 s, fine enough to time a failover (Route 53 checks every 10 or 30 s).
pub const SUCCESS_BUCKET: SimTime = SimTime(10_000_000);

impl SuccessSeries {
    /// Buckets covering `[origin, end)`.
    pub fn new(origin: SimTime, end: SimTime) -> SuccessSeries {
        let n = end
            .as_us()
            .saturating_sub(origin.as_us())
            .div_ceil(SUCCESS_BUCKET.as_us()) as usize;
        SuccessSeries {
            origin_us: origin.as_us(),
            bucket_us: SUCCESS_BUCKET.as_us(),
            served: vec![0; n],
            unserved: vec![0; n],
        }
    }

    /// Books a request first sent at `sent`.
    #[inline]
    pub fn record(&mut self, sent: SimTime, served: bool) {
        let Some(off) = sent.as_us().checked_sub(self.origin_us) else {
            return;
        };
        let b = (off / self.bucket_us) as usize;
        if b < self.served.len() {
            if served {
                self.served[b] += 1
            } else {
                self.unserved[b] += 1
            }
        }
    }

    pub fn merge(&mut self, o: &SuccessSeries) {
        for (a, b) in self.served.iter_mut().zip(&o.served) {
            *a += b;
        }
        for (a, b) in self.unserved.iter_mut().zip(&o.unserved) {
            *a += b;
        }
    }

    /// Served share per bucket (1 where nothing finished).
    pub fn ratios(&self) -> Vec<f64> {
        self.served
            .iter()
            .zip(&self.unserved)
            .map(|(s, u)| {
                if s + u == 0 {
                    1.0
                } else {
                    *s as f64 / (s + u) as f64
                }
            })
            .collect()
    }

    /// Finished requests (served or not) per bucket.
    pub fn totals(&self) -> Vec<u64> {
        self.served
            .iter()
            .zip(&self.unserved)
            .map(|(s, u)| s + u)
            .collect()
    }

    /// Bucket start times, seconds from the origin.
    pub fn bucket_starts_s(&self) -> Vec<f64> {
        (0..self.served.len())
            .map(|b| (b as u64 * self.bucket_us) as f64 / 1e6)
            .collect()
    }

    /// Recovery after a fault starting at `start`: the first time `t ≥ start` such that the
    /// served share over every `window`-long stretch from `t` on (until `until`) stays at or
    /// above `target` (0–1). Returns (recovery time, unserved requests sent in
    /// `[start, start + recovery)`), or `None` if it never recovers before `until`.
    pub fn recovery(
        &self,
        start: SimTime,
        target: f64,
        window: SimTime,
        until: SimTime,
    ) -> Option<(SimTime, u64)> {
        let bucket_of =
            |t: SimTime| (t.as_us().saturating_sub(self.origin_us) / self.bucket_us) as usize;
        let first = bucket_of(start);
        let last = bucket_of(until).min(self.served.len());
        let w = (window.as_us() / self.bucket_us).max(1) as usize;
        if first >= last {
            return Some((SimTime::ZERO, 0));
        }
        // ok[b]: the window starting at bucket b meets the target.
        let ok: Vec<bool> = (first..last)
            .map(|b| {
                let end = (b + w).min(last);
                let s: u64 = self.served[b..end].iter().sum();
                let u: u64 = self.unserved[b..end].iter().sum();
                s + u == 0 || s as f64 / (s + u) as f64 >= target
            })
            .collect();
        // The earliest b from which every window is fine.
        let mut rec = None;
        for (i, fine) in ok.iter().enumerate().rev() {
            if *fine {
                rec = Some(i);
            } else {
                break;
            }
        }
        let i = rec?;
        let recovered_bucket = first + i;
        let lost: u64 = self.unserved[first..recovered_bucket].iter().sum();
        let t =
            SimTime((recovered_bucket as u64 * self.bucket_us + self.origin_us).max(start.as_us()));
        Some((t - start, lost))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_is_when_the_window_stays_good() {
        let mut s = SuccessSeries::new(SimTime::ZERO, SimTime::from_secs(200));
        for b in 0..20u64 {
            let t = SimTime::from_secs(b * 10 + 1);
            // Buckets 5..9 (50 s to 100 s) fail half their requests.
            let bad = (5..10).contains(&b);
            for i in 0..10 {
                s.record(t, !(bad && i % 2 == 0));
            }
        }
        let (rec, lost) = s
            .recovery(
                SimTime::from_secs(50),
                0.99,
                SimTime::from_secs(10),
                SimTime::from_secs(200),
            )
            .unwrap();
        assert_eq!(rec, SimTime::from_secs(50));
        assert_eq!(lost, 25);
        // A fault that changed nothing recovers at once.
        let (rec, lost) = s
            .recovery(
                SimTime::from_secs(120),
                0.99,
                SimTime::from_secs(30),
                SimTime::from_secs(200),
            )
            .unwrap();
        assert_eq!((rec, lost), (SimTime::ZERO, 0));
    }

    #[test]
    fn never_recovering_is_none() {
        let mut s = SuccessSeries::new(SimTime::ZERO, SimTime::from_secs(100));
        for b in 0..10u64 {
            s.record(SimTime::from_secs(b * 10), b < 3);
        }
        assert!(
            s.recovery(
                SimTime::from_secs(30),
                0.99,
                SimTime::from_secs(10),
                SimTime::from_secs(100)
            )
            .is_none()
        );
    }
}
