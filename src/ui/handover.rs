//! The standalone page in two modules, and the one moment the first hands over to the second.
//!
//! The browser first gets a first screen: the `Keyring` component with one form and the
//! notices, the paste form on a first visit (`src/main.rs`, [`FIRST_RUN_SCREEN`]) or the unlock
//! form when a keyring is stored (`src/bin/unlock.rs`, [`UNLOCK_SCREEN`]; the page's boot script
//! picks one), and neither the other form ([`KeyringInApp`]), the unlocked view, the import's
//! form, Settings nor the check of a first key with Foundry (its [`Parts`] are [`HandOver`],
//! [`ImportInApp`], [`SettingsInApp`] and [`create_then_hand_over`]), so the key field works
//! after a fraction of the bytes. The full app (`src/bin/app.rs`: the same component with
//! every part) is fetched when the browser is idle, while the person types. When the keyring is
//! unlocked the first screen hands the key agent, still open, and what it knows of the keyring
//! (entries, passkeys, the key in use: no secret) to the app, which mounts itself and shows the
//! keyring; the first screen unmounts. A first key's Save hands over the same way, the keyring
//! created in the agent and the key staged there, for the app to check and save. The import's
//! toggle and the Settings button hand a shut
//! keyring over the same way, without an agent, to open the app's import or Settings. From then on
//! the app is the page: it locks, unlocks and adds keys with the same components. Each flow is
//! written once; the two binaries differ only in the parts they mount.
//!
//! The embedding build (`mount()`) is one module, as before: a host page loads it once.

use crate::ui::add_key::{AddKeyFlow, AfterStaging, FirstKey, Staged};
use crate::ui::app::Parts;
use crate::ui::autolock::AutoLockSettings;
use crate::ui::common::{Alert, Tone};
use crate::ui::keyring_panel::{ImportIntro, KeepingNotice};
use crate::ui::state::{KeyringState, LockReason, Phase};
use crate::vault::agent::link::AgentLink;
use crate::vault::agent::protocol::{self, EntryMetaWire};
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

/// What the first screen hands the app: the keyring, open or shut. No key, no passphrase: those
/// stay in the agent. No settings either: the first screen has none of its own (its Settings
/// button opens the app's), so its auto-lock is the page's default, which the app starts with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handover {
    pub keyring: Handed,
}

/// The keyring as the first screen hands it over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Handed {
    /// Unlocked: its agent, still open, comes with it.
    Open(OpenKeyring),
    /// First run: the keyring was created in its agent, which comes with it, and holds its
    /// first key staged; nothing is stored. The app checks the key with Foundry and saves it.
    Created(FirstKey),
    /// Not open, handed over because the person asked for a part only the app has: that part,
    /// to open at once. No agent comes with it: the app starts its own.
    Shut { open: Panel },
}

/// What the first screen knows of the keyring it unlocked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenKeyring {
    pub entries: Vec<EntryMetaWire>,
    pub passkeys: Vec<PasskeyMeta>,
    pub active: Option<EntryId>,
    /// False for a keyring that lives in the tab only.
    pub saved: bool,
    /// What the first screen had to say about the keyring (an import: "Imported 2 keys").
    pub notice: Option<(String, String)>,
}

/// The parts of the page the first screen leaves to the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Panel {
    /// The import of a keyring file.
    Import,
    /// Settings.
    Settings,
    /// Nothing more: the keyring as the app finds it, when it is in a state the first screen's
    /// module has no form for (a keyring stored by another tab on a first visit, or forgotten
    /// on a returning one).
    Keyring,
}

/// The handover as the app receives it.
pub struct Arrival {
    /// The agent and the keyring it holds, which come together or not at all; `None` for a
    /// shut keyring (the app starts its own agent, and the part to open waits in
    /// [`take_opening`]).
    pub held: Option<(AgentLink, Held)>,
}

/// A keyring that came with its agent.
pub enum Held {
    Open(OpenKeyring),
    Created(FirstKey),
}

