//! The typed Foundry client: one method per endpoint, errors as [`ApiError`].

use crate::api::base::{ApiBase, Endpoint};
use crate::api::cancel::CancelToken;
use crate::api::error::ApiError;
use crate::api::listing::{ListCapabilities, ListQuery};
use crate::api::models::{
    AttenuateRequest, AttenuateResponse, AttenuationSpec, Health, Page, RevokeResponse, Token,
    WhoAmI,
};
use crate::api::retry::{RetryPolicy, send_with_retries};
use crate::api::transport::{
    Clock, HttpRequest, HttpResponse, Jitter, KeyUse, Method, Transport, system_jitter,
};
use crate::secret::{SecretBytes, SecretString};
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Duration;

/// A client for one base URL and one key. Cheap to clone; clones share the transport.
///
/// Without a key ([`FoundryClient::delegated`]) the transport adds it: the page's client asks
/// the key agent, which holds the key, and says with [`KeyUse`] where the key goes.
pub struct FoundryClient<T: Transport> {
    base: ApiBase,
    key: Option<SecretString>,
    transport: Arc<T>,
    clock: Arc<dyn Clock + Send + Sync>,
    jitter: Jitter,
    policy: RetryPolicy,
    cancel: CancelToken,
}

impl<T: Transport> Clone for FoundryClient<T> {
    fn clone(&self) -> Self {
        Self {
            base: self.base.clone(),
            key: self.key.clone(),
            transport: Arc::clone(&self.transport),
            clock: Arc::clone(&self.clock),
            jitter: Arc::clone(&self.jitter),
            policy: self.policy.clone(),
            cancel: self.cancel.clone(),
        }
    }
}

impl<T: Transport> FoundryClient<T> {
    pub fn new(
        base: ApiBase,
        key: SecretString,
        transport: T,
        clock: Arc<dyn Clock + Send + Sync>,
    ) -> Self {
        Self::with_key(base, Some(key), transport, clock)
    }

    /// A client whose transport holds the key (the key agent's).
    pub fn delegated(base: ApiBase, transport: T, clock: Arc<dyn Clock + Send + Sync>) -> Self {
        Self::with_key(base, None, transport, clock)
    }

    fn with_key(
        base: ApiBase,
        key: Option<SecretString>,
        transport: T,
        clock: Arc<dyn Clock + Send + Sync>,
    ) -> Self {
        Self {
            base,
            key,
            transport: Arc::new(transport),
            clock,
            jitter: Arc::new(system_jitter),
            policy: RetryPolicy::default(),
            cancel: CancelToken::new(),
        }
    }

    pub fn with_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    pub fn with_jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    /// A clone whose requests and retries stop when `cancel` fires (a view's cleanup).
    pub fn with_cancel(&self, cancel: CancelToken) -> Self {
        Self {
            cancel,
            ..self.clone()
        }
    }

    pub fn base(&self) -> &ApiBase {
        &self.base
    }

    pub fn cancel_token(&self) -> &CancelToken {
        &self.cancel
    }

    /// `GET /api/v1/whoami`.
    pub async fn whoami(&self) -> Result<WhoAmI, ApiError> {
        let response = self
            .call(
                Method::Get,
                self.base.endpoint(Endpoint::WhoAmI),
                None,
                KeyUse::Header,
            )
            .await?;
        self.decode(&response, "a WhoAmI object (organizations, permissions)")
    }

    /// `GET /api/v1/info/health`, sent without the key.
    pub async fn health(&self) -> Result<Health, ApiError> {
        let response = self
            .call(
                Method::Get,
                self.base.endpoint(Endpoint::Health),
                None,
                KeyUse::None,
            )
            .await?;
        self.decode(&response, "a health object ({\"status\": …})")
    }

    /// `GET /api/v1/openapi.json`, sent without the key: whether the API's own description of
    /// `GET /api/v1/tokens` lists `filter` and `sort`. Never an error: a document that cannot
    /// be had (network, CORS, an error status) or read is [`ListCapabilities::Unknown`]. One
    /// try of at most 5 s and no retries, since it only spares requests and the listing checks
    /// what comes back anyway.
    pub async fn list_capabilities(&self) -> ListCapabilities {
        let once = self.clone().with_policy(RetryPolicy {
            max_tries: 1,
            request_timeout: self.policy.request_timeout.min(Duration::from_secs(5)),
            ..self.policy.clone()
        });
        let document = once
            .call(
                Method::Get,
                self.base.endpoint(Endpoint::OpenApi),
                None,
                KeyUse::None,
            )
            .await
            .ok()
            .and_then(|response| serde_json::from_slice(&response.body).ok());
        document.map_or(ListCapabilities::Unknown, |document| {
            ListCapabilities::from_openapi(&document)
        })
    }

