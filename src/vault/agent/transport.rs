//! The API client's transport in the page: every request goes to the key agent, which adds
//! the key and sends it to the base the key is bound to. The page's client is
//! [`FoundryClient::delegated`](crate::api::client::FoundryClient::delegated): it has no key.

use super::link::{AgentLink, FetchFailure};
use super::protocol::{FetchSpec, KeyRef, path_under};
use crate::api::base::ApiBase;
use crate::api::cancel::CancelToken;
use crate::api::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use futures::FutureExt;
use futures::future::LocalBoxFuture;

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
            match self.link.fetch(spec, body, cancel.cancelled()).await {
                Ok(response) => Ok(response),
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
