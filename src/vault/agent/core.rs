//! What the key agent holds and does, without a browser: the open keyring, a staged key, an
//! import held apart, the save waiting to be confirmed. The worker (`serve.rs`) derives keys
//! and makes requests around it; everything here is synchronous and tested natively.

use super::policy::ConnectPolicy;
use super::protocol::{KeyRef, NewEntrySpec, Reply, entries_wire};
use crate::api::base::ApiBase;
use crate::keyinfo::{self, KeyInfo};
use crate::secret::{SecretBytes, SecretKey, SecretString};
use crate::timestamp::Timestamp;
use crate::vault::{
    CredentialId, EntryId, KdfParams, KeyringFile, Namespace, NewEntry, PasskeyChallenge,
    PendingSave, Persistence, StoredKeyring, UnlockedKeyring, VaultError,
};

/// A key is not to be saved or bound for `base`.
fn not_allowed(base: &ApiBase) -> VaultError {
    VaultError::NotAllowed {
        origin: base.origin().to_owned(),
    }
}

/// What a change to the keyring may alter, as it was before the change.
struct Before {
    ring: UnlockedKeyring,
    staged: Option<(SecretString, ApiBase)>,
    saved: bool,
    session_wrap: Option<SecretKey<32>>,
}

/// The agent's state. Dropping it (lock) zeroizes every key it held.
#[derive(Default)]
pub struct AgentCore {
    ring: Option<UnlockedKeyring>,
    /// False for a keyring that lives in this tab only (never written).
    saved: bool,
    /// A tab-only keyring's random wrap key: "the current passphrase" when a real one is set.
    session_wrap: Option<SecretKey<32>>,
    staged: Option<(SecretString, ApiBase)>,
    /// The key last sent for a preview: Save stages it without the page sending it again, so
    /// a pasted key crosses to the agent once.
    previewed: Option<SecretString>,
    import: Option<UnlockedKeyring>,
    pending: Option<PendingSave>,
    /// How the agent was before the change whose text waits to be written: put back when the
    /// page says storage did not take it ([`Self::unwritten`]), dropped once it did
    /// ([`Self::committed`]). Without it a change the person was told failed would stay in
    /// effect here and be written with the next one.
    undo: Option<Before>,
    /// Where requests may go, set once by the page's first message. Not a secret: a lock keeps
    /// it. Unset (a message out of order) refuses every address.
    connect: Option<ConnectPolicy>,
}

impl AgentCore {
    pub fn is_open(&self) -> bool {
        self.ring.is_some()
    }

    /// Forgets everything: the keyring, its data key, every key, the staged one. Where
    /// requests may go stays as the page first said.
    pub fn lock(&mut self) {
        let connect = self.connect.take();
        *self = Self::default();
        self.connect = connect;
    }

    /// Takes the page's connect policy; only the first counts, so a later message (from a
    /// script that got hold of the agent) cannot widen it.
    pub fn configure(&mut self, connect: ConnectPolicy) {
        if self.connect.is_none() {
            self.connect = Some(connect);
        }
    }

    /// Whether the page's policy lets this agent connect to `base`.
    pub fn may_reach(&self, base: &ApiBase) -> bool {
        self.connect
            .as_ref()
            .is_some_and(|policy| policy.allows(base.origin()))
    }

    /// `NotAllowed` unless this agent may send a key to `base`. A key is never saved or bound
    /// where it could not be sent: it would be stranded there, every request with it refused.
    fn require_reach(&self, base: &ApiBase) -> Result<(), VaultError> {
        if self.may_reach(base) {
            Ok(())
        } else {
            Err(not_allowed(base))
        }
    }

    /// Opens a stored keyring with a key derived from its parameters.
    pub fn unlock(
        &mut self,
        stored: &StoredKeyring,
        derived: SecretKey<32>,
    ) -> Result<Reply, VaultError> {
        let ring = stored.unlock(derived)?;
        Ok(self.open(ring))
    }

    /// Opens a stored keyring with what one of its passkeys answered.
    pub fn unlock_passkey(
        &mut self,
        stored: &StoredKeyring,
        credential_id: &CredentialId,
        prf_output: &SecretBytes,
    ) -> Result<Reply, VaultError> {
        let ring = stored.unlock_with_passkey(credential_id, prf_output)?;
        Ok(self.open(ring))
    }

