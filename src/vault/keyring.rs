//! The keyring in its two states: stored (parsed, still encrypted) and unlocked.
//!
//! Unlocking is split in two so the slow key derivation can run elsewhere (a Web Worker):
//! [`StoredKeyring::parse`] exposes [`StoredKeyring::kdf_params`], the caller derives the key
//! with [`super::derive_key`], and [`StoredKeyring::unlock`] takes the derived key.
//!
//! A save is a compare-and-swap: it goes through only while storage holds exactly the text
//! this keyring was read from or last wrote, compared by SHA-256 of the whole text.

use super::agent::kdf::{KdfParams, KdfPolicy, derive_key};
use super::cipher::{self, NONCE_LEN};
use super::entry::{EntryId, EntryKind, EntryMeta, NewEntry, Persistence, clean_label};
use super::envelope::{Envelope, WRAPPED_KEY_LEN, entry_aad, wrap_aad};
use super::error::VaultError;
use super::index::{SealedKey, StoredEntry, StoredIndex, StoredPasskey};
use super::namespace::Namespace;
use super::passkey::{
    CredentialId, MAX_PASSKEYS, PasskeyChallenge, PasskeyKeys, PasskeyMeta, PasskeyRecord,
};
use super::random::Rng;
use super::storage::KeyringStorage;
use crate::api::base::ApiBase;
use crate::keyinfo;
use crate::secret::{SecretBytes, SecretKey, SecretString};
use crate::timestamp::Timestamp;
use sha2::{Digest, Sha256};

/// A keyring read from storage: structure and KDF policy checked, nothing decrypted yet.
#[derive(Clone, Debug)]
pub struct StoredKeyring {
    envelope: Envelope,
    policy: KdfPolicy,
    /// The text parsed, as storage held it: what a save of the unlocked keyring expects to
    /// replace. Hashed only when the keyring is opened (in the key agent): the page parses
    /// stored keyrings too, to offer the unlock form, and links no SHA-256 for it (8 kB).
    text: String,
}

impl StoredKeyring {
    /// Decodes the stored text of a keyring that must belong to `namespace`.
    ///
    /// Refuses foreign data, unknown versions and KDFs, iteration counts outside
    /// 600,000..=10,000,000, other namespaces and truncated blobs, before any derivation.
    pub fn parse(text: &str, namespace: &Namespace) -> Result<Self, VaultError> {
        Self::parse_with_policy(text, namespace, KdfPolicy::STANDARD)
    }

    pub(crate) fn parse_with_policy(
        text: &str,
        namespace: &Namespace,
        policy: KdfPolicy,
    ) -> Result<Self, VaultError> {
        let envelope = Envelope::decode_text(text, namespace, policy)?;
        Ok(Self {
            envelope,
            policy,
            text: text.to_owned(),
        })
    }

    /// What the caller needs to derive the key (possibly in a worker).
    pub fn kdf_params(&self) -> &KdfParams {
        &self.envelope.kdf
    }

    /// The save counter; bumps by one on every save.
    pub fn revision(&self) -> u64 {
        self.envelope.revision
    }

    pub fn namespace(&self) -> &Namespace {
        &self.envelope.namespace
    }

    /// Opens the keyring with a key derived from [`Self::kdf_params`].
    pub fn unlock(&self, derived: SecretKey<32>) -> Result<UnlockedKeyring, VaultError> {
        self.open_with(unwrap_data_key(&self.envelope, &derived)?)
    }

    /// What the page needs to ask each passkey for its PRF output (empty: no passkey).
    pub fn passkeys(&self) -> Vec<PasskeyChallenge> {
        self.envelope
            .passkeys
            .iter()
            .map(PasskeyRecord::challenge)
            .collect()
    }

    /// Opens the keyring with the PRF output of the passkey `credential_id` for its salt.
    pub fn unlock_with_passkey(
        &self,
        credential_id: &CredentialId,
        prf_output: &SecretBytes,
    ) -> Result<UnlockedKeyring, VaultError> {
        let env = &self.envelope;
        let record = env
            .passkeys
            .iter()
            .find(|p| &p.credential_id == credential_id)
            .ok_or(VaultError::PasskeyNotForKeyring)?;
        let keys = PasskeyKeys::derive(prf_output)?;
        let data_key = record.open(&keys, &env.namespace)?;
        self.open_with(data_key)
    }

