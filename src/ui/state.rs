//! The keyring as the views see it: which phase the page is in, the entries' metadata, and the
//! key in use. The plain key and the open keyring sit in `StoredValue`s, never in a signal that
//! a view renders, and every operation goes through the vault module.

use crate::api::base::ApiBase;
use crate::keyinfo::{self, KeyInfo};
use crate::secret::{SecretKey, SecretString};
use crate::timestamp::Timestamp;
use crate::ui::kdf;
use crate::ui::options::build_default_base;
use crate::vault::storage::local::{LocalStorage as BrowserStorage, subscribe_keyring_changes};
use crate::vault::{
    self, EntryId, EntryMeta, KdfParams, KeyringFile, Namespace, NewEntry, StoredKeyring,
    StoredSnapshot, UnlockedKeyring, VaultError,
};
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Nothing stored in this browser: offer to add a key.
    FirstRun,
    /// A stored keyring awaits its passphrase.
    Locked,
    Unlocked,
}

/// Why the page locked itself, shown on the unlock form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockReason {
    Manual,
    Idle,
    Hidden,
    ChangedElsewhere,
}

impl LockReason {
    pub fn message(&self) -> Option<&'static str> {
        match self {
            LockReason::Manual => None,
            LockReason::Idle => Some("Locked after a period of inactivity."),
            LockReason::Hidden => Some("Locked because the page was hidden."),
            LockReason::ChangedElsewhere => Some(
                "The keyring was changed in another tab or window. Unlock again to see the changes.",
            ),
        }
    }
}

pub fn now() -> Timestamp {
    Timestamp::from_unix((js_sys::Date::now() / 1000.0) as i64)
}

#[derive(Clone, Copy)]
pub struct KeyringState {
    pub phase: RwSignal<Phase>,
    pub entries: RwSignal<Vec<EntryMeta>>,
    pub active: RwSignal<Option<EntryId>>,
    /// False for a keyring that lives in this tab only.
    pub saved: RwSignal<bool>,
    /// Bumped whenever the key in use changes, so views that call the API refetch.
    pub key_epoch: RwSignal<u64>,
    pub lock_reason: RwSignal<Option<LockReason>>,
    /// A stored keyring that cannot be read (corrupt, tampered, downgraded...).
    pub stored_problem: RwSignal<Option<VaultError>>,
    ring: StoredValue<Option<UnlockedKeyring>, LocalStorage>,
    key: StoredValue<Option<SecretString>, LocalStorage>,
    /// A tab-only keyring's random wrap key: what "the current passphrase" is for it when the
    /// user later sets a real one. Never stored.
    session_wrap: StoredValue<Option<SecretKey<32>>, LocalStorage>,
    namespace: StoredValue<Namespace, LocalStorage>,
    worker_url: StoredValue<String>,
}

impl KeyringState {
    pub fn new(namespace: Namespace, worker_url: String) -> Self {
        let state = Self {
            phase: RwSignal::new(Phase::FirstRun),
            entries: RwSignal::new(Vec::new()),
            active: RwSignal::new(None),
            saved: RwSignal::new(false),
            key_epoch: RwSignal::new(0),
            lock_reason: RwSignal::new(None),
            stored_problem: RwSignal::new(None),
            ring: StoredValue::new_local(None),
            key: StoredValue::new_local(None),
            session_wrap: StoredValue::new_local(None),
            namespace: StoredValue::new_local(namespace),
            worker_url: StoredValue::new(worker_url),
        };
        state.inspect_storage();
        state
    }

    /// An embedded instance can be unmounted while a key derivation runs; its state is then
    /// disposed, and reading it would panic. Checked after every `await`.
    fn still_mounted(&self) -> Result<(), VaultError> {
        if self.namespace.is_disposed() {
            return Err(VaultError::Closed);
        }
        Ok(())
    }

    fn storage() -> Result<BrowserStorage, VaultError> {
        BrowserStorage::open().map_err(VaultError::from)
    }

