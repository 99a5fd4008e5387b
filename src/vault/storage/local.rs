//! `window.localStorage` backend and the cross-tab `storage` event subscription.
//!
//! localStorage is synchronous and per origin; one `setItem` replaces a whole value, which
//! is what keeps a save all-or-nothing. Other tabs learn about a save through the `storage`
//! event (never fired in the tab that wrote), which [`subscribe_keyring_changes`] exposes.

use super::{KeyringStorage, StorageError};
use crate::vault::namespace::Namespace;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

/// The origin's localStorage.
pub struct LocalStorage {
    storage: web_sys::Storage,
}

impl LocalStorage {
    /// Fails with `Unavailable` when there is no window, or storage is disabled or blocked
    /// (the getter itself throws a SecurityError then).
    pub fn open() -> Result<Self, StorageError> {
        let window =
            web_sys::window().ok_or_else(|| StorageError::Unavailable("no window".to_owned()))?;
        match window.local_storage() {
            Ok(Some(storage)) => Ok(Self { storage }),
            Ok(None) => Err(StorageError::Unavailable(
                "localStorage is missing".to_owned(),
            )),
            Err(err) => Err(StorageError::Unavailable(describe(&err))),
        }
    }

    pub fn from_storage(storage: web_sys::Storage) -> Self {
        Self { storage }
    }
}

impl KeyringStorage for LocalStorage {
    fn load(&self, namespace: &Namespace) -> Result<Option<String>, StorageError> {
        self.storage
            .get_item(&namespace.storage_key())
            .map_err(|e| map_error(&e))
    }

    fn save(&self, namespace: &Namespace, blob: &str) -> Result<(), StorageError> {
        self.storage
            .set_item(&namespace.storage_key(), blob)
            .map_err(|e| map_error(&e))
    }

    fn remove(&self, namespace: &Namespace) -> Result<(), StorageError> {
        self.storage
            .remove_item(&namespace.storage_key())
            .map_err(|e| map_error(&e))
    }
}

fn map_error(err: &wasm_bindgen::JsValue) -> StorageError {
    match err.dyn_ref::<web_sys::DomException>() {
        // Chromium and WebKit say QuotaExceededError; old Firefox NS_ERROR_DOM_QUOTA_REACHED.
        Some(dom)
            if matches!(
                dom.name().as_str(),
                "QuotaExceededError" | "NS_ERROR_DOM_QUOTA_REACHED"
            ) =>
        {
            StorageError::QuotaExceeded
        }
        Some(dom) if dom.name() == "SecurityError" => StorageError::Unavailable(dom.message()),
        _ => StorageError::Io(describe(err)),
    }
}

fn describe(err: &wasm_bindgen::JsValue) -> String {
    match err.dyn_ref::<web_sys::DomException>() {
        Some(dom) => format!("{}: {}", dom.name(), dom.message()),
        None => err
            .as_string()
            .unwrap_or_else(|| "unknown error".to_owned()),
    }
}

/// Calls `on_change` whenever another tab changes or clears this namespace's keyring.
/// Dropping the returned guard removes the listener.
pub fn subscribe_keyring_changes(
    namespace: &Namespace,
    mut on_change: impl FnMut() + 'static,
) -> Result<StorageSubscription, StorageError> {
    let window =
        web_sys::window().ok_or_else(|| StorageError::Unavailable("no window".to_owned()))?;
    let key = namespace.storage_key();
    let closure =
        Closure::<dyn FnMut(web_sys::StorageEvent)>::new(move |event: web_sys::StorageEvent| {
            // `key` is null when another tab called localStorage.clear().
            if event.key().is_none_or(|k| k == key) {
                on_change();
            }
        });
    window
        .add_event_listener_with_callback("storage", closure.as_ref().unchecked_ref())
        .map_err(|e| StorageError::Io(describe(&e)))?;
    Ok(StorageSubscription { window, closure })
}

/// Keeps a `storage` listener alive; removes it on drop.
pub struct StorageSubscription {
    window: web_sys::Window,
    closure: Closure<dyn FnMut(web_sys::StorageEvent)>,
}

impl Drop for StorageSubscription {
    fn drop(&mut self) {
        // Nothing useful to do if removal fails: the closure is freed either way.
        let _ = self
            .window
            .remove_event_listener_with_callback("storage", self.closure.as_ref().unchecked_ref());
    }
}
