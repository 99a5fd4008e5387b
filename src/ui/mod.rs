//! Leptos components: they wire signals to the pure modules and hold no logic of their own.
//!
//! Components end in `view! { … }.into_any()`: a component whose view type is erased does not
//! make its parents compile once more per child type (2026-12-03: −2.6 kB gzip in the first
//! screen's module, −10 kB in the app's), in a build with typed views (the embedding library).
//! The page's modules are compiled with Leptos's `erase_components`, which erases every
//! component and attribute (Cargo.toml, "erased"). An erased element re-sets every attribute
//! when it is rebuilt, so the token table does not rebuild its rows: each writes what changed
//! in place (`token_row.rs`).

pub mod add_key;
pub mod api;
pub mod app;
pub mod attenuate;
pub mod autolock;
pub mod base_notice;
pub mod clipboard;
pub mod common;
pub mod confirm;
pub mod error_panel;
pub mod handover;
pub mod idle;

pub mod key_preview;
pub mod keyring_panel;
pub mod messages;
pub mod options;
pub mod panic;
pub mod passkey;
pub mod permissions;
pub mod revoke;
pub mod session;
pub mod settings;
pub mod state;
pub mod token_row;
pub mod tokens;
pub mod unlock;
pub mod unlocked;
pub mod url;

pub use app::Keyring;
pub use options::Options;

use leptos::prelude::*;

/// The standalone page's first screen, with the parts of its module (`handover`: the paste
/// form's or the unlock form's): options from the URL, mounted into `<body>`; the full app
/// follows when the browser is idle.
pub fn mount_standalone(parts: app::Parts) {
    panic::install();
    // A page inside a frame could be dressed up by the framing page (clickjacking, a fake
    // "paste your key here" around it). A `<meta>` CSP cannot forbid framing and a static
    // host may send no `frame-ancestors` header, so this is checked here, before anything
    // that takes input is rendered. Embedding goes through `mount()`, never a frame.
    if is_framed() {
        leptos::mount::mount_to_body(|| view! { <FramedNotice /> });
        return;
    }
    let options = standalone_options();
    let first_screen = leptos::mount::mount_to(leptos::tachys::dom::body(), move || {
        view! { <Keyring options=options parts=parts /> }
    });
    handover::keep_first_screen(Box::new(first_screen));
    handover::prefetch_when_idle();
}

/// The standalone page's options, from its URL.
pub fn standalone_options() -> Options {
    let pairs = url::query_pairs();
    Options::standalone_from_query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// True when this document is not the top-level one. Reading `window.top` is allowed across
/// origins; an error is taken as framed.
fn is_framed() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    match window.top() {
        Ok(Some(top)) => !js_sys::Object::is(&top, &window),
        Ok(None) | Err(_) => true,
    }
}

/// All a framed standalone page shows: no field, no button, only the way out.
#[component]
fn FramedNotice() -> impl IntoView {
    let here = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    view! {
        <div class="fk fk-page" data-foundry-keyring-root="">
            <div class="fk-alert fk-warning" role="alert">
                <p class="fk-alert-title">"Foundry Keyring does not run inside another page"</p>
                <p>"To keep your keys from a page that could dress it up, it only works in a tab of its own. "
                   <a href=here target="_blank" rel="noopener noreferrer">"Open Foundry Keyring in a new tab"</a> "."</p>
            </div>
        </div>
    }
    .into_any()
}
