//! The keyring itself: switch the key in use, rename, remove, change the passphrase, export
//! and import, forget all.

use crate::format;
use crate::secret::SecretString;
use crate::strength;
use crate::ui::add_key::AddKeyForm;
use crate::ui::common::{Alert, Tone, When};
use crate::ui::confirm::ConfirmDialog;
use crate::ui::handover::{self, Panel};
use crate::ui::messages::vault_message;
use crate::ui::state::{ImportTarget, KeyringState, Phase};
use crate::vault::{
    EntryId, EntryKind, EntryMeta, KeyringFile, MAX_IMPORT_BYTES, Namespace, Persistence,
    StoredSnapshot, VaultError,
};
use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// The strip above the panels: which key is in use, and the keyring's actions.
#[component]
pub fn KeyringBar() -> impl IntoView {
    let state = expect_context::<KeyringState>();
    let keeping = expect_context::<KeepingNotice>();
    let adding = RwSignal::new(false);
    let managing = RwSignal::new(false);
    let problem = RwSignal::new(None::<(String, String)>);
    let switch = move |ev: leptos::ev::Event| {
        if let Ok(id) = event_target_value(&ev).parse::<u64>()
            && let Err(error) = state.switch_to(EntryId(id))
        {
            let (title, advice) = vault_message(&error);
            problem.set(Some((title.to_owned(), advice)));
        }
    };
    view! {
        <section class="fk-card" aria-label="Keyring">
            <div class="fk-toolbar">
                <div class="fk-field">
                    <label for="fk-active-key">"Key in use"</label>
                    <select id="fk-active-key" on:change=switch>
                        <For each=move || state.entries.get() key=|e| (e.id, e.label.clone()) let:entry>
                            <option value=entry.id.to_string() selected=move || state.active.get() == Some(entry.id)>
                                {entry_title(&entry)}
                            </option>
                        </For>
                    </select>
                </div>
                <div class="fk-actions">
                    <button type="button" aria-expanded=move || adding.get().to_string()
                        on:click=move |_| { managing.set(false); adding.update(|a| *a = !*a) }>"Add a key"</button>
                    <button type="button" aria-expanded=move || managing.get().to_string()
                        on:click=move |_| { adding.set(false); managing.update(|m| *m = !*m) }>"Manage keyring"</button>
                </div>
            </div>
            {move || (!state.saved.get()).then(|| view! {
                <p class="fk-hint">"This keyring lives in this tab only. Set a passphrase under Manage keyring to keep it."</p>
            })}
            {move || problem.get().map(|(title, advice)| view! { <Alert title=title tone=Tone::Error><p>{advice}</p></Alert> })}
            {move || keeping.0.get().map(|(title, detail)| view! {
                <Alert title=title tone=Tone::Success>
                    <p>{detail}</p>
                    <button type="button" class="fk-link" on:click=move |_| keeping.0.set(None)>"Dismiss"</button>
                </Alert>
            })}
        </section>
        <Show when=move || adding.get()>
            <AddKeyForm first_run=false on_done=Callback::new(move |_| adding.set(false)) />
        </Show>
        <Show when=move || managing.get()>
            <ManageKeyring />
        </Show>
    }
    .into_any()
}

fn entry_title(entry: &EntryMeta) -> String {
    let mut title = format!("{} ({})", entry.label, entry.fingerprint);
    if entry.kind == EntryKind::Partner {
        title.push_str(", partner");
    }
    if entry.persistence == Persistence::SessionOnly {
        title.push_str(", this session only");
    }
    title
}

