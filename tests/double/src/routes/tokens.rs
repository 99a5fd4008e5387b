//! `GET /api/v1/tokens`: the caller's tokens (all tokens for a global admin), paged.

use crate::auth::{self, Revoked};
use crate::error::ApiError;
use crate::listing;
use crate::shape;
use crate::state::{AppState, Shape};
use axum::Json;
use axum::extract::{Query, State, rejection::QueryRejection};
use axum::http::HeaderMap;
use foundry_keyring::api::models::Page;
use serde_json::Value;
use std::collections::HashMap;

pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 100;

/// `limit` and `offset` as published; out-of-range values are unpublished, the double says 400.
pub fn paging(query: &HashMap<String, String>) -> Result<(u64, u64), ApiError> {
    let limit = match query.get("limit") {
        None => DEFAULT_LIMIT,
        Some(text) => match text.trim().parse::<i64>() {
            Ok(n) if (1..=100).contains(&n) => n.unsigned_abs(),
            _ => {
                return Err(ApiError::bad_request(format!(
                    "limit must be an integer from 1 to {MAX_LIMIT}, got {text:?}"
                )));
            }
        },
    };
    let offset = match query.get("offset") {
        None => 0,
        Some(text) => match text.trim().parse::<i64>() {
            Ok(n) if n >= 0 => n.unsigned_abs(),
            _ => {
                return Err(ApiError::bad_request(format!(
                    "offset must be a non-negative integer, got {text:?}"
                )));
            }
        },
    };
    Ok((limit, offset))
}

pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Json<Page<Value>>, ApiError> {
    let caller = auth::authenticate(&state, &headers, Revoked::Refuse)?;
    caller.require("token", "list")?;
    let Query(query) = query
        .map_err(|e| ApiError::bad_request(format!("invalid query string: {}", e.body_text())))?;
    let (limit, offset) = paging(&query)?;
    let shape = state.0.config.shape;
    // The July list takes only limit/offset: like the real one most likely does, it ignores
    // unknown parameters such as filter and sort.
    let (filter, sort) = match shape {
        Shape::Seed => (
            query.get("filter").map(String::as_str),
            query.get("sort").map(String::as_str),
        ),
        Shape::Lineage => (None, None),
    };
    let plan = listing::Plan::parse(filter, sort)?;
    let now = caller.now;
    let store = state.store();
    let visible = store
        .tokens()
        .iter()
        .filter(|row| caller.sees_all() || row.created_by == caller.user_id());
    let rows = plan.apply(visible, now)?;
    let total = rows.len() as u64;
    let start = usize::try_from(offset).unwrap_or(usize::MAX);
    let take = usize::try_from(limit).unwrap_or(usize::MAX);
    let items: Vec<Value> = rows
        .into_iter()
        .skip(start)
        .take(take)
        .filter_map(|row| match shape {
            Shape::Seed => serde_json::to_value(shape::seed(row, now)).ok(),
            Shape::Lineage => serde_json::to_value(shape::lineage(row)).ok(),
        })
        .collect();
    Ok(Json(Page {
        count: items.len() as u64,
        items,
        offset,
        total,
    }))
}
