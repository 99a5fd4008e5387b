//! Sorting rows by a [`Sort`], with PostgreSQL's default NULL placement.

use super::ast::{Direction, Sort};
use super::eval::{EvalError, Value, eval_operand, validate_operands};
use super::value::Row;
use std::cmp::Ordering;

/// Where values of different types fall relative to each other. Only JSON keys can mix types
/// within one column; the order follows PostgreSQL's jsonb (string < number < boolean <
/// array/object), with timestamps, which JSON cannot hold, after booleans.
fn kind_rank(value: &Value) -> u8 {
    match value {
        Value::Text(_) => 0,
        Value::Number(_) => 1,
        Value::Bool(_) => 2,
        Value::Time(_) | Value::Date(_) => 3,
        Value::Json(_) => 4,
        Value::Null => 5,
    }
}

/// Ascending order of two non-NULL-aware values, NULL greatest (PostgreSQL: NULLS LAST for
/// ASC, and, reversed, NULLS FIRST for DESC).
fn ascending(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Text(x), Value::Text(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => x.total_cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Time(x) | Value::Date(x), Value::Time(y) | Value::Date(y)) => x.cmp(y),
        (Value::Json(x), Value::Json(y)) => x.to_string().cmp(&y.to_string()),
        _ => kind_rank(a).cmp(&kind_rank(b)),
    }
}

impl Sort {
    /// Appends the sort key of one row, one value per term, to `out`.
    fn push_key<'r, R: Row + ?Sized>(
        &self,
        row: &'r R,
        out: &mut Vec<Value<'r>>,
    ) -> Result<(), EvalError> {
        for term in self.terms() {
            out.push(eval_operand(&term.operand, row)?);
        }
        Ok(())
    }

    /// The sort key of one row.
    fn key<'r, R: Row + ?Sized>(&self, row: &'r R) -> Result<Vec<Value<'r>>, EvalError> {
        let mut key = Vec::with_capacity(self.terms().len());
        self.push_key(row, &mut key)?;
        Ok(key)
    }

    fn compare_keys(&self, a: &[Value], b: &[Value]) -> Ordering {
        self.terms()
            .iter()
            .zip(a.iter().zip(b))
            .map(|(term, (x, y))| match term.direction {
                Direction::Asc => ascending(x, y),
                Direction::Desc => ascending(y, x),
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }

    /// Orders two rows: the first term that differs decides; `Equal` if all tie. Fallible
    /// because a term may name an unknown field or a cast that fails on a row's value.
    pub fn compare<R: Row + ?Sized>(&self, a: &R, b: &R) -> Result<Ordering, EvalError> {
        Ok(self.compare_keys(&self.key(a)?, &self.key(b)?))
    }

    /// The stable order of `rows` as positions (`rows[order[0]]` comes first; equal rows keep
    /// their order), evaluating each row's key once. The keys go into one flat vector and an
    /// index permutation is sorted, so neither the keys nor the rows are moved around.
    pub fn order<R: Row>(&self, rows: &[R]) -> Result<Vec<usize>, EvalError> {
        // A sort has at least one term (`Sort::new`), so every row's key is `width` values.
        let width = self.terms().len();
        let mut keys = Vec::with_capacity(rows.len() * width);
        for row in rows {
            self.push_key(row, &mut keys)?;
        }
        let key = |i: usize| &keys[i * width..(i + 1) * width];
        let mut order: Vec<usize> = (0..rows.len()).collect();
        // Ties broken by position make the unstable (faster, allocation-free) sort stable.
        order.sort_unstable_by(|&a, &b| self.compare_keys(key(a), key(b)).then(a.cmp(&b)));
        Ok(order)
    }

    /// Sorts rows stably (equal rows keep their order), evaluating each row's key once.
    pub fn sorted<R: Row>(&self, rows: Vec<R>) -> Result<Vec<R>, EvalError> {
        let order = self.order(&rows)?;
        Ok(permuted(rows, &order))
    }

    /// Whether the order depends on `field` (a term reads it, directly or inside JSON or a cast).
    pub fn reads(&self, field: &str) -> bool {
        self.terms()
            .iter()
            .any(|term| term.operand.base_field().as_str() == field)
    }

    /// Checks every field name against the fields a row type has, before any row is seen.
    pub fn validate(&self, fields: &[&str]) -> Result<(), EvalError> {
        validate_operands(self.terms().iter().map(|t| &t.operand), fields)
    }
}

/// `items` rearranged so that `order[i]` names the item that goes to position `i`. `order` is
/// a permutation of the positions (as [`Sort::order`] makes), so every slot is taken once.
fn permuted<T>(items: Vec<T>, order: &[usize]) -> Vec<T> {
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order
        .iter()
        .filter_map(|&i| slots.get_mut(i).and_then(Option::take))
        .collect()
}
