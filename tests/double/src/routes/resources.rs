//! Endpoints of the wider API beyond tokens, enough to try a key's rights on: the same bearer
//! token and the same Authorizer as the token endpoints, with no data behind them.
//!
//! - `GET /api/v1/experiments` (`experiment:list`), `GET /api/v1/targets` (`target:list`):
//!   an empty page, `limit`/`offset` checked as on the token list. They take `filter`/`sort`
//!   in the seed grammar in every variant (only the dated token list drops them): one that does
//!   not parse is a 400 as on the token list. Their fields are not published, so names are not
//!   checked;
//! - `POST /api/v1/experiments` (`experiment:create`): any JSON object → 201 `{"id": "<uuid v7>"}`,
//!   nothing stored.

use crate::auth::{self, Revoked};
use crate::error::ApiError;
use crate::listing::Plan;
use crate::routes::tokens::{paging, single_values};
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use foundry_keyring::api::models::Page;
use serde_json::{Value, json};

/// An empty page for a caller holding `resource:list`.
async fn empty_list(
    state: &AppState,
    headers: &HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    resource: &str,
) -> Result<Json<Page<Value>>, ApiError> {
    let caller = auth::authenticate(state, headers, Revoked::Refuse)?;
    caller.require(resource, "list")?;
    let Query(pairs) = query
        .map_err(|e| ApiError::bad_request(format!("invalid query string: {}", e.body_text())))?;
    let query = single_values(pairs, &["limit", "offset", "filter", "sort"])?;
    let (_, offset) = paging(&query)?;
    Plan::parse_grammar(
        query.get("filter").map(String::as_str),
        query.get("sort").map(String::as_str),
    )?;
    Ok(Json(Page {
        items: Vec::new(),
        count: 0,
        offset,
        total: 0,
    }))
}

pub async fn list_experiments(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<Page<Value>>, ApiError> {
    empty_list(&state, &headers, query, "experiment").await
}

pub async fn list_targets(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<Page<Value>>, ApiError> {
    empty_list(&state, &headers, query, "target").await
}

pub async fn create_experiment(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let caller = auth::authenticate(&state, &headers, Revoked::Refuse)?;
    caller.require("experiment", "create")?;
    let Json(body) = body
        .map_err(|e| ApiError::bad_request(format!("invalid request body: {}", e.body_text())))?;
    if !body.is_object() {
        return Err(ApiError::bad_request(
            "invalid request body: expected a JSON object",
        ));
    }
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": uuid::Uuid::now_v7().to_string() })),
    ))
}
