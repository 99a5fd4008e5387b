//! `/__control/`: test controls, answered only to loopback peers (the double may be bound to a
//! wider address for a demo; nobody else should flip its faults).
//!
//! - `POST /__control/faults` `{"kind":"status","status":429,"retry_after":2,"count":1,"path":"/api/v1/tokens"}`
//!   (kinds: `status`, `drop`, `slow` with `delay_ms`, `malformed`) → 201 with the queued faults
//! - `GET /__control/faults` → the queued faults; `DELETE /__control/faults` → clears them
//! - `POST /__control/cors` `{"allow": bool}` → the new setting
//! - `POST /__control/shape` `{"shape": "seed" | "lineage"}` → the token list's shape from now on
//! - `POST /__control/reset` → demo data, CORS setting, shape and faults as at start
//! - `GET /__control/keys` → the `--keys-out` JSON

use crate::demo::KeysFile;
use crate::error::ApiError;
use crate::faults::Fault;
use crate::state::{AppState, Shape};
use axum::Json;
use axum::extract::connect_info::ConnectInfo;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use std::net::SocketAddr;

/// Middleware: only peers on the loopback interface get through.
pub async fn loopback_only(request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    if peer.is_some_and(|p| p.ip().is_loopback()) {
        next.run(request).await
    } else {
        ApiError::forbidden("the control API answers loopback peers only").into_response()
    }
}

fn body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    body.map(|Json(b)| b)
        .map_err(|e| ApiError::bad_request(format!("invalid request body: {}", e.body_text())))
}

pub async fn add_fault(
    State(state): State<AppState>,
    fault: Result<Json<Fault>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let fault = body(fault)?;
    fault.validate().map_err(ApiError::bad_request)?;
    state.0.faults.push(fault);
    Ok((
        StatusCode::CREATED,
        Json(json!({ "faults": state.0.faults.list() })),
    ))
}

pub async fn list_faults(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "faults": state.0.faults.list() }))
}

pub async fn clear_faults(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "cleared": state.0.faults.clear() }))
}

#[derive(Debug, Deserialize)]
pub struct CorsSwitch {
    pub allow: bool,
}

pub async fn set_cors(
    State(state): State<AppState>,
    switch: Result<Json<CorsSwitch>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let switch = body(switch)?;
    state.set_cors_allowed(switch.allow);
    Ok(Json(json!({ "allow": switch.allow })))
}

#[derive(Debug, Deserialize)]
pub struct ShapeSwitch {
    pub shape: Shape,
}

pub async fn set_shape(
    State(state): State<AppState>,
    switch: Result<Json<ShapeSwitch>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let switch = body(switch)?;
    state.set_shape(switch.shape);
    Ok(Json(json!({ "shape": switch.shape })))
}

pub async fn reset(State(state): State<AppState>) -> Json<Value> {
    state.reset();
    Json(json!({ "reset": true }))
}

pub fn keys_file(state: &AppState) -> KeysFile<'_> {
    KeysFile {
        root_public_key: state.0.root.public().to_bytes_hex(),
        keys: &state.0.keys,
    }
}

pub async fn keys(State(state): State<AppState>) -> Json<Value> {
    Json(serde_json::to_value(keys_file(&state)).unwrap_or(Value::Null))
}
