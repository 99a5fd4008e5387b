//! Fault injection for tests: the next N matching API requests fail in a chosen way.
//!
//! Faults never touch `/__control/` requests or CORS preflights (a preflight consuming the
//! fault would let the real request through, which is not what a test means).

use crate::error::ApiError;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// The statuses a `status` fault may answer with.
pub const FAULT_STATUSES: [u16; 8] = [401, 403, 404, 409, 429, 500, 502, 503];
/// The statuses a `redirect` fault may answer with: the two that make a client send the same
/// method and body again to the new location, which is how a redirect carries a key away.
pub const REDIRECT_STATUSES: [u16; 2] = [307, 308];
/// The longest `slow` delay accepted: enough to trip any client timeout, short enough that a
/// forgotten fault cannot hang a test run.
pub const MAX_DELAY_MS: u64 = 60_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// An error envelope with this status (and Retry-After for 429, or when given).
    Status {
        status: u16,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
    },
    /// Close the connection without any response.
    Drop,
    /// Wait `delay_ms`, then answer normally.
    Slow { delay_ms: u64 },
    /// 200 with a body that is not valid JSON.
    Malformed,
    /// `status` (307 or 308) with `Location: <location>` and an empty body, as the real API's
    /// `GET /invoices/{id}/pdf` answers with a 307 to another host.
    Redirect { status: u16, location: String },
    /// 200 with this JSON body, as given: a shape another API version may send (a state or a
    /// field this double never writes), to see the client read it.
    Json { body: serde_json::Value },
}

/// `POST /__control/faults` body: `{"kind":"status","status":429,"retry_after":2,"count":1,"path":"/api/v1/tokens"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    #[serde(flatten)]
    pub kind: FaultKind,
    /// How many matching requests it applies to (default 1).
    #[serde(default = "one")]
    pub count: u32,
    /// Only requests to exactly this path (default: every API path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

fn one() -> u32 {
    1
}

impl Fault {
    pub fn validate(&self) -> Result<(), String> {
        if self.count == 0 {
            return Err("count must be at least 1".into());
        }
        match &self.kind {
            FaultKind::Status { status, .. } if !FAULT_STATUSES.contains(status) => {
                Err(format!("status must be one of {FAULT_STATUSES:?}"))
            }
            FaultKind::Slow { delay_ms } if *delay_ms > MAX_DELAY_MS => {
                Err(format!("delay_ms must be at most {MAX_DELAY_MS}"))
            }
            FaultKind::Redirect { status, .. } if !REDIRECT_STATUSES.contains(status) => Err(
                format!("a redirect status must be one of {REDIRECT_STATUSES:?}"),
            ),
            FaultKind::Redirect { location, .. } if !is_absolute_http_url(location) => {
                Err("location must be an absolute http:// or https:// URL".into())
            }
            _ => Ok(()),
        }
    }
}

/// A scheme of http or https and a host: what a browser would follow to another origin. A
/// parsed `Uri` is also a valid header value, so the `Location` header cannot fail later.
fn is_absolute_http_url(location: &str) -> bool {
    location.parse::<Uri>().is_ok_and(|uri| {
        matches!(uri.scheme_str(), Some("http" | "https"))
            && uri.host().is_some_and(|host| !host.is_empty())
    })
}

#[derive(Debug, Default)]
pub struct FaultBook(Mutex<Vec<Fault>>);

impl FaultBook {
    fn lock(&self) -> MutexGuard<'_, Vec<Fault>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn push(&self, fault: Fault) {
        self.lock().push(fault);
    }

    pub fn list(&self) -> Vec<Fault> {
        self.lock().clone()
    }

    pub fn clear(&self) -> usize {
        let mut faults = self.lock();
        let n = faults.len();
        faults.clear();
        n
    }

    /// Takes one use of the first fault that matches `path`, in the order they were queued.
    pub fn take(&self, path: &str) -> Option<FaultKind> {
        let mut faults = self.lock();
        let index = faults
            .iter()
            .position(|f| f.path.as_deref().is_none_or(|p| p == path))?;
        let fault = faults.get_mut(index)?;
        fault.count -= 1;
        let kind = fault.kind.clone();
        if fault.count == 0 {
            faults.remove(index);
        }
        Some(kind)
    }
}

/// Marks a response whose connection `server::serve` must close without writing it.
#[derive(Debug, Clone, Copy)]
pub struct DropConnection;

