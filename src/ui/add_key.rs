//! Adding a key: paste (masked, with show/hide), a preview decoded by the key agent, a label, and where to keep it.
//! On first run this also sets the keyring's passphrase. Before it is saved, the key is checked
//! with one `whoami` to the API it is being saved for: a key Foundry refuses (revoked, expired,
//! unknown) is named as such and kept only if the person says so; when the check cannot be made
//! (the API is down, the browser blocks it), the key is saved and the person is told.
//!
//! The form is the same in the first screen's module and in the app's; what follows once the
//! key is in the agent is a part ([`Parts::after_staging`]): the app's checks and saves here
//! ([`check_then_save`]), the first screen's creates the keyring in the agent and hands it over
//! to the app to check and save (`ui::handover`), so that its module holds neither the API
//! client nor the verdicts.

use crate::api::base::ApiBase;
use crate::api::cancel::CancelToken;
use crate::api::error::{ApiError, AuthProblem};
use crate::keyinfo::{self, KeyInfo, KeyInfoError};
use crate::secret::SecretString;
use crate::strength::{self, Strength};
use crate::ui::api::client_for;
use crate::ui::app::Parts;
use crate::ui::common::{Alert, Tone};
use crate::ui::error_panel::request_id_line;
use crate::ui::key_preview::KeyPreview;
use crate::ui::messages::vault_message;
use crate::ui::options::build_default_base;
use crate::ui::session::Session;
use crate::ui::state::{Credential, KeyringState};
use crate::vault::agent::protocol::{KeyRef, NewEntrySpec};
use crate::vault::{EntryKind, VaultError};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};

pub const REQUEST_TOKEN_URL: &str = "https://foundry.adaptyvbio.com/request-token";

/// The label of a key added without one when Foundry could not say whose it is.
const FALLBACK_LABEL: &str = "Foundry key";

