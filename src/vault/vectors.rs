//! Test vectors for envelope v1 (`tests/vectors/envelope-v1.json`).
//!
//! Generated through the test-only seeded path (fixed salt, seeded nonces and data key) so
//! they are reproducible; `REGENERATE_VECTORS=1 cargo test … vault::vectors` rewrites the file.
//! The check recomputes every step with the `pbkdf2` and `aes-gcm` crates directly, not with
//! this module's code, then decodes the stored form with the real parser.
//!
//! `tests/vectors/envelope-v1-legacy.json` is never regenerated: it is what the writer produced
//! before keys were bound to an API base (entries without `api_base`), kept byte for byte so
//! the promise that such keyrings still open is checked against real old output.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests: a panic is a failure report

use super::envelope::{entry_aad, wrap_aad};
use super::index::StoredIndex;
use super::*;
use crate::api::base::ApiBase;
use crate::secret::{SecretKey, SecretString};
use crate::timestamp::Timestamp;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

const PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/vectors/envelope-v1.json"
);
const LEGACY_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/vectors/envelope-v1-legacy.json"
);

#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Vector {
    description: String,
    namespace: String,
    passphrase: String,
    kdf: String,
    iterations: u32,
    salt_hex: String,
    derived_key_hex: String,
    revision: u64,
    layers: Vec<Layer>,
    entries: Vec<VectorEntry>,
    envelope_b64: String,
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Layer {
    /// "wrap", "index" or "entry <id>".
    name: String,
    key_hex: String,
    nonce_hex: String,
    aad_hex: String,
    plaintext_hex: String,
    ciphertext_hex: String,
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct VectorEntry {
    id: u64,
    label: String,
    kind: EntryKind,
    created_at: Timestamp,
    /// Absent in the legacy vectors.
    #[serde(skip_serializing_if = "Option::is_none")]
    api_base: Option<String>,
    api_key: String,
}

struct Spec {
    description: &'static str,
    namespace: &'static str,
    passphrase: &'static str,
    iterations: u32,
    salt: [u8; SALT_LEN],
    seed: &'static [u8],
    /// Label, kind, API base, API key.
    entries: &'static [(&'static str, EntryKind, &'static str, &'static str)],
}

const SPECS: &[Spec] = &[
    Spec {
        description: "one data-access key, default namespace, 600,000 iterations",
        namespace: "default",
        passphrase: "correct horse battery staple",
        iterations: 600_000,
        salt: *b"foundry-keyring!",
        seed: b"vector-1",
        entries: &[(
            "Analytics (read)",
            EntryKind::DataAccess,
            "https://foundry-api-public.adaptyvbio.com",
            "abs0_ab12EXAMPLEnotArealKEYzzzzzzzzzzzzzzzzzzzz",
        )],
    },
    Spec {
        description: "two keys (data access and partner), non-ASCII passphrase and label",
        namespace: "team-a.prod",
        passphrase: "pässwörd ✓ 🔑",
        iterations: 600_000,
        salt: [0xA5; SALT_LEN],
        seed: b"vector-2",
        entries: &[
            (
                "Données clients",
                EntryKind::DataAccess,
                "https://foundry-api-public.adaptyvbio.com",
                "abs0_DATAexampleKEYnumberONE00000000000000000000",
            ),
            (
                "Partner: ACME",
                EntryKind::Partner,
                "https://partner.example.com:8443/foundry",
                "abs0_p_PARTNERexampleKEYnumberTWO1111111111111111",
            ),
        ],
    },
    Spec {
        description: "empty keyring, calibrated to 1,000,000 iterations",
        namespace: "x",
        passphrase: "a",
        iterations: 1_000_000,
        salt: [0u8; SALT_LEN],
        seed: b"vector-3",
        entries: &[],
    },
];

fn generate(spec: &Spec) -> Vector {
    let mut ring = ring_for(spec);
    let entries = add_entries(spec, &mut ring);
    describe(spec, &mut ring, entries).0
}

