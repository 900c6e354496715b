//! The bundled font: DejaVu Sans (Bitstream Vera licence, see
//! `assets/fonts/DejaVuSans-LICENSE.txt`), registered with plotters as its `sans-serif`
//! family so that no system font discovery is ever needed.

use std::sync::Once;

use plotters::style::{FontStyle, register_font};

/// DejaVu Sans Book, as shipped by Debian's `fonts-dejavu-core`.
pub const DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The family every chart asks for.
pub const FAMILY: &str = "sans-serif";

static REGISTER: Once = Once::new();

/// Registers the bundled font (once per process; later calls do nothing).
pub fn ensure_registered() {
    REGISTER.call_once(|| {
        // The bytes are a known-good TTF compiled into the binary; a test pins that they
        // parse, so failure here would be a build defect, not bad input.
        if register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS).is_err() {
            panic!("the bundled DejaVu Sans does not parse");
        }
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn bundled_font_registers() {
        super::ensure_registered();
    }
}