#[component]
pub fn AddKeyForm(
    /// The first key of a new keyring: also asks for the passphrase.
    first_run: bool,
    /// Called after the key was added (not on first run, where the page moves on by itself).
    #[prop(optional, into)]
    on_done: Option<Callback<()>>,
    /// The first key as the first screen handed it over: staged in the agent, whose keyring
    /// was created (not stored yet). The form checks it at once, then saves it.
    #[prop(default = None)]
    resume: Option<FirstKey>,
) -> impl IntoView {
    let state = expect_context::<KeyringState>();
    let session = expect_context::<Session>();
    let parts = expect_context::<Parts>();
    // The keyring exists in the agent already: its passphrase was given on the first screen.
    let created = resume.is_some();
    // The key is staged in the agent and the field is empty (a save failed, and the agent
    // staged the key again): the next Save uses it, until another key is pasted.
    let restaged = RwSignal::new(false);
    // Storage the browser refuses (site data blocked, some private windows): nothing can be
    // kept, so a first key is for this session only, and the form says why.
    let storage_ok = !first_run || state.storage_usable();
    // The base the key will be bound to: the page's, as it stands when the form is sent.
    let target = move || ApiBase::parse(&session.api_base.get());
    let key = StoredValue::new_local(SecretString::default());
    let info = RwSignal::new(None::<Result<KeyInfo, KeyInfoError>>);
    let show_key = RwSignal::new(false);
    let label = RwSignal::new(
        resume
            .as_ref()
            .filter(|first| first.named)
            .map(|first| first.entry.label.clone())
            .unwrap_or_default(),
    );
    let kind = RwSignal::new(
        resume
            .as_ref()
            .map_or(EntryKind::DataAccess, |first| first.entry.kind),
    );
    // First run: keep encrypted in this browser, or this tab only. Later: save or tab only.
    let keep = RwSignal::new(match &resume {
        Some(first) => first.entry.keep,
        None => (first_run && storage_ok) || state.saved.get_untracked(),
    });
    let passphrase = StoredValue::new_local(SecretString::default());
    let confirmation = StoredValue::new_local(SecretString::default());
    let strength_hint = RwSignal::new(None::<Strength>);
    let confirmed = RwSignal::new(true);
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<(String, String)>);
    let can_save = move || (first_run && storage_ok) || state.saved.get();
    // The check with Foundry before saving: running, and what it found.
    let checking = RwSignal::new(false);
    let verdict = RwSignal::new(None::<Verdict>);
    // Another key added while the check could not be made: the form gives way to a notice.
    let saved_unchecked = RwSignal::new(None::<(String, ApiError)>);
    let form = NodeRef::<leptos::html::Form>::new();
    let paste_field = NodeRef::<leptos::html::Input>::new();
    let cancel = CancelToken::new();
    let on_drop = cancel.clone();
    // A key pasted and previewed but never saved does not outlive the form in the agent.
    on_cleanup(move || {
        on_drop.cancel();
        state.forget_preview();
    });
    let cancel = StoredValue::new(cancel);

    // The preview: what can be told without decoding (empty, not a Foundry key) here, the
    // rest by the key agent, which decodes the Biscuit and keeps the key for Save. Answers can
    // cross: only the one for the latest text is shown, and Save reuses the agent's copy only
    // when that answer is in (the agent then holds exactly the field's text).
    let preview_seq = StoredValue::new(0u64);
    let previewed_seq = StoredValue::new(None::<u64>);
    let on_key = move |ev: leptos::ev::Event| {
        let text = SecretString::new(event_target_value(&ev));
        let seq = preview_seq.get_value() + 1;
        preview_seq.set_value(seq);
        match keyinfo::shape(text.expose_secret()) {
            Err(problem) => info.set(Some(Err(problem))),
            Ok(_) => {
                let pasted = text.clone();
                spawn_local(async move {
                    // An agent that cannot answer leaves the preview empty; Save says why.
                    if let Ok(found) = state.preview(pasted).await
                        && preview_seq.try_get_value() == Some(seq)
                    {
                        info.try_set(Some(found));
                        previewed_seq.try_set_value(Some(seq));
                    }
                });
            }
        }
        key.set_value(text);
        restaged.set(false);
        // What Foundry said was about the key that was there before.
        verdict.set(None);
    };
    let on_passphrase = move |ev: leptos::ev::Event| {
        let text = SecretString::new(event_target_value(&ev));
        strength_hint.set((!text.is_empty()).then(|| strength::estimate(text.expose_secret())));
        confirmed.set(confirmation.with_value(|c| c.is_empty() || c == &text));
        passphrase.set_value(text);
    };
    let on_confirmation = move |ev: leptos::ev::Event| {
        let text = SecretString::new(event_target_value(&ev));
        confirmed.set(passphrase.with_value(|p| text.is_empty() || p == &text));
        confirmation.set_value(text);
    };

    let flow = AddKeyFlow {
        state,
        first_run,
        created,
        restaged,
        busy,
        checking,
        problem,
        preview: info,
        verdict,
        saved_unchecked,
        passphrase,
        confirmation,
        form,
        cancel,
        on_done,
    };

    // Validates the form, hands the key to the key agent (once: the field is cleared), then
    // goes on with the part that follows (the app checks it with Foundry, unless the person
    // already chose to keep a key it refused, then saves).
    let attempt = move |keep_refused: bool| {
        let keep_refused = keep_refused || restaged.get_untracked();
        problem.set(None);
        verdict.set(None);
        // Refused here when the preview already says why; a preview still on its way (Save
        // right after a paste) is answered again by the agent when the key is staged.
        let refuse = move |why: KeyInfoError| {
            problem.try_set(Some(("The key cannot be used".into(), format!("{why}."))));
        };
        // Keeping a key Foundry refused: it is staged already, and the field is empty.
        if !keep_refused
            && let Some(why) = key
                .with_value(|k| keyinfo::shape(k.expose_secret()).err())
                .or_else(|| info.get_untracked().and_then(Result::err))
        {
            refuse(why);
            return;
        }
        // An empty label becomes the organisation and role Foundry names for the key, once the
        // check has asked it (or a plain name when it could not be asked).
        let name = label.get_untracked().trim().to_owned();
        let Ok(api_base) = ApiBase::parse(&session.api_base.get_untracked()) else {
            problem.set(Some((
                "The API address cannot be used".into(),
                "Open Settings and give a valid https address for the Foundry API.".into(),
            )));
            return;
        };
        let keep_it = keep.get_untracked() && can_save();
        let new_passphrase = if first_run && keep_it && !created {
            let pass = passphrase.get_value();
            if !strength::estimate(pass.expose_secret()).acceptable() {
                problem.set(Some((
                    "Choose a stronger passphrase".into(),
                    strength::estimate(pass.expose_secret()).advice().into(),
                )));
                return;
            }
            if confirmation.with_value(|c| c != &pass) {
                problem.set(Some((
                    "The passphrases differ".into(),
                    "Type the same passphrase in both fields.".into(),
                )));
                return;
            }
            Some(pass)
        } else {
            None
        };
        let named = !name.is_empty();
        let staged = Staged {
            entry: NewEntrySpec {
                label: if named {
                    name
                } else {
                    FALLBACK_LABEL.to_owned()
                },
                kind: kind.get_untracked(),
                api_base,
                keep: keep_it,
            },
            named,
            new_passphrase,
        };
        if keep_refused {
            // Staged already, for the check that refused it.
            flow.save(staged.entry, staged.new_passphrase, None);
            return;
        }
        checking.set(true);
        // The key goes to the agent once; the page keeps no copy and the field is emptied.
        let pasted = key.get_value();
        key.set_value(SecretString::default());
        if let Some(field) = paste_field.get_untracked() {
            field.set_value("");
        }
        let in_agent = previewed_seq.get_value() == Some(preview_seq.get_value());
        previewed_seq.set_value(None);
        let after_staging = parts.after_staging;
        spawn_local(async move {
            let base = &staged.entry.api_base;
            let result = if in_agent {
                match state.stage_previewed(base).await {
                    // The agent restarted since the preview: send the key after all.
                    Err(VaultError::EmptyKey) => state.stage(pasted, base).await,
                    other => {
                        drop(pasted);
                        other
                    }
                }
            } else {
                state.stage(pasted, base).await
            };
            match result {
                Ok(Ok(_)) => (after_staging.run)(flow, staged),
                Ok(Err(why)) => {
                    checking.try_set(false);
                    state.unstage();
                    info.try_set(Some(Err(why.clone())));
                    refuse(why);
                }
                Err(error) => {
                    checking.try_set(false);
                    flow.key_gone();
                    let (title, advice) = vault_message(&error);
                    problem.try_set(Some((title.to_owned(), advice)));
                }
            }
        });
    };
    // The first screen's key, handed over staged: checked at once.
    if let Some(first) = resume {
        checking.set(true);
        (parts.after_staging.run)(
            flow,
            Staged {
                entry: first.entry,
                named: first.named,
                new_passphrase: None,
            },
        );
    }
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        attempt(false);
    };
    // Back to paste another key: the one Foundry refused is dropped by the agent.
    let go_back = move |_: ()| {
        verdict.set(None);
        info.set(None);
        state.unstage();
        if let Some(field) = paste_field.get_untracked() {
            let _ = field.focus();
        }
    };

    let after = parts.after_staging;
    let keep_refused = Callback::new(move |_| attempt(true));
    let go_back = Callback::new(go_back);
    view! {
        {move || saved_unchecked.get().map(|(label, error)| (after.added)(flow, label, error))}
        <form class="fk-card" node_ref=form on:submit=submit aria-labelledby="add-key-title" novalidate
            hidden=move || saved_unchecked.get().is_some()>
            <h2 id="add-key-title">{if first_run { "Add your Foundry API key" } else { "Add another key" }}</h2>
            {first_run.then(|| view! {
                <p>
                    "Your key stays in this browser. It is encrypted with a key derived from your passphrase "
                    "before it is stored, or not stored at all if you choose this session only. "
                    "It is sent only to the Foundry API configured above."
                </p>
            })}
            <div class="fk-field">
                <label for="fk-paste-key" class="fk-req">"Paste your key"</label>
                <div class="fk-input-row">
                    // A text field masked by style (style/main.css, while Show key is not
                    // pressed), never type="password": browsers' password managers offer to save
                    // what a password field held on submit, and the key would then sit in their
                    // store (and sync) in plain text. The data-* attributes ask the common
                    // extension managers to leave the field alone.
                    <input id="fk-paste-key" name="api-key" node_ref=paste_field type="text"
                        autocomplete="off" spellcheck="false" autocapitalize="off" placeholder="abs0_…"
                        data-1p-ignore="" data-lpignore="true" data-bwignore="true" data-form-type="other"
                        required aria-describedby="fk-paste-key-hint" on:input=on_key />
                    <button type="button" aria-pressed=move || show_key.get().to_string()
                        on:click=move |_| show_key.update(|s| *s = !*s)>
                        {move || if show_key.get() { "Hide key" } else { "Show key" }}
                    </button>
                </div>
                <span id="fk-paste-key-hint" class="fk-hint">
                    "No key yet? "
                    <a href=REQUEST_TOKEN_URL target="_blank" rel="noopener noreferrer">"Create one in the Foundry portal"</a>
                    "."
                </span>
            </div>
            <KeyPreview info=info.into() />
            <p class="fk-hint">"Fields marked " <span aria-hidden="true">"*"</span> " are required" <span class="fk-visually-hidden">" (the key, and a passphrase to keep it)"</span> "."</p>
            <div class="fk-grid">
                <div class="fk-field">
                    <label for="fk-key-label">"Label"</label>
                    <input id="fk-key-label" type="text" maxlength="100" placeholder="e.g. lab admin"
                        aria-describedby="fk-key-label-hint"
                        prop:value=move || label.get() on:input=move |ev| label.set(event_target_value(&ev)) />
                    <span id="fk-key-label-hint" class="fk-hint">"Optional: left empty, it is the organisation and role Foundry names for the key."</span>
                </div>
                <div class="fk-field">
                    <label for="fk-key-kind">"Used for"</label>
                    <select id="fk-key-kind" on:change=move |ev| {
                        kind.set(if event_target_value(&ev) == "partner" { EntryKind::Partner } else { EntryKind::DataAccess })
                    }>
                        <option value="data" selected=move || kind.get() == EntryKind::DataAccess>"Data access"</option>
                        <option value="partner" selected=move || kind.get() == EntryKind::Partner>"Partner key (creates keys for others)"</option>
                    </select>
                    <span class="fk-hint">"Foundry asks to keep partner keys apart from data-access keys."</span>
                </div>
            </div>
            // Shown again when the first save failed: the key may then be kept for this session
            // only, or again as chosen.
            <fieldset hidden=move || created && !restaged.get()>
                <legend>"Where to keep it"</legend>
                <label class="fk-choice">
                    <input type="radio" name="fk-keep" prop:checked=move || keep.get() && can_save()
                        prop:disabled=move || !can_save() on:change=move |_| keep.set(true) />
                    <span>{if first_run { "Keep encrypted in this browser" } else { "Save in this keyring (encrypted)" }}</span>
                </label>
                <label class="fk-choice">
                    <input type="radio" name="fk-keep" prop:checked=move || !keep.get() || !can_save()
                        on:change=move |_| keep.set(false) />
                    <span>"This session only (never stored; gone when you lock or close the tab)"</span>
                </label>
            </fieldset>
            {created.then(|| view! {
                <p class="fk-hint">{if keep.get_untracked() {
                    "Your keyring is created with the passphrase you chose: Save keeps the key under it."
                } else {
                    "Your keyring lives in this tab only: nothing is stored."
                }}</p>
            })}
            {(!storage_ok).then(|| view! {
                <p class="fk-hint">"This browser does not allow storage here (site data blocked, or a private window): the key can be used for this session only."</p>
            })}
            <Show when=move || first_run && keep.get() && !created>
                <div class="fk-grid">
                    <div class="fk-field">
                        <label for="fk-new-passphrase" class="fk-req">"Passphrase"</label>
                        <input id="fk-new-passphrase" type="password" autocomplete="new-password" required
                            aria-describedby="fk-strength" on:input=on_passphrase />
                        <span id="fk-strength" class="fk-hint" aria-live="polite">
                            {move || match strength_hint.get() {
                                Some(s) => format!("Strength: {}. {}", s.label(), s.advice()),
                                None => format!("At least {} characters. It cannot be recovered: if you forget it, add your keys again.", strength::MIN_LENGTH),
                            }}
                        </span>
                    </div>
                    <div class="fk-field">
                        <label for="fk-confirm-passphrase" class="fk-req">"Confirm passphrase"</label>
                        <input id="fk-confirm-passphrase" type="password" autocomplete="new-password" required
                            aria-invalid=move || (!confirmed.get()).to_string() on:input=on_confirmation />
                        <Show when=move || !confirmed.get()>
                            <span class="fk-hint" role="alert">"The passphrases differ."</span>
                        </Show>
                    </div>
                </div>
            </Show>
            {move || match target() {
                Ok(base) if base != build_default_base() => view! {
                    <Alert title="This key will be saved for a non-default API" tone=Tone::Warning>
                        <p>"It will be sent to " <code>{base.to_string()}</code> " and nowhere else, not to the default "
                           <code>{build_default_base().to_string()}</code> ". Save it only if you trust that address."</p>
                    </Alert>
                }.into_any(),
                Ok(base) => view! {
                    <p class="fk-hint">"This key will be sent only to " <code>{base.to_string()}</code> "."</p>
                }.into_any(),
                Err(_) => ().into_any(),
            }}
            {move || problem.get().map(|(title, advice)| view! {
                <Alert title=title tone=Tone::Error><p>{advice}</p></Alert>
            })}
            {move || (verdict.get().is_some() || restaged.get()).then(|| (after.verdict)(flow, keep_refused, go_back))}
            <Show when=move || checking.get()>
                <p role="status" class="fk-hint">"Checking the key with Foundry…"</p>
            </Show>
            <Show when=move || busy.get()>
                <div role="status" class="fk-field">
                    <label for="fk-kdf-progress">"Encrypting: deriving a key from your passphrase…"</label>
                    <progress id="fk-kdf-progress" class="fk-progress"></progress>
                </div>
            </Show>
            <div class="fk-actions">
                <button type="submit" class="fk-primary" prop:disabled=move || busy.get() || checking.get()>
                    {move || if keep.get() && can_save() { "Save key" } else { "Use for this session" }}
                </button>
                {(!first_run).then(|| view! {
                    <button type="button" on:click=move |_| if let Some(done) = on_done { done.run(()) }>"Cancel"</button>
                })}
            </div>
        </form>
    }
    .into_any()
}

