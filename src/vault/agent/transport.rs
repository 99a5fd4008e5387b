//! The API client's transport in the page: every request goes to the key agent, which adds
//! the key and sends it to the base the key is bound to. The page's client is
//! [`FoundryClient::delegated`](crate::api::client::FoundryClient::delegated): it has no key.

use super::link::AgentLink;
use super::protocol::{FetchSpec, KeyRef, Op, Reply, path_under};
use crate::api::base::ApiBase;
use crate::api::cancel::CancelToken;
use crate::api::transport::{HttpRequest, HttpResponse, NetworkFailure, Transport, TransportError};
use futures::FutureExt;
use futures::future::{Either, LocalBoxFuture, select};

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
            let number = self.link.next_request();
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
            let call = self.link.call(
                Op::Fetch {
                    request: number,
                    spec,
                },
                &[],
                body,
            );
            let answer = match select(Box::pin(call), Box::pin(cancel.cancelled())).await {
                Either::Left((answer, _)) => answer,
                Either::Right(_) => {
                    self.link.send_only(&Op::Abort { request: number });
                    return Err(TransportError::Aborted);
                }
            };
            // An agent that stopped ends the request quietly: the page locks and says why.
            let Ok(answer) = answer else {
                return Err(TransportError::Aborted);
            };
            match answer.reply {
                Reply::Response {
                    status,
                    request_id,
                    retry_after,
                } => Ok(HttpResponse {
                    status,
                    request_id,
                    retry_after,
                    body: answer
                        .payload
                        .map(|p| p.expose_secret().to_vec())
                        .unwrap_or_default(),
                }),
                Reply::TransportFailed { error } => Err(error.into()),
                _ => Err(TransportError::Network(NetworkFailure::Unknown)),
            }
        }
        .boxed_local()
    }
}
