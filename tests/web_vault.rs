//! Browser tests of the vault's localStorage backend (wasm-bindgen-test, Chromium).
//!
//! Run: `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
//!       cargo test --target wasm32-unknown-unknown --test web_vault`
//! Each test derives at the real 600,000 iterations through the public API only.

#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests: a panic is a failure report

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use foundry_keyring::api::ApiBase;
use foundry_keyring::secret::SecretString;
use foundry_keyring::timestamp::Timestamp;
use foundry_keyring::vault::storage::local::{LocalStorage, subscribe_keyring_changes};
use foundry_keyring::vault::{
    self, DEFAULT_ITERATIONS, EntryKind, KeyringStorage, Namespace, NewEntry, Persistence,
    StorageError, UnlockedKeyring, VaultError,
};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const PASS: &str = "browser test passphrase 42";
const KEY_A: &str = "abs0_ab12BROWSERtestKEYaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const KEY_B: &str = "abs0_p_PARTNERbrowserKEYbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

fn raw_storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

fn entry(label: &str, key: &str, kind: EntryKind) -> NewEntry {
    NewEntry {
        label: label.to_owned(),
        kind,
        api_key: SecretString::from(key),
        created_at: Timestamp::from_unix(1_790_000_000),
        persistence: Persistence::Saved,
        api_base: ApiBase::parse(ApiBase::FOUNDRY_PUBLIC).unwrap(),
    }
}

/// A fresh namespace with a saved keyring holding KEY_A and KEY_B.
fn saved(namespace: &str) -> (Namespace, LocalStorage, UnlockedKeyring) {
    let ns = Namespace::new(namespace).unwrap();
    let storage = LocalStorage::open().unwrap();
    vault::forget_all(&storage, &ns).unwrap();
    let pass = SecretString::from(PASS);
    let mut ring =
        UnlockedKeyring::create_with_passphrase(ns.clone(), &pass, DEFAULT_ITERATIONS).unwrap();
    ring.add(entry("Analytics", KEY_A, EntryKind::DataAccess))
        .unwrap();
    ring.add(entry("Partner", KEY_B, EntryKind::Partner))
        .unwrap();
    ring.save(&storage).unwrap();
    (ns, storage, ring)
}

#[wasm_bindgen_test]
fn local_storage_round_trip() {
    let (ns, storage, ring) = saved("web-test-round-trip");
    assert!(
        raw_storage()
            .get_item("foundry-keyring/web-test-round-trip/keyring")
            .unwrap()
            .is_some()
    );
    let stored = vault::load(&storage, &ns).unwrap().unwrap();
    assert_eq!(stored.revision(), 1);
    let reopened = stored
        .unlock_with_passphrase(&SecretString::from(PASS))
        .unwrap();
    assert_eq!(reopened.list(), ring.list());
    let ids: Vec<_> = reopened.list().iter().map(|m| m.id).collect();
    assert_eq!(reopened.open(ids[0]).unwrap().expose_secret(), KEY_A);
    assert_eq!(reopened.open(ids[1]).unwrap().expose_secret(), KEY_B);
    // The subscription helper attaches and detaches without error.
    drop(subscribe_keyring_changes(&ns, || {}).unwrap());
    vault::forget_all(&storage, &ns).unwrap();
    assert!(storage.load(&ns).unwrap().is_none());
}

fn encodings_of(secret: &str) -> Vec<String> {
    let b = secret.as_bytes();
    vec![
        secret.to_owned(),
        STANDARD.encode(b),
        STANDARD_NO_PAD.encode(b),
        URL_SAFE.encode(b),
        URL_SAFE_NO_PAD.encode(b),
        hex::encode(b),
        hex::encode_upper(b),
    ]
}

#[wasm_bindgen_test]
fn storage_never_holds_a_key_or_the_passphrase() {
    let (ns, storage, _ring) = saved("web-test-no-secrets");
    let raw = raw_storage();
    for i in 0..raw.length().unwrap() {
        let key = raw.key(i).unwrap().unwrap();
        let value = raw.get_item(&key).unwrap().unwrap_or_default();
        for secret in [KEY_A, KEY_B, PASS] {
            for form in encodings_of(secret) {
                // A 24-character probe also catches a partial copy.
                let probe = &form[..form.len().min(24)];
                assert!(
                    !key.contains(probe) && !value.contains(probe),
                    "secret found in {key}"
                );
            }
        }
    }
    vault::forget_all(&storage, &ns).unwrap();
}