    /// Holds `ring`, a stored keyring just opened, in place of anything held before.
    fn open(&mut self, ring: UnlockedKeyring) -> Reply {
        self.lock();
        let entries = entries_wire(&ring.list());
        let passkeys = ring.passkeys();
        self.ring = Some(ring);
        self.saved = true;
        Reply::Opened { entries, passkeys }
    }

    /// Starts an empty keyring: stored (wrapped by a passphrase-derived key) or tab-only
    /// (`derived` is then a random key, kept here as the tab's "passphrase").
    pub fn create(
        &mut self,
        namespace: Namespace,
        params: KdfParams,
        derived: SecretKey<32>,
        saved: bool,
    ) -> Result<Reply, VaultError> {
        let session_wrap = (!saved).then(|| derived.clone());
        let ring = UnlockedKeyring::create(namespace, params, derived)?;
        // The first key was staged (and checked) before the keyring existed: it stays.
        let staged = self.staged.take();
        self.lock();
        self.staged = staged;
        self.ring = Some(ring);
        self.saved = saved;
        self.session_wrap = session_wrap;
        Ok(Reply::Opened {
            entries: Vec::new(),
            passkeys: Vec::new(),
        })
    }

    /// What a pasted key says about itself. The key is kept (in place of the one before) for
    /// [`Self::stage_previewed`].
    pub fn preview(&mut self, pasted: SecretString) -> Reply {
        let key = keyinfo::pasted_key(pasted.expose_secret());
        let info = keyinfo::inspect(key.expose_secret());
        self.previewed = Some(key);
        Reply::Previewed { info }
    }

    /// Holds a pasted key apart, as [`keyinfo::pasted_key`] reads it (the key is what Foundry
    /// gets, not the text around it); answers what it says about itself.
    pub fn stage(&mut self, pasted: SecretString, base: ApiBase) -> Reply {
        let key = keyinfo::pasted_key(pasted.expose_secret());
        let info = keyinfo::inspect(key.expose_secret());
        self.previewed = None;
        self.staged = Some((key, base));
        Reply::Staged { info }
    }

    /// Stages the key of the last preview (`EmptyKey` when there is none: nothing was
    /// previewed since the last stage, lock or restart, and the page sends the key instead).
    pub fn stage_previewed(&mut self, base: ApiBase) -> Result<Reply, VaultError> {
        let key = self.previewed.take().ok_or(VaultError::EmptyKey)?;
        Ok(self.stage(key, base))
    }

    pub fn forget_preview(&mut self) {
        self.previewed = None;
    }

    pub fn unstage(&mut self) {
        self.previewed = None;
        self.staged = None;
    }

    /// Adds the staged key, bound to the address it was staged (and checked) for; `current` is
    /// what storage holds now. Another address in `spec`, or one this agent may not reach, is
    /// `NotAllowed`, and the key stays staged.
    pub fn add_staged(
        &mut self,
        spec: NewEntrySpec,
        created_at: Timestamp,
        current: Option<&str>,
    ) -> Result<Reply, VaultError> {
        self.undoable(|core| core.add_staged_now(spec, created_at, current))
    }

    fn add_staged_now(
        &mut self,
        spec: NewEntrySpec,
        created_at: Timestamp,
        current: Option<&str>,
    ) -> Result<Reply, VaultError> {
        let (_, staged_for) = self.staged.as_ref().ok_or(VaultError::EmptyKey)?;
        if *staged_for != spec.api_base {
            return Err(not_allowed(&spec.api_base));
        }
        self.require_reach(&spec.api_base)?;
        let (key, _) = self.staged.take().ok_or(VaultError::EmptyKey)?;
        let persistence = if spec.keep && self.saved {
            Persistence::Saved
        } else {
            Persistence::SessionOnly
        };
        let entry = NewEntry {
            label: spec.label,
            kind: spec.kind,
            api_key: key,
            created_at,
            persistence,
            api_base: spec.api_base,
        };
        self.seal_change(current, |ring| ring.add(entry).map(Some))
    }

    pub fn rename(
        &mut self,
        id: EntryId,
        label: &str,
        current: Option<&str>,
    ) -> Result<Reply, VaultError> {
        self.change(current, |ring| ring.rename(id, label).map(|()| None))
    }

    pub fn bind(
        &mut self,
        id: EntryId,
        base: ApiBase,
        current: Option<&str>,
    ) -> Result<Reply, VaultError> {
        self.require_reach(&base)?;
        self.change(current, |ring| ring.bind(id, base).map(|()| None))
    }

