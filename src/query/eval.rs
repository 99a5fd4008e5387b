//! Filter evaluation over [`Row`]s, with SQL's three-valued logic (see the module docs of
//! [`crate::query`] for the semantics).

use super::ast::{Cast, Comparison, Filter, Operand};
use super::literal::Literal;
use super::value::{FieldValue, Row};
use crate::timestamp::Timestamp;
use std::borrow::Cow;
use std::cmp::Ordering;

/// Why a filter or sort cannot be evaluated. Each names the operand (field) and, where one is
/// involved, the literal, so the double can answer a useful 400.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// The row type has no field of this name.
    #[error("unknown field '{field}'")]
    UnknownField { field: String },
    /// A cast of a value type it does not convert, e.g. `date()` of a number.
    #[error("{cast}() cannot convert {operand}, which is {kind}")]
    CastNotApplicable {
        cast: &'static str,
        operand: String,
        kind: &'static str,
    },
    /// A cast of a text value that does not read as the target type, e.g. `int()` of `"abc"`.
    #[error("{cast}() cannot read {value:?} (the value of {operand})")]
    CastFailed {
        cast: &'static str,
        operand: String,
        value: String,
    },
    /// `at()` of something that is not JSON.
    #[error("at() needs a JSON field, but {operand} is {kind}")]
    NotJson { operand: String, kind: &'static str },
    /// A literal that does not read as the operand's type, e.g. `gt(created_at,banana)`.
    #[error("'{literal}' is not {expected}, so it cannot be compared with {operand}")]
    LiteralMismatch {
        operand: String,
        literal: String,
        expected: &'static str,
    },
    /// An ordering comparison of a JSON array or object.
    #[error("{operand} is {kind}, which '{op}' cannot compare (use contains or a key with at())")]
    NotComparable {
        operand: String,
        op: &'static str,
        kind: &'static str,
    },
}

/// An evaluated operand. `Date` is kept apart from `Time` so that a literal compared with
/// `date(..)` is truncated to its day too, and `text(date(..))` prints `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value<'a> {
    Null,
    Bool(bool),
    Number(f64),
    Text(Cow<'a, str>),
    Time(Timestamp),
    Date(Timestamp),
    /// A JSON array or object (scalars are mapped to the variants above).
    Json(serde_json::Value),
}

impl<'a> Value<'a> {
    fn from_field(value: FieldValue<'a>) -> Self {
        match value {
            FieldValue::Null => Value::Null,
            FieldValue::Bool(b) => Value::Bool(b),
            FieldValue::Number(n) => Value::Number(n),
            FieldValue::Text(s) => Value::Text(s),
            FieldValue::Time(t) => Value::Time(t),
            FieldValue::Json(json) => match FieldValue::from_json(json) {
                FieldValue::Json(composite) => Value::Json(composite),
                scalar => Value::from_field(scalar),
            },
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::Text(_) => "text",
            Value::Time(_) => "a timestamp",
            Value::Date(_) => "a date",
            Value::Json(serde_json::Value::Array(_)) => "a JSON array",
            Value::Json(_) => "a JSON object",
        }
    }

    /// The printed form used by `text()` and `contains`.
    fn text_form(&self) -> Option<String> {
        Some(match self {
            Value::Null => return None,
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            Value::Text(s) => s.to_string(),
            Value::Time(t) => t.to_string(),
            Value::Date(d) => {
                let (y, m, day) = d.date();
                format!("{y:04}-{m:02}-{day:02}")
            }
            Value::Json(json) => json.to_string(),
        })
    }
}

/// Evaluates an operand on a row.
pub(crate) fn eval_operand<'r, R: Row + ?Sized>(
    operand: &Operand,
    row: &'r R,
) -> Result<Value<'r>, EvalError> {
    match operand {
        Operand::Field(name) => row
            .field(name.as_str())
            .map(Value::from_field)
            .ok_or_else(|| EvalError::UnknownField {
                field: name.to_string(),
            }),
        Operand::At(inner, key) => match eval_operand(inner, row)? {
            Value::Null => Ok(Value::Null),
            // Like PostgreSQL's `->`: a missing key, or a key into an array, is NULL.
            Value::Json(serde_json::Value::Object(map)) => Ok(map
                .get(key.as_str())
                .cloned()
                .map_or(Value::Null, |v| Value::from_field(FieldValue::Json(v)))),
            Value::Json(_) => Ok(Value::Null),
            other => Err(EvalError::NotJson {
                operand: inner.to_string(),
                kind: other.kind(),
            }),
        },
        Operand::Cast(cast, inner) => apply_cast(*cast, eval_operand(inner, row)?, inner),
    }
}

