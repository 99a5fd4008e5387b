//! Foundry API models, errors and the typed client.

pub mod base;
pub mod models;

pub use base::{ApiBase, BaseError, Endpoint, PathError};