/// The empty keyring of `spec`, made with its seeded randomness.
fn ring_for(spec: &Spec) -> UnlockedKeyring {
    let namespace = Namespace::new(spec.namespace).unwrap();
    let params = KdfParams::from_parts(spec.salt, spec.iterations);
    let derived = derive_key(&SecretString::from(spec.passphrase), &params);
    UnlockedKeyring::create_for_tests(namespace, params, derived, Some(spec.seed)).unwrap()
}

fn add_entries(spec: &Spec, ring: &mut UnlockedKeyring) -> Vec<VectorEntry> {
    let mut entries = Vec::new();
    for (i, (label, kind, base, key)) in spec.entries.iter().enumerate() {
        let created_at = Timestamp::from_unix(1_790_000_000 + i as i64 * 86_400);
        let api_base = ApiBase::parse(base).unwrap();
        // The vectors hold the normalised form, which is what the index stores.
        assert_eq!(api_base.as_str(), *base);
        let id = ring
            .add(NewEntry {
                label: (*label).to_owned(),
                kind: *kind,
                api_key: SecretString::from(*key),
                created_at,
                persistence: Persistence::Saved,
                api_base,
            })
            .unwrap();
        entries.push(VectorEntry {
            id: id.0,
            label: (*label).to_owned(),
            kind: *kind,
            created_at,
            api_base: Some((*base).to_owned()),
            api_key: (*key).to_owned(),
        });
    }
    entries
}

/// Seals `ring` at revision 1 and writes down every layer of the result.
fn describe(
    spec: &Spec,
    ring: &mut UnlockedKeyring,
    entries: Vec<VectorEntry>,
) -> (Vector, super::envelope::Envelope) {
    let namespace = ring.namespace().clone();
    let derived = derive_key(&SecretString::from(spec.passphrase), ring.kdf_params());
    let env = ring.seal(1).unwrap();
    let data_key = ring.data_key_for_tests().clone();
    let index_plain = cipher::open(
        &data_key,
        &env.index_nonce,
        &env.index_aad(),
        &env.index_ciphertext,
    )
    .unwrap();
    let index: StoredIndex = serde_json::from_slice(index_plain.expose_secret()).unwrap();
    let mut layers = vec![
        layer(
            "wrap",
            &derived,
            &env.wrap_nonce,
            &wrap_aad(&env.kdf, &namespace),
            data_key.expose_secret(),
            &env.wrapped_key,
        ),
        layer(
            "index",
            &data_key,
            &env.index_nonce,
            &env.index_aad(),
            index_plain.expose_secret(),
            &env.index_ciphertext,
        ),
    ];
    for (stored, entry) in index.entries.iter().zip(&entries) {
        layers.push(layer(
            &format!("entry {}", stored.id),
            &data_key,
            &hex::decode(&stored.nonce).unwrap(),
            &entry_aad(&namespace, stored.id.0),
            entry.api_key.as_bytes(),
            &hex::decode(&stored.sealed_key).unwrap(),
        ));
    }
    let vector = Vector {
        description: spec.description.to_owned(),
        namespace: spec.namespace.to_owned(),
        passphrase: spec.passphrase.to_owned(),
        kdf: "PBKDF2-HMAC-SHA256".to_owned(),
        iterations: spec.iterations,
        salt_hex: hex::encode(spec.salt),
        derived_key_hex: hex::encode(derived.expose_secret()),
        revision: 1,
        layers,
        entries,
        envelope_b64: env.encode_text(),
    };
    (vector, env)
}

fn layer(
    name: &str,
    key: &SecretKey<32>,
    nonce: &[u8],
    aad: &[u8],
    plain: &[u8],
    ct: &[u8],
) -> Layer {
    Layer {
        name: name.to_owned(),
        key_hex: hex::encode(key.expose_secret()),
        nonce_hex: hex::encode(nonce),
        aad_hex: hex::encode(aad),
        plaintext_hex: hex::encode(plain),
        ciphertext_hex: hex::encode(ct),
    }
}

