//! Authenticating a presented token and authorizing an operation with it.
//!
//! Order of the checks, and the 401 message each failure gives:
//! 1. the Bearer header is present (`missing authentication token`);
//! 2. the token is a Biscuit signed by the root key (`invalid token`);
//! 3. its family is not revoked in the store (`token revoked`);
//! 4. no time check of any block fails (`token expired`).
//!
//! Then [`Caller::require`] runs the Biscuit Authorizer for the endpoint's `resource:action`
//! (403 when no organization the token can act as allows it).

use crate::biscuit::{self, RootClaims};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{Store, TokenRow};
use axum::http::{HeaderMap, header};
use biscuit_auth::Biscuit;
use foundry_keyring::timestamp::Timestamp;

/// A verified token and what the store knows of it.
pub struct Caller {
    pub token: Biscuit,
    pub claims: RootClaims,
    /// The record of the exact token presented (root or attenuated), when there is one.
    pub record: Option<TokenRow>,
    /// The record of the family root, when there is one.
    pub root: Option<TokenRow>,
    pub now: Timestamp,
}

/// Whether a revoked family may still authenticate (only `POST /tokens/revoke`, so that a
/// repeat call returns the first revocation, as published).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoked {
    Refuse,
    Accept,
}

pub fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("missing authentication token"))?;
    let text = value
        .to_str()
        .map_err(|_| ApiError::unauthorized("invalid token"))?;
    let (scheme, token) = text
        .split_once(' ')
        .ok_or_else(|| ApiError::unauthorized("invalid token"))?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::unauthorized("invalid token"));
    }
    Ok(token.trim())
}

/// Finds the records of a verified token: the root by `token_id`, the presented token by its
/// last revocation identifier (a root has no attenuation block, so that is itself).
pub fn records(
    store: &Store,
    token: &Biscuit,
    claims: &RootClaims,
) -> (Option<TokenRow>, Option<TokenRow>) {
    let root = store.get(&claims.token_id).cloned();
    let record = if token.block_count() <= 1 {
        root.clone()
    } else {
        store
            .by_revocation_id(&biscuit::last_revocation_id(token))
            .cloned()
    };
    (record, root)
}

/// Why a token string does not authenticate.
#[derive(Debug, thiserror::Error)]
pub enum Rejected {
    #[error("invalid token")]
    Invalid,
    #[error("token revoked")]
    Revoked,
    #[error("token expired")]
    Expired,
    #[error("running the authorizer: {0}")]
    Authorizer(#[from] biscuit::BiscuitError),
}

impl From<Rejected> for ApiError {
    fn from(rejected: Rejected) -> Self {
        match rejected {
            Rejected::Authorizer(e) => ApiError::internal(e),
            other => ApiError::unauthorized(other.to_string()),
        }
    }
}

/// Verifies a token string (from the header or a request body).
pub fn verify(
    state: &AppState,
    text: &str,
    now: Timestamp,
    revoked: Revoked,
) -> Result<Caller, Rejected> {
    let token = biscuit::decode(text, &state.0.root.public()).map_err(|_| Rejected::Invalid)?;
    // A token whose claims cannot be read is invalid; an authorizer that failed to run (a limit
    // ran out) is the double's own failure, a 500, never a 401 for a valid key.
    let claims = biscuit::claims(&token).map_err(|error| match error {
        biscuit::DecodeError::Datalog(error) => Rejected::Authorizer(error),
        _ => Rejected::Invalid,
    })?;
    let (record, root) = records(&state.store(), &token, &claims);
    let family_revoked = root.as_ref().is_some_and(|r| r.revoked_at.is_some())
        || record.as_ref().is_some_and(|r| r.revoked_at.is_some());
    if family_revoked && revoked == Revoked::Refuse {
        return Err(Rejected::Revoked);
    }
    if biscuit::expired(&token, now)? {
        return Err(Rejected::Expired);
    }
    Ok(Caller {
        token,
        claims,
        record,
        root,
        now,
    })
}

/// Authenticates the request's Bearer token and notes its use (`last_used`).
pub fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    revoked: Revoked,
) -> Result<Caller, ApiError> {
    let now = crate::state::now();
    let caller = verify(state, bearer(headers)?, now, revoked)?;
    if let Some(record) = &caller.record {
        state.store().touch(&record.id, now);
    }
    Ok(caller)
}

impl Caller {
    /// Authorizes `resource:action` with the Biscuit Authorizer; returns the organization the
    /// request acts as.
    pub fn require(&self, resource: &str, action: &str) -> Result<String, ApiError> {
        biscuit::acting_org_for(&self.token, &self.claims, self.now, resource, action)
            .map_err(ApiError::internal)?
            .ok_or_else(|| {
                ApiError::forbidden(format!(
                    "insufficient permissions: this token lacks {resource}:{action}"
                ))
            })
    }

    pub fn user_id(&self) -> &str {
        &self.claims.user_id
    }

    /// Global admins see every user's tokens.
    pub fn sees_all(&self) -> bool {
        self.claims.admin_global
    }
}
