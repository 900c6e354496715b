//! Network latency: user site → region from distance, region → region from measurements.
//!
//! Site→region RTT = last mile + backbone overhead + route inflation × fibre floor, where
//! the fibre floor is 1 ms per 100 km of great-circle distance (light in fibre travels about
//! 200 km/ms, and a round trip covers the distance twice). The defaults (1.5×, 7 ms) are a
//! fit to the cloudping inter-region matrix: 98 of the 120 pairs among the 16 main regions
//! are within 25 %. Each request adds an exponential jitter; a share of requests opens a new
//! connection and pays TCP + TLS set-up round trips first.

use crate::catalog::{Region, RttMatrix};
use crate::scenario::NetworkParams;

/// Mean Earth radius, km.
const EARTH_RADIUS_KM: f64 = 6371.0;
/// Fibre floor: RTT ms per km of great-circle distance (2 × d ÷ 200 km/ms).
const FIBRE_RTT_MS_PER_KM: f64 = 0.01;

/// Great-circle (haversine) distance in km between two points given in degrees.
pub fn great_circle_km(lat1_deg: f64, lon1_deg: f64, lat2_deg: f64, lon2_deg: f64) -> f64 {
    let (la1, la2) = (lat1_deg.to_radians(), lat2_deg.to_radians());
    let dlat = la2 - la1;
    let dlon = (lon2_deg - lon1_deg).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// The distance part of the latency model, shared by site→region and region→region
/// estimates.
#[derive(Debug, Clone, Copy)]
pub struct NetworkModel {
    params: NetworkParams,
}

impl NetworkModel {
    pub fn new(params: NetworkParams) -> NetworkModel {
        NetworkModel { params }
    }

    pub fn params(&self) -> &NetworkParams {
        &self.params
    }

    /// Long-haul RTT in ms over `distance_km`, without last mile or jitter.
    pub fn backbone_rtt_ms(&self, distance_km: f64) -> f64 {
        self.params.backbone_overhead_ms
            + self.params.route_inflation * FIBRE_RTT_MS_PER_KM * distance_km
    }

    /// Expected RTT in ms from a user at a site to a region (last mile included, no jitter).
    pub fn site_region_rtt_ms(&self, site: (f64, f64), region: (f64, f64)) -> f64 {
        self.params.last_mile_ms
            + self.backbone_rtt_ms(great_circle_km(site.0, site.1, region.0, region.1))
    }

    /// RTT in ms between two regions: the measured p50 where the matrix has both (the
    /// intra-region value when they are the same), else the distance model between the
    /// region cities. Used for any hop between regions (cross-region calls, spill-over).
    pub fn region_rtt_ms(&self, measured: &RttMatrix, a: &Region, b: &Region) -> f64 {
        measured.rtt_ms(&a.code, &b.code).unwrap_or_else(|| {
            self.backbone_rtt_ms(great_circle_km(a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg))
        })
    }

    /// Expected RTT in ms through an anycast edge (Global Accelerator): the last mile, a
    /// short hop to the edge in or near the user's metro, then the provider backbone, with
    /// less route inflation than the public internet.
    pub fn anycast_rtt_ms(&self, site: (f64, f64), region: (f64, f64)) -> f64 {
        let d = great_circle_km(site.0, site.1, region.0, region.1);
        self.params.last_mile_ms
            + self.params.edge_access_ms
            + self.params.backbone_overhead_ms
            + self.params.edge_inflation * FIBRE_RTT_MS_PER_KM * d
    }

    /// Mean jitter per request, ms.
    pub fn jitter_mean_ms(&self) -> f64 {
        self.params.jitter_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn default_model() -> NetworkModel {
        NetworkModel::new(NetworkParams {
            route_inflation: 1.5,
            backbone_overhead_ms: 7.0,
            last_mile_ms: 20.0,
            jitter_ms: 2.0,
            handshake_rtts: 2.0,
            new_connection_share: 0.2,
            edge_access_ms: 4.0,
            edge_inflation: 1.3,
            edge_jitter_share: 0.5,
        })
    }

    #[test]
    fn anycast_beats_the_public_internet_on_long_paths_only() {
        let net = default_model();
        let (tokyo, virginia) = ((35.68, 139.65), (39.05, -77.49));
        assert!(
            net.anycast_rtt_ms(tokyo, virginia) < net.site_region_rtt_ms(tokyo, virginia) - 10.0
        );
        // Next door, the edge hop costs more than the shorter path saves.
        let (dc, ashburn) = ((38.91, -77.04), (39.05, -77.49));
        assert!(net.anycast_rtt_ms(dc, ashburn) > net.site_region_rtt_ms(dc, ashburn));
    }

    #[test]
    fn region_rtt_prefers_the_measured_matrix() {
        let c = Catalog::embedded().unwrap();
        let net = default_model();
        let r = |code: &str| c.regions[code].clone();
        let measured = c.rtt.rtt_ms("us-east-1", "eu-west-1").unwrap();
        assert_eq!(
            net.region_rtt_ms(&c.rtt, &r("us-east-1"), &r("eu-west-1")),
            measured
        );
        // ap-east-2 (Taipei) has no measurements: the distance model answers instead.
        let taipei = net.region_rtt_ms(&c.rtt, &r("ap-east-2"), &r("ap-northeast-1"));
        let d = great_circle_km(
            25.033,
            121.565,
            c.regions["ap-northeast-1"].lat_deg,
            c.regions["ap-northeast-1"].lon_deg,
        );
        assert!((taipei - (7.0 + 1.5 * 0.01 * d)).abs() < 1e-9, "{taipei}");
    }

    #[test]
    fn great_circle_matches_known_distances() {
        // London–New York is about 5,570 km.
        let d = great_circle_km(51.5074, -0.1278, 40.7128, -74.0060);
        assert!((d - 5570.0).abs() < 20.0, "{d}");
        assert_eq!(great_circle_km(10.0, 20.0, 10.0, 20.0), 0.0);
        // Antipodes: half the circumference.
        let half = great_circle_km(0.0, 0.0, 0.0, 180.0);
        assert!((half - std::f64::consts::PI * EARTH_RADIUS_KM).abs() < 1e-6);
    }
}
