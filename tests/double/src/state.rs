//! Shared state of a running double: the root key, the store, the demo keys and the switches the
//! control API flips.

use crate::demo::{Demo, DemoKey};
use crate::faults::FaultBook;
use crate::store::Store;
use biscuit_auth::KeyPair;
use foundry_keyring::timestamp::Timestamp;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

/// Which published variant of the API the double plays. See `tests/double/README.md` for the
/// table of what each one answers.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Variant {
    /// The seed reference pages: the "List tokens" shape (status, created_by, last_used,
    /// user_id) with `filter`/`sort`; an admin sees their own tokens unless the filter names
    /// another user with `eq(user_id,<uuid>)`.
    Seed,
    /// The April 2026 document and older pages: lineage list, attenuate answers `{token}`,
    /// revoke has no `children_revoked`, error bodies are `{error}` alone.
    April,
    /// The July 2026 document: lineage list, `{id, token}`, full revoke answer, the envelope.
    July,
    /// July plus `payment_policy` in the attenuation spec (the September 2026 reference).
    September,
}

impl Variant {
    pub const ALL: [Variant; 4] = [
        Variant::Seed,
        Variant::April,
        Variant::July,
        Variant::September,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Variant::Seed => "seed",
            Variant::April => "april",
            Variant::July => "july",
            Variant::September => "september",
        }
    }

    /// The token list in the lineage shape (kind, parent/root ids, attenuation_spec).
    pub fn lineage(self) -> bool {
        self != Variant::Seed
    }

    /// `GET /tokens` reads `filter` and `sort` (the seed page); the dated documents take only
    /// `limit`/`offset` and ignore the rest.
    pub fn reads_filter_sort(self) -> bool {
        self == Variant::Seed
    }

    /// Global admins list every user's tokens without asking (the dated documents: "Admins with
    /// global scope see all tokens across all users"). In the seed variant they see their own
    /// unless the filter names another user.
    pub fn admin_sees_all(self) -> bool {
        self != Variant::Seed
    }

    /// Attenuate answers `{id, token}` (April: `{token}` alone).
    pub fn attenuate_has_id(self) -> bool {
        self != Variant::April
    }

    /// Revoke answers with `children_revoked` (April: without).
    pub fn revoke_has_children(self) -> bool {
        self != Variant::April
    }

    /// `payment_policy` is part of the attenuation spec: stored, listed, inherited, enforced.
    pub fn payment_policy(self) -> bool {
        self == Variant::September
    }

    /// The error body this variant writes on its own.
    pub fn error_form(self) -> ErrorForm {
        match self {
            Variant::April => ErrorForm::Error,
            _ => ErrorForm::Envelope,
        }
    }

    fn to_u8(self) -> u8 {
        match self {
            Variant::Seed => 0,
            Variant::April => 1,
            Variant::July => 2,
            Variant::September => 3,
        }
    }

    fn from_u8(n: u8) -> Self {
        match n {
            1 => Variant::April,
            2 => Variant::July,
            3 => Variant::September,
            _ => Variant::Seed,
        }
    }
}

/// The body of every 4xx/5xx. Clients meet more forms than the dated documents show.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ErrorBodyChoice {
    /// The variant's own form (April: `error`; the others: `envelope`).
    Auto,
    /// `{"error", "request_id"}`, whatever the variant.
    Envelope,
    /// `{"error"}` alone.
    Error,
    /// `{"message", "request_id"}`.
    Message,
    /// `{"detail", "request_id"}` (FastAPI style).
    Detail,
    /// `text/plain` with the message alone (what a proxy sends).
    Text,
}

/// An error body form, once `auto` is resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorForm {
    /// `{"error": "…", "request_id": "req_…"}` (the July document).
    Envelope,
    /// `{"error": "…"}` (the April document: the id only in the header).
    Error,
    /// `{"message": "…", "request_id": "req_…"}`.
    Message,
    /// `{"detail": "…", "request_id": "req_…"}` (FastAPI style).
    Detail,
    /// `text/plain; charset=utf-8` with the message alone (what a proxy in front sends).
    Text,
}

impl ErrorBodyChoice {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorBodyChoice::Auto => "auto",
            ErrorBodyChoice::Envelope => "envelope",
            ErrorBodyChoice::Error => "error",
            ErrorBodyChoice::Message => "message",
            ErrorBodyChoice::Detail => "detail",
            ErrorBodyChoice::Text => "text",
        }
    }

    /// The form in force under `variant`.
    pub fn resolve(self, variant: Variant) -> ErrorForm {
        match self {
            ErrorBodyChoice::Auto => variant.error_form(),
            ErrorBodyChoice::Envelope => ErrorForm::Envelope,
            ErrorBodyChoice::Error => ErrorForm::Error,
            ErrorBodyChoice::Message => ErrorForm::Message,
            ErrorBodyChoice::Detail => ErrorForm::Detail,
            ErrorBodyChoice::Text => ErrorForm::Text,
        }
    }

    fn to_u8(self) -> u8 {
        match self {
            ErrorBodyChoice::Auto => 0,
            ErrorBodyChoice::Envelope => 1,
            ErrorBodyChoice::Error => 2,
            ErrorBodyChoice::Message => 3,
            ErrorBodyChoice::Detail => 4,
            ErrorBodyChoice::Text => 5,
        }
    }

    fn from_u8(n: u8) -> Self {
        match n {
            1 => ErrorBodyChoice::Envelope,
            2 => ErrorBodyChoice::Error,
            3 => ErrorBodyChoice::Message,
            4 => ErrorBodyChoice::Detail,
            5 => ErrorBodyChoice::Text,
            _ => ErrorBodyChoice::Auto,
        }
    }
}