#[wasm_bindgen_test]
fn full_storage_is_a_typed_error_and_keeps_the_previous_keyring() {
    let (ns, storage, mut ring) = saved("web-test-quota");
    let before = storage.load(&ns).unwrap().unwrap();
    let raw = raw_storage();

    // Fill the origin's storage, in ever smaller chunks, until not even 64 characters fit.
    let mut fillers = Vec::new();
    let mut chunk = 1 << 20;
    while chunk >= 64 {
        let key = format!("web-test-fill-{}", fillers.len());
        match raw.set_item(&key, &"x".repeat(chunk)) {
            Ok(()) => fillers.push(key),
            Err(_) => chunk /= 2,
        }
    }

    for i in 0..20 {
        ring.add(entry(&format!("More {i}"), KEY_B, EntryKind::Partner))
            .unwrap();
    }
    let result = ring.save(&storage);
    for key in &fillers {
        raw.remove_item(key).unwrap();
    }
    assert_eq!(
        result,
        Err(VaultError::Storage(StorageError::QuotaExceeded))
    );

    // The previous keyring is intact and still opens.
    let after = storage.load(&ns).unwrap().unwrap();
    assert_eq!(after, before);
    let reopened = vault::load(&storage, &ns)
        .unwrap()
        .unwrap()
        .unlock_with_passphrase(&SecretString::from(PASS))
        .unwrap();
    assert_eq!(reopened.list().len(), 2);
    // With space again, the same keyring saves (the failed save did not advance its revision).
    ring.save(&storage).unwrap();
    vault::forget_all(&storage, &ns).unwrap();
}

/// The page and the worker derive with WebCrypto where they can, and with the Rust `pbkdf2`
/// crate where they cannot: a keyring sealed by one must open with the other, so the two must
/// give the same key, byte for byte, at the real iteration count and for non-ASCII input.
#[wasm_bindgen_test]
async fn webcrypto_and_rust_derive_the_same_key() {
    use foundry_keyring::vault::agent::webcrypto;
    use foundry_keyring::vault::{KdfParams, derive_key};
    let subtle = webcrypto::subtle().expect("the test page is a secure context");
    for passphrase in ["browser test passphrase 42", "pässwörd ✓ 鍵"] {
        let params = KdfParams::generate(DEFAULT_ITERATIONS).unwrap();
        let native = webcrypto::derive_key(&subtle, passphrase.as_bytes(), &params).await;
        let native = native.unwrap_or_else(|_| panic!("WebCrypto refused {passphrase:?}"));
        let rust = derive_key(&SecretString::from(passphrase), &params);
        assert_eq!(
            native.expose_secret(),
            rust.expose_secret(),
            "passphrase {passphrase:?}"
        );
    }
    // A different salt gives a different key (the salt really reaches WebCrypto).
    let a = KdfParams::generate(DEFAULT_ITERATIONS).unwrap();
    let b = KdfParams::generate(DEFAULT_ITERATIONS).unwrap();
    let ka = webcrypto::derive_key(&subtle, b"same", &a).await.unwrap();
    let kb = webcrypto::derive_key(&subtle, b"same", &b).await.unwrap();
    assert_ne!(ka.expose_secret(), kb.expose_secret());
}

/// An agent of another build (a browser that kept an old file) reads the page's bytes as other
/// messages: the page takes it for stopped when it says it is ready, before any message (a
/// passphrase among them) reaches it. A stand-in agent says it is ready with `build`, then
/// answers every message `Pong`.
#[wasm_bindgen_test]
async fn an_agent_of_another_build_gets_no_message() {
    use foundry_keyring::vault::agent::link::AgentLink;
    use foundry_keyring::vault::agent::protocol::{BUILD, Op, Reply};
    let stand_in = |build: &str| {
        format!(
            "data:text/javascript,postMessage({{ready:true,build:'{build}'}});\
             onmessage=(e)=>postMessage({{id:e.data.id,reply:new Uint8Array([0])}})"
        )
    };
    let ours = AgentLink::new(stand_in(BUILD), Vec::new());
    assert_eq!(ours.ask(Op::Ping, &[]).await, Ok(Reply::Pong));
    ours.stop();
    let other = AgentLink::new(stand_in("0123456789abcdef"), Vec::new());
    assert_eq!(
        other.ask(Op::Ping, &[PASS.as_bytes()]).await,
        Err(VaultError::AgentUnavailable)
    );
}
