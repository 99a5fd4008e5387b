//! The double's "database": organizations, users and token records (roots and attenuated).
//!
//! Records are plain rows; only the demo keys handed out are real Biscuits. A token presented
//! on a request is matched to its record by the root's `token_id` fact (roots) or by the last
//! revocation identifier of its Biscuit (attenuated tokens minted by `/tokens/attenuate`).

use foundry_keyring::api::models::{AttenuationSpec, TokenKind, TokenStatus};
use foundry_keyring::timestamp::Timestamp;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Org {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub name: String,
    /// `(org id, role)`.
    pub memberships: Vec<(String, String)>,
}

/// One token record: a root (`api_tokens`) or an attenuated token (`attenuated_tokens`).
#[derive(Debug, Clone, PartialEq)]
pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub kind: TokenKind,
    /// Roots only: `admin`, `user`, `admin_impersonating`, `multi_org`.
    pub token_type: Option<String>,
    /// The user who owns the family (who created the token).
    pub created_by: String,
    pub created_at: Timestamp,
    /// Effective expiry: for an attenuated token the earlier of its own and its parent's.
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub last_used: Option<Timestamp>,
    pub parent_token_id: Option<String>,
    pub root_token_id: Option<String>,
    pub attenuation_spec: Option<AttenuationSpec>,
    /// Hex of the minted Biscuit's last revocation identifier, for attenuated tokens that exist
    /// as real Biscuits.
    pub revocation_id: Option<String>,
}

impl TokenRow {
    /// Derived at request time, as the published text says: revoked, else expired, else active.
    pub fn status(&self, now: Timestamp) -> TokenStatus {
        TokenStatus::derive(self.revoked_at, self.expires_at, now)
    }

    /// The family root's id (a root is its own).
    pub fn family(&self) -> &str {
        self.root_token_id.as_deref().unwrap_or(&self.id)
    }
}

/// The outcome of revoking a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revocation {
    pub revoked_at: Timestamp,
    pub children_revoked: u64,
}

#[derive(Debug, Clone, Default)]
pub struct Store {
    pub orgs: Vec<Org>,
    pub users: Vec<User>,
    tokens: Vec<TokenRow>,
    by_id: HashMap<String, usize>,
    by_revocation_id: HashMap<String, usize>,
    /// Indexes into `tokens` in the list's default order, newest first (`created_at`, then the
    /// id, both descending: ids are UUID v7, and a child attenuated in the same second as its
    /// parent lists first). A page without a sort is then a walk along it, not a sort of every
    /// row under the store's lock. `order_ready` is false after inserts that did not come
    /// newest (the demo data), until the list next asks.
    order: Vec<usize>,
    order_ready: bool,
}

/// A row's place in the default order (greater lists first).
fn list_key(row: &TokenRow) -> (Timestamp, &str) {
    (row.created_at, row.id.as_str())
}

impl Store {
    pub fn new(orgs: Vec<Org>, users: Vec<User>) -> Self {
        Self {
            orgs,
            users,
            ..Self::default()
        }
    }

    pub fn insert(&mut self, row: TokenRow) {
        let index = self.tokens.len();
        self.by_id.insert(row.id.clone(), index);
        if let Some(rid) = &row.revocation_id {
            self.by_revocation_id.insert(rid.clone(), index);
        }
        // A token made now is the newest: it goes first and the order stays ready.
        let newest = self
            .order
            .first()
            .and_then(|&first| self.tokens.get(first))
            .is_none_or(|first| list_key(&row) > list_key(first));
        self.tokens.push(row);
        if self.order_ready && newest {
            self.order.insert(0, index);
        } else {
            self.order.push(index);
            self.order_ready = false;
        }
    }

    /// Every row, in insertion order.
    pub fn tokens(&self) -> &[TokenRow] {
        &self.tokens
    }

    /// Every row in the list's default order, newest first.
    pub fn in_list_order(&mut self) -> impl Iterator<Item = &TokenRow> {
        if !self.order_ready {
            let tokens = &self.tokens;
            self.order.sort_unstable_by(|&a, &b| {
                tokens
                    .get(b)
                    .map(list_key)
                    .cmp(&tokens.get(a).map(list_key))
            });
            self.order_ready = true;
        }
        self.order.iter().filter_map(|&i| self.tokens.get(i))
    }

