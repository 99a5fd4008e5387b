//! The keyring as the views see it: which phase the page is in, the entries' metadata, and the
//! key in use. The keys themselves are held by the key agent (`vault::agent`), a worker: this
//! state asks it by entry id, and never holds a key after a paste.

use crate::api::base::ApiBase;
use crate::keyinfo::{KeyInfo, KeyInfoError};
use crate::secret::{SecretBytes, SecretString};
use crate::timestamp::Timestamp;
use crate::ui::handover::{Handed, Handover, OpenKeyring};
use crate::ui::options::build_default_base;
use crate::vault::agent::link::AgentLink;
use crate::vault::agent::protocol::{KeyRef, NewEntrySpec, Op, Reply};
use crate::vault::storage::local::{LocalStorage as BrowserStorage, subscribe_keyring_changes};
use crate::vault::{
    self, CredentialId, EntryId, EntryMeta, KeyringFile, KeyringStorage, Namespace,
    PasskeyChallenge, PasskeyMeta, StorageError, StoredKeyring, StoredSnapshot, VaultError,
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
    /// The key agent crashed or was stopped: the keys it held are gone.
    AgentStopped,
    /// The full app refused the first screen's handover (`ui::handover`): the agent was
    /// stopped with the keys it held.
    AppDidNotStart,
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
            LockReason::AgentStopped => Some(
                "The part of the app that holds your keys stopped unexpectedly, so the keyring was locked. Unlock again to continue.",
            ),
            LockReason::AppDidNotStart => Some(
                "The part of the app that shows your keyring could not start (it may be from another version of this page, kept by the browser), so the keyring was locked. Reload the page, then unlock.",
            ),
        }
    }
}

pub fn now() -> Timestamp {
    Timestamp::browser_now()
}

#[derive(Clone, Copy)]
pub struct KeyringState {
    pub phase: RwSignal<Phase>,
    pub entries: RwSignal<Vec<EntryMeta>>,
    /// The open keyring's passkeys (empty while locked).
    pub passkeys: RwSignal<Vec<PasskeyMeta>>,
    /// What to ask the stored keyring's passkeys to unlock it (read with the stored keyring:
    /// at start, at lock, and when another tab changes it).
    pub stored_passkeys: RwSignal<Vec<PasskeyChallenge>>,
    pub active: RwSignal<Option<EntryId>>,
    /// False for a keyring that lives in this tab only.
    pub saved: RwSignal<bool>,
    /// Bumped whenever the key in use changes, so views that call the API refetch.
    pub key_epoch: RwSignal<u64>,
    pub lock_reason: RwSignal<Option<LockReason>>,
    /// A stored keyring that cannot be read (corrupt, tampered, downgraded...).
    pub stored_problem: RwSignal<Option<VaultError>>,
    agent: StoredValue<AgentLink, LocalStorage>,
    namespace: StoredValue<Namespace, LocalStorage>,
    /// How this module reads what is stored, at start, at lock and when another tab changes it:
    /// [`Self::inspect_storage`], or [`Self::notice_stored`] in a first screen that has no
    /// unlock form (`app::Parts::read_storage`).
    read_storage: fn(&KeyringState),
}

impl KeyringState {
    /// `mounted`: the base an embedding host mounted this instance with (`None` on the
    /// standalone page, whose base a link can name): with the build's, where the agent may
    /// connect on a page that has no `connect-src` of its own.
    pub fn new(
        namespace: Namespace,
        agent_url: String,
        mounted: Option<ApiBase>,
        read_storage: fn(&KeyringState),
    ) -> Self {
        let fallback = std::iter::once(build_default_base())
            .chain(mounted)
            .map(|base| base.origin().to_owned())
            .collect();
        let agent = AgentLink::new(agent_url, fallback);
        let state = Self::with_agent(namespace, agent.clone(), read_storage);
        start_when_idle(agent);
        state.read_storage();
        state
    }

