//! The key agent: a Web Worker that holds the open keyring and makes every request that
//! carries a key (`src/vault/agent`). Trunk builds it as a classic worker
//! (`data-type="worker"`). The protocol is in `vault/agent/protocol.rs`: the page posts
//! `{ id, op, secrets, payload }`, the agent answers `{ id, reply, payload }`, and says
//! `{ ready: true, build }` first, once its handler exists.

#[cfg(target_arch = "wasm32")]
mod worker {
    use foundry_keyring::secret::SecretBytes;
    use foundry_keyring::vault::VaultError;
    use foundry_keyring::vault::agent::protocol::{self, Answer, Reply};
    use foundry_keyring::vault::agent::serve::Agent;
    use js_sys::{Array, Object, Reflect, Uint8Array};
    use std::rc::Rc;
    use wasm_bindgen::{JsCast, JsValue, closure::Closure};
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    fn field(obj: &JsValue, name: &str) -> JsValue {
        Reflect::get(obj, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
    }

    fn reply(scope: &DedicatedWorkerGlobalScope, id: &JsValue, answer: Answer) {
        let message = Object::new();
        let transfer = Array::new();
        let _ = Reflect::set(&message, &"id".into(), id);
        let encoded = Uint8Array::from(protocol::encode(&answer.reply).as_slice());
        let _ = Reflect::set(&message, &"reply".into(), &encoded);
        if let Some(payload) = &answer.payload {
            let bytes = Uint8Array::from(payload.expose_secret());
            transfer.push(&bytes.buffer());
            let _ = Reflect::set(&message, &"payload".into(), &bytes);
        }
        // Transferring moves the body's buffer to the page: no copy stays here.
        let _ = scope.post_message_with_transfer(&message, &transfer);
    }

    pub fn start() {
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        let agent = Rc::new(Agent::default());
        let reply_scope = scope.clone();
        let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
            let data = event.data();
            let id = field(&data, "id");
            let secrets: Vec<SecretBytes> = Array::from(&field(&data, "secrets"))
                .iter()
                .filter_map(|v| v.dyn_into::<Uint8Array>().ok())
                .map(|bytes| SecretBytes::take_from_js(&bytes))
                .collect();
            let payload = field(&data, "payload")
                .dyn_into::<Uint8Array>()
                .ok()
                .map(|bytes| SecretBytes::take_from_js(&bytes));
            let op = field(&data, "op")
                .dyn_into::<Uint8Array>()
                .map_err(|_| VaultError::Malformed)
                .and_then(|bytes| protocol::decode_op(&bytes.to_vec()));
            let scope = reply_scope.clone();
            let agent = Rc::clone(&agent);
            wasm_bindgen_futures::spawn_local(async move {
                let answer = match op {
                    Ok(op) => agent.handle(op, secrets, payload).await,
                    Err(error) => Reply::Failed { error }.into(),
                };
                reply(&scope, &id, answer);
            });
        });
        scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // The handler lives as long as the worker.
        on_message.forget();
        let ready = Object::new();
        let _ = Reflect::set(&ready, &"ready".into(), &JsValue::TRUE);
        let _ = Reflect::set(&ready, &"build".into(), &protocol::BUILD.into());
        let _ = scope.post_message(&ready);
    }
}

fn main() {
    #[cfg(target_arch = "wasm32")]
    worker::start();
}
