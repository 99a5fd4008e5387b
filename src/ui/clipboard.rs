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

use leptos::prelude::{TimeoutHandle, set_timeout_with_handle};
use std::cell::{Cell, RefCell};
use std::time::Duration;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen_futures::JsFuture;

thread_local! {
    /// A secret may still be on the clipboard: the last clear did not go through.
    static PENDING_CLEAR: Cell<bool> = const { Cell::new(false) };
    static WATCHING: Cell<bool> = const { Cell::new(false) };
    /// Numbers the writes in the order they were asked for (their promises settle later).
    static WRITES: Cell<u64> = const { Cell::new(0) };
    /// A secret's copy that waits for its clear. It lives here, not in the view that copied the
    /// secret: closing that view must not wipe a copy the person has not pasted yet.
    static SECRET: RefCell<Option<SecretCopy>> = const { RefCell::new(None) };
}

struct SecretCopy {
    /// The write that put it on the clipboard.
    write: u64,
    timer: Option<TimeoutHandle>,
}

impl SecretCopy {
    fn cancel(self) {
        if let Some(timer) = self.timer {
            timer.clear();
        }
    }
}

fn next_write() -> u64 {
    WRITES.with(|w| {
        w.set(w.get() + 1);
        w.get()
    })
}

/// Fire-and-forget write of text that is no secret (a token id, a request id); a refusal (no
/// focus, no permission) is silent: the text stays on screen. Once it went through, a secret
/// copied before it is off the clipboard, so that secret's clear is dropped: it would wipe
/// this copy instead.
pub fn write(text: &str) {
    let number = next_write();
    write_then(text, move |written| {
        if !written {
            return;
        }
        let replaced = SECRET.with(|s| {
            let mut slot = s.borrow_mut();
            match slot.as_ref() {
                Some(secret) if secret.write < number => slot.take(),
                _ => None,
            }
        });
        if let Some(secret) = replaced {
            secret.cancel();
        }
    });
}

/// Writes a secret, and clears the clipboard `after` that, whatever becomes of the view that
/// copied it. A later copy of a secret starts the wait again.
pub fn write_secret(text: &str, after: Duration) {
    watch_for_return();
    let write = next_write();
    write_then(text, |_| {});
    // The timer clears only the copy it was set for: a later copy has taken its place when the
    // number differs (cancelling the timer is not relied on alone).
    let timer = set_timeout_with_handle(
        move || {
            if SECRET.with(|s| s.borrow().as_ref().is_some_and(|s| s.write == write)) {
                clear();
            }
        },
        after,
    )
    .ok();
    if let Some(previous) = SECRET.with(|s| s.replace(Some(SecretCopy { write, timer }))) {
        previous.cancel();
    }
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

/// Clears the clipboard if a secret's copy is still waiting for its clear ([`write_secret`]).
pub fn clear_secret() {
    if SECRET.with(|s| s.borrow().is_some()) {
        clear();
    }
}

/// Overwrites the clipboard with an empty string. Without focus that fails; it is then tried
/// again when the page is shown or focused again.
pub fn clear() {
    if let Some(secret) = SECRET.with(RefCell::take) {
        secret.cancel();
    }
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
        // A secret's copy also goes when the page is hidden: the clear cannot run until the
        // person is back (no focus), so pasting it in another tab or app still works. A clear
        // left pending runs once the page is shown or focused again (it would fail while
        // hidden).
        let hidden = web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Hidden);
        if hidden {
            clear_secret();
        } else if PENDING_CLEAR.with(Cell::get) {
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
