//! The page's side of the key agent: starts the worker, sends [`Op`]s, matches answers, and
//! notices when the agent is gone.
//!
//! "Gone" is either an error event from the worker (a panic aborts its WebAssembly, which
//! surfaces as an uncaught error there) or silence: while the page holds an open keyring it
//! pings the agent, and an agent that has not answered for [`SILENCE_MS`] is taken for dead
//! (a worker closed or terminated sends nothing at all). Either way every call waiting on it
//! ends with [`AgentDown`] and the owner's `on_down` runs (the keyring state locks, with a
//! message), and the next call starts a new agent.
//!
//! Where no worker can be started (a host page whose CSP forbids workers, a wrong
//! `workerUrl`), no key is opened at all: the page never falls back to holding keys itself,
//! and says why (`VaultError::AgentUnavailable`).

use super::policy::ConnectPolicy;
use super::protocol::{self, Answer, FetchSpec, Op, Reply};
use crate::api::transport::{HttpResponse, NetworkFailure, TransportError};
use crate::secret::SecretBytes;
use futures::channel::oneshot;
use futures::future::{Either, select};
use gloo_timers::callback::Interval;
use js_sys::{Array, Object, Reflect, Uint8Array};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use web_sys::{MessageEvent, Worker};

/// Where Trunk puts the agent's loader, relative to the page.
pub const DEFAULT_AGENT_URL: &str = "./key-agent_loader.js";

/// How long a ping may go unanswered before the page takes the agent for dead. A derivation
/// with WebCrypto is asynchronous and leaves the agent answering; only the pure-WASM fallback
/// (no `crypto.subtle`) blocks it, for about a second.
pub const SILENCE_MS: f64 = 6_000.0;
const PING_EVERY_MS: u32 = 1_500;

/// The agent stopped (crashed, terminated) before it answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the key agent stopped")]
pub struct AgentDown;

type Waiting = oneshot::Sender<Result<Answer, AgentDown>>;

/// Why a request through the agent brought no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchFailure {
    /// The agent made it and it failed (network, CORS, a refused redirect, not allowed…).
    Transport(TransportError),
    /// The caller stopped it first.
    Stopped,
    /// The agent stopped before it answered.
    AgentDown,
}

struct Running {
    worker: Worker,
    ready: bool,
    /// Messages posted before the agent said it was ready: (message, transfer list).
    queue: Vec<(Object, Array)>,
    // Kept alive as long as the worker.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(JsValue)>,
}

struct Inner {
    url: String,
    /// Origins the agent may reach when the page has no connect policy of its own.
    fallback: Vec<String>,
    running: RefCell<Option<Running>>,
    /// Calls sent and not answered, by message number: a handful at most, so a list (a hash
    /// map type of its own cost the first screen's module code; see `strength::estimate`).
    waiting: RefCell<Vec<(u32, Waiting)>>,
    next_id: Cell<u32>,
    /// When the oldest ping still unanswered was sent (any message from the agent answers it).
    ping_sent: Cell<Option<f64>>,
    watch: RefCell<Option<Interval>>,
    on_down: RefCell<Option<Rc<dyn Fn()>>>,
}

/// The last handle gone (an unmounted instance): the worker goes with it, keys and all.
impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(running) = self.running.get_mut().take() {
            running.worker.terminate();
        }
    }
}

/// A handle on one agent. Clones share it.
#[derive(Clone)]
pub struct AgentLink {
    inner: Rc<Inner>,
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

impl AgentLink {
    /// `fallback`: the origins the agent may reach if the page has no `connect-src` (the
    /// build's API, and the base an embedding host mounted with; never one from a link).
    pub fn new(url: String, fallback: Vec<String>) -> Self {
        Self {
            inner: Rc::new(Inner {
                url,
                fallback,
                running: RefCell::default(),
                waiting: RefCell::default(),
                next_id: Cell::default(),
                ping_sent: Cell::default(),
                watch: RefCell::default(),
                on_down: RefCell::default(),
            }),
        }
    }

    /// Runs when the agent is found dead. Replaces any earlier one.
    pub fn on_down(&self, f: impl Fn() + 'static) {
        *self.inner.on_down.borrow_mut() = Some(Rc::new(f));
    }

