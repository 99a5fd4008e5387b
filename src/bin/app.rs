//! The standalone page's full app: the keyring with its unlocked view. The first screen
//! (`src/main.rs`) fetches this module when the browser is idle and hands it the unlocked
//! keyring (`ui::handover`); it mounts nothing until then.

use wasm_bindgen::prelude::*;

fn main() {}

/// The first screen's handover: the key agent, open, and what it knew of the keyring (JSON).
#[wasm_bindgen]
pub fn take_over(worker: web_sys::Worker, handover: &str) -> Result<(), JsValue> {
    foundry_keyring::ui::handover::take_over(worker, handover)
}
