//! Every way a Foundry call can fail, as one type the UI can explain.
//!
//! Each variant says what happened (`title`), what to do next (`advice`) and carries the
//! request id when the API gave one. Server messages are shown as sent, minus the key (which a
//! careless server could echo) and trimmed to a readable length.

use crate::api::transport::{HttpResponse, NetworkFailure, TransportError};
use std::time::Duration;

/// Why a key was refused (401), read from the server message when it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthProblem {
    Expired,
    Revoked,
    Invalid,
    /// The server did not say why.
    Unspecified,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The browser reports no network connection.
    #[error("You are offline.")]
    Offline,
    /// No answer from the server. `confirmed`: a probe without credentials failed too; when
    /// false, the client could not tell a down server from a blocked request.
    #[error("{}", unreachable_message(origin, *confirmed))]
    Unreachable { origin: String, confirmed: bool },
    /// No answer, though the server is up and answered this kind of request in this page
    /// before ([`NetworkFailure::Lost`]).
    #[error("The connection to {origin} was lost before it answered; the API itself is up.")]
    ConnectionLost { origin: String },
    /// The key agent refused to send the request: this page may not reach `origin` (its
    /// security policy does not list it, or, on a page without one, it is neither the build's
    /// API nor the one the page was set up with). Nothing was sent.
    #[error(
        "{origin} is not an address this page may reach: it is not among the API addresses this page allows. Your key was not sent."
    )]
    NotAllowed { origin: String },
    /// The server answers, but the browser withheld its response from this page (CORS).
    #[error(
        "{origin} answers, but the browser withheld its response from this page: most likely the API \
         does not allow requests from this page's origin (CORS)."
    )]
    CorsBlocked { origin: String },
    #[error("The API did not answer within {} s.", after.as_secs())]
    Timeout { after: Duration },
    /// Cancelled (the view went away, or the user stopped it).
    #[error("The request was cancelled.")]
    Aborted,
    /// 400 (or 422): the server refused the request as sent.
    #[error("The API refused the request: {message}")]
    BadRequest {
        message: String,
        request_id: Option<String>,
    },
    /// 401: the key itself was refused.
    #[error("{}", unauthorized_message(*problem, message))]
    Unauthorized {
        problem: AuthProblem,
        message: String,
        request_id: Option<String>,
    },
    /// 403: the key is valid but lacks a right.
    #[error("{}", forbidden_message(permission.as_deref(), message))]
    Forbidden {
        permission: Option<String>,
        message: String,
        request_id: Option<String>,
    },
    #[error("Not found: {message}")]
    NotFound {
        message: String,
        request_id: Option<String>,
    },
    #[error("Conflict: {message}")]
    Conflict {
        message: String,
        request_id: Option<String>,
    },
    /// 429, after the client's own retries (or when the wait exceeds its budget).
    #[error("{}", rate_limited_message(*retry_after))]
    RateLimited {
        retry_after: Option<Duration>,
        request_id: Option<String>,
    },
    /// 5xx, after the client's own retries on reads.
    #[error("The API failed with status {status}: {message}")]
    Server {
        status: u16,
        message: String,
        request_id: Option<String>,
    },
    /// The API answered with a redirect. It is never followed, so the key went nowhere else.
    /// `status` is known only when the transport could read it (a browser hides it).
    #[error("{}", redirect_message(origin, *status))]
    Redirected {
        origin: String,
        status: Option<u16>,
        request_id: Option<String>,
    },
    /// A status this client has no meaning for (e.g. 405).
    #[error("The API answered with unexpected status {status}: {message}")]
    UnexpectedStatus {
        status: u16,
        message: String,
        request_id: Option<String>,
    },
    /// The body was not the JSON the endpoint documents.
    #[error("The API sent something unexpected (status {status}): expected {expected}; {detail}")]
    Malformed {
        status: u16,
        expected: &'static str,
        detail: String,
        request_id: Option<String>,
    },
    /// The client refused to send the request (nothing reached the server).
    #[error("Cannot send this request: {reason}.")]
    InvalidRequest { reason: &'static str },
    /// The server ignored filter/sort and the client could not apply them itself.
    #[error("The filter or sort cannot be applied: {message}")]
    QueryNotApplicable { message: String },
    /// A full listing was asked for but the API reports more rows than the client will fetch.
    #[error("The API reports {total} tokens; at most {max} can be listed here.")]
    TooManyItems {
        total: u64,
        max: u64,
        request_id: Option<String>,
    },
}