    /// Opens the index with the data key, however it was unwrapped.
    fn open_with(&self, data_key: SecretKey<32>) -> Result<UnlockedKeyring, VaultError> {
        let env = &self.envelope;
        let index_plain = cipher::open(
            &data_key,
            &env.index_nonce,
            &env.index_aad(),
            &env.index_ciphertext,
        )
        .map_err(|_| VaultError::Tampered)?;
        let index: StoredIndex = serde_json::from_slice(index_plain.expose_secret())
            .map_err(|_| VaultError::Malformed)?;
        let entries = index
            .entries
            .into_iter()
            .map(Entry::from_stored)
            .collect::<Result<Vec<_>, _>>()?;
        let ids_unique = entries
            .iter()
            .enumerate()
            .all(|(i, e)| entries.iter().skip(i + 1).all(|o| o.meta.id != e.meta.id));
        if !ids_unique || entries.iter().any(|e| e.meta.id.0 >= index.next_id) {
            return Err(VaultError::Malformed);
        }
        let passkeys = Passkey::pair(&env.passkeys, index.passkeys)?;
        Ok(UnlockedKeyring {
            namespace: env.namespace.clone(),
            policy: self.policy,
            kdf: env.kdf.clone(),
            wrap_nonce: env.wrap_nonce,
            wrapped_key: env.wrapped_key,
            data_key,
            stored: Some(StoredState {
                revision: env.revision,
                digest: digest_of(&self.text),
            }),
            next_id: index.next_id,
            entries,
            passkeys,
            rng: Rng::Os,
        })
    }

    /// Derives on the calling thread, then unlocks. Blocks for the whole derivation.
    pub fn unlock_with_passphrase(
        &self,
        passphrase: &SecretString,
    ) -> Result<UnlockedKeyring, VaultError> {
        self.unlock(derive_key(passphrase, self.kdf_params()))
    }
}

