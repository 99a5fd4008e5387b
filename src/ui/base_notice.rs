//! Where keys go, said before it matters. A page opened with `?api=` (or pointed elsewhere in
//! Settings) never moves a saved key: each key goes only to the base it was saved for. When the
//! two differ, the person sees both and may rebind that one key, naming the host in a
//! confirmation; a link alone never does it.

use crate::api::base::ApiBase;
use crate::ui::common::{Alert, Tone};
use crate::ui::confirm::ConfirmDialog;
use crate::ui::messages::vault_message;
use crate::ui::options::build_default_base;
use crate::ui::session::Session;
use crate::ui::state::{KeyringState, Phase, bound_base};
use crate::vault::{EntryId, EntryMeta, VaultError};
use leptos::prelude::*;

/// The key in use and the base it is bound to, when that is not the page's: `(key, bound, page)`.
fn mismatch(session: Session, state: KeyringState) -> Option<(EntryMeta, ApiBase, ApiBase)> {
    if state.phase.get() != Phase::Unlocked {
        return None;
    }
    let meta = state.active_meta()?;
    let bound = bound_base(&meta);
    let page = ApiBase::parse(&session.api_base.get()).ok()?;
    (bound != page).then_some((meta, bound, page))
}

/// Above the keyring, locked or not: a page pointed at a non-default API says so before a key is
/// added (unless the key in use already says more: [`BaseMismatch`]).
#[component]
pub fn ApiBaseNotice() -> impl IntoView {
    let session = expect_context::<Session>();
    let state = expect_context::<KeyringState>();
    let unusual = move || {
        ApiBase::parse(&session.api_base.get()).is_ok_and(|b| b != build_default_base())
            && mismatch(session, state).is_none()
    };
    view! {
        <Show when=unusual>
            <Alert title="This page sends new keys to a non-default API" tone=Tone::Warning>
                <p>"A key you add here will be saved for " <code>{move || session.api_base.get()}</code>
                   " and sent only there. Keys saved earlier still go only to the API they were saved for. "
                   "Continue only if you trust that address."</p>
            </Alert>
        </Show>
    }
    .into_any()
}

/// In the unlocked view (there is a key in use only there, and the first screen's module never
/// shows it, so it does without the rebinding's ~5 kB gzip): the key in use is bound to another
/// base than the page's.
#[component]
pub fn BaseMismatch() -> impl IntoView {
    let session = expect_context::<Session>();
    let state = expect_context::<KeyringState>();
    view! {
        {move || mismatch(session, state).map(|(meta, bound, page)| view! { <Mismatch label=meta.label id=meta.id bound page /> })}
    }
    .into_any()
}

#[component]
fn Mismatch(label: String, id: EntryId, bound: ApiBase, page: ApiBase) -> impl IntoView {
    let session = expect_context::<Session>();
    let state = expect_context::<KeyringState>();
    let open = RwSignal::new(false);
    let problem = RwSignal::new(None::<(String, String)>);
    let host = page.origin().to_owned();
    let back = bound.clone();
    let target = page.clone();
    let rebind = Callback::new(move |_| {
        let target = target.clone();
        leptos::task::spawn_local(async move {
            let outcome = state.bind(id, target).await;
            open.try_set(false);
            problem.try_set(match outcome {
                Ok(()) => None,
                // The key agent refuses to bind a key where it may not send it.
                Err(VaultError::NotAllowed { origin }) => Some((
                    "API address not allowed".to_owned(),
                    format!(
                        "{origin} is not among the API addresses this page allows, so the key \
                         stays with the API it was saved for. Ask whoever runs this page to \
                         allow that address, or use the key where it is."
                    ),
                )),
                Err(error) => {
                    let (title, advice) = vault_message(&error);
                    Some((title.to_owned(), advice))
                }
            });
        });
    });
    let title = format!("Send \u{201c}{label}\u{201d} to {host}?");
    let confirm_label = format!("Send it to {host}");
    let use_here = format!("Use this key with {host}\u{2026}");
    let go_back = format!("Go back to {}", bound.origin());
    let (bound_text, page_text) = (bound.to_string(), page.to_string());
    let quoted = format!("\u{201c}{label}\u{201d}");
    let (quoted_again, page_again, host_again) = (quoted.clone(), page_text.clone(), host.clone());
    view! {
        <Alert title="This page points at another API than your key" tone=Tone::Warning>
            <p>{quoted} " is saved for " <code>{bound_text}</code>
               " and is sent only there. This page was opened for " <code>{page_text}</code>
               "; nothing has been sent to it."</p>
            <div class="fk-actions">
                <button type="button" on:click=move |_| session.set_api_base(back.to_string())>{go_back}</button>
                <button type="button" on:click=move |_| open.set(true)>{use_here}</button>
            </div>
            {move || problem.get().map(|(title, advice)| view! { <Alert title=title tone=Tone::Error><p>{advice}</p></Alert> })}
        </Alert>
        <ConfirmDialog open title=title confirm_label=confirm_label on_confirm=rebind>
            <p>"From now on " {quoted_again} " will be sent to " <code>{page_again}</code>
               " and nowhere else. Whoever runs that server can use the key with all its rights."</p>
            <p>"Do this only if you trust " <strong>{host_again}</strong>
               ". A link cannot do this for you: it happens only when you confirm here."</p>
        </ConfirmDialog>
    }
    .into_any()
}