#[component]
fn ManageKeyring() -> impl IntoView {
    let state = expect_context::<KeyringState>();
    let problem = RwSignal::new(None::<(String, String)>);
    let notice = RwSignal::new(None::<String>);
    let to_remove = RwSignal::new(None::<EntryMeta>);
    let confirm_remove = RwSignal::new(false);
    let confirm_forget = RwSignal::new(false);
    let report = move |result: Result<(), crate::vault::VaultError>, done: &str| match result {
        Ok(()) => {
            problem.set(None);
            notice.set(Some(done.to_owned()));
        }
        Err(error) => {
            let (title, advice) = vault_message(&error);
            problem.set(Some((title.to_owned(), advice)));
        }
    };
    let remove = Callback::new(move |_| {
        confirm_remove.set(false);
        if let Some(entry) = to_remove.get_untracked() {
            spawn_local(async move {
                report(
                    state.remove(entry.id).await,
                    &format!("Removed \"{}\".", entry.label),
                );
            });
        }
    });
    let forget = Callback::new(move |_| {
        confirm_forget.set(false);
        report(state.forget_all(), "Every stored key was deleted.");
    });

    view! {
        <section class="fk-card" aria-labelledby="fk-manage-title">
            <h2 id="fk-manage-title">"Manage keyring"</h2>
            {move || notice.get().map(|n| view! { <Alert title=n tone=Tone::Success /> })}
            {move || problem.get().map(|(title, advice)| view! { <Alert title=title tone=Tone::Error><p>{advice}</p></Alert> })}
            <div class="fk-table-wrap">
                // At phone width each row is a card (style/main.css, "fk-cards"), as the token
                // table's are: four columns do not fit beside the buttons.
                <table class="fk-cards fk-keys-table">
                    <caption class="fk-visually-hidden">"Keys in this keyring"</caption>
                    <thead><tr>
                        <th scope="col">"Label"</th><th scope="col">"Key"</th><th scope="col">"Added"</th><th scope="col">"Actions"</th>
                    </tr></thead>
                    <tbody>
                        <For each=move || state.entries.get() key=|e| (e.id, e.label.clone()) let:entry>
                            <EntryRow entry=entry.clone() report=report on_remove=Callback::new(move |e: EntryMeta| {
                                to_remove.set(Some(e));
                                confirm_remove.set(true);
                            }) />
                        </For>
                    </tbody>
                </table>
            </div>
            <ChangePassphrase />
            <Show when=move || state.saved.get()>
                <crate::ui::passkey::ManagePasskeys />
            </Show>
            <ExportKeyring />
            <ImportKeyring nested=true />
            <h3>"Forget everything"</h3>
            <p>"Delete the encrypted keyring from this browser. Your keys stay valid at Foundry."</p>
            <button type="button" class="fk-danger" on:click=move |_| confirm_forget.set(true)>"Forget all keys…"</button>
        </section>
        <ConfirmDialog open=confirm_remove
            title=Signal::derive(move || format!("Remove \"{}\"?", to_remove.get().map(|e| e.label).unwrap_or_default()))
            confirm_label="Remove key" on_confirm=remove>
            <p>"The key is deleted from this keyring only; it stays valid at Foundry. To disable it everywhere, revoke it."</p>
        </ConfirmDialog>
        <ConfirmDialog open=confirm_forget title="Forget every stored key?" confirm_label="Forget all keys" on_confirm=forget>
            <p>"This deletes the encrypted keyring from this browser and locks it. This cannot be undone."</p>
        </ConfirmDialog>
    }
    .into_any()
}

#[component]
fn EntryRow(
    entry: EntryMeta,
    report: impl Fn(Result<(), crate::vault::VaultError>, &str) + Copy + Send + Sync + 'static,
    on_remove: Callback<EntryMeta>,
) -> impl IntoView {
    let state = expect_context::<KeyringState>();
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(entry.label.clone());
    let id = entry.id;
    let label_id = format!("fk-rename-{}", id);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let label = draft.get_untracked();
        spawn_local(async move {
            report(
                state.rename(id, &label).await,
                &format!("Renamed to \"{}\".", label.trim()),
            );
        });
        editing.set(false);
    };
    let removable = entry.clone();
    view! {
        <tr>
            <th scope="row">
                <Show when=move || editing.get() fallback=move || view! { <span>{draft.get()}</span> }>
                    <form on:submit=save class="fk-input-row">
                        <label for=label_id.clone() class="fk-visually-hidden">"New label"</label>
                        <input id=label_id.clone() type="text" maxlength="100" prop:value=move || draft.get()
                            on:input=move |ev| draft.set(event_target_value(&ev)) />
                        <button type="submit">"Save"</button>
                    </form>
                </Show>
                {(entry.persistence == Persistence::SessionOnly).then(|| view! { <span class="fk-badge">"this session only"</span> })}
                {(entry.kind == EntryKind::Partner).then(|| view! { <span class="fk-badge">"partner"</span> })}
            </th>
            <td class="fk-mono" data-label="Key">{entry.fingerprint.clone()}</td>
            <td data-label="Added"><When at=entry.created_at /></td>
            <td data-label="Actions">
                <div class="fk-actions">
                    <button type="button" on:click=move |_| editing.update(|e| *e = !*e)
                        aria-label=format!("Rename {}", entry.label)>"Rename"</button>
                    <button type="button" on:click=move |_| on_remove.run(removable.clone())
                        aria-label=format!("Remove {}", entry.label)>"Remove…"</button>
                </div>
            </td>
        </tr>
    }
    .into_any()
}

