//! Writing to the clipboard through `navigator.clipboard` directly: no copy of what was written
//! is kept in a signal (the new-token dialog copies a secret).

use wasm_bindgen_futures::JsFuture;

/// Fire-and-forget write; a refusal (no focus, no permission) is silent: the text stays on screen.
pub fn write(text: &str) {
    if let Some(window) = web_sys::window() {
        let promise = window.navigator().clipboard().write_text(text);
        leptos::task::spawn_local(async move {
            let _ = JsFuture::from(promise).await;
        });
    }
}

/// Overwrites the clipboard with an empty string (works only while the page has focus).
pub fn clear() {
    write("");
}
