//! Health probes, the OpenAPI document, and the partner-only route it lists to partners. Only
//! `/openapi.json` and `/info/health` are anonymous; `/info/health-db` is under the global bearer
//! security like every other endpoint.

use crate::auth::{self, Revoked};
use crate::error::ApiError;
use crate::openapi;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
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
/// The route is anonymous, but what it lists depends on the caller (Sept 2026 reference): a
/// valid token that may `partner:mint_token` also sees the partner-only operation. A missing,
/// invalid, expired or revoked token is no error here, only an anonymous caller; and reading
/// the document is not a use of the token (`last_used` stays).
pub async fn openapi(State(state): State<AppState>, headers: HeaderMap) -> Json<Value> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let mut doc = openapi::for_request(&state.0.openapi, state.variant(), host);
    let partner = auth::bearer(&headers)
        .ok()
        .and_then(|token| auth::verify(&state, token, crate::state::now(), Revoked::Refuse).ok())
        .is_some_and(|caller| caller.require("partner", "mint_token").is_ok());
    if partner {
        openapi::add_partner_operations(&mut doc);
    }
    Json(doc)
}

/// `POST /partners/mint-token`. Its request and answer are not published, so the double mints
/// nothing: a partner gets 501 with the error envelope, anyone else what the bearer rules give.
pub async fn mint_token(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    auth::authenticate(&state, &headers, Revoked::Refuse)?.require("partner", "mint_token")?;
    Err(ApiError::new(
        StatusCode::NOT_IMPLEMENTED,
        "minting is not published; the local double does not mint tokens",
    ))
}
