//! Native tests of the keyring. Most run at a test-only low iteration count
//! ([`KdfPolicy::TEST_ONLY_LOW`]); `real_iterations_round_trip` and the vectors run 600,000.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests: a panic is a failure report

use super::agent::kdf::KdfPolicy;
use super::envelope::{Envelope, entry_aad};
use super::random::Rng;
use super::*;
use crate::api::base::ApiBase;
use crate::secret::{SecretKey, SecretString};
use crate::timestamp::Timestamp;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

const LOW: u32 = 1_000;
const PASS: &str = "correct horse battery staple";
const KEY_A: &str = "abs0_ab12AAAAbbbbCCCCddddEEEEffffGGGGhhhhIIII";
const KEY_B: &str = "abs0_zz9PARTNERpartnerPARTNERpartnerPARTNER00";
const KEY_C: &str = "abs0_cc33ADDEDafterTHEchangeADDEDafterTHE0000";
const SESSION_KEY: &str = "abs0_sessiononlysessiononlyXYZW";
const BASE: &str = "https://foundry-api-public.adaptyvbio.com";
const OTHER_BASE: &str = "https://partner.example.com/foundry";

fn ns(name: &str) -> Namespace {
    Namespace::new(name).unwrap()
}

fn low_params() -> KdfParams {
    KdfParams::generate_with(LOW, &mut Rng::Os, KdfPolicy::TEST_ONLY_LOW).unwrap()
}

fn parse(text: &str, namespace: &Namespace) -> Result<StoredKeyring, VaultError> {
    StoredKeyring::parse_with_policy(text, namespace, KdfPolicy::TEST_ONLY_LOW)
}

fn new_ring(namespace: &Namespace, pass: &str) -> UnlockedKeyring {
    let params = low_params();
    let derived = derive_key(&SecretString::from(pass), &params);
    UnlockedKeyring::create_for_tests(namespace.clone(), params, derived, None).unwrap()
}

fn base(url: &str) -> ApiBase {
    ApiBase::parse(url).unwrap()
}

/// A new entry bound to [`BASE`].
fn entry(label: &str, key: &str, kind: EntryKind, persistence: Persistence) -> NewEntry {
    NewEntry {
        label: label.to_owned(),
        kind,
        api_key: SecretString::from(key),
        created_at: Timestamp::from_unix(1_790_000_000),
        persistence,
        api_base: base(BASE),
    }
}

/// A saved keyring with two entries and one session-only entry.
fn saved_ring(storage: &MemoryStorage, namespace: &Namespace) -> (UnlockedKeyring, String) {
    let mut ring = new_ring(namespace, PASS);
    ring.add(entry(
        "Analytics",
        KEY_A,
        EntryKind::DataAccess,
        Persistence::Saved,
    ))
    .unwrap();
    ring.add(entry(
        "Partner ACME",
        KEY_B,
        EntryKind::Partner,
        Persistence::Saved,
    ))
    .unwrap();
    ring.add(entry(
        "Just now",
        SESSION_KEY,
        EntryKind::DataAccess,
        Persistence::SessionOnly,
    ))
    .unwrap();
    ring.save(storage).unwrap();
    let text = storage.load(namespace).unwrap().unwrap();
    (ring, text)
}

/// Everything the stored text yields with `key`: every entry's metadata and API key.
fn open_everything(
    text: &str,
    namespace: &Namespace,
    key: &SecretKey<32>,
) -> Result<Vec<(EntryMeta, String)>, VaultError> {
    let ring = parse(text, namespace)?.unlock(key.clone())?;
    ring.list()
        .into_iter()
        .map(|meta| {
            let key = ring.open(meta.id)?;
            Ok((meta, key.expose_secret().to_owned()))
        })
        .collect()
}

/// The index JSON of a stored text, decrypted with the data key that `key` unwraps.
fn index_json(text: &str, namespace: &Namespace, key: &SecretKey<32>) -> serde_json::Value {
    let env = Envelope::decode_text(text, namespace, KdfPolicy::TEST_ONLY_LOW).unwrap();
    let ring = parse(text, namespace).unwrap().unlock(key.clone()).unwrap();
    let index = cipher::open(
        ring.data_key_for_tests(),
        &env.index_nonce,
        &env.index_aad(),
        &env.index_ciphertext,
    )
    .unwrap();
    serde_json::from_slice(index.expose_secret()).unwrap()
}

/// Each stored entry's id, entry-layer nonce and sealed key.
fn sealed_keys(index: &serde_json::Value) -> Vec<(u64, [u8; 12], Vec<u8>)> {
    index["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let nonce = hex::decode(e["nonce"].as_str().unwrap()).unwrap();
            let sealed = hex::decode(e["sealed_key"].as_str().unwrap()).unwrap();
            (e["id"].as_u64().unwrap(), nonce.try_into().unwrap(), sealed)
        })
        .collect()
}

/// The stored text with its index rewritten as another writer holding the data key would
/// (an older build, or a buggy one): decrypted, edited as JSON, sealed again. Authentic.
fn rewrite_index(
    text: &str,
    namespace: &Namespace,
    key: &SecretKey<32>,
    edit: impl FnOnce(&mut serde_json::Value),
) -> String {
    let mut index = index_json(text, namespace, key);
    edit(&mut index);
    let data_key = parse(text, namespace)
        .unwrap()
        .unlock(key.clone())
        .unwrap()
        .data_key_for_tests()
        .clone();
    let mut env = Envelope::decode_text(text, namespace, KdfPolicy::TEST_ONLY_LOW).unwrap();
    env.index_nonce = Rng::Os.array().unwrap();
    env.index_ciphertext = cipher::seal(
        &data_key,
        &env.index_nonce,
        &env.index_aad(),
        &serde_json::to_vec(&index).unwrap(),
    )
    .unwrap();
    env.encode_text()
}

