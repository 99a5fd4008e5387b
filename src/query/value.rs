//! What filters and sorts are evaluated against: rows that expose typed field values.

use crate::timestamp::Timestamp;
use std::borrow::Cow;

/// A row a filter can test and a sort can order: a token, or a test fixture.
pub trait Row {
    /// The value of `name`: `None` if the row has no such field at all (an error for the
    /// filter), `Some(FieldValue::Null)` for a known field that is empty.
    /// Text is borrowed from the row where it can be: filtering and sorting 10,000 tokens
    /// then copies no names.
    fn field(&self, name: &str) -> Option<FieldValue<'_>>;
}

/// A typed field value. The type decides how a literal is read when compared with it.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue<'a> {
    Null,
    Bool(bool),
    Number(f64),
    Text(Cow<'a, str>),
    Time(Timestamp),
    /// A JSON field (e.g. `attenuation_spec`), reached into with `at(field,key)`.
    Json(serde_json::Value),
}

impl FieldValue<'_> {
    /// Maps JSON scalars to their typed counterparts so `at(metadata,score)` compares as a
    /// number and `at(metadata,label)` as text; arrays and objects stay JSON.
    pub fn from_json(value: serde_json::Value) -> Self {
        use serde_json::Value;
        match value {
            Value::Null => FieldValue::Null,
            Value::Bool(b) => FieldValue::Bool(b),
            // A JSON number always fits an f64 approximately; `None` only for
            // arbitrary-precision builds, which we do not enable.
            Value::Number(n) => n.as_f64().map_or(FieldValue::Null, FieldValue::Number),
            Value::String(s) => FieldValue::Text(Cow::Owned(s)),
            composite @ (Value::Array(_) | Value::Object(_)) => FieldValue::Json(composite),
        }
    }

    /// A word for error messages: "text", "a timestamp", ...
    pub fn kind(&self) -> &'static str {
        match self {
            FieldValue::Null => "null",
            FieldValue::Bool(_) => "a boolean",
            FieldValue::Number(_) => "a number",
            FieldValue::Text(_) => "text",
            FieldValue::Time(_) => "a timestamp",
            FieldValue::Json(serde_json::Value::Array(_)) => "a JSON array",
            FieldValue::Json(_) => "a JSON object",
        }
    }

    /// The printed form that `text()` and `contains` work on; `None` for Null.
    pub fn text_form(&self) -> Option<String> {
        match self {
            FieldValue::Null => None,
            FieldValue::Bool(b) => Some(b.to_string()),
            FieldValue::Number(n) => Some(n.to_string()),
            FieldValue::Text(s) => Some(s.to_string()),
            FieldValue::Time(t) => Some(t.to_string()),
            FieldValue::Json(v) => Some(v.to_string()),
        }
    }
}

impl From<bool> for FieldValue<'_> {
    fn from(value: bool) -> Self {
        FieldValue::Bool(value)
    }
}

impl From<f64> for FieldValue<'_> {
    fn from(value: f64) -> Self {
        FieldValue::Number(value)
    }
}

impl From<i64> for FieldValue<'_> {
    fn from(value: i64) -> Self {
        // Exact below 2^53, which covers every count or size a token list holds.
        FieldValue::Number(value as f64)
    }
}

impl From<String> for FieldValue<'_> {
    fn from(value: String) -> Self {
        FieldValue::Text(Cow::Owned(value))
    }
}

impl<'a> From<&'a str> for FieldValue<'a> {
    fn from(value: &'a str) -> Self {
        FieldValue::Text(Cow::Borrowed(value))
    }
}

impl From<Timestamp> for FieldValue<'_> {
    fn from(value: Timestamp) -> Self {
        FieldValue::Time(value)
    }
}

impl From<serde_json::Value> for FieldValue<'_> {
    fn from(value: serde_json::Value) -> Self {
        FieldValue::from_json(value)
    }
}

impl<'a, T: Into<FieldValue<'a>>> From<Option<T>> for FieldValue<'a> {
    fn from(value: Option<T>) -> Self {
        value.map_or(FieldValue::Null, Into::into)
    }
}
