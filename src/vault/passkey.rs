//! Passkeys: a second way to open the data key, with a WebAuthn credential's PRF output.
//!
//! A passkey with the `prf` extension answers a salt with 32 bytes only that authenticator can
//! produce. HKDF turns them into two keys: an X25519 secret and a *seal key*. The keyring
//! stores, per passkey, the X25519 public key and the data key sealed to it (an ephemeral
//! X25519 key agreement, then AES-256-GCM under a key that also depends on the seal key).
//!
//! Why a key agreement and not the PRF-derived key wrapping the data key directly: a
//! passphrase change makes a new data key, and every passkey must keep working without being
//! touched. Sealing *to a public key* needs no secret of the passkey's. The seal key (kept
//! in the encrypted index) makes sure only someone who held the data key can write a copy
//! the passkey accepts, and the X25519 secret, which nothing stores, makes sure that someone
//! who held an old data key (an old copy of storage and the old passphrase) cannot read a copy
//! written after the change. SPEC.md, "Passkeys", has the byte layout.

use super::cipher::{self, NONCE_LEN};
use super::envelope::{VERSION_PASSKEYS, WRAPPED_KEY_LEN, bound_to};
use super::error::VaultError;
use super::namespace::Namespace;
use super::random::Rng;
use crate::secret::{SecretBytes, SecretKey};
use crate::timestamp::Timestamp;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hkdf::Hkdf;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use x25519_dalek::{PublicKey, StaticSecret, X25519_BASEPOINT_BYTES};
use zeroize::Zeroizing;

/// Length of the PRF salt (WebAuthn's `prf.eval.first`), random per passkey.
pub const PRF_SALT_LEN: usize = 32;
/// Length of a PRF output (the `hmac-secret` of CTAP2: one SHA-256 block).
pub const PRF_OUTPUT_LEN: usize = 32;
/// WebAuthn caps credential ids at 1023 bytes.
pub const MAX_CREDENTIAL_ID_LEN: usize = 1023;
/// More than enough for a person's authenticators; bounds what a crafted blob can make us parse.
pub const MAX_PASSKEYS: usize = 16;
/// HKDF info for the two keys made from a PRF output. Versioned: a new scheme gets a new string.
pub const KEYS_INFO: &[u8] = b"foundry-keyring passkey v1 keys";
/// HKDF info for the key that seals one copy of the data key.
pub const WRAP_INFO: &[u8] = b"foundry-keyring passkey v1 wrap";

/// A WebAuthn credential id (its `rawId`), written as unpadded base64url wherever it is text,
/// as WebAuthn itself writes it (`PublicKeyCredential.id`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CredentialId(Vec<u8>);

impl CredentialId {
    pub fn new(bytes: Vec<u8>) -> Result<Self, VaultError> {
        if bytes.is_empty() || bytes.len() > MAX_CREDENTIAL_ID_LEN {
            return Err(VaultError::Malformed);
        }
        Ok(Self(bytes))
    }

    pub fn parse(text: &str) -> Result<Self, VaultError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| VaultError::Malformed)?;
        Self::new(bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Unpadded base64url. Written out rather than by the base64 crate's generic encoder: the
    /// first screen needs it for passkey unlock (WebAuthn's `evalByCredential` is keyed by this
    /// text) and encodes nothing else in base64, and the crate's encoder was 2.6 kB of its
    /// module's code (before wasm-opt; about 2 kB gzip off the module, measured).
    pub fn to_text(&self) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut text = String::with_capacity(self.0.len().div_ceil(3) * 4);
        for chunk in self.0.chunks(3) {
            let group = chunk.iter().enumerate().fold(0u32, |group, (i, byte)| {
                group | u32::from(*byte) << (16 - 8 * i)
            });
            // 1, 2 or 3 bytes make 2, 3 or 4 characters.
            for i in 0..=chunk.len() {
                text.push(char::from(ALPHABET[(group >> (18 - 6 * i) & 63) as usize]));
            }
        }
        text
    }
}

impl Serialize for CredentialId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_text())
    }
}

