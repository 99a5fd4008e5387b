//! `GET /api/v1/openapi.json`: the published July 2026 document of the token surface (copied
//! verbatim into `tests/double/openapi/`), plus the experiment and target operations the double
//! also serves, adjusted per request:
//!
//! - `servers` names the double itself (`http://<Host header>`), not the production host, so a
//!   client that reads it stays on the double;
//! - in the seed variant `list_tokens` also advertises the seed reference's `filter` and `sort`
//!   parameters; the dated variants list only `limit` and `offset`, as the published document;
//! - a variant that answers otherwise than July describes what it sends ([`adjust_to_variant`]),
//!   so that every variant's responses validate against the document it serves.

use crate::state::{ErrorForm, Variant};
use axum::http::uri::Authority;
use serde_json::{Value, json};

/// The published document, unchanged. Tests validate responses against its schemas.
pub const PUBLISHED: &str = include_str!("../openapi/foundry-tokens-2026-07.json");

const LIST_TOKENS_PARAMETERS: &str = "/paths/~1api~1v1~1tokens/get/parameters";
pub const LIST_TOKENS_200: &str =
    "/paths/~1api~1v1~1tokens/get/responses/200/content/application~1json/schema";

/// The seed reference's list page: the envelope, and items with exactly the seed page's eight
/// fields plus the newer pages' `user_id`.
pub fn seed_list_page() -> Value {
    let date_time = json!({"type": "string", "format": "date-time"});
    let nullable_date_time = json!({"type": ["string", "null"], "format": "date-time"});
    let item = json!({
        "type": "object",
        "description": "A token as the seed \"List tokens\" reference lists it.",
        "additionalProperties": false,
        "required": ["id", "name", "status", "token_type", "created_at", "created_by", "expires_at", "last_used", "user_id"],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "status": {"enum": ["active", "expired", "revoked"]},
            "token_type": {"type": "string"},
            "created_at": date_time,
            "created_by": {"type": "string", "format": "uuid"},
            "expires_at": nullable_date_time,
            "last_used": nullable_date_time,
            "user_id": {"type": "string", "format": "uuid"}
        }
    });
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["items", "count", "offset", "total"],
        "properties": {
            "items": {"type": "array", "items": item},
            "count": {"type": "integer", "minimum": 0},
            "offset": {"type": "integer", "minimum": 0},
            "total": {"type": "integer", "minimum": 0}
        }
    })
}

/// Where a variant's answers differ from the July document it starts from: the seed list's
/// items, April's `{token}` and revoke without `children_revoked` and `{error}` bodies,
/// September's `payment_policy`.
fn adjust_to_variant(doc: &mut Value, variant: Variant) {
    let mut set = |pointer: &str, value: Value| {
        if let Some(slot) = doc.pointer_mut(pointer) {
            *slot = value;
        }
    };
    if !variant.lineage() {
        set(LIST_TOKENS_200, seed_list_page());
    }
    if !variant.attenuate_has_id() {
        set(
            "/components/schemas/AttenuateTokenResponse/required",
            json!(["token"]),
        );
    }
    if !variant.revoke_has_children() {
        set(
            "/components/schemas/RevokeTokenResponse/required",
            json!(["token_id", "revoked_at"]),
        );
    }
    if variant.error_form() == ErrorForm::Error {
        set(
            "/components/schemas/ErrorResponse/required",
            json!(["error"]),
        );
    }
    if variant.payment_policy()
        && let Some(Value::Object(properties)) =
            doc.pointer_mut("/components/schemas/AttenuationSpec/properties")
    {
        properties.insert(
            "payment_policy".to_owned(),
            json!({"description": "A payment policy the token must follow (September 2026 reference). Its shape is not published: kept and listed as given."}),
        );
    }
}

fn seed_parameters() -> [Value; 2] {
    [
        json!({
            "name": "filter",
            "in": "query",
            "description": "Filter expression in s-expression syntax (seed \"List tokens\" reference). Comparison: eq, neq, gt, lt, gte, lte, contains; range/set: between, in; logical: and, or, not; null checks: is_null, is_not_null; JSONB access: at(field,key); casts: float, int, text, timestamp, date. Example: and(gte(created_at,2026-01-01),eq(status,active)). On the token list, an admin sees another user's tokens only with eq(user_id,<uuid>).",
            "required": false,
            "schema": { "type": "string" }
        }),
        json!({
            "name": "sort",
            "in": "query",
            "description": "Sort expression: comma-separated asc(operand)/desc(operand) terms, up to 8. Example: desc(created_at),asc(name). On bare fields the short forms -field, +field, field:desc and field:asc also work.",
            "required": false,
            "schema": { "type": "string" }
        }),
    ]
}

fn paging_parameters() -> Value {
    json!([
        {
            "name": "limit",
            "in": "query",
            "description": "Maximum number of items to return (1-100, default 50).",
            "required": false,
            "schema": { "type": "integer", "format": "int64" }
        },
        {
            "name": "offset",
            "in": "query",
            "description": "Number of items to skip (default 0).",
            "required": false,
            "schema": { "type": "integer", "format": "int64" }
        }
    ])
}

fn error_responses(statuses: &[(&str, &str)]) -> serde_json::Map<String, Value> {
    statuses
        .iter()
        .map(|(status, description)| {
            (
                (*status).to_owned(),
                json!({
                    "description": description,
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorResponse" } } }
                }),
            )
        })
        .collect()
}