    fn namespace(&self) -> Namespace {
        self.namespace.with_value(Clone::clone)
    }

    fn load_stored(&self) -> Result<Option<StoredKeyring>, VaultError> {
        vault::load(&Self::storage()?, &self.namespace())
    }

    /// Another tab or window of this origin changed, forgot or replaced this namespace's
    /// keyring: this tab locks at once, so a "Forget" there stops this tab from sending the key
    /// here, and nothing this tab holds can be saved over the other's change. A keyring that
    /// lives in this tab only is not stored and stays open (locking would lose its keys); its
    /// next save is refused as a conflict instead. Lives as long as the calling component.
    pub fn watch_other_tabs(&self) {
        let state = *self;
        let on_change = move || {
            if state.namespace.is_disposed() {
                return;
            }
            match state.phase.get_untracked() {
                Phase::Unlocked if state.saved.get_untracked() => {
                    state.lock(LockReason::ChangedElsewhere)
                }
                Phase::Unlocked => {}
                Phase::Locked | Phase::FirstRun => state.inspect_storage(),
            }
        };
        // Storage that cannot be opened has no other tab to hear from.
        if let Ok(subscription) = subscribe_keyring_changes(&self.namespace(), on_change) {
            // Dropped, and the listener removed, when the owner is cleaned up.
            let _guard = StoredValue::new_local(subscription);
        }
    }

    /// Looks at what is stored, without a passphrase: decides between first run and locked.
    pub fn inspect_storage(&self) {
        match self.load_stored() {
            Ok(Some(_)) => {
                self.stored_problem.set(None);
                self.phase.set(Phase::Locked);
            }
            Ok(None) => {
                self.stored_problem.set(None);
                self.phase.set(Phase::FirstRun);
            }
            Err(problem) => {
                self.stored_problem.set(Some(problem));
                self.phase.set(Phase::Locked);
            }
        }
    }

    /// The key in use and the one API base it may be sent to, for one API call. The copy of
    /// the key zeroizes when the caller drops it. Every request that carries a key takes its
    /// address from here, never from the page's URL or settings.
    pub fn credential(&self) -> Option<Credential> {
        let key = self.key.try_with_value(Clone::clone).flatten()?;
        let base = self.active_base_untracked()?;
        Some(Credential { base, key })
    }

    /// The base the key in use is bound to (untracked).
    pub fn active_base_untracked(&self) -> Option<ApiBase> {
        self.active_meta_untracked().map(|meta| bound_base(&meta))
    }

    pub fn active_meta_untracked(&self) -> Option<EntryMeta> {
        let id = self.active.try_get_untracked().flatten()?;
        self.entries
            .try_with_untracked(|entries| entries.iter().find(|e| e.id == id).cloned())
            .flatten()
    }

    /// The base the key in use is bound to, tracked by views.
    pub fn active_base(&self) -> Option<ApiBase> {
        self.active_meta().map(|meta| bound_base(&meta))
    }

    /// What each entry's key says about itself (`keyinfo::inspect`), read locally: each key is
    /// opened, decoded and dropped (zeroized) here, and only its non-secret facts leave.
    /// `None` for a key that cannot be opened or decoded. Empty when locked.
    pub fn entry_infos(&self) -> Vec<(EntryMeta, Option<KeyInfo>)> {
        self.ring
            .try_with_value(|ring| {
                ring.as_ref().map(|ring| {
                    ring.list()
                        .into_iter()
                        .map(|meta| {
                            let info = ring
                                .open(meta.id)
                                .ok()
                                .and_then(|key| keyinfo::inspect(key.expose_secret()).ok());
                            (meta, info)
                        })
                        .collect()
                })
            })
            .flatten()
            .unwrap_or_default()
    }

    pub fn active_meta(&self) -> Option<EntryMeta> {
        let id = self.active.get()?;
        self.entries
            .with(|entries| entries.iter().find(|e| e.id == id).cloned())
    }

