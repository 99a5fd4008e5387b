//! The list filter/sort grammar of `GET /api/v1/tokens` (seed "List tokens" reference):
//! parse, print and evaluate. Used by the client (to build the `filter`/`sort` parameters, and
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
//!          | -field | +field | field:desc | field:asc | field   (July 2026 short forms, bare fields only)
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
//!
//! # Evaluation semantics
//! Modelled on PostgreSQL, which is what the grammar's `at` (jsonb) and casts suggest Foundry
//! runs on.
//! - **Typed comparison.** An operand is evaluated to a typed value ([`FieldValue`]) and the
//!   literal is read as that type: timestamps with [`Timestamp::parse`](crate::timestamp::Timestamp::parse)
//!   (a bare date means midnight UTC), numbers as finite `f64`, booleans as `true`/`false`
//!   (any case), text as is, compared byte-wise (C collation). A literal that does not read
//!   as the type is an [`EvalError::LiteralMismatch`] naming the operand and the literal,
//!   e.g. `gt(created_at,banana)`. JSON arrays/objects only support `contains`.
//! - **`at(operand,key)`** reads a key of a JSON object; JSON scalars become typed values
//!   (number, text, boolean). A missing key, a key into an array, or JSON `null` is NULL; `at`
//!   of a non-JSON value is an error.
//! - **Casts** convert the operand first: `text()` gives the printed form (timestamps as
//!   `2026-01-01T00:00:00Z`, `date()` values as `2026-01-01`, numbers without a trailing
//!   `.0`); `int()` rounds numbers, maps booleans to 0/1 and parses integer text; `float()`
//!   parses numeric text; `timestamp()` parses text; `date()` truncates a timestamp (or parsed
//!   text) to midnight UTC, and a literal compared with a `date()` is truncated too. A cast
//!   that does not apply to the value's type, or text that does not parse, is an error.
//!   Casts of NULL are NULL.
//! - **`contains`** is a case-insensitive substring match on the text form.
//!   **`in`** is `eq` with any value; **`between`** is inclusive at both ends.
//! - **NULL** follows SQL's three-valued logic: every comparison (including `neq`, `in`,
//!   `between`, `contains`) with a NULL operand is *unknown*; `not(unknown)` is unknown;
//!   `and` is false if any branch is false, `or` true if any is true; a row matches only if
//!   the whole filter is true. So `not(eq(expires_at,X))` does not match a NULL `expires_at`;
//!   use `or(is_null(expires_at),...)`. All branches are evaluated (no short-circuit), so
//!   a type error surfaces regardless of the other branches.
//! - **Sorting** ([`Sort::compare`], [`Sort::sorted`]): terms in order, later ones break ties;
//!   stable. NULLs sort as the greatest value, which is PostgreSQL's default: last for ASC,
//!   first for DESC. Mixed JSON types order as jsonb does (text < number < boolean), then
//!   timestamps, then arrays/objects.
//! - **Unknown fields** are errors: at evaluation ([`Row::field`] returned `None`) and, before
//!   any row is seen, from [`Filter::validate`] / [`Sort::validate`].

mod ast;
mod build;
mod error;
mod eval;
mod literal;
mod order;
mod parse;
mod print;
mod value;

#[cfg(test)]
mod tests;

pub use ast::{Cast, Comparison, Direction, Filter, NonEmpty, Operand, Sort, SortError, SortTerm};
pub use build::text_search;
pub use error::{Expected, Found, ParseError, ParseErrorKind};
pub use eval::EvalError;
pub use literal::{Ident, Literal, LiteralError};
pub use parse::{parse_filter, parse_sort};
pub use value::{FieldValue, Row};

/// How deep parentheses may nest in a filter or sort. The parser recurses once per level, so
/// a bound keeps hostile input (`not(not(not(...` from a URL) from exhausting the stack; real
/// filters nest a handful of levels.
pub const MAX_DEPTH: usize = 32;

/// Foundry's documented limit on sort terms.
pub const MAX_SORT_TERMS: usize = 8;