#[test]
fn round_trip_keeps_entries_and_drops_session_only_ones() {
    let storage = MemoryStorage::new();
    let namespace = ns("default");
    let (ring, text) = saved_ring(&storage, &namespace);
    assert_eq!(ring.list().len(), 3);

    let reopened = parse(&text, &namespace).unwrap();
    assert_eq!(reopened.revision(), 1);
    assert_eq!(reopened.kdf_params(), ring.kdf_params());
    let reopened = reopened
        .unlock_with_passphrase(&SecretString::from(PASS))
        .unwrap();
    let listed = reopened.list();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed, ring.list()[..2].to_vec());
    assert_eq!(listed[0].fingerprint, "abs0_ab12…IIII");
    assert_eq!(listed[1].kind, EntryKind::Partner);
    assert_eq!(reopened.open(listed[0].id).unwrap().expose_secret(), KEY_A);
    assert_eq!(reopened.open(listed[1].id).unwrap().expose_secret(), KEY_B);
    assert_eq!(
        reopened.open(EntryId(3)).map(|_| ()),
        Err(VaultError::EntryNotFound(3))
    );
}

#[test]
fn session_only_entries_never_reach_the_stored_index() {
    let storage = MemoryStorage::new();
    let namespace = ns("default");
    let (ring, text) = saved_ring(&storage, &namespace);
    let env = Envelope::decode_text(&text, &namespace, KdfPolicy::TEST_ONLY_LOW).unwrap();
    let index = cipher::open(
        ring.data_key_for_tests(),
        &env.index_nonce,
        &env.index_aad(),
        &env.index_ciphertext,
    )
    .unwrap();
    let index = String::from_utf8(index.expose_secret().to_vec()).unwrap();
    assert!(
        index.contains("Analytics") && !index.contains("Just now"),
        "{index}"
    );
}

#[test]
fn wrong_passphrase_is_typed() {
    let storage = MemoryStorage::new();
    let namespace = ns("default");
    let (_, text) = saved_ring(&storage, &namespace);
    let stored = parse(&text, &namespace).unwrap();
    let result = stored.unlock_with_passphrase(&SecretString::from("Correct horse battery staple"));
    assert_eq!(result.err(), Some(VaultError::WrongPassphrase));
    assert!(stored.unlock(SecretKey::from_array([0u8; 32])).is_err());
}

#[test]
fn every_single_byte_flip_is_refused() {
    let storage = MemoryStorage::new();
    let namespace = ns("default");
    let (_, text) = saved_ring(&storage, &namespace);
    let original = parse(&text, &namespace).unwrap();
    let key = derive_key(&SecretString::from(PASS), original.kdf_params());
    let bytes = STANDARD.decode(&text).unwrap();
    let mut seen_wrong_passphrase = false;
    let mut seen_tampered = false;
    for at in 0..bytes.len() {
        for mask in [0x01u8, 0x80, 0xFF] {
            let mut flipped = bytes.clone();
            flipped[at] ^= mask;
            let flipped = STANDARD.encode(&flipped);
            // The original key is what an attacker hopes still works; when the flip changed
            // the KDF parameters, the key a real unlock would derive must fail as well.
            let result = open_everything(&flipped, &namespace, &key);
            assert!(
                result.is_err(),
                "flip {mask:#04x} at byte {at} was accepted"
            );
            seen_wrong_passphrase |= result == Err(VaultError::WrongPassphrase);
            seen_tampered |= result == Err(VaultError::Tampered);
            if let Ok(stored) = parse(&flipped, &namespace)
                && stored.kdf_params() != original.kdf_params()
                && stored.kdf_params().iterations() <= 1_000_000
            {
                let rederived = derive_key(&SecretString::from(PASS), stored.kdf_params());
                assert!(open_everything(&flipped, &namespace, &rederived).is_err());
            }
        }
    }
    assert!(seen_wrong_passphrase && seen_tampered);
}

#[test]
fn every_text_character_change_is_refused() {
    let storage = MemoryStorage::new();
    let namespace = ns("default");
    let (_, text) = saved_ring(&storage, &namespace);
    let key = derive_key(
        &SecretString::from(PASS),
        parse(&text, &namespace).unwrap().kdf_params(),
    );
    for at in 0..text.len() {
        for replacement in ['A', 'B', '/', '=', '-', '*'] {
            let mut changed: Vec<char> = text.chars().collect();
            if changed[at] == replacement {
                continue;
            }
            changed[at] = replacement;
            let changed: String = changed.into_iter().collect();
            assert!(
                open_everything(&changed, &namespace, &key).is_err(),
                "char {at} -> {replacement}"
            );
        }
    }
}

#[test]
fn every_truncation_is_refused() {
    let storage = MemoryStorage::new();
    let namespace = ns("default");
    let (_, text) = saved_ring(&storage, &namespace);
    let key = derive_key(
        &SecretString::from(PASS),
        parse(&text, &namespace).unwrap().kdf_params(),
    );
    let bytes = STANDARD.decode(&text).unwrap();
    for len in 0..bytes.len() {
        let cut = STANDARD.encode(&bytes[..len]);
        assert!(
            open_everything(&cut, &namespace, &key).is_err(),
            "byte truncation to {len}"
        );
    }
    for len in 0..text.len() {
        assert!(
            open_everything(&text[..len], &namespace, &key).is_err(),
            "text truncation to {len}"
        );
    }
    assert_eq!(
        Envelope::decode(&bytes[..10], &namespace, KdfPolicy::TEST_ONLY_LOW).err(),
        Some(VaultError::Truncated {
            needed: 26,
            actual: 10
        })
    );
}