    /// The state of a keyring that the first screen created in the agent, with its first key
    /// staged there, and handed over (`ui::handover`) for the check and the save. Still the
    /// first run: nothing is stored yet.
    pub fn adopt_created(namespace: Namespace, agent: AgentLink, keep: bool) -> Self {
        let state = Self::with_agent(namespace, agent.clone(), Self::inspect_storage);
        state.saved.set(keep);
        // It holds a key: a crash or a stop is noticed, as for an open keyring.
        agent.watch();
        state
    }

    /// The state of a keyring that the first screen unlocked and handed over
    /// (`ui::handover`): its agent, already open, and what the first screen knew of it.
    pub fn adopt(namespace: Namespace, agent: AgentLink, keyring: OpenKeyring) -> Self {
        let state = Self::with_agent(namespace, agent, Self::inspect_storage);
        state.saved.set(keyring.saved);
        state.passkeys.set(keyring.passkeys);
        state.install(
            keyring.entries.into_iter().map(Into::into).collect(),
            keyring.active,
        );
        state
    }

    /// What the first screen hands over once the keyring is open, with the notice it shows;
    /// `None` while it is not open.
    pub fn handover(&self, notice: Option<(String, String)>) -> Option<Handover> {
        (self.phase.get_untracked() == Phase::Unlocked).then(|| Handover {
            keyring: Handed::Open(OpenKeyring {
                entries: self
                    .entries
                    .with_untracked(|entries| entries.iter().map(Into::into).collect()),
                passkeys: self.passkeys.get_untracked(),
                active: self.active.get_untracked(),
                saved: self.saved.get_untracked(),
                notice,
            }),
        })
    }

    fn with_agent(namespace: Namespace, agent: AgentLink, read_storage: fn(&KeyringState)) -> Self {
        let state = Self {
            phase: RwSignal::new(Phase::FirstRun),
            entries: RwSignal::new(Vec::new()),
            passkeys: RwSignal::new(Vec::new()),
            stored_passkeys: RwSignal::new(Vec::new()),
            active: RwSignal::new(None),
            saved: RwSignal::new(false),
            key_epoch: RwSignal::new(0),
            lock_reason: RwSignal::new(None),
            stored_problem: RwSignal::new(None),
            agent: StoredValue::new_local(agent.clone()),
            namespace: StoredValue::new_local(namespace),
            read_storage,
        };
        // A dead agent took every key with it: lock and say so, rather than hang.
        agent.on_down(move || {
            if !state.namespace.is_disposed() && state.phase.get_untracked() == Phase::Unlocked {
                state.lock(LockReason::AgentStopped);
            }
        });
        // The agent dies with the instance (an unmounted embed leaves no keys behind); the
        // link also stops it when dropped, whichever comes first.
        let slot = state.agent;
        on_cleanup(move || {
            if let Some(agent) = slot.try_with_value(Clone::clone) {
                agent.stop();
            }
        });
        state
    }

