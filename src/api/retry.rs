//! Retrying reads: 429 and 5xx on GET only, a bounded number of tries within a time budget,
//! exponential backoff with full jitter, `Retry-After` honoured, cancellable at any point.
//!
//! POSTs are never retried: attenuating twice would mint two tokens, and a repeated revoke
//! would report `children_revoked: 0` and hide what the first call did.

use crate::api::cancel::CancelToken;
use crate::api::transport::{
    Clock, HttpRequest, HttpResponse, Jitter, Method, Transport, TransportError,
};
use futures::future::{Either, select};
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all, the first included.
    pub max_tries: u32,
    /// Wall time for all tries and waits together.
    pub budget: Duration,
    /// The backoff ceiling before the first retry; doubled for each further retry.
    pub base_delay: Duration,
    /// The backoff ceiling never exceeds this.
    pub max_delay: Duration,
    /// The longest a single try may take (cut to what is left of the budget).
    pub request_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_tries: 3,
            budget: Duration::from_secs(30),
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            request_timeout: Duration::from_secs(15),
        }
    }
}

impl RetryPolicy {
    /// The backoff ceiling before retry number `retry` (0 for the first retry).
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 2u32.checked_pow(retry).unwrap_or(u32::MAX);
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// Full jitter: uniform in `[0, ceiling]`; `jitter` is a sample from `[0, 1)`.
    pub fn backoff(&self, retry: u32, jitter: f64) -> Duration {
        let jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            1.0
        };
        self.ceiling(retry).mul_f64(jitter)
    }
}

/// The wait before the next try, or `None` to stop and report this response.
fn next_delay(
    policy: &RetryPolicy,
    method: Method,
    response: &HttpResponse,
    tries_done: u32,
    elapsed: Duration,
    jitter: &Jitter,
) -> Option<Duration> {
    let retryable_status = response.status == 429 || (500..=599).contains(&response.status);
    if method != Method::Get || !retryable_status || tries_done >= policy.max_tries {
        return None;
    }
    let delay = match response.retry_after() {
        Some(asked) => asked,
        None => policy.backoff(tries_done - 1, jitter()),
    };
    // Waiting past the budget would only end in a late failure: report now, carrying the
    // server's Retry-After so the UI can say when to come back.
    (elapsed.saturating_add(delay) < policy.budget).then_some(delay)
}

/// Sends `request`, retrying as the policy allows. Returns the last response (which may be an
/// error status for the caller to map) or the transport failure.
pub(crate) async fn send_with_retries<T: Transport + ?Sized>(
    transport: &T,
    clock: &dyn Clock,
    jitter: &Jitter,
    policy: &RetryPolicy,
    cancel: &CancelToken,
    request: HttpRequest,
) -> Result<HttpResponse, TransportError> {
    let started = clock.now();
    let mut tries = 0u32;
    let mut last: Option<HttpResponse> = None;
    loop {
        if cancel.is_cancelled() {
            return Err(TransportError::Aborted);
        }
        let elapsed = clock.now().saturating_sub(started);
        let remaining = policy.budget.saturating_sub(elapsed);
        if remaining.is_zero() {
            // A timer that overslept the budget (a throttled background tab): report what the
            // server last said rather than trying past the budget.
            return last.ok_or(TransportError::Timeout(policy.budget));
        }
        let mut this_try = request.clone();
        this_try.timeout = policy.request_timeout.min(remaining);
        tries += 1;
        let response = transport.send(this_try, cancel).await?;
        let elapsed = clock.now().saturating_sub(started);
        let Some(delay) = next_delay(policy, request.method, &response, tries, elapsed, jitter)
        else {
            return Ok(response);
        };
        last = Some(response);
        let sleep = clock.sleep(delay);
        let cancelled = cancel.cancelled();
        if let Either::Right(_) = select(sleep, cancelled).await {
            return Err(TransportError::Aborted);
        }
    }
}