    pub fn get(&self, id: &str) -> Option<&TokenRow> {
        self.by_id.get(id).and_then(|&i| self.tokens.get(i))
    }

    pub fn by_revocation_id(&self, rid: &str) -> Option<&TokenRow> {
        self.by_revocation_id
            .get(rid)
            .and_then(|&i| self.tokens.get(i))
    }

    pub fn org(&self, id: &str) -> Option<&Org> {
        self.orgs.iter().find(|o| o.id == id)
    }

    pub fn touch(&mut self, id: &str, now: Timestamp) {
        if let Some(row) = self.by_id.get(id).and_then(|&i| self.tokens.get_mut(i)) {
            row.last_used = Some(now);
        }
    }

    /// Revokes a root and every attenuated descendant. Idempotent: an already revoked root keeps
    /// its first `revoked_at` and no child counts as newly revoked. `None`: no such root.
    pub fn revoke_family(&mut self, root_id: &str, now: Timestamp) -> Option<Revocation> {
        let root_index = *self.by_id.get(root_id)?;
        let root = self.tokens.get_mut(root_index)?;
        if let Some(revoked_at) = root.revoked_at {
            return Some(Revocation {
                revoked_at,
                children_revoked: 0,
            });
        }
        root.revoked_at = Some(now);
        let mut children_revoked = 0;
        for row in &mut self.tokens {
            if row.root_token_id.as_deref() == Some(root_id) && row.revoked_at.is_none() {
                row.revoked_at = Some(now);
                children_revoked += 1;
            }
        }
        Some(Revocation {
            revoked_at: now,
            children_revoked,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, root: Option<&str>) -> TokenRow {
        TokenRow {
            id: id.into(),
            name: id.into(),
            kind: if root.is_some() {
                TokenKind::Attenuated
            } else {
                TokenKind::Root
            },
            token_type: None,
            created_by: "u".into(),
            created_at: Timestamp::from_unix(0),
            expires_at: None,
            revoked_at: None,
            last_used: None,
            parent_token_id: root.map(Into::into),
            root_token_id: root.map(Into::into),
            attenuation_spec: None,
            revocation_id: None,
        }
    }

    #[test]
    fn revoking_a_family_is_idempotent() {
        let mut store = Store::default();
        for r in [
            row("r", None),
            row("a", Some("r")),
            row("b", Some("r")),
            row("x", Some("other")),
        ] {
            store.insert(r);
        }
        let first = store.revoke_family("r", Timestamp::from_unix(100)).unwrap();
        assert_eq!(
            first,
            Revocation {
                revoked_at: Timestamp::from_unix(100),
                children_revoked: 2
            }
        );
        let again = store.revoke_family("r", Timestamp::from_unix(200)).unwrap();
        assert_eq!(
            again,
            Revocation {
                revoked_at: Timestamp::from_unix(100),
                children_revoked: 0
            }
        );
        assert_eq!(store.get("x").unwrap().revoked_at, None);
        assert_eq!(
            store.get("a").unwrap().status(Timestamp::from_unix(300)),
            TokenStatus::Revoked
        );
        assert!(
            store
                .revoke_family("a", Timestamp::from_unix(300))
                .is_some_and(|r| r.children_revoked == 0)
        );
        assert!(
            store
                .revoke_family("nope", Timestamp::from_unix(300))
                .is_none()
        );
    }

    #[test]
    fn the_list_order_is_newest_first_whatever_the_order_of_inserts() {
        let at = |id: &str, secs: i64| TokenRow {
            created_at: Timestamp::from_unix(secs),
            ..row(id, None)
        };
        let mut store = Store::default();
        // The demo data comes in any order; a tie on created_at lists the greater id first.
        for (id, secs) in [("b", 20), ("a", 30), ("d", 10), ("c", 20)] {
            store.insert(at(id, secs));
        }
        let ids = |store: &mut Store| -> Vec<String> {
            store.in_list_order().map(|r| r.id.clone()).collect()
        };
        assert_eq!(ids(&mut store), ["a", "c", "b", "d"]);
        // A token made now goes first; one dated earlier takes its place.
        store.insert(at("e", 40));
        assert_eq!(ids(&mut store), ["e", "a", "c", "b", "d"]);
        store.insert(at("f", 15));
        assert_eq!(ids(&mut store), ["e", "a", "c", "b", "f", "d"]);
    }
}