#[component]
fn ChangePassphrase() -> impl IntoView {
    let state = expect_context::<KeyringState>();
    let current = StoredValue::new_local(SecretString::default());
    let first = StoredValue::new_local(SecretString::default());
    let second = StoredValue::new_local(SecretString::default());
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<String, (String, String)>>);
    let form = NodeRef::<leptos::html::Form>::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let pass = first.get_value();
        let strength = strength::estimate(pass.expose_secret());
        if !strength.acceptable() {
            outcome.set(Some(Err((
                "Choose a stronger passphrase".into(),
                strength.advice().into(),
            ))));
            return;
        }
        if second.with_value(|s| s != &pass) {
            outcome.set(Some(Err((
                "The passphrases differ".into(),
                "Type the same passphrase in both fields.".into(),
            ))));
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let old = state.saved.get_untracked().then(|| current.get_value());
            let result = state.change_passphrase(old, pass).await;
            busy.set(false);
            current.set_value(SecretString::default());
            first.set_value(SecretString::default());
            second.set_value(SecretString::default());
            // A refused save locks the keyring, and this form is gone with it.
            if let Some(f) = form.try_get_untracked().flatten() {
                f.reset();
            }
            outcome.set(Some(match result {
                Ok(()) => Ok("Passphrase changed. Use the new one from now on.".to_owned()),
                Err(error) => {
                    let (title, advice) = vault_message(&error);
                    Err((title.to_owned(), advice))
                }
            }));
        });
    };
    view! {
        <form node_ref=form on:submit=submit aria-labelledby="fk-change-pass-title">
            <h3 id="fk-change-pass-title">
                {move || if state.saved.get() { "Change the passphrase" } else { "Keep this keyring: set a passphrase" }}
            </h3>
            <div class="fk-grid">
                <Show when=move || state.saved.get()>
                    <div class="fk-field">
                        <label for="fk-current-pass">"Current passphrase"</label>
                        <input id="fk-current-pass" type="password" autocomplete="current-password"
                            on:input=move |ev| current.set_value(SecretString::new(event_target_value(&ev))) />
                    </div>
                </Show>
                <div class="fk-field">
                    <label for="fk-change-pass">"New passphrase"</label>
                    <input id="fk-change-pass" type="password" autocomplete="new-password"
                        on:input=move |ev| first.set_value(SecretString::new(event_target_value(&ev))) />
                </div>
                <div class="fk-field">
                    <label for="fk-change-pass-confirm">"Confirm new passphrase"</label>
                    <input id="fk-change-pass-confirm" type="password" autocomplete="new-password"
                        on:input=move |ev| second.set_value(SecretString::new(event_target_value(&ev))) />
                </div>
            </div>
            {move || outcome.get().map(|o| match o {
                Ok(message) => view! { <Alert title=message tone=Tone::Success /> }.into_any(),
                Err((title, advice)) => view! { <Alert title=title tone=Tone::Error><p>{advice}</p></Alert> }.into_any(),
            })}
            <Show when=move || busy.get()>
                <div role="status"><progress class="fk-progress" aria-label="Deriving the new key"></progress></div>
            </Show>
            <button type="submit" prop:disabled=move || busy.get()>
                {move || if state.saved.get() { "Change passphrase" } else { "Set passphrase and keep" }}
            </button>
        </form>
    }
    .into_any()
}

