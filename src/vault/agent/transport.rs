//! The API client's transport in the page: every request goes to the key agent, which adds
//! the key and sends it to the base the key is bound to. The page's client is
//! [`FoundryClient::delegated`](crate::api::client::FoundryClient::delegated): it has no key.

use super::link::{AgentLink, FetchFailure};
use super::protocol::{FetchSpec, KeyRef, path_under};
use crate::api::base::ApiBase;
use crate::api::cancel::CancelToken;
use crate::api::transport::{
    HttpRequest, HttpResponse, KeyUse, NetworkFailure, Transport, TransportError,
};
use futures::FutureExt;
use futures::future::LocalBoxFuture;
use std::cell::RefCell;

thread_local! {
    /// The kinds of request ([`cors_shape`]) an API has answered in this page. A browser decides
    /// CORS by the page's origin, the API's origin, the method and the header names, so a kind
    /// answered once is not refused by CORS later (unless the API changes its settings): its
    /// failure is a lost connection, not a refusal. Page-wide, as CORS is: every instance on a
    /// host page shares its origin.
    static ANSWERED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// What CORS looks at in a request: the API's origin, the method, whether the key's header is
/// sent, and the other header names.
fn cors_shape(base: &ApiBase, request: &HttpRequest) -> String {
    let mut shape = format!(
        "{} {} {}",
        base.origin(),
        request.method.as_str(),
        request.key_use != KeyUse::None
    );
    for (name, _) in &request.headers {
        shape.push(' ');
        shape.push_str(name);
    }
    shape
}

pub struct AgentTransport {
    link: AgentLink,
    base: ApiBase,
    key: KeyRef,
}

impl AgentTransport {
    /// Requests under `base` with `key`; the agent sends them to the base the key is bound to,
    /// and refuses any whose URL is not under it.
    pub fn new(link: AgentLink, base: ApiBase, key: KeyRef) -> Self {
        Self { link, base, key }
    }
}

impl Transport for AgentTransport {
    fn send<'a>(
        &'a self,
        request: HttpRequest,
        cancel: &'a CancelToken,
    ) -> LocalBoxFuture<'a, Result<HttpResponse, TransportError>> {
        async move {
            let Some(path) = path_under(&self.base, &request.url) else {
                return Err(TransportError::Refused);
            };
            let spec = FetchSpec {
                key: self.key,
                method: request.method,
                path: path.to_owned(),
                headers: request
                    .headers
                    .iter()
                    .map(|(name, value)| ((*name).to_owned(), value.clone()))
                    .collect(),
                key_use: request.key_use,
                timeout_ms: u64::try_from(request.timeout.as_millis()).unwrap_or(u64::MAX),
            };
            let body = request.body.as_ref().map(|b| b.expose_secret());
            let shape = cors_shape(&self.base, &request);
            let answered = |shape: &String| ANSWERED.with_borrow(|seen| seen.contains(shape));
            match self.link.fetch(spec, body, cancel.cancelled()).await {
                // Any status: the browser let the page read it, so CORS allowed this kind.
                Ok(response) => {
                    if !answered(&shape) {
                        ANSWERED.with_borrow_mut(|seen| seen.push(shape));
                    }
                    Ok(response)
                }
                // The agent's probe found the server answering, which alone reads as CORS; but
                // this kind of request was answered before, so the connection was lost (a
                // dropped or reset connection is the same bare TypeError to a page).
                Err(FetchFailure::Transport(TransportError::Network(
                    NetworkFailure::CorsBlocked,
                ))) if answered(&shape) => Err(TransportError::Network(NetworkFailure::Lost)),
                Err(FetchFailure::Transport(error)) => Err(error),
                // Cancelled, or an agent that stopped: the request ends quietly (in the second
                // case the page locks and says why).
                Err(FetchFailure::Stopped | FetchFailure::AgentDown) => {
                    Err(TransportError::Aborted)
                }
            }
        }
        .boxed_local()
    }
}
