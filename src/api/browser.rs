//! The browser transport: `fetch` through gloo-net, one `AbortController` per request.
//!
//! A failed `fetch` is a bare `TypeError` whether the machine is offline, the server is down or
//! CORS withheld the response. To tell the user which, a failure is followed by a diagnostic
//! probe: a `mode: "no-cors"` GET of the health endpoint, without credentials and without the
//! key. An opaque answer means the server is reachable, so CORS most likely blocked the real
//! call; a failed probe means unreachable (or offline, when `navigator.onLine` says so).

use crate::api::base::{ApiBase, Endpoint};
use crate::api::cancel::CancelToken;
use crate::api::client::FoundryClient;
use crate::api::transport::{
    Clock, HttpRequest, HttpResponse, Method, NetworkFailure, Transport, TransportError,
};
use crate::secret::SecretString;
use futures::future::{Either, LocalBoxFuture, select};
use futures::{FutureExt, pin_mut};
use gloo_net::http::{Headers, RequestBuilder};
use gloo_timers::future::TimeoutFuture;
use std::sync::Arc;
use std::time::Duration;
// `RequestMode`/`RequestCredentials` are web-sys types that gloo-net's builder takes, so
// gloo-net enables their web-sys features.
use web_sys::{
    AbortController, RequestCache, RequestCredentials, RequestMode, RequestRedirect, ResponseType,
};

/// How long the diagnostic probe may take before the failure stays undiagnosed.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

pub struct BrowserTransport {
    probe_url: String,
}

impl BrowserTransport {
    pub fn new(base: &ApiBase) -> Self {
        Self {
            probe_url: base.endpoint(Endpoint::Health),
        }
    }
}

/// A client for `base` in the browser, with browser timers and `crypto` jitter.
pub fn browser_client(base: ApiBase, key: SecretString) -> FoundryClient<BrowserTransport> {
    let transport = BrowserTransport::new(&base);
    FoundryClient::new(base, key, transport, Arc::new(BrowserClock))
}

impl Transport for BrowserTransport {
    fn send<'a>(
        &'a self,
        request: HttpRequest,
        cancel: &'a CancelToken,
    ) -> LocalBoxFuture<'a, Result<HttpResponse, TransportError>> {
        async move {
            let timeout = request.timeout;
            match fetch(request, cancel).await {
                Err(Failure::Network) => Err(TransportError::Network(self.diagnose(cancel).await)),
                Err(Failure::Timeout) => Err(TransportError::Timeout(timeout)),
                Err(Failure::Aborted) => Err(TransportError::Aborted),
                Err(Failure::Redirected) => Err(TransportError::Redirected),
                Ok(response) => Ok(response),
            }
        }
        .boxed_local()
    }
}

impl BrowserTransport {
    async fn diagnose(&self, cancel: &CancelToken) -> NetworkFailure {
        let online = web_sys::window().map(|w| w.navigator().on_line());
        if online == Some(false) {
            return NetworkFailure::Offline;
        }
        // No key, no cookies, no custom headers: a "simple" request the browser sends without
        // a preflight and whose (opaque) answer it reports without CORS approval.
        let Some(controller) = AbortController::new().ok() else {
            return NetworkFailure::Unknown;
        };
        let _abort = AbortOnDrop(controller.clone());
        // It follows redirects: the Fetch standard turns a no-cors request whose redirect mode
        // is not "follow" into a network error, which would make every server look down. It
        // carries nothing to lose, and the verdict only picks the words of the message.
        let probe = RequestBuilder::new(&self.probe_url)
            .method(gloo_net::http::Method::GET)
            .mode(RequestMode::NoCors)
            .credentials(RequestCredentials::Omit)
            .cache(RequestCache::NoStore)
            .abort_signal(Some(&controller.signal()))
            .send();
        match race(probe, PROBE_TIMEOUT, cancel).await {
            Ok(Ok(_opaque)) => NetworkFailure::CorsBlocked,
            Ok(Err(_)) => NetworkFailure::Unreachable,
            Err(_) => NetworkFailure::Unknown,
        }
    }
}

enum Failure {
    Network,
    Timeout,
    Aborted,
    Redirected,
}

