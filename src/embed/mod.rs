//! The embedding surface: a JavaScript API, exported with wasm-bindgen, that mounts a keyring
//! into an element of someone else's page.
//!
//! ```js
//! import init, { mount } from './foundry_keyring.js';
//! await init();
//! const handle = mount(element, { apiBase: 'https://…', storageNamespace: 'lab-a', compact: true });
//! element.addEventListener('foundry-keyring:unlocked', (e) => console.log(e.detail.label));
//! const me = await (await handle.fetch('/api/v1/whoami')).json();
//! handle.unmount();
//! ```
//!
//! The key never crosses to JavaScript, nor to this page's WebAssembly: `fetch` hands the
//! request to the key agent (a worker), which adds the `Authorization` header itself, and only
//! for `/api/…` paths under the base the key is bound to ([`ApiBase::resolve_relative`]). Events
//! carry a label, a fingerprint, a reason, a title or a request id, never a secret.

use crate::api::base::{ApiBase, ApiPath};
use crate::api::transport::{KeyUse, Method};
use crate::ui::app::Keyring;
use crate::ui::error_panel::{ErrorReport, ErrorReports};
use crate::ui::options::{IDLE_CHOICES, Options, Panels, Theme, build_default_api_base};
use crate::ui::panic;
use crate::ui::state::{Credential, KeyringState, LockReason, Phase};
use crate::vault::Namespace;
use crate::vault::agent::link::DEFAULT_AGENT_URL;
use crate::vault::agent::link::FetchFailure;
use crate::vault::agent::protocol::FetchSpec;
use futures::StreamExt;
use futures::channel::mpsc;
use js_sys::{Array, Object, Promise, Reflect};
use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::tachys::view::any_view::AnyViewState;
use serde::Deserialize;
use std::cell::RefCell;
use std::sync::{Arc, Mutex};
use wasm_bindgen::prelude::*;
use web_sys::{AbortController, CustomEvent, CustomEventInit, Headers, HtmlElement};

#[wasm_bindgen(module = "/src/embed/width.js")]
extern "C" {
    /// Marks `element` `.fk-narrow` while it is at most 40rem wide; returns the function that
    /// stops watching and takes the class off.
    #[wasm_bindgen(js_name = followWidth)]
    fn follow_width(element: &HtmlElement) -> js_sys::Function;
}

/// The width watch of one mounted instance; it stops when the instance goes.
struct WidthWatch(js_sys::Function);

impl Drop for WidthWatch {
    fn drop(&mut self) {
        // Nothing to report: a watch that cannot stop has nothing left to change.
        let _ = self.0.call0(&JsValue::NULL);
    }
}

/// Event names, dispatched on the element the keyring was mounted into.
pub const EVENT_UNLOCKED: &str = "foundry-keyring:unlocked";
pub const EVENT_LOCKED: &str = "foundry-keyring:locked";
pub const EVENT_ERROR: &str = "foundry-keyring:error";

/// `mount`'s options as the host writes them (camelCase). Unknown fields are refused, so a
/// typo such as `apibase` fails loudly instead of silently using the default API.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EmbedOptions {
    api_base: Option<String>,
    storage_namespace: Option<String>,
    panels: Option<PanelOptions>,
    theme: Option<String>,
    worker_url: Option<String>,
    idle_minutes: Option<u32>,
    lock_when_hidden: Option<bool>,
    compact: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PanelOptions {
    identity: Option<bool>,
    permissions: Option<bool>,
    tokens: Option<bool>,
}

/// What `mount` resolved the options to.
struct Resolved {
    options: Options,
    worker_url: String,
}

