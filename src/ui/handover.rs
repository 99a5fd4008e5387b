//! The standalone page in two modules, and the one moment the first hands over to the second.
//!
//! The browser first gets the first screen (`src/main.rs`): the `Keyring` component with the
//! paste and unlock forms, Settings and the notices, and no unlocked view (its `unlocked`
//! screen is [`HandOver`]), so the key field works after a fraction of the bytes. The full app
//! (`src/bin/app.rs`: the same component with the unlocked view) is fetched when the browser is
//! idle, while the person types. When the keyring is unlocked the first screen hands the key
//! agent, still open, and what it knows of the keyring (entries, passkeys, the key in use,
//! the auto-lock settings: no secret) to the app, which mounts itself and shows the keyring;
//! the first screen unmounts. From then on the app is the page: it locks, unlocks and adds keys
//! with the same components. Each flow is written once; the two binaries differ only in what
//! they mount.
//!
//! The embedding build (`mount()`) is one module, as before: a host page loads it once.

use crate::ui::autolock::AutoLockSettings;
use crate::ui::common::{Alert, Tone};
use crate::ui::keyring_panel::KeepingNotice;
use crate::ui::state::{KeyringState, LockReason};
use crate::vault::agent::link::AgentLink;
use crate::vault::agent::protocol::EntryMetaWire;
use crate::vault::{EntryId, PasskeyMeta};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::any::Any;
use std::cell::{Cell, RefCell};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::Worker;

/// Where Trunk puts the full app's module, relative to the page.
pub const APP_URL: &str = "./foundry-keyring-app.js";

/// What the first screen knows of the keyring it unlocked, for the app. No key, no passphrase:
/// those stay in the agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handover {
    pub entries: Vec<EntryMetaWire>,
    pub passkeys: Vec<PasskeyMeta>,
    pub active: Option<EntryId>,
    /// False for a keyring that lives in the tab only.
    pub saved: bool,
    pub idle_minutes: u32,
    pub lock_when_hidden: bool,
    /// What the first screen had to say about the keyring (an import: "Imported 2 keys").
    pub notice: Option<(String, String)>,
}

/// The agent and the keyring, as the app receives them.
pub struct Arrival {
    pub agent: AgentLink,
    pub handover: Handover,
}

#[wasm_bindgen(module = "/src/ui/handover.js")]
extern "C" {
    #[wasm_bindgen(js_name = loadApp)]
    fn load_app(url: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = takeOver, catch)]
    fn take_over_js(app: &JsValue, worker: &Worker, handover: &str) -> Result<(), JsValue>;
}

thread_local! {
    /// The app's module: loading or loaded (a rejected load is dropped, so the next try
    /// fetches again).
    static APP: RefCell<Option<js_sys::Promise>> = const { RefCell::new(None) };
    /// Tries so far: a browser may remember a failed module import under its URL (Chromium
    /// 156 does not), so a retry asks for another one.
    static ATTEMPTS: Cell<u32> = const { Cell::new(0) };
    /// Set by the app's first `take_over`.
    static TAKEN: Cell<bool> = const { Cell::new(false) };
    /// The first screen's mount: dropped, and the first screen gone, once the app took over.
    static FIRST_SCREEN: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
}

/// Keeps the first screen's mount handle until the handover.
pub fn keep_first_screen(handle: Box<dyn Any>) {
    FIRST_SCREEN.with(|slot| *slot.borrow_mut() = Some(handle));
}

/// Starts fetching the app once the browser is idle: the first screen does not wait for it,
/// and an unlock usually finds it ready.
pub fn prefetch_when_idle() {
    crate::ui::idle::when_idle(|| {
        let _ = app_promise();
    });
}

fn app_promise() -> js_sys::Promise {
    APP.with(|slot| {
        slot.borrow_mut()
            .get_or_insert_with(|| {
                let attempt = ATTEMPTS.with(|a| a.replace(a.get() + 1));
                let url = if attempt == 0 {
                    APP_URL.to_owned()
                } else {
                    format!("{APP_URL}?attempt={attempt}")
                };
                load_app(&url)
            })
            .clone()
    })
}

async fn app_module() -> Result<JsValue, JsValue> {
    let loaded = JsFuture::from(app_promise()).await;
    if loaded.is_err() {
        APP.with(|slot| slot.borrow_mut().take());
    }
    loaded
}

/// Why the handover did not happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stuck {
    /// The app's module did not arrive (network, a host missing the file).
    NotLoaded,
    /// The first screen could not let go of the agent (a call still waiting on it).
    NotTaken,
}

