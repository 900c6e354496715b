//! Addresses of values in a document (`latency.e2e.p99_ms`, `regions.us-east-1.timeseries
//! .utilisation[3]`) and the patterns of a tolerance file that select them (`regions.*
//! .utilisation_mean`, `**.p99_ms`, `latency.*.p9*_ms`).

use std::fmt;

/// One step into a JSON tree: an object key (or the `name` of an element of a list of named
/// objects, such as an SLO) or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// The path of a value in a document. Displayed with dots between keys and `[i]` for list
/// indices: `slo.ttft_p95_ms.pass`, `regions.eu-west-1.timeseries.utilisation[3]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldPath(Vec<Seg>);

impl FieldPath {
    /// This path extended by an object key.
    pub fn key(&self, k: &str) -> FieldPath {
        let mut p = self.clone();
        p.0.push(Seg::Key(k.to_string()));
        p
    }

    /// This path extended by a list index.
    pub fn index(&self, i: usize) -> FieldPath {
        let mut p = self.clone();
        p.0.push(Seg::Index(i));
        p
    }

    pub fn segments(&self) -> &[Seg] {
        &self.0
    }

    /// The object keys only, without list indices: what tolerance patterns are matched
    /// against (a pattern names a list and applies to each of its elements).
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &str> {
        self.0.iter().filter_map(|s| match s {
            Seg::Key(k) => Some(k.as_str()),
            Seg::Index(_) => None,
        })
    }

    /// The path without list indices, e.g. `regions.eu-west-1.timeseries.utilisation`.
    pub fn keys_display(&self) -> String {
        self.keys().collect::<Vec<_>>().join(".")
    }

    /// Whether this is exactly the path `dotted` (keys only, e.g. `scenario.seed`).
    pub fn is(&self, dotted: &str) -> bool {
        self.0.len() == dotted.split('.').count()
            && self
                .0
                .iter()
                .zip(dotted.split('.'))
                .all(|(s, d)| matches!(s, Seg::Key(k) if k == d))
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if i == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// One segment of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PatSeg {
    /// Matches exactly this key.
    Literal(String),
    /// A key with `*` standing for any run of characters, e.g. `*_ms`, `p9*`.
    Glob(String),
    /// `*`: any one key.
    Any,
    /// `**`: any number of keys, including none.
    AnyDepth,
}

/// A field pattern of a tolerance file: keys separated by dots, where `*` is any one key
/// (or, inside a key, any run of characters) and `**` any number of keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    text: String,
    segs: Vec<PatSeg>,
}

/// How specific a pattern is; the most specific matching pattern wins. Ordered by literal
/// keys, then partial globs (`*_ms`), then `*`, then fewer `**`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Specificity {
    literals: usize,
    globs: usize,
    anys: usize,
    fewer_any_depth: std::cmp::Reverse<usize>,
}

