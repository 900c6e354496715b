//! The difference of one headline figure between a scenario and the reference, with a 95 %
//! confidence interval: paired (Student-t on the per-replication differences) when both runs
//! drew the same random numbers, Welch's unequal-variance interval otherwise.

use crate::metrics::mean_ci95;

/// How the interval of a [`Difference`] was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Replication i of both runs saw the same requests: Student-t interval of the n
    /// differences `other[i] − reference[i]` (n − 1 degrees of freedom).
    Paired,
    /// Independent samples: difference of the means with Welch's standard error and
    /// Welch–Satterthwaite degrees of freedom (rounded down, which widens the interval).
    Welch,
}

impl Method {
    /// Name used in reports and the JSON document.
    pub fn name(self) -> &'static str {
        match self {
            Method::Paired => "paired",
            Method::Welch => "welch",
        }
    }
}

/// `other − reference` for one figure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Difference {
    /// Mean difference (paired: mean of the differences; Welch: difference of the means).
    pub mean: f64,
    /// Half-width of the 95 % interval; `None` when there are too few replications to
    /// estimate the spread (fewer than two pairs, or fewer than two replications on a side).
    pub ci95: Option<f64>,
    /// Degrees of freedom of the t quantile used (0 without an interval).
    pub df: usize,
    pub method: Method,
}

impl Difference {
    /// The interval excludes 0. A zero-width interval around a non-zero mean (a figure that
    /// is the same in every replication, like the cost of instances) counts as significant.
    pub fn significant(&self) -> bool {
        matches!(self.ci95, Some(h) if self.mean.abs() > h)
    }
}

/// Paired difference: replication i of `other` against replication i of `reference`.
///
/// # Panics
/// If the two slices differ in length (paired runs have the same replications).
pub fn paired(reference: &[f64], other: &[f64]) -> Difference {
    assert_eq!(
        reference.len(),
        other.len(),
        "paired runs have the same number of replications"
    );
    let diffs: Vec<f64> = reference.iter().zip(other).map(|(a, b)| b - a).collect();
    let m = mean_ci95(&diffs);
    let enough = m.n >= 2;
    Difference {
        mean: m.mean,
        ci95: enough.then_some(m.ci95),
        df: if enough { m.n - 1 } else { 0 },
        method: Method::Paired,
    }
}

/// Welch's interval for the difference of the means of two independent samples.
pub fn welch(reference: &[f64], other: &[f64]) -> Difference {
    let (ma, va, na) = mean_var(reference);
    let (mb, vb, nb) = mean_var(other);
    let mean = mb - ma;
    if na < 2 || nb < 2 {
        return Difference {
            mean,
            ci95: None,
            df: 0,
            method: Method::Welch,
        };
    }
    let (sa, sb) = (va / na as f64, vb / nb as f64);
    let se2 = sa + sb;
    let df = if se2 > 0.0 {
        let nu = se2 * se2 / (sa * sa / (na - 1) as f64 + sb * sb / (nb - 1) as f64);
        // Between min(na, nb) − 1 and na + nb − 2; rounding down is conservative.
        (nu.floor() as usize).max(1)
    } else {
        na + nb - 2
    };
    Difference {
        mean,
        ci95: Some(t975(df) * se2.sqrt()),
        df,
        method: Method::Welch,
    }
}

/// Mean, sample variance and size (variance 0 below two values).
fn mean_var(x: &[f64]) -> (f64, f64, usize) {
    let n = x.len();
    if n == 0 {
        return (0.0, 0.0, 0);
    }
    let mean = x.iter().sum::<f64>() / n as f64;
    let var = if n < 2 {
        0.0
    } else {
        x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64
    };
    (mean, var, n)
}

/// The two-sided 95 % Student-t quantile for `df` degrees of freedom: exactly the one
/// [`mean_ci95`] uses, recovered from it on a sample of known standard error so that paired
/// and Welch intervals rest on the same table.
fn t975(df: usize) -> f64 {
    let n = df + 1;
    // Values 1, −1, 0, …, 0: mean 0, variance 2 / (n − 1), standard error √(2 / (n (n − 1))).
    let mut v = vec![0.0; n];
    v[0] = 1.0;
    v[1] = -1.0;
    let se = (2.0 / (n as f64 * (n - 1) as f64)).sqrt();
    mean_ci95(&v).ci95 / se
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_the_table() {
        assert!((t975(1) - 12.706).abs() < 1e-9);
        assert!((t975(3) - 3.182).abs() < 1e-9);
        assert!((t975(30) - 2.042).abs() < 1e-9);
    }

    #[test]
    fn paired_uses_the_differences() {
        // Large spread between replications, constant difference: a zero-width interval.
        let a = [100.0, 200.0, 300.0];
        let b = [90.0, 190.0, 290.0];
        let d = paired(&a, &b);
        assert_eq!(d.mean, -10.0);
        assert_eq!(d.ci95, Some(0.0));
        assert_eq!(d.df, 2);
        assert!(d.significant());
        // Welch on the same numbers cannot tell them apart.
        let w = welch(&a, &b);
        assert!((w.mean + 10.0).abs() < 1e-12);
        assert!(w.ci95.unwrap() > 100.0);
        assert!(!w.significant());
    }

    #[test]
    fn welch_matches_a_worked_example() {
        // Equal variances 1 and n = 5 each: se = √(2/5), df = 8, t = 2.306.
        let a = [1.0, 2.0, 3.0, 2.0, 2.0];
        let b = [3.0, 4.0, 5.0, 4.0, 4.0];
        let (_, va, _) = mean_var(&a);
        let w = welch(&a, &b);
        assert_eq!(w.df, 8);
        assert!((w.mean - 2.0).abs() < 1e-12);
        let want = 2.306 * (2.0 * va / 5.0).sqrt();
        assert!((w.ci95.unwrap() - want).abs() < 1e-9);
    }

    #[test]
    fn one_replication_has_no_interval() {
        let d = paired(&[1.0], &[2.0]);
        assert_eq!((d.mean, d.ci95, d.df), (1.0, None, 0));
        assert!(!d.significant());
        assert_eq!(welch(&[1.0], &[2.0, 3.0]).ci95, None);
    }
}