/// SHA-256 of a stored text exactly as storage holds it (not trimmed, not decoded).
fn digest_of(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

fn unwrap_data_key(env: &Envelope, derived: &SecretKey<32>) -> Result<SecretKey<32>, VaultError> {
    let aad = wrap_aad(&env.kdf, &env.namespace);
    let plain = cipher::open(derived, &env.wrap_nonce, &aad, &env.wrapped_key)
        .map_err(|_| VaultError::WrongPassphrase)?;
    SecretKey::from_slice(plain.expose_secret()).ok_or(VaultError::Malformed)
}

#[derive(Clone)]
struct Entry {
    meta: EntryMeta,
    sealed: SealedKey,
}

impl Entry {
    fn from_stored(stored: StoredEntry) -> Result<Self, VaultError> {
        let sealed =
            SealedKey::from_hex(&stored.nonce, &stored.sealed_key).ok_or(VaultError::Malformed)?;
        let label = clean_label(&stored.label).ok_or(VaultError::Malformed)?;
        // The base is where the key may go: one that does not parse is never guessed at.
        let api_base = stored
            .api_base
            .as_deref()
            .map(ApiBase::parse)
            .transpose()
            .map_err(|_| VaultError::Malformed)?;
        Ok(Self {
            meta: EntryMeta {
                id: stored.id,
                label,
                kind: stored.kind,
                created_at: stored.created_at,
                fingerprint: stored.fingerprint,
                token_id: stored.token_id,
                api_base,
                persistence: Persistence::Saved,
            },
            sealed,
        })
    }

    fn to_stored(&self) -> StoredEntry {
        StoredEntry {
            id: self.meta.id,
            label: self.meta.label.clone(),
            kind: self.meta.kind,
            created_at: self.meta.created_at,
            fingerprint: self.meta.fingerprint.clone(),
            token_id: self.meta.token_id.clone(),
            api_base: self.meta.api_base.as_ref().map(|b| b.as_str().to_owned()),
            nonce: hex::encode(self.sealed.nonce),
            sealed_key: hex::encode(&self.sealed.ciphertext),
        }
    }
}

/// A passkey of an open keyring: its stored copy, what the person sees, and its seal key.
#[derive(Clone)]
struct Passkey {
    record: PasskeyRecord,
    meta: PasskeyMeta,
    seal_key: SecretKey<32>,
}

impl Passkey {
    /// Matches the envelope's copies with the index's entries, one for one, in the
    /// envelope's order. Both are authentic, so a mismatch is a writer's bug: `Malformed`.
    fn pair(
        records: &[PasskeyRecord],
        stored: Vec<StoredPasskey>,
    ) -> Result<Vec<Self>, VaultError> {
        if records.len() != stored.len() {
            return Err(VaultError::Malformed);
        }
        records
            .iter()
            .map(|record| {
                let meta = stored
                    .iter()
                    .find(|s| s.credential_id == record.credential_id)
                    .ok_or(VaultError::Malformed)?;
                let seal_key = hex::decode(meta.seal_key.expose_secret())
                    .ok()
                    .map(SecretBytes::new)
                    .and_then(|b| SecretKey::from_slice(b.expose_secret()))
                    .ok_or(VaultError::Malformed)?;
                Ok(Self {
                    record: record.clone(),
                    meta: PasskeyMeta {
                        credential_id: record.credential_id.clone(),
                        name: clean_label(&meta.name).ok_or(VaultError::Malformed)?,
                        created_at: meta.created_at,
                    },
                    seal_key,
                })
            })
            .collect()
    }

    fn to_stored(&self) -> StoredPasskey {
        StoredPasskey {
            credential_id: self.meta.credential_id.clone(),
            name: self.meta.name.clone(),
            created_at: self.meta.created_at,
            seal_key: SecretString::new(hex::encode(self.seal_key.expose_secret())),
        }
    }
}

/// An open keyring: metadata in memory, each API key still sealed until [`Self::open`].
///
/// Holds the data key, never the passphrase or the derived key. Dropping it is locking it:
/// the data key is zeroized.
pub struct UnlockedKeyring {
    namespace: Namespace,
    policy: KdfPolicy,
    kdf: KdfParams,
    wrap_nonce: [u8; NONCE_LEN],
    wrapped_key: [u8; WRAPPED_KEY_LEN],
    data_key: SecretKey<32>,
    /// The stored text this keyring was read from or last wrote; `None` for a keyring never
    /// saved. A save expects storage to still hold exactly that text.
    stored: Option<StoredState>,
    next_id: u64,
    entries: Vec<Entry>,
    passkeys: Vec<Passkey>,
    rng: Rng,
}

/// A sealed text waiting to be written ([`UnlockedKeyring::prepare_save`]), and the revision
/// to confirm once it is. Encrypted: nothing in it is secret; the key agent hands it to the
/// page as it is (`Reply::Changed`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PendingSave {
    pub text: String,
    pub revision: u64,
}

/// What this keyring knows of the stored text it is based on.
#[derive(Clone, Copy)]
struct StoredState {
    revision: u64,
    digest: [u8; 32],
}

impl UnlockedKeyring {
    /// A new, empty keyring with a fresh random data key wrapped by `derived`
    /// (derived from `params`, which must come from [`KdfParams::generate`]).
    pub fn create(
        namespace: Namespace,
        params: KdfParams,
        derived: SecretKey<32>,
    ) -> Result<Self, VaultError> {
        Self::create_with(namespace, params, derived, KdfPolicy::STANDARD, Rng::Os)
    }

    /// Generates parameters at `iterations`, derives on the calling thread and creates.
    pub fn create_with_passphrase(
        namespace: Namespace,
        passphrase: &SecretString,
        iterations: u32,
    ) -> Result<Self, VaultError> {
        let params = KdfParams::generate(iterations)?;
        let derived = derive_key(passphrase, &params);
        Self::create(namespace, params, derived)
    }

    pub(crate) fn create_with(
        namespace: Namespace,
        params: KdfParams,
        derived: SecretKey<32>,
        policy: KdfPolicy,
        mut rng: Rng,
    ) -> Result<Self, VaultError> {
        policy.check(params.iterations())?;
        let data_key = SecretKey::from_array(rng.array::<32>()?);
        let (wrap_nonce, wrapped_key) = wrap(&data_key, &derived, &params, &namespace, &mut rng)?;
        Ok(Self {
            namespace,
            policy,
            kdf: params,
            wrap_nonce,
            wrapped_key,
            data_key,
            stored: None,
            next_id: 1,
            entries: Vec::new(),
            passkeys: Vec::new(),
            rng,
        })
    }