impl<'de> Deserialize<'de> for CredentialId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).map_err(|_| serde::de::Error::custom("not a credential id"))
    }
}

/// What the page needs, while locked, to ask for one passkey's PRF output. Nothing secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyChallenge {
    pub credential_id: CredentialId,
    #[serde(with = "hex::serde")]
    pub prf_salt: [u8; PRF_SALT_LEN],
}

/// A passkey as the person sees it in the list (from the encrypted index).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyMeta {
    pub credential_id: CredentialId,
    pub name: String,
    pub created_at: Timestamp,
}

/// A passkey's copy of the data key, exactly as stored in clear (envelope version 2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PasskeyRecord {
    pub credential_id: CredentialId,
    pub prf_salt: [u8; PRF_SALT_LEN],
    /// The X25519 public key of the passkey's secret.
    pub public: [u8; 32],
    /// The X25519 public key of the ephemeral secret this copy was sealed with.
    pub ephemeral: [u8; 32],
    pub nonce: [u8; NONCE_LEN],
    pub wrapped_key: [u8; WRAPPED_KEY_LEN],
}

/// The two keys a PRF output gives. Nothing stores the X25519 secret; the seal key is kept in
/// the encrypted index so an open keyring can seal a new data key for this passkey.
pub(crate) struct PasskeyKeys {
    secret: StaticSecret,
    pub seal_key: SecretKey<32>,
}

impl PasskeyKeys {
    /// HKDF-SHA256 (no salt, info [`KEYS_INFO`]) of the PRF output, 64 bytes: the X25519
    /// secret, then the seal key.
    pub fn derive(prf_output: &SecretBytes) -> Result<Self, VaultError> {
        if prf_output.expose_secret().len() != PRF_OUTPUT_LEN {
            return Err(VaultError::PasskeyOutput);
        }
        let mut okm = Zeroizing::new([0u8; 64]);
        Hkdf::<Sha256>::new(None, prf_output.expose_secret())
            .expand(KEYS_INFO, okm.as_mut())
            .map_err(|_| VaultError::PasskeyOutput)?;
        let mut secret = Zeroizing::new([0u8; 32]);
        secret.copy_from_slice(&okm[..32]);
        let seal_key = SecretKey::from_slice(&okm[32..]).ok_or(VaultError::PasskeyOutput)?;
        Ok(Self {
            secret: StaticSecret::from(*secret),
            seal_key,
        })
    }

    pub fn public(&self) -> [u8; 32] {
        public_key(&self.secret)
    }
}

/// X25519's public key of `secret`, by the Montgomery ladder on the base point rather than
/// `PublicKey::from`, which multiplies with curve25519-dalek's precomputed Edwards table: with
/// no other use of it, the key agent's module sheds that table's 30 kB of random-looking data.
/// One ladder per passkey operation costs well under a millisecond.
fn public_key(secret: &StaticSecret) -> [u8; 32] {
    secret
        .diffie_hellman(&PublicKey::from(X25519_BASEPOINT_BYTES))
        .to_bytes()
}

impl PasskeyRecord {
    /// Seals `data_key` for a passkey known by its public key and seal key, with a fresh
    /// ephemeral key and nonce.
    pub fn seal(
        challenge: &PasskeyChallenge,
        public: [u8; 32],
        seal_key: &SecretKey<32>,
        data_key: &SecretKey<32>,
        namespace: &Namespace,
        rng: &mut Rng,
    ) -> Result<Self, VaultError> {
        let ephemeral_secret = StaticSecret::from(rng.array::<32>()?);
        let ephemeral = public_key(&ephemeral_secret);
        let shared = ephemeral_secret.diffie_hellman(&PublicKey::from(public));
        if !shared.was_contributory() {
            // Only a public key of small order gives this; ours come from a real secret.
            return Err(VaultError::Malformed);
        }
        let key = wrap_key(seal_key, shared.as_bytes(), &ephemeral, &public)?;
        let mut record = Self {
            credential_id: challenge.credential_id.clone(),
            prf_salt: challenge.prf_salt,
            public,
            ephemeral,
            nonce: rng.array()?,
            wrapped_key: [0u8; WRAPPED_KEY_LEN],
        };
        let ct = cipher::seal(
            &key,
            &record.nonce,
            &record.aad(namespace),
            data_key.expose_secret(),
        )
        .map_err(|_| VaultError::Malformed)?;
        record.wrapped_key = ct.try_into().map_err(|_| VaultError::Malformed)?;
        Ok(record)
    }

