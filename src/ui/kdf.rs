//! Runs PBKDF2 in the key-derivation worker (src/bin/kdf-worker.rs), so 600,000 iterations never
//! block the page. One worker per derivation: it is started, answers once and is terminated,
//! so no secret-holding worker outlives the call.

use crate::secret::{SecretKey, SecretString};
use crate::vault::{KdfParams, derive_key};
use futures::channel::oneshot;
use js_sys::{Array, Object, Reflect, Uint8Array};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use web_sys::{MessageEvent, Worker};

/// Where Trunk puts the worker's loader, relative to the page.
pub const DEFAULT_WORKER_URL: &str = "./kdf-worker_loader.js";

/// Derives the key in a worker; if no worker can be started (a host page whose CSP forbids
/// workers, say) it derives on this thread instead: slower to paint, never wrong.
pub async fn derive(passphrase: &SecretString, params: &KdfParams, worker_url: &str) -> SecretKey<32> {
    match derive_in_worker(passphrase, params, worker_url).await {
        Ok(key) => key,
        Err(()) => derive_key(passphrase, params),
    }
}

async fn derive_in_worker(passphrase: &SecretString, params: &KdfParams, worker_url: &str) -> Result<SecretKey<32>, ()> {
    let worker = Worker::new(worker_url).map_err(|_| ())?;
    let (sender, receiver) = oneshot::channel::<Result<Uint8Array, ()>>();
    let sender = Rc::new(RefCell::new(Some(sender)));

    let on_message = {
        let sender = sender.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let data = event.data();
            let key = Reflect::get(&data, &JsValue::from_str("key")).ok().and_then(|k| k.dyn_into::<Uint8Array>().ok());
            if let Some(tx) = sender.borrow_mut().take() {
                let _ = tx.send(key.ok_or(()));
            }
        })
    };
    let on_error = {
        let sender = sender.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |_| {
            if let Some(tx) = sender.borrow_mut().take() {
                let _ = tx.send(Err(()));
            }
        })
    };
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));

    let secret = Uint8Array::new_with_length(passphrase.expose_secret().len() as u32);
    secret.copy_from(passphrase.expose_secret().as_bytes());
    let message = Object::new();
    let post = (|| -> Result<(), JsValue> {
        Reflect::set(&message, &JsValue::from_str("id"), &JsValue::from_f64(1.0))?;
        Reflect::set(&message, &JsValue::from_str("passphrase"), &secret)?;
        Reflect::set(&message, &JsValue::from_str("salt"), &Uint8Array::from(&params.salt()[..]))?;
        Reflect::set(&message, &JsValue::from_str("iterations"), &JsValue::from_f64(f64::from(params.iterations())))?;
        // Transferring moves the passphrase buffer out of this thread: no copy stays behind.
        worker.post_message_with_transfer(&message, &Array::of1(&secret.buffer()))
    })();
    if post.is_err() {
        secret.fill(0, 0, secret.length());
        worker.terminate();
        return Err(());
    }
    let answer = receiver.await.map_err(|_| ()).and_then(|r| r);
    worker.terminate();
    drop((on_message, on_error));
    let bytes = answer?;
    let mut key = [0u8; 32];
    if bytes.length() != 32 {
        return Err(());
    }
    bytes.copy_to(&mut key);
    bytes.fill(0, 0, bytes.length());
    Ok(SecretKey::from_array(key))
}
