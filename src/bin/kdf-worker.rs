//! The key-derivation worker: PBKDF2-HMAC-SHA256 off the main thread.
//!
//! 600,000 iterations take a few hundred milliseconds; on the page's thread that would freeze
//! typing, painting and the progress indicator. Trunk builds this binary as a classic Web Worker
//! (`data-type="worker"`). It derives with the browser's WebCrypto where the context has it
//! (native code, about 4x faster than the WASM build of the `pbkdf2` crate) and with the Rust
//! implementation otherwise; both give the same key. Protocol, one message each way:
//! first `{ ready: true }` once the worker can take a job (its WASM instantiates asynchronously,
//! and a message posted before the handler exists would be lost), then
//! in  `{ id, passphrase: Uint8Array, salt: Uint8Array, iterations }` (buffers transferred),
//! out `{ id, key: Uint8Array, engine: "webcrypto" | "wasm" }` or `{ id, error: string }`.
//! A job may ask for `engine: "wasm"`, the Rust fallback, so the bench can measure it.
//! The passphrase bytes are wiped here as soon as they are read.

#[cfg(target_arch = "wasm32")]
mod worker {
    use foundry_keyring::secret::{SecretKey, SecretString};
    use foundry_keyring::vault::{KdfParams, SALT_LEN};
    use foundry_keyring::webcrypto::{self, KdfEngine};
    use js_sys::{Object, Reflect, Uint8Array};
    use wasm_bindgen::{JsCast, JsValue, closure::Closure};
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};
    use zeroize::Zeroize;

    fn field(obj: &JsValue, name: &str) -> Result<JsValue, String> {
        Reflect::get(obj, &JsValue::from_str(name)).map_err(|_| format!("missing {name}"))
    }

    /// Reads a job, wiping the transferred passphrase buffer whatever happens.
    fn read_job(data: &JsValue) -> Result<(SecretString, KdfParams), String> {
        let passphrase: Uint8Array = field(data, "passphrase")?
            .dyn_into()
            .map_err(|_| "passphrase is not bytes")?;
        let mut bytes = passphrase.to_vec();
        passphrase.fill(0, 0, passphrase.length());
        let text = String::from_utf8(std::mem::take(&mut bytes)).map_err(|e| {
            let mut raw = e.into_bytes();
            raw.zeroize();
            "passphrase is not UTF-8".to_owned()
        })?;
        let passphrase = SecretString::new(text);
        let salt: Uint8Array = field(data, "salt")?
            .dyn_into()
            .map_err(|_| "salt is not bytes")?;
        let iterations = field(data, "iterations")?
            .as_f64()
            .ok_or("iterations is not a number")?;
        let salt: [u8; SALT_LEN] = salt
            .to_vec()
            .try_into()
            .map_err(|_| "salt must be 16 bytes")?;
        let params = KdfParams::new(salt, iterations as u32).map_err(|e| e.to_string())?;
        Ok((passphrase, params))
    }

    async fn derive(data: &JsValue) -> Result<(SecretKey<32>, KdfEngine), String> {
        let (passphrase, params) = read_job(data)?;
        let wasm_only = field(data, "engine")
            .ok()
            .and_then(|e| e.as_string())
            .as_deref()
            == Some("wasm");
        Ok(webcrypto::derive_key_or_fallback(&passphrase, &params, !wasm_only).await)
    }

    fn reply(
        scope: &DedicatedWorkerGlobalScope,
        id: &JsValue,
        result: Result<(SecretKey<32>, KdfEngine), String>,
    ) {
        let message = Object::new();
        let _ = Reflect::set(&message, &JsValue::from_str("id"), id);
        let transfer = js_sys::Array::new();
        match result {
            Ok((key, engine)) => {
                let key = Uint8Array::from(&key.expose_secret()[..]);
                transfer.push(&key.buffer());
                let _ = Reflect::set(&message, &JsValue::from_str("key"), &key);
                let _ = Reflect::set(
                    &message,
                    &JsValue::from_str("engine"),
                    &JsValue::from_str(engine.as_str()),
                );
            }
            Err(error) => {
                let _ = Reflect::set(
                    &message,
                    &JsValue::from_str("error"),
                    &JsValue::from_str(&error),
                );
            }
        }
        // Transferring moves the key's buffer to the page: no copy stays in this worker.
        let _ = scope.post_message_with_transfer(&message, &transfer);
    }

    pub fn start() {
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        let reply_scope = scope.clone();
        let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
            let data = event.data();
            let id = field(&data, "id").unwrap_or(JsValue::NULL);
            let scope = reply_scope.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let result = derive(&data).await;
                reply(&scope, &id, result);
            });
        });
        scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // The handler lives as long as the worker.
        on_message.forget();
        let ready = Object::new();
        let _ = Reflect::set(&ready, &JsValue::from_str("ready"), &JsValue::TRUE);
        let _ = scope.post_message(&ready);
    }
}

fn main() {
    #[cfg(target_arch = "wasm32")]
    worker::start();
}