    pub fn remove(&mut self, id: EntryId, current: Option<&str>) -> Result<Reply, VaultError> {
        self.change(current, |ring| ring.remove(id).map(|()| None))
    }

    /// Seals the data key for a new passkey; `prf_output` is its answer for the challenge's salt.
    pub fn add_passkey(
        &mut self,
        challenge: &PasskeyChallenge,
        prf_output: &SecretBytes,
        name: &str,
        created_at: Timestamp,
        current: Option<&str>,
    ) -> Result<Reply, VaultError> {
        self.change(current, |ring| {
            ring.add_passkey(challenge, prf_output, name, created_at)
                .map(|()| None)
        })
    }

    pub fn remove_passkey(
        &mut self,
        credential_id: &CredentialId,
        current: Option<&str>,
    ) -> Result<Reply, VaultError> {
        self.change(current, |ring| {
            ring.remove_passkey(credential_id).map(|()| None)
        })
    }

    /// The key the current passphrase derives: from the passphrase for a stored keyring, the
    /// tab's random key otherwise (`None` asks the caller to derive it).
    pub fn session_wrap(&self) -> Option<SecretKey<32>> {
        (!self.saved).then(|| self.session_wrap.clone()).flatten()
    }

    pub fn is_saved(&self) -> bool {
        self.saved
    }

    pub fn kdf_params(&self) -> Result<KdfParams, VaultError> {
        self.ring
            .as_ref()
            .map(|r| r.kdf_params().clone())
            .ok_or(VaultError::Locked)
    }

    /// A new data key under a new passphrase; a tab-only keyring becomes stored, every key
    /// with it.
    pub fn change_passphrase(
        &mut self,
        current_key: &SecretKey<32>,
        params: KdfParams,
        derived: SecretKey<32>,
        current: Option<&str>,
    ) -> Result<Reply, VaultError> {
        // Refused or not written, the keyring keeps its data key and passphrase, and a tab-only
        // keyring stays tab-only (its keys are kept in memory).
        self.undoable(|core| {
            let was_saved = core.saved;
            let ring = core.ring.as_mut().ok_or(VaultError::Locked)?;
            ring.change_passphrase(current_key, params, derived)?;
            if !was_saved {
                ring.keep_all();
            }
            core.saved = true;
            core.session_wrap = None;
            core.seal_change(current, |_| Ok(None))
        })
    }

    /// Storage now holds the last pending text.
    pub fn committed(&mut self, revision: u64) {
        if let (Some(ring), Some(pending)) = (self.ring.as_mut(), self.pending.take()) {
            if pending.revision == revision {
                ring.commit_save(&pending);
                self.undo = None;
            } else {
                self.pending = Some(pending);
            }
        }
    }

    /// Storage did not take the last pending text (full, disabled, or changed by another tab):
    /// the change is undone, as the page tells the person. A staged key that the change added
    /// is staged again, so that it can be kept another way without being pasted again.
    pub fn unwritten(&mut self, revision: u64) {
        if self
            .pending
            .as_ref()
            .is_some_and(|p| p.revision == revision)
        {
            self.pending = None;
            if let Some(before) = self.undo.take() {
                self.restore(before);
            }
        }
    }

    /// Runs a change that may have to be written. Refused, it leaves nothing behind (a staged
    /// key stays staged); to be written, it can be undone until the page confirms.
    fn undoable(
        &mut self,
        change: impl FnOnce(&mut Self) -> Result<Reply, VaultError>,
    ) -> Result<Reply, VaultError> {
        let before = self.ring.as_ref().map(|ring| Before {
            ring: ring.duplicate(),
            staged: self.staged.clone(),
            saved: self.saved,
            session_wrap: self.session_wrap.clone(),
        });
        let result = change(self);
        match &result {
            Ok(Reply::Changed { save: Some(_), .. }) => self.undo = before,
            Ok(_) => self.undo = None,
            Err(_) => {
                if let Some(before) = before {
                    self.restore(before);
                }
            }
        }
        result
    }

    fn restore(&mut self, before: Before) {
        if let Some(ring) = self.ring.as_mut() {
            ring.restore(before.ring);
        }
        self.staged = before.staged;
        self.saved = before.saved;
        self.session_wrap = before.session_wrap;
    }