    pub fn namespace(&self) -> &Namespace {
        &self.namespace
    }

    pub fn kdf_params(&self) -> &KdfParams {
        &self.kdf
    }

    /// The stored revision this keyring is based on (`None`: never saved).
    pub fn revision(&self) -> Option<u64> {
        self.stored.map(|s| s.revision)
    }

    /// Metadata of every entry, saved and session-only, in insertion order.
    pub fn list(&self) -> Vec<EntryMeta> {
        self.entries.iter().map(|e| e.meta.clone()).collect()
    }

    pub fn get(&self, id: EntryId) -> Option<&EntryMeta> {
        self.entries
            .iter()
            .find(|e| e.meta.id == id)
            .map(|e| &e.meta)
    }

    /// Seals a key into the keyring. Storage changes only on the next [`Self::save`].
    pub fn add(&mut self, new: NewEntry) -> Result<EntryId, VaultError> {
        let label = clean_label(&new.label).ok_or(VaultError::InvalidLabel)?;
        // The key as the agent reads a paste (no `Bearer`, quotes or line breaks), in a
        // zeroizing type; the caller's SecretString wipes itself on drop.
        let api_key = keyinfo::pasted_key(new.api_key.expose_secret());
        if api_key.is_empty() {
            return Err(VaultError::EmptyKey);
        }
        let id = EntryId(self.next_id);
        let sealed = seal_key(
            &self.data_key,
            &self.namespace,
            id,
            api_key.expose_secret().as_bytes(),
            &mut self.rng,
        )?;
        let token_id = keyinfo::inspect(api_key.expose_secret())
            .ok()
            .and_then(|info| info.token_id);
        self.entries.push(Entry {
            meta: EntryMeta {
                id,
                label,
                kind: new.kind,
                created_at: new.created_at,
                fingerprint: keyinfo::fingerprint(&api_key),
                token_id,
                api_base: Some(new.api_base),
                persistence: new.persistence,
            },
            sealed,
        });
        self.next_id = self.next_id.saturating_add(1);
        Ok(id)
    }

    pub fn rename(&mut self, id: EntryId, label: &str) -> Result<(), VaultError> {
        let label = clean_label(label).ok_or(VaultError::InvalidLabel)?;
        self.entry_mut(id)?.meta.label = label;
        Ok(())
    }

    pub fn set_kind(&mut self, id: EntryId, kind: EntryKind) -> Result<(), VaultError> {
        self.entry_mut(id)?.meta.kind = kind;
        Ok(())
    }

    /// Binds an entry's key to another API base (or binds a legacy entry for the first time).
    /// From then on the key may be sent there and nowhere else, so this is a deliberate act
    /// the person confirms in the UI, never a consequence of a link. Stored on the next save.
    pub fn bind(&mut self, id: EntryId, base: ApiBase) -> Result<(), VaultError> {
        self.entry_mut(id)?.meta.api_base = Some(base);
        Ok(())
    }

    /// Marks every entry, session-only ones included, to be stored on the next save: what
    /// setting a passphrase on a keyring that lived in this tab only means.
    pub fn keep_all(&mut self) {
        for entry in &mut self.entries {
            entry.meta.persistence = Persistence::Saved;
        }
    }

    pub fn remove(&mut self, id: EntryId) -> Result<(), VaultError> {
        let before = self.entries.len();
        self.entries.retain(|e| e.meta.id != id);
        if self.entries.len() == before {
            return Err(VaultError::EntryNotFound(id.0));
        }
        Ok(())
    }

    /// Removes every entry from this keyring (saved on the next save). To also delete the
    /// stored keyring and its passphrase, use [`super::forget_all`].
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// The passkeys that unlock this keyring, in the order they were added.
    pub fn passkeys(&self) -> Vec<PasskeyMeta> {
        self.passkeys.iter().map(|p| p.meta.clone()).collect()
    }

