//! Health probes and the OpenAPI document. Only `/openapi.json` and `/info/health` are
//! anonymous; `/info/health-db` is under the global bearer security like every other endpoint.

use crate::auth::{self, Revoked};
use crate::error::ApiError;
use crate::openapi;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use foundry_keyring::api::models::Health;
use serde_json::{Value, json};

pub async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
    })
}

/// Any valid token (no right needed). The double has no database to lose: always connected.
pub async fn health_db(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    auth::authenticate(&state, &headers, Revoked::Refuse)?;
    Ok(Json(json!({ "status": "ok", "db": "connected" })))
}

/// The document for the variant in force, its `servers` naming the host the request reached.
pub async fn openapi(State(state): State<AppState>, headers: HeaderMap) -> Json<Value> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    Json(openapi::for_request(
        &state.0.openapi,
        state.variant(),
        host,
    ))
}
