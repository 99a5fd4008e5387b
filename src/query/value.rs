//! What filters and sorts are evaluated against: rows that expose typed field values.

use crate::timestamp::Timestamp;

/// A row a filter can test and a sort can order: a token, or a test fixture.
pub trait Row {
    /// The value of `name`: `None` if the row has no such field at all (an error for the
    /// filter), `Some(FieldValue::Null)` for a known field that is empty.
    fn field(&self, name: &str) -> Option<FieldValue>;
}

/// A typed field value. The type decides how a literal is read when compared with it.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
    Time(Timestamp),
    /// A JSON field (e.g. `attenuation_spec`), reached into with `at(field,key)`.
    Json(serde_json::Value),
}

impl FieldValue {
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
            Value::String(s) => FieldValue::Text(s),
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
            FieldValue::Text(s) => Some(s.clone()),
            FieldValue::Time(t) => Some(t.to_string()),
            FieldValue::Json(v) => Some(v.to_string()),
        }
    }
}

impl From<bool> for FieldValue {
    fn from(value: bool) -> Self {
        FieldValue::Bool(value)
    }
}

impl From<f64> for FieldValue {
    fn from(value: f64) -> Self {
        FieldValue::Number(value)
    }
}

impl From<i64> for FieldValue {
    fn from(value: i64) -> Self {
        // Exact below 2^53, which covers every count or size a token list holds.
        FieldValue::Number(value as f64)
    }
}

impl From<String> for FieldValue {
    fn from(value: String) -> Self {
        FieldValue::Text(value)
    }
}

impl From<&str> for FieldValue {
    fn from(value: &str) -> Self {
        FieldValue::Text(value.to_owned())
    }
}

impl From<Timestamp> for FieldValue {
    fn from(value: Timestamp) -> Self {
        FieldValue::Time(value)
    }
}

impl From<serde_json::Value> for FieldValue {
    fn from(value: serde_json::Value) -> Self {
        FieldValue::from_json(value)
    }
}

impl<T: Into<FieldValue>> From<Option<T>> for FieldValue {
    fn from(value: Option<T>) -> Self {
        value.map_or(FieldValue::Null, Into::into)
    }
}