    /// Opens this copy of the data key with the keys of the passkey's PRF output.
    pub fn open(
        &self,
        keys: &PasskeyKeys,
        namespace: &Namespace,
    ) -> Result<SecretKey<32>, VaultError> {
        // A passkey of another keyring (or the same authenticator with another salt) derives
        // another public key: say so rather than "altered".
        if keys.public() != self.public {
            return Err(VaultError::PasskeyNotForKeyring);
        }
        let shared = keys.secret.diffie_hellman(&PublicKey::from(self.ephemeral));
        if !shared.was_contributory() {
            return Err(VaultError::Tampered);
        }
        let key = wrap_key(
            &keys.seal_key,
            shared.as_bytes(),
            &self.ephemeral,
            &self.public,
        )?;
        let plain = cipher::open(&key, &self.nonce, &self.aad(namespace), &self.wrapped_key)
            .map_err(|_| VaultError::Tampered)?;
        SecretKey::from_slice(plain.expose_secret()).ok_or(VaultError::Malformed)
    }

    pub fn challenge(&self) -> PasskeyChallenge {
        PasskeyChallenge {
            credential_id: self.credential_id.clone(),
            prf_salt: self.prf_salt,
        }
    }

    /// The stored bytes of this record before its nonce: credential id length (u16) and id,
    /// PRF salt, public key, ephemeral public key.
    fn head(&self) -> Vec<u8> {
        let id = self.credential_id.as_bytes();
        let mut out = Vec::with_capacity(2 + id.len() + 96);
        // CredentialId::new caps the length at 1023, so it fits two bytes.
        out.extend_from_slice(&(id.len() as u16).to_be_bytes());
        out.extend_from_slice(id);
        out.extend_from_slice(&self.prf_salt);
        out.extend_from_slice(&self.public);
        out.extend_from_slice(&self.ephemeral);
        out
    }

    /// Associated data of this copy: `FKRG` ‖ `0x02` ‖ `passkey` ‖ namespace length ‖
    /// namespace ‖ the record's bytes before its nonce. Bound to its keyring and credential, so
    /// a copy cannot be moved to another keyring or passkey and still open.
    pub fn aad(&self, namespace: &Namespace) -> Vec<u8> {
        let mut out = bound_to(VERSION_PASSKEYS, b"passkey", namespace);
        out.extend_from_slice(&self.head());
        out
    }

    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.head());
        out.extend_from_slice(&self.nonce);
        out.extend_from_slice(&self.wrapped_key);
    }
}

/// HKDF-SHA256 with salt `ephemeral ‖ public`, input `seal key ‖ X25519 shared secret`, info
/// [`WRAP_INFO`]: the AES-256-GCM key of one copy.
pub(crate) fn wrap_key(
    seal_key: &SecretKey<32>,
    shared: &[u8; 32],
    ephemeral: &[u8; 32],
    public: &[u8; 32],
) -> Result<SecretKey<32>, VaultError> {
    let mut salt = [0u8; 64];
    salt[..32].copy_from_slice(ephemeral);
    salt[32..].copy_from_slice(public);
    let mut ikm = Zeroizing::new([0u8; 64]);
    ikm[..32].copy_from_slice(seal_key.expose_secret());
    ikm[32..].copy_from_slice(shared);
    let mut expanded = Ok(());
    let key = SecretKey::fill(|okm| {
        expanded = Hkdf::<Sha256>::new(Some(&salt), ikm.as_ref()).expand(WRAP_INFO, okm);
    });
    expanded.map_err(|_| VaultError::Malformed)?;
    Ok(key)
}