#[test]
fn structural_errors_are_each_typed() {
    let storage = MemoryStorage::new();
    let namespace = ns("default");
    let (_, text) = saved_ring(&storage, &namespace);
    let bytes = STANDARD.decode(&text).unwrap();
    let decode = |b: &[u8]| Envelope::decode(b, &namespace, KdfPolicy::TEST_ONLY_LOW).err();
    let with = |at: usize, value: u8| {
        let mut b = bytes.clone();
        b[at] = value;
        b
    };
    assert_eq!(
        parse("not base64!", &namespace).err(),
        Some(VaultError::NotBase64)
    );
    assert_eq!(decode(b"{\"json\":true}"), Some(VaultError::NotAKeyring));
    assert_eq!(decode(b"xy"), Some(VaultError::NotAKeyring));
    assert_eq!(
        decode(b"FK"),
        Some(VaultError::Truncated {
            needed: 4,
            actual: 2
        })
    );
    assert_eq!(decode(&with(4, 3)), Some(VaultError::UnsupportedVersion(3)));
    assert_eq!(decode(&with(5, 7)), Some(VaultError::UnknownKdf(7)));
    assert!(matches!(
        decode(&with(6, 0x7F)),
        Some(VaultError::KdfTooExpensive { .. })
    ));
}

#[test]
fn kdf_downgrade_is_refused_on_read() {
    let storage = MemoryStorage::new();
    let namespace = ns("default");
    let (_, text) = saved_ring(&storage, &namespace);
    // A low-iteration blob (as an attacker with write access would plant) through the real parser.
    assert_eq!(
        StoredKeyring::parse(&text, &namespace).err(),
        Some(VaultError::KdfDowngrade {
            iterations: LOW,
            minimum: MIN_ITERATIONS
        })
    );
    assert!(matches!(
        load(&storage, &namespace),
        Err(VaultError::KdfDowngrade { .. })
    ));
    // And one edited from 600,000 down to 599,999.
    let mut bytes = STANDARD.decode(&text).unwrap();
    bytes[6..10].copy_from_slice(&599_999u32.to_be_bytes());
    assert_eq!(
        StoredKeyring::parse(&STANDARD.encode(&bytes), &namespace).err(),
        Some(VaultError::KdfDowngrade {
            iterations: 599_999,
            minimum: MIN_ITERATIONS
        })
    );
    bytes[6..10].copy_from_slice(&(MAX_ITERATIONS + 1).to_be_bytes());
    assert!(matches!(
        StoredKeyring::parse(&STANDARD.encode(&bytes), &namespace),
        Err(VaultError::KdfTooExpensive { .. })
    ));
}

#[test]
fn kdf_floor_is_enforced_on_write() {
    let weak = KdfParams::generate(100_000);
    assert!(matches!(weak, Err(VaultError::KdfDowngrade { .. })));
    let low = low_params();
    let derived = derive_key(&SecretString::from(PASS), &low);
    assert!(matches!(
        UnlockedKeyring::create(ns("default"), low, derived),
        Err(VaultError::KdfDowngrade { .. })
    ));
}

#[test]
fn passphrase_change_makes_a_new_data_key() {
    let storage = MemoryStorage::new();
    let namespace = ns("default");
    let (mut ring, text) = saved_ring(&storage, &namespace);
    let old_params = ring.kdf_params().clone();
    let old_key = derive_key(&SecretString::from(PASS), &old_params);
    let old_data_key = ring.data_key_for_tests().clone();
    let before = open_everything(&text, &namespace, &old_key).unwrap();

    // Wrong current passphrase: refused, nothing changed.
    let new_params =
        KdfParams::generate_with(LOW * 2, &mut Rng::Os, KdfPolicy::TEST_ONLY_LOW).unwrap();
    let new_key = derive_key(&SecretString::from("new passphrase"), &new_params);
    let wrong = derive_key(&SecretString::from("guess"), &old_params);
    assert_eq!(
        ring.change_passphrase(&wrong, new_params.clone(), new_key.clone()),
        Err(VaultError::WrongPassphrase)
    );
    // Fewer iterations than now: refused.
    let fewer = KdfParams::generate_with(LOW - 1, &mut Rng::Os, KdfPolicy::TEST_ONLY_LOW).unwrap();
    assert!(matches!(
        ring.change_passphrase(&old_key, fewer, new_key.clone()),
        Err(VaultError::KdfDowngrade { .. })
    ));
    assert!(ring.data_key_for_tests() == &old_data_key);
    assert_eq!(ring.kdf_params(), &old_params);

    ring.change_passphrase(&old_key, new_params.clone(), new_key.clone())
        .unwrap();
    assert!(ring.data_key_for_tests() != &old_data_key);
    // The session-only entry was sealed again too: it still opens under the new data key.
    assert_eq!(ring.open(EntryId(3)).unwrap().expose_secret(), SESSION_KEY);
    ring.save(&storage).unwrap();
    let text2 = storage.load(&namespace).unwrap().unwrap();
    let stored = parse(&text2, &namespace).unwrap();
    assert_eq!(stored.kdf_params(), &new_params);
    assert_eq!(stored.revision(), 2);
    assert_eq!(
        open_everything(&text2, &namespace, &new_key).unwrap(),
        before
    );
    assert_eq!(
        open_everything(&text2, &namespace, &old_key),
        Err(VaultError::WrongPassphrase)
    );
    let old_under_new_params = derive_key(&SecretString::from(PASS), &new_params);
    assert_eq!(
        open_everything(&text2, &namespace, &old_under_new_params),
        Err(VaultError::WrongPassphrase)
    );

    // A key added after the change.
    let added = ring
        .add(entry(
            "Added later",
            KEY_C,
            EntryKind::DataAccess,
            Persistence::Saved,
        ))
        .unwrap();
    ring.save(&storage).unwrap();
    let text3 = storage.load(&namespace).unwrap().unwrap();
    assert_eq!(
        open_everything(&text3, &namespace, &new_key).unwrap()[2].1,
        KEY_C
    );

    // The attack: an old copy of storage and the old passphrase give the old data key...
    let from_old_copy = parse(&text, &namespace)
        .unwrap()
        .unlock(old_key.clone())
        .unwrap()
        .data_key_for_tests()
        .clone();
    assert!(from_old_copy == old_data_key);
    // ...which opens no later index and no key sealed since, the one added after included.
    for later in [&text2, &text3] {
        let env = Envelope::decode_text(later, &namespace, KdfPolicy::TEST_ONLY_LOW).unwrap();
        assert!(
            cipher::open(
                &from_old_copy,
                &env.index_nonce,
                &env.index_aad(),
                &env.index_ciphertext
            )
            .is_err()
        );
        for (id, nonce, sealed) in sealed_keys(&index_json(later, &namespace, &new_key)) {
            let aad = entry_aad(&namespace, id);
            assert!(cipher::open(&from_old_copy, &nonce, &aad, &sealed).is_err());
        }
    }
    let in_text3 = sealed_keys(&index_json(&text3, &namespace, &new_key));
    assert!(in_text3.iter().any(|(id, ..)| *id == added.0));
    // Every entry was sealed again, under a fresh nonce.
    let old_sealed = sealed_keys(&index_json(&text, &namespace, &old_key));
    for ((id, nonce, sealed), (new_id, new_nonce, new_sealed)) in old_sealed.iter().zip(&in_text3) {
        assert_eq!(id, new_id);
        assert!(nonce != new_nonce && sealed != new_sealed);
    }

    // The convenience form keeps the iteration count, and makes yet another data key.
    let second_data_key = ring.data_key_for_tests().clone();
    ring.change_passphrase_with(
        &SecretString::from("new passphrase"),
        &SecretString::from("third"),
    )
    .unwrap();
    assert_eq!(ring.kdf_params().iterations(), LOW * 2);
    assert!(ring.data_key_for_tests() != &second_data_key);
}

