//! The keyring itself: switch the key in use, rename, remove, change the passphrase, forget all.

use crate::secret::SecretString;
use crate::strength;
use crate::ui::add_key::AddKeyForm;
use crate::ui::common::{Alert, Tone, When};
use crate::ui::confirm::ConfirmDialog;
use crate::ui::messages::vault_message;
use crate::ui::state::KeyringState;
use crate::vault::{EntryId, EntryKind, EntryMeta, Persistence};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The strip above the panels: which key is in use, and the keyring's actions.
#[component]
pub fn KeyringBar() -> impl IntoView {
    let state = expect_context::<KeyringState>();
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
        </section>
        <Show when=move || adding.get()>
            <AddKeyForm first_run=false on_done=Callback::new(move |_| adding.set(false)) />
        </Show>
        <Show when=move || managing.get()>
            <ManageKeyring />
        </Show>
    }
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
            report(
                state.remove(entry.id),
                &format!("Removed \"{}\".", entry.label),
            );
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
                <table>
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
        report(
            state.rename(id, &label),
            &format!("Renamed to \"{}\".", label.trim()),
        );
        editing.set(false);
    };
    let removable = entry.clone();
    view! {
        <tr>
            <td>
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
            </td>
            <td class="fk-mono">{entry.fingerprint.clone()}</td>
            <td><When at=entry.created_at /></td>
            <td class="fk-actions">
                <button type="button" on:click=move |_| editing.update(|e| *e = !*e)
                    aria-label=format!("Rename {}", entry.label)>"Rename"</button>
                <button type="button" on:click=move |_| on_remove.run(removable.clone())
                    aria-label=format!("Remove {}", entry.label)>"Remove…"</button>
            </td>
        </tr>
    }
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
}