fn resolve(raw: JsValue) -> Result<Resolved, String> {
    let raw: Option<EmbedOptions> =
        serde_wasm_bindgen::from_value(raw).map_err(|e| format!("invalid options: {e}"))?;
    let raw = raw.unwrap_or_default();
    let base_text = raw
        .api_base
        .unwrap_or_else(|| build_default_api_base().to_owned());
    let base = ApiBase::parse(&base_text).map_err(|e| format!("invalid apiBase: {e}"))?;
    let namespace = raw
        .storage_namespace
        .unwrap_or_else(|| "default".to_owned());
    Namespace::new(&namespace).map_err(|e| format!("invalid storageNamespace: {e}"))?;
    let theme = match raw.theme {
        None => Theme::System,
        Some(text) => {
            Theme::parse(&text).ok_or("invalid theme: use \"system\", \"light\" or \"dark\"")?
        }
    };
    let defaults = Options::default();
    let idle_minutes = match raw.idle_minutes {
        None => defaults.idle_minutes,
        Some(m) if IDLE_CHOICES.contains(&m) => m,
        Some(_) => return Err(format!("invalid idleMinutes: use one of {IDLE_CHOICES:?}")),
    };
    let panels = raw.panels.unwrap_or_default();
    let all = Panels::default();
    let options = Options {
        api_base: base.as_str().to_owned(),
        namespace,
        panels: Panels {
            identity: panels.identity.unwrap_or(all.identity),
            permissions: panels.permissions.unwrap_or(all.permissions),
            tokens: panels.tokens.unwrap_or(all.tokens),
        },
        theme,
        idle_minutes,
        lock_when_hidden: raw.lock_when_hidden.unwrap_or(defaults.lock_when_hidden),
        standalone: false,
        compact: raw.compact.unwrap_or(defaults.compact),
    };
    let worker_url = raw
        .worker_url
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| DEFAULT_AGENT_URL.to_owned());
    Ok(Resolved {
        options,
        worker_url,
    })
}

/// Mounts a keyring into `element` (appended to it; the element's other children stay).
/// While `element` is at most 40rem wide it carries the class `fk-narrow`, under which the
/// embedding stylesheet lays the keyring out as on a phone.
///
/// Throws a `TypeError` for invalid options. Returns the handle that locks, unmounts and
/// makes authenticated calls for the host.
#[wasm_bindgen]
pub fn mount(element: HtmlElement, options: JsValue) -> Result<KeyringHandle, JsValue> {
    panic::install();
    refuse_after_crash()?;
    let Resolved {
        options,
        worker_url,
    } = resolve(options).map_err(|m| type_error(&format!("Foundry Keyring: {m}")))?;
    let requests = AbortController::new()?;
    let (report_tx, report_rx) = mpsc::unbounded::<ErrorReport>();
    let slot: Arc<Mutex<Option<KeyringState>>> = Arc::new(Mutex::new(None));
    let on_state = {
        let slot = Arc::clone(&slot);
        Callback::new(move |state: KeyringState| {
            if let Ok(mut slot) = slot.lock() {
                *slot = Some(state);
            }
        })
    };
    let events_target = element.clone();
    let reports = ErrorReports::new(report_tx.clone());
    // Before the view renders, so that a narrow tile never shows the wide layout first.
    let width = WidthWatch(follow_width(&element));
    let watched = Arc::clone(&slot);
    let unmount = mount_to(element.clone(), move || {
        provide_context(reports);
        let view = view! { <Keyring options=options worker_url=worker_url on_state=on_state parts=crate::ui::app::FULL /> }
            .into_any();
        // The component body has run: the state exists (unless the options were refused,
        // which `resolve` has already ruled out).
        if let Some(state) = watched.lock().ok().and_then(|s| *s) {
            announce_lock_changes(state, events_target.clone());
        }
        forward_error_reports(report_rx, events_target);
        view
    });
    let state = slot.lock().ok().and_then(|s| *s);
    panic::register_root(&element);
    Ok(KeyringHandle {
        inner: RefCell::new(Some(Mounted {
            unmount,
            _width: width,
            element,
            state,
            requests,
            reports: report_tx,
        })),
    })
}

/// One mounted instance. Dropping it unmounts the view and disposes its reactive graph, which
/// clears the timers and listeners the components registered and cancels their requests.
struct Mounted {
    unmount: leptos::mount::UnmountHandle<AnyViewState>,
    /// Follows the element's width for the narrow layout (`src/embed/width.js`).
    _width: WidthWatch,
    element: HtmlElement,
    state: Option<KeyringState>,
    /// Aborts the host's in-flight `fetch` calls on unmount.
    requests: AbortController,
    reports: mpsc::UnboundedSender<ErrorReport>,
}