/// The form's state that what follows the staging reads and sets.
#[derive(Clone, Copy)]
pub struct AddKeyFlow {
    pub state: KeyringState,
    first_run: bool,
    /// The keyring exists in the agent (handed over by the first screen): no `create`.
    created: bool,
    /// The key is staged in the agent again after a failed save: the next Save uses it.
    restaged: RwSignal<bool>,
    /// Deriving the key of a new keyring, or saving.
    pub busy: RwSignal<bool>,
    /// Checking with Foundry (the app) or opening the app (the first screen).
    pub checking: RwSignal<bool>,
    pub problem: RwSignal<Option<(String, String)>>,
    /// What the pasted key says about itself, beside the paste field.
    preview: RwSignal<Option<Result<KeyInfo, KeyInfoError>>>,
    verdict: RwSignal<Option<Verdict>>,
    saved_unchecked: RwSignal<Option<(String, ApiError)>>,
    passphrase: StoredValue<SecretString, LocalStorage>,
    confirmation: StoredValue<SecretString, LocalStorage>,
    form: NodeRef<leptos::html::Form>,
    cancel: StoredValue<CancelToken>,
    on_done: Option<Callback<()>>,
}

/// A key the agent holds, with what the form said of it.
pub struct Staged {
    pub entry: NewEntrySpec,
    /// The person gave a label (else Foundry's name for the key replaces the fallback).
    pub named: bool,
    /// The new keyring's passphrase, on the first run when the keyring is kept.
    pub new_passphrase: Option<SecretString>,
}

