//! `foundry-double`: the local Foundry API double (placeholder: health and the 401 envelope).

use axum::{
    Json, Router,
    http::{HeaderValue, StatusCode, header::HeaderName},
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::json;

fn error(status: StatusCode, message: &str) -> Response {
    let request_id = format!("req_{}", uuid::Uuid::now_v7());
    let mut response = (status, Json(json!({ "error": message, "request_id": request_id }))).into_response();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(HeaderName::from_static("x-request-id"), value);
    }
    response
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

async fn whoami() -> Response {
    error(StatusCode::UNAUTHORIZED, "invalid or missing authentication token")
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .skip_while(|a| a != "--addr")
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8787".to_owned());
    let app = Router::new()
        .route("/api/v1/info/health", get(health))
        .route("/api/v1/whoami", get(whoami));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("foundry-double listening on http://{addr}");
    axum::serve(listener, app).await
}
