//! CORS allow/deny, the control API's loopback rule, and every fault kind.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::Double;
use foundry_double::state::Shape;
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn preflight() -> Request<Body> {
    Request::builder()
        .method(Method::OPTIONS)
        .uri("/api/v1/tokens")
        .header("origin", "http://localhost:8080")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .body(Body::empty())
        .unwrap()
}

fn from_origin(path: &str) -> Request<Body> {
    Request::builder()
        .uri(path)
        .header("origin", "http://localhost:8080")
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn cors_allowed_answers_preflights_and_exposes_headers() {
    let double = Double::new(Shape::Seed);
    let reply = double.request(preflight()).await;
    assert!(reply.status.is_success(), "{}", reply.status);
    let h = &reply.headers;
    assert!(h["x-request-id"].to_str().unwrap().starts_with("req_"));
    assert_eq!(h["access-control-allow-origin"], "http://localhost:8080");
    let allow_headers = h["access-control-allow-headers"].to_str().unwrap();
    assert!(allow_headers.contains("authorization") && allow_headers.contains("content-type"));
    let methods = h["access-control-allow-methods"].to_str().unwrap();
    for m in ["GET", "POST", "OPTIONS"] {
        assert!(methods.contains(m));
    }
    // An error response still carries CORS headers, so a browser can read the envelope.
    let reply = double.request(from_origin("/api/v1/whoami")).await;
    reply.assert_error(StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.headers["access-control-allow-origin"],
        "http://localhost:8080"
    );
    let exposed = reply.headers["access-control-expose-headers"]
        .to_str()
        .unwrap();
    assert!(exposed.contains("x-request-id") && exposed.contains("retry-after"));
}

#[tokio::test]
async fn cors_denied_sends_no_cors_headers_and_switches_at_run_time() {
    let double = Double::new(Shape::Seed);
    let off = double
        .post("/__control/cors", None, Some(json!({"allow": false})))
        .await;
    assert_eq!(off.body, json!({"allow": false}));
    for request in [preflight(), from_origin("/api/v1/info/health")] {
        let reply = double.request(request).await;
        assert!(
            reply
                .headers
                .keys()
                .all(|k| !k.as_str().starts_with("access-control-")),
            "{:?}",
            reply.headers
        );
    }
    double
        .post("/__control/cors", None, Some(json!({"allow": true})))
        .await;
    assert!(
        double
            .request(preflight())
            .await
            .headers
            .contains_key("access-control-allow-origin")
    );

    let denied = Double::new(Shape::Seed);
    denied.state.set_cors_allowed(false);
    assert!(
        !denied
            .request(preflight())
            .await
            .headers
            .contains_key("access-control-allow-origin")
    );
}

#[tokio::test]
async fn control_api_answers_loopback_peers_only() {
    let double = Double::new(Shape::Seed);
    let request = Request::builder()
        .uri("/__control/keys")
        .body(Body::empty())
        .unwrap();
    double
        .request_from(request, "192.0.2.7:4000")
        .await
        .assert_error(StatusCode::FORBIDDEN);
    let request = Request::builder()
        .uri("/__control/keys")
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        double.request_from(request, "[::1]:4000").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn status_faults_answer_with_the_envelope_then_stop() {
    let double = Double::new(Shape::Seed);
    let member = double.key("member");
    for status in [401u16, 403, 404, 409, 429, 500, 502, 503] {
        let fault =
            json!({"kind": "status", "status": status, "count": 1, "path": "/api/v1/tokens"});
        assert_eq!(
            double
                .post("/__control/faults", None, Some(fault))
                .await
                .status,
            StatusCode::CREATED
        );
        // Another path is untouched.
        assert_eq!(
            double.get("/api/v1/info/health", None).await.status,
            StatusCode::OK
        );
        let reply = double.get("/api/v1/tokens", Some(&member)).await;
        reply.assert_error(StatusCode::from_u16(status).unwrap());
        if status == 429 {
            assert_eq!(reply.headers["retry-after"], "1");
        }
        assert_eq!(
            double.get("/api/v1/tokens", Some(&member)).await.status,
            StatusCode::OK,
            "count 1 used up"
        );
    }
    let fault = json!({"kind": "status", "status": 429, "retry_after": 7, "count": 2});
    double.post("/__control/faults", None, Some(fault)).await;
    for _ in 0..2 {
        let reply = double.get("/api/v1/whoami", Some(&member)).await;
        reply.assert_error(StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(reply.headers["retry-after"], "7");
    }
    assert_eq!(
        double.get("/api/v1/whoami", Some(&member)).await.status,
        StatusCode::OK
    );

    double
        .post(
            "/__control/faults",
            None,
            Some(json!({"kind": "status", "status": 500, "count": 5})),
        )
        .await;
    let cleared = double
        .call(Method::DELETE, "/__control/faults", None, None)
        .await;
    assert_eq!(cleared.body, json!({"cleared": 1}));
    assert_eq!(
        double.get("/api/v1/info/health", None).await.status,
        StatusCode::OK
    );

    for bad in [
        json!({"kind": "status", "status": 418}),
        json!({"kind": "nope"}),
        json!({"kind": "slow", "delay_ms": 600000}),
    ] {
        double
            .post("/__control/faults", None, Some(bad))
            .await
            .assert_error(StatusCode::BAD_REQUEST);
    }
}

#[tokio::test]
async fn slow_and_malformed_faults() {
    let double = Double::new(Shape::Seed);
    double
        .post(
            "/__control/faults",
            None,
            Some(json!({"kind": "slow", "delay_ms": 300})),
        )
        .await;
    let started = Instant::now();
    let reply = double.get("/api/v1/info/health", None).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(reply.status, StatusCode::OK);

    double
        .post(
            "/__control/faults",
            None,
            Some(json!({"kind": "malformed"})),
        )
        .await;
    let reply = double.get("/api/v1/info/health", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        serde_json::from_slice::<serde_json::Value>(&reply.raw).is_err(),
        "broken JSON"
    );
    assert!(reply.headers.contains_key("x-request-id"));
}

async fn raw_get(addr: std::net::SocketAddr, path: &str) -> std::io::Result<Vec<u8>> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").as_bytes(),
        )
        .await?;
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await?;
    Ok(out)
}

#[tokio::test]
async fn drop_fault_closes_the_connection_unanswered() {
    let double = Double::new(Shape::Seed);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(foundry_double::server::serve(
        listener,
        foundry_double::routes::app(double.state.clone()),
    ));

    let ok = raw_get(addr, "/api/v1/info/health").await.unwrap();
    assert!(String::from_utf8_lossy(&ok).starts_with("HTTP/1.1 200"));
    // Through the real socket the peer is loopback, so the control API answers.
    let fault =
        serde_json::to_string(&json!({"kind": "drop", "path": "/api/v1/info/health"})).unwrap();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "POST /__control/faults HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{fault}",
        fault.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    assert!(
        String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 201"),
        "{}",
        String::from_utf8_lossy(&answer)
    );

    let dropped = raw_get(addr, "/api/v1/info/health")
        .await
        .unwrap_or_default();
    assert!(
        dropped.is_empty(),
        "no response bytes: {}",
        String::from_utf8_lossy(&dropped)
    );
    let ok = raw_get(addr, "/api/v1/info/health").await.unwrap();
    assert!(String::from_utf8_lossy(&ok).starts_with("HTTP/1.1 200"));
    server.abort();
}
