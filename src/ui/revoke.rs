//! Revoking the key in use. Foundry revokes the key's whole family: its root and every token
//! attenuated from it. The confirmation names them before anything is sent.

use crate::api::error::ApiError;
use crate::api::models::RevokeResponse;
use crate::format;
use crate::keyinfo;
use crate::table::descendants_query;
use crate::ui::api;
use crate::ui::common::{Alert, Tone};
use crate::ui::error_panel::ApiErrorPanel;
use crate::ui::state::{KeyringState, now};
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
pub fn RevokeDialog(open: RwSignal<bool>, on_revoked: Callback<()>) -> impl IntoView {
    let state = expect_context::<KeyringState>();
    let api = api::use_api();
    let dialog = NodeRef::<Dialog>::new();
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<RevokeResponse, ApiError>>);
    Effect::new(move |_| {
        let Some(el) = dialog.get() else { return };
        if open.get() && !el.open() {
            outcome.set(None);
            let _ = el.show_modal();
        } else if !open.get() && el.open() {
            el.close();
        }
    });
    let family = move || {
        let meta = state.active_meta();
        let info = state
            .credential()
            .and_then(|c| keyinfo::inspect(c.key.expose_secret()).ok());
        let label = meta
            .map(|m| m.label)
            .unwrap_or_else(|| "the key in use".to_owned());
        let root = info.as_ref().and_then(|i| i.token_id.clone());
        let attenuated = info.as_ref().is_some_and(|i| i.block_count > 1);
        let restrictions = info
            .map(|i| crate::restrictions::of_key_blocks(&i.blocks))
            .unwrap_or_default();
        (label, root, attenuated, restrictions)
    };
    // How many tokens go with the root, asked of the API while the dialog is open (`None`
    // while asking).
    let descendants = LocalResource::new(move || {
        let root = if open.get() { family().1 } else { None };
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
    let descendants_text = move || match descendants.get().flatten() {
        None => "every token attenuated from that root (counting…)".to_owned(),
        Some(Descendants::NotListed) => {
            "every token attenuated from that root (this API's token list does not say how many)"
                .to_owned()
        }
        Some(Descendants::Failed) => {
            "every token attenuated from that root (they could not be counted just now)".to_owned()
        }
        Some(Descendants::Counted(0)) => {
            "no other token: none has been attenuated from that root".to_owned()
        }
        Some(Descendants::Counted(1)) => "the 1 token attenuated from that root".to_owned(),
        Some(Descendants::Counted(n)) => format!("the {n} tokens attenuated from that root"),
    };
    let revoke = move |_| {
        busy.set(true);
        spawn_local(async move {
            let result = match api.client() {
                Ok(client) => client.revoke().await,
                Err(error) => Err(error),
            };
            busy.set(false);
            if result.is_ok() {
                on_revoked.try_run(());
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
            <h2 id="fk-revoke-title">"Revoke this key's family?"</h2>
            {move || match outcome.get() {
                None => {
                    let (label, root, attenuated, restrictions) = family();
                    view! {
                        <p>"This revokes " <strong>{label}</strong>
                            {if attenuated { ", the root token it was attenuated from" } else { "" }}
                            ", and " {descendants_text} ". They stop working at once, everywhere."</p>
                        <dl class="fk-facts">
                            <dt>"Restrictions of the key in use"</dt>
                            <dd>{if restrictions.is_empty() {
                                "none: it is a main key".into_any()
                            } else {
                                view! { <ul class="fk-plain-list">{restrictions.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul> }.into_any()
                            }}</dd>
                            <dt>"Root token id"</dt>
                            <dd class="fk-mono">{root.unwrap_or_else(|| "not stated in the key".to_owned())}</dd>
                            <dt>"Descendants"</dt>
                            <dd>{move || match descendants.get().flatten() {
                                None => "counting…".to_owned(),
                                Some(Descendants::NotListed) => "not listed by this API".to_owned(),
                                Some(Descendants::Failed) => "could not be counted".to_owned(),
                                Some(Descendants::Counted(n)) => n.to_string(),
                            }}</dd>
                        </dl>
                        <p>"This cannot be undone. To give access again, create a new key in the Foundry portal."</p>
                        <div class="fk-actions">
                            <button type="button" class="fk-danger" on:click=revoke prop:disabled=move || busy.get()>
                                {move || if busy.get() { "Revoking…" } else { "Revoke the family" }}
                            </button>
                            <button type="button" autofocus on:click=move |_| open.set(false)>"Cancel"</button>
                        </div>
                    }.into_any()
                }
                Some(Ok(done)) => view! {
                    <Alert title="Revoked" tone=Tone::Success>
                        <p>{match done.token_id.clone() {
                                Some(id) => view! { "Root token " <code>{id}</code> }.into_any(),
                                None => "The key's main token".into_any(),
                            }}
                            " was revoked " {done.revoked_at.map(format::absolute).unwrap_or_else(|| "just now".to_owned())}
                            {descendants_sentence(done.children_revoked)}</p>
                    </Alert>
                    <p>"The key in use no longer works. Switch to another key, or remove this one from the keyring."</p>
                    <button type="button" on:click=finish>"Close"</button>
                }.into_any(),
                Some(Err(error)) => view! {
                    <ApiErrorPanel error=error />
                    <button type="button" on:click=move |_| open.set(false)>"Close"</button>
                }.into_any(),
            }}
        </dialog>
    }
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
