//! Five token-like rows covering every value type, NULLs and a JSON field with mixed types.

use crate::query::{FieldValue, Filter, Row, Sort, parse_filter, parse_sort};
use crate::timestamp::Timestamp;
use serde_json::{Value, json};

pub struct TokenRow {
    pub name: &'static str,
    pub kind: &'static str,
    pub status: &'static str,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub token_type: Option<&'static str>,
    pub uses: i64,
    pub pinned: bool,
    pub metadata: Value,
    pub attenuation_spec: Value,
}

pub const FIELDS: &[&str] = &[
    "name",
    "kind",
    "status",
    "created_at",
    "expires_at",
    "revoked_at",
    "token_type",
    "uses",
    "pinned",
    "metadata",
    "attenuation_spec",
];

impl Row for TokenRow {
    fn field(&self, name: &str) -> Option<FieldValue<'_>> {
        let json = |v: &Value| {
            if v.is_null() {
                FieldValue::Null
            } else {
                FieldValue::Json(v.clone())
            }
        };
        Some(match name {
            "name" => self.name.into(),
            "kind" => self.kind.into(),
            "status" => self.status.into(),
            "created_at" => self.created_at.into(),
            "expires_at" => self.expires_at.into(),
            "revoked_at" => self.revoked_at.into(),
            "token_type" => self.token_type.into(),
            "uses" => self.uses.into(),
            "pinned" => self.pinned.into(),
            "metadata" => json(&self.metadata),
            "attenuation_spec" => json(&self.attenuation_spec),
            _ => return None,
        })
    }
}

/// A timestamp from fixture text; a typo shows up as the epoch, which no expectation uses.
pub fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap_or(Timestamp::from_unix(0))
}

pub fn rows() -> Vec<TokenRow> {
    vec![
        TokenRow {
            name: "alpha",
            kind: "root",
            status: "active",
            created_at: at("2026-01-01T10:00:00Z"),
            expires_at: Some(at("2026-12-31T23:59:59Z")),
            revoked_at: None,
            token_type: Some("admin"),
            uses: 42,
            pinned: true,
            metadata: json!({"score": 42, "label": "Prod", "start_date": "2026-03-01"}),
            attenuation_spec: Value::Null,
        },
        TokenRow {
            name: "beta-ci",
            kind: "attenuated",
            status: "active",
            created_at: at("2026-02-15T08:30:00Z"),
            expires_at: Some(at("2026-06-30T00:00:00Z")),
            revoked_at: None,
            token_type: None,
            uses: 7,
            pinned: false,
            metadata: json!({"score": 7.5, "label": "ci"}),
            attenuation_spec: json!({"read_only": true, "allowed_actions": ["list", "read"]}),
        },
        TokenRow {
            name: "gamma",
            kind: "root",
            status: "revoked",
            created_at: at("2025-11-20T12:00:00Z"),
            expires_at: None,
            revoked_at: Some(at("2026-01-05T00:00:00Z")),
            token_type: Some("user"),
            uses: 0,
            pinned: false,
            // A number written as a JSON string: text for comparisons, a number after int().
            metadata: json!({"score": "12", "label": "Old"}),
            attenuation_spec: Value::Null,
        },
        TokenRow {
            name: "delta",
            kind: "attenuated",
            status: "expired",
            created_at: at("2026-01-01T23:59:59Z"),
            expires_at: Some(at("2026-01-31T00:00:00Z")),
            revoked_at: None,
            token_type: None,
            uses: 3,
            pinned: true,
            metadata: Value::Null,
            attenuation_spec: json!({"read_only": false}),
        },
        TokenRow {
            name: "Epsilon",
            kind: "root",
            status: "active",
            created_at: at("2026-03-10T00:00:00Z"),
            expires_at: None,
            revoked_at: None,
            token_type: Some("multi_org"),
            uses: 100,
            pinned: false,
            metadata: json!({"score": 100, "label": "prod-eu", "start_date": "2026-01-15T09:00:00Z"}),
            attenuation_spec: Value::Null,
        },
    ]
}

/// Names of the fixture rows matching `filter`, in fixture order, or the error as text.
pub fn matching(filter: &str) -> Result<Vec<&'static str>, String> {
    let filter: Filter = parse_filter(filter).map_err(|e| e.to_string())?;
    let mut names = Vec::new();
    for row in rows() {
        if filter.matches(&row).map_err(|e| e.to_string())? {
            names.push(row.name);
        }
    }
    Ok(names)
}

/// Names of the fixture rows in `sort` order, or the error as text.
pub fn sorted(sort: &str) -> Result<Vec<&'static str>, String> {
    let sort: Sort = parse_sort(sort).map_err(|e| e.to_string())?;
    let rows = sort.sorted(rows()).map_err(|e| e.to_string())?;
    Ok(rows.iter().map(|r| r.name).collect())
}