impl ApiError {
    /// What happened, in a few words (a heading).
    pub fn title(&self) -> &'static str {
        match self {
            ApiError::Offline => "You are offline",
            ApiError::Unreachable {
                confirmed: true, ..
            } => "The API is unreachable",
            ApiError::Unreachable {
                confirmed: false, ..
            } => "Could not reach the API",
            ApiError::ConnectionLost { .. } => "Connection to the API lost",
            ApiError::CorsBlocked { .. } => "Blocked by the browser (CORS)",
            ApiError::NotAllowed { .. } => "API address not allowed",
            ApiError::Timeout { .. } => "The API took too long",
            ApiError::Aborted => "Cancelled",
            ApiError::BadRequest { .. } => "Request refused",
            ApiError::Unauthorized {
                problem: AuthProblem::Expired,
                ..
            } => "This key has expired",
            ApiError::Unauthorized {
                problem: AuthProblem::Revoked,
                ..
            } => "This key was revoked",
            ApiError::Unauthorized {
                problem: AuthProblem::Invalid,
                ..
            } => "This key is not valid",
            ApiError::Unauthorized {
                problem: AuthProblem::Unspecified,
                ..
            } => "The key was refused",
            ApiError::Forbidden { .. } => "Permission missing",
            ApiError::NotFound { .. } => "Not found",
            ApiError::Conflict { .. } => "Conflict",
            ApiError::RateLimited { .. } => "Too many requests",
            ApiError::Server { .. } => "The API failed",
            ApiError::Redirected { .. } => "Redirect refused",
            ApiError::UnexpectedStatus { .. } => "Unexpected answer",
            ApiError::Malformed { .. } => "Unexpected answer",
            ApiError::TooManyItems { .. } => "Too many tokens",
            ApiError::InvalidRequest { .. } => "Cannot send this request",
            ApiError::QueryNotApplicable { .. } => "Filter cannot be applied",
        }
    }

    /// What to do next.
    pub fn advice(&self) -> String {
        match self {
            ApiError::Offline => "Reconnect to the network, then try again.".into(),
            ApiError::Unreachable { confirmed: true, .. } => {
                "Check the API address and your connection; the server may be down. Try again later.".into()
            }
            ApiError::Unreachable { confirmed: false, .. } => "Check the API address and your connection. If they \
                are right, the browser may have blocked the request (CORS): serve the app behind a same-origin \
                proxy, see the README."
                .into(),
            // Told from CORS only by what this page was answered before, so an API whose CORS
            // settings changed since reads as this until a fresh page asks again.
            ApiError::ConnectionLost { .. } => "Try again. If it keeps failing, reload the page: a fresh page checks \
                whether the browser now blocks the API (CORS)."
                .into(),
            ApiError::CorsBlocked { .. } => "Serve the app behind a same-origin proxy, see the README.".into(),
            ApiError::NotAllowed { .. } => "Use the API address this page was built for (Settings, Advanced: the API address), or ask whoever runs this page to allow this one.".into(),
            ApiError::Timeout { .. } => "Try again; if it keeps happening the API may be overloaded.".into(),
            ApiError::Aborted => "Nothing to do; start the action again if you still need it.".into(),
            ApiError::BadRequest { .. } => "Correct the request (for example the filter) and try again.".into(),
            ApiError::Unauthorized { problem: AuthProblem::Expired | AuthProblem::Revoked, .. } => {
                "Unlock another key, or get a new one at https://foundry.adaptyvbio.com/request-token.".into()
            }
            ApiError::Unauthorized { .. } => "Check the key or unlock another one.".into(),
            ApiError::Forbidden { permission: Some(p), .. } => format!("Use a key that has the {p} permission."),
            ApiError::Forbidden { permission: None, .. } => "Use a key with more permissions.".into(),
            ApiError::NotFound { .. } => "Refresh the list: it may have been removed already.".into(),
            ApiError::Conflict { .. } => "Refresh and try again.".into(),
            // Not "in N s": the panel stays on screen, and a countdown frozen at the moment the
            // answer came would soon be wrong. The message says how long the API asked for.
            ApiError::RateLimited { retry_after: Some(_), .. } => "Try again once that wait is over.".into(),
            ApiError::RateLimited { retry_after: None, .. } => "Wait a little, then try again.".into(),
            ApiError::Server { .. } => {
                "Try again later. If it persists, contact Foundry support with the request id.".into()
            }
            ApiError::Redirected { request_id, .. } => format!(
                "Your key was not sent anywhere else. Check that the API address is the Foundry API itself, \
                 not an address that forwards to it; if it is, contact Foundry support{}.",
                if request_id.is_some() { " with the request id" } else { " (the browser hides a redirect's details, so there is no request id)" }
            ),
            ApiError::UnexpectedStatus { .. } | ApiError::Malformed { .. } => {
                "Check that the API address points at the Foundry API. If it does, contact Foundry support \
                 with the request id."
                    .into()
            }
            ApiError::TooManyItems { .. } => "Narrow the filter so fewer tokens match.".into(),
            ApiError::InvalidRequest { .. } => "Correct the input and try again.".into(),
            ApiError::QueryNotApplicable { .. } => "Correct the filter or sort and try again.".into(),
        }
    }

    /// The id Foundry support asks for, when the API gave one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            ApiError::BadRequest { request_id, .. }
            | ApiError::Unauthorized { request_id, .. }
            | ApiError::Forbidden { request_id, .. }
            | ApiError::NotFound { request_id, .. }
            | ApiError::Conflict { request_id, .. }
            | ApiError::RateLimited { request_id, .. }
            | ApiError::Server { request_id, .. }
            | ApiError::Redirected { request_id, .. }
            | ApiError::UnexpectedStatus { request_id, .. }
            | ApiError::Malformed { request_id, .. }
            | ApiError::TooManyItems { request_id, .. } => request_id.as_deref(),
            ApiError::Offline
            | ApiError::Unreachable { .. }
            | ApiError::ConnectionLost { .. }
            | ApiError::CorsBlocked { .. }
            | ApiError::NotAllowed { .. }
            | ApiError::Timeout { .. }
            | ApiError::Aborted
            | ApiError::InvalidRequest { .. }
            | ApiError::QueryNotApplicable { .. } => None,
        }
    }

    /// Whether the same request may succeed if tried again later (a "Try again" button).
    /// The client retries by itself only 429 and 5xx on reads; see `retry.rs`.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ApiError::Offline
                | ApiError::Unreachable { .. }
                | ApiError::ConnectionLost { .. }
                | ApiError::Timeout { .. }
                | ApiError::Aborted
                | ApiError::RateLimited { .. }
                | ApiError::Server { .. }
        )
    }

    /// Maps a transport failure; `origin` names the server in messages.
    pub fn from_transport(error: TransportError, origin: &str) -> Self {
        match error {
            TransportError::Redirected => ApiError::Redirected {
                origin: origin.to_owned(),
                status: None,
                request_id: None,
            },
            TransportError::Aborted => ApiError::Aborted,
            TransportError::Refused => ApiError::NotAllowed {
                origin: origin.to_owned(),
            },
            TransportError::Timeout(after) => ApiError::Timeout { after },
            TransportError::Network(NetworkFailure::Offline) => ApiError::Offline,
            TransportError::Network(NetworkFailure::CorsBlocked) => ApiError::CorsBlocked {
                origin: origin.to_owned(),
            },
            TransportError::Network(NetworkFailure::Unreachable) => ApiError::Unreachable {
                origin: origin.to_owned(),
                confirmed: true,
            },
            TransportError::Network(NetworkFailure::Unknown) => ApiError::Unreachable {
                origin: origin.to_owned(),
                confirmed: false,
            },
            TransportError::Network(NetworkFailure::Lost) => ApiError::ConnectionLost {
                origin: origin.to_owned(),
            },
        }
    }

    /// Maps a non-2xx response. `key` is only used to scrub it from server text. A 3xx is a
    /// refused redirect (transports never follow one); `origin` names the server then.
    pub fn from_status(response: &HttpResponse, key: &str, origin: &str) -> Self {
        let words = ServerWords::read(&response.body);
        // The body's id wins: it is what the server logged; the header is the fallback for
        // bodies without one (April's `{error}`, a proxy's page, an empty 502).
        let request_id = words.request_id.or_else(|| response.request_id.clone());
        let message = match &words.message {
            Some(text) => clean_message(text, key),
            None => fallback_message(response.status, words.html),
        };
        // September: rate limiting on experiment submission shows as 409 with this kind.
        if words.kind.as_deref() == Some("rate_limited") {
            return ApiError::RateLimited {
                retry_after: response.retry_after(),
                request_id,
            };
        }
        let status = response.status;
        match status {
            300..=399 => ApiError::Redirected {
                origin: origin.to_owned(),
                status: Some(status),
                request_id,
            },
            400 | 422 => ApiError::BadRequest {
                message,
                request_id,
            },
            401 => ApiError::Unauthorized {
                problem: auth_problem(&message),
                message,
                request_id,
            },
            403 => ApiError::Forbidden {
                permission: missing_permission(&message),
                message,
                request_id,
            },
            404 => ApiError::NotFound {
                message,
                request_id,
            },
            409 => ApiError::Conflict {
                message,
                request_id,
            },
            429 => ApiError::RateLimited {
                retry_after: response.retry_after(),
                request_id,
            },
            500..=599 => ApiError::Server {
                status,
                message,
                request_id,
            },
            _ => ApiError::UnexpectedStatus {
                status,
                message,
                request_id,
            },
        }
    }

    /// A 2xx body that did not decode as `expected`.
    pub fn malformed(
        response: &HttpResponse,
        expected: &'static str,
        error: &serde_json::Error,
        key: &str,
    ) -> Self {
        // serde's message names the field or type at fault; it can quote a value from the
        // body, hence the scrubbing.
        ApiError::Malformed {
            status: response.status,
            expected,
            detail: clean_message(&error.to_string(), key),
            request_id: response.request_id.clone(),
        }
    }
}