/// "Set a passphrase and keep" on a keyring that lived in this tab only, as the UI does it:
/// the tab-only wrap key stands in for the current passphrase, then every entry is kept.
#[test]
fn keep_all_stores_a_tab_only_keyrings_entries() {
    let storage = MemoryStorage::new();
    let namespace = ns("default");
    let tab_wrap = SecretKey::from_array(Rng::Os.array().unwrap());
    let mut ring =
        UnlockedKeyring::create_for_tests(namespace.clone(), low_params(), tab_wrap.clone(), None)
            .unwrap();
    let a = ring
        .add(entry(
            "Tab only",
            KEY_A,
            EntryKind::DataAccess,
            Persistence::SessionOnly,
        ))
        .unwrap();
    let b = ring
        .add(entry(
            "Tab only partner",
            KEY_B,
            EntryKind::Partner,
            Persistence::SessionOnly,
        ))
        .unwrap();
    let params = low_params();
    let derived = derive_key(&SecretString::from(PASS), &params);
    ring.change_passphrase(&tab_wrap, params, derived).unwrap();
    ring.keep_all();
    assert!(
        ring.list()
            .iter()
            .all(|m| m.persistence == Persistence::Saved)
    );
    ring.save(&storage).unwrap();

    let text = storage.load(&namespace).unwrap().unwrap();
    let reopened = parse(&text, &namespace)
        .unwrap()
        .unlock_with_passphrase(&SecretString::from(PASS))
        .unwrap();
    assert_eq!(reopened.list(), ring.list());
    assert_eq!(reopened.open(a).unwrap().expose_secret(), KEY_A);
    assert_eq!(reopened.open(b).unwrap().expose_secret(), KEY_B);
}

