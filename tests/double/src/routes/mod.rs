//! The router: API endpoints, the control API, and the layers every request passes.

pub mod attenuate;
pub mod control;
pub mod meta;
pub mod resources;
pub mod revoke;
pub mod tokens;
pub mod whoami;

use crate::error::ApiError;
use crate::state::AppState;
use crate::{cors, error, faults};
use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};

async fn not_found() -> ApiError {
    ApiError::not_found("no such endpoint")
}

/// Layers, outermost first: request id and error body (so every response has an id, even a
/// preflight, and every error the body form in force), the control API's guard (before CORS, so no control response carries a CORS
/// header and no preflight to it is approved), CORS (so that injected faults still carry CORS
/// headers and a browser can read them), fault injection, then the routes.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/api/v1/whoami", get(whoami::whoami))
        .route("/api/v1/tokens", get(tokens::list))
        .route("/api/v1/tokens/attenuate", post(attenuate::attenuate))
        .route("/api/v1/tokens/revoke", post(revoke::revoke))
        .route("/api/v1/openapi.json", get(meta::openapi))
        .route("/api/v1/info/health", get(meta::health))
        .route("/api/v1/info/health-db", get(meta::health_db))
        .route("/api/v1/partners/mint-token", post(meta::mint_token))
        .route(
            "/api/v1/experiments",
            get(resources::list_experiments).post(resources::create_experiment),
        )
        .route("/api/v1/targets", get(resources::list_targets));
    let control = Router::new()
        .route(
            "/__control/faults",
            post(control::add_fault)
                .get(control::list_faults)
                .delete(control::clear_faults),
        )
        .route("/__control/cors", post(control::set_cors))
        .route("/__control/variant", post(control::set_variant))
        .route("/__control/error-body", post(control::set_error_body))
        .route("/__control/reset", post(control::reset))
        .route("/__control/keys", get(control::keys));
    api.merge(control)
        .fallback(not_found)
        .layer(from_fn_with_state(state.clone(), faults::inject))
        .layer(from_fn_with_state(state.clone(), cors::cors))
        .layer(from_fn(control::guard))
        .layer(from_fn_with_state(state.clone(), error::request_id))
        .with_state(state)
}
