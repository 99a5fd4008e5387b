//! The encrypted keyring: envelope format, key derivation, cipher, storage backends.
//!
//! Read `SPEC.md` in this folder for the byte layout and the reasoning. In short: a
//! passphrase-derived key (PBKDF2-HMAC-SHA256, >= 600,000 iterations) wraps a random data key;
//! the data key seals an index of entries, and each entry's API key separately. Everything
//! stored is authenticated; only the KDF parameters, namespace and revision are in clear.
//!
//! Typical flow (the derivation may run in a worker):
//! ```ignore
//! let stored = vault::load(&storage, &ns)?;               // Option<StoredKeyring>
//! let derived = vault::derive_key(&pass, stored.kdf_params());
//! let mut ring = stored.unlock(derived)?;
//! let id = ring.add(NewEntry { .. })?;
//! ring.save(&storage)?;                                   // Conflict if another tab saved
//! let key = ring.open(id)?;                               // SecretString
//! ```
//!
//! Keeping a keyring (`transfer.rs`): the export is the stored text exactly; an import is
//! checked ([`KeyringFile::parse`]), opened with its passphrase ([`KeyringFile::open`]) and only
//! then written, over what the person agreed to replace ([`KeyringFile::write`]).

pub mod agent;
mod cipher;
mod entry;
mod envelope;
mod error;
mod index;
mod keyring;
mod namespace;
mod passkey;
mod random;
pub mod storage;
mod transfer;

#[cfg(test)]
mod passkey_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod vectors;

pub use agent::kdf::{
    DEFAULT_ITERATIONS, KDF_PBKDF2_HMAC_SHA256, KdfParams, MAX_ITERATIONS, MIN_ITERATIONS,
    SALT_LEN, derive_key,
};
pub use entry::{EntryId, EntryKind, EntryMeta, MAX_LABEL_CHARS, NewEntry, Persistence};
pub use envelope::{MAGIC, VERSION, VERSION_PASSKEYS};
pub use error::VaultError;
pub use keyring::{PendingSave, StoredKeyring, UnlockedKeyring};
pub use namespace::Namespace;
pub use passkey::{
    CredentialId, MAX_CREDENTIAL_ID_LEN, MAX_PASSKEYS, PRF_OUTPUT_LEN, PRF_SALT_LEN,
    PasskeyChallenge, PasskeyMeta,
};
pub use storage::{KeyringStorage, MemoryStorage, StorageError};
pub use transfer::{
    EXPORT_EXTENSION, KeyringFile, MAX_IMPORT_BYTES, StoredSnapshot, export_file_name, export_text,
};

/// Reads the namespace's keyring, if there is one, and checks its structure.
pub fn load(
    storage: &dyn KeyringStorage,
    namespace: &Namespace,
) -> Result<Option<StoredKeyring>, VaultError> {
    storage
        .load(namespace)?
        .map(|text| StoredKeyring::parse(&text, namespace))
        .transpose()
}

/// Deletes the namespace's stored keyring: every saved key and the passphrase's wrap layer.
/// Session-only entries live in an `UnlockedKeyring` and go when it is dropped.
pub fn forget_all(storage: &dyn KeyringStorage, namespace: &Namespace) -> Result<(), VaultError> {
    storage.remove(namespace).map_err(VaultError::from)
}