/// The first key as the first screen hands it to the app (`ui::handover`): the keyring was
/// created in the agent, not stored, and the key is staged there. No secret: the passphrase
/// went to the agent with `create`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstKey {
    pub entry: NewEntrySpec,
    pub named: bool,
}

/// What follows the staging, and what it shows: the app's check with Foundry ([`CHECK`]), or
/// the first screen's handover (`ui::handover`), whose module then links none of the check.
#[derive(Clone, Copy)]
pub struct AfterStaging {
    pub run: fn(AddKeyFlow, Staged),
    /// In the form, when the check found something: the verdict and its choices
    /// (keep the refused key, go back).
    pub verdict: fn(AddKeyFlow, Callback<()>, Callback<()>) -> AnyView,
    /// Instead of the form: another key saved without a check.
    pub added: fn(AddKeyFlow, String, ApiError) -> AnyView,
}

/// The app's: check with Foundry, then save.
pub const CHECK: AfterStaging = AfterStaging {
    run: check_then_save,
    verdict: verdict_view,
    added: added_view,
};

impl AddKeyFlow {
    /// The key Save took from the field is held nowhere now (the agent did not take it, or it
    /// went with the keyring the first screen could not hand over): its preview goes too, so
    /// nothing beside the empty field describes a key that must be pasted again.
    pub fn key_gone(&self) {
        self.preview.try_set(None);
    }

