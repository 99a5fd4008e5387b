//! The encrypted keyring.
