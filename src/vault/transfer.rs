//! Keeping a keyring: the export file, and its import into another browser.
//!
//! An export is the stored text of a keyring exactly as storage holds it (SPEC.md, "Stored
//! form"): nothing is decrypted, re-encrypted or added, so the file is exactly as safe as a copy
//! of storage, and it opens only with the keyring's passphrase.
//!
//! An import goes through three steps, and only the last one writes:
//! 1. [`KeyringFile::parse`] checks the file as the stored keyring of this namespace (size,
//!    UTF-8, base64, magic, version, KDF and its bounds, namespace, lengths), before any
//!    derivation.
//! 2. [`KeyringFile::open`] takes the key derived from the passphrase typed for the file (the
//!    caller derives it, in a worker) and opens the keyring: the wrap layer proves the
//!    passphrase, and the index and every entry's key must open too, so a file altered
//!    anywhere is refused whole.
//! 3. [`KeyringFile::write`] stores the file's text, with a compare-and-swap against what
//!    storage held when the person agreed to replace it ([`StoredSnapshot`]).
//!
//! The envelope is bound to its namespace, and so is a file: it imports only into an instance
//! with the namespace it was exported from (`NamespaceMismatch` otherwise). Re-binding it to
//! another namespace would mean decrypting and sealing every key again under a new envelope,
//! which is not an import of the file any more.

use super::agent::kdf::{KdfParams, KdfPolicy};
use super::error::VaultError;
use super::keyring::{StoredKeyring, UnlockedKeyring};
use super::namespace::Namespace;
use super::storage::KeyringStorage;
use crate::secret::SecretKey;
use crate::timestamp::Timestamp;
use sha2::{Digest, Sha256};

/// The export file's extension (Foundry KeyRing).
pub const EXPORT_EXTENSION: &str = "fkr";

/// Largest file an import reads: far more than a keyring that fits in browser storage (a few
/// megabytes per origin), small enough to read at once.
pub const MAX_IMPORT_BYTES: usize = 8 * 1024 * 1024;

/// The export file's text for `namespace`: what storage holds, exactly. A stored keyring this
/// build cannot read (damaged, tampered, from another namespace) is not exported: its error is
/// returned instead, and [`VaultError::NothingStored`] when nothing is stored.
pub fn export_text(
    storage: &dyn KeyringStorage,
    namespace: &Namespace,
) -> Result<String, VaultError> {
    export_text_with_policy(storage, namespace, KdfPolicy::STANDARD)
}

pub(crate) fn export_text_with_policy(
    storage: &dyn KeyringStorage,
    namespace: &Namespace,
    policy: KdfPolicy,
) -> Result<String, VaultError> {
    let text = storage.load(namespace)?.ok_or(VaultError::NothingStored)?;
    StoredKeyring::parse_with_policy(&text, namespace, policy)?;
    Ok(text)
}

/// The export's file name: `foundry-keyring-YYYY-MM-DD.fkr` (the UTC date of `at`), with the
/// namespace after `foundry-keyring-` when it is not `default`, since only an instance of that
/// namespace can import it. The namespace alphabet is safe in a file name.
pub fn export_file_name(namespace: &Namespace, at: Timestamp) -> String {
    let (year, month, day) = at.date();
    let name = match namespace.as_str() {
        "default" => String::new(),
        other => format!("{other}-"),
    };
    format!("foundry-keyring-{name}{year:04}-{month:02}-{day:02}.{EXPORT_EXTENSION}")
}

/// What storage held for a namespace at one moment, by SHA-256 of the exact text (or nothing):
/// an import writes only while storage still holds exactly that.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoredSnapshot(Option<[u8; 32]>);

impl StoredSnapshot {
    /// Looks at the namespace's stored text as it is, readable or not: a damaged keyring is
    /// something an import replaces too.
    pub fn take(storage: &dyn KeyringStorage, namespace: &Namespace) -> Result<Self, VaultError> {
        Ok(Self(storage.load(namespace)?.as_deref().map(digest_of)))
    }

    /// True when nothing was stored.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }
}

fn digest_of(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// An import file that passed the structural checks: the stored text it holds, parsed for
/// this namespace, nothing decrypted.
#[derive(Clone, Debug)]
pub struct KeyringFile {
    /// The file's text without surrounding whitespace or a byte-order mark: what is stored.
    text: String,
    stored: StoredKeyring,
}

impl KeyringFile {
    /// Checks a file's bytes as the stored keyring of `namespace`. Anything that is not one
    /// (too large, not UTF-8, not base64, no magic, cut short) is `NotAKeyring`, `NotBase64`
    /// or `Truncated`; an export of a newer format, an unknown KDF, or an iteration count out
    /// of bounds keeps its own error, and so does an export of another namespace.
    pub fn parse(bytes: &[u8], namespace: &Namespace) -> Result<Self, VaultError> {
        Self::parse_with_policy(bytes, namespace, KdfPolicy::STANDARD)
    }

    pub(crate) fn parse_with_policy(
        bytes: &[u8],
        namespace: &Namespace,
        policy: KdfPolicy,
    ) -> Result<Self, VaultError> {
        if bytes.len() > MAX_IMPORT_BYTES {
            return Err(VaultError::NotAKeyring);
        }
        let text = std::str::from_utf8(bytes).map_err(|_| VaultError::NotAKeyring)?;
        // A text editor may have added a byte-order mark or a final newline.
        let text = text.trim_start_matches('\u{feff}').trim();
        if text.is_empty() {
            return Err(VaultError::NotAKeyring);
        }
        let stored = StoredKeyring::parse_with_policy(text, namespace, policy)?;
        Ok(Self {
            text: text.to_owned(),
            stored,
        })
    }

    /// The text to store, as checked: what the key agent opens and storage gets.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// What the caller derives the key with (in a worker, as for unlocking).
    pub fn kdf_params(&self) -> &KdfParams {
        self.stored.kdf_params()
    }

    /// Opens the file's keyring with a key derived from the passphrase typed for it. A wrong
    /// passphrase is `WrongPassphrase`; an index or any entry's key that does not open is
    /// `Tampered` (or `Malformed`), so a file that would fail later is refused now. Nothing is
    /// written.
    pub fn open(&self, derived: SecretKey<32>) -> Result<UnlockedKeyring, VaultError> {
        let ring = self.stored.unlock(derived)?;
        for meta in ring.list() {
            // Each key is decrypted and dropped (zeroized) at once: only its authenticity counts.
            drop(ring.open(meta.id)?);
        }
        Ok(ring)
    }

    /// Stores the file's text as the namespace's keyring, if storage still holds exactly what
    /// `replacing` saw (nothing, or the keyring the person agreed to replace); otherwise
    /// `Conflict`, and nothing is written. A failed write (storage full) leaves the previous
    /// keyring as it was. The keyring returned by [`Self::open`] is based on this very text,
    /// so its next save goes through.
    pub fn write(
        &self,
        storage: &dyn KeyringStorage,
        replacing: StoredSnapshot,
    ) -> Result<(), VaultError> {
        let namespace = self.stored.namespace();
        if StoredSnapshot::take(storage, namespace)? != replacing {
            return Err(VaultError::Conflict);
        }
        storage.save(namespace, &self.text)?;
        Ok(())
    }
}

#[cfg(test)]
impl KeyringFile {
    pub(crate) fn stored_for_tests(&self) -> &StoredKeyring {
        &self.stored
    }
}
