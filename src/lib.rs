//! Foundry Keyring: hold and manage Foundry API keys in the browser.
//!
//! The crate is a pure core with a thin browser shell:
//! - [`query`]: the list filter/sort grammar (parse, print, evaluate), shared with the local
//!   Foundry double;
//! - [`api`]: the Foundry API models, the error taxonomy and the typed client;
//! - [`vault`]: the encrypted keyring (envelope, storage backends) and, in `vault::agent`, the
//!   key agent: key derivation, its message protocol, the worker that holds the keys;
//! - [`secret`] and [`timestamp`]: small building blocks the others share;
//! - `ui` (feature `web`): the Leptos components; `embed` (feature `embed`): the embedding
//!   surface (its Rust, and the element's JavaScript and types beside it);
//!
//! Without the default `web` feature nothing here touches a browser, so everything is tested
//! natively with `cargo test`.

pub mod api;
pub mod family;
pub mod format;
pub mod keyinfo;
pub mod query;
pub mod restrictions;
pub mod secret;
pub mod strength;
pub mod table;
pub mod timestamp;
pub mod vault;

/// The embedding surface: `mount`, the handle, and (beside this module's Rust) the element's
/// JavaScript and the `.d.ts` files that describe it, in one folder.
#[cfg(feature = "embed")]
pub mod embed;
#[cfg(feature = "web")]
pub mod ui;

/// Every module's allocator in the browser (the first screen, the app, the key agent, the
/// embedding build): Talc in place of Rust's default dlmalloc (7 kB of code in each module;
/// Talc's is under 2 kB: −0.7 kB gzip on the first screen, −2.8 kB on the agent), and faster
/// by Talc's own benchmarks. Single-threaded WebAssembly only, which all of them are.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
