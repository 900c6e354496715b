//! The daily shape of demand in users' local time.

/// A 24-point curve of relative demand at each local hour (h:00), linearly interpolated in
/// between and wrapping at midnight, normalised to mean 1 so that a site's mean rate over a
/// day equals its configured rate.
#[derive(Debug, Clone, PartialEq)]
pub struct DiurnalCurve {
    points: [f64; 24],
    max: f64,
}

/// Names of the built-in curves.
pub const PRESETS: [&str; 4] = ["flat", "consumer", "business", "api"];

impl DiurnalCurve {
    /// Builds a curve from 24 non-negative hourly values with a positive mean.
    pub fn from_hourly(values: &[f64]) -> Result<DiurnalCurve, String> {
        if values.len() != 24 {
            return Err(format!(
                "needs 24 hourly values (local 00:00 … 23:00), got {}",
                values.len()
            ));
        }
        if let Some(v) = values.iter().find(|v| !v.is_finite() || **v < 0.0) {
            return Err(format!("hourly values must be finite and ≥ 0, found {v}"));
        }
        // Scale by the largest value first, so huge inputs cannot overflow the sum.
        let largest = values.iter().cloned().fold(0.0, f64::max);
        if largest <= 0.0 {
            return Err("hourly values are all 0: there would be no traffic".into());
        }
        let mean = values.iter().map(|v| v / largest).sum::<f64>() / 24.0;
        let mut points = [0.0; 24];
        for (p, v) in points.iter_mut().zip(values) {
            *p = v / largest / mean;
        }
        let max = points.iter().cloned().fold(0.0, f64::max);
        Ok(DiurnalCurve { points, max })
    }

    /// A built-in curve by name (see [`PRESETS`]).
    ///
    /// * `flat`: constant.
    /// * `consumer`: chat traffic, trough 04–05h, lunch dip, peak 15–16h, busy evening;
    ///   peak/trough 16×. Shape after the BurstGPT conversation curve (Azure OpenAI, read off a
    ///   figure: confidence M), softened because that trace's 20–40× mixes time zones.
    /// * `business`: office hours 09–17 at full rate, nights at 10 %.
    /// * `api`: machine-to-machine traffic, flatter (0.6–1.3).
    pub fn preset(name: &str) -> Option<DiurnalCurve> {
        let values: [f64; 24] = match name {
            "flat" => [1.0; 24],
            "consumer" => [
                0.45, 0.30, 0.20, 0.12, 0.10, 0.10, 0.15, 0.30, 0.60, 0.90, 1.10, 1.25, 1.15, 1.20,
                1.45, 1.60, 1.60, 1.50, 1.35, 1.30, 1.25, 1.10, 0.90, 0.65,
            ],
            "business" => [
                0.10, 0.10, 0.10, 0.10, 0.10, 0.10, 0.15, 0.30, 0.80, 1.60, 1.60, 1.60, 1.20, 1.60,
                1.60, 1.60, 1.60, 1.00, 0.60, 0.40, 0.30, 0.20, 0.15, 0.10,
            ],
            "api" => [
                0.70, 0.65, 0.60, 0.60, 0.60, 0.65, 0.75, 0.90, 1.10, 1.20, 1.25, 1.30, 1.25, 1.25,
                1.30, 1.30, 1.25, 1.15, 1.05, 1.00, 0.95, 0.90, 0.80, 0.75,
            ],
            _ => return None,
        };
        DiurnalCurve::from_hourly(&values).ok()
    }

    /// Relative demand at local hour `hour` (any real; wrapped into [0, 24)).
    pub fn multiplier(&self, hour: f64) -> f64 {
        let h = hour.rem_euclid(24.0);
        let i = (h.floor() as usize).min(23);
        let frac = h - i as f64;
        let next = self.points[(i + 1) % 24];
        self.points[i] + (next - self.points[i]) * frac
    }

    /// Largest multiplier over the day (the thinning bound).
    pub fn max_multiplier(&self) -> f64 {
        self.max
    }

    /// Exact integral of the multiplier over local hours `[h0, h1]`, in hour units
    /// (piecewise-linear, so trapezoids are exact).
    pub fn integral_hours(&self, h0: f64, h1: f64) -> f64 {
        if h1 <= h0 {
            return 0.0;
        }
        let mut total = 0.0;
        let mut t = h0;
        while t < h1 {
            let next_grid = t.floor() + 1.0;
            let end = next_grid.min(h1);
            total += 0.5 * (self.multiplier(t) + self.multiplier_left_of(end, t)) * (end - t);
            t = end;
        }
        total
    }

    /// Value at `end` approached from the left within the hour starting at `floor(start)`.
    fn multiplier_left_of(&self, end: f64, start: f64) -> f64 {
        let i = start.floor().rem_euclid(24.0) as usize % 24;
        let frac = end - start.floor();
        let next = self.points[(i + 1) % 24];
        self.points[i] + (next - self.points[i]) * frac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_have_mean_one() {
        for name in PRESETS {
            let c = DiurnalCurve::preset(name).unwrap();
            let mean = c.integral_hours(0.0, 24.0) / 24.0;
            assert!((mean - 1.0).abs() < 1e-12, "{name}: {mean}");
            assert!(c.max_multiplier() >= 1.0);
        }
    }

    #[test]
    fn interpolates_and_wraps() {
        let mut v = [1.0; 24];
        v[23] = 3.0;
        let c = DiurnalCurve::from_hourly(&v).unwrap();
        let m = 24.0 / 26.0;
        assert!((c.multiplier(23.5) - 2.0 * m).abs() < 1e-12);
        assert!((c.multiplier(-0.5) - 2.0 * m).abs() < 1e-12);
        assert!(
            (c.integral_hours(22.0, 26.0)
                - c.integral_hours(22.0, 24.0)
                - c.integral_hours(0.0, 2.0))
            .abs()
                < 1e-12
        );
    }

    #[test]
    fn rejects_bad_curves() {
        assert!(DiurnalCurve::from_hourly(&[1.0; 23]).is_err());
        assert!(DiurnalCurve::from_hourly(&[0.0; 24]).is_err());
        let huge = DiurnalCurve::from_hourly(&[1e308; 24]).unwrap();
        assert_eq!(huge.multiplier(5.0), 1.0);
        let mut v = [1.0; 24];
        v[3] = f64::NAN;
        assert!(DiurnalCurve::from_hourly(&v).is_err());
    }
}