fn generate_all() -> String {
    let vectors: Vec<Vector> = SPECS.iter().map(generate).collect();
    serde_json::to_string_pretty(&vectors).unwrap() + "\n"
}

/// The committed file is exactly what the seeded generator produces.
#[test]
fn vectors_file_matches_the_generator() {
    let generated = generate_all();
    if std::env::var_os("REGENERATE_VECTORS").is_some() {
        std::fs::write(PATH, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(PATH).unwrap();
    assert_eq!(
        committed, generated,
        "run with REGENERATE_VECTORS=1 and review the diff"
    );
}

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// Recomputes every step from the JSON alone, with the crates directly.
#[test]
fn vectors_recompute_every_step() {
    let vectors = read_vectors(PATH);
    assert_eq!(vectors.len(), SPECS.len());
    assert!(
        vectors
            .iter()
            .flat_map(|v| &v.entries)
            .all(|e| e.api_base.is_some())
    );
    recompute_every_step(&vectors);
}

/// Keyrings written before keys were bound still open, their entries unbound (legacy).
#[test]
fn legacy_vectors_still_open() {
    let vectors = read_vectors(LEGACY_PATH);
    assert!(!vectors.is_empty());
    assert!(
        vectors
            .iter()
            .flat_map(|v| &v.entries)
            .all(|e| e.api_base.is_none())
    );
    for v in &vectors {
        let index_json = String::from_utf8(unhex(&v.layers[1].plaintext_hex)).unwrap();
        assert!(!index_json.contains("api_base"), "{}", v.description);
    }
    recompute_every_step(&vectors);
}

fn read_vectors(path: &str) -> Vec<Vector> {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn recompute_every_step(vectors: &[Vector]) {
    for v in vectors {
        assert!(v.iterations >= MIN_ITERATIONS);
        let mut derived = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<sha2::Sha256>(
            v.passphrase.as_bytes(),
            &unhex(&v.salt_hex),
            v.iterations,
            &mut derived,
        );
        assert_eq!(hex::encode(derived), v.derived_key_hex, "{}", v.description);

        for layer in &v.layers {
            let key: [u8; 32] = unhex(&layer.key_hex).try_into().unwrap();
            let nonce: [u8; 12] = unhex(&layer.nonce_hex).try_into().unwrap();
            let cipher = Aes256Gcm::new(&Key::<Aes256Gcm>::from(key));
            let aad = unhex(&layer.aad_hex);
            let ct = cipher
                .encrypt(
                    &Nonce::from(nonce),
                    Payload {
                        msg: &unhex(&layer.plaintext_hex),
                        aad: &aad,
                    },
                )
                .unwrap();
            assert_eq!(
                hex::encode(ct),
                layer.ciphertext_hex,
                "{} / {}",
                v.description,
                layer.name
            );
        }

        // The chain: derived key -> wrap -> data key -> index and entries.
        let (wrap, index) = (&v.layers[0], &v.layers[1]);
        assert_eq!(wrap.key_hex, v.derived_key_hex);
        assert!(
            v.layers[1..]
                .iter()
                .all(|l| l.key_hex == wrap.plaintext_hex)
        );
        let entry_layers = &v.layers[2..];
        assert_eq!(entry_layers.len(), v.entries.len());
        for (layer, entry) in entry_layers.iter().zip(&v.entries) {
            assert_eq!(unhex(&layer.plaintext_hex), entry.api_key.as_bytes());
            // The sealed key sits in the index plaintext.
            let index_json = String::from_utf8(unhex(&index.plaintext_hex)).unwrap();
            assert!(
                index_json.contains(&layer.ciphertext_hex) && index_json.contains(&layer.nonce_hex)
            );
        }

        // The stored form is the SPEC layout: aad(wrap) | wrap nonce | wrapped key | revision |
        // index nonce | index ciphertext, with aad(index) = everything before the index nonce.
        let blob = STANDARD.decode(&v.envelope_b64).unwrap();
        let mut expected = unhex(&wrap.aad_hex);
        expected.extend(unhex(&wrap.nonce_hex));
        expected.extend(unhex(&wrap.ciphertext_hex));
        expected.extend(v.revision.to_be_bytes());
        assert_eq!(unhex(&index.aad_hex), expected);
        expected.extend(unhex(&index.nonce_hex));
        expected.extend(unhex(&index.ciphertext_hex));
        assert_eq!(blob, expected);
        let ns = v.namespace.as_bytes();
        let mut header = b"FKRG\x01\x01".to_vec();
        header.extend(v.iterations.to_be_bytes());
        header.extend(unhex(&v.salt_hex));
        header.push(ns.len() as u8);
        header.extend(ns);
        assert_eq!(unhex(&wrap.aad_hex), header);

        // And the real parser opens it with the derived key.
        let namespace = Namespace::new(&v.namespace).unwrap();
        let stored = StoredKeyring::parse(&v.envelope_b64, &namespace).unwrap();
        assert_eq!(stored.revision(), v.revision);
        let ring = stored.unlock(SecretKey::from_array(derived)).unwrap();
        let listed = ring.list();
        assert_eq!(listed.len(), v.entries.len());
        for (meta, entry) in listed.iter().zip(&v.entries) {
            assert_eq!(
                (meta.id.0, meta.label.as_str(), meta.kind, meta.created_at),
                (entry.id, entry.label.as_str(), entry.kind, entry.created_at)
            );
            assert_eq!(
                meta.api_base.as_ref().map(ApiBase::as_str),
                entry.api_base.as_deref()
            );
            assert_eq!(ring.open(meta.id).unwrap().expose_secret(), entry.api_key);
        }
    }
}

// ---- Version 2: a keyring with passkeys (`tests/vectors/envelope-v2.json`) ----

const PATH_V2: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/vectors/envelope-v2.json"
);

/// A keyring with two passkeys: the version 1 fields (same meaning), and each passkey's chain
/// from its PRF output to its copy of the data key.
#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct VectorV2 {
    #[serde(flatten)]
    base: Vector,
    passkeys: Vec<PasskeyVector>,
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct PasskeyVector {
    name: String,
    credential_id_b64url: String,
    prf_salt_hex: String,
    /// What the authenticator answered for the salt (WebAuthn `prf.results.first`).
    prf_output_hex: String,
    keys_info: String,
    /// HKDF-SHA256(ikm = PRF output, no salt, info = keys_info), 64 bytes: secret ‖ seal key.
    x25519_secret_hex: String,
    seal_key_hex: String,
    public_hex: String,
    ephemeral_public_hex: String,
    /// X25519(secret, ephemeral public) = X25519(ephemeral secret, public).
    shared_hex: String,
    wrap_info: String,
    /// HKDF-SHA256(ikm = seal key ‖ shared, salt = ephemeral public ‖ public, info = wrap_info).
    wrap: Layer,
}

fn generate_v2() -> VectorV2 {
    use super::passkey::{KEYS_INFO, WRAP_INFO, wrap_key};
    let spec = Spec {
        description: "one key and two passkeys (envelope version 2), 600,000 iterations",
        namespace: "default",
        passphrase: "correct horse battery staple",
        iterations: 600_000,
        salt: *b"passkeys-vector!",
        seed: b"vector-v2",
        entries: &[(
            "Analytics (read)",
            EntryKind::DataAccess,
            "https://foundry-api-public.adaptyvbio.com",
            "abs0_ab12EXAMPLEnotArealKEYzzzzzzzzzzzzzzzzzzzz",
        )],
    };
    let mut ring = ring_for(&spec);
    let entries = add_entries(&spec, &mut ring);
    let devices: [(&str, Vec<u8>, u8, u8); 2] = [
        ("YubiKey 5", b"credential-one".to_vec(), 0x11, 0xA1),
        ("Laptop", vec![0xC2; 64], 0x22, 0xB2),
    ];
    for (name, id, salt, output) in &devices {
        ring.add_passkey(
            &PasskeyChallenge {
                credential_id: CredentialId::new(id.clone()).unwrap(),
                prf_salt: [*salt; PRF_SALT_LEN],
            },
            &crate::secret::SecretBytes::new(vec![*output; PRF_OUTPUT_LEN]),
            name,
            Timestamp::from_unix(1_800_000_000),
        )
        .unwrap();
    }
    let (base, env) = describe(&spec, &mut ring, entries);
    let namespace = ring.namespace().clone();
    let data_key = ring.data_key_for_tests().clone();
    let passkeys = devices
        .iter()
        .zip(&env.passkeys)
        .map(|((name, _, _, output), record)| {
            let prf = [*output; PRF_OUTPUT_LEN];
            let mut okm = [0u8; 64];
            hkdf::Hkdf::<sha2::Sha256>::new(None, &prf)
                .expand(KEYS_INFO, &mut okm)
                .unwrap();
            let secret =
                x25519_dalek::StaticSecret::from(<[u8; 32]>::try_from(&okm[..32]).unwrap());
            let shared = secret.diffie_hellman(&x25519_dalek::PublicKey::from(record.ephemeral));
            let seal_key = SecretKey::from_slice(&okm[32..]).unwrap();
            let key = wrap_key(
                &seal_key,
                shared.as_bytes(),
                &record.ephemeral,
                &record.public,
            )
            .unwrap();
            PasskeyVector {
                name: (*name).to_owned(),
                credential_id_b64url: record.credential_id.to_text(),
                prf_salt_hex: hex::encode(record.prf_salt),
                prf_output_hex: hex::encode(prf),
                keys_info: String::from_utf8(KEYS_INFO.to_vec()).unwrap(),
                x25519_secret_hex: hex::encode(&okm[..32]),
                seal_key_hex: hex::encode(&okm[32..]),
                public_hex: hex::encode(record.public),
                ephemeral_public_hex: hex::encode(record.ephemeral),
                shared_hex: hex::encode(shared.as_bytes()),
                wrap_info: String::from_utf8(WRAP_INFO.to_vec()).unwrap(),
                wrap: layer(
                    &format!("passkey {name}"),
                    &key,
                    &record.nonce,
                    &record.aad(&namespace),
                    data_key.expose_secret(),
                    &record.wrapped_key,
                ),
            }
        })
        .collect();
    VectorV2 { base, passkeys }
}

#[test]
fn v2_vectors_file_matches_the_generator() {
    let generated = serde_json::to_string_pretty(&vec![generate_v2()]).unwrap() + "\n";
    if std::env::var_os("REGENERATE_VECTORS").is_some() {
        std::fs::write(PATH_V2, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(PATH_V2).unwrap();
    assert_eq!(
        committed, generated,
        "run with REGENERATE_VECTORS=1 and review the diff"
    );
}

/// Every passkey step from the JSON alone, with the `hkdf`, `x25519-dalek` and `aes-gcm`
/// crates directly; then the real parser opens the envelope with each PRF output.
#[test]
fn v2_vectors_recompute_every_step() {
    let vectors: Vec<VectorV2> =
        serde_json::from_str(&std::fs::read_to_string(PATH_V2).unwrap()).unwrap();
    assert!(!vectors.is_empty());
    for v in &vectors {
        let data_key_hex = &v.base.layers[0].plaintext_hex;
        let blob = STANDARD.decode(&v.base.envelope_b64).unwrap();
        assert_eq!(blob[4], VERSION_PASSKEYS);
        // The passphrase's wrap layer binds the version 1 header, whatever the stored byte.
        assert_eq!(unhex(&v.base.layers[0].aad_hex)[4], VERSION);
        let namespace = Namespace::new(&v.base.namespace).unwrap();
        let stored = StoredKeyring::parse(&v.base.envelope_b64, &namespace).unwrap();
        assert_eq!(stored.passkeys().len(), v.passkeys.len());
        for p in &v.passkeys {
            let mut okm = [0u8; 64];
            hkdf::Hkdf::<sha2::Sha256>::new(None, &unhex(&p.prf_output_hex))
                .expand(p.keys_info.as_bytes(), &mut okm)
                .unwrap();
            assert_eq!(hex::encode(&okm[..32]), p.x25519_secret_hex);
            assert_eq!(hex::encode(&okm[32..]), p.seal_key_hex);
            let secret =
                x25519_dalek::StaticSecret::from(<[u8; 32]>::try_from(&okm[..32]).unwrap());
            assert_eq!(
                hex::encode(x25519_dalek::PublicKey::from(&secret).as_bytes()),
                p.public_hex
            );
            let ephemeral: [u8; 32] = unhex(&p.ephemeral_public_hex).try_into().unwrap();
            let shared = secret.diffie_hellman(&x25519_dalek::PublicKey::from(ephemeral));
            assert_eq!(hex::encode(shared.as_bytes()), p.shared_hex);
            let mut salt = ephemeral.to_vec();
            salt.extend(unhex(&p.public_hex));
            let mut ikm = okm[32..].to_vec();
            ikm.extend(shared.as_bytes());
            let mut wrap_key = [0u8; 32];
            hkdf::Hkdf::<sha2::Sha256>::new(Some(&salt), &ikm)
                .expand(p.wrap_info.as_bytes(), &mut wrap_key)
                .unwrap();
            assert_eq!(hex::encode(wrap_key), p.wrap.key_hex, "{}", p.name);
            let cipher = Aes256Gcm::new(&Key::<Aes256Gcm>::from(wrap_key));
            let nonce: [u8; 12] = unhex(&p.wrap.nonce_hex).try_into().unwrap();
            let plain = cipher
                .decrypt(
                    &Nonce::from(nonce),
                    Payload {
                        msg: &unhex(&p.wrap.ciphertext_hex),
                        aad: &unhex(&p.wrap.aad_hex),
                    },
                )
                .unwrap();
            assert_eq!(&hex::encode(plain), data_key_hex, "{}", p.name);
            // The associated data: FKRG 02 "passkey" n namespace, then the record's head.
            let id = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(&p.credential_id_b64url)
                .unwrap();
            let ns = v.base.namespace.as_bytes();
            let mut aad = b"FKRG\x02passkey".to_vec();
            aad.push(ns.len() as u8);
            aad.extend(ns);
            aad.extend((id.len() as u16).to_be_bytes());
            aad.extend(&id);
            aad.extend(unhex(&p.prf_salt_hex));
            aad.extend(unhex(&p.public_hex));
            aad.extend(ephemeral);
            assert_eq!(unhex(&p.wrap.aad_hex), aad);
            // The stored record is that head, its nonce and its copy, in the envelope.
            let mut record = aad[aad.len() - (2 + id.len() + 96)..].to_vec();
            record.extend(unhex(&p.wrap.nonce_hex));
            record.extend(unhex(&p.wrap.ciphertext_hex));
            assert!(
                blob.windows(record.len()).any(|w| w == record),
                "{}",
                p.name
            );

            let credential = CredentialId::new(id).unwrap();
            let ring = stored
                .unlock_with_passkey(
                    &credential,
                    &crate::secret::SecretBytes::new(unhex(&p.prf_output_hex)),
                )
                .unwrap();
            assert_eq!(
                ring.open(ring.list()[0].id).unwrap().expose_secret(),
                v.base.entries[0].api_key
            );
            let names: Vec<_> = ring.passkeys().into_iter().map(|m| m.name).collect();
            assert!(names.contains(&p.name));
        }
        // And the passphrase opens it too.
        let derived = derive_key(
            &SecretString::from(v.base.passphrase.as_str()),
            stored.kdf_params(),
        );
        assert_eq!(hex::encode(derived.expose_secret()), v.base.derived_key_hex);
        assert!(stored.unlock(derived).is_ok());
    }
}
