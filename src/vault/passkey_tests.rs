//! Native tests of passkeys: the envelope with several copies of the data key (version 2),
//! tampering with each copy, passphrase changes, removal, and passkeys that are not this
//! keyring's. A "PRF output" here is any 32 bytes: what an authenticator would answer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests: a panic is a failure report

use super::agent::kdf::KdfPolicy;
use super::envelope::Envelope;
use super::passkey::{MAX_CREDENTIAL_ID_LEN, PasskeyKeys, PasskeyRecord};
use super::random::Rng;
use super::*;
use crate::api::base::ApiBase;
use crate::secret::{SecretBytes, SecretKey, SecretString};
use crate::timestamp::Timestamp;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

const LOW: u32 = 1_000;
const PASS: &str = "correct horse battery staple";
const KEY: &str = "abs0_ab12AAAAbbbbCCCCddddEEEEffffGGGGhhhhIIII";

fn ns(name: &str) -> Namespace {
    Namespace::new(name).unwrap()
}

fn parse(text: &str, namespace: &Namespace) -> Result<StoredKeyring, VaultError> {
    StoredKeyring::parse_with_policy(text, namespace, KdfPolicy::TEST_ONLY_LOW)
}

fn derived(pass: &str, params: &KdfParams) -> SecretKey<32> {
    derive_key(&SecretString::from(pass), params)
}

fn new_ring(namespace: &Namespace) -> UnlockedKeyring {
    let params = KdfParams::generate_with(LOW, &mut Rng::Os, KdfPolicy::TEST_ONLY_LOW).unwrap();
    let key = derived(PASS, &params);
    let mut ring = UnlockedKeyring::create_for_tests(namespace.clone(), params, key, None).unwrap();
    ring.add(NewEntry {
        label: "Analytics".to_owned(),
        kind: EntryKind::DataAccess,
        api_key: SecretString::from(KEY),
        created_at: Timestamp::from_unix(1_790_000_000),
        persistence: Persistence::Saved,
        api_base: ApiBase::parse("https://foundry-api-public.adaptyvbio.com").unwrap(),
    })
    .unwrap();
    ring
}

/// A passkey as the tests play it: its credential id, salt and the PRF output for that salt.
struct Authenticator {
    challenge: PasskeyChallenge,
    output: SecretBytes,
}

fn authenticator(n: u8) -> Authenticator {
    Authenticator {
        challenge: PasskeyChallenge {
            credential_id: CredentialId::new(vec![n; 16 + usize::from(n)]).unwrap(),
            prf_salt: [n.wrapping_mul(7); PRF_SALT_LEN],
        },
        output: SecretBytes::new(vec![n.wrapping_add(100); PRF_OUTPUT_LEN]),
    }
}

fn add(ring: &mut UnlockedKeyring, a: &Authenticator, name: &str) {
    ring.add_passkey(
        &a.challenge,
        &a.output,
        name,
        Timestamp::from_unix(1_800_000_000),
    )
    .unwrap();
}

fn with_passkey(stored: &StoredKeyring, a: &Authenticator) -> Result<UnlockedKeyring, VaultError> {
    stored.unlock_with_passkey(&a.challenge.credential_id, &a.output)
}

/// The text of `ring`'s first save, which it is then based on.
fn saved(ring: &mut UnlockedKeyring) -> String {
    let pending = ring.prepare_save(None).unwrap();
    ring.commit_save(&pending);
    pending.text
}

fn version_of(text: &str) -> u8 {
    STANDARD.decode(text).unwrap()[4]
}

fn api_key(ring: &UnlockedKeyring) -> String {
    let id = ring.list()[0].id;
    ring.open(id).unwrap().expose_secret().to_owned()
}

#[test]
fn a_passkey_opens_the_same_keyring_as_the_passphrase() {
    let namespace = ns("default");
    let mut ring = new_ring(&namespace);
    let (one, two) = (authenticator(1), authenticator(2));
    add(&mut ring, &one, "YubiKey");
    add(&mut ring, &two, "Laptop");
    let text = saved(&mut ring);
    assert_eq!(version_of(&text), VERSION_PASSKEYS);

    let stored = parse(&text, &namespace).unwrap();
    assert_eq!(
        stored.passkeys(),
        vec![one.challenge.clone(), two.challenge.clone()]
    );
    for a in [&one, &two] {
        let opened = with_passkey(&stored, a).unwrap();
        assert_eq!(api_key(&opened), KEY);
        let names: Vec<_> = opened.passkeys().into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["YubiKey", "Laptop"]);
        assert_eq!(
            opened.passkeys()[0].created_at,
            Timestamp::from_unix(1_800_000_000)
        );
    }
    let by_passphrase = stored.unlock(derived(PASS, stored.kdf_params())).unwrap();
    assert_eq!(api_key(&by_passphrase), KEY);
    assert_eq!(by_passphrase.passkeys().len(), 2);
}