    /// Starts the agent now, if it is not running (so an unlock does not wait for it).
    pub fn start(&self) {
        if self.inner.running.borrow().is_some() {
            return;
        }
        // No worker, no keys: calls then end with `AgentDown`.
        if let Ok(running) = self.spawn() {
            *self.inner.running.borrow_mut() = Some(running);
        }
    }

    fn spawn(&self) -> Result<Running, JsValue> {
        let worker = Worker::new(&self.inner.url)?;
        // The first message the agent reads: where it may connect.
        let configure = message(0, &configure_op(&self.inner.fallback), &[], None);
        Ok(self.listen(worker, false, vec![configure]))
    }

    /// A link to an agent that another module of this page started and unlocked (the first
    /// screen hands its agent to the full app: `ui::handover`). It is ready: it was configured
    /// by the link that started it.
    pub fn adopt(url: String, worker: Worker) -> Self {
        // Configured by the link that started it; a later restart is this module's own.
        let link = Self::new(
            url,
            vec![crate::ui::options::build_default_base().origin().to_owned()],
        );
        let running = link.listen(worker, true, Vec::new());
        *link.inner.running.borrow_mut() = Some(running);
        link
    }

    /// Lets go of the agent without stopping it, for [`Self::adopt`] in another module: this
    /// link stops listening to it, and neither `stop` nor dropping the link terminates it any
    /// more. `None` when none is running, while a call still waits for it (its answer would
    /// reach the other module, which does not know the call), or while messages wait for it to
    /// be ready (they would be lost).
    pub fn detach(&self) -> Option<Worker> {
        let settled = self
            .inner
            .running
            .borrow()
            .as_ref()
            .is_some_and(|running| running.ready && running.queue.is_empty());
        if !settled || !self.inner.waiting.borrow().is_empty() {
            return None;
        }
        self.release().map(|running| running.worker)
    }

    /// Stops watching the agent and listening to it, and hands back what ran (`stop`
    /// terminates it, `detach` passes it on).
    fn release(&self) -> Option<Running> {
        self.unwatch();
        let running = self.inner.running.borrow_mut().take()?;
        running.worker.set_onmessage(None);
        running.worker.set_onerror(None);
        Some(running)
    }

    fn listen(&self, worker: Worker, ready: bool, queue: Vec<(Object, Array)>) -> Running {
        let weak = Rc::downgrade(&self.inner);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(inner) = weak.upgrade() {
                AgentLink { inner }.heard(&event.data());
            }
        });
        let weak = Rc::downgrade(&self.inner);
        let on_error = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            if let Some(inner) = weak.upgrade() {
                AgentLink { inner }.down();
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        self.inner.ping_sent.set(None);
        Running {
            worker,
            ready,
            queue,
            _on_message: on_message,
            _on_error: on_error,
        }
    }

    fn heard(&self, data: &JsValue) {
        self.inner.ping_sent.set(None);
        let field = |name: &str| Reflect::get(data, &JsValue::from_str(name)).ok();
        if field("ready").is_some_and(|v| v.is_truthy()) {
            // An agent of another build reads these bytes as other messages: nothing queued
            // (a passphrase, a key) goes to it.
            if field("build").and_then(|v| v.as_string()).as_deref() != Some(protocol::BUILD) {
                self.down();
                return;
            }
            let queued = {
                let mut running = self.inner.running.borrow_mut();
                let Some(running) = running.as_mut() else {
                    return;
                };
                running.ready = true;
                std::mem::take(&mut running.queue)
            };
            for (message, transfer) in queued {
                self.post(&message, &transfer);
            }
            return;
        }
        let Some(id) = field("id").and_then(|v| v.as_f64()) else {
            return;
        };
        let reply = field("reply")
            .and_then(|v| v.dyn_into::<Uint8Array>().ok())
            .and_then(|bytes| protocol::decode_reply(&bytes.to_vec()));
        let payload = field("payload")
            .and_then(|v| v.dyn_into::<Uint8Array>().ok())
            .map(|bytes| SecretBytes::take_from_js(&bytes));
        let waiting = self.take_waiting(id as u32);
        if let Some(waiting) = waiting {
            let answer = match reply {
                Some(reply) => Ok(Answer { reply, payload }),
                // An answer this page cannot read: the agent is not one it can trust.
                None => Err(AgentDown),
            };
            let _ = waiting.send(answer);
        }
    }

