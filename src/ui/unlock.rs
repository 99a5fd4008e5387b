//! Unlocking a stored keyring, and the ways out when it cannot be read: forget it, or import
//! a keyring file over it.

use crate::secret::SecretString;
use crate::ui::common::{Alert, Tone};
use crate::ui::confirm::ConfirmDialog;
use crate::ui::messages::vault_message;
use crate::ui::state::KeyringState;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn UnlockForm() -> impl IntoView {
    let state = expect_context::<KeyringState>();
    let passphrase = StoredValue::new_local(SecretString::default());
    let input = NodeRef::<leptos::html::Input>::new();
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<(String, String)>);
    let confirm_forget = RwSignal::new(false);
    let passkey_waiting = RwSignal::new(false);
    // The passphrase field takes the focus when the form appears: `autofocus` only works at page
    // load, and after Lock the button that had the focus is gone. An embedded instance does so
    // only after a lock, never on the host page's load (that would scroll the host page).
    let standalone = expect_context::<crate::ui::session::Session>().standalone;
    Effect::new(move |_| {
        if let Some(el) = input.get()
            && (standalone || state.lock_reason.get_untracked().is_some())
        {
            let _ = el.focus();
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let pass = passphrase.get_value();
        if pass.is_empty() {
            problem.set(Some((
                "Enter your passphrase".into(),
                "It is the one you chose when you stored your first key.".into(),
            )));
            return;
        }
        busy.set(true);
        problem.set(None);
        spawn_local(async move {
            let result = state.unlock(pass).await;
            busy.set(false);
            if let Err(error) = result {
                let (title, advice) = vault_message(&error);
                problem.set(Some((title.to_owned(), advice)));
                if let Some(el) = input.try_get_untracked().flatten() {
                    el.set_value("");
                    let _ = el.focus();
                }
                passphrase.set_value(SecretString::default());
            }
        });
    };

    let forget = Callback::new(move |_| {
        confirm_forget.set(false);
        if let Err(error) = state.forget_all() {
            let (title, advice) = vault_message(&error);
            problem.set(Some((title.to_owned(), advice)));
        }
    });

    view! {
        <form class="fk-card" on:submit=submit aria-labelledby="fk-unlock-title">
            <h2 id="fk-unlock-title">"Unlock your keyring"</h2>
            {move || state.lock_reason.get().and_then(|r| r.message()).map(|m| view! { <Alert title=m /> })}
            {move || state.stored_problem.get().map(|error| {
                let (title, advice) = vault_message(&error);
                view! { <Alert title=title tone=Tone::Error><p>{advice}</p></Alert> }
            })}
            // The passkeys are offered first when the keyring has some; the passphrase always.
            {move || {
                let passkeys = state.stored_passkeys.get();
                (!passkeys.is_empty() && state.stored_problem.get().is_none()).then(|| view! {
                    <crate::ui::passkey::PasskeyUnlock challenges=passkeys busy=busy waiting=passkey_waiting problem=problem />
                })
            }}
            <Show when=move || state.stored_problem.get().is_none()>
                <div class="fk-field">
                    <label for="fk-unlock-passphrase">"Passphrase"</label>
                    <input id="fk-unlock-passphrase" type="password" autocomplete="current-password" node_ref=input
                        autofocus on:input=move |ev| passphrase.set_value(SecretString::new(event_target_value(&ev))) />
                </div>
            </Show>
            {move || problem.get().map(|(title, advice)| view! { <Alert title=title tone=Tone::Error><p>{advice}</p></Alert> })}
            <Show when=move || busy.get() && !passkey_waiting.get()>
                <div role="status" class="fk-field">
                    <label for="fk-unlock-progress">"Unlocking: deriving the key from your passphrase…"</label>
                    <progress id="fk-unlock-progress" class="fk-progress"></progress>
                </div>
            </Show>
            <div class="fk-actions">
                <Show when=move || state.stored_problem.get().is_none()>
                    <button type="submit" class="fk-primary" prop:disabled=move || busy.get()>"Unlock"</button>
                </Show>
                <button type="button" class="fk-link" on:click=move |_| confirm_forget.set(true)>
                    "Forget the stored keys…"
                </button>
            </div>
        </form>
        <ConfirmDialog
            open=confirm_forget
            title="Forget every stored key?"
            confirm_label="Forget all keys"
            on_confirm=forget
        >
            <p>"This deletes the encrypted keyring from this browser. The keys stay valid at Foundry: you can paste them again later. This cannot be undone."</p>
        </ConfirmDialog>
        {(expect_context::<crate::ui::app::Parts>().import)()}
    }
    .into_any()
}