#[test]
fn every_entry_is_bound_to_its_api_base() {
    let storage = MemoryStorage::new();
    let namespace = ns("default");
    let (mut ring, _) = saved_ring(&storage, &namespace);
    let mut partner = entry("Elsewhere", KEY_C, EntryKind::Partner, Persistence::Saved);
    // Given un-normalised: the index stores the normalised form.
    partner.api_base = base("HTTPS://Partner.Example.com/foundry/");
    let elsewhere = ring.add(partner).unwrap();
    ring.save(&storage).unwrap();
    let text = storage.load(&namespace).unwrap().unwrap();

    let key = derive_key(&SecretString::from(PASS), ring.kdf_params());
    let index = index_json(&text, &namespace, &key);
    let stored_bases: Vec<_> = index["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["api_base"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(stored_bases, [BASE, BASE, OTHER_BASE]);

    let reopened = parse(&text, &namespace).unwrap().unlock(key).unwrap();
    let bases: Vec<_> = reopened
        .list()
        .into_iter()
        .map(|m| (m.id, m.api_base))
        .collect();
    assert_eq!(
        bases,
        [
            (EntryId(1), Some(base(BASE))),
            (EntryId(2), Some(base(BASE))),
            (elsewhere, Some(base(OTHER_BASE))),
        ]
    );
}

#[test]
fn bind_rebinds_an_entry_on_the_next_save() {
    let storage = MemoryStorage::new();
    let namespace = ns("default");
    let (mut ring, text) = saved_ring(&storage, &namespace);
    ring.bind(EntryId(2), base(OTHER_BASE)).unwrap();
    assert_eq!(
        ring.get(EntryId(2)).and_then(|m| m.api_base.clone()),
        Some(base(OTHER_BASE))
    );
    assert_eq!(storage.load(&namespace).unwrap(), Some(text));
    assert_eq!(
        ring.bind(EntryId(99), base(OTHER_BASE)),
        Err(VaultError::EntryNotFound(99))
    );
    ring.save(&storage).unwrap();

    let reopened = parse(&storage.load(&namespace).unwrap().unwrap(), &namespace)
        .unwrap()
        .unlock_with_passphrase(&SecretString::from(PASS))
        .unwrap();
    let bases: Vec<_> = reopened.list().into_iter().map(|m| m.api_base).collect();
    assert_eq!(bases, [Some(base(BASE)), Some(base(OTHER_BASE))]);
}

#[test]
fn legacy_entries_read_as_unbound_and_stay_so() {
    let storage = MemoryStorage::new();
    let namespace = ns("default");
    let (ring, text) = saved_ring(&storage, &namespace);
    let key = derive_key(&SecretString::from(PASS), ring.kdf_params());
    // As written before keys were bound: no api_base at all.
    let legacy = rewrite_index(&text, &namespace, &key, |index| {
        for e in index["entries"].as_array_mut().unwrap() {
            e.as_object_mut().unwrap().remove("api_base");
        }
    });
    storage.set_raw(&namespace.storage_key(), &legacy).unwrap();

    let mut ring = parse(&legacy, &namespace)
        .unwrap()
        .unlock(key.clone())
        .unwrap();
    assert!(ring.list().iter().all(|m| m.api_base.is_none()));
    assert_eq!(ring.open(EntryId(1)).unwrap().expose_secret(), KEY_A);
    // Adding a key binds only that key; saving does not bind the legacy ones to anything.
    let added = ring
        .add(entry(
            "New",
            KEY_C,
            EntryKind::DataAccess,
            Persistence::Saved,
        ))
        .unwrap();
    ring.save(&storage).unwrap();
    let saved = storage.load(&namespace).unwrap().unwrap();
    let entries = index_json(&saved, &namespace, &key)["entries"].clone();
    assert!(entries[0].get("api_base").is_none() && entries[1].get("api_base").is_none());
    let reopened = parse(&saved, &namespace).unwrap().unlock(key).unwrap();
    let bases: Vec<_> = reopened
        .list()
        .into_iter()
        .map(|m| (m.id, m.api_base))
        .collect();
    assert_eq!(
        bases,
        [
            (EntryId(1), None),
            (EntryId(2), None),
            (added, Some(base(BASE)))
        ]
    );
}

#[test]
fn an_unreadable_api_base_is_malformed() {
    let storage = MemoryStorage::new();
    let namespace = ns("default");
    let (ring, text) = saved_ring(&storage, &namespace);
    let key = derive_key(&SecretString::from(PASS), ring.kdf_params());
    let bad_bases = [
        serde_json::json!("http://evil.example"),
        serde_json::json!("ftp://foundry-api-public.adaptyvbio.com"),
        serde_json::json!("https://user@foundry-api-public.adaptyvbio.com"),
        serde_json::json!(""),
        serde_json::json!(42),
    ];
    for bad in bad_bases {
        let changed = rewrite_index(&text, &namespace, &key, |index| {
            index["entries"][1]["api_base"] = bad.clone();
        });
        assert_eq!(
            open_everything(&changed, &namespace, &key),
            Err(VaultError::Malformed),
            "{bad}"
        );
    }
}
#[test]
fn a_blob_copied_into_another_namespace_is_refused() {
    let storage = MemoryStorage::new();
    let (a, b) = (ns("team-a"), ns("team-b"));
    let (_, text) = saved_ring(&storage, &a);
    assert_eq!(
        parse(&text, &b).err(),
        Some(VaultError::NamespaceMismatch {
            expected: "team-b".into(),
            found: "team-a".into()
        })
    );
    // Rewriting the stored namespace too is caught by the authentication of every layer.
    let key = derive_key(
        &SecretString::from(PASS),
        parse(&text, &a).unwrap().kdf_params(),
    );
    let mut bytes = STANDARD.decode(&text).unwrap();
    let at = 27 + "team-".len();
    assert_eq!(bytes[at], b'a');
    bytes[at] = b'b';
    let forged = STANDARD.encode(&bytes);
    assert!(parse(&forged, &b).is_ok());
    assert_eq!(
        open_everything(&forged, &b, &key),
        Err(VaultError::WrongPassphrase)
    );
}

#[test]
fn stale_revision_save_is_a_conflict() {
    let storage = MemoryStorage::new();
    let namespace = ns("default");
    let (_, text) = saved_ring(&storage, &namespace);
    let pass = SecretString::from(PASS);
    let tab_storage = storage.clone();
    let mut tab1 = parse(&text, &namespace)
        .unwrap()
        .unlock_with_passphrase(&pass)
        .unwrap();
    let mut tab2 = parse(&text, &namespace)
        .unwrap()
        .unlock_with_passphrase(&pass)
        .unwrap();
    tab1.rename(EntryId(1), "Renamed in tab 1").unwrap();
    tab1.save(&storage).unwrap();
    tab2.remove(EntryId(2)).unwrap();
    assert_eq!(tab2.save(&tab_storage), Err(VaultError::Conflict));
    // tab 1's save is intact; tab 1 can keep saving.
    tab1.save(&storage).unwrap();
    assert_eq!(tab1.revision(), Some(3));

    // A new keyring must not overwrite an existing one.
    let mut fresh = new_ring(&namespace, "other");
    assert_eq!(fresh.save(&storage), Err(VaultError::Conflict));

    // Forgotten elsewhere: saving would resurrect it, so it is a conflict too.
    forget_all(&storage, &namespace).unwrap();
    assert!(matches!(load(&storage, &namespace), Ok(None)));
    assert_eq!(tab1.save(&storage), Err(VaultError::Conflict));
    fresh.save(&storage).unwrap();
}

/// Tab A is open at revision 1; tab B forgets the keyring and creates a new one, which is
/// saved as revision 1 as well. Comparing revisions, A's save would overwrite B's keyring.
#[test]
fn a_keyring_forgotten_and_created_again_elsewhere_is_a_conflict() {
    let storage = MemoryStorage::new();
    let namespace = ns("default");
    let (_, text) = saved_ring(&storage, &namespace);
    let mut tab_a = parse(&text, &namespace)
        .unwrap()
        .unlock_with_passphrase(&SecretString::from(PASS))
        .unwrap();
    assert_eq!(tab_a.revision(), Some(1));

    forget_all(&storage, &namespace).unwrap();
    let mut tab_b = new_ring(&namespace, "tab B's own passphrase");
    tab_b
        .add(entry(
            "B's key",
            KEY_C,
            EntryKind::DataAccess,
            Persistence::Saved,
        ))
        .unwrap();
    tab_b.save(&storage).unwrap();
    let b_text = storage.load(&namespace).unwrap().unwrap();
    assert_eq!(parse(&b_text, &namespace).unwrap().revision(), 1);

    tab_a.rename(EntryId(1), "Renamed in A").unwrap();
    assert_eq!(tab_a.save(&storage), Err(VaultError::Conflict));
    assert_eq!(storage.load(&namespace).unwrap(), Some(b_text.clone()));

    // The comparison is of the exact text: even a change the parser ignores (it trims) counts.
    tab_b.rename(EntryId(1), "B renamed").unwrap();
    storage
        .set_raw(&namespace.storage_key(), &format!("{b_text}\n"))
        .unwrap();
    assert_eq!(tab_b.save(&storage), Err(VaultError::Conflict));
}

#[test]
fn full_storage_keeps_the_previous_keyring() {
    let namespace = ns("default");
    let storage = MemoryStorage::with_quota(2_000);
    let mut ring = new_ring(&namespace, PASS);
    ring.add(entry(
        "First",
        KEY_A,
        EntryKind::DataAccess,
        Persistence::Saved,
    ))
    .unwrap();
    ring.save(&storage).unwrap();
    let before = storage.load(&namespace).unwrap();
    for i in 0..20 {
        ring.add(entry(
            &format!("More {i}"),
            KEY_B,
            EntryKind::Partner,
            Persistence::Saved,
        ))
        .unwrap();
    }
    assert_eq!(
        ring.save(&storage),
        Err(VaultError::Storage(StorageError::QuotaExceeded))
    );
    assert_eq!(storage.load(&namespace).unwrap(), before);
    // The failed save did not advance the revision: after freeing entries it saves fine.
    for i in 2..=21 {
        ring.remove(EntryId(i)).unwrap();
    }
    ring.save(&storage).unwrap();
}

#[test]
fn entry_operations_validate_their_input() {
    let namespace = ns("default");
    let mut ring = new_ring(&namespace, PASS);
    let blank = entry("   ", KEY_A, EntryKind::DataAccess, Persistence::Saved);
    assert_eq!(ring.add(blank), Err(VaultError::InvalidLabel));
    let long = entry(
        &"x".repeat(101),
        KEY_A,
        EntryKind::DataAccess,
        Persistence::Saved,
    );
    assert_eq!(ring.add(long), Err(VaultError::InvalidLabel));
    let empty = entry("Empty", "  \n", EntryKind::DataAccess, Persistence::Saved);
    assert_eq!(ring.add(empty), Err(VaultError::EmptyKey));
    let id = ring
        .add(entry(
            " Padded ",
            &format!("  {KEY_A}\n"),
            EntryKind::DataAccess,
            Persistence::Saved,
        ))
        .unwrap();
    assert_eq!(ring.get(id).map(|m| m.label.as_str()), Some("Padded"));
    assert_eq!(ring.open(id).unwrap().expose_secret(), KEY_A);
    // A key as it is copied from a header or a wrapped line is stored as the key alone.
    let (head, tail) = KEY_B.split_at(20);
    let copied = format!("Bearer \"{head}\n  {tail}\"");
    let copied = ring
        .add(entry(
            "Copied",
            &copied,
            EntryKind::Partner,
            Persistence::Saved,
        ))
        .unwrap();
    assert_eq!(ring.open(copied).unwrap().expose_secret(), KEY_B);
    assert_eq!(
        ring.get(copied).unwrap().fingerprint,
        crate::keyinfo::fingerprint(&SecretString::from(KEY_B))
    );
    assert_eq!(ring.rename(id, ""), Err(VaultError::InvalidLabel));
    ring.rename(id, "New name").unwrap();
    ring.set_kind(id, EntryKind::Partner).unwrap();
    assert_eq!(
        ring.get(id).map(|m| (m.label.as_str(), m.kind)),
        Some(("New name", EntryKind::Partner))
    );
    ring.remove(id).unwrap();
    assert_eq!(ring.remove(id), Err(VaultError::EntryNotFound(id.0)));
    assert_eq!(ring.rename(id, "x"), Err(VaultError::EntryNotFound(id.0)));
    // Ids are never reused.
    let next = ring
        .add(entry(
            "Again",
            KEY_A,
            EntryKind::DataAccess,
            Persistence::Saved,
        ))
        .unwrap();
    assert!(next > id);
    ring.clear();
    assert!(ring.list().is_empty());
}

#[test]
fn real_token_gets_its_token_id_recorded() {
    let root = biscuit_auth::KeyPair::new();
    let b64 = biscuit_auth::BiscuitBuilder::new()
        .code(r#"token_id("tok_vault_1");"#)
        .unwrap()
        .build(&root)
        .unwrap()
        .to_base64()
        .unwrap();
    let mut ring = new_ring(&ns("default"), PASS);
    let id = ring
        .add(entry(
            "Real",
            &format!("abs0_x1{b64}"),
            EntryKind::DataAccess,
            Persistence::Saved,
        ))
        .unwrap();
    assert_eq!(
        ring.get(id).and_then(|m| m.token_id.clone()),
        Some("tok_vault_1".to_owned())
    );
}

/// Neither the key nor the passphrase may appear in storage, in any usual encoding.
pub(crate) fn encodings_of(secret: &str) -> Vec<String> {
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

#[test]
fn storage_never_holds_a_secret_in_clear() {
    let storage = MemoryStorage::new();
    let namespace = ns("default");
    saved_ring(&storage, &namespace);
    for (key, value) in storage.items() {
        for secret in [KEY_A, KEY_B, PASS, "Analytics", "Partner ACME", BASE] {
            // Long enough substrings that a partial copy is caught too.
            for form in encodings_of(secret) {
                let probe = &form[..form.len().min(24)];
                assert!(
                    !key.contains(probe) && !value.contains(probe),
                    "{secret:?} found as {probe}"
                );
            }
        }
    }
}

/// The real floor, end to end: 600,000 iterations through the production constructors.
#[test]
fn real_iterations_round_trip() {
    let storage = MemoryStorage::new();
    let namespace = ns("default");
    let pass = SecretString::from(PASS);
    let mut ring =
        UnlockedKeyring::create_with_passphrase(namespace.clone(), &pass, DEFAULT_ITERATIONS)
            .unwrap();
    let id = ring
        .add(entry(
            "Analytics",
            KEY_A,
            EntryKind::DataAccess,
            Persistence::Saved,
        ))
        .unwrap();
    ring.save(&storage).unwrap();
    let stored = load(&storage, &namespace).unwrap().unwrap();
    assert_eq!(stored.kdf_params().iterations(), 600_000);
    let derived = derive_key(&pass, stored.kdf_params());
    let reopened = stored.unlock(derived).unwrap();
    assert_eq!(reopened.open(id).unwrap().expose_secret(), KEY_A);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]

        #[test]
        fn decoder_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let namespace = ns("default");
            let _ = Envelope::decode(&bytes, &namespace, KdfPolicy::TEST_ONLY_LOW);
            let text = STANDARD.encode(&bytes);
            if let Ok(stored) = parse(&text, &namespace) {
                prop_assert!(stored.unlock(SecretKey::from_array([7u8; 32])).is_err());
            }
        }

        #[test]
        fn decoder_never_panics_on_text(text in ".{0,300}") {
            let namespace = ns("default");
            let _ = parse(&text, &namespace);
            let _ = StoredKeyring::parse(&text, &namespace);
        }

        #[test]
        fn decoder_never_panics_on_magic_prefixed_bytes(tail in proptest::collection::vec(any::<u8>(), 0..300)) {
            // Past the magic, so the fuzzing reaches the version, KDF and length checks.
            let mut bytes = b"FKRG\x01\x01\x00\x00\x03\xe8".to_vec();
            bytes.extend_from_slice(&tail);
            let _ = Envelope::decode(&bytes, &ns("default"), KdfPolicy::TEST_ONLY_LOW);
        }
    }
}