    /// Adds a passkey: `prf_output` is what it answered for `challenge.prf_salt`. The data key
    /// is sealed for it, and the copy is opened once with the same output before it is kept,
    /// so a copy that would not open is never stored. Storage changes on the next save (as
    /// version 2).
    pub fn add_passkey(
        &mut self,
        challenge: &PasskeyChallenge,
        prf_output: &SecretBytes,
        name: &str,
        created_at: Timestamp,
    ) -> Result<(), VaultError> {
        let name = clean_label(name).ok_or(VaultError::InvalidLabel)?;
        if self
            .passkeys
            .iter()
            .any(|p| p.meta.credential_id == challenge.credential_id)
        {
            return Err(VaultError::PasskeyExists);
        }
        if self.passkeys.len() >= MAX_PASSKEYS {
            return Err(VaultError::TooManyPasskeys {
                maximum: MAX_PASSKEYS,
            });
        }
        let keys = PasskeyKeys::derive(prf_output)?;
        let record = PasskeyRecord::seal(
            challenge,
            keys.public(),
            &keys.seal_key,
            &self.data_key,
            &self.namespace,
            &mut self.rng,
        )?;
        if record.open(&keys, &self.namespace)? != self.data_key {
            return Err(VaultError::Malformed);
        }
        self.passkeys.push(Passkey {
            record,
            meta: PasskeyMeta {
                credential_id: challenge.credential_id.clone(),
                name,
                created_at,
            },
            seal_key: keys.seal_key,
        });
        Ok(())
    }

    /// Removes a passkey's copy of the data key (on the next save). A copy of storage taken
    /// before still opens with it: only a passphrase change (a new data key) ends that.
    pub fn remove_passkey(&mut self, credential_id: &CredentialId) -> Result<(), VaultError> {
        let before = self.passkeys.len();
        self.passkeys
            .retain(|p| &p.meta.credential_id != credential_id);
        if self.passkeys.len() == before {
            return Err(VaultError::PasskeyNotFound);
        }
        Ok(())
    }

    /// Decrypts one entry's API key.
    pub fn open(&self, id: EntryId) -> Result<SecretString, VaultError> {
        let entry = self
            .entries
            .iter()
            .find(|e| e.meta.id == id)
            .ok_or(VaultError::EntryNotFound(id.0))?;
        secret_utf8(open_key(
            &self.data_key,
            &self.namespace,
            id,
            &entry.sealed,
        )?)
    }

    /// Replaces the passphrase and, with it, the data key: a new random data key re-seals
    /// every entry (saved and session-only) and is wrapped under `new_derived`; the index is
    /// sealed under it on the next save. Whoever kept an old copy of storage and knows the
    /// old passphrase holds only the old data key, which opens nothing written from now on.
    ///
    /// `current` must be derived from the current passphrase and [`Self::kdf_params`] (a
    /// walk-up user of an open tab cannot change it); `new_params` must come from
    /// [`KdfParams::generate`] with at least the current iteration count: a calibration may
    /// raise it, never lower it. Storage changes on the next save.
    pub fn change_passphrase(
        &mut self,
        current: &SecretKey<32>,
        new_params: KdfParams,
        new_derived: SecretKey<32>,
    ) -> Result<(), VaultError> {
        let current_env = self.envelope(0, [0u8; NONCE_LEN], Vec::new());
        unwrap_data_key(&current_env, current)?;
        if new_params.iterations() < self.kdf.iterations() {
            return Err(VaultError::KdfDowngrade {
                iterations: new_params.iterations(),
                minimum: self.kdf.iterations(),
            });
        }
        self.policy.check(new_params.iterations())?;
        // Everything fallible first, so a failure leaves the keyring as it was.
        let data_key = SecretKey::from_array(self.rng.array::<32>()?);
        let mut resealed = Vec::with_capacity(self.entries.len());
        for entry in &self.entries {
            let id = entry.meta.id;
            let plain = open_key(&self.data_key, &self.namespace, id, &entry.sealed)?;
            resealed.push(seal_key(
                &data_key,
                &self.namespace,
                id,
                plain.expose_secret(),
                &mut self.rng,
            )?);
        }
        // Every passkey's copy, sealed to its public key: no passkey needs to be present.
        let mut passkey_copies = Vec::with_capacity(self.passkeys.len());
        for passkey in &self.passkeys {
            passkey_copies.push(PasskeyRecord::seal(
                &passkey.record.challenge(),
                passkey.record.public,
                &passkey.seal_key,
                &data_key,
                &self.namespace,
                &mut self.rng,
            )?);
        }
        let (nonce, wrapped) = wrap(
            &data_key,
            &new_derived,
            &new_params,
            &self.namespace,
            &mut self.rng,
        )?;
        for (entry, sealed) in self.entries.iter_mut().zip(resealed) {
            entry.sealed = sealed;
        }
        for (passkey, record) in self.passkeys.iter_mut().zip(passkey_copies) {
            passkey.record = record;
        }
        // The old data key zeroizes as it is dropped here.
        self.data_key = data_key;
        self.kdf = new_params;
        self.wrap_nonce = nonce;
        self.wrapped_key = wrapped;
        Ok(())
    }