/// The first screen's unlocked screen: fetches the app if it is not there yet, then hands over.
/// While it waits it says so; if the app cannot be loaded the keyring stays unlocked in the
/// agent and the person can try again or lock.
#[component]
pub fn HandOver() -> impl IntoView {
    let state = expect_context::<KeyringState>();
    let autolock = expect_context::<AutoLockSettings>();
    let keeping = expect_context::<KeepingNotice>();
    let stuck = RwSignal::new(None::<Stuck>);
    lock_while_waiting(state, autolock);
    let attempt = move || {
        stuck.set(None);
        leptos::task::spawn_local(async move {
            let app = app_module().await;
            if state.phase.try_get_untracked() != Some(crate::ui::state::Phase::Unlocked) {
                return; // locked meanwhile (auto-lock, another tab): nothing to hand over
            }
            let outcome = match app {
                Ok(app) => hand_over(state, &autolock, keeping, &app),
                Err(_) => Err(Stuck::NotLoaded),
            };
            if let Err(why) = outcome {
                stuck.try_set(Some(why));
            }
        });
    };
    attempt();
    view! {
        {move || match stuck.get() {
            None => view! { <p class="fk-hint" role="status">"Opening your keyring…"</p> }.into_any(),
            Some(why) => view! {
                <Alert title="The rest of Foundry Keyring did not load" tone=Tone::Error>
                    <p>{match why {
                        Stuck::NotLoaded => "Your keyring is unlocked, but the part of the app that shows it did not arrive (the connection may have dropped). Try again, or lock the keyring.",
                        Stuck::NotTaken => "Your keyring is unlocked, but the part of the app that shows it could not start. Try again, or lock the keyring and reload the page.",
                    }}</p>
                    <div class="fk-actions">
                        <button type="button" class="fk-primary" on:click=move |_| attempt()>"Try again"</button>
                        <button type="button" on:click=move |_| state.lock(LockReason::Manual)>"Lock"</button>
                    </div>
                </Alert>
            }.into_any(),
        }}
    }
    .into_any()
}

/// The first screen's stand-in for auto-lock, which lives in the app's unlocked view: while the
/// keyring waits here, unlocked, for an app that is slow to arrive or did not, it locks once
/// the idle time has passed since the unlock (activity or not: nothing can be done here but try
/// again or lock), and when the page is hidden if the person chose that.
fn lock_while_waiting(state: KeyringState, settings: AutoLockSettings) {
    let minutes = u64::from(settings.idle_minutes.get_untracked());
    let timer = set_timeout_with_handle(
        move || state.lock(LockReason::Idle),
        std::time::Duration::from_secs(minutes * 60),
    )
    .ok();
    let hidden = window_event_listener_untyped("visibilitychange", move |_| {
        if settings.lock_when_hidden.get_untracked()
            && document().visibility_state() == web_sys::VisibilityState::Hidden
        {
            state.lock(LockReason::Hidden);
        }
    });
    on_cleanup(move || {
        if let Some(timer) = timer {
            timer.clear();
        }
        hidden.remove();
    });
}

/// The handover itself, in one task so that nothing paints in between: the app mounts with the
/// agent, then the first screen unmounts.
fn hand_over(
    state: KeyringState,
    autolock: &AutoLockSettings,
    keeping: KeepingNotice,
    app: &JsValue,
) -> Result<(), Stuck> {
    let handover = state
        .handover(autolock, keeping.0.get_untracked())
        .ok_or(Stuck::NotTaken)?;
    let text = serde_json::to_string(&handover).map_err(|_| Stuck::NotTaken)?;
    let agent = state.agent().ok_or(Stuck::NotTaken)?;
    let worker = agent.detach().ok_or(Stuck::NotTaken)?;
    if take_over_js(app, &worker, &text).is_err() {
        // The app refused the handover (an app from another build, cached by the browser):
        // whatever it did with the agent, this page no longer knows it. Stop it, and the keys
        // with it; the unlock form says why.
        worker.terminate();
        state.lock(LockReason::AppDidNotStart);
        return Ok(());
    }
    FIRST_SCREEN.with(|slot| slot.borrow_mut().take());
    Ok(())
}

/// The app's side: parses the handover and mounts the keyring with the agent it was given.
/// Called by the first screen through the app module's `take_over` export.
pub fn take_over(worker: Worker, handover: &str) -> Result<(), JsValue> {
    // One page, one keyring: a second call (a script in the page calling the export again)
    // would mount a second instance on the same agent.
    if TAKEN.with(Cell::get) {
        return Err(JsValue::from_str(
            "Foundry Keyring: the app is already running",
        ));
    }
    let handover: Handover = serde_json::from_str(handover)
        .map_err(|_| JsValue::from_str("Foundry Keyring: an unreadable handover"))?;
    TAKEN.with(|taken| taken.set(true));
    crate::ui::panic::install();
    let agent = AgentLink::adopt(
        crate::vault::agent::link::DEFAULT_AGENT_URL.to_owned(),
        worker,
    );
    let options = crate::ui::standalone_options();
    let arrival = Arrival { agent, handover };
    leptos::mount::mount_to_body(move || {
        view! { <crate::ui::app::Keyring options=options unlocked=crate::ui::app::full_unlocked_view arrival=arrival /> }
    });
    Ok(())
}
