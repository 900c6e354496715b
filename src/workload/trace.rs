//! Loading a request trace from CSV.

use std::path::Path;

use super::timestamp::parse_timestamp_ns;

/// Largest token count accepted in a row (the scenario's own limit for token distributions).
const MAX_TOKENS: u64 = 10_000_000;

/// Which CSV columns hold what. The defaults are the Azure LLM inference trace's headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceColumns {
    /// Arrival time: `YYYY-MM-DD HH:MM:SS[.fraction]` or seconds.
    pub timestamp: String,
    /// Prompt (input, context) tokens.
    pub prompt_tokens: String,
    /// Generated (output) tokens.
    pub output_tokens: String,
    /// Optional: the name of the user site that sent the request.
    pub site: Option<String>,
}

impl Default for TraceColumns {
    fn default() -> Self {
        TraceColumns {
            timestamp: "TIMESTAMP".into(),
            prompt_tokens: "ContextTokens".into(),
            output_tokens: "GeneratedTokens".into(),
            site: None,
        }
    }
}

/// A checked trace: requests in time order, times relative to the first request.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// The file as the user named it (for messages).
    pub file: String,
    /// Timestamp of the first request, ns since 1970-01-01 (or since 0 for numeric times).
    pub origin_ns: i64,
    /// Arrival of each request, ns after the first; non-decreasing.
    pub offsets_ns: Vec<u64>,
    pub prompt_tokens: Vec<u32>,
    pub output_tokens: Vec<u32>,
    /// With a site column: each request's site name, interned in `site_names`.
    pub site_of_row: Option<Vec<u32>>,
    /// Distinct site names in order of first appearance.
    pub site_names: Vec<String>,
}

/// Why a trace cannot be used. Every variant names the file; row problems name the line
/// (1-based, as an editor shows it; the header is a line too).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TraceError {
    /// The file could not be read.
    #[error("cannot read trace {file}: {reason}")]
    Read { file: String, reason: String },
    /// No header, or a header but no requests.
    #[error("trace {file} has no requests{detail}")]
    Empty { file: String, detail: String },
    /// A configured column is not in the header.
    #[error("trace {file}: no column \"{column}\" in the header (columns: {found})")]
    MissingColumn {
        file: String,
        column: String,
        found: String,
    },
    /// A row has fewer fields than the header.
    #[error("trace {file}:{line}: {found} fields, the header has {expected}")]
    FieldCount {
        file: String,
        line: usize,
        expected: usize,
        found: usize,
    },
    /// A timestamp that is not a date-time or a number of seconds.
    #[error(
        "trace {file}:{line}: timestamp \"{value}\" is not a date-time (YYYY-MM-DD HH:MM:SS[.fraction]) or a number of seconds"
    )]
    Timestamp {
        file: String,
        line: usize,
        value: String,
    },
    /// A token count that is negative, fractional, not a number or absurdly large.
    #[error(
        "trace {file}:{line}: {column} \"{value}\" is not a token count (a whole number from 0 to {MAX_TOKENS})"
    )]
    Tokens {
        file: String,
        line: usize,
        column: String,
        value: String,
    },
    /// Rows must be in time order: replay follows the file, and a shuffled file is more likely
    /// a mistake (a wrong column, a concatenation) than an intention, so it is refused rather
    /// than sorted silently.
    #[error(
        "trace {file}:{line}: timestamp {value} is earlier than the row before it (line {previous_line}); rows must be in time order — sort the file by time first"
    )]
    OutOfOrder {
        file: String,
        line: usize,
        previous_line: usize,
        value: String,
    },
}

impl TraceError {
    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            TraceError::Read { .. } => {
                "check the path: in a scenario it is relative to the scenario file"
            }
            TraceError::Empty { .. } => {
                "give a header line and one row per request: arrival time, prompt tokens, output tokens"
            }
            TraceError::MissingColumn { .. } | TraceError::FieldCount { .. } => {
                "map the file's columns with timestamp_column, prompt_column, output_column"
            }
            TraceError::Timestamp { .. } => {
                "write times as 2023-11-16 18:15:46.68 or as seconds (e.g. 12.5)"
            }
            TraceError::Tokens { .. } => "token counts are whole numbers of at least 0",
            TraceError::OutOfOrder { .. } => {
                "sort the rows by time, e.g. keep the header and `sort -t, -k1,1` the rest"
            }
        }
    }
}

