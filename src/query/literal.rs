//! The two kinds of words the grammar carries: identifiers (field names, JSON keys) and bare
//! literal values. Both are checked on construction, so an AST can always be printed as text
//! that parses back to the same AST: Foundry's grammar has no quoting or escaping, and a value
//! it cannot carry must be refused here rather than sent and misread by the server.

use std::fmt;

/// Why a piece of user text cannot go into a filter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LiteralError {
    /// A value or name was empty; the grammar has no way to write an empty value.
    #[error("a filter value cannot be empty")]
    Empty,
    /// The value holds a character the grammar uses as punctuation, or one it cannot carry.
    #[error(
        "Foundry's filter grammar has no quoting; a value cannot contain {}: {reason} (in {value:?})",
        describe_char(*.character)
    )]
    ForbiddenCharacter {
        value: String,
        character: char,
        /// Byte offset of `character` inside `value`.
        position: usize,
        reason: &'static str,
    },
    /// A field name or JSON key is not an identifier (`[A-Za-z_][A-Za-z0-9_]*`).
    #[error(
        "{name:?} is not a valid field name or key: use letters, digits and '_', not starting with a digit"
    )]
    InvalidName { name: String },
}

fn describe_char(c: char) -> String {
    match c {
        ',' | '(' | ')' => format!("'{c}'"),
        ' ' => "a space".to_owned(),
        c if c.is_whitespace() => format!("whitespace ({})", c.escape_unicode()),
        c => format!("the control character {}", c.escape_unicode()),
    }
}

/// Why `c` cannot appear inside a bare literal, or `None` if it can.
pub(crate) fn forbidden_reason(c: char) -> Option<&'static str> {
    match c {
        ',' => Some("',' separates arguments"),
        '(' => Some("'(' opens a function call"),
        ')' => Some("')' closes a function call"),
        c if c.is_whitespace() => Some("whitespace ends a value and may be trimmed"),
        c if c.is_control() => Some("control characters cannot be carried in a URL query safely"),
        _ => None,
    }
}

/// A bare literal value as written in a filter: `active`, `42`, `2026-01-01`, a UUID, a
/// timestamp. Its type is decided only when it meets a field (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Literal(String);

impl Literal {
    /// Checks that `text` can be written unambiguously as a bare value.
    pub fn new(text: &str) -> Result<Self, LiteralError> {
        if text.is_empty() {
            return Err(LiteralError::Empty);
        }
        if let Some((position, character, reason)) = text
            .char_indices()
            .find_map(|(i, c)| forbidden_reason(c).map(|r| (i, c, r)))
        {
            return Err(LiteralError::ForbiddenCharacter {
                value: text.to_owned(),
                character,
                position,
                reason,
            });
        }
        Ok(Self(text.to_owned()))
    }

    /// For the parser, which has already scanned `text` with [`forbidden_reason`].
    pub(crate) fn from_scanned(text: &str) -> Self {
        Self(text.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A field name or JSON key: `[A-Za-z_][A-Za-z0-9_]*`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ident(String);

pub(crate) fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

pub(crate) fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl Ident {
    pub fn new(name: &str) -> Result<Self, LiteralError> {
        let bytes = name.as_bytes();
        match bytes.split_first() {
            Some((first, rest))
                if is_ident_start(*first) && rest.iter().all(|b| is_ident_continue(*b)) =>
            {
                Ok(Self(name.to_owned()))
            }
            _ => Err(LiteralError::InvalidName {
                name: name.to_owned(),
            }),
        }
    }

    /// For the parser, which has already scanned `name` as an identifier.
    pub(crate) fn from_scanned(name: &str) -> Self {
        Self(name.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_documented_value_shapes() {
        for ok in [
            "active",
            "42",
            "-1.5",
            "2026-01-01",
            "2026-01-01T00:00:00Z",
            "0190a2b4-6f1c-7d2e-9a3b-4c5d6e7f8091",
            "naïve",
        ] {
            assert_eq!(Literal::new(ok).map(|l| l.to_string()), Ok(ok.to_owned()));
        }
    }

    #[test]
    fn refuses_punctuation_whitespace_and_controls_naming_the_character() {
        let cases = [
            ("a,b", ',', 1),
            ("f(x", '(', 1),
            ("x)", ')', 1),
            ("two words", ' ', 3),
            ("tab\there", '\t', 3),
            ("nbsp\u{a0}", '\u{a0}', 4),
            ("bell\u{7}", '\u{7}', 4),
        ];
        for (text, character, position) in cases {
            let found = match Literal::new(text) {
                Err(LiteralError::ForbiddenCharacter {
                    character: c,
                    position: p,
                    ..
                }) => Some((c, p)),
                _ => None,
            };
            assert_eq!(found, Some((character, position)), "{text:?}");
        }
        assert_eq!(Literal::new(""), Err(LiteralError::Empty));
    }

    #[test]
    fn error_message_says_which_character_and_why() {
        let message = Literal::new("a,b").map_err(|e| e.to_string());
        assert_eq!(
            message,
            Err(
                "Foundry's filter grammar has no quoting; a value cannot contain ',': \
                 ',' separates arguments (in \"a,b\")"
                    .to_owned()
            )
        );
    }

    #[test]
    fn identifiers() {
        for ok in ["a", "_", "created_at", "A1_b2"] {
            assert!(Ident::new(ok).is_ok(), "{ok}");
        }
        for bad in ["", "1a", "a-b", "a b", "é", "a.b"] {
            assert_eq!(
                Ident::new(bad),
                Err(LiteralError::InvalidName {
                    name: bad.to_owned()
                })
            );
        }
    }
}