    /// Starts a keyring with its first key. With a passphrase it is stored encrypted; without,
    /// it lives in this tab only (wrapped under a random key that is never kept).
    pub async fn create(
        &self,
        passphrase: Option<SecretString>,
        first: NewEntry,
    ) -> Result<(), VaultError> {
        let params = KdfParams::generate(vault::DEFAULT_ITERATIONS)?;
        let derived = match &passphrase {
            Some(passphrase) => {
                kdf::derive(passphrase, &params, &self.worker_url.get_value()).await
            }
            None => {
                let wrap = random_key()?;
                self.session_wrap.set_value(Some(wrap.clone()));
                wrap
            }
        };
        self.still_mounted()?;
        let mut ring = UnlockedKeyring::create(self.namespace(), params, derived)?;
        let id = ring.add(first)?;
        if passphrase.is_some() {
            ring.save(&Self::storage()?)?;
        }
        self.saved.set(passphrase.is_some());
        self.install(ring, Some(id))
    }

    pub async fn unlock(&self, passphrase: SecretString) -> Result<(), VaultError> {
        let stored = self.load_stored()?.ok_or(VaultError::NothingStored)?;
        let derived = kdf::derive(
            &passphrase,
            stored.kdf_params(),
            &self.worker_url.get_value(),
        )
        .await;
        drop(passphrase);
        self.still_mounted()?;
        let ring = stored.unlock(derived)?;
        self.saved.set(true);
        let first = ring.list().first().map(|e| e.id);
        let keep = self
            .active
            .get_untracked()
            .filter(|id| ring.get(*id).is_some());
        self.install(ring, keep.or(first))
    }

    fn install(&self, ring: UnlockedKeyring, active: Option<EntryId>) -> Result<(), VaultError> {
        let key = match active {
            Some(id) => Some(ring.open(id)?),
            None => None,
        };
        self.entries.set(ring.list());
        self.ring.set_value(Some(ring));
        self.key.set_value(key);
        self.active.set(active);
        self.lock_reason.set(None);
        self.stored_problem.set(None);
        self.phase.set(Phase::Unlocked);
        self.key_epoch.update(|e| *e += 1);
        Ok(())
    }

    /// After a panic (`ui::panic`): drops the open keyring, the plain key and a tab-only wrap
    /// key (all zeroize) without touching a signal, so no effect, view or host listener runs
    /// inside the panic hook. True when nothing secret is left in this state.
    pub fn discard_secrets_after_crash(&self) -> bool {
        let ring = self.ring.try_update_value(Option::take).is_some();
        let key = self.key.try_update_value(Option::take).is_some();
        let wrap = self.session_wrap.try_update_value(Option::take).is_some();
        // A disposed state (an unmounted instance) has already dropped all three.
        (ring && key && wrap) || self.namespace.is_disposed()
    }

    /// Drops the open keyring and the plain key (both zeroize). A tab-only keyring is gone.
    pub fn lock(&self, reason: LockReason) {
        self.ring.set_value(None);
        self.key.set_value(None);
        self.session_wrap.set_value(None);
        self.entries.set(Vec::new());
        self.lock_reason.set(Some(reason));
        self.key_epoch.update(|e| *e += 1);
        self.inspect_storage();
    }

    /// Runs a change on the open keyring and stores it; a save refused because another tab
    /// changed the keyring locks this tab instead of overwriting theirs.
    fn change<T>(
        &self,
        f: impl FnOnce(&mut UnlockedKeyring) -> Result<T, VaultError>,
    ) -> Result<T, VaultError> {
        self.change_then(true, f)
    }