    /// Derives both keys on the calling thread, keeping the current iteration count.
    pub fn change_passphrase_with(
        &mut self,
        current: &SecretString,
        new: &SecretString,
    ) -> Result<(), VaultError> {
        let current_key = derive_key(current, &self.kdf);
        let params = KdfParams::generate_with(self.kdf.iterations(), &mut self.rng, self.policy)?;
        let new_key = derive_key(new, &params);
        self.change_passphrase(&current_key, params, new_key)
    }

    /// Writes the keyring as one blob, refusing with [`VaultError::Conflict`] unless storage
    /// still holds exactly the text this keyring was read from or last wrote (nothing, for a
    /// keyring never saved). The revision alone would not do: a keyring forgotten and created
    /// again in another tab starts at the same revision.
    pub fn save(&mut self, storage: &dyn KeyringStorage) -> Result<(), VaultError> {
        let current = storage.load(&self.namespace)?;
        let pending = self.prepare_save(current.as_deref())?;
        storage.save(&self.namespace, &pending.text)?;
        self.commit_save(&pending);
        Ok(())
    }

    /// The first half of [`Self::save`], for a keyring held where storage is out of reach (the
    /// key agent, a worker): checks that `current`, what storage holds now, is the text this
    /// keyring was read from or last wrote (else `Conflict`), and seals the text to write.
    /// Nothing changes here until [`Self::commit_save`] says the text was written, so a write
    /// that fails (storage full) leaves this keyring based on what storage still holds.
    pub fn prepare_save(&mut self, current: Option<&str>) -> Result<PendingSave, VaultError> {
        self.based_on(current)?;
        // 2^64 saves cannot happen; saturating keeps this panic-free regardless.
        let revision = self.stored.map_or(1, |s| s.revision.saturating_add(1));
        let text = self.seal(revision)?.encode_text();
        Ok(PendingSave { text, revision })
    }

    /// `Conflict` unless `current`, what storage holds now, is the text this keyring was read
    /// from or last wrote.
    pub fn based_on(&self, current: Option<&str>) -> Result<(), VaultError> {
        let unchanged = match (current, self.stored) {
            (None, None) => true,
            (Some(text), Some(stored)) => digest_of(text) == stored.digest,
            _ => false,
        };
        if unchanged {
            Ok(())
        } else {
            Err(VaultError::Conflict)
        }
    }

    /// A copy to go back to ([`Self::restore`]) if a change is not written. It draws no random
    /// numbers of its own: the copy gets the system's generator, and a restore keeps this one's.
    pub(crate) fn duplicate(&self) -> Self {
        Self {
            namespace: self.namespace.clone(),
            policy: self.policy,
            kdf: self.kdf.clone(),
            wrap_nonce: self.wrap_nonce,
            wrapped_key: self.wrapped_key,
            data_key: self.data_key.clone(),
            stored: self.stored,
            next_id: self.next_id,
            entries: self.entries.clone(),
            passkeys: self.passkeys.clone(),
            rng: Rng::Os,
        }
    }

    /// Goes back to `before`, a [`Self::duplicate`] of this keyring, keeping this one's random
    /// number generator (a seeded one in tests must not replay its stream).
    pub(crate) fn restore(&mut self, mut before: Self) {
        std::mem::swap(&mut before.rng, &mut self.rng);
        *self = before;
    }

    /// The text of `pending` is now what storage holds: the next save expects it.
    pub fn commit_save(&mut self, pending: &PendingSave) {
        self.stored = Some(StoredState {
            revision: pending.revision,
            digest: digest_of(&pending.text),
        });
    }

