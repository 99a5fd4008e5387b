//! The list filter/sort grammar of `GET /api/v1/tokens` (seed "List tokens" reference):
//! parse and print. Used by the client (to build the `filter`/`sort` parameters, and
//! to apply them itself when a server ignores them) and by the local Foundry double.
//!
//! # Grammar
//! ```text
//! filter  := expr
//! expr    := cmp(operand,value) | between(operand,lo,hi) | in(operand,v1,v2,...)
//!          | and(expr,...) | or(expr,...) | not(expr) | is_null(operand) | is_not_null(operand)
//! cmp     := eq | neq | gt | lt | gte | lte | contains
//! operand := field | at(operand,key) | float(operand) | int(operand) | text(operand)
//!          | timestamp(operand) | date(operand)
//! value   := a bare literal: active, 42, 2026-01-01, a UUID, 2026-01-01T00:00:00Z
//! sort    := term{,term}   (1 to 8 terms)
//! term    := asc(operand) | desc(operand)
//!          | -operand | +operand | operand:desc | operand:asc | operand   (July 2026 short forms)
//! ```
//! Field names and keys are identifiers `[A-Za-z_][A-Za-z0-9_]*`; function names are
//! lower-case and exact. A name not followed by `(` is a field, so fields called `date` or
//! `asc` work. Choices where the seed is silent:
//! - Arity: comparisons take exactly 2 arguments, `between` 3, `not`, `is_null`,
//!   `is_not_null`, casts, `asc` and `desc` 1, `at` 2; `and`/`or` take **one or more**
//!   filters and `in` an operand and **one or more** values (`and()` and `in(x)` are errors).
//! - Spaces: optional ASCII spaces (`' '` only) are accepted around every token and nowhere
//!   inside one; [`Display`](std::fmt::Display) prints the canonical form with no spaces and
//!   sorts always as `asc(..)`/`desc(..)`.
//! - Values are bare: no quoting or escaping exists, so [`Literal::new`] refuses empty text,
//!   `,` `(` `)`, whitespace and control characters instead of sending something ambiguous.
//! - Limits: parentheses nest at most [`MAX_DEPTH`] deep (the parser recurses per level), a
//!   sort has at most [`MAX_SORT_TERMS`] terms. `parse(print(x)) == x` holds for every tree
//!   within the depth bound ([`Filter::depth`]).
//! - Error positions are 0-based byte offsets into the input.

mod ast;
mod build;
mod error;
mod literal;
mod parse;
mod print;

#[cfg(test)]
mod tests;

pub use ast::{Cast, Comparison, Direction, Filter, NonEmpty, Operand, Sort, SortError, SortTerm};
pub use build::text_search;
pub use error::{Expected, Found, ParseError, ParseErrorKind};
pub use literal::{Ident, Literal, LiteralError};
pub use parse::{parse_filter, parse_sort};

/// How deep parentheses may nest in a filter or sort. The parser recurses once per level, so
/// a bound keeps hostile input (`not(not(not(...` from a URL) from exhausting the stack; real
/// filters nest a handful of levels.
pub const MAX_DEPTH: usize = 32;

/// Foundry's documented limit on sort terms.
pub const MAX_SORT_TERMS: usize = 8;