    /// One page of `GET /api/v1/tokens`, as the server answers it (see `list_tokens_checked`
    /// for servers that ignore filter and sort).
    pub async fn list_tokens(&self, query: &ListQuery) -> Result<Page<Token>, ApiError> {
        let url = format!(
            "{}?{}",
            self.base.endpoint(Endpoint::Tokens),
            query.to_query_string()
        );
        let response = self.call(Method::Get, url, None, KeyUse::Header).await?;
        self.decode(&response, "a page of tokens (items, count, offset, total)")
    }

    /// `POST /api/v1/tokens/attenuate`: a new token with at most the rights in `spec`,
    /// derived from this client's key (sent as `token` in the body, as the API requires).
    pub async fn attenuate(
        &self,
        name: &str,
        spec: AttenuationSpec,
        parent_id: Option<&str>,
    ) -> Result<AttenuateResponse, ApiError> {
        let name = name.trim();
        if name.is_empty() || name.chars().any(char::is_control) {
            return Err(ApiError::InvalidRequest {
                reason: "the new token needs a name without control characters",
            });
        }
        // A delegated client sends the body without the key; the agent adds it as `token`.
        let placeholder = SecretString::default();
        let request = AttenuateRequest {
            token: self.key.as_ref().unwrap_or(&placeholder),
            name: name.to_owned(),
            attenuation: spec,
            attenuated_parent_token_id: parent_id.map(str::to_owned),
        };
        // Sized up front so the buffer holding the key is never reallocated (which would leave
        // an unwiped copy behind).
        let mut body = Vec::with_capacity(self.key_text().len() + name.len() + 2048);
        serde_json::to_writer(&mut body, &request).map_err(|_| ApiError::InvalidRequest {
            reason: "the attenuation could not be encoded as JSON",
        })?;
        let body = SecretBytes::new(body);
        let response = self
            .call(
                Method::Post,
                self.base.endpoint(Endpoint::Attenuate),
                Some(body),
                KeyUse::HeaderAndBodyToken,
            )
            .await?;
        self.decode(&response, "the new token ({\"id\": …, \"token\": …})")
    }

    /// `POST /api/v1/tokens/revoke`: revokes the root of this client's key and every
    /// attenuated descendant.
    pub async fn revoke(&self) -> Result<RevokeResponse, ApiError> {
        let response = self
            .call(
                Method::Post,
                self.base.endpoint(Endpoint::Revoke),
                None,
                KeyUse::Header,
            )
            .await?;
        // A 2xx means revoked: a body that is not the documented object (or none at all) only
        // leaves the details unknown, and must not be reported as a failure.
        Ok(serde_json::from_slice(&response.body).unwrap_or_default())
    }

    fn authorization(&self) -> Option<SecretString> {
        let key = self.key.as_ref()?;
        // Sized up front: no reallocation, so no stray copy of the key.
        let mut value = String::with_capacity(7 + key.len());
        value.push_str("Bearer ");
        value.push_str(key.expose_secret());
        Some(SecretString::new(value))
    }

    /// The key, to scrub it from messages ("" for a delegated client, which never saw it).
    fn key_text(&self) -> &str {
        self.key.as_ref().map_or("", |k| k.expose_secret())
    }

    async fn call(
        &self,
        method: Method,
        url: String,
        body: Option<SecretBytes>,
        key_use: KeyUse,
    ) -> Result<HttpResponse, ApiError> {
        let mut headers = vec![("accept", "application/json".to_owned())];
        if body.is_some() {
            headers.push(("content-type", "application/json".to_owned()));
        }
        let request = HttpRequest {
            method,
            url,
            headers,
            authorization: match key_use {
                KeyUse::None => None,
                KeyUse::Header | KeyUse::HeaderAndBodyToken => self.authorization(),
            },
            body,
            timeout: self.policy.request_timeout,
            key_use,
        };
        let response = send_with_retries(
            &*self.transport,
            &*self.clock,
            &self.jitter,
            &self.policy,
            &self.cancel,
            request,
        )
        .await
        .map_err(|error| ApiError::from_transport(error, self.base.origin()))?;
        if response.is_success() {
            Ok(response)
        } else {
            Err(ApiError::from_status(
                &response,
                self.key_text(),
                self.base.origin(),
            ))
        }
    }

    fn decode<D: DeserializeOwned>(
        &self,
        response: &HttpResponse,
        expected: &'static str,
    ) -> Result<D, ApiError> {
        serde_json::from_slice(&response.body)
            .map_err(|error| ApiError::malformed(response, expected, &error, self.key_text()))
    }
}
