//! Helpers for building filters from UI state. They take checked [`Ident`]s and [`Literal`]s,
//! so whatever the user typed has already been refused or accepted with a clear message.

use super::ast::{Comparison, Filter, NonEmpty, Operand};
use super::literal::{Ident, Literal, LiteralError};

impl Filter {
    /// `op(operand,value)`.
    pub fn compare(op: Comparison, operand: impl Into<Operand>, value: Literal) -> Self {
        Filter::Compare {
            op,
            operand: operand.into(),
            value,
        }
    }

    pub fn eq(operand: impl Into<Operand>, value: Literal) -> Self {
        Self::compare(Comparison::Eq, operand, value)
    }

    pub fn neq(operand: impl Into<Operand>, value: Literal) -> Self {
        Self::compare(Comparison::Neq, operand, value)
    }

    pub fn gt(operand: impl Into<Operand>, value: Literal) -> Self {
        Self::compare(Comparison::Gt, operand, value)
    }

    pub fn lt(operand: impl Into<Operand>, value: Literal) -> Self {
        Self::compare(Comparison::Lt, operand, value)
    }

    pub fn gte(operand: impl Into<Operand>, value: Literal) -> Self {
        Self::compare(Comparison::Gte, operand, value)
    }

    pub fn lte(operand: impl Into<Operand>, value: Literal) -> Self {
        Self::compare(Comparison::Lte, operand, value)
    }

    pub fn contains(operand: impl Into<Operand>, value: Literal) -> Self {
        Self::compare(Comparison::Contains, operand, value)
    }

    /// `between(operand,low,high)`, inclusive.
    pub fn between(operand: impl Into<Operand>, low: Literal, high: Literal) -> Self {
        Filter::Between {
            operand: operand.into(),
            low,
            high,
        }
    }

    /// `in(operand,v1,...)`; `None` when no value is given (e.g. no status ticked), which
    /// the grammar cannot write and which the UI treats as "no restriction".
    pub fn in_(operand: impl Into<Operand>, values: Vec<Literal>) -> Option<Self> {
        NonEmpty::new(values).map(|values| Filter::In {
            operand: operand.into(),
            values,
        })
    }

    pub fn is_null(operand: impl Into<Operand>) -> Self {
        Filter::IsNull(operand.into())
    }

    pub fn is_not_null(operand: impl Into<Operand>) -> Self {
        Filter::IsNotNull(operand.into())
    }

    /// All of `filters`: `None`s are skipped, nested `and(...)`s are flattened, a single
    /// filter is returned as is, and nothing at all gives `None` (no filter to send).
    pub fn and<I>(filters: I) -> Option<Self>
    where
        I: IntoIterator,
        I::Item: Into<Option<Filter>>,
    {
        let mut flat = Vec::new();
        for filter in filters.into_iter().filter_map(Into::into) {
            match filter {
                Filter::And(items) => flat.extend(items.into_vec()),
                other => flat.push(other),
            }
        }
        combine(flat, Filter::And)
    }

    /// Any of `filters`, with the same flattening as [`Filter::and`].
    pub fn or<I>(filters: I) -> Option<Self>
    where
        I: IntoIterator,
        I::Item: Into<Option<Filter>>,
    {
        let mut flat = Vec::new();
        for filter in filters.into_iter().filter_map(Into::into) {
            match filter {
                Filter::Or(items) => flat.extend(items.into_vec()),
                other => flat.push(other),
            }
        }
        combine(flat, Filter::Or)
    }
}

/// `!filter` is `not(filter)`.
impl std::ops::Not for Filter {
    type Output = Filter;
    fn not(self) -> Filter {
        Filter::Not(Box::new(self))
    }
}

fn combine(mut flat: Vec<Filter>, wrap: fn(NonEmpty<Filter>) -> Filter) -> Option<Filter> {
    if flat.len() == 1 {
        return flat.pop();
    }
    NonEmpty::new(flat).map(wrap)
}

/// The free-text search box: `contains(field,word)` for each whitespace-separated word, all
/// required. `None` for blank text. A word holding `,`, `(` or `)` is refused (the grammar
/// cannot carry it), as is an invalid field name.
pub fn text_search(field: &str, text: &str) -> Result<Option<Filter>, LiteralError> {
    let field = Ident::new(field)?;
    let words = text
        .split_whitespace()
        .map(|word| Literal::new(word).map(|word| Filter::contains(field.clone(), word)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Filter::and(words))
}