/// The host's handle on one mounted keyring.
#[wasm_bindgen]
pub struct KeyringHandle {
    // A RefCell behind `&self` methods: an event listener that calls back into the handle
    // (say `unmount()` from a `locked` listener) must not trip wasm-bindgen's borrow check.
    inner: RefCell<Option<Mounted>>,
}

#[wasm_bindgen]
impl KeyringHandle {
    /// Locks the keyring now (the plain key is dropped and zeroized). A no-op when it is not
    /// unlocked or already unmounted. The `locked` event follows with reason "manual".
    /// Throws a `KeyringCrashedError` after a panic.
    pub fn lock(&self) -> Result<(), JsValue> {
        refuse_after_crash()?;
        if let Some(state) = self.state()
            && state.phase.try_get_untracked() == Some(Phase::Unlocked)
        {
            state.lock(LockReason::Manual);
        }
        Ok(())
    }

    /// Removes the keyring from the element and ends everything it started: listeners,
    /// timers, in-flight API calls (the host's too). Idempotent. If it was unlocked, a
    /// `locked` event with reason "unmounted" is the last event the element receives.
    /// Throws a `KeyringCrashedError` after a panic (the page must be reloaded).
    pub fn unmount(&self) -> Result<(), JsValue> {
        refuse_after_crash()?;
        // Taken out before anything runs: a host listener that calls back into the handle
        // finds it unmounted instead of a borrowed cell.
        let Some(mounted) = self
            .inner
            .try_borrow_mut()
            .ok()
            .and_then(|mut inner| inner.take())
        else {
            return Ok(());
        };
        let was_unlocked = mounted
            .state
            .and_then(|s| s.phase.try_get_untracked())
            .is_some_and(|p| p == Phase::Unlocked);
        let Mounted {
            unmount,
            element,
            requests,
            reports,
            ..
        } = mounted;
        requests.abort();
        reports.close_channel();
        drop(unmount);
        panic::unregister_root(&element);
        if was_unlocked {
            dispatch(&element, EVENT_LOCKED, &locked_detail("unmounted"));
        }
        Ok(())
    }

    /// True while mounted and unlocked. Throws a `KeyringCrashedError` after a panic.
    #[wasm_bindgen(getter)]
    pub fn unlocked(&self) -> Result<bool, JsValue> {
        refuse_after_crash()?;
        Ok(self.state().and_then(|s| s.phase.try_get_untracked()) == Some(Phase::Unlocked))
    }

    /// `fetch(path, init)` with the key in use: `path` must be an `/api/v1/…` path
    /// ([`ApiBase::resolve_relative`]), resolved under the API base the key is bound to.
    /// Anything else is refused with a `TypeError` before a request is built; a locked
    /// keyring rejects with an `Error` named `KeyringLockedError`, an unmounted one with
    /// `KeyringUnmountedError`, and after a panic with `KeyringCrashedError`. Cookies are
    /// never sent (`credentials: "omit"`) and redirects are refused (`redirect: "error"`), so
    /// the key cannot be carried to another address. A host `init` that throws (a getter, a
    /// bogus `signal` or `headers`) rejects this call only.
    pub fn fetch(&self, path: JsValue, init: JsValue) -> Promise {
        match self.prepare(path, init) {
            Ok(prepared) => wasm_bindgen_futures::future_to_promise(prepared.send()),
            Err(error) => Promise::reject(&error),
        }
    }

    /// Panics inside a handle method, as a bug would: for the end-to-end test of what a panic
    /// leaves. Only in builds with the `test-hooks` feature (the test run's, never the
    /// bundle integrators build).
    #[cfg(feature = "test-hooks")]
    #[wasm_bindgen(js_name = panicForTests)]
    #[allow(clippy::panic)]
    pub fn panic_for_tests(&self) {
        let _held = self.inner.borrow();
        panic!("a deliberate panic for the end-to-end tests");
    }
}

