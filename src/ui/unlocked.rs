//! What an unlocked keyring shows: who the key belongs to, what it may do, and its tokens.

use crate::api::models::WhoAmI;
use crate::format;
use crate::ui::api;
use crate::ui::common::{Alert, MaybeWhen, Tone};
use crate::ui::error_panel::ApiErrorPanel;
use crate::ui::permissions::PermissionsPanel;
use crate::ui::session::Session;
use crate::ui::state::{KeyringState, now};
use crate::ui::tokens::TokensPanel;
use leptos::prelude::*;

#[component]
pub fn UnlockedView() -> impl IntoView {
    let state = expect_context::<KeyringState>();
    let session = expect_context::<Session>();
    let api = api::use_api();
    let refresh = RwSignal::new(0u32);
    let whoami = LocalResource::new(move || {
        state.key_epoch.get();
        session.api_base.get();
        refresh.get();
        async move {
            match api.client() {
                Ok(client) => client.whoami().await,
                Err(error) => Err(error),
            }
        }
    });
    let retry = Callback::new(move |_| refresh.update(|r| *r += 1));
    view! {
        {move || match whoami.get() {
            // The shape of the panels to come, and the words for screen readers.
            None => view! {
                <div class="fk-grid" aria-busy="true">
                    <section class="fk-card fk-skeleton-card">
                        <p role="status" class="fk-hint">"Asking Foundry who this key belongs to…"</p>
                        <div aria-hidden="true">
                            <span class="fk-skeleton fk-skeleton-title"></span>
                            <span class="fk-skeleton fk-skeleton-line"></span>
                            <span class="fk-skeleton fk-skeleton-line fk-skeleton-short"></span>
                        </div>
                    </section>
                    {session.panels.permissions.then(|| view! {
                        <section class="fk-card fk-skeleton-card" aria-hidden="true">
                            <span class="fk-skeleton fk-skeleton-title"></span>
                            <span class="fk-skeleton fk-skeleton-line"></span>
                            <span class="fk-skeleton fk-skeleton-line fk-skeleton-short"></span>
                        </section>
                    })}
                </div>
            }.into_any(),
            Some(Err(error)) => view! { <section class="fk-card"><ApiErrorPanel error=error on_retry=retry /></section> }.into_any(),
            Some(Ok(who)) => view! {
                <div class="fk-grid">
                    {session.panels.identity.then(|| view! { <IdentityPanel who=who.clone() /> })}
                    {session.panels.permissions.then(|| view! { <PermissionsPanel who=who.clone() /> })}
                </div>
            }.into_any(),
        }}
        {session.panels.tokens.then(|| view! { <TokensPanel whoami=whoami /> })}
    }
}

#[component]
fn IdentityPanel(who: WhoAmI) -> impl IntoView {
    let expiry_note = who.token_expires_at.and_then(|at| {
        let now = now();
        if at <= now {
            Some(("This key has expired".to_owned(), Tone::Error))
        } else if format::expires_within(at, now, 7) {
            Some((
                format!("This key expires {}", format::relative(at, now)),
                Tone::Warning,
            ))
        } else {
            None
        }
    });
    let organizations = who.organizations.clone();
    view! {
        <section class="fk-card" aria-labelledby="fk-identity-title">
            <h2 id="fk-identity-title">"Who this key belongs to"</h2>
            {expiry_note.map(|(title, tone)| view! {
                <Alert title=title tone=tone><p>"Create a new key in the Foundry portal before it stops working."</p></Alert>
            })}
            <dl class="fk-facts">
                <dt>"User id"</dt>
                <dd class="fk-mono">{who.user_id.clone().unwrap_or_else(|| "not given".to_owned())}</dd>
                <dt>"Key expires"</dt>
                <dd><MaybeWhen at=who.token_expires_at none="no recorded expiry" /></dd>
            </dl>
            <h3>"Organizations"</h3>
            <ul class="fk-org-list">
                {organizations.into_iter().map(|org| view! {
                    <li>
                        <strong>{org.name.clone()}</strong>
                        {org.active.then(|| view! { " " <span class="fk-badge fk-badge-active">"active"</span> })}
                        {org.role.clone().map(|role| view! { " " <span class="fk-chip">"role: " {role}</span> })}
                        <div class="fk-hint fk-mono">{org.id.clone()}</div>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}
