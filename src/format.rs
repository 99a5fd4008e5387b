//! Wording for times and durations as a person reads them ("in 3 days", "2 hours ago").
//! Pure, so the exact words are tested natively; the UI shows the absolute time beside them.

use crate::timestamp::Timestamp;

const MINUTE: i64 = 60;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// `then` relative to `now`: "just now", "in 5 minutes", "3 days ago", "in 2 years".
pub fn relative(then: Timestamp, now: Timestamp) -> String {
    let delta = then.unix() - now.unix();
    let span = delta.unsigned_abs() as i64;
    if span < 45 {
        return "just now".to_owned();
    }
    let (count, unit) = if span < 45 * MINUTE {
        (round_div(span, MINUTE).max(1), "minute")
    } else if span < 22 * HOUR {
        (round_div(span, HOUR), "hour")
    } else if span < 31 * DAY {
        // Days below 31: a token made with the "In 30 days" preset reads "in 30 days" whether
        // the page's clock is a minute before or after the one that made it, instead of
        // flipping to "in 1 month" at exactly 30 days.
        (round_div(span, DAY), "day")
    } else if span < 365 * DAY {
        (round_div(span, 30 * DAY).max(1), "month")
    } else {
        (round_div(span, 365 * DAY), "year")
    };
    let plural = if count == 1 { "" } else { "s" };
    if delta > 0 {
        format!("in {count} {unit}{plural}")
    } else {
        format!("{count} {unit}{plural} ago")
    }
}

fn round_div(value: i64, unit: i64) -> i64 {
    (value + unit / 2) / unit
}

/// A countdown as `m:ss` (auto-lock's last minute).
pub fn countdown(seconds: i64) -> String {
    let s = seconds.max(0);
    format!("{}:{:02}", s / 60, s % 60)
}

/// An idle-time choice in words: `1 minute`, `15 minutes`, `1 hour`, `4 hours`.
pub fn duration_choice(minutes: u32) -> String {
    let (n, unit) = if minutes >= 60 && minutes.is_multiple_of(60) {
        (minutes / 60, "hour")
    } else {
        (minutes, "minute")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// The absolute form shown beside a relative time: `2026-12-31 23:59 UTC`. The space before
/// "UTC" does not break, so a narrow cell wraps between the date and the time, never leaving
/// the zone on a line of its own.
pub fn absolute(t: Timestamp) -> String {
    let text = t.to_string();
    format!("{} {}\u{a0}UTC", &text[..10], &text[11..16])
}

/// True when `expires_at` falls within `days` from `now` (and has not passed).
pub fn expires_within(expires_at: Timestamp, now: Timestamp, days: i64) -> bool {
    expires_at > now && expires_at.unix() - now.unix() <= days * DAY
}

/// `n` with its thousands grouped by commas: "999", "1,000", "10,000", "1,234,567".
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// `n` and its noun, thousands grouped: "1 token", "10,000 tokens".
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", grouped(n), if n == 1 { one } else { many })
}

/// The text with its first letter in upper case, for a message that starts a sentence.
pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A token type or kind as a person reads it: the API's `attenuated` is a restricted token, a
/// `root` is a main key. Unknown values are shown as sent.
pub fn token_type_words(value: &str) -> String {
    match value {
        "attenuated" => "restricted".to_owned(),
        "root" => "main key".to_owned(),
        "multi_org" => "multi-organisation".to_owned(),
        "admin_impersonating" => "admin, impersonating".to_owned(),
        other => other.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_group_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(7), "7");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(10_000), "10,000");
        assert_eq!(grouped(100_000), "100,000");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(grouped(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn counts_group_thousands_and_agree_in_number() {
        assert_eq!(count(0, "token", "tokens"), "0 tokens");
        assert_eq!(count(1, "token", "tokens"), "1 token");
        assert_eq!(count(999, "token", "tokens"), "999 tokens");
        assert_eq!(count(1_000, "token", "tokens"), "1,000 tokens");
        assert_eq!(count(10_000, "token", "tokens"), "10,000 tokens");
        assert_eq!(count(1_234_567, "token", "tokens"), "1,234,567 tokens");
    }

    #[test]
    fn idle_choices_read_as_words() {
        assert_eq!(duration_choice(1), "1 minute");
        assert_eq!(duration_choice(15), "15 minutes");
        assert_eq!(duration_choice(60), "1 hour");
        assert_eq!(duration_choice(90), "90 minutes");
        assert_eq!(duration_choice(240), "4 hours");
    }

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_unix(secs)
    }

    #[test]
    fn relative_wording() {
        let now = at(1_800_000_000);
        let cases = [
            (0, "just now"),
            (30, "just now"),
            (-90, "2 minutes ago"),
            (60 * MINUTE, "in 1 hour"),
            (-5 * HOUR, "5 hours ago"),
            (3 * DAY + 2 * HOUR, "in 3 days"),
            (-DAY, "1 day ago"),
            (30 * DAY - MINUTE, "in 30 days"),
            (30 * DAY + MINUTE, "in 30 days"),
            (-30 * DAY - HOUR, "30 days ago"),
            (31 * DAY, "in 1 month"),
            (75 * DAY, "in 3 months"),
            (-800 * DAY, "2 years ago"),
        ];
        for (delta, expected) in cases {
            assert_eq!(
                relative(at(now.unix() + delta), now),
                expected,
                "delta {delta}"
            );
        }
    }

    #[test]
    fn absolute_and_countdown() {
        assert_eq!(
            absolute(Timestamp::parse("2026-12-31T23:59:59Z").expect("ts")),
            "2026-12-31 23:59\u{a0}UTC"
        );
        assert_eq!(countdown(59), "0:59");
        assert_eq!(countdown(61), "1:01");
        assert_eq!(countdown(-3), "0:00");
    }

    #[test]
    fn expiry_window() {
        let now = at(1_800_000_000);
        assert!(expires_within(at(now.unix() + 6 * DAY), now, 7));
        assert!(expires_within(at(now.unix() + 7 * DAY), now, 7));
        assert!(!expires_within(at(now.unix() + 8 * DAY), now, 7));
        assert!(!expires_within(at(now.unix() - 1), now, 7));
    }

    #[test]
    fn token_types_in_plain_words() {
        assert_eq!(token_type_words("attenuated"), "restricted");
        assert_eq!(token_type_words("root"), "main key");
        assert_eq!(token_type_words("user"), "user");
        assert_eq!(token_type_words("lab_robot"), "lab_robot");
    }

    #[test]
    fn capitalises_the_first_letter_only() {
        assert_eq!(capitalise("the key is empty"), "The key is empty");
        assert_eq!(capitalise("één"), "Één");
        assert_eq!(capitalise(""), "");
    }
}