impl KeyringHandle {
    fn state(&self) -> Option<KeyringState> {
        self.inner
            .try_borrow()
            .ok()
            .and_then(|inner| inner.as_ref().and_then(|m| m.state))
    }

    /// What `fetch` needs from the mounted instance, copied out: `inner` is borrowed only for
    /// the copy, so no host code ever runs while it is borrowed and nothing the host does
    /// from a getter (say `unmount()`) can find it borrowed.
    fn mounted_parts(&self) -> Result<(Option<KeyringState>, web_sys::AbortSignal), JsValue> {
        refuse_after_crash()?;
        let inner = self.inner.try_borrow().map_err(|_| {
            plain_error(
                "Foundry Keyring: the keyring is busy; try again",
                "KeyringBusyError",
            )
        })?;
        let mounted = inner.as_ref().ok_or_else(unmounted_error)?;
        Ok((mounted.state, mounted.requests.signal()))
    }

    fn prepare(&self, path: JsValue, init: JsValue) -> Result<Prepared, JsValue> {
        self.mounted_parts()?;
        let path = path.as_string().ok_or_else(|| {
            type_error(
                "Foundry Keyring: fetch(path): path must be a string such as \"/api/v1/whoami\"",
            )
        })?;
        // The path is judged before the lock, so a bad path is a TypeError whatever the state.
        let checked = ApiPath::check(&path)
            .map_err(|e| type_error(&format!("Foundry Keyring: fetch refused {path:?}: {e}")))?;
        if !self.unlocked()? {
            return Err(locked_error());
        }
        // The host's init is read (its getters run) with nothing of ours borrowed and no key
        // in hand yet.
        let request = copy_init(&init)?;
        // Then everything is checked again: a getter may have locked or unmounted the
        // keyring, or a panic may have happened meanwhile.
        let (state, ours) = self.mounted_parts()?;
        let credential = state
            .filter(|s| s.phase.try_get_untracked() == Some(Phase::Unlocked))
            .and_then(|s| s.credential())
            .ok_or_else(locked_error)?;
        let signal = joined_signal(&request, &ours)?;
        // A Request reads the host's method, headers and body the way `fetch` would; it is
        // never sent. The agent makes the real request, under the key's own base.
        let url = credential.base.join(&checked);
        let parsed = web_sys::Request::new_with_str_and_init(
            &url,
            request.unchecked_ref::<web_sys::RequestInit>(),
        )
        .map_err(|e| host_init_error(&e))?;
        let method = match parsed.method().to_ascii_uppercase().as_str() {
            "GET" => Method::Get,
            "POST" => Method::Post,
            other => {
                return Err(type_error(&format!(
                    "Foundry Keyring: fetch: method {other} is not used by the Foundry API (GET and POST are)"
                )));
            }
        };
        Ok(Prepared {
            credential,
            path: path.clone(),
            method,
            request: parsed,
            signal,
        })
    }
}

/// A host `fetch`, checked and read, waiting to go to the agent.
struct Prepared {
    credential: Credential,
    path: String,
    method: Method,
    request: web_sys::Request,
    signal: web_sys::AbortSignal,
}