const MAX_MESSAGE_CHARS: usize = 300;

/// Removes the key (should a server echo it), control characters, and excess length.
fn clean_message(text: &str, key: &str) -> String {
    let scrubbed = if key.is_empty() {
        text.to_owned()
    } else {
        text.replace(key, "[key]")
    };
    let mut cleaned: String = scrubbed
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_MESSAGE_CHARS)
        .collect();
    if scrubbed.chars().count() > MAX_MESSAGE_CHARS {
        cleaned.push('…');
    }
    let trimmed = cleaned.trim();
    if trimmed.is_empty() {
        "(no message)".to_owned()
    } else {
        trimmed.to_owned()
    }
}

fn fallback_message(status: u16, html: bool) -> String {
    if html {
        format!("status {status} with a web page instead of the API's error body")
    } else {
        format!("status {status} without a message")
    }
}

/// What an error body says, in every form the API has been seen to send: the July envelope
/// `{error, request_id}`, April's `{error}` alone, `{message}` or `{detail}` (which Foundry's own
/// SDK also reads; `detail` may be FastAPI's list of `{msg}`), `{error: {message}}`, or no JSON
/// at all (a proxy's plain text or HTML page). Nothing here is required.
#[derive(Debug, Default, PartialEq, Eq)]
struct ServerWords {
    message: Option<String>,
    request_id: Option<String>,
    /// `error_kind`, e.g. `rate_limited`.
    kind: Option<String>,
    /// The body was a web page: its text is markup, not words for a person.
    html: bool,
}