/// Keeping a keyring: export from one browser's storage, import into another's.
mod keeping {
    use super::*;

    fn import(bytes: &[u8], namespace: &Namespace) -> Result<KeyringFile, VaultError> {
        KeyringFile::parse_with_policy(bytes, namespace, KdfPolicy::TEST_ONLY_LOW)
    }

    fn export(storage: &MemoryStorage, namespace: &Namespace) -> Result<String, VaultError> {
        super::super::transfer::export_text_with_policy(
            storage,
            namespace,
            KdfPolicy::TEST_ONLY_LOW,
        )
    }

    fn derived_for(file: &KeyringFile, pass: &str) -> SecretKey<32> {
        derive_key(&SecretString::from(pass), file.kdf_params())
    }

    #[test]
    fn an_export_is_the_stored_text_and_imports_into_another_browser() {
        let here = MemoryStorage::new();
        let namespace = ns("default");
        let (_, text) = saved_ring(&here, &namespace);
        let exported = export(&here, &namespace).unwrap();
        assert_eq!(exported, text, "the file is the stored text, exactly");

        let there = MemoryStorage::new();
        let file = import(exported.as_bytes(), &namespace).unwrap();
        let mut ring = file.open(derived_for(&file, PASS)).unwrap();
        let labels: Vec<_> = ring.list().into_iter().map(|e| e.label).collect();
        assert_eq!(labels, ["Analytics", "Partner ACME"]);
        assert_eq!(ring.open(EntryId(1)).unwrap().expose_secret(), KEY_A);
        assert_eq!(ring.open(EntryId(2)).unwrap().expose_secret(), KEY_B);

        let empty = StoredSnapshot::take(&there, &namespace).unwrap();
        assert!(empty.is_empty());
        file.write(&there, empty).unwrap();
        assert_eq!(there.load(&namespace).unwrap(), Some(text));
        // The opened keyring is based on the text just written: it saves on top of it.
        ring.rename(EntryId(1), "Analytics, imported").unwrap();
        ring.save(&there).unwrap();
        assert_eq!(ring.revision(), Some(2));
    }