impl Trace {
    /// Reads and checks `path`; `shown` is how messages name it.
    pub fn load(path: &Path, shown: &str, columns: &TraceColumns) -> Result<Trace, TraceError> {
        // A device or a pipe (/dev/zero, a FIFO) could be read forever.
        if path.exists() && !path.is_file() {
            return Err(TraceError::Read {
                file: shown.to_string(),
                reason: "it is not a regular file; pass a CSV file".into(),
            });
        }
        let bytes = std::fs::read(path).map_err(|e| TraceError::Read {
            file: shown.to_string(),
            reason: e.to_string().to_lowercase(),
        })?;
        let text = String::from_utf8(bytes).map_err(|_| TraceError::Read {
            file: shown.to_string(),
            reason: "it is not UTF-8 text; pass a CSV file".into(),
        })?;
        Trace::parse(&text, shown, columns)
    }

    /// Parses CSV text (`#` lines and blank lines are skipped; the first other line is the
    /// header). Fields are split at commas; surrounding spaces and double quotes are removed.
    pub fn parse(text: &str, file: &str, columns: &TraceColumns) -> Result<Trace, TraceError> {
        // Spreadsheet exports often start with a byte-order mark; it is not part of the header.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
            .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
        let Some((_, header)) = lines.next() else {
            return Err(TraceError::Empty {
                file: file.into(),
                detail: " (the file is empty; expected a header line and one row per request)"
                    .into(),
            });
        };
        let names: Vec<&str> = split(header).collect();
        let find = |column: &str| {
            names
                .iter()
                .position(|n| *n == column)
                .ok_or_else(|| TraceError::MissingColumn {
                    file: file.into(),
                    column: column.into(),
                    found: names.join(", "),
                })
        };
        let ts_col = find(&columns.timestamp)?;
        let prompt_col = find(&columns.prompt_tokens)?;
        let output_col = find(&columns.output_tokens)?;
        let site_col = columns.site.as_deref().map(find).transpose()?;
        let mut trace = Trace {
            file: file.into(),
            origin_ns: 0,
            offsets_ns: Vec::new(),
            prompt_tokens: Vec::new(),
            output_tokens: Vec::new(),
            site_of_row: site_col.map(|_| Vec::new()),
            site_names: Vec::new(),
        };
        let mut previous: Option<(i64, usize)> = None;
        let mut fields: Vec<&str> = Vec::with_capacity(names.len());
        for (line, row) in lines {
            fields.clear();
            fields.extend(split(row));
            if fields.len() < names.len() {
                return Err(TraceError::FieldCount {
                    file: file.into(),
                    line,
                    expected: names.len(),
                    found: fields.len(),
                });
            }
            let ts_text = fields[ts_col];
            let ts = parse_timestamp_ns(ts_text).ok_or_else(|| TraceError::Timestamp {
                file: file.into(),
                line,
                value: ts_text.into(),
            })?;
            match previous {
                Some((prev, previous_line)) if ts < prev => {
                    return Err(TraceError::OutOfOrder {
                        file: file.into(),
                        line,
                        previous_line,
                        value: ts_text.into(),
                    });
                }
                None => trace.origin_ns = ts,
                _ => {}
            }
            previous = Some((ts, line));
            let tokens = |col: usize, name: &str| {
                fields[col]
                    .parse::<u64>()
                    .ok()
                    .filter(|v| *v <= MAX_TOKENS)
                    .map(|v| v as u32)
                    .ok_or_else(|| TraceError::Tokens {
                        file: file.into(),
                        line,
                        column: name.into(),
                        value: fields[col].into(),
                    })
            };
            let prompt = tokens(prompt_col, &columns.prompt_tokens)?;
            let output = tokens(output_col, &columns.output_tokens)?;
            // ts ≥ origin (checked above); the difference of two i64 always fits a u64.
            trace
                .offsets_ns
                .push((i128::from(ts) - i128::from(trace.origin_ns)) as u64);
            trace.prompt_tokens.push(prompt);
            trace.output_tokens.push(output);
            if let (Some(col), Some(rows)) = (site_col, trace.site_of_row.as_mut()) {
                let name = fields[col];
                let id = match trace.site_names.iter().position(|n| n == name) {
                    Some(i) => i,
                    None => {
                        trace.site_names.push(name.to_string());
                        trace.site_names.len() - 1
                    }
                };
                rows.push(id as u32);
            }
        }
        if trace.offsets_ns.is_empty() {
            return Err(TraceError::Empty {
                file: file.into(),
                detail: " (only a header; expected one row per request after it)".into(),
            });
        }
        Ok(trace)
    }