#[test]
fn nothing_but_the_registered_answer_opens() {
    let namespace = ns("default");
    let mut ring = new_ring(&namespace);
    let one = authenticator(1);
    add(&mut ring, &one, "YubiKey");
    let stored = parse(&saved(&mut ring), &namespace).unwrap();

    // Another authenticator's answer for this credential id (or this one's for another salt).
    let wrong = SecretBytes::new(vec![0x42; PRF_OUTPUT_LEN]);
    assert_eq!(
        stored
            .unlock_with_passkey(&one.challenge.credential_id, &wrong)
            .err(),
        Some(VaultError::PasskeyNotForKeyring)
    );
    // A credential this keyring does not know.
    let other = authenticator(3);
    assert_eq!(
        with_passkey(&stored, &other).err(),
        Some(VaultError::PasskeyNotForKeyring)
    );
    // An answer that is not a PRF output.
    let short = SecretBytes::new(vec![1; 16]);
    assert_eq!(
        stored
            .unlock_with_passkey(&one.challenge.credential_id, &short)
            .err(),
        Some(VaultError::PasskeyOutput)
    );

    // The same passkey made for another keyring (another namespace) does not open this one,
    // and this one's copy does not open there.
    let other_ns = ns("other");
    let mut elsewhere = new_ring(&other_ns);
    let same_device = Authenticator {
        challenge: one.challenge.clone(),
        output: SecretBytes::new(vec![0x55; PRF_OUTPUT_LEN]),
    };
    add(&mut elsewhere, &same_device, "YubiKey");
    let elsewhere = parse(&saved(&mut elsewhere), &other_ns).unwrap();
    assert_eq!(
        with_passkey(&stored, &same_device).err(),
        Some(VaultError::PasskeyNotForKeyring)
    );
    assert_eq!(
        with_passkey(&elsewhere, &one).err(),
        Some(VaultError::PasskeyNotForKeyring)
    );
}

#[test]
fn every_byte_flip_of_a_two_passkey_keyring_is_refused_by_every_way_in() {
    let namespace = ns("default");
    let mut ring = new_ring(&namespace);
    let (one, two) = (authenticator(1), authenticator(2));
    add(&mut ring, &one, "YubiKey");
    add(&mut ring, &two, "Laptop");
    let text = saved(&mut ring);
    let original = parse(&text, &namespace).unwrap();
    let key = derived(PASS, original.kdf_params());
    let bytes = STANDARD.decode(&text).unwrap();
    for at in 0..bytes.len() {
        let mut flipped = bytes.clone();
        flipped[at] ^= 0x01;
        let flipped = STANDARD.encode(&flipped);
        let Ok(stored) = parse(&flipped, &namespace) else {
            continue;
        };
        assert!(stored.unlock(key.clone()).is_err(), "passphrase, byte {at}");
        for a in [&one, &two] {
            assert!(with_passkey(&stored, a).is_err(), "passkey, byte {at}");
        }
    }
    for len in 0..bytes.len() {
        let cut = STANDARD.encode(&bytes[..len]);
        if let Ok(stored) = parse(&cut, &namespace) {
            assert!(stored.unlock(key.clone()).is_err(), "cut to {len}");
            assert!(with_passkey(&stored, &one).is_err(), "cut to {len}");
        }
    }
}