    /// The envelope for `revision`, with a fresh index nonce. Session-only entries are left out.
    pub(crate) fn seal(&mut self, revision: u64) -> Result<Envelope, VaultError> {
        let index = StoredIndex {
            next_id: self.next_id,
            entries: self
                .entries
                .iter()
                .filter(|e| e.meta.persistence == Persistence::Saved)
                .map(Entry::to_stored)
                .collect(),
            passkeys: self.passkeys.iter().map(Passkey::to_stored).collect(),
        };
        let plain =
            SecretBytes::new(serde_json::to_vec(&index).map_err(|_| VaultError::Malformed)?);
        let nonce = self.rng.array::<NONCE_LEN>()?;
        let mut env = self.envelope(revision, nonce, Vec::new());
        env.index_ciphertext = cipher::seal(
            &self.data_key,
            &nonce,
            &env.index_aad(),
            plain.expose_secret(),
        )
        .map_err(|_| VaultError::Malformed)?;
        Ok(env)
    }

    fn envelope(&self, revision: u64, index_nonce: [u8; NONCE_LEN], ct: Vec<u8>) -> Envelope {
        Envelope {
            kdf: self.kdf.clone(),
            namespace: self.namespace.clone(),
            wrap_nonce: self.wrap_nonce,
            wrapped_key: self.wrapped_key,
            passkeys: self.passkeys.iter().map(|p| p.record.clone()).collect(),
            revision,
            index_nonce,
            index_ciphertext: ct,
        }
    }

    fn entry_mut(&mut self, id: EntryId) -> Result<&mut Entry, VaultError> {
        self.entries
            .iter_mut()
            .find(|e| e.meta.id == id)
            .ok_or(VaultError::EntryNotFound(id.0))
    }
}

#[cfg(test)]
impl UnlockedKeyring {
    /// Test-only: the low iteration floor and, optionally, seeded randomness for vectors.
    pub(crate) fn create_for_tests(
        namespace: Namespace,
        params: KdfParams,
        derived: SecretKey<32>,
        seed: Option<&[u8]>,
    ) -> Result<Self, VaultError> {
        let rng = seed.map_or(Rng::Os, |s| Rng::Seeded(super::random::SeededRng::new(s)));
        Self::create_with(namespace, params, derived, KdfPolicy::TEST_ONLY_LOW, rng)
    }

    pub(crate) fn data_key_for_tests(&self) -> &SecretKey<32> {
        &self.data_key
    }
}

/// Wraps the data key under a passphrase-derived key (wrap layer).
fn wrap(
    data_key: &SecretKey<32>,
    derived: &SecretKey<32>,
    params: &KdfParams,
    namespace: &Namespace,
    rng: &mut Rng,
) -> Result<([u8; NONCE_LEN], [u8; WRAPPED_KEY_LEN]), VaultError> {
    let nonce = rng.array::<NONCE_LEN>()?;
    let aad = wrap_aad(params, namespace);
    // Sealing fails only for inputs larger than GCM's limit, impossible for 32 bytes.
    let ct = cipher::seal(derived, &nonce, &aad, data_key.expose_secret())
        .map_err(|_| VaultError::Malformed)?;
    let wrapped = ct.try_into().map_err(|_| VaultError::Malformed)?;
    Ok((nonce, wrapped))
}

/// Seals one entry's API key under `data_key` with a fresh nonce (entry layer).
fn seal_key(
    data_key: &SecretKey<32>,
    namespace: &Namespace,
    id: EntryId,
    api_key: &[u8],
    rng: &mut Rng,
) -> Result<SealedKey, VaultError> {
    let nonce = rng.array::<NONCE_LEN>()?;
    let aad = entry_aad(namespace, id.0);
    let ciphertext =
        cipher::seal(data_key, &nonce, &aad, api_key).map_err(|_| VaultError::Malformed)?;
    Ok(SealedKey { nonce, ciphertext })
}

/// Opens one entry's sealed key (entry layer).
fn open_key(
    data_key: &SecretKey<32>,
    namespace: &Namespace,
    id: EntryId,
    sealed: &SealedKey,
) -> Result<SecretBytes, VaultError> {
    let aad = entry_aad(namespace, id.0);
    cipher::open(data_key, &sealed.nonce, &aad, &sealed.ciphertext)
        .map_err(|_| VaultError::Tampered)
}

fn secret_utf8(bytes: SecretBytes) -> Result<SecretString, VaultError> {
    std::str::from_utf8(bytes.expose_secret())
        .map(SecretString::from)
        .map_err(|_| VaultError::Malformed)
}