impl Prepared {
    /// Sends through the key agent and answers a `Response`, as `fetch` would: rejected with
    /// an `AbortError` when the host's signal (or the instance's, on lock and unmount) fires,
    /// and with a `TypeError` when no response came (network, CORS, a refused redirect).
    async fn send(self) -> Result<JsValue, JsValue> {
        let Prepared {
            credential,
            path,
            method,
            request,
            signal,
        } = self;
        let body = if method == Method::Post {
            let buffer = wasm_bindgen_futures::JsFuture::from(request.array_buffer()?).await?;
            let view = js_sys::Uint8Array::new(&buffer);
            let bytes = view.to_vec();
            (!bytes.is_empty()).then_some(bytes)
        } else {
            None
        };
        let headers = ["accept", "content-type"]
            .into_iter()
            .filter_map(|name| {
                let value = request.headers().get(name).ok().flatten()?;
                Some((name.to_owned(), value))
            })
            .collect();
        if signal.aborted() {
            return Err(abort_error());
        }
        let spec = FetchSpec {
            key: credential.key,
            method,
            path,
            headers,
            key_use: KeyUse::Header,
            timeout_ms: 60_000,
        };
        let (abort_tx, abort_rx) = futures::channel::oneshot::channel::<()>();
        let abort_tx = RefCell::new(Some(abort_tx));
        let on_abort = Closure::<dyn FnMut()>::new(move || {
            if let Some(tx) = abort_tx.borrow_mut().take() {
                let _ = tx.send(());
            }
        });
        let _ = signal.add_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
        let stopped = async {
            let _ = abort_rx.await;
        };
        let outcome = credential.agent.fetch(spec, body.as_deref(), stopped).await;
        let _ =
            signal.remove_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
        let mut response = match outcome {
            Ok(response) => response,
            Err(FetchFailure::Stopped) => return Err(abort_error()),
            Err(FetchFailure::AgentDown) => return Err(locked_error()),
            Err(FetchFailure::Transport(error)) => {
                return Err(type_error(&format!(
                    "Foundry Keyring: fetch failed: {error}"
                )));
            }
        };
        let headers = Headers::new()?;
        headers.set("content-type", "application/json")?;
        if let Some(id) = &response.request_id {
            headers.set("x-request-id", id)?;
        }
        if let Some(after) = &response.retry_after {
            headers.set("retry-after", after)?;
        }
        let init = web_sys::ResponseInit::new();
        init.set_status(response.status);
        init.set_headers(&headers);
        let mut body = std::mem::take(&mut response.body);
        // A 204/304 must have no body at all.
        let sent = (!body.is_empty()).then_some(&mut body[..]);
        let answer = web_sys::Response::new_with_opt_u8_array_and_init(sent, &init);
        zeroize::Zeroize::zeroize(&mut body);
        Ok(answer?.into())
    }
}

fn abort_error() -> JsValue {
    web_sys::DomException::new_with_message_and_name("The request was aborted", "AbortError")
        .map(Into::into)
        .unwrap_or_else(|_| type_error("aborted"))
}

#[wasm_bindgen]
extern "C" {
    // `catch`: a host getter, Proxy trap or iterator that throws becomes an `Err` here. An
    // exception that crossed our frames instead would skip their destructors and leave a
    // borrow held for good.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = assign)]
    fn object_assign(target: &Object, source: &JsValue) -> Result<Object, JsValue>;
    #[wasm_bindgen(catch, js_namespace = AbortSignal, js_name = any)]
    fn abort_signal_any(signals: &Array) -> Result<web_sys::AbortSignal, JsValue>;
}

/// The host's `init`, copied (theirs is left untouched) into a null-prototype object, so no
/// setter on `Object.prototype` sees what is added later. The host's headers become a
/// `Headers` and its `signal` is checked now, while no key is in hand.
fn copy_init(init: &JsValue) -> Result<Object, JsValue> {
    let copy = Object::create(JsValue::NULL.unchecked_ref());
    if !init.is_undefined() && !init.is_null() {
        if !init.is_object() {
            return Err(type_error(
                "Foundry Keyring: fetch(path, init): init must be an object",
            ));
        }
        object_assign(&copy, init).map_err(|e| host_init_error(&e))?;
    }
    let given = Reflect::get(&copy, &"headers".into()).map_err(|e| host_init_error(&e))?;
    let headers = if given.is_undefined() || given.is_null() {
        Headers::new()?
    } else {
        Headers::new_with_str_sequence_sequence(&given).map_err(|e| host_init_error(&e))?
    };
    Reflect::set(&copy, &"headers".into(), &headers)?;
    let theirs = Reflect::get(&copy, &"signal".into())?;
    if !theirs.is_undefined()
        && !theirs.is_null()
        && !theirs.is_instance_of::<web_sys::AbortSignal>()
    {
        return Err(type_error(
            "Foundry Keyring: fetch(path, init): init.signal must be an AbortSignal",
        ));
    }
    Ok(copy)
}