/// What a finished import tells the person once the keyring it opened is on screen. The
/// import form itself may be gone by then (it was on the first-run or unlock screen).
#[derive(Clone, Copy)]
pub struct KeepingNotice(pub RwSignal<Option<(String, String)>>);

impl KeepingNotice {
    /// One per instance; cleared when the keyring locks.
    pub fn new(state: KeyringState) -> Self {
        let notice = RwSignal::new(None);
        Effect::new(move |_| {
            if state.phase.get() != Phase::Unlocked {
                notice.set(None);
            }
        });
        Self(notice)
    }
}

#[component]
fn ExportKeyring() -> impl IntoView {
    let state = expect_context::<KeyringState>();
    let outcome = RwSignal::new(None::<Result<String, (String, String)>>);
    let has_session_only = move || {
        state.entries.with(|entries| {
            entries
                .iter()
                .any(|e| e.persistence == Persistence::SessionOnly)
        })
    };
    let export = move |_| {
        let result = state.export().and_then(|(name, text)| {
            download(&name, &text)
                .map(|()| name)
                .map_err(|_| VaultError::Closed)
        });
        outcome.set(Some(match result {
            Ok(name) => Ok(name),
            Err(VaultError::Closed) => Err((
                "The file could not be saved".to_owned(),
                "This browser refused the download. Nothing was changed; try again.".to_owned(),
            )),
            Err(error) => {
                let (title, advice) = vault_message(&error);
                Err((title.to_owned(), advice))
            }
        }));
    };
    view! {
        <section class="fk-keeping" aria-labelledby="fk-export-title">
            <h3 id="fk-export-title">"Export"</h3>
            <Show when=move || state.saved.get()
                fallback=|| view! {
                    <p>"This keyring lives in this tab only: nothing is stored, so there is nothing to export. Set a passphrase above to keep it, then export it."</p>
                }>
                <p>"Download the keyring as it is stored in this browser: encrypted, it opens only with your passphrase. Import it in another browser with that passphrase."</p>
                <Show when=has_session_only>
                    <p class="fk-hint">"Keys kept for this session only are not stored, so they are not in the file."</p>
                </Show>
                <button type="button" on:click=export>"Export keyring file"</button>
            </Show>
            {move || outcome.get().map(|o| match o {
                Ok(name) => view! {
                    <Alert title=format!("Exported {name}") tone=Tone::Success>
                        <p>"It holds your keys encrypted, never in clear. Keep your passphrase: the file opens with nothing else."</p>
                    </Alert>
                }.into_any(),
                Err((title, advice)) => view! { <Alert title=title tone=Tone::Error><p>{advice}</p></Alert> }.into_any(),
            })}
        </section>
    }
    .into_any()
}

