//! What an unlocked keyring shows: who the key belongs to, what it may do, its tokens, and,
//! set apart at the end, the danger zone (revoking the key).

use crate::api::error::ApiError;
use crate::api::models::WhoAmI;
use crate::format;
use crate::ui::api;
use crate::ui::clipboard;
use crate::ui::common::{Alert, MaybeWhen, Tone};
use crate::ui::error_panel::{ApiErrorPanel, request_id_line};
use crate::ui::permissions::PermissionsPanel;
use crate::ui::revoke::RevokeDialog;
use crate::ui::session::Session;
use crate::ui::state::{KeyringState, now};
use crate::ui::tokens::TokensPanel;
use leptos::prelude::*;

#[component]
pub fn UnlockedView() -> impl IntoView {
    let state = expect_context::<KeyringState>();
    // A lock (or anything else that ends the unlocked view) takes a copied new token off the
    // clipboard at once, instead of when its 30 seconds are up.
    on_cleanup(clipboard::clear_secret);
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
            Some(Err(error @ ApiError::Forbidden { .. })) => session.panels.identity.then(|| view! { <UnreadableIdentity error=error /> }).into_any(),
            Some(Err(error)) => view! { <section class="fk-card"><ApiErrorPanel error=error on_retry=retry /></section> }.into_any(),
            Some(Ok(who)) => view! {
                <div class="fk-grid">
                    {session.panels.identity.then(|| view! { <IdentityPanel who=who.clone() /> })}
                    {session.panels.permissions.then(|| view! { <PermissionsPanel who=who.clone() /> })}
                </div>
            }.into_any(),
        }}
        {session.panels.tokens.then(|| view! { <TokensPanel whoami=whoami /> })}
        {session.panels.tokens.then(|| view! { <DangerZone whoami=whoami /> })}
    }
    .into_any()
}

/// The permission Foundry's revoke endpoint asks of the calling key.
const REVOKE_PERMISSION: &str = "token:revoke";

/// What cannot be undone, apart from the everyday buttons: revoking the key in use. Offered
/// only to a key that may revoke; any other key is told why there is no button.
#[component]
fn DangerZone(whoami: LocalResource<Result<WhoAmI, ApiError>>) -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <section class="fk-card fk-danger-zone" aria-labelledby="fk-danger-title">
            <h2 id="fk-danger-title">"Danger zone"</h2>
            <h3>"Revoke this key"</h3>
            <p>"Revoking stops this key at once, everywhere, together with its main key "
               "and every token made from that main key, including keys in this keyring. It cannot be undone."</p>
            {move || {
                // What to say, and whether to offer the button.
                let (note, offer) = match whoami.get() {
                    Some(Ok(who)) if who.permissions.iter().any(|p| p == REVOKE_PERMISSION) => (None, true),
                    Some(Ok(_)) => (Some(format!(
                        "This key cannot revoke: it does not have the {REVOKE_PERMISSION} permission. Foundry revokes \
                         the main key of the key that asks and everything made from it, so to revoke this one, use \
                         its main key, or another key made from it that has that permission."
                    )), false),
                    // A key that may not read its own permissions may still hold token:revoke:
                    // the revoke endpoint answers for itself.
                    Some(Err(ApiError::Forbidden { .. })) => (Some(
                        "This key may not read its permissions, so Foundry says whether it may revoke when you ask.".to_owned(),
                    ), true),
                    Some(Err(_)) => (Some("Whether this key may revoke is known once Foundry says who it belongs to (see above).".to_owned()), false),
                    None => (Some("Checking whether this key may revoke…".to_owned()), false),
                };
                view! {
                    {note.map(|text| view! { <p>{text}</p> })}
                    {offer.then(|| view! {
                        <button type="button" class="fk-danger" on:click=move |_| open.set(true)>"Revoke this key…"</button>
                    })}
                }
            }}
        </section>
        <RevokeDialog open=open />
    }
    .into_any()
}

/// Foundry knows the key (a 403, not a 401) but it may not ask who it is: `whoami` requires the
/// read action, which an attenuation can take away (a robot key made only to create). The key
/// still does what it may, so the panel says so rather than asking for another key.
#[component]
fn UnreadableIdentity(error: ApiError) -> impl IntoView {
    let said = match &error {
        ApiError::Forbidden { message, .. } => message.clone(),
        other => other.to_string(),
    };
    view! {
        <section class="fk-card" aria-labelledby="fk-identity-title">
            <h2 id="fk-identity-title">"Who this key belongs to"</h2>
            <Alert title="This key may not say who it belongs to" tone=Tone::Info>
                <p>"Foundry accepts this key, but it may not read who it belongs to or what it may do (Foundry said: " {said} ")."</p>
                <p>"Keys made for one job are often like this. It still works for what it may do; anything else Foundry refuses with a message."</p>
                {request_id_line(&error)}
            </Alert>
        </section>
    }
    .into_any()
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
    .into_any()
}