/// Someone who can write storage but never held the data key (a script on the origin) seals a
/// data key of their own to the passkey's public key, which is stored in clear, and builds a
/// whole keyring around it: the passkey refuses it, because the copy also needs the seal key.
#[test]
fn a_copy_sealed_without_the_seal_key_is_refused() {
    let namespace = ns("default");
    let mut ring = new_ring(&namespace);
    let one = authenticator(1);
    add(&mut ring, &one, "YubiKey");
    let text = saved(&mut ring);
    let mut env = Envelope::decode_text(&text, &namespace, KdfPolicy::TEST_ONLY_LOW).unwrap();

    let forged_data_key = SecretKey::from_array([0x33; 32]);
    let guessed_seal_key = SecretKey::from_array([0x44; 32]);
    let record = &env.passkeys[0];
    env.passkeys[0] = PasskeyRecord::seal(
        &record.challenge(),
        record.public,
        &guessed_seal_key,
        &forged_data_key,
        &namespace,
        &mut Rng::Os,
    )
    .unwrap();
    env.index_ciphertext = cipher::seal(
        &forged_data_key,
        &env.index_nonce,
        &env.index_aad(),
        br#"{"next_id":1,"entries":[]}"#,
    )
    .unwrap();
    let forged = parse(&env.encode_text(), &namespace).unwrap();
    assert_eq!(
        with_passkey(&forged, &one).err(),
        Some(VaultError::Tampered)
    );
}

#[test]
fn passkeys_survive_a_passphrase_change_and_old_data_keys_open_nothing_new() {
    let namespace = ns("default");
    let mut ring = new_ring(&namespace);
    let one = authenticator(1);
    add(&mut ring, &one, "YubiKey");
    let before = saved(&mut ring);
    let old_stored = parse(&before, &namespace).unwrap();
    let old_params = ring.kdf_params().clone();
    let old_data_key = ring.data_key_for_tests().clone();

    let new_params = KdfParams::generate_with(LOW, &mut Rng::Os, KdfPolicy::TEST_ONLY_LOW).unwrap();
    ring.change_passphrase(
        &derived(PASS, &old_params),
        new_params.clone(),
        derived("a new passphrase", &new_params),
    )
    .unwrap();
    let after = ring.prepare_save(Some(&before)).unwrap().text;
    let stored = parse(&after, &namespace).unwrap();

    let opened = with_passkey(&stored, &one).unwrap();
    assert_eq!(api_key(&opened), KEY);
    assert!(opened.data_key_for_tests() != &old_data_key);
    assert_eq!(opened.passkeys()[0].name, "YubiKey");
    // The old passphrase and the old copy still open the old copy, and nothing of the new.
    assert!(old_stored.unlock(derived(PASS, &old_params)).is_ok());
    assert_eq!(
        stored.unlock(derived(PASS, stored.kdf_params())).err(),
        Some(VaultError::WrongPassphrase)
    );
    // What the old data key gives (the old index, the passkey's seal key in it) does not open
    // the new copy: that needs the passkey's X25519 secret, which nothing stores.
    let env = Envelope::decode_text(&after, &namespace, KdfPolicy::TEST_ONLY_LOW).unwrap();
    assert!(
        cipher::open(
            &old_data_key,
            &env.index_nonce,
            &env.index_aad(),
            &env.index_ciphertext
        )
        .is_err()
    );
    let old_env = Envelope::decode_text(&before, &namespace, KdfPolicy::TEST_ONLY_LOW).unwrap();
    assert_ne!(old_env.passkeys[0].ephemeral, env.passkeys[0].ephemeral);
    assert_eq!(old_env.passkeys[0].public, env.passkeys[0].public);
}

#[test]
fn removing_passkeys_removes_their_copies_and_the_last_one_the_version() {
    let namespace = ns("default");
    let mut ring = new_ring(&namespace);
    let (one, two) = (authenticator(1), authenticator(2));
    add(&mut ring, &one, "YubiKey");
    add(&mut ring, &two, "Laptop");
    let first = saved(&mut ring);

    ring.remove_passkey(&one.challenge.credential_id).unwrap();
    assert_eq!(
        ring.remove_passkey(&one.challenge.credential_id),
        Err(VaultError::PasskeyNotFound)
    );
    let second = ring.prepare_save(Some(&first)).unwrap();
    ring.commit_save(&second);
    let stored = parse(&second.text, &namespace).unwrap();
    assert_eq!(stored.passkeys(), vec![two.challenge.clone()]);
    assert_eq!(
        with_passkey(&stored, &one).err(),
        Some(VaultError::PasskeyNotForKeyring)
    );
    assert!(with_passkey(&stored, &two).is_ok());

    ring.remove_passkey(&two.challenge.credential_id).unwrap();
    let third = ring.prepare_save(Some(&second.text)).unwrap().text;
    assert_eq!(version_of(&third), VERSION);
    let stored = parse(&third, &namespace).unwrap();
    assert!(stored.passkeys().is_empty());
    // Going from version 2 back to 1 needed no passphrase, and the passphrase still opens it.
    assert_eq!(
        api_key(&stored.unlock(derived(PASS, stored.kdf_params())).unwrap()),
        KEY
    );
}

