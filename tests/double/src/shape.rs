//! The two published token shapes (seed, lineage), with exactly their field sets. Optional fields are written
//! as explicit nulls, as a serializer of the published schema would: the shared
//! [`foundry_keyring::api::models::Token`] skips `None`, which suits a client, not a server.

use crate::store::TokenRow;
use foundry_keyring::api::models::{TokenKind, TokenStatus};
use foundry_keyring::timestamp::Timestamp;
use serde::Serialize;

/// An item of the seed "List tokens" page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeedToken {
    pub id: String,
    pub name: String,
    pub status: TokenStatus,
    /// A root's type; `attenuated` for attenuated tokens (the seed page has no `kind`).
    pub token_type: String,
    pub created_at: Timestamp,
    pub created_by: String,
    pub expires_at: Option<Timestamp>,
    pub last_used: Option<Timestamp>,
    /// The owner's user uuid (newer seed pages): what an admin filters on with
    /// `eq(user_id,<uuid>)` to see another user's tokens.
    pub user_id: String,
}

/// An item of the April/July/September 2026 `list_tokens` response.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineageToken {
    pub id: String,
    pub name: String,
    pub kind: TokenKind,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub parent_token_id: Option<String>,
    pub root_token_id: Option<String>,
    pub token_type: Option<String>,
    pub attenuation_spec: Option<serde_json::Value>,
}

/// The seed shape's `token_type` of a row (also what the list filter sees).
pub fn seed_token_type(row: &TokenRow) -> String {
    match row.kind {
        TokenKind::Attenuated => "attenuated".to_owned(),
        // The double mints roots and attenuated tokens only.
        TokenKind::Root | TokenKind::Other(_) => {
            row.token_type.clone().unwrap_or_else(|| "user".to_owned())
        }
    }
}

pub fn seed(row: &TokenRow, now: Timestamp) -> SeedToken {
    SeedToken {
        id: row.id.clone(),
        name: row.name.clone(),
        status: row.status(now),
        token_type: seed_token_type(row),
        created_at: row.created_at,
        created_by: row.created_by.clone(),
        expires_at: row.expires_at,
        last_used: row.last_used,
        user_id: row.created_by.clone(),
    }
}

/// The lineage item of `row`. `payment_policy` is listed inside `attenuation_spec` only when
/// the variant knows it (September); before that the field did not exist.
pub fn lineage(row: &TokenRow, with_payment_policy: bool) -> LineageToken {
    LineageToken {
        id: row.id.clone(),
        name: row.name.clone(),
        kind: row.kind.clone(),
        created_at: row.created_at,
        expires_at: row.expires_at,
        revoked_at: row.revoked_at,
        parent_token_id: row.parent_token_id.clone(),
        root_token_id: row.root_token_id.clone(),
        token_type: match row.kind {
            TokenKind::Attenuated => None,
            TokenKind::Root | TokenKind::Other(_) => row.token_type.clone(),
        },
        attenuation_spec: row.attenuation_spec.as_ref().and_then(|spec| {
            if with_payment_policy || spec.payment_policy.is_none() {
                serde_json::to_value(spec).ok()
            } else {
                let mut older = spec.clone();
                older.payment_policy = None;
                serde_json::to_value(older).ok()
            }
        }),
    }
}
