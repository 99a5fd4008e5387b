//! Adding a key: paste (masked, with show/hide), a preview decoded by the key agent, a label, and where to keep it.
//! On first run this also sets the keyring's passphrase. Before it is saved, the key is checked
//! with one `whoami` to the API it is being saved for: a key Foundry refuses (revoked, expired,
//! unknown) is named as such and kept only if the person says so; when the check cannot be made
//! (the API is down, the browser blocks it), the key is saved and the person is told.

use crate::api::base::ApiBase;
use crate::api::cancel::CancelToken;
use crate::api::error::{ApiError, AuthProblem};
use crate::keyinfo::{self, KeyInfo, KeyInfoError};
use crate::secret::SecretString;
use crate::strength::{self, Strength};
use crate::ui::api::client_for;
use crate::ui::common::{Alert, Tone};
use crate::ui::key_preview::KeyPreview;
use crate::ui::messages::vault_message;
use crate::ui::options::build_default_base;
use crate::ui::session::Session;
use crate::ui::state::{Credential, KeyringState};
use crate::vault::agent::protocol::{KeyRef, NewEntrySpec};
use crate::vault::{EntryKind, VaultError};
use leptos::prelude::*;
use leptos::task::spawn_local;

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
) -> impl IntoView {
    let state = expect_context::<KeyringState>();
    let session = expect_context::<Session>();
    // The base the key will be bound to: the page's, as it stands when the form is sent.
    let target = move || ApiBase::parse(&session.api_base.get());
    let key = StoredValue::new_local(SecretString::default());
    let info = RwSignal::new(None::<Result<KeyInfo, KeyInfoError>>);
    let show_key = RwSignal::new(false);
    let label = RwSignal::new(String::new());
    let kind = RwSignal::new(EntryKind::DataAccess);
    // First run: keep encrypted in this browser, or this tab only. Later: save or tab only.
    let keep = RwSignal::new(first_run || state.saved.get_untracked());
    let passphrase = StoredValue::new_local(SecretString::default());
    let confirmation = StoredValue::new_local(SecretString::default());
    let strength_hint = RwSignal::new(None::<Strength>);
    let confirmed = RwSignal::new(true);
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<(String, String)>);
    let can_save = move || first_run || state.saved.get();
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

    // Saves the staged key (first run: creates the keyring). `unchecked`: why Foundry could not
    // be asked about the key, said after saving.
    let save = move |entry: NewEntrySpec,
                     new_passphrase: Option<SecretString>,
                     unchecked: Option<ApiError>| {
        let label = entry.label.clone();
        busy.set(true);
        spawn_local(async move {
            let result = if first_run {
                state.create(new_passphrase, entry).await
            } else {
                state.add_staged(entry, true).await.map(|_| ())
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
                    let (title, advice) = vault_message(&error);
                    problem.try_set(Some((title.to_owned(), advice)));
                }
            }
        });
    };

    // Validates the form, hands the key to the key agent (once: the field is cleared), checks
    // it with Foundry through the agent (unless the person already chose to keep a key it
    // refused), then saves.
    let attempt = move |keep_refused: bool| {
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
        // check below has asked it (or a plain name when it could not be asked).
        let name = label.get_untracked().trim().to_owned();
        let Ok(api_base) = ApiBase::parse(&session.api_base.get_untracked()) else {
            problem.set(Some((
                "The API address cannot be used".into(),
                "Open Settings and give a valid https address for the Foundry API.".into(),
            )));
            return;
        };
        let keep_it = keep.get_untracked() && can_save();
        let new_passphrase = if first_run && keep_it {
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
        let mut entry = NewEntrySpec {
            label: if named {
                name
            } else {
                FALLBACK_LABEL.to_owned()
            },
            kind: kind.get_untracked(),
            api_base,
            keep: keep_it,
        };
        if keep_refused {
            // Staged already, for the check that refused it.
            save(entry, new_passphrase, None);
            return;
        }
        let Some(cancel) = cancel.try_get_value() else {
            return;
        };
        let Some(agent) = state.agent() else { return };
        checking.set(true);
        // The key goes to the agent once; the page keeps no copy and the field is emptied.
        let pasted = key.get_value();
        key.set_value(SecretString::default());
        if let Some(field) = paste_field.get_untracked() {
            field.set_value("");
        }
        let in_agent = previewed_seq.get_value() == Some(preview_seq.get_value());
        previewed_seq.set_value(None);
        spawn_local(async move {
            let staged = if in_agent {
                match state.stage_previewed(&entry.api_base).await {
                    // The agent restarted since the preview: send the key after all.
                    Err(VaultError::EmptyKey) => state.stage(pasted, &entry.api_base).await,
                    other => {
                        drop(pasted);
                        other
                    }
                }
            } else {
                state.stage(pasted, &entry.api_base).await
            };
            match staged {
                Ok(Ok(_)) => {}
                Ok(Err(why)) => {
                    checking.try_set(false);
                    state.unstage();
                    info.try_set(Some(Err(why.clone())));
                    refuse(why);
                    return;
                }
                Err(error) => {
                    checking.try_set(false);
                    let (title, advice) = vault_message(&error);
                    problem.try_set(Some((title.to_owned(), advice)));
                    return;
                }
            }
            let client = client_for(Credential {
                base: entry.api_base.clone(),
                key: KeyRef::Staged,
                agent,
            })
            .with_cancel(cancel);
            let answer = client.whoami().await;
            drop(client);
            checking.try_set(false);
            match answer {
                Ok(who) => {
                    if !named && let Some(suggested) = who.suggested_label() {
                        entry.label = suggested;
                    }
                    save(entry, new_passphrase, None)
                }
                // The form went away (cancelled, or the keyring locked): nothing to save.
                Err(ApiError::Aborted) => {}
                Err(error) if refused_key(&error).is_some() => {
                    verdict.try_set(Some(Verdict::Refused(error)));
                }
                // Not the key's fault, as far as anyone can tell: do not stand in the way.
                Err(error) => {
                    verdict.try_set(Some(Verdict::Unchecked(error.clone())));
                    save(entry, new_passphrase, Some(error));
                }
            }
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        attempt(false);
    };
    // Back to paste another key: the one Foundry refused is dropped by the agent.
    let go_back = move |_| {
        verdict.set(None);
        info.set(None);
        state.unstage();
        if let Some(field) = paste_field.get_untracked() {
            let _ = field.focus();
        }
    };

    view! {
        {move || saved_unchecked.get().map(|(label, error)| view! {
            <section class="fk-card" aria-labelledby="fk-added-title">
                <h2 id="fk-added-title">"Key added: " {label}</h2>
                <UncheckedNotice error=error />
                <button type="button" class="fk-primary"
                    on:click=move |_| if let Some(done) = on_done { done.run(()) }>"Done"</button>
            </section>
        })}
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
                    <input id="fk-paste-key" name="api-key" node_ref=paste_field type=move || if show_key.get() { "text" } else { "password" }
                        autocomplete="off" spellcheck="false" autocapitalize="off" placeholder="abs0_…"
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
                        <option value="data" selected=true>"Data access"</option>
                        <option value="partner">"Partner key (creates keys for others)"</option>
                    </select>
                    <span class="fk-hint">"Foundry asks to keep partner keys apart from data-access keys."</span>
                </div>
            </div>
            <fieldset>
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
            <Show when=move || first_run && keep.get()>
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
            {move || verdict.get().map(|v| match v {
                Verdict::Refused(error) => view! {
                    <RefusedKey error=error on_keep=Callback::new(move |_| attempt(true)) on_back=Callback::new(go_back) />
                }.into_any(),
                Verdict::Unchecked(error) => view! { <UncheckedNotice error=error /> }.into_any(),
            })}
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

/// What the check before saving found.
#[derive(Clone)]
enum Verdict {
    /// Foundry refused the key (401): it does not work. Saved only if the person says so.
    Refused(ApiError),
    /// Foundry could not be asked; the key is saved all the same.
    Unchecked(ApiError),
}

/// Why Foundry refused the key itself, when the error says it did: a 401 to `whoami`, which
/// needs nothing but a valid key. Anything else (a network failure, CORS, a 5xx, a redirect, an
/// answer this client cannot read) says nothing about the key.
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
    let request_id = error.request_id().map(str::to_owned);
    view! {
        <Alert title=title tone=Tone::Error>
            <p>{error.to_string()} " " {why}</p>
            <p>"Keep it anyway (for example, to remember which key it was), or go back and paste another key. "
               <a href=REQUEST_TOKEN_URL target="_blank" rel="noopener noreferrer">"Get a new key in the Foundry portal"</a> "."</p>
            {request_id.map(|id| view! { <p>"Request id: " <code class="fk-request-id">{id}</code></p> })}
            <div class="fk-actions">
                <button type="button" on:click=move |_| on_keep.run(())>"Keep it anyway"</button>
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