/// The first screen of a first visit (`src/main.rs`): the paste form. The unlocked keyring, a
/// first key to check, the import, Settings and a stored keyring's unlock form go over to the
/// app.
pub const FIRST_RUN_SCREEN: Parts = Parts {
    first_run: crate::ui::app::first_run_form,
    locked: || view! { <KeyringInApp /> }.into_any(),
    read_storage: KeyringState::notice_stored,
    // Never shown: this module has no form that opens a keyring (a first key's Save hands the
    // created keyring over before it is open), so it holds no `HandOver` either.
    unlocked: || view! { <KeyringInApp /> }.into_any(),
    ..UNLOCK_SCREEN
};

/// The first screen of a returning visit (`src/bin/unlock.rs`): the unlock form. The paste
/// form (after "Forget"), the unlocked keyring, the import and Settings go over to the app.
pub const UNLOCK_SCREEN: Parts = Parts {
    first_run: |_| view! { <KeyringInApp /> }.into_any(),
    locked: || view! { <crate::ui::unlock::UnlockForm /> }.into_any(),
    read_storage: KeyringState::inspect_storage,
    unlocked: || view! { <HandOver /> }.into_any(),
    after_staging: AfterStaging {
        run: create_then_hand_over,
        verdict: |_, _, _| ().into_any(),
        added: |_, _, _| ().into_any(),
    },
    import: || view! { <ImportInApp /> }.into_any(),
    settings: |_| view! { <SettingsInApp /> }.into_any(),
};

#[wasm_bindgen(module = "/src/ui/handover.js")]
extern "C" {
    #[wasm_bindgen(js_name = loadApp)]
    fn load_app(url: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = takeOver, catch)]
    fn take_over_js(app: &JsValue, worker: &JsValue, handover: &[u8]) -> Result<(), JsValue>;
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
    static MOUNTED: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
    /// In the app: the part the first screen asked it to open, until that part has opened.
    static OPENING: Cell<Option<Panel>> = const { Cell::new(None) };
}

/// In the app: true once, for the part the first screen handed over to open.
pub fn take_opening(panel: Panel) -> bool {
    OPENING.with(|opening| {
        let asked = opening.get() == Some(panel);
        if asked {
            opening.set(None);
        }
        asked
    })
}

/// Keeps the first screen's mount handle until the handover.
pub fn keep_first_screen(handle: Box<dyn Any>) {
    MOUNTED.with(|slot| *slot.borrow_mut() = Some(handle));
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
        if let Some(loading) = slot.borrow().as_ref() {
            return loading.clone();
        }
        let attempt = ATTEMPTS.with(|a| a.replace(a.get() + 1));
        let url = if attempt == 0 {
            APP_URL.to_owned()
        } else {
            format!("{APP_URL}?attempt={attempt}")
        };
        let promise = load_app(&url);
        *slot.borrow_mut() = Some(promise.clone());
        // A load that failed is dropped as soon as it fails, whether or not anyone waits for
        // it: a prefetch that failed while nobody asked must not be what the next "Try
        // again" gets.
        let watched = promise.clone();
        leptos::task::spawn_local(async move {
            if JsFuture::from(watched.clone()).await.is_err() {
                APP.with(|slot| {
                    let mut slot = slot.borrow_mut();
                    if slot
                        .as_ref()
                        .is_some_and(|held| js_sys::Object::is(held, &watched))
                    {
                        *slot = None;
                    }
                });
            }
        });
        promise
    })
}

async fn app_module() -> Result<JsValue, JsValue> {
    JsFuture::from(app_promise()).await
}

/// A part only the app has, asked for on the first screen: the app is fetched (when the browser
/// is idle, so usually there already) and takes over, with that part open.
#[derive(Clone, Copy)]
struct Opener {
    /// Asked for, and the app not there yet.
    loading: RwSignal<bool>,
    /// Why the app did not take over, when it did not.
    stuck: RwSignal<Option<Stuck>>,
    open: Callback<()>,
}

