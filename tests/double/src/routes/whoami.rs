//! `GET /api/v1/whoami`: who the token is and what the Authorizer actually lets it do.

use crate::auth::{self, Revoked};
use crate::biscuit;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use foundry_keyring::api::models::{Organization, WhoAmI};

/// The published operation requires the `Read` action (`x-required-action`) and names no
/// resource, so the double asks for exactly that: a key that may read something may ask who it
/// is, and one whose attenuation left it no `read` (say, a robot key that may only create) is
/// answered 403. The permissions are computed with the Authorizer (authority rights that pass
/// every block's checks), so an attenuated key reports the intersection, and the organizations
/// are those it can act as.
pub async fn whoami(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<WhoAmI>, ApiError> {
    let caller = auth::authenticate(&state, &headers, Revoked::Refuse)?;
    let access =
        biscuit::access(&caller.token, &caller.claims, caller.now).map_err(ApiError::internal)?;
    if !access
        .permissions
        .iter()
        .any(|(_, action)| action == "read")
    {
        return Err(ApiError::forbidden(
            "insufficient permissions: this token lacks the read action",
        ));
    }
    let organizations = access
        .organizations
        .iter()
        .map(|o| Organization {
            id: o.id.clone(),
            name: o.name.clone(),
            active: access.acting.as_deref() == Some(o.id.as_str()),
            role: Some(o.role.clone()),
        })
        .collect();
    Ok(Json(WhoAmI {
        organizations,
        permissions: access
            .permissions
            .iter()
            .map(|(r, a)| format!("{r}:{a}"))
            .collect(),
        active_organization_id: access.acting.clone(),
        // The record's effective expiry; a token with no record has no recorded expiry (null).
        token_expires_at: caller.record.as_ref().and_then(|r| r.expires_at),
        user_id: Some(caller.claims.user_id.clone()),
    }))
}
