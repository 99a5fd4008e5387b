//! `GET /api/v1/tokens`: the caller's tokens, paged. Global admins see every user's tokens in the
//! dated variants; in the seed variant they see their own, and another user's only when the
//! filter names that user with `eq(user_id,<uuid>)`, which only admins may do for another user.

use crate::auth::{self, Revoked};
use crate::error::ApiError;
use crate::listing;
use crate::shape;
use crate::state::AppState;
use crate::store::TokenRow;
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
/// name. A parameter the variant reads given twice is a 400: taking one silently would let a
/// client believe the other applied. Others (unknown, or `filter`/`sort` outside the seed
/// variant) are ignored, repeated or not.
pub fn single_values(
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
    let variant = state.variant();
    // The dated lists take only limit/offset: like the real one most likely does, they ignore
    // unknown parameters such as filter and sort.
    let read: &[&str] = if variant.reads_filter_sort() {
        &["limit", "offset", "filter", "sort"]
    } else {
        &["limit", "offset"]
    };
    let query = single_values(pairs, read)?;
    let (limit, offset) = paging(&query)?;
    let plan = listing::Plan::parse(
        query.get("filter").map(String::as_str),
        query.get("sort").map(String::as_str),
    )?;
    let named: Vec<&str> = plan
        .filter
        .as_ref()
        .map(listing::named_user_ids)
        .unwrap_or_default();
    if !caller.sees_all() && named.iter().any(|user| *user != caller.user_id()) {
        return Err(ApiError::forbidden(
            "filtering by another user's user_id needs admin scope",
        ));
    }
    let sees_all = caller.sees_all() && variant.admin_sees_all();
    let sees = |owner: &str| {
        sees_all || owner == caller.user_id() || (caller.sees_all() && named.contains(&owner))
    };
    let now = caller.now;
    let start = usize::try_from(offset).unwrap_or(usize::MAX);
    let take = usize::try_from(limit).unwrap_or(usize::MAX);
    // The page's rows are copied out so the store is not held while they are written.
    let (total, rows) = {
        let mut store = state.store();
        let visible = store.in_list_order().filter(|row| sees(&row.created_by));
        let rows = plan.apply(visible, now)?;
        let page: Vec<TokenRow> = rows
            .iter()
            .skip(start)
            .take(take)
            .copied()
            .cloned()
            .collect();
        (rows.len() as u64, page)
    };
    let items: Vec<Value> = rows
        .iter()
        .filter_map(|row| {
            if variant.lineage() {
                serde_json::to_value(shape::lineage(row, variant.payment_policy())).ok()
            } else {
                serde_json::to_value(shape::seed(row, now)).ok()
            }
        })
        .collect();
    Ok(Json(Page {
        count: items.len() as u64,
        items,
        offset,
        total,
    }))
}
