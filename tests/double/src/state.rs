//! Shared state of a running double: the root key, the store, the demo keys and the switches the
//! control API flips.

use crate::demo::{Demo, DemoKey};
use crate::faults::FaultBook;
use crate::store::Store;
use biscuit_auth::KeyPair;
use foundry_keyring::timestamp::Timestamp;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

/// Which of the two published token shapes `GET /api/v1/tokens` returns.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    /// The "List tokens" reference page: status, created_by, last_used; takes filter and sort.
    Seed,
    /// The July 2026 OpenAPI document: kind and lineage fields; takes only limit and offset.
    Lineage,
}

/// Options a double is built with.
#[derive(Debug, Clone)]
pub struct Config {
    pub shape: Shape,
    pub cors_allowed: bool,
    pub seed: u64,
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
    /// The shape in force: `config.shape` until `POST /__control/shape` switches it.
    pub lineage_shape: AtomicBool,
    pub faults: FaultBook,
    pub openapi: serde_json::Value,
}

#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

impl AppState {
    pub fn new(root: KeyPair, config: Config, demo: Demo) -> Self {
        let cors = config.cors_allowed;
        let lineage = config.shape == Shape::Lineage;
        Self(Arc::new(Inner {
            root,
            config,
            store: Mutex::new(demo.store.clone()),
            initial: demo.store,
            keys: demo.keys,
            cors_allowed: AtomicBool::new(cors),
            lineage_shape: AtomicBool::new(lineage),
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

    pub fn shape(&self) -> Shape {
        if self.0.lineage_shape.load(Ordering::Relaxed) {
            Shape::Lineage
        } else {
            Shape::Seed
        }
    }

    pub fn set_shape(&self, shape: Shape) {
        self.0
            .lineage_shape
            .store(shape == Shape::Lineage, Ordering::Relaxed);
    }

    /// Restores the demo data, the CORS switch, the shape and an empty fault list.
    pub fn reset(&self) {
        *self.store() = self.0.initial.clone();
        self.set_cors_allowed(self.0.config.cors_allowed);
        self.set_shape(self.0.config.shape);
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