    /// `change`, choosing whether a conflict locks: a keyring not stored yet must not lock,
    /// which would lose the keys it holds.
    fn change_then<T>(
        &self,
        lock_on_conflict: bool,
        f: impl FnOnce(&mut UnlockedKeyring) -> Result<T, VaultError>,
    ) -> Result<T, VaultError> {
        let saved = self.saved.get_untracked();
        let result = self.ring.try_update_value(|slot| -> Result<T, VaultError> {
            let ring = slot.as_mut().ok_or(VaultError::Locked)?;
            let value = f(ring)?;
            if saved {
                ring.save(&Self::storage()?)?;
            }
            Ok(value)
        });
        let result = result.unwrap_or(Err(VaultError::Locked));
        match &result {
            Err(VaultError::Conflict) if lock_on_conflict => {
                self.lock(LockReason::ChangedElsewhere)
            }
            _ => self.refresh_entries(),
        }
        result
    }

    fn refresh_entries(&self) {
        let list = self
            .ring
            .with_value(|ring| ring.as_ref().map(UnlockedKeyring::list).unwrap_or_default());
        self.entries.set(list);
    }

    pub fn add(&self, entry: NewEntry, use_now: bool) -> Result<EntryId, VaultError> {
        let id = self.change(|ring| ring.add(entry))?;
        if use_now {
            self.switch_to(id)?;
        }
        Ok(id)
    }

    pub fn switch_to(&self, id: EntryId) -> Result<(), VaultError> {
        let key = self
            .ring
            .with_value(|ring| ring.as_ref().map(|r| r.open(id)))
            .unwrap_or(Err(VaultError::Locked))?;
        self.key.set_value(Some(key));
        self.active.set(Some(id));
        self.key_epoch.update(|e| *e += 1);
        Ok(())
    }

    /// Lets an entry's key go to another base (and nowhere else). Only a confirmed act of the
    /// person calls this; a link or a setting alone never does.
    pub fn bind(&self, id: EntryId, base: ApiBase) -> Result<(), VaultError> {
        self.change(|ring| ring.bind(id, base))?;
        if self.active.get_untracked() == Some(id) {
            self.key_epoch.update(|e| *e += 1);
        }
        Ok(())
    }

    pub fn rename(&self, id: EntryId, label: &str) -> Result<(), VaultError> {
        self.change(|ring| ring.rename(id, label))
    }

    pub fn remove(&self, id: EntryId) -> Result<(), VaultError> {
        self.change(|ring| ring.remove(id))?;
        if self.active.get_untracked() == Some(id) {
            let next = self
                .entries
                .with_untracked(|entries| entries.first().map(|e| e.id));
            match next {
                Some(next) => self.switch_to(next)?,
                None => {
                    self.key.set_value(None);
                    self.active.set(None);
                    self.key_epoch.update(|e| *e += 1);
                }
            }
        }
        Ok(())
    }

    /// Deletes every stored key of this instance and locks.
    pub fn forget_all(&self) -> Result<(), VaultError> {
        vault::forget_all(&Self::storage()?, &self.namespace())?;
        self.saved.set(false);
        self.lock(LockReason::Manual);
        self.lock_reason.set(None);
        Ok(())
    }

    /// Makes a new data key, seals every entry again under it and wraps it under the new
    /// passphrase (`UnlockedKeyring::change_passphrase`). A stored keyring needs its current
    /// passphrase; a tab-only one becomes stored this way, every entry with it.
    pub async fn change_passphrase(
        &self,
        current: Option<SecretString>,
        new_passphrase: SecretString,
    ) -> Result<(), VaultError> {
        let worker = self.worker_url.get_value();
        let current_params = self
            .ring
            .with_value(|ring| ring.as_ref().map(|r| r.kdf_params().clone()))
            .ok_or(VaultError::Locked)?;
        let current_key = if self.saved.get_untracked() {
            let current = current.ok_or(VaultError::WrongPassphrase)?;
            kdf::derive(&current, &current_params, &worker).await
        } else {
            self.session_wrap.get_value().ok_or(VaultError::Locked)?
        };
        // Never fewer rounds than the keyring already has (a calibration may have raised them).
        let params =
            KdfParams::generate(current_params.iterations().max(vault::DEFAULT_ITERATIONS))?;
        self.still_mounted()?;
        let derived = kdf::derive(&new_passphrase, &params, &worker).await;
        drop(new_passphrase);
        self.still_mounted()?;
        let was_saved = self.saved.get_untracked();
        self.saved.set(true);
        let result = self.change_then(was_saved, |ring| {
            ring.change_passphrase(&current_key, params, derived)?;
            if !was_saved {
                // "Set a passphrase and keep": the keys that lived in this tab are kept too.
                ring.keep_all();
            }
            Ok(())
        });
        match &result {
            Ok(()) => self.session_wrap.set_value(None),
            Err(_) => self.saved.set(was_saved),
        }
        result
    }
}

