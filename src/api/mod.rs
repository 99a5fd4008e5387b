//! Foundry API models, errors and the typed client.

pub mod models;