fn parse_finite(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

fn apply_cast<'a>(cast: Cast, value: Value<'a>, inner: &Operand) -> Result<Value<'a>, EvalError> {
    let failed = |value: &str| EvalError::CastFailed {
        cast: cast.name(),
        operand: inner.to_string(),
        value: value.to_owned(),
    };
    Ok(match (cast, value) {
        (_, Value::Null) => Value::Null,
        (Cast::Text, value) => value
            .text_form()
            .map_or(Value::Null, |text| Value::Text(Cow::Owned(text))),
        (Cast::Float, Value::Number(n)) => Value::Number(n),
        (Cast::Float, Value::Text(s)) => Value::Number(parse_finite(&s).ok_or_else(|| failed(&s))?),
        // PostgreSQL rounds when casting a fraction to an integer.
        (Cast::Int, Value::Number(n)) => Value::Number(n.round()),
        (Cast::Int, Value::Bool(b)) => Value::Number(if b { 1.0 } else { 0.0 }),
        (Cast::Int, Value::Text(s)) => {
            let n = s.parse::<i64>().map_err(|_| failed(&s))?;
            Value::Number(n as f64)
        }
        (Cast::Timestamp, Value::Time(t) | Value::Date(t)) => Value::Time(t),
        (Cast::Timestamp, Value::Text(s)) => {
            Value::Time(Timestamp::parse(&s).map_err(|_| failed(&s))?)
        }
        (Cast::Date, Value::Time(t) | Value::Date(t)) => Value::Date(t.start_of_day()),
        (Cast::Date, Value::Text(s)) => {
            Value::Date(Timestamp::parse(&s).map_err(|_| failed(&s))?.start_of_day())
        }
        (cast, other) => {
            return Err(EvalError::CastNotApplicable {
                cast: cast.name(),
                operand: inner.to_string(),
                kind: other.kind(),
            });
        }
    })
}

/// Orders an evaluated operand against a literal read as the operand's type; `None` when the
/// operand is NULL (SQL: the comparison is unknown).
fn order_with_literal(
    value: &Value,
    operand: &Operand,
    literal: &Literal,
    op: &'static str,
) -> Result<Option<Ordering>, EvalError> {
    let text = literal.as_str();
    let mismatch = |expected: &'static str| EvalError::LiteralMismatch {
        operand: operand.to_string(),
        literal: text.to_owned(),
        expected,
    };
    const TIME: &str = "a date or timestamp (e.g. 2026-01-01 or 2026-01-01T00:00:00Z)";
    Ok(match value {
        Value::Null => None,
        Value::Bool(b) => {
            let lit = match text.to_ascii_lowercase().as_str() {
                "true" => true,
                "false" => false,
                _ => return Err(mismatch("true or false")),
            };
            Some(b.cmp(&lit))
        }
        // NaN in a row (never from a literal) compares as unknown, like NULL.
        Value::Number(n) => n.partial_cmp(&parse_finite(text).ok_or_else(|| mismatch("a number"))?),
        Value::Text(s) => Some(s.as_ref().cmp(text)),
        Value::Time(t) => Some(t.cmp(&Timestamp::parse(text).map_err(|_| mismatch(TIME))?)),
        Value::Date(d) => {
            let lit = Timestamp::parse(text)
                .map_err(|_| mismatch(TIME))?
                .start_of_day();
            Some(d.cmp(&lit))
        }
        Value::Json(_) => {
            return Err(EvalError::NotComparable {
                operand: operand.to_string(),
                op,
                kind: value.kind(),
            });
        }
    })
}

/// SQL truth: `None` is unknown (a comparison involving NULL).
type Truth = Option<bool>;

/// What a list of truths held, gathered without keeping the list (a row's filter is evaluated
/// 10,000 times for one table page).
#[derive(Default)]
struct Truths {
    any_true: bool,
    any_false: bool,
    any_unknown: bool,
}

impl Truths {
    fn add(&mut self, truth: Truth) {
        match truth {
            Some(true) => self.any_true = true,
            Some(false) => self.any_false = true,
            None => self.any_unknown = true,
        }
    }

    /// SQL `AND`: false if any is false, else unknown if any is unknown.
    fn and(&self) -> Truth {
        if self.any_false {
            Some(false)
        } else if self.any_unknown {
            None
        } else {
            Some(true)
        }
    }

    /// SQL `OR`: true if any is true, else unknown if any is unknown.
    fn or(&self) -> Truth {
        if self.any_true {
            Some(true)
        } else if self.any_unknown {
            None
        } else {
            Some(false)
        }
    }
}

