//! The index: the plaintext of the envelope's index layer (JSON), listing the saved entries.
//!
//! Each entry's API key stays sealed inside it under its own nonce, so opening the keyring
//! decrypts metadata only; a key is decrypted when the user asks for that one key.

use super::cipher::NONCE_LEN;
use super::entry::{EntryId, EntryKind};
use super::passkey::CredentialId;
use crate::secret::SecretString;
use crate::timestamp::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
pub(crate) struct StoredIndex {
    pub next_id: u64,
    pub entries: Vec<StoredEntry>,
    /// One per passkey copy in the envelope, same credential ids. Absent without passkeys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub passkeys: Vec<StoredPasskey>,
}

/// What the index knows of a passkey: what the person sees, and its seal key, so an open
/// keyring can seal a new data key for it (a passphrase change) without touching it.
#[derive(Serialize, Deserialize)]
pub(crate) struct StoredPasskey {
    pub credential_id: CredentialId,
    pub name: String,
    pub created_at: Timestamp,
    /// Hex of the 32-byte seal key.
    #[serde(serialize_with = "expose")]
    pub seal_key: SecretString,
}

fn expose<S: serde::Serializer>(value: &SecretString, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(value.expose_secret())
}

#[derive(Serialize, Deserialize)]
pub(crate) struct StoredEntry {
    pub id: EntryId,
    pub label: String,
    pub kind: EntryKind,
    pub created_at: Timestamp,
    pub fingerprint: String,
    pub token_id: Option<String>,
    /// The normalised API base the key is bound to. Absent in entries written before keys
    /// were bound (legacy): serde reads a missing `Option` field as `None`. Left out again
    /// when such an entry is saved, so it stays legacy until the person binds it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_base: Option<String>,
    /// Hex of the entry layer's 12-byte nonce.
    pub nonce: String,
    /// Hex of the entry layer's ciphertext and tag.
    pub sealed_key: String,
}

/// An API key sealed under the data key (entry layer).
#[derive(Clone)]
pub(crate) struct SealedKey {
    pub nonce: [u8; NONCE_LEN],
    pub ciphertext: Vec<u8>,
}

impl SealedKey {
    pub fn from_hex(nonce: &str, ciphertext: &str) -> Option<Self> {
        let nonce = hex::decode(nonce).ok()?.try_into().ok()?;
        let ciphertext = hex::decode(ciphertext).ok()?;
        Some(Self { nonce, ciphertext })
    }
}