/// Options a double is built with.
#[derive(Debug, Clone)]
pub struct Config {
    pub variant: Variant,
    pub error_body: ErrorBodyChoice,
    pub cors_allowed: bool,
    pub seed: u64,
}

impl Config {
    /// `variant`, the variant's own error body, CORS allowed, seed 1.
    pub fn new(variant: Variant) -> Self {
        Self {
            variant,
            error_body: ErrorBodyChoice::Auto,
            cors_allowed: true,
            seed: 1,
        }
    }
}

pub struct Inner {
    pub root: KeyPair,
    pub config: Config,
    pub store: Mutex<Store>,
    /// The store as generated, for `POST /__control/reset`: the demo keys stay valid because
    /// their records come back with the same ids.
    pub initial: Store,
    pub keys: Vec<DemoKey>,
    pub cors_allowed: AtomicBool,
    /// The variant in force: `config.variant` until `POST /__control/variant` switches it.
    variant: AtomicU8,
    /// The error body choice in force: `config.error_body` until `POST /__control/error-body`.
    error_body: AtomicU8,
    pub faults: FaultBook,
    pub openapi: serde_json::Value,
}

#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

impl AppState {
    pub fn new(root: KeyPair, config: Config, demo: Demo) -> Self {
        let cors = config.cors_allowed;
        let variant = config.variant.to_u8();
        let error_body = config.error_body.to_u8();
        Self(Arc::new(Inner {
            root,
            config,
            store: Mutex::new(demo.store.clone()),
            initial: demo.store,
            keys: demo.keys,
            cors_allowed: AtomicBool::new(cors),
            variant: AtomicU8::new(variant),
            error_body: AtomicU8::new(error_body),
            faults: FaultBook::default(),
            openapi: crate::openapi::document(),
        }))
    }

    /// The store, also after a panic in another request (there are none outside tests, and
    /// the rows stay consistent: every mutation is a single assignment).
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.0
            .store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn cors_allowed(&self) -> bool {
        self.0.cors_allowed.load(Ordering::Relaxed)
    }

    pub fn set_cors_allowed(&self, allow: bool) {
        self.0.cors_allowed.store(allow, Ordering::Relaxed);
    }

    pub fn variant(&self) -> Variant {
        Variant::from_u8(self.0.variant.load(Ordering::Relaxed))
    }

    pub fn set_variant(&self, variant: Variant) {
        self.0.variant.store(variant.to_u8(), Ordering::Relaxed);
    }

    pub fn error_body(&self) -> ErrorBodyChoice {
        ErrorBodyChoice::from_u8(self.0.error_body.load(Ordering::Relaxed))
    }

    pub fn set_error_body(&self, choice: ErrorBodyChoice) {
        self.0.error_body.store(choice.to_u8(), Ordering::Relaxed);
    }

    /// The error body form in force now.
    pub fn error_form(&self) -> ErrorForm {
        self.error_body().resolve(self.variant())
    }

    /// Restores the demo data, the CORS switch, the variant, the error body and an empty fault
    /// list.
    pub fn reset(&self) {
        *self.store() = self.0.initial.clone();
        self.set_cors_allowed(self.0.config.cors_allowed);
        self.set_variant(self.0.config.variant);
        self.set_error_body(self.0.config.error_body);
        self.0.faults.clear();
    }
}

pub fn now() -> Timestamp {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Timestamp::from_unix(i64::try_from(secs).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switch_encodings_round_trip() {
        for variant in Variant::ALL {
            assert_eq!(Variant::from_u8(variant.to_u8()), variant);
        }
        for choice in [
            ErrorBodyChoice::Auto,
            ErrorBodyChoice::Envelope,
            ErrorBodyChoice::Error,
            ErrorBodyChoice::Message,
            ErrorBodyChoice::Detail,
            ErrorBodyChoice::Text,
        ] {
            assert_eq!(ErrorBodyChoice::from_u8(choice.to_u8()), choice);
        }
        assert_eq!(
            ErrorBodyChoice::Auto.resolve(Variant::April),
            ErrorForm::Error
        );
        assert_eq!(
            ErrorBodyChoice::Auto.resolve(Variant::July),
            ErrorForm::Envelope
        );
        assert_eq!(
            ErrorBodyChoice::Text.resolve(Variant::April),
            ErrorForm::Text
        );
    }
}
