//! Colour-blind-safe colours: the Okabe-Ito palette (Okabe & Ito, "Color Universal Design",
//! 2008) for categories, and a viridis ramp for quantities.

use plotters::style::RGBColor;

/// Okabe-Ito, black last: orange, sky blue, bluish green, yellow, blue, vermillion, reddish
/// purple, black.
pub const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 158, 115),
    RGBColor(240, 228, 66),
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(204, 121, 167),
    RGBColor(0, 0, 0),
];

/// The `i`-th category colour (wrapping after eight).
pub fn category(i: usize) -> RGBColor {
    OKABE_ITO[i % OKABE_ITO.len()]
}

/// The `i`-th colour for lines and markers: Okabe-Ito without the yellow, which is too
/// faint as a thin line on white. Regions keep the same colour across charts.
pub fn line(i: usize) -> RGBColor {
    const ORDER: [usize; 7] = [0, 1, 2, 4, 5, 6, 7];
    OKABE_ITO[ORDER[i % ORDER.len()]]
}

/// Text and axes.
pub const INK: RGBColor = RGBColor(34, 34, 34);
/// Major grid lines.
pub const GRID: RGBColor = RGBColor(215, 215, 215);
/// Minor grid lines.
pub const GRID_LIGHT: RGBColor = RGBColor(246, 246, 246);

/// Viridis at `t` in 0–1 (linear between nine stops of matplotlib's viridis).
pub fn viridis(t: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 9] = [
        (68, 1, 84),
        (71, 44, 122),
        (59, 81, 139),
        (44, 113, 142),
        (33, 144, 141),
        (39, 173, 129),
        (92, 200, 99),
        (170, 220, 50),
        (253, 231, 37),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (STOPS.len() - 1) as f64;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - i as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Black or white, whichever reads better on `bg`.
pub fn text_on(bg: RGBColor) -> RGBColor {
    let l = 0.299 * f64::from(bg.0) + 0.587 * f64::from(bg.1) + 0.114 * f64::from(bg.2);
    if l > 140.0 {
        INK
    } else {
        RGBColor(255, 255, 255)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viridis_ends_and_clamps() {
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(253, 231, 37));
        assert_eq!(viridis(f64::NAN), viridis(0.0));
        assert_eq!(viridis(7.0), viridis(1.0));
    }
}
