//! A scripted transport and a manual clock for native tests.

use crate::api::base::ApiBase;
use crate::api::cancel::CancelToken;
use crate::api::client::FoundryClient;
use crate::api::transport::{Clock, HttpRequest, HttpResponse, Method, Transport, TransportError};
use crate::secret::SecretString;
use futures::future::LocalBoxFuture;
use futures::{FutureExt, future};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const KEY: &str = "abs0_testslugEnRlc3Qta2V5LXNlY3JldA";
pub const BASE: &str = "https://foundry.example";

/// What the fake saw, with the secrets exposed so tests can look for the key.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub authorization: Option<String>,
    pub body: Option<String>,
    pub timeout: Duration,
}

pub enum Step {
    Respond(HttpResponse),
    Fail(TransportError),
    /// Takes this long (on the fake clock), then responds.
    Slow(Duration, HttpResponse),
    /// Never answers; resolves `Aborted` once the cancel token fires.
    Hang,
}

type Responder = Box<dyn FnMut(&Seen) -> Step + Send>;

#[derive(Clone)]
pub struct FakeTransport {
    seen: Arc<Mutex<Vec<Seen>>>,
    responder: Arc<Mutex<Responder>>,
    clock: Arc<FakeClock>,
}

impl FakeTransport {
    /// Answers requests in order from `steps`; an extra request fails the test.
    pub fn scripted(clock: &Arc<FakeClock>, steps: Vec<Step>) -> Self {
        let mut steps: VecDeque<Step> = steps.into();
        Self::routed(clock, move |seen| {
            steps.pop_front().unwrap_or_else(|| {
                panic!("unexpected request {} {}", seen.method.as_str(), seen.url)
            })
        })
    }

    /// Answers each request with `route(request)`.
    pub fn routed(
        clock: &Arc<FakeClock>,
        route: impl FnMut(&Seen) -> Step + Send + 'static,
    ) -> Self {
        Self {
            seen: Arc::default(),
            responder: Arc::new(Mutex::new(Box::new(route))),
            clock: Arc::clone(clock),
        }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Transport for FakeTransport {
    fn send<'a>(
        &'a self,
        request: HttpRequest,
        cancel: &'a CancelToken,
    ) -> LocalBoxFuture<'a, Result<HttpResponse, TransportError>> {
        let seen = Seen {
            method: request.method,
            url: request.url.clone(),
            headers: request.headers.clone(),
            authorization: request
                .authorization
                .as_ref()
                .map(|a| a.expose_secret().to_owned()),
            body: request
                .body
                .as_ref()
                .map(|b| String::from_utf8(b.expose_secret().to_vec()).unwrap()),
            timeout: request.timeout,
        };
        self.seen.lock().unwrap().push(seen.clone());
        let step = (self.responder.lock().unwrap())(&seen);
        match step {
            Step::Respond(response) => future::ready(Ok(response)).boxed_local(),
            Step::Fail(error) => future::ready(Err(error)).boxed_local(),
            Step::Slow(after, response) => {
                self.clock.advance(after);
                future::ready(Ok(response)).boxed_local()
            }
            Step::Hang => cancel
                .cancelled()
                .map(|()| Err(TransportError::Aborted))
                .boxed_local(),
        }
    }
}

/// Time stands still except when advanced by a sleep or a slow response.
#[derive(Default)]
pub struct FakeClock {
    now: Mutex<Duration>,
    sleeps: Mutex<Vec<Duration>>,
    /// Sleeps never end (to cancel during one).
    hang: AtomicBool,
}

impl FakeClock {
    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    pub fn hanging() -> Arc<Self> {
        let clock = Self::default();
        clock.hang.store(true, Ordering::SeqCst);
        Arc::new(clock)
    }

    pub fn advance(&self, by: Duration) {
        *self.now.lock().unwrap() += by;
    }

    pub fn sleeps(&self) -> Vec<Duration> {
        self.sleeps.lock().unwrap().clone()
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Duration {
        *self.now.lock().unwrap()
    }

    fn sleep(&self, duration: Duration) -> LocalBoxFuture<'static, ()> {
        self.sleeps.lock().unwrap().push(duration);
        if self.hang.load(Ordering::SeqCst) {
            return future::pending().boxed_local();
        }
        self.advance(duration);
        future::ready(()).boxed_local()
    }
}

/// A client on [`BASE`] with [`KEY`], jitter fixed at 0.5.
pub fn client(transport: &FakeTransport, clock: &Arc<FakeClock>) -> FoundryClient<FakeTransport> {
    let base = ApiBase::parse(BASE).unwrap();
    let clock: Arc<dyn Clock + Send + Sync> = clock.clone();
    FoundryClient::new(base, SecretString::from(KEY), transport.clone(), clock)
        .with_jitter(Arc::new(|| 0.5))
}

pub fn response(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        request_id: None,
        retry_after: None,
        body: body.as_bytes().to_vec(),
    }
}

/// The documented error envelope, with the same id in the header.
pub fn error(status: u16, message: &str, request_id: &str) -> HttpResponse {
    let body = serde_json::json!({ "error": message, "request_id": request_id }).to_string();
    with_header_id(response(status, &body), request_id)
}

pub fn with_header_id(mut response: HttpResponse, request_id: &str) -> HttpResponse {
    response.request_id = Some(request_id.to_owned());
    response
}

pub fn with_retry_after(mut response: HttpResponse, seconds: &str) -> HttpResponse {
    response.retry_after = Some(seconds.to_owned());
    response
}

pub const WHOAMI: &str = r#"{"organizations":[{"id":"o1","name":"Lab","active":true,"role":"admin"}],
    "permissions":["token:list","token:revoke"],"active_organization_id":"o1","token_expires_at":null,"user_id":"u1"}"#;
