//! `GET /api/v1/openapi.json`: the published July 2026 document of the token surface (copied
//! verbatim into `tests/double/openapi/`), plus the seed reference's `filter` and `sort`
//! parameters on `list_tokens`, which the July document does not list.

use serde_json::{Value, json};

/// The published document, unchanged. Tests validate responses against its schemas.
pub const PUBLISHED: &str = include_str!("../openapi/foundry-tokens-2026-07.json");

fn seed_parameters() -> [Value; 2] {
    [
        json!({
            "name": "filter",
            "in": "query",
            "description": "Filter expression in s-expression syntax (seed \"List tokens\" reference). Comparison: eq, neq, gt, lt, gte, lte, contains; range/set: between, in; logical: and, or, not; null checks: is_null, is_not_null; JSONB access: at(field,key); casts: float, int, text, timestamp, date. Example: and(gte(created_at,2026-01-01),eq(status,active))",
            "required": false,
            "schema": { "type": "string" }
        }),
        json!({
            "name": "sort",
            "in": "query",
            "description": "Sort expression: comma-separated asc(operand)/desc(operand) terms, up to 8. Example: desc(created_at),asc(name)",
            "required": false,
            "schema": { "type": "string" }
        }),
    ]
}

/// The document the double serves. The published text is a compile-time constant checked by
/// the tests, so a parse failure cannot happen at run time; if it ever did, serving `null`
/// beats refusing to start.
pub fn document() -> Value {
    let mut doc: Value = serde_json::from_str(PUBLISHED).unwrap_or(Value::Null);
    if let Some(Value::Array(parameters)) =
        doc.pointer_mut("/paths/~1api~1v1~1tokens/get/parameters")
    {
        parameters.extend(seed_parameters());
    }
    doc
}
