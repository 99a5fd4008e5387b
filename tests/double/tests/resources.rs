//! `GET /api/v1/experiments`, `GET /api/v1/targets` and `POST /api/v1/experiments`: checked by
//! the same Authorizer as the token endpoints, with the faults, CORS and error forms of every
//! other route.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::Double;
use foundry_double::state::{ErrorForm, Variant};
use serde_json::json;

#[tokio::test]
async fn member_lists_experiments_and_targets_and_creates_an_experiment() {
    let double = Double::new(Variant::Seed);
    let member = double.key("member");
    for path in ["/api/v1/experiments", "/api/v1/targets"] {
        let reply = double.get(path, Some(&member)).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        assert_eq!(
            reply.body,
            json!({"items": [], "count": 0, "offset": 0, "total": 0})
        );
        let reply = double
            .get(&format!("{path}?limit=100&offset=40"), Some(&member))
            .await;
        assert_eq!(
            reply.body,
            json!({"items": [], "count": 0, "offset": 40, "total": 0})
        );
        for bad in ["limit=0", "limit=101", "offset=-1", "limit=1&limit=2"] {
            let reply = double.get(&format!("{path}?{bad}"), Some(&member)).await;
            reply.assert_error(StatusCode::BAD_REQUEST);
        }
        // The seed grammar applies here as on the token list (Sept 2026 reference); the fields
        // of these lists are not published, so any name is taken.
        let fine = "filter=and(eq(status,draft),gte(created_at,2026-01-01))&sort=desc(created_at),asc(name)";
        let reply = double.get(&format!("{path}?{fine}"), Some(&member)).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        for (bad, says) in [
            (
                "filter=eq(status)",
                "invalid filter \"eq(status)\": at position 9",
            ),
            (
                "sort=desc(created_at",
                "invalid sort \"desc(created_at\": at position 15",
            ),
            (
                "filter=eq(a,1)&filter=eq(b,2)",
                "\"filter\" given more than once",
            ),
        ] {
            let reply = double.get(&format!("{path}?{bad}"), Some(&member)).await;
            let message = reply.assert_error(StatusCode::BAD_REQUEST);
            assert!(message.contains(says), "{path}?{bad}: {message}");
        }
        let admin = double.get(path, Some(&double.key("admin"))).await;
        assert_eq!(admin.status, StatusCode::OK);
    }
    let created = double
        .post(
            "/api/v1/experiments",
            Some(&member),
            Some(json!({"name": "kd screen", "experiment_type": "affinity"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap();
    let uuid = uuid::Uuid::parse_str(id).unwrap();
    assert_eq!(uuid.get_version_num(), 7);
    assert_eq!(created.body.as_object().unwrap().len(), 1);
    for bad in [json!([1, 2]), json!("x"), json!(null)] {
        double
            .post("/api/v1/experiments", Some(&member), Some(bad))
            .await
            .assert_error(StatusCode::BAD_REQUEST);
    }
    let not_json = double
        .request(
            Request::builder()
                .method(Method::POST)
                .uri("/api/v1/experiments")
                .header("authorization", format!("Bearer {member}"))
                .header("content-type", "application/json")
                .body(Body::from("{"))
                .unwrap(),
        )
        .await;
    not_json.assert_error(StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn read_only_key_lists_but_may_not_create() {
    let double = Double::new(Variant::July);
    let read_only = double.key("read-only");
    for path in ["/api/v1/experiments", "/api/v1/targets"] {
        let reply = double.get(path, Some(&read_only)).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
    }
    let reply = double
        .post("/api/v1/experiments", Some(&read_only), Some(json!({})))
        .await;
    let message = reply.assert_error(StatusCode::FORBIDDEN);
    assert_eq!(
        message,
        "insufficient permissions: this token lacks experiment:create"
    );
    // Rights come before the body: a bad body from a key without the right is still 403.
    double
        .post("/api/v1/experiments", Some(&read_only), Some(json!([])))
        .await
        .assert_error(StatusCode::FORBIDDEN);
    // whoami agrees with what the endpoints do.
    let who = double.get("/api/v1/whoami", Some(&read_only)).await;
    let permissions: Vec<&str> = who.body["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(permissions.contains(&"experiment:list"));
    assert!(permissions.contains(&"target:list"));
    assert!(!permissions.contains(&"experiment:create"));
    let member = double
        .get("/api/v1/whoami", Some(&double.key("member")))
        .await;
    let member_permissions = member.body["permissions"].as_array().unwrap();
    for right in ["experiment:list", "experiment:create", "target:list"] {
        assert!(member_permissions.contains(&json!(right)), "{right}");
    }
}

#[tokio::test]
async fn attenuated_scopes_and_bad_keys_apply_here_too() {
    let double = Double::new(Variant::September);
    let member = double.key("member");
    let targets_only = double
        .attenuate(&member, json!({"allowed_resources": ["target"]}))
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        double
            .get("/api/v1/targets", Some(&targets_only))
            .await
            .status,
        StatusCode::OK
    );
    let refused = double.get("/api/v1/experiments", Some(&targets_only)).await;
    let message = refused.assert_error(StatusCode::FORBIDDEN);
    assert!(message.contains("experiment:list"), "{message}");

    for path in ["/api/v1/experiments", "/api/v1/targets"] {
        for (token, message) in [
            (None, "missing authentication token"),
            (Some(double.key("revoked")), "token revoked"),
            (Some(double.key("expired")), "token expired"),
            (Some("abs0_nonsense".to_owned()), "invalid token"),
        ] {
            let reply = double.get(path, token.as_deref()).await;
            assert_eq!(
                reply.assert_error(StatusCode::UNAUTHORIZED),
                message,
                "{path}"
            );
        }
    }
    let reply = double
        .post(
            "/api/v1/experiments",
            Some(&double.key("revoked")),
            Some(json!({})),
        )
        .await;
    assert_eq!(
        reply.assert_error(StatusCode::UNAUTHORIZED),
        "token revoked"
    );
    // A family revoked after the fact: its keys stop working here as well.
    double
        .post("/api/v1/tokens/revoke", Some(&member), None)
        .await;
    double
        .get("/api/v1/experiments", Some(&member))
        .await
        .assert_error(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn faults_cors_and_error_forms_reach_the_new_routes() {
    let double = Double::new(Variant::Seed);
    let member = double.key("member");
    double
        .post(
            "/__control/faults",
            None,
            Some(json!({"kind": "status", "status": 503, "path": "/api/v1/experiments"})),
        )
        .await;
    // Another path does not take the fault.
    assert_eq!(
        double.get("/api/v1/targets", Some(&member)).await.status,
        StatusCode::OK
    );
    double
        .post("/api/v1/experiments", Some(&member), Some(json!({})))
        .await
        .assert_error(StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        double
            .post("/api/v1/experiments", Some(&member), Some(json!({})))
            .await
            .status,
        StatusCode::CREATED
    );

    let reply = double
        .request(
            Request::builder()
                .uri("/api/v1/targets")
                .header("origin", "http://localhost:8080")
                .header("authorization", format!("Bearer {member}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.headers["access-control-allow-origin"],
        "http://localhost:8080"
    );
    let preflight = double
        .request(
            Request::builder()
                .method(Method::OPTIONS)
                .uri("/api/v1/experiments")
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
    assert_eq!(preflight.status, StatusCode::NO_CONTENT);
    assert_eq!(
        preflight.headers["access-control-allow-origin"],
        "http://localhost:8080"
    );

    double
        .post(
            "/__control/error-body",
            None,
            Some(json!({"form": "message"})),
        )
        .await;
    let message = double
        .post(
            "/api/v1/experiments",
            Some(&double.key("read-only")),
            Some(json!({})),
        )
        .await
        .assert_error_form(StatusCode::FORBIDDEN, ErrorForm::Message);
    assert!(message.contains("experiment:create"), "{message}");
    // Methods the routes do not have: 405 in the form in force.
    double
        .call(Method::DELETE, "/api/v1/experiments", Some(&member), None)
        .await
        .assert_error_form(StatusCode::METHOD_NOT_ALLOWED, ErrorForm::Message);
    double
        .post("/api/v1/targets", Some(&member), Some(json!({})))
        .await
        .assert_error_form(StatusCode::METHOD_NOT_ALLOWED, ErrorForm::Message);
}