impl ServerWords {
    fn read(body: &[u8]) -> Self {
        match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(serde_json::Value::Object(fields)) => {
                let text = |name: &str| fields.get(name).and_then(words_of);
                ServerWords {
                    message: text("error")
                        .or_else(|| text("message"))
                        .or_else(|| text("detail")),
                    request_id: fields
                        .get("request_id")
                        .and_then(serde_json::Value::as_str)
                        .filter(|id| !id.trim().is_empty())
                        .map(str::to_owned),
                    kind: fields
                        .get("error_kind")
                        .and_then(serde_json::Value::as_str)
                        .map(str::to_owned),
                    html: false,
                }
            }
            Ok(other) => ServerWords {
                message: words_of(&other),
                ..ServerWords::default()
            },
            Err(_) => {
                let text = String::from_utf8_lossy(body);
                let text = text.trim();
                let lower = text
                    .get(..text.len().min(200))
                    .unwrap_or("")
                    .to_ascii_lowercase();
                let html = lower.starts_with('<')
                    && (lower.contains("<html")
                        || lower.contains("<!doctype")
                        || lower.contains("<body"));
                ServerWords {
                    message: (!html && !text.is_empty()).then(|| text.to_owned()),
                    html,
                    ..ServerWords::default()
                }
            }
        }
    }
}

