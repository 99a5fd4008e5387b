//! Revoking the key in use. Foundry revokes the key's whole family: its root and every token
//! attenuated from it. The confirmation names them before anything is sent, including the keys
//! of this keyring that go with it (`family`), and asks for the key's label to be typed.

use crate::api::error::ApiError;
use crate::api::models::RevokeResponse;
use crate::family::{self, EntryFacts};
use crate::format;
use crate::table::descendants_query;
use crate::ui::api;
use crate::ui::common::{Alert, Tone};
use crate::ui::error_panel::ApiErrorPanel;
use crate::ui::state::{KeyringState, now};
use crate::vault::EntryId;
use leptos::html::Dialog;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// What the API said about the family's size.
#[derive(Clone, Copy)]
enum Descendants {
    Counted(u64),
    NotListed,
    Failed,
}

#[component]
pub fn RevokeDialog(
    open: RwSignal<bool>,
    /// Called once the API confirmed the revocation.
    #[prop(optional, into)]
    on_revoked: Option<Callback<()>>,
) -> impl IntoView {
    let state = expect_context::<KeyringState>();
    let api = api::use_api();
    let dialog = NodeRef::<Dialog>::new();
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<RevokeResponse, ApiError>>);
    // What the person typed to confirm: the key's label, not a secret.
    let typed = RwSignal::new(String::new());
    Effect::new(move |_| {
        let Some(el) = dialog.get() else { return };
        if open.get() && !el.open() {
            outcome.set(None);
            typed.set(String::new());
            let _ = el.show_modal();
        } else if !open.get() && el.open() {
            el.close();
        }
    });
    // What the key in use says about itself, decoded by the key agent while the dialog is open.
    let active_info = LocalResource::new(move || {
        let is_open = open.get();
        state.key_epoch.track();
        async move {
            if is_open {
                state.active_info().await
            } else {
                None
            }
        }
    });
    // Each fact is read where it is shown: the decoded key arrives after the dialog opened, and
    // rebuilding the whole confirmation then would replace the field the person is typing in.
    let label = move || {
        state
            .active_meta()
            .map(|m| m.label)
            .unwrap_or_else(|| "the key in use".to_owned())
    };
    let info = move || active_info.get().flatten();
    let root = move || info().and_then(|i| i.token_id);
    let attenuated = move || info().is_some_and(|i| i.block_count > 1);
    let restrictions = move || {
        info()
            .map(|i| crate::restrictions::of_key_blocks(&i.blocks))
            .unwrap_or_default()
    };
    // The keys of this keyring that die with the key in use, read from the keys themselves
    // while the dialog is open.
    let fallout = LocalResource::new(move || {
        let is_open = open.get();
        state.entries.track();
        let active = state.active.get();
        async move {
            if !is_open {
                return None;
            }
            let active = active?;
            let facts: Vec<EntryFacts<EntryId>> = state
                .entry_infos()
                .await
                .into_iter()
                .map(|(meta, info)| EntryFacts::new(meta.id, meta.label, info.as_ref()))
                .collect();
            Some(family::revoked_with(&active, &facts))
        }
    });
    let confirmed = move || {
        let label = state.active_meta().map(|m| m.label).unwrap_or_default();
        typed.with(|t| family::confirms_label(t, &label))
    };
    // How many tokens go with the root, asked of the API while the dialog is open (`None`
    // while asking).
    let descendants = LocalResource::new(move || {
        let root = if open.get() { root() } else { None };
        async move {
            let query = descendants_query(&root?)?;
            let client = api.client().ok()?;
            Some(
                match client.list_tokens_checked(&query, &query.at(now())).await {
                    Ok(listing) => Descendants::Counted(listing.page.total),
                    // The seed shape's list has no lineage fields and refuses the filter.
                    Err(ApiError::BadRequest { .. }) => Descendants::NotListed,
                    Err(_) => Descendants::Failed,
                },
            )
        }
    });
    let descendants_text = move || {
        match descendants.get().flatten() {
        None => "every restricted token made from its main key (counting…)".to_owned(),
        Some(Descendants::NotListed) => {
            "every restricted token made from its main key (this API's token list does not say how many)"
                .to_owned()
        }
        Some(Descendants::Failed) => {
            "every restricted token made from its main key (they could not be counted just now)"
                .to_owned()
        }
        Some(Descendants::Counted(0)) => {
            "no other token: none has been made from its main key".to_owned()
        }
        Some(Descendants::Counted(1)) => {
            "the 1 restricted token made from its main key".to_owned()
        }
        Some(Descendants::Counted(n)) => {
            format!("the {n} restricted tokens made from its main key")
        }
    }
    };
    let revoke = move |_| {
        if !confirmed() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let result = match api.client() {
                Ok(client) => client.revoke().await,
                Err(error) => Err(error),
            };
            busy.set(false);
            if result.is_ok()
                && let Some(done) = on_revoked
            {
                done.try_run(());
            }
            outcome.set(Some(result));
        });
    };
    let finish = move |_| {
        open.set(false);
        if matches!(outcome.get_untracked(), Some(Ok(_))) {
            state.key_epoch.update(|e| *e += 1);
        }
    };
    view! {
        <dialog node_ref=dialog aria-labelledby="fk-revoke-title" on:close=move |_| open.set(false)>
            <h2 id="fk-revoke-title">"Revoke this key and every token made from it?"</h2>
            {move || match outcome.get() {
                None => {
                    view! {
                        <p>"This revokes " <strong>{label}</strong>
                            {move || if attenuated() { ", the main key it was made from" } else { "" }}
                            ", and " {descendants_text} ". They stop working at once, everywhere."</p>
                        {move || fallout.get().flatten().and_then(|f| f.notice()).map(|n| view! {
                            <Alert title=n.title tone=Tone::Warning>
                                <p>{n.text}</p>
                                {n.undecided.map(|u| view! { <p class="fk-hint">{u}</p> })}
                            </Alert>
                        })}
                        <dl class="fk-facts">
                            <dt>"Restrictions of the key in use"</dt>
                            <dd>{move || {
                                let restrictions = restrictions();
                                if restrictions.is_empty() {
                                    "none: it is a main key".into_any()
                                } else {
                                    view! { <ul class="fk-plain-list">{restrictions.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul> }.into_any()
                                }
                            }}</dd>
                            <dt>"Main key's token id"</dt>
                            <dd class="fk-mono">{move || root().unwrap_or_else(|| "not stated in the key".to_owned())}</dd>
                            <dt>"Restricted tokens made from it"</dt>
                            <dd>{move || match descendants.get().flatten() {
                                None => "counting…".to_owned(),
                                Some(Descendants::NotListed) => "not listed by this API".to_owned(),
                                Some(Descendants::Failed) => "could not be counted".to_owned(),
                                Some(Descendants::Counted(n)) => n.to_string(),
                            }}</dd>
                        </dl>
                        <p>"This cannot be undone. To give access again, create a new key in the Foundry portal."</p>
                        // Only while open: a closed dialog keeps no field that a search for
                        // "Label" on the page would also find.
                        {move || open.get().then(|| view! {
                            <div class="fk-field fk-revoke-confirm">
                                <label for="fk-revoke-confirm">"Type the key's label to confirm"</label>
                                <input id="fk-revoke-confirm" type="text" autocomplete="off" spellcheck="false"
                                    aria-describedby="fk-revoke-confirm-hint"
                                    prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev)) />
                                <span id="fk-revoke-confirm-hint" class="fk-hint">
                                    "Type " <strong>"\u{201c}" {label} "\u{201d}"</strong>
                                    " exactly. The Revoke button stays disabled until the label matches."
                                </span>
                            </div>
                        })}
                        <div class="fk-actions">
                            <button type="button" class="fk-danger" on:click=revoke
                                prop:disabled=move || busy.get() || !confirmed()>
                                {move || if busy.get() { "Revoking…" } else { "Revoke this key" }}
                            </button>
                            <button type="button" autofocus on:click=move |_| open.set(false)>"Cancel"</button>
                        </div>
                    }.into_any()
                }
                Some(Ok(done)) => view! {
                    <Alert title="Revoked" tone=Tone::Success>
                        <p>{match done.token_id.clone() {
                                Some(id) => view! { "The main key " <code>{id}</code> }.into_any(),
                                None => "The key's main token".into_any(),
                            }}
                            " was revoked " {done.revoked_at.map(format::absolute).unwrap_or_else(|| "just now".to_owned())}
                            {descendants_sentence(done.children_revoked)}</p>
                    </Alert>
                    <p>{match fallout.get_untracked().flatten().map(|f| f.dying_labels().join(", ")) {
                        Some(others) if !others.is_empty() => format!(
                            "The key in use no longer works, nor does any key of this keyring made from the same main key ({others}). Switch to another key, or remove these from the keyring."
                        ),
                        _ => "The key in use no longer works. Switch to another key, or remove this one from the keyring.".to_owned(),
                    }}</p>
                    <button type="button" on:click=finish>"Close"</button>
                }.into_any(),
                Some(Err(error)) => view! {
                    <ApiErrorPanel error=error />
                    <button type="button" on:click=move |_| open.set(false)>"Close"</button>
                }.into_any(),
            }}
        </dialog>
    }
    .into_any()
}

/// The count when the API gave one; older API pages answered without it, and "0" would be a
/// guess that could be wrong.
fn descendants_sentence(children_revoked: Option<u64>) -> String {
    match children_revoked {
        Some(1) => ", with 1 restricted token made from it newly revoked.".to_owned(),
        Some(n) => format!(", with {n} restricted tokens made from it newly revoked."),
        None => {
            ", with every restricted token made from it (the API did not say how many).".to_owned()
        }
    }
}