    /// Saves the staged key (first run: creates the keyring, unless it exists already in the
    /// agent). `unchecked`: why Foundry could not be asked about the key, said after saving.
    pub fn save(
        self,
        entry: NewEntrySpec,
        new_passphrase: Option<SecretString>,
        unchecked: Option<ApiError>,
    ) {
        let Self {
            state,
            first_run,
            created,
            restaged,
            busy,
            problem,
            saved_unchecked,
            passphrase,
            confirmation,
            form,
            on_done,
            ..
        } = self;
        let label = entry.label.clone();
        busy.set(true);
        spawn_local(async move {
            let result = match (first_run, created) {
                // Into the keyring the first screen created, as it was made; after a kept save
                // failed, a keyring for this session only is made now if the person asks.
                (true, true) if entry.keep || !restaged.get_untracked() => {
                    state.add_first(entry).await
                }
                (true, _) => state.create(new_passphrase, entry).await,
                (false, _) => state.add_staged(entry, true).await.map(|_| ()),
            };
            busy.try_set(false);
            match result {
                Ok(()) => {
                    passphrase.try_set_value(SecretString::default());
                    confirmation.try_set_value(SecretString::default());
                    match unchecked {
                        // First run moves the page on, and the key's own panel shows what the
                        // API answers; another key's form stays to say it was not checked.
                        Some(error) if !first_run => {
                            if let Some(f) = form.try_get_untracked().flatten() {
                                f.reset();
                            }
                            saved_unchecked.try_set(Some((label, error)));
                        }
                        // The form may already be gone (first run moves the page on): try_run.
                        _ => {
                            if let Some(done) = on_done {
                                done.try_run(());
                            }
                        }
                    }
                }
                Err(error) => {
                    // Nothing was kept, and the agent staged the key again (`Op::Unwritten`):
                    // the person can try again, or keep it another way, without pasting it.
                    // An agent that is gone took the key with it: it must be pasted again.
                    let agent_gone =
                        matches!(error, VaultError::AgentUnavailable | VaultError::Closed);
                    restaged.try_set(!agent_gone);
                    let (title, advice) = vault_message(&error);
                    problem.try_set(Some((title.to_owned(), advice)));
                }
            }
        });
    }
}

