//! Command line of `foundry-double`.

use crate::state::{ErrorBodyChoice, Variant};
use clap::{Parser, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Cors {
    /// Answer preflights and reflect the Origin.
    Allow,
    /// Send no CORS header at all: a browser blocks every response.
    Deny,
}

/// A local, faithful double of the Foundry API token surface.
#[derive(Debug, Parser)]
#[command(name = "foundry-double", version)]
pub struct Cli {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub addr: SocketAddr,
    /// Which published variant of the API to play (POST /__control/variant switches it).
    #[arg(long, value_enum, default_value_t = Variant::Seed)]
    pub variant: Variant,
    /// The body of every error: the variant's own form (auto) or a fixed one
    /// (POST /__control/error-body switches it).
    #[arg(long, value_enum, default_value_t = ErrorBodyChoice::Auto)]
    pub error_body: ErrorBodyChoice,
    /// CORS behaviour at start (POST /__control/cors switches it at run time).
    #[arg(long, value_enum, default_value_t = Cors::Allow)]
    pub cors: Cors,
    /// Seed of the demo data (same seed, same organizations, users and token shapes).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Ed25519 root private key as hex (default: a fresh key at each start).
    #[arg(long, value_name = "HEX")]
    pub root_key: Option<String>,
    /// Write the root public key and the demo keys to this file as JSON.
    #[arg(long, value_name = "FILE")]
    pub keys_out: Option<PathBuf>,
}