/// Keeping the keyring: export and import (`vault::transfer`).
impl KeyringState {
    /// The export file: its name and the stored text exactly. A keyring that lives in this tab
    /// only has nothing stored (`NothingStored`).
    pub fn export(&self) -> Result<(String, String), VaultError> {
        let namespace = self.namespace();
        let text = vault::export_text(&Self::storage()?, &namespace)?;
        Ok((vault::export_file_name(&namespace, now()), text))
    }

    /// Checks a file as an export of this instance's keyring; nothing is derived or written.
    pub fn check_import(&self, bytes: &[u8]) -> Result<KeyringFile, VaultError> {
        KeyringFile::parse(bytes, &self.namespace())
    }

    /// What an import would replace now, for the question asked before it.
    pub fn import_target(&self) -> Result<ImportTarget, VaultError> {
        let stored = StoredSnapshot::take(&Self::storage()?, &self.namespace())?;
        let open_keys = (self.phase.get_untracked() == Phase::Unlocked)
            .then(|| self.entries.with_untracked(Vec::len));
        Ok(ImportTarget { stored, open_keys })
    }

    /// Proves the passphrase typed for an import file: derives in the worker, as unlocking
    /// does, and opens the file's keyring, every key included. Nothing is written.
    pub async fn open_import(
        &self,
        file: &KeyringFile,
        passphrase: SecretString,
    ) -> Result<UnlockedKeyring, VaultError> {
        let derived =
            kdf::derive(&passphrase, file.kdf_params(), &self.worker_url.get_value()).await;
        drop(passphrase);
        self.still_mounted()?;
        file.open(derived)
    }

    /// Stores an opened import file and opens its keyring here, unlocked, with its first key in
    /// use; returns its number of keys. Unless storage still holds what `replacing` saw, this
    /// is `Conflict` and nothing is written or opened.
    pub fn finish_import(
        &self,
        file: &KeyringFile,
        ring: UnlockedKeyring,
        replacing: StoredSnapshot,
    ) -> Result<usize, VaultError> {
        self.still_mounted()?;
        file.write(&Self::storage()?, replacing)?;
        self.session_wrap.set_value(None);
        self.saved.set(true);
        let count = ring.list().len();
        let first = ring.list().first().map(|e| e.id);
        self.install(ring, first)?;
        Ok(count)
    }
}

/// What an import would replace: asked about first, and checked again when it writes.
#[derive(Debug, Clone, Copy)]
pub struct ImportTarget {
    /// What storage holds; the import writes only while it still holds exactly that.
    pub stored: StoredSnapshot,
    /// The number of keys of the keyring open here (a tab-only one included), if one is.
    pub open_keys: Option<usize>,
}

impl ImportTarget {
    /// Nothing to replace: nothing stored and no keyring open.
    pub fn is_empty(&self) -> bool {
        self.stored.is_empty() && self.open_keys.is_none()
    }
}

/// What one request needs: the key and the base it is bound to.
pub struct Credential {
    pub base: ApiBase,
    pub key: SecretString,
}

/// The base an entry's key may go to. A legacy entry, saved before keys were bound, is bound
/// to this build's default base, never to one a link names.
pub fn bound_base(meta: &EntryMeta) -> ApiBase {
    meta.api_base.clone().unwrap_or_else(build_default_base)
}

fn random_key() -> Result<SecretKey<32>, VaultError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|_| VaultError::Random)?;
    Ok(SecretKey::from_array(bytes))
}