fn status_message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "invalid or missing authentication token",
        403 => "insufficient permissions",
        404 => "not found",
        409 => "conflict",
        429 => "too many requests, retry later",
        502 => "bad gateway",
        503 => "service unavailable",
        _ => "internal server error",
    }
}

/// Middleware: applies the next matching fault, if any.
pub async fn inject(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if crate::routes::control::is_control(&path) || request.method() == Method::OPTIONS {
        return next.run(request).await;
    }
    match state.0.faults.take(&path) {
        None => next.run(request).await,
        Some(FaultKind::Slow { delay_ms }) => {
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
            next.run(request).await
        }
        Some(FaultKind::Status {
            status,
            retry_after,
        }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            // Foundry's SDK honours Retry-After on 429: always send one there.
            let retry_after = if status == StatusCode::TOO_MANY_REQUESTS {
                retry_after.or(Some(1))
            } else {
                retry_after
            };
            ApiError::new(status, status_message(status))
                .with_retry_after(retry_after)
                .into_response()
        }
        Some(FaultKind::Malformed) => (
            [(header::CONTENT_TYPE, "application/json")],
            Body::from(r#"{"items":[{"id":"#),
        )
            .into_response(),
        Some(FaultKind::Redirect { status, location }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::TEMPORARY_REDIRECT);
            match HeaderValue::try_from(location) {
                Ok(location) => (status, [(header::LOCATION, location)]).into_response(),
                // validate() parsed it as a URI, which is always a valid header value.
                Err(e) => ApiError::internal(format!("redirect location: {e}")).into_response(),
            }
        }
        Some(FaultKind::Json { body }) => axum::Json(body).into_response(),
        Some(FaultKind::Drop) => {
            let mut response = StatusCode::OK.into_response();
            response.extensions_mut().insert(DropConnection);
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_fault_carries_its_body_as_given() {
        let fault: Fault = serde_json::from_str(
            r#"{"kind":"json","path":"/api/v1/tokens","body":{"items":[{"status":"suspended"}]}}"#,
        )
        .unwrap();
        assert_eq!(fault.validate(), Ok(()));
        assert_eq!(
            fault.kind,
            FaultKind::Json {
                body: serde_json::json!({"items": [{"status": "suspended"}]})
            }
        );
    }

    #[test]
    fn faults_are_taken_in_order_and_used_up() {
        let book = FaultBook::default();
        let only_tokens: Fault = serde_json::from_str(
            r#"{"kind":"status","status":503,"count":2,"path":"/api/v1/tokens"}"#,
        )
        .unwrap();
        book.push(only_tokens);
        book.push(serde_json::from_str(r#"{"kind":"drop"}"#).unwrap());
        assert_eq!(book.take("/api/v1/whoami"), Some(FaultKind::Drop));
        assert_eq!(book.take("/api/v1/whoami"), None);
        let status = Some(FaultKind::Status {
            status: 503,
            retry_after: None,
        });
        assert_eq!(book.take("/api/v1/tokens"), status);
        assert_eq!(book.take("/api/v1/tokens"), status);
        assert_eq!(book.take("/api/v1/tokens"), None);
    }

    #[test]
    fn validation() {
        let fault = |json: &str| serde_json::from_str::<Fault>(json).unwrap().validate();
        assert!(fault(r#"{"kind":"status","status":429,"retry_after":2}"#).is_ok());
        assert!(fault(r#"{"kind":"status","status":200}"#).is_err());
        assert!(fault(r#"{"kind":"drop","count":0}"#).is_err());
        assert!(fault(r#"{"kind":"slow","delay_ms":100}"#).is_ok());
        assert!(serde_json::from_str::<Fault>(r#"{"kind":"slow"}"#).is_err());
        let redirect = |status: u16, location: &str| {
            fault(
                &serde_json::json!({"kind": "redirect", "status": status, "location": location})
                    .to_string(),
            )
        };
        assert!(redirect(307, "https://elsewhere.example/collect").is_ok());
        assert!(redirect(308, "http://127.0.0.1:9/api/v1/tokens/attenuate?x=1").is_ok());
        for status in [301, 302, 303, 200, 400] {
            assert!(
                redirect(status, "https://elsewhere.example/").is_err(),
                "{status}"
            );
        }
        for location in [
            "/api/v1/tokens",
            "//elsewhere.example/",
            "elsewhere.example:443",
            "ftp://elsewhere.example/",
            "javascript:alert(1)",
            "data:text/plain,x",
            "https://",
            "https://elsewhere.example/\r\nset-cookie: x=1",
            "",
        ] {
            assert!(redirect(307, location).is_err(), "{location:?}");
        }
    }
}