/// The words in one field of an error body: a string, FastAPI's `[{msg, loc}]`, or an object
/// with its own `message` / `msg`.
fn words_of(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    let words = match value {
        Value::String(text) => text.clone(),
        Value::Array(items) => items
            .iter()
            .filter_map(|item| match item {
                Value::Object(fields) => {
                    let msg = fields
                        .get("msg")
                        .or_else(|| fields.get("message"))?
                        .as_str()?;
                    let at: Vec<String> = fields
                        .get("loc")
                        .and_then(Value::as_array)
                        .map(|loc| {
                            loc.iter()
                                .map(|part| match part {
                                    Value::String(s) => s.clone(),
                                    other => other.to_string(),
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    Some(if at.is_empty() {
                        msg.to_owned()
                    } else {
                        format!("{}: {msg}", at.join("."))
                    })
                }
                other => words_of(other),
            })
            .collect::<Vec<_>>()
            .join("; "),
        Value::Object(fields) => {
            return fields
                .get("message")
                .or_else(|| fields.get("msg"))
                .and_then(words_of);
        }
        _ => return None,
    };
    (!words.trim().is_empty()).then_some(words)
}

fn auth_problem(message: &str) -> AuthProblem {
    let lower = message.to_ascii_lowercase();
    if lower.contains("revoked") {
        AuthProblem::Revoked
    } else if lower.contains("expired") {
        AuthProblem::Expired
    } else if [
        "invalid",
        "malformed",
        "signature",
        "unknown token",
        "could not parse",
        "not a valid",
    ]
    .iter()
    .any(|word| lower.contains(word))
    {
        AuthProblem::Invalid
    } else {
        AuthProblem::Unspecified
    }
}

/// The first `resource:action` word in a 403 message, e.g. `token:revoke`.
fn missing_permission(message: &str) -> Option<String> {
    message
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .find(|word| match word.split_once(':') {
            Some((resource, action)) => {
                let part = |s: &str| {
                    !s.is_empty()
                        && s.chars()
                            .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
                };
                part(resource) && part(action)
            }
            None => false,
        })
        .map(str::to_owned)
}

fn redirect_message(origin: &str, status: Option<u16>) -> String {
    let answer = match status {
        Some(status) => format!("a redirect (status {status})"),
        None => "a redirect".to_owned(),
    };
    format!(
        "{origin} answered with {answer}. Foundry Keyring never follows redirects, so the request stopped there."
    )
}

fn unreachable_message(origin: &str, confirmed: bool) -> String {
    if confirmed {
        format!("Could not reach {origin}: the server did not answer.")
    } else {
        format!(
            "Could not reach {origin}. The browser does not say whether the server is down or it blocked the request."
        )
    }
}

fn unauthorized_message(problem: AuthProblem, message: &str) -> String {
    let what = match problem {
        AuthProblem::Expired => "The key has expired",
        AuthProblem::Revoked => "The key was revoked",
        AuthProblem::Invalid => "The key is not valid",
        AuthProblem::Unspecified => "The key was refused",
    };
    format!("{what} ({message}).")
}

fn forbidden_message(permission: Option<&str>, message: &str) -> String {
    match permission {
        Some(p) => format!("The key lacks the {p} permission ({message})."),
        None => format!("The key is not allowed to do this ({message})."),
    }
}

fn rate_limited_message(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(after) => format!(
            "The API is rate limiting this key; it asks to wait {} s.",
            after.as_secs()
        ),
        None => "The API is rate limiting this key.".to_owned(),
    }
}