    /// Opens an export file's keyring, every key included, and holds it apart.
    pub fn open_import(
        &mut self,
        file: &KeyringFile,
        derived: SecretKey<32>,
    ) -> Result<Reply, VaultError> {
        let ring = file.open(derived)?;
        let keys = ring.list().len();
        self.import = Some(ring);
        Ok(Reply::Imported { keys })
    }

    /// The file opened by `open_import` was written: it becomes the open keyring.
    pub fn finish_import(&mut self) -> Result<Reply, VaultError> {
        let ring = self.import.take().ok_or(VaultError::Locked)?;
        Ok(self.open(ring))
    }

    pub fn inspect(&self, ids: &[EntryId]) -> Vec<(EntryId, Option<KeyInfo>)> {
        ids.iter()
            .map(|&id| {
                let info = self
                    .ring
                    .as_ref()
                    .and_then(|ring| ring.open(id).ok())
                    .and_then(|key| keyinfo::inspect(key.expose_secret()).ok());
                (id, info)
            })
            .collect()
    }

    /// The key and the base it is bound to, for one request. A legacy entry without a base
    /// goes to `default_base` (the build's), never to one the page names.
    pub fn credential(
        &self,
        key: KeyRef,
        default_base: &ApiBase,
    ) -> Option<(ApiBase, SecretString)> {
        match key {
            KeyRef::Entry(id) => {
                let ring = self.ring.as_ref()?;
                let meta = ring.get(id)?;
                let base = meta
                    .api_base
                    .clone()
                    .unwrap_or_else(|| default_base.clone());
                Some((base, ring.open(id).ok()?))
            }
            KeyRef::Staged => self
                .staged
                .as_ref()
                .map(|(key, base)| (base.clone(), key.clone())),
        }
    }

    /// [`Self::seal_change`], undoable ([`Self::undoable`]): the keyring's own changes.
    fn change(
        &mut self,
        current: Option<&str>,
        f: impl FnOnce(&mut UnlockedKeyring) -> Result<Option<EntryId>, VaultError>,
    ) -> Result<Reply, VaultError> {
        self.undoable(|core| core.seal_change(current, f))
    }

    /// Runs a change (which may add an entry: its id); for a stored keyring, seals the text
    /// to write over `current`. A stored keyring that `current` shows was changed elsewhere is
    /// refused before the change: a refused change must not stay in effect here (a binding
    /// refused with `Conflict` would otherwise still steer this agent's requests). Callers that
    /// alter more than the keyring first run it inside their own [`Self::undoable`].
    fn seal_change(
        &mut self,
        current: Option<&str>,
        f: impl FnOnce(&mut UnlockedKeyring) -> Result<Option<EntryId>, VaultError>,
    ) -> Result<Reply, VaultError> {
        let saved = self.saved;
        let ring = self.ring.as_mut().ok_or(VaultError::Locked)?;
        if saved {
            ring.based_on(current)?;
        }
        let added = f(ring)?;
        let save = if saved {
            let pending = ring.prepare_save(current)?;
            self.pending = Some(pending.clone());
            Some(pending)
        } else {
            None
        };
        Ok(Reply::Changed {
            entries: entries_wire(&ring.list()),
            passkeys: ring.passkeys(),
            save,
            added,
        })
    }
}