#[test]
fn adding_a_passkey_checks_its_input() {
    let namespace = ns("default");
    let mut ring = new_ring(&namespace);
    let one = authenticator(1);
    let at = Timestamp::from_unix(1_800_000_000);
    assert_eq!(
        ring.add_passkey(&one.challenge, &one.output, "  ", at),
        Err(VaultError::InvalidLabel)
    );
    assert_eq!(
        ring.add_passkey(&one.challenge, &SecretBytes::new(vec![1; 31]), "Key", at),
        Err(VaultError::PasskeyOutput)
    );
    add(&mut ring, &one, "Key");
    assert_eq!(
        ring.add_passkey(&one.challenge, &one.output, "Again", at),
        Err(VaultError::PasskeyExists)
    );
    for n in 2..=u8::try_from(MAX_PASSKEYS).unwrap() {
        add(&mut ring, &authenticator(n), "More");
    }
    let seventeenth = authenticator(200);
    assert_eq!(
        ring.add_passkey(&seventeenth.challenge, &seventeenth.output, "Too many", at),
        Err(VaultError::TooManyPasskeys {
            maximum: MAX_PASSKEYS
        })
    );
    // Sixteen copies with 216-byte credential ids still read back.
    let text = saved(&mut ring);
    assert_eq!(
        parse(&text, &namespace).unwrap().passkeys().len(),
        MAX_PASSKEYS
    );
    assert!(CredentialId::new(vec![]).is_err());
    assert!(CredentialId::new(vec![0; MAX_CREDENTIAL_ID_LEN + 1]).is_err());
}

#[test]
fn a_version_2_header_with_no_passkeys_or_a_cut_record_is_refused() {
    let namespace = ns("default");
    let mut ring = new_ring(&namespace);
    add(&mut ring, &authenticator(1), "YubiKey");
    let bytes = STANDARD.decode(saved(&mut ring)).unwrap();
    let count_at = 27 + namespace.as_str().len() + 12 + 48;
    assert_eq!(bytes[count_at], 1);
    let mut none = bytes.clone();
    none[count_at] = 0;
    let decode = |b: &[u8]| Envelope::decode(b, &namespace, KdfPolicy::TEST_ONLY_LOW).err();
    assert_eq!(decode(&none), Some(VaultError::Malformed));
    let mut many = bytes.clone();
    many[count_at] = 17;
    assert_eq!(decode(&many), Some(VaultError::Malformed));
    assert!(matches!(
        decode(&bytes[..count_at + 40]),
        Some(VaultError::Truncated { .. })
    ));
}

#[test]
fn the_keys_of_a_prf_output_are_stable_and_distinct() {
    let a = PasskeyKeys::derive(&SecretBytes::new(vec![7; 32])).unwrap();
    let b = PasskeyKeys::derive(&SecretBytes::new(vec![7; 32])).unwrap();
    let c = PasskeyKeys::derive(&SecretBytes::new(vec![8; 32])).unwrap();
    assert_eq!(a.public(), b.public());
    assert_ne!(a.public(), c.public());
    assert!(a.seal_key == b.seal_key);
    assert!(a.seal_key != c.seal_key);
}

/// A credential id's text is unpadded base64url exactly as the base64 crate (and WebAuthn's
/// `PublicKeyCredential.id`) writes it, for every length up to the largest id, and reads back.
#[test]
fn a_credential_id_is_written_as_unpadded_base64url() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut rng = Rng::Os;
    for len in 1..=MAX_CREDENTIAL_ID_LEN {
        for pattern in [0x00, 0xff, 0xfb, 0x3e] {
            let bytes: Vec<u8> = (0..len).map(|i| pattern ^ (i as u8)).collect();
            let id = CredentialId::new(bytes.clone()).unwrap();
            assert_eq!(
                id.to_text(),
                URL_SAFE_NO_PAD.encode(&bytes),
                "{len} bytes of {pattern:#x}"
            );
            assert_eq!(CredentialId::parse(&id.to_text()).unwrap(), id);
        }
        let mut random = vec![0u8; len];
        rng.fill(&mut random).unwrap();
        let id = CredentialId::new(random.clone()).unwrap();
        assert_eq!(id.to_text(), URL_SAFE_NO_PAD.encode(&random));
    }
}
