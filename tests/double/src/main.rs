//! `foundry-double`: see the library docs and `tests/double/README.md`.

use clap::Parser;
use foundry_double::cli::{Cli, Cors};
use foundry_double::state::Config;
use foundry_double::{StartError, build_state, root_key, routes, server};

#[tokio::main]
async fn main() -> Result<(), StartError> {
    let cli = Cli::parse();
    let root = root_key(cli.root_key.as_deref())?;
    let config = Config {
        variant: cli.variant,
        error_body: cli.error_body,
        cors_allowed: cli.cors == Cors::Allow,
        seed: cli.seed,
    };
    let state = build_state(root, config)?;
    let keys = routes::control::keys_file(&state);
    if let Some(path) = &cli.keys_out {
        std::fs::write(path, serde_json::to_string_pretty(&keys)?)?;
    }
    let listener = tokio::net::TcpListener::bind(cli.addr).await?;
    let addr = listener.local_addr()?;
    println!(
        "foundry-double listening on http://{addr} (variant {}, error body {})",
        cli.variant.as_str(),
        cli.error_body.as_str()
    );
    println!("root public key: {}", keys.root_public_key);
    for key in keys.keys {
        println!("{:<11} {}", key.label, key.token);
    }
    let app = routes::app(state.clone());
    tokio::select! {
        result = server::serve(listener, app) => { result?; }
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(())
}
