//! Writing to the clipboard through `navigator.clipboard` directly: no copy of what was written
//! is kept in a signal (the new-token dialog copies a secret).
//!
//! What the browser allows: `writeText` works only while the document has focus (Chromium
//! refuses with "Document is not focused" otherwise; no permission prompt is involved for
//! writing). So a clear asked for when the page is hidden, or when a timer fires in a
//! background tab, fails exactly when it matters. A failed clear is therefore remembered and
//! tried again as soon as the page is visible or focused again. What no page can do: clear
//! the clipboard while it has no focus, or know whether the person has since copied something
//! else (reading it needs a permission prompt), so a clear on return may wipe their own copy.

use std::cell::Cell;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen_futures::JsFuture;

thread_local! {
    /// A secret may still be on the clipboard: the last clear did not go through.
    static PENDING_CLEAR: Cell<bool> = const { Cell::new(false) };
    static WATCHING: Cell<bool> = const { Cell::new(false) };
}

/// Fire-and-forget write; a refusal (no focus, no permission) is silent: the text stays on screen.
pub fn write(text: &str) {
    write_then(text, |_| {});
}

fn write_then(text: &str, done: impl FnOnce(bool) + 'static) {
    let Some(window) = web_sys::window() else {
        return done(false);
    };
    let promise = window.navigator().clipboard().write_text(text);
    leptos::task::spawn_local(async move {
        done(JsFuture::from(promise).await.is_ok());
    });
}

/// Overwrites the clipboard with an empty string. Without focus that fails; it is then tried
/// again when the page is shown or focused again.
pub fn clear() {
    PENDING_CLEAR.with(|p| p.set(true));
    watch_for_return();
    if has_focus() {
        write_then("", |ok| {
            if ok {
                PENDING_CLEAR.with(|p| p.set(false));
            }
        });
    }
}

fn has_focus() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.has_focus().ok())
        .unwrap_or(false)
}

/// Once per page: on `focus` and on `visibilitychange` to visible, a pending clear runs.
fn watch_for_return() {
    if WATCHING.with(|w| w.replace(true)) {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let retry = Closure::<dyn FnMut()>::new(|| {
        if PENDING_CLEAR.with(Cell::get) {
            clear();
        }
    });
    let _ = window.add_event_listener_with_callback("focus", retry.as_ref().unchecked_ref());
    if let Some(document) = window.document() {
        let _ = document
            .add_event_listener_with_callback("visibilitychange", retry.as_ref().unchecked_ref());
    }
    // Lives as long as the page: a pending clear must outlive the dialog that asked for it.
    retry.forget();
}