async fn fetch(request: HttpRequest, cancel: &CancelToken) -> Result<HttpResponse, Failure> {
    let controller = AbortController::new().map_err(|_| Failure::Network)?;
    // Aborts the fetch if this future is dropped half-way (a listing stopped by an error on
    // another page, a view gone), not only on timeout or cancel.
    let _abort = AbortOnDrop(controller.clone());
    let headers = Headers::new();
    for (name, value) in &request.headers {
        headers.set(name, value);
    }
    if let Some(authorization) = &request.authorization {
        // The key becomes a JS string here; that copy cannot be wiped (see SECURITY).
        headers.set("authorization", authorization.expose_secret());
    }
    let method = match request.method {
        Method::Get => gloo_net::http::Method::GET,
        Method::Post => gloo_net::http::Method::POST,
    };
    let builder = RequestBuilder::new(&request.url)
        .method(method)
        .headers(headers)
        // The key is the credential; cookies for the API's domain have no business here.
        .credentials(RequestCredentials::Omit)
        // Never follow a redirect: a followed 307/308 re-sends the Authorization header and the
        // attenuate body (which holds the key) to wherever the Location points. "manual" hands
        // back an opaque answer instead, which is refused below.
        .redirect(RequestRedirect::Manual)
        // Nothing the key fetched (identities, tokens, a new token) is kept in the HTTP cache.
        .cache(RequestCache::NoStore)
        .abort_signal(Some(&controller.signal()));
    // The attenuate body holds the key: its JS copy is zeroed once the exchange is over (the
    // upload is done by then), so only the browser's own internal copies remain.
    let sent = request
        .body
        .as_ref()
        .map(|body| js_sys::Uint8Array::from(body.expose_secret()));
    let built = match &sent {
        Some(body) => builder.body(body.clone()),
        None => builder.build(),
    }
    .map_err(|_| Failure::Network)?;
    let exchange = async move {
        let response = built.send().await.map_err(|_| Failure::Network)?;
        if response.type_() == ResponseType::Opaqueredirect {
            return Err(Failure::Redirected);
        }
        let raw = web_sys::Response::from(response);
        let body = read_body(&raw).await?;
        Ok((raw, body))
    };
    let result = race(exchange, request.timeout, cancel).await;
    if let Some(sent) = sent {
        sent.fill(0, 0, sent.length());
    }
    match result {
        Ok(Ok((response, body))) => Ok(to_http_response(&response, body)),
        Ok(Err(failure)) | Err(failure) => Err(failure),
    }
}

/// The body as bytes, with the JS buffer it came in zeroed after the copy: a new token's
/// response is the only place it ever travels, and the Rust copy zeroizes on drop
/// (`HttpResponse`). The JS string the browser may have made of it is out of reach.
async fn read_body(response: &web_sys::Response) -> Result<Vec<u8>, Failure> {
    let promise = response.array_buffer().map_err(|_| Failure::Network)?;
    let buffer = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|_| Failure::Network)?;
    let view = js_sys::Uint8Array::new(&buffer);
    let body = view.to_vec();
    view.fill(0, 0, view.length());
    Ok(body)
}

/// `future`, unless the timeout or the cancel token comes first.
async fn race<F: std::future::Future>(
    future: F,
    timeout: Duration,
    cancel: &CancelToken,
) -> Result<F::Output, Failure> {
    let millis = u32::try_from(timeout.as_millis()).unwrap_or(u32::MAX);
    let stop = select(TimeoutFuture::new(millis), cancel.cancelled());
    pin_mut!(future);
    match select(future, stop).await {
        Either::Left((output, _)) => Ok(output),
        Either::Right((Either::Left(_), _)) => Err(Failure::Timeout),
        Either::Right((Either::Right(_), _)) => Err(Failure::Aborted),
    }
}

fn to_http_response(response: &web_sys::Response, body: Vec<u8>) -> HttpResponse {
    // Cross-origin, these two headers are readable only if the API lists them in
    // Access-Control-Expose-Headers; the body's request_id and the client's own backoff cover
    // their absence.
    let headers = response.headers();
    HttpResponse {
        status: response.status(),
        request_id: headers.get("x-request-id").ok().flatten(),
        retry_after: headers.get("retry-after").ok().flatten(),
        body,
    }
}

struct AbortOnDrop(AbortController);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        // A no-op once the response has been read.
        self.0.abort();
    }
}

/// `performance.now()` and `setTimeout`.
pub struct BrowserClock;

impl Clock for BrowserClock {
    fn now(&self) -> Duration {
        let millis = web_sys::window()
            .and_then(|w| w.performance())
            .map(|p| p.now())
            .unwrap_or_else(js_sys::Date::now);
        // `try_`: a NaN or negative reading must not panic.
        Duration::try_from_secs_f64(millis / 1000.0).unwrap_or_default()
    }

    fn sleep(&self, duration: Duration) -> LocalBoxFuture<'static, ()> {
        let millis = u32::try_from(duration.as_millis()).unwrap_or(u32::MAX);
        TimeoutFuture::new(millis).boxed_local()
    }
}
