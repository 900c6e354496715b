//! Timestamps of trace rows, parsed exactly into integer nanoseconds.
//!
//! Floating-point seconds since the epoch lose precision below the microsecond around 2023,
//! and the Azure trace carries 100 ns ticks; parsing the text into whole nanoseconds keeps
//! per-minute counts and gaps exact.

/// Nanoseconds per second.
const NS_PER_S: i64 = 1_000_000_000;

/// Parses `YYYY-MM-DD HH:MM:SS[.fraction]` (a `T` may replace the space, a trailing `Z` is
/// allowed; up to 9 fraction digits) or a plain number of seconds (e.g. `12.5`) into
/// nanoseconds since 1970-01-01 (calendar form) or since 0 (numeric form). `None` if the
/// text is neither.
pub fn parse_timestamp_ns(text: &str) -> Option<i64> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if t.len() >= 10 && t.as_bytes().get(4) == Some(&b'-') {
        return parse_calendar(t);
    }
    parse_seconds(t)
}

/// `[-]S[.fraction]` seconds into nanoseconds, exactly (no float round trip).
fn parse_seconds(t: &str) -> Option<i64> {
    let (negative, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let (whole, frac) = match body.split_once('.') {
        Some((w, f)) => (w, f),
        None => (body, ""),
    };
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    let s: i64 = if whole.is_empty() { 0 } else { digits(whole)? };
    let ns = s.checked_mul(NS_PER_S)?.checked_add(fraction_ns(frac)?)?;
    Some(if negative { -ns } else { ns })
}

/// Digits of a fraction of a second (at most 9 are kept exactly; more must be digits but
/// are truncated, which is below a nanosecond).
fn fraction_ns(frac: &str) -> Option<i64> {
    if frac.is_empty() {
        return Some(0);
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let kept = &frac[..frac.len().min(9)];
    let v: i64 = kept.parse().ok()?;
    Some(v * 10i64.pow(9 - kept.len() as u32))
}

fn digits(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 18 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A one- or two-digit field (month, day, hour, minute, second).
fn short(s: &str) -> Option<&str> {
    (1..=2).contains(&s.len()).then_some(s)
}

fn parse_calendar(t: &str) -> Option<i64> {
    let t = t.strip_suffix('Z').unwrap_or(t);
    let (date, time) = t.split_once([' ', 'T'])?;
    let mut d = date.split('-');
    let year_text = d.next()?;
    if year_text.len() != 4 {
        return None;
    }
    let year = digits(year_text)?;
    let month = digits(short(d.next()?)?)?;
    let day = digits(short(d.next()?)?)?;
    if d.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    if day > days_in_month(year, month) {
        return None;
    }
    let mut hms = time.split(':');
    let hour = digits(short(hms.next()?)?)?;
    let minute = digits(short(hms.next()?)?)?;
    let sec_text = hms.next()?;
    if hms.next().is_some() {
        return None;
    }
    let (sec, frac) = match sec_text.split_once('.') {
        Some((s, f)) => (digits(short(s)?)?, fraction_ns(f)?),
        None => (digits(short(sec_text)?)?, 0),
    };
    if hour > 23 || minute > 59 || sec > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + sec;
    secs.checked_mul(NS_PER_S)?.checked_add(frac)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_timestamps_are_exact_to_the_tick() {
        let a = parse_timestamp_ns("2023-11-16 18:15:46.6805900").unwrap();
        let b = parse_timestamp_ns("2023-11-16T18:15:50.9951690Z").unwrap();
        assert_eq!(b - a, 4_314_579_000);
        assert_eq!(
            parse_timestamp_ns("1970-01-02 00:00:00"),
            Some(86_400 * NS_PER_S)
        );
    }

    #[test]
    fn seconds_are_accepted() {
        assert_eq!(parse_timestamp_ns("12.5"), Some(12_500_000_000));
        assert_eq!(parse_timestamp_ns("3"), Some(3 * NS_PER_S));
    }

    #[test]
    fn garbage_is_refused() {
        for bad in [
            "",
            "yesterday",
            "2023-13-01 00:00:00",
            "2023-02-30 00:00:00",
            "2023-11-16 25:00:00",
            "2023-11-16",
            "1.2.3",
            "12e3",
            "2023-11-16 18:15:46.68x",
            "999999999999999-01-01 00:00:00",
            "2023-11-16 000000000000000018:00:00",
            "99999999999999999999",
        ] {
            assert_eq!(parse_timestamp_ns(bad), None, "{bad}");
        }
    }
}