    #[test]
    fn a_final_newline_or_byte_order_mark_is_not_stored() {
        let here = MemoryStorage::new();
        let namespace = ns("default");
        let (_, text) = saved_ring(&here, &namespace);
        for edited in [
            format!("{text}\n"),
            format!("{text}\r\n"),
            format!("\u{feff}{text}"),
        ] {
            let there = MemoryStorage::new();
            let file = import(edited.as_bytes(), &namespace).unwrap();
            file.write(&there, StoredSnapshot::take(&there, &namespace).unwrap())
                .unwrap();
            assert_eq!(there.load(&namespace).unwrap().as_deref(), Some(&*text));
        }
    }

    #[test]
    fn only_a_readable_stored_keyring_is_exported() {
        let storage = MemoryStorage::new();
        let namespace = ns("default");
        assert_eq!(export(&storage, &namespace), Err(VaultError::NothingStored));
        storage
            .set_raw(&namespace.storage_key(), "not a keyring")
            .unwrap();
        assert_eq!(export(&storage, &namespace), Err(VaultError::NotBase64));
    }

    #[test]
    fn a_file_that_is_not_an_export_is_refused_before_any_derivation() {
        let storage = MemoryStorage::new();
        let namespace = ns("default");
        let (_, text) = saved_ring(&storage, &namespace);
        let bytes = STANDARD.decode(&text).unwrap();
        let cases: Vec<(Vec<u8>, VaultError)> = vec![
            (Vec::new(), VaultError::NotAKeyring),
            (b"  \n".to_vec(), VaultError::NotAKeyring),
            (vec![0xff, 0xfe, 0x00, 0x41], VaultError::NotAKeyring),
            (b"{\"keyring\":\"x\"}".to_vec(), VaultError::NotBase64),
            (b"# Notes\nnothing here".to_vec(), VaultError::NotBase64),
            (
                STANDARD.encode(b"PK\x03\x04 a zip file").into_bytes(),
                VaultError::NotAKeyring,
            ),
            // An export, but padded past the size an import reads.
            (
                format!("{text}{}", " ".repeat(MAX_IMPORT_BYTES)).into_bytes(),
                VaultError::NotAKeyring,
            ),
        ];
        for (file, error) in cases {
            assert_eq!(import(&file, &namespace).err(), Some(error));
        }
        let cut = STANDARD.encode(&bytes[..60]);
        assert!(matches!(
            import(cut.as_bytes(), &namespace).err(),
            Some(VaultError::Truncated { .. })
        ));
    }

