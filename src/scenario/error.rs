//! Scenario errors, located in the source file with line, column and a caret.

use std::fmt;
use std::ops::Range;

/// A problem at one place in a scenario file, rendered like a compiler diagnostic.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// File the scenario came from (as given by the user).
    pub file: String,
    /// 1-based line; 0 when the problem has no place in the file (e.g. an empty file).
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// What is wrong, lowercase, without trailing period.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
    /// The offending line's text, for the caret display.
    pub line_text: Option<String>,
    /// Width of the caret underline in characters.
    pub caret_len: usize,
}

impl Diagnostic {
    /// Builds a diagnostic pointing at byte range `span` of `src`.
    pub fn at(file: &str, src: &str, span: Option<Range<usize>>, message: String) -> Diagnostic {
        let (line, column, line_text, caret_len) = match span {
            Some(span) => {
                let start = span.start.min(src.len());
                let before = &src[..floor_char_boundary(src, start)];
                let line = before.matches('\n').count() + 1;
                let line_start = before.rfind('\n').map_or(0, |i| i + 1);
                let column = before[line_start..].chars().count() + 1;
                let line_end = src[line_start..]
                    .find('\n')
                    .map_or(src.len(), |i| line_start + i);
                let text = src[line_start..line_end].trim_end_matches('\r').to_string();
                let end = span.end.min(line_end).max(start);
                let caret = src[floor_char_boundary(src, start)..floor_char_boundary(src, end)]
                    .chars()
                    .count()
                    .max(1);
                (line, column, Some(text), caret)
            }
            None => (0, 0, None, 0),
        };
        Diagnostic {
            file: file.to_string(),
            line,
            column,
            message,
            hint: None,
            line_text,
            caret_len,
        }
    }

    /// Adds a hint saying how to fix the problem.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.message)?;
        if self.line == 0 {
            write!(f, "  --> {}", self.file)?;
        } else {
            write!(f, "  --> {}:{}:{}", self.file, self.line, self.column)?;
        }
        if let Some(text) = &self.line_text {
            let gutter = self.line.to_string().len();
            let pad = " ".repeat(gutter);
            write!(f, "\n{pad} |\n{} | {}\n{pad} | ", self.line, text)?;
            let lead: String = text
                .chars()
                .take(self.column.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            write!(f, "{lead}{}", "^".repeat(self.caret_len))?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  = help: {hint}")?;
        }
        Ok(())
    }
}

/// Errors of the scenario layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The file could not be read (missing, a directory, not UTF-8, ...).
    #[error("cannot read scenario {path}: {reason}")]
    Read { path: String, reason: String },
    /// The file is not valid TOML or does not match the scenario format.
    #[error("invalid scenario: {0}")]
    Parse(Box<Diagnostic>),
    /// The file parses but a value is impossible, unknown or contradictory.
    #[error("invalid scenario: {0}")]
    Invalid(Box<Diagnostic>),
}

impl ScenarioError {
    /// The located diagnostic, when the error has one.
    pub fn diagnostic(&self) -> Option<&Diagnostic> {
        match self {
            ScenarioError::Parse(d) | ScenarioError::Invalid(d) => Some(d),
            ScenarioError::Read { .. } => None,
        }
    }
}

/// One step of a path to a value in the scenario document.
#[derive(Debug, Clone, PartialEq)]
pub enum PathSeg {
    Key(String),
    Index(usize),
}

/// A path to a value, e.g. `regions[1].instances`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FieldPath(pub Vec<PathSeg>);

impl FieldPath {
    pub fn key(mut self, k: &str) -> FieldPath {
        self.0.push(PathSeg::Key(k.to_string()));
        self
    }
    pub fn index(mut self, i: usize) -> FieldPath {
        self.0.push(PathSeg::Index(i));
        self
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                PathSeg::Key(k) if i == 0 => write!(f, "{k}")?,
                PathSeg::Key(k) => write!(f, ".{k}")?,
                PathSeg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// Finds the byte span of the value at `path` in `src`, or of its nearest existing ancestor
/// (so a missing key points at the table that should hold it).
pub fn locate(src: &str, path: &FieldPath) -> Option<Range<usize>> {
    let doc = toml_edit::Document::parse(src).ok()?;
    let mut item = doc.as_item();
    let mut best = None;
    for seg in &path.0 {
        let next = match seg {
            PathSeg::Key(k) => item.get(k.as_str()),
            PathSeg::Index(i) => item.get(*i),
        };
        match next {
            Some(next) => {
                item = next;
                if let Some(span) = next.span() {
                    best = Some(span);
                }
            }
            None => break,
        }
    }
    best
}

/// The closest of `candidates` to `word` by edit distance, if close enough to be a typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_nested_values() {
        let src = "[simulation]\nduration_s = 5\n\n[[regions]]\ncode = \"a\"\n\n[[regions]]\ncode = \"b\"\ninstances = 0\n";
        let path = FieldPath::default()
            .key("regions")
            .index(1)
            .key("instances");
        let span = locate(src, &path).expect("found");
        let d = Diagnostic::at("s.toml", src, Some(span), "bad".into());
        assert_eq!((d.line, d.column), (9, 13));
        let shown = d.with_hint("use 1").to_string();
        assert!(shown.contains("s.toml:9:13"), "{shown}");
        assert!(shown.contains("instances = 0"), "{shown}");
        assert!(shown.contains("^"), "{shown}");
    }

    #[test]
    fn missing_key_points_at_parent() {
        let src = "[simulation]\nduration_s = 5\n";
        let path = FieldPath::default().key("simulation").key("seed");
        assert!(locate(src, &path).is_some());
    }

    #[test]
    fn suggests_near_misses_only() {
        let c = ["duration_s", "warmup_s", "seed"];
        assert_eq!(did_you_mean("duraton_s", c), Some("duration_s"));
        assert_eq!(did_you_mean("colour", c), None);
    }
}
