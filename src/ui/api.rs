//! Builds a Foundry client for the key in use and the configured base. The key goes only to
//! that base: the client builds every URL from it.

use crate::api::base::ApiBase;
use crate::api::browser::{BrowserClock, BrowserTransport};
use crate::api::cancel::CancelToken;
use crate::api::client::FoundryClient;
use crate::api::error::ApiError;
use crate::ui::session::Session;
use crate::ui::state::KeyringState;
use leptos::prelude::*;
use std::sync::Arc;

pub type Client = FoundryClient<BrowserTransport>;

/// A client for the key in use, cancelled when the calling view is cleaned up.
pub fn client() -> Result<Client, ApiError> {
    let session = expect_context::<Session>();
    let state = expect_context::<KeyringState>();
    let base = ApiBase::parse(&session.api_base.get_untracked()).map_err(|_| ApiError::InvalidRequest { reason: "the configured API base URL is not a valid http(s) address" })?;
    let key = state.api_key().ok_or(ApiError::Aborted)?;
    let cancel = CancelToken::new();
    let on_drop = cancel.clone();
    on_cleanup(move || on_drop.cancel());
    let transport = BrowserTransport::new(&base);
    Ok(FoundryClient::new(base, key, transport, Arc::new(BrowserClock)).with_cancel(cancel))
}
