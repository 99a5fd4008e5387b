//! What the client needs from HTTP, as a small trait: the browser implements it with `fetch`
//! (`browser.rs`), tests with a scripted fake, an embedding host with its own.
//!
//! Futures are `LocalBoxFuture` (not `Send`) because on wasm32 nothing is.

use crate::api::cancel::CancelToken;
use crate::secret::{SecretBytes, SecretString};
use futures::future::LocalBoxFuture;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// How a request carries the key. The client's direct transport reads `authorization` and
/// the body as they are; the key agent's reads this, since the page holds no key to put there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyUse {
    /// Not at all (`health`, `openapi.json`).
    None,
    /// `Authorization: Bearer <key>`.
    Header,
    /// The header, and the key as the `token` field of the JSON body (`tokens/attenuate`).
    HeaderAndBodyToken,
}

/// One request. Deliberately no `Debug`: `authorization` and `body` may carry the key.
#[derive(Clone)]
pub struct HttpRequest {
    pub method: Method,
    /// Always built from an [`ApiBase`](crate::api::base::ApiBase).
    pub url: String,
    /// Non-secret headers (`accept`, `content-type`).
    pub headers: Vec<(&'static str, String)>,
    /// The whole `Authorization` header value (`Bearer …`): the only header that carries the key.
    pub authorization: Option<SecretString>,
    /// A JSON body; secret because an attenuation request carries the parent token.
    pub body: Option<SecretBytes>,
    /// Give up on this try after this long.
    pub timeout: Duration,
    pub key_use: KeyUse,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    /// `x-request-id`, what Foundry support asks for.
    pub request_id: Option<String>,
    /// The raw `Retry-After` header.
    pub retry_after: Option<String>,
    pub body: Vec<u8>,
}

/// A response body may carry a new token (shown once, then only in the keyring): every body is
/// zeroized when its response is dropped.
impl Drop for HttpResponse {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.body);
    }
}

impl HttpResponse {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// `Retry-After` in seconds. The HTTP-date form is not used by Foundry and is ignored
    /// (the client then falls back to its own backoff).
    pub fn retry_after(&self) -> Option<Duration> {
        let text = self.retry_after.as_deref()?.trim();
        text.parse::<u64>().ok().map(Duration::from_secs)
    }
}

/// Why no response arrived.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// Could not connect, the connection dropped, or the browser blocked the request.
    #[error("network failure: {0:?}")]
    Network(NetworkFailure),
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// Cancelled through the [`CancelToken`].
    #[error("aborted")]
    Aborted,
    /// The server answered with a redirect, which is never followed: a followed 307/308 would
    /// carry the `Authorization` header and an attenuate body (which holds the key) to wherever
    /// it points. The browser hides an unfollowed redirect's status and headers.
    #[error("redirect refused")]
    Redirected,
    /// The key agent refused to send it: the key's base is not one this page may reach (its
    /// `connect-src`), or the path is not under it. Nothing was sent.
    #[error("not allowed")]
    Refused,
}

/// What a transport could find out about a network failure. A browser reports the same
/// `TypeError` for "offline", "server down" and "blocked by CORS"; the browser transport
/// probes to tell them apart, and says so when it cannot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkFailure {
    /// The browser says it has no network connection.
    Offline,
    /// A credential-less `no-cors` probe of the health endpoint got an answer, so the server is
    /// reachable and the browser refused this page the real response: CORS, most likely.
    CorsBlocked,
    /// The probe failed too: the server (or the path to it) is down, or something (a firewall,
    /// an extension, a wrong address) stops every request.
    Unreachable,
    /// No diagnosis was possible (no probe, or the probe itself was cut short).
    Unknown,
    /// The probe found the server answering, which alone reads as CORS, but this page has had
    /// this kind of request answered before: the connection was lost before the answer (or the
    /// API has since stopped allowing this page). Only the page's side of the key agent says
    /// this (src/vault/agent/transport.rs): the agent cannot know what the page was answered.
    Lost,
}

/// Sends requests. Implementations must resolve with [`TransportError::Aborted`] promptly once
/// `cancel` fires, aborting the underlying request, and with `Timeout` after `request.timeout`.
pub trait Transport {
    fn send<'a>(
        &'a self,
        request: HttpRequest,
        cancel: &'a CancelToken,
    ) -> LocalBoxFuture<'a, Result<HttpResponse, TransportError>>;
}

/// Time and sleeping, abstracted so tests check exact delays and the browser uses its timers.
pub trait Clock {
    /// Monotonic time since an arbitrary origin.
    fn now(&self) -> Duration;
    fn sleep(&self, duration: Duration) -> LocalBoxFuture<'static, ()>;
}

/// A uniformly random number in `[0, 1)` for backoff jitter.
pub type Jitter = std::sync::Arc<dyn Fn() -> f64 + Send + Sync>;

/// Jitter from the operating system / `crypto.getRandomValues`. If no randomness is available
/// it answers 1.0: the longest delay is the safe side for a struggling server.
pub fn system_jitter() -> f64 {
    let mut bytes = [0u8; 4];
    match getrandom::fill(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0),
        Err(_) => 1.0,
    }
}
