//! The keyring component: what the standalone page shows, and what `mount` embeds.

use crate::ui::add_key::{AddKeyForm, AfterStaging, CHECK, FirstKey};
use crate::ui::autolock::{AutoLock, AutoLockSettings};
use crate::ui::base_notice::{ApiBaseNotice, BaseMismatch};
use crate::ui::common::{Alert, Tone};
use crate::ui::handover::{Arrival, Held};
use crate::ui::keyring_panel::{ImportKeyring, KeepingNotice, KeyringBar};
use crate::ui::messages::vault_message;
use crate::ui::options::Options;
use crate::ui::session::Session;
use crate::ui::settings::SettingsPanel;
use crate::ui::state::{KeyringState, LockReason, Phase};
use crate::ui::unlock::UnlockForm;
use crate::ui::unlocked::UnlockedView;
use crate::vault::Namespace;
use crate::vault::agent::link::DEFAULT_AGENT_URL;
use leptos::prelude::*;

/// One keyring instance.
#[component]
pub fn Keyring(
    options: Options,
    #[prop(optional, into)] worker_url: Option<String>,
    /// Called once with the instance's state, for an embedding host's handle (lock, fetch,
    /// events). Not called when the options are refused.
    #[prop(optional)]
    on_state: Option<Callback<KeyringState>>,
    /// What the module shows of its own: [`FULL`] in the app and the embedding build; the
    /// first screen's parts hand over to the app instead (`ui::handover`), so that its module
    /// holds none of them.
    parts: Parts,
    /// What the first screen handed over (the app's side of `ui::handover`): a keyring it
    /// unlocked, with its agent, or a shut one, with the part the person asked for.
    #[prop(optional)]
    arrival: Option<Arrival>,
) -> impl IntoView {
    let session = Session::new(&options);
    provide_context(session);
    provide_context(parts);
    provide_context(AutoLockSettings {
        idle_minutes: RwSignal::new(options.idle_minutes),
        lock_when_hidden: RwSignal::new(options.lock_when_hidden),
    });
    let namespace = match Namespace::new(&options.namespace) {
        Ok(namespace) => namespace,
        Err(error) => {
            let (title, advice) = vault_message(&error);
            return view! {
                <div class="fk fk-page" data-foundry-keyring-root="">
                    <Alert title=title tone=Tone::Error><p>{advice}</p></Alert>
                </div>
            }
            .into_any();
        }
    };
    let mut notice = None;
    // The first screen's first key, staged in the agent it handed over: the form checks it.
    let resume = StoredValue::new_local(None::<FirstKey>);
    let state = match arrival.and_then(|arrival| arrival.held) {
        Some((agent, Held::Open(mut keyring))) => {
            notice = keyring.notice.take();
            KeyringState::adopt(namespace, agent, keyring)
        }
        Some((agent, Held::Created(first))) => {
            let state = KeyringState::adopt_created(namespace, agent, first.entry.keep);
            resume.set_value(Some(first));
            state
        }
        None => KeyringState::new(
            namespace,
            worker_url.unwrap_or_else(|| DEFAULT_AGENT_URL.to_owned()),
            (!options.standalone)
                .then(|| crate::api::base::ApiBase::parse(&options.api_base).ok())
                .flatten(),
            parts.read_storage,
        ),
    };
    provide_context(state);
    state.watch_other_tabs();
    // So that a panic can drop this instance's key (ui::panic).
    crate::ui::panic::register_state(state);
    if let Some(on_state) = on_state {
        on_state.run(state);
    }
    let keeping = KeepingNotice::new(state);
    keeping.0.set(notice);
    provide_context(keeping);
    // Open at once when the first screen's Settings button brought the app here.
    let settings_open = RwSignal::new(crate::ui::handover::take_opening(
        crate::ui::handover::Panel::Settings,
    ));
    let compact = options.compact;
    let actions = move || view! { <HeaderActions settings_open=settings_open /> };
    // Compact (dashboards): no product header, only the instance's actions in a slim bar.
    let header = if compact {
        view! { <div class="fk-compact-bar">{actions()}</div> }.into_any()
    } else {
        view! {
            <header class="fk-header">
                <div class="fk-brand">
                    <span class="fk-logo" aria-hidden="true">"FK"</span>
                    <div>
                        <h1>"Foundry Keyring"</h1>
                        <p class="fk-lede">"Your Foundry API keys, encrypted in this browser."</p>
                    </div>
                </div>
                {actions()}
            </header>
        }
        .into_any()
    };

    view! {
        <div class=if compact { "fk fk-page fk-compact" } else { "fk fk-page" }
            data-foundry-keyring-root="" data-theme=move || session.theme.get().as_str()>
            {header}
            <ApiBaseNotice />
            <Show when=move || settings_open.get()>
                {(parts.settings)(Callback::new(move |_| settings_open.set(false)))}
            </Show>
            {move || match state.phase.get() {
                Phase::FirstRun => (parts.first_run)(resume.try_update_value(Option::take).flatten()),
                Phase::Locked => (parts.locked)(),
                Phase::Unlocked => (parts.unlocked)(),
            }}
        </div>
    }
    .into_any()
}

