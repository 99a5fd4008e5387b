//! `foundry-double`: a local double of the Foundry API token surface (whoami, list, attenuate,
//! revoke, health, openapi.json, and rights-checked experiment/target stubs) with real Biscuit
//! tokens, every published variant of the API (seed, April, July, September), switchable error
//! body forms, a switchable CORS policy and fault injection for tests. See
//! `tests/double/README.md`.

pub mod auth;
pub mod biscuit;
pub mod cli;
pub mod cors;
pub mod demo;
pub mod error;
pub mod faults;
pub mod listing;
pub mod openapi;
pub mod routes;
pub mod server;
pub mod shape;
pub mod state;
pub mod store;

use biscuit_auth::{Algorithm, KeyPair, PrivateKey};

/// Why the double could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("--root-key is not an Ed25519 private key in hex: {0}")]
    RootKey(biscuit_auth::error::Format),
    #[error("minting the demo keys: {0}")]
    Mint(#[from] biscuit::BiscuitError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("writing the keys file: {0}")]
    Json(#[from] serde_json::Error),
}

/// The root key pair: from `--root-key`, else a fresh one.
pub fn root_key(hex_private: Option<&str>) -> Result<KeyPair, StartError> {
    match hex_private {
        None => Ok(KeyPair::new()),
        Some(text) => PrivateKey::from_bytes_hex(text.trim(), Algorithm::Ed25519)
            .map(|private| KeyPair::from(&private))
            .map_err(StartError::RootKey),
    }
}

/// A ready state: demo data for `config.seed` relative to now.
pub fn build_state(root: KeyPair, config: state::Config) -> Result<state::AppState, StartError> {
    let demo = demo::build(config.seed, state::now(), &root)?;
    Ok(state::AppState::new(root, config, demo))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_key_from_hex_is_that_key() {
        let key = KeyPair::new();
        let hex = key.private().to_bytes_hex();
        let again = root_key(Some(&hex)).unwrap();
        assert_eq!(again.public().to_bytes_hex(), key.public().to_bytes_hex());
        assert!(matches!(
            root_key(Some("not hex")),
            Err(StartError::RootKey(_))
        ));
    }
}