    #[test]
    fn version_kdf_bounds_and_namespace_are_checked() {
        let storage = MemoryStorage::new();
        let lab = ns("lab-a");
        let (_, text) = saved_ring(&storage, &lab);
        let bytes = STANDARD.decode(&text).unwrap();
        let with = |at: usize, value: u8| {
            let mut b = bytes.clone();
            b[at] = value;
            STANDARD.encode(&b).into_bytes()
        };
        assert_eq!(
            import(&with(4, 3), &lab).err(),
            Some(VaultError::UnsupportedVersion(3))
        );
        assert_eq!(
            import(&with(5, 9), &lab).err(),
            Some(VaultError::UnknownKdf(9))
        );
        assert!(matches!(
            import(&with(6, 0x7f), &lab).err(),
            Some(VaultError::KdfTooExpensive { .. })
        ));
        // The production bounds: this test keyring's 1,000 iterations are a downgrade.
        assert!(matches!(
            KeyringFile::parse(text.as_bytes(), &lab).err(),
            Some(VaultError::KdfDowngrade { .. })
        ));
        // An export of lab A imports only into lab A.
        assert_eq!(
            import(text.as_bytes(), &ns("default")).err(),
            Some(VaultError::NamespaceMismatch {
                expected: "default".into(),
                found: "lab-a".into()
            })
        );
        assert!(import(text.as_bytes(), &lab).is_ok());
    }

    #[test]
    fn a_wrong_passphrase_or_an_altered_key_opens_nothing() {
        let storage = MemoryStorage::new();
        let namespace = ns("default");
        let (_, text) = saved_ring(&storage, &namespace);
        let file = import(text.as_bytes(), &namespace).unwrap();
        assert_eq!(
            file.open(derived_for(&file, "Correct horse battery staple"))
                .err(),
            Some(VaultError::WrongPassphrase)
        );

        // Authentic index, but one sealed key altered: refused now, not when the key is used.
        let key = derived_for(&file, PASS);
        let altered = rewrite_index(&text, &namespace, &key, |index| {
            let sealed = index["entries"][1]["sealed_key"]
                .as_str()
                .unwrap()
                .to_owned();
            let mut raw = hex::decode(sealed).unwrap();
            raw[0] ^= 1;
            index["entries"][1]["sealed_key"] = hex::encode(raw).into();
        });
        let file = import(altered.as_bytes(), &namespace).unwrap();
        assert!(file.stored_for_tests().unlock(key.clone()).is_ok());
        assert_eq!(file.open(key).err(), Some(VaultError::Tampered));
    }

    #[test]
    fn an_import_writes_only_over_what_the_person_agreed_to_replace() {
        let namespace = ns("default");
        let old_browser = MemoryStorage::new();
        let (_, exported) = saved_ring(&old_browser, &namespace);
        let file = import(exported.as_bytes(), &namespace).unwrap();

        // This browser already has a keyring of its own.
        let here = MemoryStorage::new();
        let mut own = new_ring(&namespace, "this browser's passphrase");
        own.add(entry(
            "Own",
            KEY_C,
            EntryKind::DataAccess,
            Persistence::Saved,
        ))
        .unwrap();
        own.save(&here).unwrap();
        let own_text = here.load(&namespace).unwrap().unwrap();

        // Never over it without the question: "nothing stored" is not what is there.
        let nothing = StoredSnapshot::take(&MemoryStorage::new(), &namespace).unwrap();
        assert_eq!(file.write(&here, nothing), Err(VaultError::Conflict));
        assert_eq!(here.load(&namespace).unwrap().as_deref(), Some(&*own_text));

        // Asked, then another tab saved before the answer: the agreement no longer holds.
        let agreed = StoredSnapshot::take(&here, &namespace).unwrap();
        assert!(!agreed.is_empty());
        own.rename(EntryId(1), "Own, renamed elsewhere").unwrap();
        own.save(&here).unwrap();
        let renamed = here.load(&namespace).unwrap().unwrap();
        assert_eq!(file.write(&here, agreed), Err(VaultError::Conflict));
        assert_eq!(here.load(&namespace).unwrap().as_deref(), Some(&*renamed));

        // Asked again and agreed: replaced.
        let agreed = StoredSnapshot::take(&here, &namespace).unwrap();
        file.write(&here, agreed).unwrap();
        assert_eq!(here.load(&namespace).unwrap().as_deref(), Some(&*exported));

        // A damaged keyring can be replaced too (after the same question).
        here.set_raw(&namespace.storage_key(), "damaged").unwrap();
        let agreed = StoredSnapshot::take(&here, &namespace).unwrap();
        file.write(&here, agreed).unwrap();
        assert_eq!(here.load(&namespace).unwrap().as_deref(), Some(&*exported));
    }

    #[test]
    fn full_storage_keeps_what_was_there() {
        let namespace = ns("default");
        let (_, exported) = saved_ring(&MemoryStorage::new(), &namespace);
        let file = import(exported.as_bytes(), &namespace).unwrap();
        let here = MemoryStorage::with_quota(exported.len() / 2);
        here.set_raw(&namespace.storage_key(), "small").unwrap();
        let agreed = StoredSnapshot::take(&here, &namespace).unwrap();
        assert_eq!(
            file.write(&here, agreed),
            Err(VaultError::Storage(StorageError::QuotaExceeded))
        );
        assert_eq!(here.load(&namespace).unwrap().as_deref(), Some("small"));
    }

    #[test]
    fn the_file_name_carries_the_date_and_a_non_default_namespace() {
        let at = Timestamp::from_date(2026, 9, 1)
            .unwrap()
            .plus_seconds(23 * 3600);
        assert_eq!(
            export_file_name(&ns("default"), at),
            "foundry-keyring-2026-09-01.fkr"
        );
        assert_eq!(
            export_file_name(&ns("lab-a"), at),
            "foundry-keyring-lab-a-2026-09-01.fkr"
        );
    }
}
