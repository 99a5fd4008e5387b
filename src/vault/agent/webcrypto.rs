//! PBKDF2-HMAC-SHA256 through the browser's WebCrypto (`crypto.subtle.deriveBits`).
//!
//! The same function as [`crate::vault::derive_key`], computed by the browser's native code:
//! 600,000 iterations take about a quarter of the time the WASM build of the `pbkdf2` crate
//! needs (README "Bench"). Only secure contexts (https, or http on loopback) have
//! `crypto.subtle`; everywhere else, and if the browser refuses, callers fall back to the
//! Rust implementation, which gives byte-for-byte the same key (tests/web_vault.rs checks this).
//!
//! Secrets crossing into JavaScript go as `Uint8Array`s, never strings, so both copies can be
//! wiped: `importKey` copies the passphrase bytes when it is called (WebCrypto spec, "get a copy
//! of the bytes held by the buffer source"), so ours is zeroed right after; the derived bits are
//! copied into a [`SecretKey`] and their buffer zeroed.

use crate::secret::{SecretKey, SecretString};
use crate::vault::KdfParams;
use js_sys::{Array, ArrayBuffer, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, Pbkdf2Params, SubtleCrypto};

/// Which implementation derived a key; the bench and the worker protocol report it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KdfEngine {
    WebCrypto,
    Wasm,
}

impl KdfEngine {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WebCrypto => "webcrypto",
            Self::Wasm => "wasm",
        }
    }
}

/// `crypto.subtle` of the current global (window or worker), if this context has one.
pub fn subtle() -> Option<SubtleCrypto> {
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto")).ok()?;
    if crypto.is_undefined() || crypto.is_null() {
        return None;
    }
    let subtle = Reflect::get(&crypto, &JsValue::from_str("subtle")).ok()?;
    subtle.dyn_into::<SubtleCrypto>().ok()
}

/// Derives the 32-byte key with WebCrypto. `Err` carries the browser's reason (for a log line
/// that holds no secret); callers then derive with the Rust implementation.
pub async fn derive_key(
    subtle: &SubtleCrypto,
    passphrase: &[u8],
    params: &KdfParams,
) -> Result<SecretKey<32>, JsValue> {
    let secret = Uint8Array::new_with_length(passphrase.len() as u32);
    secret.copy_from(passphrase);
    let imported = subtle.import_key_with_str(
        "raw",
        &secret,
        "PBKDF2",
        false,
        &Array::of1(&JsValue::from_str("deriveBits")),
    );
    // importKey has taken its own copy (or failed): ours goes now either way.
    secret.fill(0, 0, secret.length());
    let base: CryptoKey = JsFuture::from(imported?).await?.dyn_into()?;

    let salt = Uint8Array::from(&params.salt()[..]);
    let algorithm = Pbkdf2Params::new_with_str("PBKDF2", "SHA-256", params.iterations(), &salt);
    let bits: ArrayBuffer = JsFuture::from(subtle.derive_bits_with_object(&algorithm, &base, 256)?)
        .await?
        .dyn_into()?;
    let bytes = Uint8Array::new(&bits);
    let ok = bytes.length() == 32;
    let key = SecretKey::fill(|key| {
        if ok {
            bytes.copy_to(key);
        }
    });
    bytes.fill(0, 0, bytes.length());
    if !ok {
        return Err(JsValue::from_str("deriveBits returned the wrong length"));
    }
    Ok(key)
}

/// The key with WebCrypto where this context has it (and `allow_webcrypto`), else with the Rust
/// implementation, which gives the same bytes. The worker and the page's own fallback both
/// derive through here.
pub async fn derive_key_or_fallback(
    passphrase: &SecretString,
    params: &KdfParams,
    allow_webcrypto: bool,
) -> (SecretKey<32>, KdfEngine) {
    if allow_webcrypto
        && let Some(subtle) = subtle()
        && let Ok(key) = derive_key(&subtle, passphrase.expose_secret().as_bytes(), params).await
    {
        return (key, KdfEngine::WebCrypto);
    }
    (
        crate::vault::derive_key(passphrase, params),
        KdfEngine::Wasm,
    )
}