/// Replaces every occurrence of the key in a response body (an API that echoes the request in
/// an error) with `[key]`, so the page never receives it. The original bytes are wiped.
pub fn scrub(body: &mut Vec<u8>, key: &[u8]) {
    if key.is_empty() || body.len() < key.len() {
        return;
    }
    let mut out = Vec::with_capacity(body.len());
    let mut at = 0;
    while let Some(&byte) = body.get(at) {
        if body.get(at..at + key.len()) == Some(key) {
            out.extend_from_slice(b"[key]");
            at += key.len();
        } else {
            out.push(byte);
            at += 1;
        }
    }
    zeroize::Zeroize::zeroize(body);
    *body = out;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::{EntryKind, MIN_ITERATIONS, derive_key};

    const KEY: &str = "abs0_testkeythatisnotabiscuit";

    fn ns() -> Namespace {
        Namespace::new("default").unwrap()
    }

    /// A key that decodes: a Biscuit with a `token_id("tok_9")` fact.
    fn biscuit_key() -> String {
        let token = biscuit_auth::BiscuitBuilder::new()
            .code(r#"token_id("tok_9");"#)
            .unwrap()
            .build(&biscuit_auth::KeyPair::new())
            .unwrap()
            .to_base64()
            .unwrap();
        format!("abs0_{token}")
    }

    fn base() -> ApiBase {
        ApiBase::parse("https://api.example.com").unwrap()
    }

    fn spec(label: &str) -> NewEntrySpec {
        NewEntrySpec {
            label: label.into(),
            kind: EntryKind::DataAccess,
            api_base: base(),
            keep: true,
        }
    }

    fn created(pass: &str) -> AgentCore {
        let params = KdfParams::generate(MIN_ITERATIONS).unwrap();
        let derived = derive_key(&SecretString::from(pass), &params);
        let mut core = AgentCore::default();
        core.configure(ConnectPolicy::only(&[
            base().origin().to_owned(),
            elsewhere().origin().to_owned(),
        ]));
        core.create(ns(), params, derived, true).unwrap();
        core
    }

    fn elsewhere() -> ApiBase {
        ApiBase::parse("https://elsewhere.example").unwrap()
    }

    fn pending_text(reply: &Reply) -> (String, u64) {
        match reply {
            Reply::Changed {
                save: Some(write), ..
            } => (write.text.clone(), write.revision),
            other => panic!("no save in {other:?}"),
        }
    }

    /// A stored keyring with one key, saved and confirmed: the agent and the stored text.
    fn with_one_key() -> (AgentCore, String, Reply) {
        let mut core = created("correct horse battery staple");
        core.stage(SecretString::from(KEY), base());
        let reply = core
            .add_staged(spec("lab"), Timestamp::from_unix(0), None)
            .unwrap();
        let (text, revision) = pending_text(&reply);
        core.committed(revision);
        (core, text, reply)
    }

    #[test]
    fn a_change_refused_because_storage_changed_elsewhere_leaves_nothing_in_effect() {
        let (mut core, text, _) = with_one_key();
        let id = core.ring.as_ref().unwrap().list()[0].id;
        let elsewhere = elsewhere();
        for stale in [None, Some("another tab's text")] {
            assert_eq!(
                core.bind(id, elsewhere.clone(), stale).unwrap_err(),
                VaultError::Conflict
            );
            let (bound, _) = core.credential(KeyRef::Entry(id), &base()).unwrap();
            assert_eq!(bound, base(), "the key still goes where it was saved for");
        }
        assert!(matches!(
            core.bind(id, elsewhere.clone(), Some(&text)),
            Ok(Reply::Changed { .. })
        ));
        let (bound, _) = core.credential(KeyRef::Entry(id), &base()).unwrap();
        assert_eq!(bound, elsewhere);
    }

    #[test]
    fn a_preview_decodes_the_key_and_save_stages_it_without_it_being_sent_again() {
        let pasted = biscuit_key();
        let mut core = created("correct horse battery staple");
        assert_eq!(
            core.preview(SecretString::from(KEY)),
            Reply::Previewed {
                info: Err(crate::keyinfo::KeyInfoError::Undecodable)
            }
        );
        // The later preview replaces the earlier: the key in the field now is the one staged.
        let Reply::Previewed { info: Ok(info) } = core.preview(SecretString::from(pasted.as_str()))
        else {
            panic!("a Biscuit key decodes");
        };
        assert_eq!(info.token_id.as_deref(), Some("tok_9"));
        assert!(matches!(
            core.stage_previewed(base()),
            Ok(Reply::Staged { info: Ok(_) })
        ));
        let (_, staged) = core.credential(KeyRef::Staged, &base()).unwrap();
        assert_eq!(staged.expose_secret(), pasted);
        // Used once: a second Save has nothing to take and the page sends the key.
        assert_eq!(
            core.stage_previewed(base()).unwrap_err(),
            VaultError::EmptyKey
        );
        // Closing the form, unstaging and locking forget a previewed key.
        let forgets = [
            AgentCore::forget_preview as fn(&mut AgentCore),
            AgentCore::unstage,
            AgentCore::lock,
        ];
        for (i, forget) in forgets.into_iter().enumerate() {
            core.preview(SecretString::from(pasted.as_str()));
            forget(&mut core);
            assert_eq!(
                core.stage_previewed(base()).unwrap_err(),
                VaultError::EmptyKey,
                "forget #{i}"
            );
        }
    }

    #[test]
    fn the_key_staged_is_the_key_without_what_was_pasted_around_it() {
        let key = biscuit_key();
        let (head, tail) = key.split_at(30);
        let pasted = format!("Bearer \"{head} {tail}\"\n");
        let mut core = created("correct horse battery staple");
        // Foundry gets the key alone, whether Save reuses the preview's copy or the page sends
        // the text again.
        core.preview(SecretString::from(pasted.as_str()));
        assert!(matches!(
            core.stage_previewed(base()),
            Ok(Reply::Staged { info: Ok(_) })
        ));
        let (_, staged) = core.credential(KeyRef::Staged, &base()).unwrap();
        assert_eq!(staged.expose_secret(), key);
        assert!(matches!(
            core.stage(SecretString::from(pasted.as_str()), base()),
            Reply::Staged { info: Ok(_) }
        ));
        let (_, staged) = core.credential(KeyRef::Staged, &base()).unwrap();
        assert_eq!(staged.expose_secret(), key);
    }

    #[test]
    fn an_undecodable_key_is_staged_all_the_same_and_said_so() {
        let mut core = created("correct horse battery staple");
        assert!(matches!(
            core.stage(SecretString::from(KEY), base()),
            Reply::Staged { info: Err(_) }
        ));
        assert!(core.credential(KeyRef::Staged, &base()).is_some());
    }

    #[test]
    fn a_staged_key_is_added_saved_and_opened_again_after_unlock() {
        let (mut core, text, reply) = with_one_key();
        let Reply::Changed {
            added: Some(id), ..
        } = reply
        else {
            panic!("no id");
        };
        // The staged key is gone once added.
        assert!(
            core.add_staged(spec("again"), Timestamp::from_unix(0), Some(&text))
                .is_err()
        );

        let stored = StoredKeyring::parse(&text, &ns()).unwrap();
        let mut reopened = AgentCore::default();
        let derived = derive_key(
            &SecretString::from("correct horse battery staple"),
            stored.kdf_params(),
        );
        reopened.unlock(&stored, derived).unwrap();
        let (bound, key) = reopened.credential(KeyRef::Entry(id), &base()).unwrap();
        assert_eq!(key.expose_secret(), KEY);
        assert_eq!(bound, base());
    }

    #[test]
    fn a_save_over_a_changed_storage_is_a_conflict() {
        let (mut core, text, _) = with_one_key();
        // Storage now holds something else (another tab saved).
        let err = core
            .rename(EntryId(1), "x", Some("other text"))
            .unwrap_err();
        assert_eq!(err, VaultError::Conflict);
        // Storage as this agent left it: fine.
        core.rename(EntryId(1), "x", Some(&text)).unwrap();
    }

    #[test]
    fn an_unconfirmed_write_leaves_the_keyring_based_on_what_storage_holds() {
        let (mut core, text, _) = with_one_key();
        // The page could not write this one (storage full): no `committed`.
        let _ = core.rename(EntryId(1), "y", Some(&text)).unwrap();
        // So storage still holds `text`, and the next change is based on it.
        core.rename(EntryId(1), "z", Some(&text)).unwrap();
    }

    fn labels(core: &AgentCore) -> Vec<String> {
        core.ring
            .as_ref()
            .unwrap()
            .list()
            .into_iter()
            .map(|e| e.label)
            .collect()
    }

    #[test]
    fn a_first_key_storage_did_not_take_is_staged_again_and_nothing_is_kept() {
        let mut core = created("correct horse battery staple");
        core.stage(SecretString::from(KEY), base());
        let reply = core
            .add_staged(spec("lab"), Timestamp::from_unix(0), None)
            .unwrap();
        let (_, revision) = pending_text(&reply);
        // Storage full: the page says nothing was kept, and so does the agent.
        core.unwritten(revision);
        assert!(labels(&core).is_empty());
        let (_, staged) = core.credential(KeyRef::Staged, &base()).unwrap();
        assert_eq!(
            staged.expose_secret(),
            KEY,
            "staged again, not pasted again"
        );
        // A tab-only keyring takes it without storage.
        let params = KdfParams::generate(MIN_ITERATIONS).unwrap();
        let derived = derive_key(&SecretString::from("a tab's own key"), &params);
        core.create(ns(), params, derived, false).unwrap();
        let mut session_only = spec("lab");
        session_only.keep = false;
        let reply = core
            .add_staged(session_only, Timestamp::from_unix(0), None)
            .unwrap();
        assert!(matches!(reply, Reply::Changed { save: None, .. }));
        assert_eq!(labels(&core), ["lab"]);
    }

    #[test]
    fn a_change_storage_did_not_take_is_undone_and_one_it_took_is_not() {
        let (mut core, text, _) = with_one_key();
        let id = core.ring.as_ref().unwrap().list()[0].id;
        let reply = core.rename(id, "renamed", Some(&text)).unwrap();
        core.unwritten(pending_text(&reply).1);
        assert_eq!(labels(&core), ["lab"]);
        let reply = core.bind(id, elsewhere(), Some(&text)).unwrap();
        core.unwritten(pending_text(&reply).1);
        let (bound, _) = core.credential(KeyRef::Entry(id), &base()).unwrap();
        assert_eq!(bound, base(), "a binding not written steers nothing");
        let reply = core.remove(id, Some(&text)).unwrap();
        core.unwritten(pending_text(&reply).1);
        assert_eq!(labels(&core), ["lab"]);
        // A new passphrase not written: what is written next still opens with the old one.
        let old = derive_key(
            &SecretString::from("correct horse battery staple"),
            &core.kdf_params().unwrap(),
        );
        let params = KdfParams::generate(MIN_ITERATIONS).unwrap();
        let new = derive_key(&SecretString::from("a new passphrase here"), &params);
        let reply = core
            .change_passphrase(&old, params, new, Some(&text))
            .unwrap();
        core.unwritten(pending_text(&reply).1);
        let reply = core.rename(id, "after", Some(&text)).unwrap();
        let (written, revision) = pending_text(&reply);
        core.committed(revision);
        let stored = StoredKeyring::parse(&written, &ns()).unwrap();
        let mut reopened = AgentCore::default();
        let derived = derive_key(
            &SecretString::from("correct horse battery staple"),
            stored.kdf_params(),
        );
        reopened.unlock(&stored, derived).unwrap();
        assert_eq!(labels(&reopened), ["after"]);
        // Written and confirmed: a late or stray `unwritten` undoes nothing.
        core.unwritten(revision);
        assert_eq!(labels(&core), ["after"]);
    }

    #[test]
    fn a_refused_add_leaves_the_key_staged() {
        let mut core = created("correct horse battery staple");
        core.stage(SecretString::from(KEY), base());
        // Another tab stored a keyring meanwhile.
        assert_eq!(
            core.add_staged(
                spec("lab"),
                Timestamp::from_unix(0),
                Some("another tab's text")
            )
            .unwrap_err(),
            VaultError::Conflict
        );
        assert!(labels(&core).is_empty());
        assert!(core.credential(KeyRef::Staged, &base()).is_some());
    }

    /// Add a passkey, unlock a new agent with it, survive a passphrase change, remove it.
    #[test]
    fn a_passkey_opens_the_keyring_in_a_new_agent_until_removed() {
        let pass = "correct horse battery staple";
        let (mut core, text, _) = with_one_key();
        let challenge = PasskeyChallenge {
            credential_id: CredentialId::new(b"cred".to_vec()).unwrap(),
            prf_salt: [3; 32],
        };
        let output = SecretBytes::new(vec![0x5a; 32]);
        let reply = core
            .add_passkey(
                &challenge,
                &output,
                "YubiKey",
                Timestamp::from_unix(0),
                Some(&text),
            )
            .unwrap();
        let Reply::Changed { passkeys, .. } = &reply else {
            panic!("{reply:?}");
        };
        assert_eq!(passkeys[0].name, "YubiKey");
        let (text, revision) = pending_text(&reply);
        core.committed(revision);

        let unlock = |text: &str| {
            let stored = StoredKeyring::parse(text, &ns()).unwrap();
            let mut agent = AgentCore::default();
            agent
                .unlock_passkey(&stored, &challenge.credential_id, &output)
                .map(|reply| (agent, reply))
        };
        let (agent, reply) = unlock(&text).unwrap();
        assert!(matches!(reply, Reply::Opened { ref passkeys, .. } if passkeys.len() == 1));
        let (_, key) = agent
            .credential(KeyRef::Entry(EntryId(1)), &base())
            .unwrap();
        assert_eq!(key.expose_secret(), KEY);

        // A passphrase change (a new data key) keeps it working.
        let params = core.kdf_params().unwrap();
        let current_key = derive_key(&SecretString::from(pass), &params);
        let new_params = KdfParams::generate(MIN_ITERATIONS).unwrap();
        let new_key = derive_key(&SecretString::from("new one"), &new_params);
        let reply = core
            .change_passphrase(&current_key, new_params, new_key, Some(&text))
            .unwrap();
        let (text, revision) = pending_text(&reply);
        core.committed(revision);
        assert!(unlock(&text).is_ok());

        let reply = core
            .remove_passkey(&challenge.credential_id, Some(&text))
            .unwrap();
        let (text, _) = pending_text(&reply);
        assert_eq!(unlock(&text).err(), Some(VaultError::PasskeyNotForKeyring));
    }

    #[test]
    fn lock_forgets_everything_and_requests_find_no_key() {
        let mut core = created("correct horse battery staple");
        core.stage(SecretString::from(KEY), base());
        core.add_staged(spec("lab"), Timestamp::from_unix(0), None)
            .unwrap();
        core.stage(SecretString::from(KEY), base());
        core.lock();
        assert!(!core.is_open());
        assert!(
            core.credential(KeyRef::Entry(EntryId(1)), &base())
                .is_none()
        );
        assert!(core.credential(KeyRef::Staged, &base()).is_none());
        assert!(core.inspect(&[EntryId(1)]).iter().all(|(_, i)| i.is_none()));
    }

    #[test]
    fn the_key_is_scrubbed_from_every_body_the_page_gets() {
        let mut body =
            format!("{{\"error\":\"bad token {KEY}\",\"again\":\"{KEY}{KEY}\"}}").into_bytes();
        scrub(&mut body, KEY.as_bytes());
        let text = String::from_utf8(body).unwrap();
        assert!(!text.contains(KEY));
        assert_eq!(text.matches("[key]").count(), 3);
        let mut short = b"abs0".to_vec();
        scrub(&mut short, KEY.as_bytes());
        assert_eq!(short, b"abs0");
    }

    #[test]
    fn a_legacy_entry_goes_to_the_default_base_only() {
        let mut core = created("correct horse battery staple");
        core.stage(SecretString::from(KEY), base());
        core.add_staged(spec("lab"), Timestamp::from_unix(0), None)
            .unwrap();
        let (bound, _) = core.credential(KeyRef::Entry(EntryId(1)), &base()).unwrap();
        assert_eq!(bound, base());
        assert!(
            core.credential(KeyRef::Entry(EntryId(9)), &base())
                .is_none()
        );
    }

    #[test]
    fn a_key_is_added_only_for_the_address_it_was_staged_and_checked_for() {
        let mut core = created("correct horse battery staple");
        core.stage(SecretString::from(KEY), base());
        let mut other = spec("lab");
        other.api_base = elsewhere();
        assert_eq!(
            core.add_staged(other, Timestamp::from_unix(0), None),
            Err(VaultError::NotAllowed {
                origin: "https://elsewhere.example".into()
            })
        );
        // Nothing was added, and the key is still staged for where it was checked.
        assert!(core.ring.as_ref().unwrap().list().is_empty());
        assert!(
            core.add_staged(spec("lab"), Timestamp::from_unix(0), None)
                .is_ok()
        );
    }

    #[test]
    fn no_key_is_added_or_bound_where_the_agent_may_not_send_it() {
        let (mut core, text, _) = with_one_key();
        let id = core.ring.as_ref().unwrap().list()[0].id;
        let unlisted = ApiBase::parse("https://collector.example").unwrap();
        let refused = Err(VaultError::NotAllowed {
            origin: "https://collector.example".into(),
        });
        assert_eq!(core.bind(id, unlisted.clone(), Some(&text)), refused);
        core.stage(SecretString::from(KEY), unlisted.clone());
        let mut there = spec("copy");
        there.api_base = unlisted.clone();
        assert_eq!(
            core.add_staged(there, Timestamp::from_unix(0), Some(&text)),
            refused
        );
        assert_eq!(core.ring.as_ref().unwrap().list().len(), 1);
        assert_eq!(
            core.credential(KeyRef::Entry(id), &base()).unwrap().0,
            base()
        );

        // Only the page's first policy counts, and a lock keeps it.
        core.configure(ConnectPolicy::only(&[
            "https://collector.example".to_owned()
        ]));
        core.lock();
        assert!(core.may_reach(&base()));
        assert!(!core.may_reach(&unlisted));
        // An agent told nothing reaches nowhere.
        assert!(!AgentCore::default().may_reach(&base()));
    }
}
