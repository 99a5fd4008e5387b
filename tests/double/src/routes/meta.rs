//! Unauthenticated endpoints: health probes and the OpenAPI document.

use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use foundry_keyring::api::models::Health;
use serde_json::{Value, json};

pub async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
    })
}

/// The double has no database to lose: always connected.
pub async fn health_db() -> Json<Value> {
    Json(json!({ "status": "ok", "db": "connected" }))
}

pub async fn openapi(State(state): State<AppState>) -> Json<Value> {
    Json(state.0.openapi.clone())
}