/// A list operation answering the published Page envelope of untyped items.
fn list_operation(tag: &str, operation_id: &str, summary: &str, right: &str) -> Value {
    let mut responses = error_responses(&[
        ("400", "Invalid limit, offset, filter or sort"),
        ("401", "Missing, invalid, expired or revoked token"),
        ("403", "The token lacks the right"),
    ]);
    responses.insert(
        "200".to_owned(),
        json!({
            "description": "A page (always empty on the local double)",
            "content": { "application/json": { "schema": {
                "type": "object",
                "required": ["items", "total", "count", "offset"],
                "properties": {
                    "items": { "type": "array", "items": { "type": "object" } },
                    "count": { "type": "integer", "format": "int64" },
                    "offset": { "type": "integer", "format": "int64" },
                    "total": { "type": "integer", "format": "int64" }
                }
            } } }
        }),
    );
    // These lists take the seed grammar in every variant (Sept 2026 reference).
    let mut parameters = paging_parameters();
    if let Value::Array(list) = &mut parameters {
        list.extend(seed_parameters());
    }
    json!({
        "tags": [tag],
        "summary": summary,
        "description": format!("Needs `{right}`."),
        "operationId": operation_id,
        "parameters": parameters,
        "responses": responses
    })
}

fn create_experiment() -> Value {
    let mut responses = error_responses(&[
        ("400", "The body is not a JSON object"),
        ("401", "Missing, invalid, expired or revoked token"),
        ("403", "The token lacks experiment:create"),
    ]);
    responses.insert(
        "201".to_owned(),
        json!({
            "description": "Created (the local double stores nothing)",
            "content": { "application/json": { "schema": {
                "type": "object",
                "required": ["id"],
                "properties": { "id": { "type": "string", "format": "uuid" } }
            } } }
        }),
    );
    json!({
        "tags": ["experiments"],
        "summary": "Create an experiment",
        "description": "Needs `experiment:create`.",
        "operationId": "create_experiment",
        "requestBody": {
            "required": true,
            "content": { "application/json": { "schema": { "type": "object" } } }
        },
        "responses": responses
    })
}

/// The document every variant starts from: the published one plus the experiment and target
/// operations. The published text is a compile-time constant checked by the tests, so a parse
/// failure cannot happen at run time; if it ever did, serving `null` beats refusing to start.
pub fn document() -> Value {
    let mut doc: Value = serde_json::from_str(PUBLISHED).unwrap_or(Value::Null);
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        let mut experiments = serde_json::Map::new();
        experiments.insert(
            "get".to_owned(),
            list_operation(
                "experiments",
                "list_experiments",
                "List experiments",
                "experiment:list",
            ),
        );
        experiments.insert("post".to_owned(), create_experiment());
        paths.insert("/api/v1/experiments".to_owned(), Value::Object(experiments));
        paths.insert(
            "/api/v1/targets".to_owned(),
            json!({ "get": list_operation("targets", "list_targets", "List targets", "target:list") }),
        );
    }
    doc
}

/// The partner-only path, listed only to a caller that may use it.
pub const MINT_TOKEN: &str = "/api/v1/partners/mint-token";

/// Adds the partner-only operation to a document served to a partner. Its request and answer
/// are not published, so neither is described beyond the error envelope.
pub fn add_partner_operations(doc: &mut Value) {
    let mut responses = error_responses(&[
        ("401", "Missing, invalid, expired or revoked token"),
        ("403", "The token lacks partner:mint_token"),
        ("501", "The local double does not mint tokens"),
    ]);
    responses.insert(
        "201".to_owned(),
        json!({ "description": "Minted (not published; never answered by the local double)" }),
    );
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        paths.insert(
            MINT_TOKEN.to_owned(),
            json!({ "post": {
                "tags": ["partners"],
                "summary": "Mint a token for a partner's user",
                "description": "Partner-only: listed only to a caller whose token may `partner:mint_token`. Needs `partner:mint_token`.",
                "operationId": "partner_mint_token",
                "responses": responses
            } }),
        );
    }
}

/// The server URL a client reached the double at: `http://<host>` when `host` is a valid
/// authority (a host name or address and an optional port, nothing else), else the relative
/// `/` (the document's own origin).
pub fn server_url(host: Option<&str>) -> String {
    match host.map(str::parse::<Authority>) {
        Some(Ok(authority)) if !authority.as_str().contains('@') => {
            format!("http://{}", authority.as_str())
        }
        _ => "/".to_owned(),
    }
}

/// The document as served to one request.
pub fn for_request(base: &Value, variant: Variant, host: Option<&str>) -> Value {
    let mut doc = base.clone();
    if let Some(object) = doc.as_object_mut() {
        object.insert(
            "servers".to_owned(),
            json!([{
                "url": server_url(host),
                "description": format!("foundry-double (local), playing the {} variant", variant.as_str())
            }]),
        );
    }
    if variant.reads_filter_sort()
        && let Some(Value::Array(parameters)) = doc.pointer_mut(LIST_TOKENS_PARAMETERS)
    {
        parameters.extend(seed_parameters());
    }
    adjust_to_variant(&mut doc, variant);
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_url_takes_only_an_authority() {
        assert_eq!(server_url(Some("127.0.0.1:8787")), "http://127.0.0.1:8787");
        assert_eq!(server_url(Some("localhost")), "http://localhost");
        assert_eq!(server_url(Some("[::1]:9")), "http://[::1]:9");
        for bad in ["", "a b", "evil.example/x", "user@evil.example", "a\"b"] {
            assert_eq!(server_url(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(server_url(None), "/");
    }
}
