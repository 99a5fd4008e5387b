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

/// The query string, form-urlencoded (`%2B` is `+`, a literal `+` is a space), one value per
/// name. A parameter the shape reads given twice is a 400: taking one silently would let a
/// client believe the other applied. Others (unknown, or `filter`/`sort` in the lineage shape)
/// are ignored, repeated or not.
fn single_values(
    pairs: Vec<(String, String)>,
    read: &[&str],
) -> Result<HashMap<String, String>, ApiError> {
    let mut query = HashMap::new();
    for (name, value) in pairs {
        if !read.contains(&name.as_str()) {
            continue;
        }
        if query.insert(name.clone(), value).is_some() {
            return Err(ApiError::bad_request(format!(
                "query parameter {name:?} given more than once"
            )));
        }
    }
    Ok(query)
}

pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<Page<Value>>, ApiError> {
    let caller = auth::authenticate(&state, &headers, Revoked::Refuse)?;
    caller.require("token", "list")?;
    let Query(pairs) = query
        .map_err(|e| ApiError::bad_request(format!("invalid query string: {}", e.body_text())))?;
    let shape = state.shape();
    // The July list takes only limit/offset: like the real one most likely does, it ignores
    // unknown parameters such as filter and sort.
    let read: &[&str] = match shape {
        Shape::Seed => &["limit", "offset", "filter", "sort"],
        Shape::Lineage => &["limit", "offset"],
    };
    let query = single_values(pairs, read)?;
    let (limit, offset) = paging(&query)?;
    let plan = listing::Plan::parse(
        query.get("filter").map(String::as_str),
        query.get("sort").map(String::as_str),
    )?;
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