/// Imports a keyring file exported from another browser: on the first-run screen, the unlock
/// screen, and under Manage keyring (`nested`). The file is checked when chosen, the passphrase
/// proven (derived in the worker) before anything is written, and a keyring already here is
/// replaced only after the person says so.
#[component]
pub fn ImportKeyring(
    /// Part of Manage keyring (an h3), rather than a card of its own (an h2).
    #[prop(optional)]
    nested: bool,
) -> impl IntoView {
    let state = expect_context::<KeyringState>();
    let keeping = expect_context::<KeepingNotice>();
    // Open at once when the first screen's toggle brought the app here (`ui::handover`).
    let expanded = RwSignal::new(!nested && handover::take_opening(Panel::Import));
    let file = StoredValue::new_local(None::<KeyringFile>);
    let chosen = RwSignal::new(None::<String>);
    let reading = StoredValue::new(0u64);
    let passphrase = StoredValue::new_local(SecretString::default());
    let pass_input = NodeRef::<leptos::html::Input>::new();
    let file_input = NodeRef::<leptos::html::Input>::new();
    if expanded.get_untracked() {
        // The toggle that was clicked is gone with the first screen: the focus goes on.
        Effect::new(move |_| {
            if let Some(input) = file_input.get() {
                let _ = input.focus();
            }
        });
    }
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<String, (String, String)>>);
    let pending = StoredValue::new_local(None::<(KeyringFile, usize, StoredSnapshot)>);
    let asking = RwSignal::new(false);
    let replaced = RwSignal::new(String::new());
    let fail = move |error: &VaultError| {
        let (title, advice) = import_message(error);
        let _ = outcome.try_set(Some(Err((title.to_owned(), advice))));
    };

    let on_file = move |ev: leptos::ev::Event| {
        let input = event_target::<web_sys::HtmlInputElement>(&ev);
        file.set_value(None);
        chosen.set(None);
        outcome.set(None);
        let generation = reading.get_value() + 1;
        reading.set_value(generation);
        let Some(blob) = first_file(&input) else {
            return;
        };
        let name = Reflect::get(&blob, &"name".into())
            .ok()
            .and_then(|n| n.as_string())
            .unwrap_or_default();
        if blob.size() > MAX_IMPORT_BYTES as f64 {
            fail(&VaultError::NotAKeyring);
            return;
        }
        spawn_local(async move {
            let bytes = read_bytes(&blob).await;
            // Another file was chosen meanwhile, or the form is gone.
            if reading.try_get_value() != Some(generation) {
                return;
            }
            match bytes {
                Err(()) => {
                    let _ = outcome.try_set(Some(Err((
                        "The file could not be read".to_owned(),
                        "Choose it again. Nothing was changed.".to_owned(),
                    ))));
                }
                Ok(bytes) => match state.check_import(&bytes) {
                    Ok(checked) => {
                        file.set_value(Some(checked));
                        chosen.set(Some(name));
                    }
                    Err(error) => fail(&error),
                },
            }
        });
    };

    // The agent holds the opened file; this writes it and makes it the open keyring.
    let finish = move |checked: KeyringFile, _keys: usize, replacing: StoredSnapshot| {
        spawn_local(async move {
            match state.finish_import(&checked, replacing).await {
                Ok(count) => {
                    let name = chosen.try_get_untracked().flatten().unwrap_or_default();
                    keeping.0.set(Some((
                    format!("Imported {}", format::count(count as u64, "key", "keys")),
                    format!("The keyring from {name} is stored in this browser now, under the passphrase you typed, and it is unlocked."),
                )));
                    let _ = outcome.try_set(None);
                    let _ = expanded.try_set(false);
                    file.try_set_value(None);
                    let _ = chosen.try_set(None);
                }
                Err(error) => fail(&error),
            }
        });
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(checked) = file.get_value() else {
            outcome.set(Some(Err((
                "Choose a keyring file".into(),
                "Pick the .fkr file that \"Export keyring file\" saved in the other browser."
                    .into(),
            ))));
            return;
        };
        let pass = passphrase.get_value();
        if pass.is_empty() {
            outcome.set(Some(Err((
                "Enter the file's passphrase".into(),
                "It is the passphrase the keyring had in the browser it was exported from.".into(),
            ))));
            return;
        }
        busy.set(true);
        outcome.set(None);
        spawn_local(async move {
            let opened = state.open_import(&checked, pass).await;
            passphrase.try_set_value(SecretString::default());
            if let Some(el) = pass_input.try_get_untracked().flatten() {
                el.set_value("");
            }
            let _ = busy.try_set(false);
            let ring = match opened {
                Ok(ring) => ring,
                Err(error) => return fail(&error),
            };
            match state.import_target() {
                Err(error) => fail(&error),
                Ok(target) if target.is_empty() => finish(checked, ring, target.stored),
                Ok(target) => {
                    replaced.set(replacement_text(&target));
                    pending.set_value(Some((checked, ring, target.stored)));
                    asking.set(true);
                }
            }
        });
    };

    // Cancel (or Escape): the opened file is dropped, and nothing here changed.
    Effect::new(move |_| {
        if !asking.get() && pending.with_value(Option::is_some) {
            pending.set_value(None);
            outcome.set(Some(Ok(
                "Nothing was imported: the keyring in this browser is unchanged.".to_owned(),
            )));
        }
    });
    let replace = Callback::new(move |_| {
        let taken = pending.try_update_value(Option::take).flatten();
        asking.set(false);
        if let Some((checked, ring, replacing)) = taken {
            finish(checked, ring, replacing);
        }
    });

    let heading = if nested {
        view! { <h3 id="fk-import-title">"Import"</h3> }.into_any()
    } else {
        view! { <h2 id="fk-import-title">"Import a keyring"</h2> }.into_any()
    };
    view! {
        <section class=if nested { "fk-keeping" } else { "fk-card" } aria-labelledby="fk-import-title">
            {heading}
            <ImportIntro expanded=expanded on_toggle=Callback::new(move |_| expanded.update(|e| *e = !*e)) />
            <Show when=move || expanded.get()>
                <form class="fk-import" on:submit=submit aria-label="Import a keyring file">
                    <div class="fk-field">
                        <label for="fk-import-file">"Keyring file"</label>
                        <input id="fk-import-file" type="file" accept=".fkr,text/plain" node_ref=file_input on:change=on_file />
                        {move || chosen.get().map(|name| view! { <span class="fk-hint">{format!("{name}: a Foundry Keyring export, still encrypted.")}</span> })}
                    </div>
                    <div class="fk-field">
                        <label for="fk-import-pass">"Passphrase of the keyring file"</label>
                        <input id="fk-import-pass" type="password" autocomplete="current-password" node_ref=pass_input
                            on:input=move |ev| passphrase.set_value(SecretString::new(event_target_value(&ev))) />
                    </div>
                    {move || outcome.get().map(|o| match o {
                        Ok(message) => view! { <Alert title=message /> }.into_any(),
                        Err((title, advice)) => view! { <Alert title=title tone=Tone::Error><p>{advice}</p></Alert> }.into_any(),
                    })}
                    <Show when=move || busy.get()>
                        <div role="status" class="fk-field">
                            <label for="fk-import-progress">"Opening the file: deriving the key from its passphrase…"</label>
                            <progress id="fk-import-progress" class="fk-progress"></progress>
                        </div>
                    </Show>
                    <button type="submit" class="fk-primary" prop:disabled=move || busy.get()>"Import keyring"</button>
                </form>
            </Show>
        </section>
        <ConfirmDialog open=asking title="Replace the keyring in this browser?" confirm_label="Replace keyring" on_confirm=replace>
            <p>{move || replaced.get()}</p>
            <p>"Keys that are only in the keyring here are lost: cancel and export it first to keep a copy."</p>
        </ConfirmDialog>
    }
    .into_any()
}

