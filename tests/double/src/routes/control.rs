//! `/__control/`: test controls. They answer no web page: only a loopback peer, addressed by a
//! loopback name, without an `Origin` header (as curl, Node's fetch and Playwright's `request`
//! send them). The double may be bound to a wider address for a demo, and any site open in a
//! developer's browser can reach a loopback port: by a CORS request (which carries `Origin`), or
//! by DNS rebinding (its own host name resolving to 127.0.0.1, which shows in `Host`). Either
//! would read the demo admin key from `GET /__control/keys`.
//!
//! - `POST /__control/faults` `{"kind":"status","status":429,"retry_after":2,"count":1,"path":"/api/v1/tokens"}`
//!   (kinds: `status`, `drop`, `slow` with `delay_ms`, `malformed`, `json` with `body`, `redirect` with `status`
//!   307/308 and an absolute http(s) `location`) → 201 with the queued faults
//! - `GET /__control/faults` → the queued faults; `DELETE /__control/faults` → clears them
//! - `POST /__control/cors` `{"allow": bool}` → the new setting
//! - `POST /__control/variant` `{"variant": "seed" | "april" | "july" | "september"}` → the API
//!   variant from now on
//! - `POST /__control/error-body` `{"form": "auto" | "envelope" | "error" | "message" | "detail" |
//!   "text"}` → the error body form from now on
//! - `POST /__control/reset` → demo data, CORS setting, variant, error body and faults as at start
//! - `GET /__control/keys` → the `--keys-out` JSON

use crate::demo::KeysFile;
use crate::error::ApiError;
use crate::faults::Fault;
use crate::state::{AppState, ErrorBodyChoice, Variant};
use axum::Json;
use axum::extract::connect_info::ConnectInfo;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use std::net::SocketAddr;

/// Every path under it is the control API, also paths no route knows: the guard covers them all.
pub fn is_control(path: &str) -> bool {
    path.starts_with("/__control")
}

/// The host names a browser only uses for a page on this machine; a rebound DNS name is none of
/// them. Any port, or none.
fn is_loopback_name(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    ["127.0.0.1", "localhost", "[::1]"].iter().any(|name| {
        host.strip_prefix(name).is_some_and(|rest| {
            rest.is_empty()
                || rest.strip_prefix(':').is_some_and(|port| {
                    !port.is_empty()
                        && port.bytes().all(|b| b.is_ascii_digit())
                        && port.parse::<u16>().is_ok()
                })
        })
    })
}

/// Why a control request is refused, if it is.
fn refusal(request: &Request) -> Option<&'static str> {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    if !peer.is_some_and(|p| p.ip().is_loopback()) {
        return Some("the control API answers loopback peers only");
    }
    if request.headers().contains_key(header::ORIGIN) {
        return Some("the control API answers no web page (the request has an Origin header)");
    }
    // The Host header, and the request line's authority when it has one: both must be loopback.
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    let authority = request.uri().authority().map(|a| a.as_str());
    if !host.is_some_and(is_loopback_name) || !authority.is_none_or(is_loopback_name) {
        return Some("the control API answers only requests to 127.0.0.1, localhost or [::1]");
    }
    None
}

/// Middleware, outside CORS: refuses control requests from anywhere but a local non-browser
/// client, with the error envelope and no CORS header (so a preflight is not approved either).
/// Other paths pass untouched.
pub async fn guard(request: Request, next: Next) -> Response {
    if !is_control(request.uri().path()) {
        return next.run(request).await;
    }
    match refusal(&request) {
        None => next.run(request).await,
        Some(why) => ApiError::forbidden(why).into_response(),
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
pub struct VariantSwitch {
    pub variant: Variant,
}

pub async fn set_variant(
    State(state): State<AppState>,
    switch: Result<Json<VariantSwitch>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let switch = body(switch)?;
    state.set_variant(switch.variant);
    Ok(Json(json!({ "variant": switch.variant })))
}

#[derive(Debug, Deserialize)]
pub struct ErrorBodySwitch {
    pub form: ErrorBodyChoice,
}

pub async fn set_error_body(
    State(state): State<AppState>,
    switch: Result<Json<ErrorBodySwitch>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let switch = body(switch)?;
    state.set_error_body(switch.form);
    Ok(Json(json!({ "form": switch.form })))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names() {
        for host in [
            "127.0.0.1",
            "127.0.0.1:8787",
            "localhost",
            "LocalHost:18787",
            "[::1]",
            "[::1]:65535",
        ] {
            assert!(is_loopback_name(host), "{host}");
        }
        for host in [
            "",
            "rebound.example",
            "rebound.example:8787",
            "127.0.0.1.rebound.example",
            "localhost.rebound.example",
            "localhost.",
            "127.0.0.2",
            "0.0.0.0",
            "[::1]x",
            "127.0.0.1:",
            "127.0.0.1:+80",
            "127.0.0.1:65536",
            "127.0.0.1:80@rebound.example",
        ] {
            assert!(!is_loopback_name(host), "{host}");
        }
    }
}
