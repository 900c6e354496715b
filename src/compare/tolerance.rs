//! A tolerance: how far a value may move before `meridian check` reports it.
//!
//! Written as `"exact"`, `"5%"` (relative to the baseline value), `"0.02"` or `0.02`
//! (absolute, in the field's unit), `"5% or 1"` (whichever is larger: 5 % of the baseline,
//! but at least 1 unit), `"info"` (a difference is reported, never a failure) or `"ignore"`.

use std::fmt;

/// How far a value may move. See the module documentation for the written forms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Tolerance {
    /// Any difference is reported.
    Exact,
    /// A number may move by `relative_pct` % of the baseline value or by `absolute` units,
    /// whichever allows more. Text and structure still compare exactly.
    Within { relative_pct: f64, absolute: f64 },
    /// A difference is reported as information and never fails.
    Info,
    /// Not compared.
    Ignore,
}

impl Tolerance {
    /// A relative tolerance of `pct` %.
    pub const fn relative(pct: f64) -> Tolerance {
        Tolerance::Within {
            relative_pct: pct,
            absolute: 0.0,
        }
    }

    /// An absolute tolerance of `abs` units.
    pub const fn absolute(abs: f64) -> Tolerance {
        Tolerance::Within {
            relative_pct: 0.0,
            absolute: abs,
        }
    }

    /// Parses the written form; the error says which forms exist.
    pub fn parse(text: &str) -> Result<Tolerance, String> {
        let t = text.trim();
        match t.to_ascii_lowercase().as_str() {
            "exact" => return Ok(Tolerance::Exact),
            "info" => return Ok(Tolerance::Info),
            "ignore" => return Ok(Tolerance::Ignore),
            _ => {}
        }
        let mut relative_pct = None;
        let mut absolute = None;
        for part in t.split(" or ") {
            let part = part.trim();
            let (slot, number) = match part.strip_suffix('%') {
                Some(n) => (&mut relative_pct, n.trim()),
                None => (&mut absolute, part),
            };
            let value: f64 = number.parse().map_err(|_| bad(text))?;
            if !value.is_finite() || value < 0.0 {
                return Err(format!("tolerance \"{text}\" must be a finite number ≥ 0"));
            }
            if slot.replace(value).is_some() {
                return Err(bad(text));
            }
        }
        Ok(Tolerance::Within {
            relative_pct: relative_pct.unwrap_or(0.0),
            absolute: absolute.unwrap_or(0.0),
        })
    }

    /// Whether a number moving from `baseline` by `delta` stays within this tolerance.
    /// `Info` and `Ignore` allow anything.
    pub fn allows(self, baseline: f64, delta: f64) -> bool {
        match self {
            Tolerance::Exact => delta == 0.0,
            Tolerance::Within {
                relative_pct,
                absolute,
            } => {
                let allowed = (relative_pct / 100.0 * baseline.abs()).max(absolute);
                // The documents carry decimals; let 5.0 vs 5 % of 100 count as within.
                delta.abs() <= allowed * (1.0 + 1e-9) + 1e-12
            }
            Tolerance::Info | Tolerance::Ignore => true,
        }
    }
}

fn bad(text: &str) -> String {
    format!(
        "\"{text}\" is not a tolerance; write \"exact\", \"5%\" (relative), \"0.02\" (absolute), \"5% or 1\" (the larger of both), \"info\" or \"ignore\""
    )
}

impl fmt::Display for Tolerance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Tolerance::Exact => f.write_str("exact"),
            Tolerance::Info => f.write_str("info"),
            Tolerance::Ignore => f.write_str("ignore"),
            Tolerance::Within {
                relative_pct,
                absolute,
            } => match (relative_pct > 0.0, absolute > 0.0) {
                (true, true) => write!(f, "{relative_pct}% or {absolute}"),
                (true, false) => write!(f, "{relative_pct}%"),
                (false, true) => write!(f, "{absolute}"),
                (false, false) => f.write_str("0"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_forms_round_trip() {
        for (text, shown) in [
            ("exact", "exact"),
            ("EXACT", "exact"),
            ("info", "info"),
            ("ignore", "ignore"),
            ("5%", "5%"),
            (" 5 % ", "5%"),
            ("0.02", "0.02"),
            ("5% or 1", "5% or 1"),
            ("1 or 5%", "5% or 1"),
            ("0", "0"),
        ] {
            let t = Tolerance::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(t.to_string(), shown, "{text:?}");
            assert_eq!(Tolerance::parse(shown).unwrap(), t, "{shown:?}");
        }
    }

    #[test]
    fn nonsense_is_refused() {
        for text in ["", "five", "-1", "5%%", "5% or 6%", "1 or 2", "inf", "NaN%"] {
            assert!(Tolerance::parse(text).is_err(), "{text:?} accepted");
        }
    }

    #[test]
    fn allows() {
        let t = Tolerance::parse("5% or 1").unwrap();
        assert!(t.allows(100.0, 5.0));
        assert!(t.allows(100.0, -5.0));
        assert!(!t.allows(100.0, 5.01));
        assert!(
            t.allows(0.0, 1.0),
            "the absolute floor covers a zero baseline"
        );
        assert!(!t.allows(0.0, 1.5));
        assert!(Tolerance::absolute(0.1).allows(99.9, 100.0 - 99.9));
        assert!(Tolerance::Exact.allows(3.0, 0.0));
        assert!(!Tolerance::Exact.allows(3.0, 1e-12));
    }
}
