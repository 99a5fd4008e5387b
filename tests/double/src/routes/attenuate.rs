//! `POST /api/v1/tokens/attenuate`: appends a real Biscuit block of checks to the token in the
//! body and records the child.
//!
//! The answer depends on the variant: `201 {id, token}` (seed, July, September) or
//! `201 {token}` (April). `payment_policy` (September) is stored, carried into children and
//! never widened: a child of a token with a policy gets that policy, and sending another one
//! is refused, since what a policy means is not published. Earlier variants accept the field
//! and ignore it, as a server ignores a field its schema does not have.

use crate::auth::{self, Caller, Revoked};
use crate::biscuit;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::TokenRow;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, StatusCode};
use foundry_keyring::api::models::{ACTIONS, AttenuationSpec, RESOURCES, TokenKind};
use foundry_keyring::timestamp::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The request body (`AttenuateTokenRequest`). The app's model of it serializes a borrowed
/// secret and cannot be deserialized, hence this owned twin.
#[derive(Debug, Deserialize)]
pub struct AttenuateBody {
    pub token: String,
    pub name: String,
    pub attenuation: AttenuationSpec,
    #[serde(default)]
    pub attenuated_parent_token_id: Option<String>,
}

/// `AttenuateTokenResponse`; April's answer had no `id`.
#[derive(Debug, Serialize, Deserialize)]
pub struct Attenuated {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub token: String,
}

/// The payment policy the token in the body already carries, if any: the nearest one up its
/// chain of records (so a policy set in September survives a detour through a variant that
/// ignored the field), or for a token without a record the `payment_policy` facts of its
/// blocks.
fn inherited_policy(state: &AppState, parent: &Caller) -> Result<Option<Value>, ApiError> {
    if let Some(record) = &parent.record {
        let store = state.store();
        let mut row = Some(record);
        // Bounded by the store's size: a chain of parents cannot be longer.
        for _ in 0..=store.tokens().len() {
            let Some(current) = row else { break };
            if let Some(policy) = current
                .attenuation_spec
                .as_ref()
                .and_then(|s| s.payment_policy.clone())
            {
                return Ok(Some(policy));
            }
            row = current
                .parent_token_id
                .as_deref()
                .and_then(|id| store.get(id));
        }
        return Ok(None);
    }
    let mut policies = biscuit::payment_policies(&parent.token).map_err(ApiError::internal)?;
    policies.dedup();
    match policies.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        _ => Err(ApiError::bad_request(
            "the token carries more than one payment_policy; it cannot be attenuated further",
        )),
    }
}

/// Carries the parent's payment policy into `spec`, or refuses a different one.
fn carry_policy(spec: &mut AttenuationSpec, inherited: Option<Value>) -> Result<(), ApiError> {
    match (inherited, &spec.payment_policy) {
        (Some(inherited), None) => spec.payment_policy = Some(inherited),
        (Some(inherited), Some(sent)) if &inherited != sent => {
            return Err(ApiError::bad_request(
                "payment_policy cannot be changed: its meaning is not published",
            ));
        }
        _ => {}
    }
    Ok(())
}

fn validate_spec(
    spec: &AttenuationSpec,
    now: Timestamp,
    parent_expiry: Option<Timestamp>,
) -> Result<(), ApiError> {
    for action in spec.allowed_actions.iter().flatten() {
        if !ACTIONS.contains(&action.as_str()) {
            return Err(ApiError::bad_request(format!(
                "unknown action {action:?} in allowed_actions (known: {})",
                ACTIONS.join(", ")
            )));
        }
    }
    for resource in spec.allowed_resources.iter().flatten() {
        if !RESOURCES.contains(&resource.as_str()) {
            return Err(ApiError::bad_request(format!(
                "unknown resource {resource:?} in allowed_resources (known: {})",
                RESOURCES.join(", ")
            )));
        }
    }
    if let Some(expires_at) = spec.expires_at {
        if expires_at <= now {
            return Err(ApiError::bad_request(format!(
                "expires_at {expires_at} is in the past"
            )));
        }
        if let Some(parent) = parent_expiry
            && expires_at > parent
        {
            return Err(ApiError::bad_request(format!(
                "expires_at can only shorten the token's lifetime: the token expires at {parent}"
            )));
        }
    }
    Ok(())
}