/// The app's part after the staging: asks Foundry who the key is (`whoami`, through the agent
/// with the staged key), then saves it, names a key it refused and waits for the person's
/// choice, or saves one it could not ask about and says so.
pub fn check_then_save(flow: AddKeyFlow, staged: Staged) {
    let Staged {
        mut entry,
        named,
        new_passphrase,
    } = staged;
    let (Some(cancel), Some(agent)) = (flow.cancel.try_get_value(), flow.state.agent()) else {
        flow.checking.try_set(false);
        return;
    };
    let client = client_for(Credential {
        base: entry.api_base.clone(),
        key: KeyRef::Staged,
        agent,
    })
    .with_cancel(cancel);
    spawn_local(async move {
        let answer = client.whoami().await;
        drop(client);
        flow.checking.try_set(false);
        match answer {
            Ok(who) => {
                if !named && let Some(suggested) = who.suggested_label() {
                    entry.label = suggested;
                }
                flow.save(entry, new_passphrase, None)
            }
            // The form went away (cancelled, or the keyring locked): nothing to save.
            Err(ApiError::Aborted) => {}
            Err(error) if refused_key(&error).is_some() => {
                flow.verdict.try_set(Some(Verdict::Refused(error)));
            }
            // Foundry knows the key (a 403 comes after it was authenticated) but the key may not
            // ask who it is: whoami requires the read action, which an attenuation can take away.
            // It works for what it may do, so it is saved as a key that works.
            Err(ApiError::Forbidden { .. }) => flow.save(entry, new_passphrase, None),
            // Nothing was sent, and nothing ever could be from this page: saved, the key would
            // stay bound to an address it can never be used with here.
            Err(error @ ApiError::NotAllowed { .. }) => {
                flow.verdict.try_set(Some(Verdict::Blocked(error)));
            }
            // Not the key's fault, as far as anyone can tell: do not stand in the way.
            Err(error) => {
                flow.verdict
                    .try_set(Some(Verdict::Unchecked(error.clone())));
                flow.save(entry, new_passphrase, Some(error));
            }
        }
    });
}