/// What the first screen and the app show differently: the first screen's modules leave these
/// to the app, which they hand over to when they are needed (`ui::handover`).
#[derive(Clone, Copy)]
pub struct Parts {
    /// The first run: the paste form (with the first key the first screen staged, in the app),
    /// and the import.
    pub first_run: fn(Option<FirstKey>) -> AnyView,
    /// A stored keyring, shut: the unlock form.
    pub locked: fn() -> AnyView,
    /// How the keyring's state reads what is stored (`KeyringState::inspect_storage`, which
    /// the unlock form needs; a module without it only needs to know whether one is there).
    pub read_storage: fn(&KeyringState),
    /// What an unlocked keyring shows.
    pub unlocked: fn() -> AnyView,
    /// The import of a keyring file, offered on the first run and on the unlock form.
    pub import: fn() -> AnyView,
    /// Settings, opened from the header; the callback closes them.
    pub settings: fn(Callback<()>) -> AnyView,
    /// What the paste form does once its key is in the agent.
    pub after_staging: AfterStaging,
}

/// The app's and the embedding build's parts: everything here.
pub const FULL: Parts = Parts {
    first_run: first_run_form,
    locked: || view! { <UnlockForm /> }.into_any(),
    read_storage: KeyringState::inspect_storage,
    unlocked: full_unlocked_view,
    after_staging: CHECK,
    import: || view! { <ImportKeyring /> }.into_any(),
    settings: |on_close| view! { <SettingsPanel on_close=on_close /> }.into_any(),
};

/// The first run's paste form, with the import offered beside it (the module's own import
/// part: the app's form, or the first screen's way to it).
pub fn first_run_form(resume: Option<FirstKey>) -> AnyView {
    let import = expect_context::<Parts>().import;
    view! { <AddKeyForm first_run=true resume=resume />{import()} }.into_any()
}

/// The keyring once unlocked: which key, what it sees of Foundry, a key bound elsewhere than the
/// page's API, and the auto-lock that watches activity meanwhile. None of it has anything to do
/// while locked, and the first screen's module, which never shows this view, does without them
/// (auto-lock is ~16 kB gzip: `handover::HandOver` keeps a simpler guard for the moments it
/// holds an unlocked keyring).
pub fn full_unlocked_view() -> AnyView {
    view! { <AutoLock /><BaseMismatch /><KeyringBar /><UnlockedView /> }.into_any()
}

/// Where the key goes, Settings and Lock: in the product header, or alone in compact mode.
#[component]
fn HeaderActions(settings_open: RwSignal<bool>) -> impl IntoView {
    let state = expect_context::<KeyringState>();
    let session = expect_context::<Session>();
    view! {
        <div class="fk-header-actions">
            <span class="fk-hint">"API: " <code>{move || state.active_base().map(|b| b.to_string()).unwrap_or_else(|| session.api_base.get())}</code></span>
            <button type="button" aria-expanded=move || settings_open.get().to_string()
                on:click=move |_| settings_open.update(|o| *o = !*o)>"Settings"</button>
            <Show when=move || state.phase.get() == Phase::Unlocked>
                <button type="button" class="fk-primary" on:click=move |_| state.lock(LockReason::Manual)>"Lock"</button>
            </Show>
        </div>
    }
    .into_any()
}
