//! Parse errors: where (a 0-based byte offset into the input) and what went wrong, worded for
//! a person who typed the filter by hand.

use std::fmt;

/// A filter or sort that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at position {position}: {kind}")]
pub struct ParseError {
    /// Byte offset into the input (0-based); equal to the input length at the end of input.
    pub position: usize,
    pub kind: ParseErrorKind,
}

impl ParseError {
    pub(crate) fn new(position: usize, kind: ParseErrorKind) -> Self {
        Self { position, kind }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseErrorKind {
    /// Nothing but spaces.
    #[error("the expression is empty")]
    Empty,
    /// The next token was not one the grammar allows here.
    #[error("expected {expected} but found {found}")]
    Unexpected { expected: Expected, found: Found },
    /// A name followed by `(` that is not a function of this position.
    #[error("unknown function '{name}': expected {expected}")]
    UnknownFunction { name: String, expected: Expected },
    /// A known function called with too few or too many arguments.
    #[error("'{function}' takes {takes}, but found {found}")]
    Arity {
        function: &'static str,
        takes: &'static str,
        found: Found,
    },
    /// `-`, `+`, `:asc`/`:desc` or no direction around `at(..)` or a cast.
    #[error(
        "the short sort forms (-field, +field, field:desc, field) take a plain field name; \
         write asc(..) or desc(..) around at(..) and casts"
    )]
    ShortSortTerm,
    /// More sort terms than Foundry accepts.
    #[error("a sort has at most {max} terms")]
    TooManySortTerms { max: usize },
    /// Parentheses nested deeper than the parser allows (it recurses once per level).
    #[error("nesting deeper than {max} levels")]
    TooDeep { max: usize },
    /// A complete filter or sort followed by more text.
    #[error("expected the end of the input but found {found}")]
    TrailingInput { found: Found },
}

/// What the parser would have accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// A filter function: `eq(`, `and(`, `is_null(`, ...
    Filter,
    /// A field name or an operand function: `at(`, `date(`, ...
    Operand,
    /// A JSON key (an identifier) in `at(operand,key)`.
    Key,
    /// A bare literal value.
    Value,
    OpenParen,
    Comma,
    Close,
    CommaOrClose,
    /// A sort term: `asc(..)`, `desc(..)`, `-field`, `+field`, `field:desc`, `field`.
    SortTerm,
    /// `asc` or `desc` after `:` in a short sort term.
    Direction,
    /// `,` between sort terms, or the end of the sort.
    CommaOrEnd,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Expected::Filter => {
                "a filter function (eq, neq, gt, lt, gte, lte, contains, between, in, and, or, \
                 not, is_null, is_not_null)"
            }
            Expected::Operand => "a field name or at(, float(, int(, text(, timestamp(, date(",
            Expected::Key => "a key name",
            Expected::Value => "a value",
            Expected::OpenParen => "'('",
            Expected::Comma => "','",
            Expected::Close => "')'",
            Expected::CommaOrClose => "',' or ')'",
            Expected::SortTerm => "a sort term such as desc(created_at), -created_at or name",
            Expected::Direction => "'asc' or 'desc'",
            Expected::CommaOrEnd => "',' or the end of the sort",
        })
    }
}

/// What the parser saw instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    End,
    Char(char),
    /// A whole name, when the name is the problem.
    Word(String),
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Found::End => f.write_str("the end of the input"),
            Found::Char(c) if c.is_control() || c.is_whitespace() => {
                write!(f, "'{}'", c.escape_default())
            }
            Found::Char(c) => write!(f, "'{c}'"),
            Found::Word(w) => write!(f, "'{w}'"),
        }
    }
}
