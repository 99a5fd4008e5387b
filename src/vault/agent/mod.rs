//! The key agent, in the spirit of ssh-agent: a Web Worker that derives the passphrase key,
//! opens the keyring and holds the data key and every API key, and makes every request that
//! carries a key. The page asks it for Foundry calls by method and path and gets status,
//! headers and body back; after a paste it never holds a key again, so a script that runs in
//! the page after the keyring was unlocked cannot read one.
//!
//! - [`kdf`]: the key-derivation parameters and the Rust PBKDF2 (pure);
//! - [`protocol`]: every message, for both sides (pure);
//! - [`policy`]: where the agent may connect (the page's `connect-src`, pure);
//! - [`core`]: what the agent holds and does, without a browser (pure, tested natively);
//! - `webcrypto`, `serve`: the agent's side in the browser (derivation, requests);
//! - `link`: the page's side (start, ask, notice a dead agent);
//! - `transport`: the API client's transport through the agent.

pub mod core;
pub mod kdf;
pub mod policy;
pub mod protocol;

#[cfg(feature = "web")]
pub mod link;
#[cfg(feature = "web")]
pub mod serve;
#[cfg(feature = "web")]
pub mod transport;
#[cfg(feature = "web")]
pub mod webcrypto;