impl Filter {
    /// Whether `row` passes the filter. A NULL comparison makes its branch unknown, and an
    /// unknown result does not match (SQL `WHERE`). Every branch is evaluated, so a type
    /// error is reported even when the other branches already decide the result.
    pub fn matches<R: Row + ?Sized>(&self, row: &R) -> Result<bool, EvalError> {
        Ok(self.truth(row)? == Some(true))
    }

    fn truth<R: Row + ?Sized>(&self, row: &R) -> Result<Truth, EvalError> {
        Ok(match self {
            Filter::Compare { op, operand, value } => {
                let left = eval_operand(operand, row)?;
                compare(*op, &left, operand, value)?
            }
            Filter::Between { operand, low, high } => {
                let left = eval_operand(operand, row)?;
                let above_low = order_with_literal(&left, operand, low, "between")?;
                let below_high = order_with_literal(&left, operand, high, "between")?;
                match (above_low, below_high) {
                    (Some(lo), Some(hi)) => Some(lo.is_ge() && hi.is_le()),
                    _ => None,
                }
            }
            Filter::In { operand, values } => {
                let left = eval_operand(operand, row)?;
                let mut each = Truths::default();
                for value in values {
                    each.add(compare(Comparison::Eq, &left, operand, value)?);
                }
                each.or()
            }
            Filter::And(items) | Filter::Or(items) => {
                let mut each = Truths::default();
                for item in items {
                    each.add(item.truth(row)?);
                }
                if matches!(self, Filter::And(_)) {
                    each.and()
                } else {
                    each.or()
                }
            }
            Filter::Not(inner) => inner.truth(row)?.map(|t| !t),
            Filter::IsNull(operand) => Some(eval_operand(operand, row)? == Value::Null),
            Filter::IsNotNull(operand) => Some(eval_operand(operand, row)? != Value::Null),
        })
    }

    /// Checks every field name against the fields a row type has, before any row is seen
    /// (so an unknown field is an error even on an empty list).
    pub fn validate(&self, fields: &[&str]) -> Result<(), EvalError> {
        validate_operands(self.operands().into_iter(), fields)
    }
}

pub(crate) fn validate_operands<'a>(
    mut operands: impl Iterator<Item = &'a Operand>,
    fields: &[&str],
) -> Result<(), EvalError> {
    match operands.find(|o| !fields.contains(&o.base_field().as_str())) {
        Some(unknown) => Err(EvalError::UnknownField {
            field: unknown.base_field().to_string(),
        }),
        None => Ok(()),
    }
}

/// Case-insensitive `contains`: both sides lowercased. ASCII text (nearly every token name) is
/// compared in place; other text is lowercased into copies first.
fn contains_ignoring_case(text: &str, needle: &str) -> bool {
    if text.is_ascii() && needle.is_ascii() {
        let (text, needle) = (text.as_bytes(), needle.as_bytes());
        return needle.is_empty()
            || text
                .windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle));
    }
    text.to_lowercase().contains(&needle.to_lowercase())
}

fn compare(
    op: Comparison,
    left: &Value,
    operand: &Operand,
    literal: &Literal,
) -> Result<Truth, EvalError> {
    let holds: fn(Ordering) -> bool = match op {
        Comparison::Contains => {
            let needle = literal.as_str();
            return Ok(match left {
                // The common case (a name searched for a word) without copying the name.
                Value::Text(text) => Some(contains_ignoring_case(text, needle)),
                other => other
                    .text_form()
                    .map(|text| contains_ignoring_case(&text, needle)),
            });
        }
        Comparison::Eq => Ordering::is_eq,
        Comparison::Neq => Ordering::is_ne,
        Comparison::Gt => Ordering::is_gt,
        Comparison::Lt => Ordering::is_lt,
        Comparison::Gte => Ordering::is_ge,
        Comparison::Lte => Ordering::is_le,
    };
    Ok(order_with_literal(left, operand, literal, op.name())?.map(holds))
}

#[cfg(test)]
mod tests {
    use super::contains_ignoring_case;

    #[test]
    fn contains_ignores_case_in_ascii_and_beyond() {
        assert!(contains_ignoring_case("Nightly-Export-593", "export"));
        assert!(contains_ignoring_case("nightly export", "EXPORT"));
        assert!(!contains_ignoring_case("nightly", "nightly export"));
        assert!(contains_ignoring_case("anything", ""));
        assert!(contains_ignoring_case("", ""));
        assert!(!contains_ignoring_case("", "a"));
        // Non-ASCII text takes the Unicode lowercase path: both sides fold.
        assert!(contains_ignoring_case("Ärger im Labor", "ärger"));
        assert!(contains_ignoring_case("ärger", "ÄRG"));
        assert!(contains_ignoring_case("Straße", "STRA"));
        assert!(!contains_ignoring_case("Äpfel", "b"));
    }
}
