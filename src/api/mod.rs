//! Foundry API models, errors and the typed client.
//!
//! - [`base`]: the validated base URL; the only place URLs come from.
//! - [`transport`]: the HTTP trait the client runs on (browser `fetch`, or a fake in tests).
//! - [`client`]: [`FoundryClient`], one method per endpoint.
//! - [`error`]: [`ApiError`], every failure with a title, advice and the request id.
//! - [`retry`], [`cancel`], [`paging`], [`listing`]: retries, cancellation, all-pages fetches,
//!   and the server-or-client-side listing modes.
//! - [`rows`], [`evaluate`]: a token as a row of the list grammar, and a [`ListQuery`]
//!   evaluated over tokens in memory when a server ignores its filter and sort.

pub mod base;
#[cfg(feature = "web")]
pub mod browser;
pub mod cancel;
pub mod client;
pub mod error;
pub mod evaluate;
pub mod listing;
pub mod models;
pub mod paging;
pub mod retry;
pub mod rows;
pub mod transport;

pub use base::{ApiBase, BaseError, Endpoint, PathError};
#[cfg(feature = "web")]
pub use browser::{BrowserClock, BrowserTransport, browser_client};
pub use cancel::{CancelGuard, CancelToken};
pub use client::FoundryClient;
pub use error::{ApiError, AuthProblem};
pub use evaluate::{EvalFailure, ListQueryAt, TokenQuery};
pub use listing::{FallbackReason, ListCapabilities, ListMode, ListQuery, PageLimit};
pub use paging::{ListDescription, Listing, MAX_LISTED, PAGE_CONCURRENCY};
pub use retry::RetryPolicy;
pub use transport::{
    Clock, HttpRequest, HttpResponse, Method, NetworkFailure, Transport, TransportError,
};

#[cfg(test)]
mod tests;