    /// The call waiting for message number `id`, no longer waiting.
    fn take_waiting(&self, id: u32) -> Option<Waiting> {
        let mut waiting = self.inner.waiting.borrow_mut();
        let index = waiting
            .iter()
            .position(|(waiting_id, _)| *waiting_id == id)?;
        Some(waiting.swap_remove(index).1)
    }

    fn post(&self, message: &Object, transfer: &Array) {
        let posted = self
            .inner
            .running
            .borrow()
            .as_ref()
            .map(|running| running.worker.post_message_with_transfer(message, transfer));
        if !matches!(posted, Some(Ok(()))) {
            self.down();
        }
    }

    /// The agent is gone: every waiting call ends, the owner hears of it, and the next call
    /// starts a new agent.
    pub fn down(&self) {
        if !self.stop() {
            return;
        }
        let on_down = self.inner.on_down.borrow().clone();
        if let Some(on_down) = on_down {
            on_down();
        }
    }

    /// Stops the agent and every key with it (lock, unmount): the worker is terminated, so
    /// nothing it held, freed or not, outlives this; every waiting call ends with
    /// [`AgentDown`]. The next call starts a new agent. False when none was running.
    pub fn stop(&self) -> bool {
        let running = self.release();
        if let Some(running) = &running {
            running.worker.terminate();
            // Messages the agent never got: their secrets are wiped, not left to the collector.
            for (message, _) in &running.queue {
                if let Ok(secrets) = Reflect::get(message, &"secrets".into()) {
                    for secret in Array::from(&secrets).iter() {
                        if let Ok(bytes) = secret.dyn_into::<Uint8Array>() {
                            bytes.fill(0, 0, bytes.length());
                        }
                    }
                }
            }
        }
        let waiting: Vec<Waiting> = self
            .inner
            .waiting
            .borrow_mut()
            .drain(..)
            .map(|(_, w)| w)
            .collect();
        for waiting in waiting {
            let _ = waiting.send(Err(AgentDown));
        }
        running.is_some()
    }

    /// While the agent holds a keyring: ping it, and take silence for death.
    pub fn watch(&self) {
        if self.inner.watch.borrow().is_some() {
            return;
        }
        self.inner.ping_sent.set(None);
        let weak = Rc::downgrade(&self.inner);
        // Silence is measured from an unanswered ping, not from the last message: a hidden tab's
        // timers may fire once a minute, and a long gap between pings is no sign of death.
        let interval = Interval::new(PING_EVERY_MS, move || {
            let Some(inner) = weak.upgrade() else { return };
            let link = AgentLink { inner };
            if link.inner.running.borrow().is_none() {
                return;
            }
            match link.inner.ping_sent.get() {
                Some(sent) if now_ms() - sent > SILENCE_MS => link.down(),
                Some(_) => {}
                None => {
                    link.inner.ping_sent.set(Some(now_ms()));
                    link.send_only(&Op::Ping);
                }
            }
        });
        *self.inner.watch.borrow_mut() = Some(interval);
    }

    pub fn unwatch(&self) {
        self.inner.watch.borrow_mut().take();
    }

    /// A message whose answer nobody waits for (a ping, an abort, a lock).
    pub fn send_only(&self, op: &Op) {
        if self.inner.running.borrow().is_none() {
            return;
        }
        let (message, transfer) = message(0, op, &[], None);
        self.enqueue(message, transfer);
    }

    fn enqueue(&self, message: Object, transfer: Array) {
        let ready = {
            let mut running = self.inner.running.borrow_mut();
            let Some(running) = running.as_mut() else {
                return;
            };
            if !running.ready {
                running.queue.push((message.clone(), transfer.clone()));
            }
            running.ready
        };
        if ready {
            self.post(&message, &transfer);
        }
    }

    /// Asks the agent; `secrets` (a passphrase, a key) are copied into buffers that are moved
    /// to the agent, and the Rust copies wipe themselves when the caller drops them.
    pub async fn call(
        &self,
        op: Op,
        secrets: &[&[u8]],
        payload: Option<&[u8]>,
    ) -> Result<Answer, AgentDown> {
        self.start();
        let id = self.next_request();
        let (sender, receiver) = oneshot::channel();
        self.inner.waiting.borrow_mut().push((id, sender));
        let (message, transfer) = message(id, &op, secrets, payload);
        if self.inner.running.borrow().is_none() {
            self.take_waiting(id);
            return Err(AgentDown);
        }
        self.enqueue(message, transfer);
        receiver.await.unwrap_or(Err(AgentDown))
    }