    /// The link to the key agent (for the embedding `fetch`, and the API client).
    pub fn agent(&self) -> Option<AgentLink> {
        self.agent.try_with_value(Clone::clone)
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

    /// Whether this browser lets the page store anything at all (site data may be blocked).
    pub fn storage_usable(&self) -> bool {
        Self::storage().is_ok()
    }

    /// The keyring's namespace, to name it where the browser shows it (a passkey's account).
    pub fn namespace_name(&self) -> String {
        self.namespace().as_str().to_owned()
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
                Phase::Locked | Phase::FirstRun => state.read_storage(),
            }
        };
        // Storage that cannot be opened has no other tab to hear from.
        if let Ok(subscription) = subscribe_keyring_changes(&self.namespace(), on_change) {
            // Dropped, and the listener removed, when the owner is cleaned up.
            let _guard = StoredValue::new_local(subscription);
        }
    }

    fn read_storage(&self) {
        (self.read_storage)(self);
    }

    /// Whether a keyring is stored, and nothing more: first run or locked. For the first
    /// visit's first screen, which hands a stored keyring (readable or not) to the app's unlock
    /// form; reading the envelope and its passkeys is left to that form's module.
    pub fn notice_stored(&self) {
        let stored = Self::storage()
            .and_then(|storage| storage.load(&self.namespace()).map_err(VaultError::from));
        self.stored_passkeys.set(Vec::new());
        self.stored_problem.set(None);
        // Storage the browser refuses holds nothing: a first run, for this session only.
        self.phase.set(
            if matches!(
                stored,
                Ok(None) | Err(VaultError::Storage(StorageError::Unavailable(_)))
            ) {
                Phase::FirstRun
            } else {
                Phase::Locked
            },
        );
    }

    /// Looks at what is stored, without a passphrase: decides between first run and locked.
    /// Storage the browser refuses holds nothing: a first run, whose form offers this session
    /// only. Storage that holds something unreadable is a locked keyring that says why.
    pub fn inspect_storage(&self) {
        let stored = self.load_stored();
        self.stored_passkeys.set(match &stored {
            Ok(Some(keyring)) => keyring.passkeys(),
            _ => Vec::new(),
        });
        match stored {
            Ok(Some(_)) => {
                self.stored_problem.set(None);
                self.phase.set(Phase::Locked);
            }
            Ok(None) | Err(VaultError::Storage(StorageError::Unavailable(_))) => {
                self.stored_problem.set(None);
                self.phase.set(Phase::FirstRun);
            }
            Err(problem) => {
                self.stored_problem.set(Some(problem));
                self.phase.set(Phase::Locked);
            }
        }
    }

    /// The key in use, by reference, the one API base it may be sent to, and the agent that
    /// holds it, for one API call. Every request that carries a key takes its address from
    /// here (and the agent checks it against the entry's binding), never from the page's URL
    /// or settings.
    pub fn credential(&self) -> Option<Credential> {
        let id = self.active.try_get_untracked().flatten()?;
        let base = self.active_base_untracked()?;
        let agent = self.agent()?;
        Some(Credential {
            base,
            key: KeyRef::Entry(id),
            agent,
        })
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

    /// What each entry's key says about itself (`keyinfo::inspect`), decoded by the agent:
    /// only the non-secret facts come back. `None` for a key that cannot be opened or decoded.
    /// Empty when locked.
    pub async fn entry_infos(&self) -> Vec<(EntryMeta, Option<KeyInfo>)> {
        let entries = self.entries.try_get_untracked().unwrap_or_default();
        let infos = self.inspect(entries.iter().map(|e| e.id).collect()).await;
        if infos.is_empty() {
            return Vec::new();
        }
        entries
            .into_iter()
            .map(|meta| {
                let info = infos
                    .iter()
                    .find(|(id, _)| *id == meta.id)
                    .and_then(|(_, info)| info.clone());
                (meta, info)
            })
            .collect()
    }

    /// What the key in use says about itself.
    pub async fn active_info(&self) -> Option<KeyInfo> {
        let id = self.active.try_get_untracked().flatten()?;
        self.inspect(vec![id]).await.into_iter().next()?.1
    }

    /// What the agent decodes of these entries' keys; empty when it cannot answer.
    async fn inspect(&self, ids: Vec<EntryId>) -> Vec<(EntryId, Option<KeyInfo>)> {
        match self.ask(Op::Inspect { ids }, &[]).await {
            Ok(Reply::Infos { infos }) => infos,
            _ => Vec::new(),
        }
    }

    async fn ask(&self, op: Op, secrets: &[&[u8]]) -> Result<Reply, VaultError> {
        let agent = self.agent().ok_or(VaultError::Closed)?;
        let reply = agent.ask(op, secrets).await;
        self.still_mounted()?;
        reply
    }

    pub fn active_meta(&self) -> Option<EntryMeta> {
        let id = self.active.get()?;
        self.entries
            .with(|entries| entries.iter().find(|e| e.id == id).cloned())
    }

    /// Asks the agent what a pasted key says about itself; the agent keeps it for
    /// [`Self::stage_previewed`]. The page keeps no Biscuit decoder: the first screen would
    /// download it for this alone.
    pub async fn preview(
        &self,
        key: SecretString,
    ) -> Result<Result<KeyInfo, KeyInfoError>, VaultError> {
        let reply = self
            .ask(Op::Preview, &[key.expose_secret().as_bytes()])
            .await;
        drop(key);
        match reply? {
            Reply::Previewed { info } => Ok(info),
            _ => Err(VaultError::Malformed),
        }
    }

    /// Hands a pasted key to the agent, once, for the check before saving and the save; the
    /// caller clears its field and its copy. `base` is where the key is to be saved for.
    /// Answers what the key says about itself: a key that cannot be decoded is held all the
    /// same, and the caller decides.
    pub async fn stage(
        &self,
        key: SecretString,
        base: &ApiBase,
    ) -> Result<Result<KeyInfo, KeyInfoError>, VaultError> {
        let reply = self
            .ask(
                Op::Stage { base: base.clone() },
                &[key.expose_secret().as_bytes()],
            )
            .await;
        drop(key);
        Self::staged(reply?)
    }

    /// [`Self::stage`] for the key the agent holds from the last preview, so that a pasted key
    /// crosses to it once. `EmptyKey` when it holds none (the caller sends the key instead).
    pub async fn stage_previewed(
        &self,
        base: &ApiBase,
    ) -> Result<Result<KeyInfo, KeyInfoError>, VaultError> {
        Self::staged(
            self.ask(Op::StagePreviewed { base: base.clone() }, &[])
                .await?,
        )
    }

    fn staged(reply: Reply) -> Result<Result<KeyInfo, KeyInfoError>, VaultError> {
        match reply {
            Reply::Staged { info } => Ok(info),
            _ => Err(VaultError::Malformed),
        }
    }

    /// Forgets the key the agent holds from the last preview (the paste form went away). A
    /// staged key stays: another flow may be saving it.
    pub fn forget_preview(&self) {
        if let Some(agent) = self.agent() {
            agent.send_only(&Op::ForgetPreview);
        }
    }

    /// Forgets a staged key (the person went back to paste another).
    pub fn unstage(&self) {
        if let Some(agent) = self.agent() {
            agent.send_only(&Op::Unstage);
        }
    }

    /// Starts a keyring with the staged key as its first. With a passphrase it is stored
    /// encrypted; without, it lives in this tab only (wrapped under a random key that never
    /// leaves the agent).
    pub async fn create(
        &self,
        passphrase: Option<SecretString>,
        first: NewEntrySpec,
    ) -> Result<(), VaultError> {
        self.create_in_agent(passphrase).await?;
        self.add_first(first).await
    }

    /// Creates the keyring in the agent, empty: nothing is stored until its first key is added
    /// ([`Self::add_first`]). The staged key stays staged.
    pub async fn create_in_agent(
        &self,
        passphrase: Option<SecretString>,
    ) -> Result<(), VaultError> {
        let namespace = self.namespace().as_str().to_owned();
        let secrets: Vec<&[u8]> = passphrase
            .iter()
            .map(|p| p.expose_secret().as_bytes())
            .collect();
        let created = self.ask(Op::Create { namespace }, &secrets).await;
        drop(secrets);
        drop(passphrase);
        created.map(|_| ())
    }

    /// Adds the staged key as the first of the keyring created in the agent, which is then
    /// stored (when kept) and open. Refused or not written, nothing is kept and the key stays
    /// staged (`Op::Unwritten`), for another try or this session only; the page stays on the
    /// first run, and the agent's empty keyring is replaced by the next `create`.
    pub async fn add_first(&self, first: NewEntrySpec) -> Result<(), VaultError> {
        self.saved.set(first.keep);
        let added = self.add_staged(first, true).await;
        if added.is_err() {
            self.saved.set(false);
        }
        added.map(|_| ())
    }

    pub async fn unlock(&self, passphrase: SecretString) -> Result<(), VaultError> {
        let stored = self.stored_text()?;
        let namespace = self.namespace().as_str().to_owned();
        let reply = self
            .ask(
                Op::Unlock { namespace, stored },
                &[passphrase.expose_secret().as_bytes()],
            )
            .await;
        drop(passphrase);
        self.opened(reply?)
    }

    /// Opens the stored keyring with what its passkey `credential_id` answered; the answer
    /// goes to the agent and is wiped here.
    pub async fn unlock_with_passkey(
        &self,
        credential_id: CredentialId,
        prf_output: SecretBytes,
    ) -> Result<(), VaultError> {
        let stored = self.stored_text()?;
        let namespace = self.namespace().as_str().to_owned();
        let reply = self
            .ask(
                Op::UnlockPasskey {
                    namespace,
                    stored,
                    credential_id,
                },
                &[prf_output.expose_secret()],
            )
            .await;
        drop(prf_output);
        self.opened(reply?)
    }

    fn stored_text(&self) -> Result<String, VaultError> {
        Self::storage()?
            .load(&self.namespace())?
            .ok_or(VaultError::NothingStored)
    }

    /// Shows a keyring the agent just opened, keeping the key in use when it is still there.
    fn opened(&self, reply: Reply) -> Result<(), VaultError> {
        let Reply::Opened { entries, passkeys } = reply else {
            return Err(VaultError::Malformed);
        };
        self.saved.set(true);
        self.passkeys.set(passkeys);
        let entries: Vec<EntryMeta> = entries.into_iter().map(Into::into).collect();
        let first = entries.first().map(|e| e.id);
        let keep = self
            .active
            .get_untracked()
            .filter(|id| entries.iter().any(|e| e.id == *id));
        self.install(entries, keep.or(first));
        Ok(())
    }

    fn install(&self, entries: Vec<EntryMeta>, active: Option<EntryId>) {
        self.entries.set(entries);
        self.active.set(active);
        self.lock_reason.set(None);
        self.stored_problem.set(None);
        self.phase.set(Phase::Unlocked);
        self.key_epoch.update(|e| *e += 1);
        if let Some(agent) = self.agent() {
            agent.watch();
        }
    }

    /// Stops the agent, and every key it held; a new one starts when the page is idle.
    pub fn restart_agent(&self) {
        if let Some(agent) = self.agent() {
            agent.stop();
            start_when_idle(agent);
        }
    }

    /// After a panic (`ui::panic`): stops the agent, and every key with it, without touching
    /// a signal, so no effect, view or host listener runs inside the panic hook. True when
    /// nothing secret is left.
    pub fn discard_secrets_after_crash(&self) -> bool {
        // A disposed state (an unmounted instance) has already stopped its agent.
        if let Some(agent) = self.agent.try_with_value(Clone::clone) {
            agent.stop();
        }
        true
    }

    /// Stops the agent, and every key with it (a new one starts when the page is idle). A
    /// tab-only keyring is gone.
    pub fn lock(&self, reason: LockReason) {
        self.restart_agent();
        self.entries.set(Vec::new());
        self.passkeys.set(Vec::new());
        self.lock_reason.set(Some(reason));
        self.key_epoch.update(|e| *e += 1);
        self.read_storage();
    }

    /// Runs a change in the agent and stores what it sealed. The agent checks that storage
    /// still holds what its keyring is based on; the page writes only while storage still
    /// holds what it sent (a compare-and-swap across the round trip), then confirms. A save
    /// refused because another tab changed the keyring locks this tab instead of overwriting
    /// theirs (unless `lock_on_conflict` is false: a keyring not stored yet would lose its keys).
    async fn change(
        &self,
        lock_on_conflict: bool,
        op: impl FnOnce(Option<String>) -> Op,
        secrets: &[&[u8]],
    ) -> Result<Option<EntryId>, VaultError> {
        let result = self.change_inner(op, secrets).await;
        if matches!(result, Err(VaultError::Conflict)) && lock_on_conflict {
            self.lock(LockReason::ChangedElsewhere);
        }
        result
    }

    /// Writes `text` while storage still holds `current` (a compare-and-swap).
    fn write(&self, current: Option<&str>, text: &str) -> Result<(), VaultError> {
        let storage = Self::storage()?;
        if storage.load(&self.namespace())?.as_deref() != current {
            return Err(VaultError::Conflict);
        }
        Ok(storage.save(&self.namespace(), text)?)
    }

    async fn change_inner(
        &self,
        op: impl FnOnce(Option<String>) -> Op,
        secrets: &[&[u8]],
    ) -> Result<Option<EntryId>, VaultError> {
        // A keyring that lives in this tab only is never written, so it needs no storage: the
        // browser may refuse storage altogether, which is why the person chose this tab only.
        let current = if self.saved.get_untracked() {
            Self::storage()?.load(&self.namespace())?
        } else {
            None
        };
        let Reply::Changed {
            entries,
            passkeys,
            save,
            added,
        } = self.ask(op(current.clone()), secrets).await?
        else {
            return Err(VaultError::Malformed);
        };
        if let Some(write) = save {
            let written = self.write(current.as_deref(), &write.text);
            if let Some(agent) = self.agent() {
                agent.send_only(&if written.is_ok() {
                    Op::Committed {
                        revision: write.revision,
                    }
                } else {
                    // The person is told nothing changed: neither may the agent's keyring.
                    Op::Unwritten {
                        revision: write.revision,
                    }
                });
            }
            written?;
        }
        self.entries
            .try_set(entries.into_iter().map(Into::into).collect());
        self.passkeys.try_set(passkeys);
        Ok(added)
    }

    /// Adds the staged key; with `use_now` it becomes the key in use.
    pub async fn add_staged(
        &self,
        entry: NewEntrySpec,
        use_now: bool,
    ) -> Result<EntryId, VaultError> {
        let id = self
            .change(true, |current| Op::AddStaged { entry, current }, &[])
            .await?
            .ok_or(VaultError::Malformed)?;
        if self.phase.get_untracked() != Phase::Unlocked {
            let entries = self.entries.get_untracked();
            self.install(entries, Some(id));
        } else if use_now || self.active.get_untracked().is_none() {
            self.switch_to(id)?;
        }
        Ok(id)
    }

    /// Stages `key` and adds it (a new token kept from the restricted-token dialog).
    pub async fn add(
        &self,
        key: SecretString,
        entry: NewEntrySpec,
        use_now: bool,
    ) -> Result<EntryId, VaultError> {
        // A token the API just created is kept even if it cannot be decoded: it is shown once.
        let _readable = self.stage(key, &entry.api_base).await?;
        self.add_staged(entry, use_now).await
    }

    pub fn switch_to(&self, id: EntryId) -> Result<(), VaultError> {
        if !self
            .entries
            .with_untracked(|e| e.iter().any(|e| e.id == id))
        {
            return Err(VaultError::EntryNotFound(id.0));
        }
        self.active.set(Some(id));
        self.key_epoch.update(|e| *e += 1);
        Ok(())
    }

    /// Lets an entry's key go to another base (and nowhere else). Only a confirmed act of the
    /// person calls this; a link or a setting alone never does.
    pub async fn bind(&self, id: EntryId, base: ApiBase) -> Result<(), VaultError> {
        self.change(true, |current| Op::Bind { id, base, current }, &[])
            .await?;
        if self.active.get_untracked() == Some(id) {
            self.key_epoch.update(|e| *e += 1);
        }
        Ok(())
    }

    pub async fn rename(&self, id: EntryId, label: &str) -> Result<(), VaultError> {
        let label = label.to_owned();
        self.change(true, |current| Op::Rename { id, label, current }, &[])
            .await
            .map(|_| ())
    }

    pub async fn remove(&self, id: EntryId) -> Result<(), VaultError> {
        self.change(true, |current| Op::Remove { id, current }, &[])
            .await?;
        if self.active.get_untracked() == Some(id) {
            let next = self
                .entries
                .with_untracked(|entries| entries.first().map(|e| e.id));
            match next {
                Some(next) => self.switch_to(next)?,
                None => {
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

    /// A new data key; every entry sealed again under it and wrapped under the new
    /// passphrase. A stored keyring needs its current passphrase; a tab-only one becomes
    /// stored this way, every entry with it.
    pub async fn change_passphrase(
        &self,
        current: Option<SecretString>,
        new_passphrase: SecretString,
    ) -> Result<(), VaultError> {
        let was_saved = self.saved.get_untracked();
        let mut secrets: Vec<&[u8]> = Vec::with_capacity(2);
        if was_saved {
            let current = current.as_ref().ok_or(VaultError::WrongPassphrase)?;
            secrets.push(current.expose_secret().as_bytes());
        }
        secrets.push(new_passphrase.expose_secret().as_bytes());
        let result = self
            .change(
                was_saved,
                |current| Op::ChangePassphrase { current },
                &secrets,
            )
            .await;
        if result.is_ok() {
            self.saved.try_set(true);
        }
        result.map(|_| ())
    }
}

/// Passkeys of the open keyring (`ui::passkey` asks the authenticator).
impl KeyringState {
    /// Seals the data key for a new passkey: `prf_output` is its answer for the challenge's
    /// salt, handed to the agent and wiped here.
    pub async fn add_passkey(
        &self,
        challenge: PasskeyChallenge,
        prf_output: SecretBytes,
        name: String,
    ) -> Result<(), VaultError> {
        let result = self
            .change(
                true,
                |current| Op::AddPasskey {
                    challenge,
                    name,
                    current,
                },
                &[prf_output.expose_secret()],
            )
            .await;
        drop(prf_output);
        result.map(|_| ())
    }

    pub async fn remove_passkey(&self, credential_id: CredentialId) -> Result<(), VaultError> {
        self.change(
            true,
            |current| Op::RemovePasskey {
                credential_id,
                current,
            },
            &[],
        )
        .await
        .map(|_| ())
    }
}

/// Starts the agent once the page is idle: the first screen does not wait for it, and the
/// first unlock does not pay for starting it.
fn start_when_idle(agent: AgentLink) {
    crate::ui::idle::when_idle(move || agent.start());
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

    /// Proves the passphrase typed for an import file: the agent derives, as unlocking does,
    /// and opens the file's keyring, every key included, holding it apart. Nothing is
    /// written. Answers the file's number of keys.
    pub async fn open_import(
        &self,
        file: &KeyringFile,
        passphrase: SecretString,
    ) -> Result<usize, VaultError> {
        let namespace = self.namespace().as_str().to_owned();
        let reply = self
            .ask(
                Op::OpenImport {
                    namespace,
                    file: file.text().to_owned(),
                },
                &[passphrase.expose_secret().as_bytes()],
            )
            .await;
        drop(passphrase);
        match reply? {
            Reply::Imported { keys } => Ok(keys),
            _ => Err(VaultError::Malformed),
        }
    }

    /// Stores an opened import file and opens its keyring here, unlocked, with its first key in
    /// use; returns its number of keys. Unless storage still holds what `replacing` saw, this
    /// is `Conflict` and nothing is written or opened.
    pub async fn finish_import(
        &self,
        file: &KeyringFile,
        replacing: StoredSnapshot,
    ) -> Result<usize, VaultError> {
        self.still_mounted()?;
        file.write(&Self::storage()?, replacing)?;
        self.saved.set(true);
        let Reply::Opened { entries, passkeys } = self.ask(Op::FinishImport, &[]).await? else {
            return Err(VaultError::Malformed);
        };
        self.passkeys.set(passkeys);
        let entries: Vec<EntryMeta> = entries.into_iter().map(Into::into).collect();
        let count = entries.len();
        let first = entries.first().map(|e| e.id);
        self.install(entries, first);
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

/// What one request needs: which key, the base it is bound to, and the agent that holds it.
#[derive(Clone)]
pub struct Credential {
    pub base: ApiBase,
    pub key: KeyRef,
    pub agent: AgentLink,
}

/// The base an entry's key may go to. A legacy entry, saved before keys were bound, is bound
/// to this build's default base, never to one a link names.
pub fn bound_base(meta: &EntryMeta) -> ApiBase {
    meta.api_base.clone().unwrap_or_else(build_default_base)
}