/// What the import says of itself, and its toggle: the same on the first screen, where the
/// toggle opens the app at the import (`handover::ImportInApp`), and in the app.
#[component]
pub fn ImportIntro(#[prop(into)] expanded: Signal<bool>, on_toggle: Callback<()>) -> impl IntoView {
    view! {
        <p>"A keyring exported from another browser (a .fkr file) opens here with the passphrase it had there."</p>
        <button type="button" class="fk-import-toggle" aria-expanded=move || expanded.get().to_string()
            on:click=move |_| on_toggle.run(())>"Import a keyring file…"</button>
    }
    .into_any()
}

/// What the question before an import names as replaced.
fn replacement_text(target: &ImportTarget) -> String {
    match target.open_keys {
        Some(n) => format!(
            "The keyring open here, with its {}, will be replaced by the keyring in the file.",
            format::count(n as u64, "key", "keys")
        ),
        None => "The keyring stored in this browser will be replaced by the keyring in the file."
            .to_owned(),
    }
}

/// What an import error means for the person choosing the file. Every one of them left the
/// keyring in this browser as it was.
pub fn import_message(error: &VaultError) -> (&'static str, String) {
    const UNCHANGED: &str = "Nothing was changed.";
    match error {
        VaultError::NotBase64 | VaultError::NotAKeyring | VaultError::Truncated { .. } => (
            "This file is not a Foundry Keyring export",
            format!(
                "Choose the .fkr file that \"Export keyring file\" saved in the other browser. {UNCHANGED}"
            ),
        ),
        VaultError::UnsupportedVersion(version) => (
            "This export is from a newer version",
            format!(
                "It uses format version {version}, which this version of Foundry Keyring cannot read. {UNCHANGED}"
            ),
        ),
        VaultError::KdfDowngrade {
            iterations,
            minimum,
        } => (
            "This export was weakened",
            format!(
                "It asks for {iterations} key-derivation rounds, fewer than the safe minimum of {minimum}: it may have been tampered with, so it was not opened. {UNCHANGED}"
            ),
        ),
        VaultError::KdfTooExpensive { iterations, .. } => (
            "This export cannot be opened",
            format!(
                "It asks for {iterations} key-derivation rounds, far more than Foundry Keyring ever writes, so it was not opened. {UNCHANGED}"
            ),
        ),
        VaultError::UnknownKdf(_) => (
            "This export uses an unknown key derivation",
            format!("It was not opened. {UNCHANGED}"),
        ),
        VaultError::NamespaceMismatch { expected, found } => {
            let origin = match Namespace::new(found) {
                Ok(found) => format!(
                    "It was exported from the keyring instance named \"{found}\", and opens only there"
                ),
                Err(_) => {
                    "It was exported from another keyring instance, and opens only there".to_owned()
                }
            };
            (
                "This export belongs to another keyring instance",
                format!(
                    "{origin}; this one is \"{expected}\". Import it where it came from (for an embedded keyring, the one with that storage namespace). {UNCHANGED}"
                ),
            )
        }
        VaultError::WrongPassphrase => (
            "Wrong passphrase for this file",
            format!(
                "Type the passphrase the keyring had in the browser it was exported from (check Caps Lock). If you are sure it is right, the file may have been altered: the encryption cannot tell the two apart. {UNCHANGED}"
            ),
        ),
        VaultError::Tampered | VaultError::Malformed => (
            "This file was altered",
            format!(
                "The passphrase is right, but some of the file's data does not match its authentication tags, so it was not imported. Export it again from the other browser. {UNCHANGED}"
            ),
        ),
        VaultError::Conflict => (
            "The keyring in this browser changed meanwhile",
            format!(
                "Another tab changed or forgot it after you were asked. {UNCHANGED} Import the file again to decide on what is there now."
            ),
        ),
        other => vault_message(other),
    }
}