impl Opener {
    fn new(panel: Panel) -> Self {
        let state = expect_context::<KeyringState>();
        let loading = RwSignal::new(false);
        let stuck = RwSignal::new(None::<Stuck>);
        let open = Callback::new(move |_| {
            if loading.get_untracked() {
                return;
            }
            loading.set(true);
            stuck.set(None);
            leptos::task::spawn_local(async move {
                let outcome = match app_module().await {
                    Ok(app) => open_in_app(state, &app, panel),
                    Err(_) => Err(Stuck::NotLoaded),
                };
                if let Err(why) = outcome {
                    loading.try_set(false);
                    stuck.try_set(Some(why));
                }
            });
        });
        Self {
            loading,
            stuck,
            open,
        }
    }

    /// "Opening …" with a bar while the app is on its way (the same card as after an unlock, so
    /// a slow link does not leave a line of grey text that looks finished), and why it did not
    /// open when it did not. The label wraps its bar: two openers can be on one screen, and
    /// neither needs an id.
    fn progress(self, part: &'static str) -> impl IntoView {
        let Self {
            loading,
            stuck,
            open,
        } = self;
        view! {
            <Show when=move || loading.get()>
                <p class="fk-field" role="status">
                    <label>"Opening " {part} "…" <progress class="fk-progress"></progress></label>
                </p>
            </Show>
            {move || stuck.get().map(|why| view! {
                <Alert title=format!("{} did not open", crate::format::capitalise(part)) tone=Tone::Error>
                    <p>{match why {
                        Stuck::NotLoaded => "The part of the app that holds it did not arrive (the connection may have dropped).",
                        Stuck::NotTaken => "The part of the app that holds it could not start (it may be from another version of this page, kept by the browser). Reload the page, then try again.",
                    }}</p>
                    <div class="fk-actions">
                        <button type="button" on:click=move |_| open.run(())>"Try again"</button>
                    </div>
                </Alert>
            })}
        }
    }
}

/// The first screen's import: the same words and toggle, which bring the app and open its
/// import. A keyring file is rare on the first screen, and leaving the import's form, file
/// reading and messages to the app makes the first screen's module ~10 kB gzip smaller.
#[component]
pub fn ImportInApp() -> impl IntoView {
    let opener = Opener::new(Panel::Import);
    view! {
        <section class="fk-card" aria-labelledby="fk-import-title">
            <h2 id="fk-import-title">"Import a keyring"</h2>
            <ImportIntro expanded=opener.loading on_toggle=opener.open />
            {opener.progress("the import")}
        </section>
    }
    .into_any()
}

/// The first screen's Settings: the header's button brings the app, which opens its Settings
/// (the auto-lock choices, the theme, the API address). Settings are seldom changed before the
/// first unlock, and leaving them to the app makes the first screen's module 6.5 kB gzip
/// smaller. What the person typed on the first screen is not carried over: the app starts
/// afresh, with its own agent, as it does for the import.
#[component]
pub fn SettingsInApp() -> impl IntoView {
    let opener = Opener::new(Panel::Settings);
    opener.open.run(());
    view! { <div class="fk-card">{opener.progress("settings")}</div> }.into_any()
}

/// The form this first screen does not have (the boot chose it by what was stored, and that has
/// changed since): the app shows the keyring as it finds it. Nothing typed is lost: this
/// replaces a form that was not there.
#[component]
pub fn KeyringInApp() -> impl IntoView {
    let opener = Opener::new(Panel::Keyring);
    opener.open.run(());
    view! { <div class="fk-card">{opener.progress("your keyring")}</div> }.into_any()
}

