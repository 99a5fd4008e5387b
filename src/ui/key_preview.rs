//! What a pasted key says about itself, decoded in this browser (by the key agent) before
//! anything is sent anywhere.

use crate::keyinfo::{KeyInfo, KeyInfoError};
use crate::ui::common::{Alert, MaybeWhen, Tone};
use crate::ui::state::now;
use leptos::prelude::*;

#[component]
pub fn KeyPreview(info: Signal<Option<Result<KeyInfo, KeyInfoError>>>) -> impl IntoView {
    move || match info.get() {
        None | Some(Err(KeyInfoError::Empty)) => ().into_any(),
        Some(Err(problem)) => view! {
            <Alert title="This key cannot be read" tone=Tone::Error>
                <p>{crate::format::capitalise(&problem.to_string())} "."</p>
            </Alert>
        }
        .into_any(),
        Some(Ok(info)) => {
            let blocks = info
                .blocks
                .iter()
                .enumerate()
                .map(|(i, source)| {
                    let title = if i == 0 {
                        "Authority block".to_owned()
                    } else {
                        format!("Block {i} (a restriction added to it)")
                    };
                    view! { <h4>{title}</h4><pre>{source.clone()}</pre> }
                })
                .collect_view();
            let notes = crate::restrictions::of_key_blocks(&info.blocks);
            view! {
                <section class="fk-preview" aria-label="Key preview">
                    <h3>"Key preview"</h3>
                    <dl class="fk-facts">
                        <dt>"Prefix"</dt><dd class="fk-mono">{info.prefix.clone()}</dd>
                        <dt>"Token id"</dt>
                        <dd class="fk-mono">{info.token_id.clone().unwrap_or_else(|| "not stated in the key".to_owned())}</dd>
                        <dt>"Expires"</dt>
                        <dd><MaybeWhen at=info.expires_at none="no expiry check in the key" /></dd>
                        <dt>"Blocks"</dt>
                        <dd>{info.block_count} {if info.block_count == 1 { " (a main key)" } else { " (a restricted token)" }}</dd>
                        {(!notes.is_empty()).then(|| view! {
                            <dt>"Restrictions"</dt>
                            <dd><ul class="fk-plain-list">{notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul></dd>
                        })}
                    </dl>
                    // Said before the passphrase is typed, not after Save: Foundry refuses a key
                    // whose own time check has passed, and the key says when that is.
                    {info.expires_at.filter(|at| *at <= now()).map(|_| view! {
                        <p class="fk-hint fk-hint-error" role="status">
                            "This key has expired: Foundry will refuse it. Paste a newer key."
                        </p>
                    })}
                    <details>
                        <summary>"Show exactly what the key says"</summary>
                        <p class="fk-hint">"Decoded here in your browser. These are the key's Biscuit blocks in Datalog; facts other than token_id and the time check are shown as written, not interpreted."</p>
                        {blocks}
                    </details>
                </section>
            }
            .into_any()
        }
    }
}
