//! Shared parsing and validation helpers for the catalog files.
//!
//! `parse_toml` turns TOML text into a raw struct and maps parser errors to
//! [`CatalogError::Parse`] with a 1-based line and column. [`At`] carries "where" (file and
//! entry) so that each check can build an error that names the field at fault.

use serde::de::DeserializeOwned;

use super::CatalogError;
use super::error::ItemKind;

/// Parses `text` (the contents of `file`) into `T`, reporting errors with line:column.
pub(super) fn parse_toml<T: DeserializeOwned>(file: &str, text: &str) -> Result<T, CatalogError> {
    toml::from_str(text).map_err(|err| {
        let (line, column) = err
            .span()
            .map_or((1, 1), |span| line_column(text, span.start));
        CatalogError::Parse {
            file: file.to_owned(),
            line,
            column,
            // The parser's message can span lines; keep the error on one line.
            message: err.message().trim().replace('\n', "; "),
        }
    })
}

/// 1-based line and character column of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut line = 1;
    let mut column = 1;
    for (index, ch) in text.char_indices() {
        if index >= offset {
            break;
        }
        if ch == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    (line, column)
}

/// Label for an entry in error messages: ``kind `name` `` or `kind #n` (1-based) when the name
/// itself is empty.
pub(super) fn entry_label(kind: &str, index: usize, name: &str) -> String {
    if name.trim().is_empty() {
        format!("{kind} #{}", index + 1)
    } else {
        format!("{kind} `{name}`")
    }
}

/// Error for a list that must hold at least one entry.
pub(super) fn empty_list(file: &str, field: &str, what: &str) -> CatalogError {
    CatalogError::Invalid {
        file: file.to_owned(),
        entry: "file".to_owned(),
        field: field.to_owned(),
        problem: format!("is empty; list at least one {what}"),
    }
}

/// Where a value lives: the file label and the entry label.
pub(super) struct At<'a> {
    pub file: &'a str,
    pub entry: String,
}

impl At<'_> {
    /// A [`CatalogError::Invalid`] for `field` of this entry.
    pub fn invalid(&self, field: &str, problem: impl Into<String>) -> CatalogError {
        CatalogError::Invalid {
            file: self.file.to_owned(),
            entry: self.entry.clone(),
            field: field.to_owned(),
            problem: problem.into(),
        }
    }

    /// A [`CatalogError::UnknownReference`] for `field` of this entry.
    pub fn unknown(&self, field: &str, kind: ItemKind, name: &str) -> CatalogError {
        CatalogError::UnknownReference {
            file: self.file.to_owned(),
            entry: self.entry.clone(),
            field: field.to_owned(),
            kind,
            name: name.to_owned(),
        }
    }

    /// A finite value strictly greater than zero.
    pub fn positive(&self, field: &str, value: f64) -> Result<f64, CatalogError> {
        if value.is_finite() && value > 0.0 {
            Ok(value)
        } else {
            Err(self.invalid(field, format!("is {value}; it must be a finite number > 0")))
        }
    }

    /// A finite value greater than or equal to zero.
    pub fn non_negative(&self, field: &str, value: f64) -> Result<f64, CatalogError> {
        if value.is_finite() && value >= 0.0 {
            Ok(value)
        } else {
            Err(self.invalid(
                field,
                format!("is {value}; it must be a finite number >= 0"),
            ))
        }
    }

    /// A finite value in `[min, max]`; `hint` says what the unit or convention is.
    pub fn in_range(
        &self,
        field: &str,
        value: f64,
        (min, max): (f64, f64),
        hint: &str,
    ) -> Result<f64, CatalogError> {
        if value.is_finite() && (min..=max).contains(&value) {
            Ok(value)
        } else {
            Err(self.invalid(field, format!("is {value}, outside [{min}, {max}]; {hint}")))
        }
    }

    /// Latitude in decimal degrees, north positive.
    pub fn latitude(&self, value: f64) -> Result<f64, CatalogError> {
        self.in_range(
            "lat_deg",
            value,
            (-90.0, 90.0),
            "give decimal degrees, north positive",
        )
    }

    /// Longitude in decimal degrees, east positive.
    pub fn longitude(&self, value: f64) -> Result<f64, CatalogError> {
        self.in_range(
            "lon_deg",
            value,
            (-180.0, 180.0),
            "give decimal degrees, east positive",
        )
    }

    /// A string with visible content.
    pub fn non_empty(&self, field: &str, value: &str) -> Result<String, CatalogError> {
        if value.trim().is_empty() {
            Err(self.invalid(field, "is empty; give a value"))
        } else {
            Ok(value.to_owned())
        }
    }

    /// A lower-case identifier: letters `a-z`, digits and single inner hyphens (`new-york`,
    /// `us-east-1`), so that names are stable keys in scenario files and reports.
    pub fn identifier(&self, field: &str, value: &str) -> Result<String, CatalogError> {
        let allowed = value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !value.is_empty()
            && allowed
            && !value.starts_with('-')
            && !value.ends_with('-')
            && !value.contains("--")
        {
            Ok(value.to_owned())
        } else {
            Err(self.invalid(
                field,
                format!(
                    "is `{value}`; use lower-case letters, digits and single hyphens, e.g. `new-york`"
                ),
            ))
        }
    }

    /// A name without whitespace (instance types and profile names contain `.` and `@`).
    pub fn token(&self, field: &str, value: &str) -> Result<String, CatalogError> {
        if value.is_empty() || value.chars().any(char::is_whitespace) {
            Err(self.invalid(
                field,
                format!("is `{value}`; give a non-empty name without spaces"),
            ))
        } else {
            Ok(value.to_owned())
        }
    }
}

/// Minimal regions with the given codes, for tests of files that refer to regions.
#[cfg(test)]
pub(super) fn test_regions(codes: &[&str]) -> std::collections::BTreeMap<String, super::Region> {
    codes
        .iter()
        .map(|code| {
            let region = super::Region {
                code: (*code).to_owned(),
                name: (*code).to_owned(),
                city: "City".to_owned(),
                country: "Country".to_owned(),
                lat_deg: 0.0,
                lon_deg: 0.0,
                geography: "GEO".to_owned(),
            };
            ((*code).to_owned(), region)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_from_one_in_characters() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        // 'é' is two bytes but one column.
        assert_eq!(line_column(text, 9), (2, 3));
    }

    #[test]
    fn identifier_rejects_upper_case_spaces_and_edge_hyphens() {
        let at = At {
            file: "f",
            entry: "e".to_owned(),
        };
        assert!(at.identifier("name", "new-york").is_ok());
        assert!(at.identifier("name", "us-east-1").is_ok());
        for bad in ["New-York", "new york", "-x", "x-", "a--b", ""] {
            assert!(at.identifier("name", bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn positive_rejects_zero_negative_and_nan() {
        let at = At {
            file: "f",
            entry: "e".to_owned(),
        };
        assert!(at.positive("x", 1.5).is_ok());
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(at.positive("x", bad).is_err(), "{bad} accepted");
        }
    }
}
