//! CORS allow/deny, the control API's guard (loopback peer, loopback Host, no Origin), and every
//! fault kind.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::Double;
use foundry_double::state::Variant;
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
    let double = Double::new(Variant::Seed);
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
    let double = Double::new(Variant::Seed);
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

    let denied = Double::new(Variant::Seed);
    denied.state.set_cors_allowed(false);
    assert!(
        !denied
            .request(preflight())
            .await
            .headers
            .contains_key("access-control-allow-origin")
    );
}

fn control(method: Method, path: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::empty()).unwrap()
}

/// No `access-control-*` header at all: a browser reads nothing and a preflight fails.
fn assert_no_cors(reply: &common::Reply) {
    assert!(
        reply
            .headers
            .keys()
            .all(|k| !k.as_str().starts_with("access-control-")),
        "{:?}",
        reply.headers
    );
}

/// Refused with the envelope and no CORS header; returns the message.
fn assert_refused(reply: &common::Reply) -> String {
    assert_no_cors(reply);
    reply.assert_error(StatusCode::FORBIDDEN).to_owned()
}

#[tokio::test]
async fn control_api_answers_loopback_peers_only() {
    let double = Double::new(Variant::Seed);
    let host = [("host", "127.0.0.1:8787")];
    let reply = double
        .request_from(
            control(Method::GET, "/__control/keys", &host),
            "192.0.2.7:4000",
        )
        .await;
    assert!(assert_refused(&reply).contains("loopback peers"));
    let reply = double
        .request_from(control(Method::GET, "/__control/keys", &host), "[::1]:4000")
        .await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn control_api_answers_a_plain_local_client() {
    // What curl, Node's fetch and Playwright's `request` send: a loopback Host, no Origin.
    let double = Double::new(Variant::Seed);
    for host in [
        "127.0.0.1:8787",
        "localhost:18787",
        "[::1]:8787",
        "localhost",
    ] {
        let reply = double
            .request(control(Method::GET, "/__control/keys", &[("host", host)]))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{host}: {}", reply.body);
        assert_eq!(reply.body["keys"][0]["label"], "admin");
        assert_no_cors(&reply);
    }
}

#[tokio::test]
async fn control_api_refuses_a_request_with_an_origin() {
    let double = Double::new(Variant::Seed);
    // A page on any origin, loopback ones included, and an opaque origin (a sandboxed frame).
    for origin in ["https://evil.example", "http://localhost:8080", "null"] {
        let reply = double
            .request(control(
                Method::GET,
                "/__control/keys",
                &[("origin", origin)],
            ))
            .await;
        assert!(assert_refused(&reply).contains("Origin"), "{origin}");
        assert!(!String::from_utf8_lossy(&reply.raw).contains("abs0_"));
    }
    // Refused before it acts: the queued fault survives a DELETE from a page.
    double
        .post("/__control/faults", None, Some(json!({"kind": "drop"})))
        .await;
    let reply = double
        .request(control(
            Method::DELETE,
            "/__control/faults",
            &[("origin", "https://evil.example")],
        ))
        .await;
    assert_refused(&reply);
    assert_eq!(double.state.0.faults.list().len(), 1);
    // Also a path no route knows, which would otherwise be a CORS-readable 404.
    let reply = double
        .request(control(
            Method::GET,
            "/__control/nope",
            &[("origin", "https://evil.example")],
        ))
        .await;
    assert_refused(&reply);
}

#[tokio::test]
async fn control_api_approves_no_preflight() {
    let double = Double::new(Variant::Seed);
    assert!(double.state.cors_allowed());
    for (method, path) in [("GET", "/__control/keys"), ("POST", "/__control/reset")] {
        let reply = double
            .request(control(
                Method::OPTIONS,
                path,
                &[
                    ("origin", "https://evil.example"),
                    ("access-control-request-method", method),
                    ("access-control-request-headers", "content-type"),
                ],
            ))
            .await;
        assert_refused(&reply);
    }
}

#[tokio::test]
async fn control_api_refuses_a_name_that_is_not_loopback() {
    // DNS rebinding: the attacker's own name resolves to 127.0.0.1, so the page is same-origin
    // with the double, sends no Origin on a GET, and only its Host tells it apart.
    let double = Double::new(Variant::Seed);
    for host in [
        "rebound.example:8787",
        "rebound.example",
        "127.0.0.1.rebound.example:8787",
    ] {
        let reply = double
            .request(control(Method::GET, "/__control/keys", &[("host", host)]))
            .await;
        assert!(
            assert_refused(&reply).contains("127.0.0.1, localhost"),
            "{host}"
        );
    }
    let no_host = double
        .request_from(
            control(Method::GET, "/__control/keys", &[]),
            "127.0.0.1:50000",
        )
        .await;
    assert_refused(&no_host);
    // The request line's authority counts too (RFC 9112 puts it before Host).
    let absolute = double
        .request(control(
            Method::GET,
            "http://rebound.example:8787/__control/keys",
            &[("host", "127.0.0.1:8787")],
        ))
        .await;
    assert_refused(&absolute);
}

#[tokio::test]
async fn api_routes_keep_their_cors_whatever_the_host() {
    let double = Double::new(Variant::Seed);
    let reply = double
        .request(control(
            Method::GET,
            "/api/v1/info/health",
            &[("origin", "https://app.example"), ("host", "api.example")],
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.headers["access-control-allow-origin"],
        "https://app.example"
    );
}

async fn raw_request(addr: std::net::SocketAddr, head: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn control_guard_over_a_real_socket() {
    let double = Double::new(Variant::Seed);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(foundry_double::server::serve(
        listener,
        foundry_double::routes::app(double.state.clone()),
    ));
    let get =
        |extra: &str| format!("GET /__control/keys HTTP/1.1\r\n{extra}connection: close\r\n\r\n");
    let ok = raw_request(addr, &get(&format!("host: {addr}\r\n"))).await;
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    let rebound = raw_request(addr, &get("host: rebound.example:8787\r\n")).await;
    assert!(rebound.starts_with("HTTP/1.1 403"), "{rebound}");
    let page = raw_request(
        addr,
        &get(&format!("host: {addr}\r\norigin: https://evil.example\r\n")),
    )
    .await;
    assert!(page.starts_with("HTTP/1.1 403"), "{page}");
    assert!(!page.to_lowercase().contains("access-control-"), "{page}");
    server.abort();
}

#[tokio::test]
async fn status_faults_answer_with_the_envelope_then_stop() {
    let double = Double::new(Variant::Seed);
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
    let double = Double::new(Variant::Seed);
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
    let double = Double::new(Variant::Seed);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(foundry_double::server::serve(
        listener,
        foundry_double::routes::app(double.state.clone()),
    ));

    let ok = raw_get(addr, "/api/v1/info/health").await.unwrap();
    assert!(String::from_utf8_lossy(&ok).starts_with("HTTP/1.1 200"));
    // Through the real socket the peer is loopback (and so is the Host), so the control API
    // answers.
    let fault =
        serde_json::to_string(&json!({"kind": "drop", "path": "/api/v1/info/health"})).unwrap();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "POST /__control/faults HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{fault}",
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

fn redirect_fault(
    status: u16,
    location: &str,
    path: Option<&str>,
    count: u32,
) -> serde_json::Value {
    let mut fault =
        json!({"kind": "redirect", "status": status, "location": location, "count": count});
    if let Some(path) = path {
        fault["path"] = json!(path);
    }
    fault
}

#[tokio::test]
async fn redirect_faults_send_the_attenuate_post_elsewhere() {
    let double = Double::new(Variant::Seed);
    let member = double.key("member");
    let attenuate = |origin: Option<&str>| {
        let body = json!({"token": member, "name": "child", "attenuation": {"read_only": true}});
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/tokens/attenuate")
            .header("authorization", format!("Bearer {member}"))
            .header("content-type", "application/json");
        if let Some(origin) = origin {
            builder = builder.header("origin", origin);
        }
        builder.body(Body::from(body.to_string())).unwrap()
    };
    let tokens_before = double.state.store().tokens().len();
    for status in [307u16, 308] {
        let location = format!("https://elsewhere.example/collect/{status}?from=double");
        let fault = redirect_fault(status, &location, Some("/api/v1/tokens/attenuate"), 1);
        let queued = double.post("/__control/faults", None, Some(fault)).await;
        assert_eq!(queued.status, StatusCode::CREATED, "{}", queued.body);
        assert_eq!(queued.body["faults"][0]["location"], location.as_str());
        // The browser's preflight for the POST is approved and does not use the fault up.
        let preflight = double
            .request(
                Request::builder()
                    .method(Method::OPTIONS)
                    .uri("/api/v1/tokens/attenuate")
                    .header("origin", "http://localhost:8080")
                    .header("access-control-request-method", "POST")
                    .header(
                        "access-control-request-headers",
                        "authorization, content-type",
                    )
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert!(preflight.status.is_success(), "{}", preflight.status);
        // Another path is untouched.
        assert_eq!(
            double.get("/api/v1/whoami", Some(&member)).await.status,
            StatusCode::OK
        );

        let reply = double
            .request(attenuate(Some("http://localhost:8080")))
            .await;
        assert_eq!(reply.status.as_u16(), status);
        assert_eq!(reply.headers["location"], location.as_str());
        assert!(reply.raw.is_empty(), "empty body: {:?}", reply.raw);
        let id = reply.headers["x-request-id"].to_str().unwrap();
        assert!(id.starts_with("req_"), "{id}");
        // Readable by the page, as a browser that followed it would need.
        assert_eq!(
            reply.headers["access-control-allow-origin"],
            "http://localhost:8080"
        );
        assert!(
            reply.headers["access-control-expose-headers"]
                .to_str()
                .unwrap()
                .contains("x-request-id")
        );
        // Answered before the handler: no token was made.
        assert_eq!(double.state.store().tokens().len(), tokens_before);
    }
    // count 1 each: used up, the next attenuate is made.
    assert_eq!(
        double.request(attenuate(None)).await.status,
        StatusCode::CREATED
    );

    // Without a path it takes any API request; count 2 takes two.
    double
        .post(
            "/__control/faults",
            None,
            Some(redirect_fault(307, "http://127.0.0.1:9/x", None, 2)),
        )
        .await;
    for path in ["/api/v1/tokens", "/api/v1/info/health"] {
        let reply = double.get(path, Some(&member)).await;
        assert_eq!(reply.status, StatusCode::TEMPORARY_REDIRECT, "{path}");
        assert_eq!(reply.headers["location"], "http://127.0.0.1:9/x");
    }
    assert_eq!(
        double.get("/api/v1/info/health", None).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn redirect_faults_refuse_other_statuses_and_relative_locations() {
    let double = Double::new(Variant::Seed);
    for bad in [
        redirect_fault(302, "https://elsewhere.example/", None, 1),
        redirect_fault(301, "https://elsewhere.example/", None, 1),
        redirect_fault(200, "https://elsewhere.example/", None, 1),
        redirect_fault(307, "/api/v1/whoami", None, 1),
        redirect_fault(307, "//elsewhere.example/", None, 1),
        redirect_fault(307, "ftp://elsewhere.example/", None, 1),
        redirect_fault(307, "javascript:alert(1)", None, 1),
        json!({"kind": "redirect", "status": 307}),
        json!({"kind": "redirect", "location": "https://elsewhere.example/"}),
    ] {
        let reply = double
            .post("/__control/faults", None, Some(bad.clone()))
            .await;
        reply.assert_error(StatusCode::BAD_REQUEST);
        assert!(double.state.0.faults.list().is_empty(), "{bad}");
    }
}
