//! Leptos components: they wire signals to the pure modules and hold no logic of their own.

pub mod add_key;
pub mod api;
pub mod app;
pub mod attenuate;
pub mod clipboard;
pub mod error_panel;
pub mod autolock;
pub mod common;
pub mod confirm;
#[cfg(feature = "embed")]
pub mod embed;
pub mod kdf;
pub mod key_preview;
pub mod keyring_panel;
pub mod messages;
pub mod options;
pub mod panic;
pub mod revoke;
pub mod session;
pub mod settings;
pub mod state;
pub mod unlock;
pub mod unlocked;
pub mod tokens;
pub mod url;

pub use app::Keyring;
pub use options::Options;

use leptos::prelude::*;

/// The standalone page: options from the URL, mounted into `<body>`.
pub fn mount_standalone() {
    panic::install();
    let pairs = url::query_pairs();
    let options = Options::standalone_from_query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    leptos::mount::mount_to_body(move || view! { <Keyring options=options /> });
}