/// The host's `signal` joined to the instance's (aborted on lock and unmount).
fn joined_signal(
    copy: &Object,
    ours: &web_sys::AbortSignal,
) -> Result<web_sys::AbortSignal, JsValue> {
    let theirs = Reflect::get(copy, &"signal".into())?;
    if theirs.is_undefined() || theirs.is_null() {
        return Ok(ours.clone());
    }
    abort_signal_any(&Array::of2(ours, &theirs)).map_err(|e| host_init_error(&e))
}

/// A host `init` that threw: its own error when it threw an `Error`, else a `TypeError`.
fn host_init_error(error: &JsValue) -> JsValue {
    if error.is_instance_of::<js_sys::Error>() {
        error.clone()
    } else {
        type_error("Foundry Keyring: fetch(path, init): reading init threw")
    }
}

fn refuse_after_crash() -> Result<(), JsValue> {
    if panic::crashed() {
        return Err(plain_error(
            "Foundry Keyring stopped after an internal error and refuses every call; reload the page",
            "KeyringCrashedError",
        ));
    }
    Ok(())
}

fn locked_error() -> JsValue {
    plain_error(
        "Foundry Keyring is locked: unlock it before calling fetch()",
        "KeyringLockedError",
    )
}

fn unmounted_error() -> JsValue {
    plain_error(
        "Foundry Keyring: this keyring was unmounted",
        "KeyringUnmountedError",
    )
}

/// `locked` when the keyring leaves the unlocked phase, `unlocked` when it enters it.
fn announce_lock_changes(state: KeyringState, element: HtmlElement) {
    Effect::new(move |previous: Option<Phase>| {
        let phase = state.phase.get();
        let was_unlocked = previous == Some(Phase::Unlocked);
        if phase == Phase::Unlocked && !was_unlocked {
            let detail = Object::new();
            if let Some(meta) = state.active_meta() {
                set(&detail, "label", &meta.label.into());
                set(&detail, "fingerprint", &meta.fingerprint.into());
            }
            dispatch(&element, EVENT_UNLOCKED, &detail);
        } else if phase != Phase::Unlocked && was_unlocked {
            let reason = match state.lock_reason.get_untracked() {
                Some(LockReason::Idle) => "idle",
                Some(LockReason::Hidden) => "hidden",
                Some(LockReason::ChangedElsewhere) => "changed-elsewhere",
                // AppDidNotStart is the standalone page's (an embed is one module).
                Some(LockReason::AgentStopped | LockReason::AppDidNotStart) => "agent-stopped",
                Some(LockReason::Manual) | None => "manual",
            };
            dispatch(&element, EVENT_LOCKED, &locked_detail(reason));
        }
        phase
    });
}

/// Turns the error panels' reports into `error` events, until the instance is unmounted
/// (which closes the channel and so ends this task).
fn forward_error_reports(mut reports: mpsc::UnboundedReceiver<ErrorReport>, element: HtmlElement) {
    leptos::task::spawn_local(async move {
        while let Some(report) = reports.next().await {
            let detail = Object::new();
            set(&detail, "title", &report.title.into());
            set(
                &detail,
                "requestId",
                &report
                    .request_id
                    .map(JsValue::from)
                    .unwrap_or(JsValue::NULL),
            );
            dispatch(&element, EVENT_ERROR, &detail);
        }
    });
}

fn locked_detail(reason: &str) -> Object {
    let detail = Object::new();
    set(&detail, "reason", &reason.into());
    detail
}

fn set(object: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(object, &key.into(), value);
}

/// Bubbles and crosses shadow roots, so a listener on any ancestor hears it.
fn dispatch(element: &HtmlElement, name: &str, detail: &Object) {
    let init = CustomEventInit::new();
    init.set_detail(detail);
    init.set_bubbles(true);
    init.set_composed(true);
    if let Ok(event) = CustomEvent::new_with_event_init_dict(name, &init) {
        // A host listener that throws is reported by the browser; it must not stop us.
        let _ = element.dispatch_event(&event);
    }
}

fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

fn plain_error(message: &str, name: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    error.set_name(name);
    error.into()
}
