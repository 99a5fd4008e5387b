//! Where the one keyring blob of a namespace lives: a tiny trait and its backends.
//!
//! A backend stores whole blobs only: a save is one write of one complete value (one
//! `localStorage.setItem`), so a failed or interrupted save leaves the previous keyring intact.

use super::namespace::Namespace;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

#[cfg(feature = "web")]
pub mod local;

/// Why storage refused an operation. Messages carry no stored data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum StorageError {
    /// Storage is missing or disabled (private mode, blocked cookies, sandboxed frame).
    #[error("browser storage is unavailable ({0}); keys can only be kept for this session")]
    Unavailable(String),
    /// The origin's storage quota is full; the previous keyring was left untouched.
    #[error("browser storage is full; free some space for this site and save again")]
    QuotaExceeded,
    /// Any other read or write failure.
    #[error("browser storage failed: {0}")]
    Io(String),
}

/// Load, save and remove the keyring blob of one namespace.
pub trait KeyringStorage {
    fn load(&self, namespace: &Namespace) -> Result<Option<String>, StorageError>;
    fn save(&self, namespace: &Namespace, blob: &str) -> Result<(), StorageError>;
    fn remove(&self, namespace: &Namespace) -> Result<(), StorageError>;
}

/// In-memory storage. Clones share the same map, so two clones behave like two tabs of one
/// origin; an optional quota (total bytes of keys and values) simulates a full storage.
#[derive(Clone, Default)]
pub struct MemoryStorage {
    items: Rc<RefCell<HashMap<String, String>>>,
    quota: Option<usize>,
}

impl MemoryStorage {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_quota(bytes: usize) -> Self {
        Self {
            quota: Some(bytes),
            ..Self::default()
        }
    }

    /// Every stored (key, value) pair; for tests and diagnostics.
    pub fn items(&self) -> Vec<(String, String)> {
        self.items
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Writes any value under any key, as other code on the origin could.
    pub fn set_raw(&self, key: &str, value: &str) -> Result<(), StorageError> {
        let mut items = self.items.borrow_mut();
        if let Some(quota) = self.quota {
            let others: usize = items
                .iter()
                .filter(|(k, _)| k.as_str() != key)
                .map(|(k, v)| k.len() + v.len())
                .sum();
            if others + key.len() + value.len() > quota {
                return Err(StorageError::QuotaExceeded);
            }
        }
        items.insert(key.to_owned(), value.to_owned());
        Ok(())
    }
}

impl KeyringStorage for MemoryStorage {
    fn load(&self, namespace: &Namespace) -> Result<Option<String>, StorageError> {
        Ok(self.items.borrow().get(&namespace.storage_key()).cloned())
    }

    fn save(&self, namespace: &Namespace, blob: &str) -> Result<(), StorageError> {
        self.set_raw(&namespace.storage_key(), blob)
    }

    fn remove(&self, namespace: &Namespace) -> Result<(), StorageError> {
        self.items.borrow_mut().remove(&namespace.storage_key());
        Ok(())
    }
}
