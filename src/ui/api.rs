//! Builds Foundry clients for the key in use and the base that key is bound to. The client
//! holds no key: its requests go to the key agent, which adds the key and sends them to that
//! base only, whatever the page's URL says.

use crate::api::browser::BrowserClock;
use crate::api::cancel::CancelToken;
use crate::api::client::FoundryClient;
use crate::api::error::ApiError;
use crate::ui::state::{Credential, KeyringState};
use crate::vault::agent::transport::AgentTransport;
use leptos::prelude::*;
use std::sync::Arc;

pub type Client = FoundryClient<AgentTransport>;

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
        let Credential { base, key, agent } = self.state.credential().ok_or(ApiError::Aborted)?;
        let cancel = self.cancel.try_get_value().ok_or(ApiError::Aborted)?;
        Ok(client_for(Credential { base, key, agent }).with_cancel(cancel))
    }
}

/// A client that sends through the agent with `credential`'s key.
pub fn client_for(credential: Credential) -> Client {
    let Credential { base, key, agent } = credential;
    let transport = AgentTransport::new(agent, base.clone(), key);
    FoundryClient::delegated(base, transport, Arc::new(BrowserClock))
}