fn verdict_view(flow: AddKeyFlow, keep: Callback<()>, back: Callback<()>) -> AnyView {
    view! {
        {move || flow.restaged.get().then(|| view! {
            <p class="fk-hint" role="status">"The key you pasted is still held: Save uses it. Paste another only to replace it."</p>
        })}
        {move || flow.verdict.get().map(|v| match v {
            Verdict::Refused(error) => view! { <RefusedKey error=error on_keep=keep on_back=back /> }.into_any(),
            Verdict::Unchecked(error) => view! { <UncheckedNotice error=error /> }.into_any(),
            Verdict::Blocked(error) => view! { <BlockedAddress error=error on_back=back /> }.into_any(),
        })}
    }
    .into_any()
}

fn added_view(flow: AddKeyFlow, label: String, error: ApiError) -> AnyView {
    let on_done = flow.on_done;
    view! {
        <section class="fk-card" aria-labelledby="fk-added-title">
            <h2 id="fk-added-title">"Key added: " {label}</h2>
            <UncheckedNotice error=error />
            <button type="button" class="fk-primary"
                on:click=move |_| if let Some(done) = on_done { done.run(()) }>"Done"</button>
        </section>
    }
    .into_any()
}

/// What the check before saving found.
#[derive(Clone)]
enum Verdict {
    /// Foundry refused the key (401): it does not work. Saved only if the person says so.
    Refused(ApiError),
    /// Foundry could not be asked; the key is saved all the same.
    Unchecked(ApiError),
    /// This page may not reach the key's API at all: not saved.
    Blocked(ApiError),
}

/// Why Foundry refused the key itself, when the error says it did: a 401 to `whoami`. A 403
/// means the key is valid but may not read; anything else (a network failure, CORS, a 5xx, a
/// redirect, an answer this client cannot read) says nothing about the key.
fn refused_key(error: &ApiError) -> Option<AuthProblem> {
    match error {
        ApiError::Unauthorized { problem, .. } => Some(*problem),
        _ => None,
    }
}

/// A key Foundry refuses, before it is saved: what it said, and the choice.
#[component]
fn RefusedKey(error: ApiError, on_keep: Callback<()>, on_back: Callback<()>) -> impl IntoView {
    let problem = refused_key(&error).unwrap_or(AuthProblem::Unspecified);
    let (title, why) = match problem {
        AuthProblem::Revoked => ("This key was revoked", "A revoked key never works again."),
        AuthProblem::Expired => (
            "This key has expired",
            "An expired key does not work again.",
        ),
        AuthProblem::Invalid => (
            "Foundry does not know this key",
            "It may be incomplete, or belong to another Foundry API than this one.",
        ),
        AuthProblem::Unspecified => ("Foundry refused this key", "It cannot be used as it is."),
    };
    view! {
        <Alert title=title tone=Tone::Error>
            <p>{error.to_string()} " " {why}</p>
            <p>"Keep it anyway (for example, to remember which key it was), or go back and paste another key. "
               <a href=REQUEST_TOKEN_URL target="_blank" rel="noopener noreferrer">"Get a new key in the Foundry portal"</a> "."</p>
            {request_id_line(&error)}
            <div class="fk-actions">
                <button type="button" on:click=move |_| on_keep.run(())>"Keep it anyway"</button>
                <button type="button" class="fk-primary" on:click=move |_| on_back.run(())>"Go back"</button>
            </div>
        </Alert>
    }
    .into_any()
}

/// The page may not reach the API the key would be bound to: the key is not saved, and the way
/// forward is another address.
#[component]
fn BlockedAddress(error: ApiError, on_back: Callback<()>) -> impl IntoView {
    view! {
        <Alert title="The key was not added" tone=Tone::Error>
            <p>{error.to_string()}</p>
            <p>{error.advice()} " Then paste the key again."</p>
            <div class="fk-actions">
                <button type="button" class="fk-primary" on:click=move |_| on_back.run(())>"Go back"</button>
            </div>
        </Alert>
    }
    .into_any()
}

/// The key was saved without a check: why Foundry could not be asked.
#[component]
fn UncheckedNotice(error: ApiError) -> impl IntoView {
    view! {
        <Alert title="This key could not be checked" tone=Tone::Warning>
            <p>"Foundry could not be asked whether it accepts the key. " {error.to_string()}</p>
            <p>"It is saved all the same. Once the API answers, the key's panel shows whether it works."</p>
        </Alert>
    }
    .into_any()
}