/// Why the handover did not happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stuck {
    /// The app's module did not arrive (network, a host missing the file).
    NotLoaded,
    /// The app did not take over: the first screen could not let go of the agent (a call still
    /// waiting on it), or the app refused what it was given (an app from another build).
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
            if state.phase.try_get_untracked() != Some(Phase::Unlocked) {
                return; // locked meanwhile (auto-lock, another tab): nothing to hand over
            }
            let outcome = match app {
                Ok(app) => hand_over(state, keeping, &app),
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
            // The keyring is open in the agent; what is on its way is the app's module (on a
            // slow link, seconds after an Unlock clicked at once). A card where the keyring's
            // card was, with a bar, so the page does not look finished and empty meanwhile.
            // Written out, as the unlock, add-key and import forms write theirs: one shared
            // helper for the four made the first screen 1.0 kB gzip larger (2026-12-05).
            None => view! {
                <div class="fk-card fk-field" role="status">
                    <label for="fk-handover-progress">"Unlocked. Loading your keys and tokens…"</label>
                    <progress id="fk-handover-progress" class="fk-progress"></progress>
                </div>
            }.into_any(),
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
/// again or lock). The idle time is the page's default: the first screen has no Settings of its
/// own, and locking when the page is hidden, off by default, is chosen in the app's.
fn lock_while_waiting(state: KeyringState, settings: AutoLockSettings) {
    let minutes = u64::from(settings.idle_minutes.get_untracked());
    let timer = set_timeout_with_handle(
        move || state.lock(LockReason::Idle),
        std::time::Duration::from_secs(minutes * 60),
    )
    .ok();
    on_cleanup(move || {
        if let Some(timer) = timer {
            timer.clear();
        }
    });
}

/// The handover of an unlocked keyring, with its agent.
fn hand_over(state: KeyringState, keeping: KeepingNotice, app: &JsValue) -> Result<(), Stuck> {
    let handover = state
        .handover(keeping.0.get_untracked())
        .ok_or(Stuck::NotTaken)?;
    match pass_with_agent(state, app, &handover)? {
        Passed::Taken => {}
        // The keys went with the stopped agent; the unlock form says why.
        Passed::Refused => state.lock(LockReason::AppDidNotStart),
    }
    Ok(())
}

/// What became of a handover that took the agent along.
enum Passed {
    /// The app took over; the first screen is gone.
    Taken,
    /// The app refused it (an app from another build, cached by the browser): whatever it did
    /// with the agent, this page no longer knows it, so the agent was stopped, and every key it
    /// held with it.
    Refused,
}

/// Hands `handover` and the agent to the app, in one task so that nothing paints in between:
/// the app mounts with the agent, then the first screen unmounts. `NotTaken` when the agent
/// cannot be let go (a call still waits on it).
fn pass_with_agent(
    state: KeyringState,
    app: &JsValue,
    handover: &Handover,
) -> Result<Passed, Stuck> {
    let bytes = encode(handover);
    let agent = state.agent().ok_or(Stuck::NotTaken)?;
    let worker = agent.detach().ok_or(Stuck::NotTaken)?;
    if take_over_js(app, worker.as_ref(), &bytes).is_err() {
        worker.terminate();
        return Ok(Passed::Refused);
    }
    MOUNTED.with(|slot| slot.borrow_mut().take());
    Ok(Passed::Taken)
}

/// The first screen's part after the first key is staged: the keyring is created in the agent
/// (the passphrase goes there, as at unlock; nothing is stored), and the agent, holding it and
/// the staged key, goes over to the app, which checks the key with Foundry and saves it
/// (`add_key::check_then_save`). The check's client, its errors and the verdicts stay out of
/// this module (~20 kB gzip).
pub fn create_then_hand_over(flow: AddKeyFlow, staged: Staged) {
    let state = flow.state;
    let Staged {
        entry,
        named,
        new_passphrase,
    } = staged;
    leptos::task::spawn_local(async move {
        flow.checking.try_set(false);
        flow.busy.try_set(true);
        let created = state.create_in_agent(new_passphrase).await;
        flow.busy.try_set(false);
        if let Err(error) = created {
            state.unstage();
            flow.key_gone();
            let (title, advice) = crate::ui::messages::vault_message(&error);
            flow.problem.try_set(Some((title.to_owned(), advice)));
            return;
        }
        flow.checking.try_set(true);
        let handover = Handover {
            keyring: Handed::Created(FirstKey { entry, named }),
        };
        let outcome = match app_module().await {
            Ok(app) => match pass_with_agent(state, &app, &handover) {
                Ok(Passed::Taken) => Ok(()),
                // The keyring and the staged key went with the stopped agent: a new one starts
                // for the next Save.
                Ok(Passed::Refused) => {
                    state.restart_agent();
                    Err(Stuck::NotTaken)
                }
                Err(why) => Err(why),
            },
            Err(_) => Err(Stuck::NotLoaded),
        };
        if let Err(why) = outcome {
            flow.checking.try_set(false);
            flow.key_gone();
            flow.problem.try_set(Some((
                "The rest of Foundry Keyring did not load".into(),
                match why {
                    Stuck::NotLoaded => "Your key was not saved: the part of the app that checks and saves it did not arrive (the connection may have dropped). Paste the key again and save once the connection is back.",
                    Stuck::NotTaken => "Your key was not saved: the part of the app that checks and saves it could not start (it may be from another version of this page, kept by the browser). Reload the page, then paste the key again.",
                }
                .into(),
            )));
        }
    });
}

/// Hands a keyring that is not open over to the app, to show `panel`. Nothing secret crosses:
/// the app reads the stored keyring itself and starts its own agent; the first screen's agent
/// (which holds no key while the keyring is shut, and a previewed paste is dropped with its
/// form) stops as the first screen unmounts.
fn open_in_app(state: KeyringState, app: &JsValue, panel: Panel) -> Result<(), Stuck> {
    if state.phase.get_untracked() == Phase::Unlocked {
        return Err(Stuck::NotTaken); // opened meanwhile: the unlock hands it over instead
    }
    let handover = Handover {
        keyring: Handed::Shut { open: panel },
    };
    take_over_js(app, &JsValue::NULL, &encode(&handover)).map_err(|_| Stuck::NotTaken)?;
    MOUNTED.with(|slot| slot.borrow_mut().take());
    Ok(())
}

/// The handover as the app's `take_over` reads it: the first screen's build
/// (`protocol::BUILD`), then the key agent's encoding (`protocol::encode`), which the first
/// screen links anyway, where JSON would have cost it serde_json's writer. An app of another
/// build refuses it rather than read its bytes as something else.
pub fn encode(handover: &Handover) -> Vec<u8> {
    let mut bytes = protocol::BUILD.as_bytes().to_vec();
    bytes.extend(protocol::encode(handover));
    bytes
}

/// The app's side: parses the handover and mounts the keyring, with the agent it was given (an
/// open keyring) or with its own and the part it was asked to open (a shut one).
/// Called by the first screen through the app module's `take_over` export.
pub fn take_over(worker: Option<Worker>, handover: &[u8]) -> Result<(), JsValue> {
    // One page, one keyring: a second call (a script in the page calling the export again)
    // would mount a second instance on the same agent.
    if TAKEN.with(Cell::get) {
        return Err(JsValue::from_str(
            "Foundry Keyring: the app is already running",
        ));
    }
    let Some(handover) = handover.strip_prefix(protocol::BUILD.as_bytes()) else {
        return Err(JsValue::from_str(
            "Foundry Keyring: a handover from another build of this page",
        ));
    };
    let handover: Handover = protocol::decode(handover)
        .ok_or_else(|| JsValue::from_str("Foundry Keyring: an unreadable handover"))?;
    let adopt = |worker| {
        AgentLink::adopt(
            crate::vault::agent::link::DEFAULT_AGENT_URL.to_owned(),
            worker,
        )
    };
    let held = match (worker, handover.keyring) {
        (Some(worker), Handed::Open(keyring)) => Some((adopt(worker), Held::Open(keyring))),
        (Some(worker), Handed::Created(first)) => Some((adopt(worker), Held::Created(first))),
        (None, Handed::Shut { open }) => {
            OPENING.with(|opening| opening.set(Some(open)));
            None
        }
        // A keyring in an agent without that agent, or an agent with a shut keyring: not what
        // this build's first screen sends.
        _ => {
            return Err(JsValue::from_str(
                "Foundry Keyring: a handover that does not match its agent",
            ));
        }
    };
    TAKEN.with(|taken| taken.set(true));
    crate::ui::panic::install();
    let options = crate::ui::standalone_options();
    let arrival = Arrival { held };
    leptos::mount::mount_to_body(move || {
        view! { <crate::ui::app::Keyring options=options parts=crate::ui::app::FULL arrival=arrival /> }
    });
    Ok(())
}
