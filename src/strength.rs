//! A passphrase strength hint. Not a gate: the KDF makes each guess cost ~0.5 s, but a short or
//! common passphrase still falls to a dictionary, so the form says so in words.

/// How strong a passphrase looks, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strength {
    TooShort,
    Weak,
    Fair,
    Strong,
}

/// The minimum the form accepts.
pub const MIN_LENGTH: usize = 10;
/// A passphrase of fewer distinct characters than this is weak, whatever its length.
const VARIED: usize = 5;

const COMMON: [&str; 12] = [
    "password",
    "passphrase",
    "123456",
    "qwerty",
    "letmein",
    "foundry",
    "adaptyv",
    "welcome",
    "admin",
    "secret",
    "iloveyou",
    "abc123",
];

impl Strength {
    pub fn label(self) -> &'static str {
        match self {
            Strength::TooShort => "Too short",
            Strength::Weak => "Weak",
            Strength::Fair => "Fair",
            Strength::Strong => "Strong",
        }
    }

    /// What to do next; it follows the label ("Strength: Strong. Store it…"), so it never
    /// repeats it.
    pub fn advice(self) -> &'static str {
        match self {
            Strength::TooShort => "Use at least 10 characters.",
            Strength::Weak => "Easy to guess. Try four or more unrelated words.",
            Strength::Fair => "A few more words would make it strong.",
            Strength::Strong => "Store it in your password manager: it cannot be recovered.",
        }
    }

    pub fn acceptable(self) -> bool {
        self >= Strength::Fair
    }
}

/// Scores by length, variety and obvious patterns. Deliberately simple and explainable.
///
/// Letter case and the common words are judged on ASCII only, and any other character counts
/// as a symbol: Unicode's case tables (`to_lowercase`, `is_lowercase`, `is_alphanumeric`) cost
/// the first screen's module 14 kB gzip, a tenth of its budget, for a hint that only needs to
/// tell "correct horse battery staple" from "password123".
pub fn estimate(passphrase: &str) -> Strength {
    let chars: Vec<char> = passphrase.chars().collect();
    if chars.len() < MIN_LENGTH {
        return Strength::TooShort;
    }
    let lower = passphrase.to_ascii_lowercase();
    // Only "fewer than 5 distinct characters" matters, so the count stops at 5: no sort of the
    // whole passphrase (the first screen's only slice sort: with the agent link's hash map,
    // 3.7 kB gzip of its module), and at most 5 comparisons per character however long the paste.
    let varied = {
        let mut seen: Vec<char> = Vec::with_capacity(VARIED);
        for c in &chars {
            if !seen.contains(c) {
                seen.push(*c);
                if seen.len() == VARIED {
                    break;
                }
            }
        }
        seen.len() == VARIED
    };
    let common = COMMON.iter().any(|word| lower.contains(word));
    let classes = [
        chars.iter().any(char::is_ascii_lowercase),
        chars.iter().any(char::is_ascii_uppercase),
        chars.iter().any(char::is_ascii_digit),
        chars.iter().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|present| **present)
    .count();
    let words = passphrase
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|w| w.len() >= 3)
        .count();
    if !varied || (common && chars.len() < 20) {
        return Strength::Weak;
    }
    if chars.len() >= 20 || words >= 4 || (chars.len() >= 14 && classes >= 3) {
        Strength::Strong
    } else if chars.len() >= 12 || classes >= 3 {
        Strength::Fair
    } else {
        Strength::Weak
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_typical_passphrases() {
        assert_eq!(estimate(""), Strength::TooShort);
        assert_eq!(estimate("short1!"), Strength::TooShort);
        assert_eq!(estimate("aaaaaaaaaaaa"), Strength::Weak);
        assert_eq!(estimate("password1234"), Strength::Weak);
        assert_eq!(estimate("lowercaseonly"), Strength::Fair);
        assert_eq!(estimate("tangerine42x"), Strength::Fair);
        assert_eq!(estimate("correct horse battery staple"), Strength::Strong);
        assert_eq!(estimate("Tr0ub4dor&3xyzq"), Strength::Strong);
    }

    /// Length does not make up for repetition: four characters over and over stay weak, and a
    /// fifth one is what lifts it (the count of distinct characters stops at five).
    #[test]
    fn a_long_repetition_of_few_characters_is_weak() {
        assert_eq!(estimate(&"abcd".repeat(50)), Strength::Weak);
        assert_eq!(estimate(&"ab-cd".repeat(40)), Strength::Strong);
        assert_eq!(estimate(&"ÄÖÜß".repeat(10)), Strength::Weak);
    }

    /// Beyond ASCII: a character outside it counts as a symbol, length counts characters (not
    /// bytes), and the common words are still found whatever their ASCII case.
    #[test]
    fn scores_passphrases_beyond_ascii() {
        assert_eq!(estimate("ü".repeat(9).as_str()), Strength::TooShort);
        assert_eq!(estimate("grüße aus köln"), Strength::Fair);
        assert_eq!(estimate("κόκκινο μήλο στο τραπέζι"), Strength::Strong);
        assert_eq!(estimate("PassWord123!"), Strength::Weak);
        assert_eq!(estimate("zwölfäpfel9"), Strength::Fair);
    }

    #[test]
    fn only_fair_or_better_is_acceptable() {
        assert!(!Strength::Weak.acceptable());
        assert!(Strength::Fair.acceptable());
        assert!(Strength::Strong.advice().contains("cannot be recovered"));
    }

    /// The hint reads "Strength: <label>. <advice>": the advice must not say the label again
    /// ("Strength: Strong. Strong. …" was what a new user saw).
    #[test]
    fn advice_never_repeats_the_label() {
        for strength in [
            Strength::TooShort,
            Strength::Weak,
            Strength::Fair,
            Strength::Strong,
        ] {
            let advice = strength.advice().to_lowercase();
            assert!(
                !advice.starts_with(&strength.label().to_lowercase()),
                "{strength:?}: {advice}"
            );
            assert!(!advice.starts_with("good"), "{strength:?}: {advice}");
        }
    }
}