    /// Requests in the trace.
    pub fn len(&self) -> usize {
        self.offsets_ns.len()
    }

    /// Always false: a loaded trace has at least one request.
    pub fn is_empty(&self) -> bool {
        self.offsets_ns.is_empty()
    }

    /// Time from the first to the last request, ns.
    pub fn last_offset_ns(&self) -> u64 {
        self.offsets_ns.last().copied().unwrap_or(0)
    }

    /// How long one pass of the trace lasts when it is looped, ns: first to last request plus
    /// one mean gap, so the last request of a pass and the first of the next are a typical
    /// gap apart rather than simultaneous (1 s for a one-request trace).
    pub fn period_ns(&self) -> u64 {
        let n = self.len() as u64;
        let last = self.last_offset_ns();
        if n < 2 || last == 0 {
            return last.max(1_000_000_000);
        }
        last + last / (n - 1)
    }
}

fn split(line: &str) -> impl Iterator<Item = &str> {
    line.split(',').map(|f| f.trim().trim_matches('"').trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Trace, TraceError> {
        Trace::parse(text, "t.csv", &TraceColumns::default())
    }

    const GOOD: &str = "# a comment\nTIMESTAMP,ContextTokens,GeneratedTokens\n\
        2023-11-16 18:15:46.6805900,374,44\n2023-11-16 18:15:50.9951690,396,109\n";

    #[test]
    fn azure_rows_load() {
        let t = parse(GOOD).unwrap();
        assert_eq!(t.offsets_ns, vec![0, 4_314_579_000]);
        assert_eq!(t.prompt_tokens, vec![374, 396]);
        assert_eq!(t.output_tokens, vec![44, 109]);
        assert!(t.site_of_row.is_none());
    }

    #[test]
    fn columns_can_be_mapped_and_sites_read() {
        let cols = TraceColumns {
            timestamp: "t".into(),
            prompt_tokens: "in".into(),
            output_tokens: "out".into(),
            site: Some("site".into()),
        };
        let t = Trace::parse("t,in,out,site\n0,1,2,a\n1.5,3,4,b\n2,5,6,a\n", "x", &cols).unwrap();
        assert_eq!(t.offsets_ns, vec![0, 1_500_000_000, 2_000_000_000]);
        assert_eq!(t.site_of_row, Some(vec![0, 1, 0]));
        assert_eq!(t.site_names, vec!["a", "b"]);
    }

    #[test]
    fn bad_rows_name_the_file_and_line() {
        let cases = [
            ("", "t.csv has no requests"),
            ("TIMESTAMP,ContextTokens,GeneratedTokens\n", "only a header"),
            ("a,b\n1,2\n", "no column \"TIMESTAMP\""),
            (
                "TIMESTAMP,ContextTokens,GeneratedTokens\nnoon,1,2\n",
                "t.csv:2: timestamp \"noon\"",
            ),
            (
                "TIMESTAMP,ContextTokens,GeneratedTokens\n1,1,2\n2,-5,2\n",
                "t.csv:3: ContextTokens \"-5\" is not a token count",
            ),
            (
                "TIMESTAMP,ContextTokens,GeneratedTokens\n1,1,2\n\n0.5,1,2\n",
                "t.csv:4: timestamp 0.5 is earlier than the row before it (line 2)",
            ),
            (
                "TIMESTAMP,ContextTokens,GeneratedTokens\n1,1\n",
                "t.csv:2: 2 fields, the header has 3",
            ),
        ];
        for (text, want) in cases {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.contains(want), "{e:?} lacks {want:?}");
        }
    }

    #[test]
    fn a_byte_order_mark_and_crlf_line_ends_are_accepted() {
        let text = format!("\u{feff}{}", GOOD.replace('\n', "\r\n"));
        assert_eq!(parse(&text).unwrap(), parse(GOOD).unwrap());
    }

    #[test]
    fn period_adds_one_mean_gap() {
        let t = parse(GOOD).unwrap();
        assert_eq!(t.period_ns(), 2 * 4_314_579_000);
    }
}