impl Pattern {
    /// Parses `text`; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<Pattern, String> {
        if text.trim().is_empty() {
            return Err("an empty field pattern".into());
        }
        if text.contains('[') || text.contains(']') {
            return Err(format!(
                "`{text}`: a pattern names a list, not one element; its tolerance applies to every element"
            ));
        }
        let mut segs = Vec::new();
        for part in text.split('.') {
            let seg = match part {
                "" => return Err(format!("`{text}` has an empty key (two dots in a row?)")),
                "**" => PatSeg::AnyDepth,
                "*" => PatSeg::Any,
                p if p.contains("**") => {
                    return Err(format!(
                        "`{text}`: `**` must be a whole key (any number of keys), as in `regions.**`"
                    ));
                }
                p if p.contains('*') => PatSeg::Glob(p.to_string()),
                p => PatSeg::Literal(p.to_string()),
            };
            segs.push(seg);
        }
        Ok(Pattern {
            text: text.to_string(),
            segs,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn specificity(&self) -> Specificity {
        let count = |f: fn(&PatSeg) -> bool| self.segs.iter().filter(|s| f(s)).count();
        Specificity {
            literals: count(|s| matches!(s, PatSeg::Literal(_))),
            globs: count(|s| matches!(s, PatSeg::Glob(_))),
            anys: count(|s| matches!(s, PatSeg::Any)),
            fewer_any_depth: std::cmp::Reverse(count(|s| matches!(s, PatSeg::AnyDepth))),
        }
    }

    /// Whether the pattern matches the keys of `path` (list indices are skipped).
    pub fn matches(&self, path: &FieldPath) -> bool {
        let keys: Vec<&str> = path.keys().collect();
        self.matches_keys(&keys)
    }

    /// Whether the pattern matches a path given as its keys.
    pub fn matches_keys(&self, keys: &[&str]) -> bool {
        match_segs(&self.segs, keys)
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn match_segs(pat: &[PatSeg], keys: &[&str]) -> bool {
    match pat.split_first() {
        None => keys.is_empty(),
        Some((PatSeg::AnyDepth, rest)) => (0..=keys.len()).any(|i| match_segs(rest, &keys[i..])),
        Some((seg, rest)) => match keys.split_first() {
            None => false,
            Some((k, krest)) => {
                let ok = match seg {
                    PatSeg::Literal(l) => l == k,
                    PatSeg::Any => true,
                    PatSeg::Glob(g) => glob(g, k),
                    PatSeg::AnyDepth => unreachable!("handled above"),
                };
                ok && match_segs(rest, krest)
            }
        },
    }
}

/// `*` in `pattern` matches any run of characters (including none) of `text`.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(keys: &[&str]) -> FieldPath {
        keys.iter().fold(FieldPath::default(), |p, k| p.key(k))
    }

    fn m(pattern: &str, keys: &[&str]) -> bool {
        Pattern::parse(pattern).unwrap().matches(&path(keys))
    }

    #[test]
    fn display_uses_dots_and_brackets() {
        let p = path(&["regions", "us-east-1", "timeseries", "utilisation"]).index(3);
        assert_eq!(p.to_string(), "regions.us-east-1.timeseries.utilisation[3]");
        assert_eq!(p.keys_display(), "regions.us-east-1.timeseries.utilisation");
        assert!(path(&["scenario", "seed"]).is("scenario.seed"));
        assert!(!path(&["scenario", "seed"]).is("scenario"));
    }

    #[test]
    fn literal_star_and_double_star() {
        assert!(m("latency.e2e.p99_ms", &["latency", "e2e", "p99_ms"]));
        assert!(!m("latency.e2e.p99_ms", &["latency", "ttft", "p99_ms"]));
        assert!(m("latency.*.p99_ms", &["latency", "ttft", "p99_ms"]));
        assert!(!m("latency.*", &["latency", "ttft", "p99_ms"]));
        assert!(m("**.p99_ms", &["regions", "x", "e2e", "p99_ms"]));
        assert!(m("**.p99_ms", &["p99_ms"]));
        assert!(m("regions.**", &["regions", "x", "e2e", "p99_ms"]));
        assert!(m("regions.**", &["regions"]));
        assert!(m("**", &["a", "b"]));
        assert!(m("latency.*.p9*_ms", &["latency", "e2e", "p999_ms"]));
        assert!(m("**.*_ms", &["latency", "e2e", "mean_ms"]));
        assert!(!m("**.*_ms", &["latency", "e2e", "count"]));
        assert!(m("a.**.d", &["a", "b", "c", "d"]));
        assert!(!m("a.**.d", &["a", "b", "c", "e"]));
    }

    #[test]
    fn indices_are_transparent() {
        let p = path(&["regions", "x", "timeseries", "utilisation"]).index(7);
        assert!(
            Pattern::parse("regions.*.timeseries.utilisation")
                .unwrap()
                .matches(&p)
        );
    }

    #[test]
    fn globs() {
        assert!(glob("*_ms", "p99_ms"));
        assert!(glob("p*", "p"));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxc"));
        assert!(!glob("ab*ba", "aba"));
    }

    #[test]
    fn bad_patterns() {
        for p in ["", "a..b", "slo[0].pass", "a.b**"] {
            assert!(Pattern::parse(p).is_err(), "{p:?} should be refused");
        }
    }

    #[test]
    fn specificity_orders_literal_before_wildcards() {
        let s = |p: &str| Pattern::parse(p).unwrap().specificity();
        assert!(s("latency.e2e.p99_ms") > s("latency.*.p99_ms"));
        assert!(s("latency.*.p99_ms") > s("**.p99_ms"));
        assert!(s("latency.*.*_ms") > s("latency.*.*"));
        assert!(s("a.*.c") > s("a.**.c"));
    }
}
