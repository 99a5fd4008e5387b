//! The standalone page's full app: the keyring with its unlocked view. The first screen
//! (`src/main.rs`) fetches this module when the browser is idle and hands it the unlocked
//! keyring (`ui::handover`); it mounts nothing until then.

use wasm_bindgen::prelude::*;

fn main() {}

/// The first screen's handover (`ui::handover::encode`): an open keyring comes with its key
/// agent and what the first screen knew of it; a shut one, without an agent, with the part to
/// open.
#[wasm_bindgen]
pub fn take_over(worker: Option<web_sys::Worker>, handover: &[u8]) -> Result<(), JsValue> {
    foundry_keyring::ui::handover::take_over(worker, handover)
}
