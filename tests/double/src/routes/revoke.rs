//! `POST /api/v1/tokens/revoke`: revokes the calling token's whole family.

use crate::auth::{self, Revoked};
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use foundry_keyring::api::models::RevokeResponse;

/// Published: idempotent, "a repeat returns the original revocation timestamp and
/// children_revoked: 0". A repeat can only come with a token of the revoked family, so this is
/// the one endpoint where a revoked family still authenticates (signature, expiry and the
/// token:revoke right are checked as everywhere). April's answer has no `children_revoked`.
pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<RevokeResponse>, ApiError> {
    let caller = auth::authenticate(&state, &headers, Revoked::Accept)?;
    caller.require("token", "revoke")?;
    let root_id = caller.claims.token_id.clone();
    let revocation = state
        .store()
        .revoke_family(&root_id, caller.now)
        .ok_or_else(|| ApiError::not_found("token not found in database (stateless token)"))?;
    Ok(Json(RevokeResponse {
        token_id: Some(root_id),
        revoked_at: Some(revocation.revoked_at),
        children_revoked: state
            .variant()
            .revoke_has_children()
            .then_some(revocation.children_revoked),
    }))
}
