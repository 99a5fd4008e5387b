//! Errors as the API returns them, with an `x-request-id: req_<uuid>` header on every response
//! (success too). The body takes the form in force ([`ErrorForm`]): by default the variant's own
//! (`{ "error": string, "request_id": "req_<uuid>" }`, or `{ "error": string }` in April), or
//! one fixed by `--error-body` / `POST /__control/error-body`: `{message, request_id}`,
//! `{detail, request_id}`, or the message alone as `text/plain`.
//!
//! Handlers return [`ApiError`]; it does not know the request id, so it leaves its message in
//! a response extension and [`request_id`] (the outermost middleware that sees every request)
//! renders the body. Responses axum makes itself (404 fallback, 405, a rejected extractor) and
//! injected faults get the same treatment there, so no error leaves the double in another form.

use crate::state::{AppState, ErrorForm};
use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// `req_<uuid v7>`, made once per request and readable by handlers as an extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

impl RequestId {
    pub fn new() -> Self {
        Self(format!("req_{}", uuid::Uuid::now_v7()))
    }
}

impl Default for RequestId {
    fn default() -> Self {
        Self::new()
    }
}

/// An error response: status, message, and a Retry-After when the status invites a retry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status}: {message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub retry_after: Option<u64>,
}

/// The message of an error response, waiting for [`request_id`] to wrap it.
#[derive(Debug, Clone)]
struct ErrorMessage(String);

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            retry_after: None,
        }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }
    /// For failures of the double itself (a Biscuit that will not build); the detail is logged
    /// on stderr, the client sees a generic message, as a production API would do.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        eprintln!("foundry-double: internal error: {detail}");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal server error")
    }
    pub fn with_retry_after(mut self, seconds: Option<u64>) -> Self {
        self.retry_after = seconds;
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response.extensions_mut().insert(ErrorMessage(self.message));
        response
    }
}

/// The JSON body of `form`, or `None` for the plain-text form.
pub fn error_json(form: ErrorForm, message: &str, request_id: &str) -> Option<Value> {
    match form {
        ErrorForm::Envelope => Some(json!({ "error": message, "request_id": request_id })),
        ErrorForm::Error => Some(json!({ "error": message })),
        ErrorForm::Message => Some(json!({ "message": message, "request_id": request_id })),
        ErrorForm::Detail => Some(json!({ "detail": message, "request_id": request_id })),
        ErrorForm::Text => None,
    }
}

fn envelope(
    form: ErrorForm,
    status: StatusCode,
    message: String,
    request_id: &RequestId,
    old: Response,
) -> Response {
    let (mut parts, _) = old.into_parts();
    let mut response = match error_json(form, &message, &request_id.0) {
        Some(body) => (status, Json(body)).into_response(),
        None => (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            message,
        )
            .into_response(),
    };
    // Keep what the error set (Retry-After); the new body brings its own content type/length.
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in parts.headers.iter() {
        response.headers_mut().insert(name.clone(), value.clone());
    }
    response.extensions_mut().extend(parts.extensions);
    response
}

/// Middleware: gives the request its id, renders error bodies in the form in force (read when
/// the response is made, so a switch applies from the next response on), sets `x-request-id`.
pub async fn request_id(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let id = RequestId::new();
    request.extensions_mut().insert(id.clone());
    let mut response = next.run(request).await;
    let status = response.status();
    if let Some(ErrorMessage(message)) = response.extensions_mut().remove::<ErrorMessage>() {
        response = envelope(state.error_form(), status, message, &id, response);
    } else if (status.is_client_error() || status.is_server_error()) && !is_json(&response) {
        let message = status.canonical_reason().unwrap_or("error").to_lowercase();
        response = envelope(state.error_form(), status, message, &id, response);
    }
    if let Ok(value) = HeaderValue::from_str(&id.0) {
        response.headers_mut().insert(X_REQUEST_ID, value);
    }
    response
}

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}
