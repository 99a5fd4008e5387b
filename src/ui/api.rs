//! Builds Foundry clients for the key in use and the base that key is bound to. The key goes
//! only to that base: the client builds every URL from it, whatever the page's URL says.

use crate::api::browser::{BrowserClock, BrowserTransport};
use crate::api::cancel::CancelToken;
use crate::api::client::FoundryClient;
use crate::api::error::ApiError;
use crate::ui::state::{Credential, KeyringState};
use leptos::prelude::*;
use std::sync::Arc;

pub type Client = FoundryClient<BrowserTransport>;

/// What a component needs to call the API. Taken from the context while the component is
/// built (async code runs outside the reactive owner, where the context is out of reach), and
/// tied to the component: its requests are aborted when it is cleaned up.
#[derive(Clone, Copy)]
pub struct Api {
    state: KeyringState,
    cancel: StoredValue<CancelToken>,
}

/// Call in a component's body, not inside `spawn_local` or a resource's future.
pub fn use_api() -> Api {
    let cancel = CancelToken::new();
    let on_drop = cancel.clone();
    on_cleanup(move || on_drop.cancel());
    Api {
        state: expect_context::<KeyringState>(),
        cancel: StoredValue::new(cancel),
    }
}

impl Api {
    /// A client for the key in use now; `Aborted` when the keyring is locked meanwhile.
    pub fn client(&self) -> Result<Client, ApiError> {
        let Credential { base, key } = self.state.credential().ok_or(ApiError::Aborted)?;
        let transport = BrowserTransport::new(&base);
        let cancel = self.cancel.try_get_value().ok_or(ApiError::Aborted)?;
        Ok(FoundryClient::new(base, key, transport, Arc::new(BrowserClock)).with_cancel(cancel))
    }
}