    /// A fresh message number (never 0, which is for messages nobody waits on); a `Fetch`
    /// takes one too, so it can be aborted.
    pub fn next_request(&self) -> u32 {
        let id = self.inner.next_id.get().wrapping_add(1).max(1);
        self.inner.next_id.set(id);
        id
    }

    /// One request made by the agent with a key (`Op::Fetch`), until it answers or `stop`
    /// resolves first (then the agent is told to abort it). Both the API client's transport and
    /// the embedding `fetch` send this way.
    pub async fn fetch(
        &self,
        spec: FetchSpec,
        body: Option<&[u8]>,
        stop: impl std::future::Future<Output = ()>,
    ) -> Result<HttpResponse, FetchFailure> {
        let request = self.next_request();
        let call = self.call(Op::Fetch { request, spec }, &[], body);
        let answer = match select(Box::pin(call), Box::pin(stop)).await {
            Either::Left((answer, _)) => answer.map_err(|AgentDown| FetchFailure::AgentDown)?,
            Either::Right(_) => {
                self.send_only(&Op::Abort { request });
                return Err(FetchFailure::Stopped);
            }
        };
        match answer.reply {
            Reply::Response {
                status,
                request_id,
                retry_after,
            } => Ok(HttpResponse {
                status,
                request_id,
                retry_after,
                body: answer
                    .payload
                    .map(|p| p.expose_secret().to_vec())
                    .unwrap_or_default(),
            }),
            Reply::TransportFailed { error } => Err(FetchFailure::Transport(error.into())),
            _ => Err(FetchFailure::Transport(TransportError::Network(
                NetworkFailure::Unknown,
            ))),
        }
    }

    /// Convenience: the reply alone, `Failed` turned into its error.
    pub async fn ask(&self, op: Op, secrets: &[&[u8]]) -> Result<Reply, crate::vault::VaultError> {
        match self.call(op, secrets, None).await {
            Ok(Answer {
                reply: Reply::Failed { error },
                ..
            }) => Err(error),
            Ok(answer) => Ok(answer.reply),
            Err(AgentDown) => Err(crate::vault::VaultError::AgentUnavailable),
        }
    }
}

/// `Configure` with this page's own `connect-src`, read from its `<meta>` policy, or
/// `fallback` when it has none that restricts connections.
fn configure_op(fallback: &[String]) -> Op {
    let window = web_sys::window();
    let csp = window.as_ref().and_then(|window| {
        window
            .document()?
            .query_selector(r#"meta[http-equiv="Content-Security-Policy" i]"#)
            .ok()??
            .get_attribute("content")
    });
    let origin = window
        .and_then(|window| window.location().origin().ok())
        .unwrap_or_default();
    Op::Configure {
        connect: ConnectPolicy::of_page(csp.as_deref(), &origin, fallback),
    }
}

/// `{ id, op, secrets, payload }` and its transfer list (every buffer moves to the agent).
fn message(id: u32, op: &Op, secrets: &[&[u8]], payload: Option<&[u8]>) -> (Object, Array) {
    let message = Object::new();
    let transfer = Array::new();
    let list = Array::new();
    for secret in secrets {
        let bytes = Uint8Array::new_with_length(secret.len() as u32);
        bytes.copy_from(secret);
        transfer.push(&bytes.buffer());
        list.push(&bytes);
    }
    let _ = Reflect::set(&message, &"id".into(), &JsValue::from_f64(f64::from(id)));
    let op = Uint8Array::from(protocol::encode(op).as_slice());
    let _ = Reflect::set(&message, &"op".into(), &op);
    let _ = Reflect::set(&message, &"secrets".into(), &list);
    if let Some(payload) = payload {
        let bytes = Uint8Array::from(payload);
        transfer.push(&bytes.buffer());
        let _ = Reflect::set(&message, &"payload".into(), &bytes);
    }
    (message, transfer)
}