pub async fn attenuate(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<AttenuateBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Attenuated>), ApiError> {
    let bearer = auth::authenticate(&state, &headers, Revoked::Refuse)?;
    // Published: "This endpoint requires the token:read capability."
    bearer.require("token", "read")?;
    let Json(body) = body
        .map_err(|e| ApiError::bad_request(format!("invalid request body: {}", e.body_text())))?;
    let name = body.name.trim();
    if name.is_empty() {
        return Err(ApiError::bad_request("name must not be empty"));
    }
    let now = bearer.now;
    let parent = match auth::verify(&state, &body.token, now, Revoked::Refuse) {
        Ok(parent) => parent,
        Err(auth::Rejected::Invalid) => {
            return Err(ApiError::bad_request(
                "invalid token format: token is not a valid token of this API",
            ));
        }
        Err(other) => return Err(other.into()),
    };
    // Possession of a token is what lets one weaken it, but only for one's own tokens: a key of
    // another user is not the bearer's to delegate (global admins excepted).
    if parent.user_id() != bearer.user_id() && !bearer.sees_all() {
        return Err(ApiError::forbidden(
            "the token in the body belongs to another user",
        ));
    }
    let parent_expiry = parent.record.as_ref().and_then(|r| r.expires_at);
    let variant = state.variant();
    let mut spec = body.attenuation;
    // Fields the published spec does not have were ignored when the body was read, as the
    // real API's schema does.
    if variant.payment_policy() {
        carry_policy(&mut spec, inherited_policy(&state, &parent)?)?;
    } else {
        spec.payment_policy = None;
    }
    validate_spec(&spec, now, parent_expiry)?;
    if let Some(orgs) = &spec.allowed_org_ids {
        let access =
            biscuit::access(&parent.token, &parent.claims, now).map_err(ApiError::internal)?;
        for org in orgs {
            if !access.organizations.iter().any(|o| &o.id == org) {
                return Err(ApiError::bad_request(format!(
                    "allowed_org_ids: the token cannot access organization {org:?}"
                )));
            }
        }
    }

    let root_id = parent.claims.token_id.clone();
    let parent_id = match (&body.attenuated_parent_token_id, &parent.record) {
        (Some(claimed), Some(record)) if claimed != &record.id => {
            return Err(ApiError::bad_request(
                "attenuated_parent_token_id does not name the token being attenuated",
            ));
        }
        (Some(claimed), None) => {
            let store = state.store();
            match store.get(claimed) {
                Some(row) if row.kind == TokenKind::Attenuated && row.family() == root_id => {
                    claimed.clone()
                }
                _ => {
                    return Err(ApiError::bad_request(
                        "attenuated_parent_token_id names no attenuated token of this family",
                    ));
                }
            }
        }
        (_, Some(record)) => record.id.clone(),
        (None, None) => root_id.clone(),
    };

    let block = biscuit::attenuation_block(&spec).map_err(ApiError::internal)?;
    let child = parent.token.append(block).map_err(ApiError::internal)?;
    let text = biscuit::encode(&child).map_err(ApiError::internal)?;
    let expires_at = match (parent_expiry, spec.expires_at) {
        (Some(p), Some(s)) => Some(p.min(s)),
        (p, s) => p.or(s),
    };
    let id = uuid::Uuid::now_v7().to_string();
    state.store().insert(TokenRow {
        id: id.clone(),
        name: name.to_owned(),
        kind: TokenKind::Attenuated,
        token_type: None,
        created_by: parent.claims.user_id.clone(),
        created_at: now,
        expires_at,
        revoked_at: None,
        last_used: None,
        parent_token_id: Some(parent_id),
        root_token_id: Some(root_id),
        attenuation_spec: Some(spec),
        revocation_id: Some(biscuit::last_revocation_id(&child)),
    });
    Ok((
        StatusCode::CREATED,
        Json(Attenuated {
            id: variant.attenuate_has_id().then_some(id),
            token: text,
        }),
    ))
}