#[wasm_bindgen]
extern "C" {
    /// A `Blob` (a `File` is one): the few members used here, declared rather than taken
    /// from web-sys.
    #[wasm_bindgen(js_name = Blob)]
    type JsBlob;
    #[wasm_bindgen(constructor, catch, js_class = "Blob")]
    fn new(parts: &Array, options: &Object) -> Result<JsBlob, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn size(this: &JsBlob) -> f64;
    #[wasm_bindgen(method, catch, js_name = arrayBuffer)]
    fn array_buffer(this: &JsBlob) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = URL, js_name = createObjectURL)]
    fn create_object_url(blob: &JsBlob) -> Result<String, JsValue>;
    #[wasm_bindgen(catch, js_namespace = URL, js_name = revokeObjectURL)]
    fn revoke_object_url(url: &str) -> Result<(), JsValue>;
}

/// Saves `text` as a download named `name`: a Blob, an object URL and an `<a download>` that
/// is clicked without ever being added to the page. No inline script, nothing the CSP forbids.
fn download(name: &str, text: &str) -> Result<(), JsValue> {
    let options = Object::new();
    Reflect::set(&options, &"type".into(), &"application/octet-stream".into())?;
    let blob = JsBlob::new(&Array::of1(&JsValue::from_str(text)), &options)?;
    let url = create_object_url(&blob)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let link: web_sys::HtmlElement = document.create_element("a")?.dyn_into()?;
    link.set_attribute("href", &url)?;
    link.set_attribute("download", name)?;
    link.click();
    // The download has started by now; the URL is let go a little later all the same.
    gloo_timers::callback::Timeout::new(10_000, move || {
        let _ = revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

/// The first file chosen in a file input, if any.
fn first_file(input: &web_sys::HtmlInputElement) -> Option<JsBlob> {
    let files = Reflect::get(input, &"files".into()).ok()?;
    if files.is_null() || files.is_undefined() {
        return None;
    }
    let file = Reflect::get_u32(&files, 0).ok()?;
    (!file.is_undefined() && !file.is_null()).then(|| file.unchecked_into())
}

async fn read_bytes(blob: &JsBlob) -> Result<Vec<u8>, ()> {
    let promise = blob.array_buffer().map_err(|_| ())?;
    let buffer = JsFuture::from(promise).await.map_err(|_| ())?;
    Ok(Uint8Array::new(&buffer).to_vec())
}
