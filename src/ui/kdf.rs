//! Runs PBKDF2 in the key-derivation worker (src/bin/kdf-worker.rs), so 600,000 iterations never
//! block the page. One worker per derivation: it is started, answers once and is terminated,
//! so no secret-holding worker outlives the call.
//!
//! Without a worker the page derives itself: with WebCrypto, which is asynchronous and leaves
//! the page responsive, or, in a context without `crypto.subtle`, with the Rust implementation
//! on this thread (the page freezes for the derivation, but the keyring still opens).

use crate::secret::{SecretKey, SecretString};
use crate::vault::KdfParams;
use futures::StreamExt;
use futures::channel::mpsc;
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use web_sys::{MessageEvent, Worker};

/// Where Trunk puts the worker's loader, relative to the page.
pub const DEFAULT_WORKER_URL: &str = "./kdf-worker_loader.js";

/// Derives the key in a worker; if no worker can be started (a host page whose CSP forbids
/// workers, say) it derives on this thread instead: never wrong, at worst slower to paint.
pub async fn derive(
    passphrase: &SecretString,
    params: &KdfParams,
    worker_url: &str,
) -> SecretKey<32> {
    if let Ok(key) = derive_in_worker(passphrase, params, worker_url).await {
        return key;
    }
    crate::webcrypto::derive_key_or_fallback(passphrase, params, true)
        .await
        .0
}

/// Longer than any real derivation; past it the page derives itself rather than wait forever.
const WORKER_TIMEOUT_MS: u32 = 30_000;

enum Reply {
    Ready,
    Key(Uint8Array),
    Failed,
}

async fn derive_in_worker(
    passphrase: &SecretString,
    params: &KdfParams,
    worker_url: &str,
) -> Result<SecretKey<32>, ()> {
    let worker = Worker::new(worker_url).map_err(|_| ())?;
    let result = run_job(&worker, passphrase, params).await;
    worker.terminate();
    result
}

async fn run_job(
    worker: &Worker,
    passphrase: &SecretString,
    params: &KdfParams,
) -> Result<SecretKey<32>, ()> {
    let (sender, mut receiver) = mpsc::unbounded::<Reply>();
    let on_message = {
        let sender = sender.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let data = event.data();
            let field = |name: &str| Reflect::get(&data, &JsValue::from_str(name)).ok();
            let reply = if field("ready").is_some_and(|v| v.is_truthy()) {
                Reply::Ready
            } else {
                match field("key").and_then(|k| k.dyn_into::<Uint8Array>().ok()) {
                    Some(key) => Reply::Key(key),
                    None => Reply::Failed,
                }
            };
            let _ = sender.unbounded_send(reply);
        })
    };
    let on_error = Closure::<dyn FnMut(JsValue)>::new(move |_| {
        let _ = sender.unbounded_send(Reply::Failed);
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));

    let exchange = async {
        // Wait for the worker to say it can take the job, then send it once.
        match receiver.next().await {
            Some(Reply::Ready) => {}
            _ => return Err(()),
        }
        post_job(worker, passphrase, params)?;
        match receiver.next().await {
            Some(Reply::Key(bytes)) => Ok(bytes),
            _ => Err(()),
        }
    };
    let timeout = gloo_timers::future::TimeoutFuture::new(WORKER_TIMEOUT_MS);
    let answer = match futures::future::select(Box::pin(exchange), timeout).await {
        futures::future::Either::Left((answer, _)) => answer,
        futures::future::Either::Right(_) => Err(()),
    };
    worker.set_onmessage(None);
    worker.set_onerror(None);
    drop((on_message, on_error));
    let bytes = answer?;
    if bytes.length() != 32 {
        return Err(());
    }
    let mut key = [0u8; 32];
    bytes.copy_to(&mut key);
    bytes.fill(0, 0, bytes.length());
    Ok(SecretKey::from_array(key))
}

fn post_job(worker: &Worker, passphrase: &SecretString, params: &KdfParams) -> Result<(), ()> {
    let secret = Uint8Array::new_with_length(passphrase.expose_secret().len() as u32);
    secret.copy_from(passphrase.expose_secret().as_bytes());
    let message = Object::new();
    let posted = (|| -> Result<(), JsValue> {
        Reflect::set(&message, &JsValue::from_str("id"), &JsValue::from_f64(1.0))?;
        Reflect::set(&message, &JsValue::from_str("passphrase"), &secret)?;
        Reflect::set(
            &message,
            &JsValue::from_str("salt"),
            &Uint8Array::from(&params.salt()[..]),
        )?;
        Reflect::set(
            &message,
            &JsValue::from_str("iterations"),
            &JsValue::from_f64(f64::from(params.iterations())),
        )?;
        // Transferring moves the passphrase buffer out of this thread: no copy stays behind.
        worker.post_message_with_transfer(&message, &Array::of1(&secret.buffer()))
    })();
    if posted.is_err() {
        secret.fill(0, 0, secret.length());
        return Err(());
    }
    Ok(())
}
