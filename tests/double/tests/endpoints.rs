//! The API endpoints against the published schemas and behaviour.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::http::StatusCode;
use common::{Double, validate_component, validate_lineage_page, validate_seed_page};
use foundry_double::demo::{MEMBER_TOKENS, TOTAL_TOKENS};
use foundry_double::state::Variant;
use foundry_keyring::api::models::{Page, RevokeResponse, Token, TokenKind, WhoAmI};
use serde_json::{Value, json};

/// What `/openapi.json` lists depends on the caller: only a token that may mint for a partner
/// sees the partner-only route, and a token that does not verify is an anonymous caller.
#[tokio::test]
async fn openapi_lists_the_partner_route_only_to_a_partner() {
    const MINT: &str = "/api/v1/partners/mint-token";
    let double = Double::new(Variant::July);
    let admin = double.key("admin");
    let listed = |token: Option<String>| {
        let double = &double;
        async move {
            let spec = double.get("/api/v1/openapi.json", token.as_deref()).await;
            assert_eq!(spec.status, StatusCode::OK, "{}", spec.body);
            spec.body["paths"].get(MINT).is_some()
        }
    };
    assert!(listed(Some(admin.clone())).await, "a partner sees it");
    for token in [
        None,
        Some(double.key("member")),
        Some("garbage".to_owned()),
        Some(double.key("expired")),
        Some(double.key("revoked")),
    ] {
        assert!(!listed(token.clone()).await, "{token:?}");
    }
    // The route itself is under the bearer rules; a partner learns that the double mints nothing.
    let minted = double.post(MINT, Some(&admin), Some(json!({}))).await;
    assert!(
        minted
            .assert_error(StatusCode::NOT_IMPLEMENTED)
            .contains("does not mint")
    );
    let member = double
        .post(MINT, Some(&double.key("member")), Some(json!({})))
        .await;
    assert!(
        member
            .assert_error(StatusCode::FORBIDDEN)
            .contains("partner:mint_token")
    );
    let anonymous = double.post(MINT, None, Some(json!({}))).await;
    assert_eq!(
        anonymous.assert_error(StatusCode::UNAUTHORIZED),
        "missing authentication token"
    );
}

#[tokio::test]
async fn health_and_openapi_need_no_token_health_db_does() {
    let double = Double::new(Variant::Seed);
    let health = double.get("/api/v1/info/health", None).await;
    assert_eq!(health.status, StatusCode::OK);
    assert!(health.headers.contains_key("x-request-id"));
    validate_component("HealthResponse", &health.body);
    assert_eq!(health.body, json!({"status": "ok"}));
    let db = double
        .get("/api/v1/info/health-db", Some(&double.key("read-only")))
        .await;
    assert_eq!(db.status, StatusCode::OK, "{}", db.body);
    validate_component("HealthDbResponse", &db.body);
    for (token, message) in [
        (None, "missing authentication token"),
        (Some("garbage".to_owned()), "invalid token"),
        (Some(double.key("expired")), "token expired"),
        (Some(double.key("revoked")), "token revoked"),
    ] {
        let reply = double.get("/api/v1/info/health-db", token.as_deref()).await;
        assert_eq!(reply.assert_error(StatusCode::UNAUTHORIZED), message);
    }

    let spec = double.get("/api/v1/openapi.json", None).await;
    assert_eq!(spec.status, StatusCode::OK);
    let published = common::openapi();
    assert_eq!(
        spec.body["components"], published["components"],
        "schemas as published"
    );
    for op in [
        "/api/v1/tokens",
        "/api/v1/tokens/attenuate",
        "/api/v1/tokens/revoke",
        "/api/v1/whoami",
    ] {
        assert!(spec.body["paths"].get(op).is_some(), "{op}");
    }
    let names: Vec<&str> = spec.body["paths"]["/api/v1/tokens"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["limit", "offset", "filter", "sort"]);
}

#[tokio::test]
async fn whoami_reports_what_the_authorizer_grants() {
    let double = Double::new(Variant::Seed);
    let member = double
        .get("/api/v1/whoami", Some(&double.key("member")))
        .await;
    assert_eq!(member.status, StatusCode::OK, "{}", member.body);
    validate_component("WhoAmIResponse", &member.body);
    let who: WhoAmI = serde_json::from_value(member.body.clone()).unwrap();
    assert_eq!(
        who.organizations.iter().filter(|o| o.active).count(),
        1,
        "exactly one active"
    );
    assert_eq!(
        who.active_organization().map(|o| o.id.clone()),
        who.active_organization_id
    );
    assert!(who.permissions.contains(&"token:revoke".to_owned()));
    assert!(who.permissions.contains(&"experiment:delete".to_owned()));
    assert!(who.token_expires_at.is_some());

    let child = double
        .get("/api/v1/whoami", Some(&double.key("read-only")))
        .await;
    validate_component("WhoAmIResponse", &child.body);
    let ro: WhoAmI = serde_json::from_value(child.body).unwrap();
    assert!(!ro.permissions.is_empty());
    assert!(
        ro.permissions
            .iter()
            .all(|p| p.ends_with(":list") || p.ends_with(":read")),
        "{:?}",
        ro.permissions
    );
    let expected: Vec<&String> = who
        .permissions
        .iter()
        .filter(|p| p.ends_with(":list") || p.ends_with(":read"))
        .collect();
    assert_eq!(
        ro.permissions.iter().collect::<Vec<_>>(),
        expected,
        "the intersection, no more, no less"
    );
    assert_eq!(ro.user_id, who.user_id);

    let admin: WhoAmI = serde_json::from_value(
        double
            .get("/api/v1/whoami", Some(&double.key("admin")))
            .await
            .body,
    )
    .unwrap();
    assert_eq!(admin.permissions.len(), 21 * 8);
}

/// The published operation requires the Read action: a valid key whose attenuation took every
/// `read` away is known (not 401) but may not ask (403), and keeps what it may do elsewhere.
#[tokio::test]
async fn whoami_needs_the_read_action() {
    let double = Double::new(Variant::Seed);
    let member = double.key("member");
    let made = double
        .attenuate(
            &member,
            json!({"allowed_actions": ["create", "list"], "allowed_resources": null}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let robot = made.body["token"].as_str().unwrap().to_owned();
    let reply = double.get("/api/v1/whoami", Some(&robot)).await;
    assert_eq!(
        reply.assert_error(StatusCode::FORBIDDEN),
        "insufficient permissions: this token lacks the read action"
    );
    let list = double.get("/api/v1/tokens?limit=1", Some(&robot)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    // Reading one resource is enough: the operation names no resource.
    let made = double
        .attenuate(
            &member,
            json!({"allowed_actions": ["read"], "allowed_resources": ["experiment"]}),
        )
        .await;
    let reader = made.body["token"].as_str().unwrap().to_owned();
    let who: WhoAmI =
        serde_json::from_value(double.get("/api/v1/whoami", Some(&reader)).await.body).unwrap();
    assert_eq!(who.permissions, ["experiment:read"]);
}

#[tokio::test]
async fn whoami_rejects_bad_tokens_with_the_envelope() {
    let double = Double::new(Variant::Seed);
    let cases = [
        (None, "missing authentication token"),
        (Some("garbage".to_owned()), "invalid token"),
        (Some("abs0_fdbl0001AAAA".to_owned()), "invalid token"),
        (Some(double.key("expired")), "token expired"),
        (Some(double.key("revoked")), "token revoked"),
    ];
    for (token, message) in cases {
        let reply = double.get("/api/v1/whoami", token.as_deref()).await;
        assert_eq!(reply.assert_error(StatusCode::UNAUTHORIZED), message);
    }
    // A key signed by another root key.
    let other = Double::new(Variant::Seed);
    let reply = double
        .get("/api/v1/whoami", Some(&other.key("member")))
        .await;
    assert_eq!(
        reply.assert_error(StatusCode::UNAUTHORIZED),
        "invalid token"
    );
}

#[tokio::test]
async fn seed_list_has_exactly_the_seed_fields() {
    let double = Double::new(Variant::Seed);
    let reply = double
        .get("/api/v1/tokens?limit=100", Some(&double.key("member")))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    validate_seed_page(&reply.body);
    let page: Page<Token> = serde_json::from_value(reply.body.clone()).unwrap();
    assert_eq!(page.total, MEMBER_TOKENS as u64);
    assert_eq!((page.count, page.offset, page.items.len()), (100, 0, 100));
    // Newest first.
    assert!(
        page.items
            .windows(2)
            .all(|w| w[0].created_at >= w[1].created_at)
    );
    let statuses: Vec<&str> = reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap())
        .collect();
    for status in ["active", "expired", "revoked"] {
        assert!(statuses.contains(&status), "demo data has {status} tokens");
    }
    let member = double.user("member");
    for item in reply.body["items"].as_array().unwrap() {
        assert_eq!(item["user_id"], member.as_str(), "the owner");
        assert_eq!(item["created_by"], member.as_str());
    }
}

#[tokio::test]
async fn lineage_list_matches_the_july_schema_with_explicit_nulls() {
    let double = Double::new(Variant::July);
    let member = double.key("member");
    // filter/sort are not July parameters: ignored, as the real one most likely does.
    let reply = double
        .get(
            "/api/v1/tokens?limit=100&offset=100&filter=eq(status,nope)&sort=bogus(",
            Some(&member),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    validate_lineage_page(&reply.body);
    assert_eq!(reply.body["total"], MEMBER_TOKENS);
    let keys = [
        "attenuation_spec",
        "created_at",
        "expires_at",
        "id",
        "kind",
        "name",
        "parent_token_id",
        "revoked_at",
        "root_token_id",
        "token_type",
    ];
    let mut kinds = std::collections::HashSet::new();
    for item in reply.body["items"].as_array().unwrap() {
        let mut have: Vec<&str> = item
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        have.sort_unstable();
        assert_eq!(have, keys);
        let token: Token = serde_json::from_value(item.clone()).unwrap();
        kinds.insert(item["kind"].as_str().unwrap().to_owned());
        match token.kind {
            Some(TokenKind::Root) => {
                assert!(item["parent_token_id"].is_null() && item["root_token_id"].is_null());
                assert!(item["token_type"].is_string() && item["attenuation_spec"].is_null());
            }
            Some(TokenKind::Attenuated) => {
                assert!(item["parent_token_id"].is_string() && item["root_token_id"].is_string());
                assert!(item["token_type"].is_null() && item["attenuation_spec"].is_object());
            }
            other => panic!("the double mints roots and attenuated tokens, not {other:?}"),
        }
    }
    assert_eq!(kinds.len(), 2, "roots and attenuated tokens");
}

#[tokio::test]
async fn admin_sees_every_token() {
    let double = Double::new(Variant::July);
    let reply = double
        .get("/api/v1/tokens?limit=1", Some(&double.key("admin")))
        .await;
    assert_eq!(reply.body["total"], TOTAL_TOKENS);
    let users: std::collections::HashSet<String> = {
        let store = double.state.store();
        store
            .tokens()
            .iter()
            .map(|t| t.created_by.clone())
            .collect()
    };
    assert!(users.len() > 40);
}

#[tokio::test]
async fn paging_edges() {
    let double = Double::new(Variant::Seed);
    let member = double.key("member");
    let past = double
        .get("/api/v1/tokens?offset=5000", Some(&member))
        .await;
    assert_eq!(past.status, StatusCode::OK);
    assert_eq!(
        past.body,
        json!({"items": [], "count": 0, "offset": 5000, "total": MEMBER_TOKENS})
    );
    let last = double
        .get("/api/v1/tokens?offset=190&limit=50", Some(&member))
        .await;
    assert_eq!(
        (last.body["count"].as_u64(), last.body["offset"].as_u64()),
        (Some(10), Some(190))
    );
    let default = double.get("/api/v1/tokens", Some(&member)).await;
    assert_eq!(default.body["count"], 50);
    for bad in [
        "limit=0",
        "limit=101",
        "limit=ten",
        "offset=-1",
        "offset=x",
        "limit=",
    ] {
        let reply = double
            .get(&format!("/api/v1/tokens?{bad}"), Some(&member))
            .await;
        let message = reply.assert_error(StatusCode::BAD_REQUEST);
        assert!(
            message.contains("limit") || message.contains("offset"),
            "{bad}: {message}"
        );
    }
    let edge = double.get("/api/v1/tokens?limit=100", Some(&member)).await;
    assert_eq!(edge.body["count"], 100);
    let one = double.get("/api/v1/tokens?limit=1", Some(&member)).await;
    assert_eq!(one.body["count"], 1);
}

#[tokio::test]
async fn list_needs_token_list() {
    let double = Double::new(Variant::Seed);
    let member = double.key("member");
    let reply = double
        .attenuate(&member, json!({"allowed_resources": ["experiment"]}))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let child = reply.body["token"].as_str().unwrap().to_owned();
    let message = double
        .get("/api/v1/tokens", Some(&child))
        .await
        .assert_error(StatusCode::FORBIDDEN)
        .to_owned();
    assert!(message.contains("token:list"), "{message}");
    double
        .get("/api/v1/tokens", None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn attenuate_records_a_child_with_lineage() {
    let double = Double::new(Variant::July);
    let member = double.key("member");
    let reply = double
        .attenuate(
            &member,
            json!({"read_only": true, "allowed_resources": ["experiment", "token"]}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert!(reply.headers.contains_key("x-request-id"));
    validate_component("AttenuateTokenResponse", &reply.body);
    let id = reply.body["id"].as_str().unwrap().to_owned();
    let child = reply.body["token"].as_str().unwrap().to_owned();
    assert!(child.starts_with("abs0_"));

    let who: WhoAmI =
        serde_json::from_value(double.get("/api/v1/whoami", Some(&child)).await.body).unwrap();
    assert_eq!(
        who.permissions,
        [
            "experiment:list",
            "experiment:read",
            "token:list",
            "token:read"
        ]
    );

    let list = double.get("/api/v1/tokens?limit=1", Some(&member)).await;
    let newest = &list.body["items"][0];
    let member_root = double
        .get("/api/v1/tokens?limit=100&offset=100", Some(&member))
        .await;
    let root_id = member_root.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(list.body["items"].as_array().unwrap())
        .find(|i| i["name"] == "member demo key")
        .map(|i| i["id"].clone());
    assert_eq!(newest["id"], id.as_str());
    assert_eq!(newest["kind"], "attenuated");
    assert_eq!(newest["name"], "child");
    assert_eq!(
        newest["attenuation_spec"],
        json!({"read_only": true, "allowed_resources": ["experiment", "token"]})
    );
    assert_eq!(newest["parent_token_id"], newest["root_token_id"]);
    if let Some(root_id) = root_id {
        assert_eq!(newest["root_token_id"], root_id);
    }
    assert_eq!(list.body["total"], MEMBER_TOKENS + 1);

    // Chained: the grandchild's parent is the child record, its root the family root.
    let grand = double
        .attenuate(&child, json!({"allowed_actions": ["read"]}))
        .await;
    assert_eq!(grand.status, StatusCode::CREATED, "{}", grand.body);
    let list = double.get("/api/v1/tokens?limit=1", Some(&member)).await;
    assert_eq!(list.body["items"][0]["parent_token_id"], id.as_str());
    assert_eq!(
        list.body["items"][0]["root_token_id"],
        newest["root_token_id"]
    );
}

#[tokio::test]
async fn attenuate_refuses_what_would_widen_or_is_malformed() {
    let double = Double::new(Variant::Seed);
    let member = double.key("member");
    let far = "2999-01-01T00:00:00Z";
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"token": member, "name": "x", "attenuation": {"expires_at": far}}),
            "can only shorten",
        ),
        (
            json!({"token": member, "name": "x", "attenuation": {"expires_at": "2020-01-01T00:00:00Z"}}),
            "in the past",
        ),
        (
            json!({"token": member, "name": "x", "attenuation": {"allowed_actions": ["fly"]}}),
            "unknown action",
        ),
        (
            json!({"token": member, "name": "x", "attenuation": {"allowed_resources": ["moon"]}}),
            "unknown resource",
        ),
        (
            json!({"token": member, "name": "  ", "attenuation": {}}),
            "name",
        ),
        (
            json!({"token": member, "name": "x", "attenuation": {"allowed_org_ids": ["00000000-0000-0000-0000-000000000000"]}}),
            "allowed_org_ids",
        ),
        (
            json!({"token": "abs0_nonsense", "name": "x", "attenuation": {}}),
            "invalid token",
        ),
        (
            json!({"name": "x", "attenuation": {}}),
            "invalid request body",
        ),
        (
            json!({"token": member, "name": "x", "attenuation": {"read_only": "yes"}}),
            "invalid request body",
        ),
    ];
    for (body, needle) in cases {
        let reply = double
            .post(
                "/api/v1/tokens/attenuate",
                Some(&member),
                Some(body.clone()),
            )
            .await;
        let message = reply.assert_error(StatusCode::BAD_REQUEST);
        assert!(message.contains(needle), "{body}: {message}");
    }
    // A longer expiry than a child's parent (the child is bounded by the member key).
    let short = double
        .attenuate(&member, json!({"expires_at": "2099-01-01T00:00:00Z"}))
        .await;
    short.assert_error(StatusCode::BAD_REQUEST);

    // Body token expired / revoked: 401; bearer without token:read: 403.
    for (label, message) in [("expired", "token expired"), ("revoked", "token revoked")] {
        let body = json!({"token": double.key(label), "name": "x", "attenuation": {}});
        let reply = double
            .post("/api/v1/tokens/attenuate", Some(&member), Some(body))
            .await;
        assert_eq!(reply.assert_error(StatusCode::UNAUTHORIZED), message);
    }
    let no_token_rights = double
        .attenuate(&member, json!({"allowed_resources": ["experiment"]}))
        .await;
    let scoped = no_token_rights.body["token"].as_str().unwrap().to_owned();
    let body = json!({"token": scoped, "name": "x", "attenuation": {}});
    double
        .post("/api/v1/tokens/attenuate", Some(&scoped), Some(body))
        .await
        .assert_error(StatusCode::FORBIDDEN);
    // Another user's token.
    let body = json!({"token": double.key("admin"), "name": "x", "attenuation": {}});
    double
        .post("/api/v1/tokens/attenuate", Some(&member), Some(body))
        .await
        .assert_error(StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn attenuate_can_scope_to_one_organization() {
    let double = Double::new(Variant::Seed);
    let member = double.key("member");
    let who: WhoAmI =
        serde_json::from_value(double.get("/api/v1/whoami", Some(&member)).await.body).unwrap();
    let other = who
        .organizations
        .iter()
        .find(|o| !o.active)
        .unwrap()
        .id
        .clone();
    let reply = double
        .attenuate(&member, json!({"allowed_org_ids": [other.clone()]}))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let child = reply.body["token"].as_str().unwrap().to_owned();
    let scoped: WhoAmI =
        serde_json::from_value(double.get("/api/v1/whoami", Some(&child)).await.body).unwrap();
    assert_eq!(scoped.organizations.len(), 1);
    assert_eq!(scoped.active_organization_id, Some(other));
    assert!(scoped.organizations[0].active);
}

#[tokio::test]
async fn revoke_is_idempotent_and_kills_the_family() {
    let double = Double::new(Variant::July);
    let member = double.key("member");
    let read_only = double.key("read-only");
    double
        .post("/api/v1/tokens/revoke", Some(&read_only), None)
        .await
        .assert_error(StatusCode::FORBIDDEN);

    let child = double
        .attenuate(&member, json!({"non_destructive": true}))
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let first = double
        .post("/api/v1/tokens/revoke", Some(&child), None)
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert!(first.headers.contains_key("x-request-id"));
    validate_component("RevokeTokenResponse", &first.body);
    let first: RevokeResponse = serde_json::from_value(first.body).unwrap();
    assert_eq!(
        first.children_revoked,
        Some(2),
        "the read-only demo key and the new child"
    );

    for token in [&member, &read_only, &child] {
        let reply = double.get("/api/v1/whoami", Some(token)).await;
        assert_eq!(
            reply.assert_error(StatusCode::UNAUTHORIZED),
            "token revoked"
        );
    }
    let again = double
        .post("/api/v1/tokens/revoke", Some(&member), None)
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    let again: RevokeResponse = serde_json::from_value(again.body).unwrap();
    assert_eq!(
        (
            again.token_id.clone(),
            again.revoked_at,
            again.children_revoked
        ),
        (first.token_id.clone(), first.revoked_at, Some(0))
    );

    let list = double
        .get("/api/v1/tokens?limit=1", Some(&double.key("admin")))
        .await;
    assert_eq!(list.status, StatusCode::OK);
    let family: Vec<Value> = {
        let store = double.state.store();
        store
            .tokens()
            .iter()
            .filter(|t| Some(t.family()) == first.token_id.as_deref())
            .map(|t| json!(t.revoked_at.map(|r| r.to_string())))
            .collect()
    };
    assert_eq!(family.len(), 3);
    assert!(
        family
            .iter()
            .all(|r| r == &json!(first.revoked_at.map(|t| t.to_string())))
    );

    // A validly signed key without a record: 404.
    let unrecorded = double
        .post(
            "/api/v1/tokens/revoke",
            Some(&double.key("unrecorded")),
            None,
        )
        .await;
    unrecorded.assert_error(StatusCode::NOT_FOUND);
    double
        .post("/api/v1/tokens/revoke", None, None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED);
    double
        .post("/api/v1/tokens/revoke", Some(&double.key("expired")), None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn unknown_paths_and_methods_get_the_envelope() {
    let double = Double::new(Variant::Seed);
    double
        .get("/api/v1/nope", None)
        .await
        .assert_error(StatusCode::NOT_FOUND);
    double
        .post("/api/v1/whoami", None, None)
        .await
        .assert_error(StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn control_reset_restores_the_demo_data() {
    let double = Double::new(Variant::Seed);
    let member = double.key("member");
    assert_eq!(
        double
            .post("/api/v1/tokens/revoke", Some(&member), None)
            .await
            .status,
        StatusCode::OK
    );
    double
        .get("/api/v1/whoami", Some(&member))
        .await
        .assert_error(StatusCode::UNAUTHORIZED);
    assert_eq!(
        double.post("/__control/reset", None, None).await.status,
        StatusCode::OK
    );
    assert_eq!(
        double.get("/api/v1/whoami", Some(&member)).await.status,
        StatusCode::OK
    );
    let keys = double.get("/__control/keys", None).await;
    assert_eq!(keys.body["keys"].as_array().unwrap().len(), 6);
    assert_eq!(keys.body["root_public_key"].as_str().unwrap().len(), 64);
}

#[tokio::test]
async fn the_variant_switches_at_run_time_and_reset_restores_it() {
    let double = Double::new(Variant::Seed);
    let member = double.key("member");
    let list = "/api/v1/tokens?limit=5&offset=0";
    validate_seed_page(&double.get(list, Some(&member)).await.body);

    for variant in ["april", "july", "september"] {
        let switched = double
            .post(
                "/__control/variant",
                None,
                Some(json!({"variant": variant})),
            )
            .await;
        assert_eq!(switched.status, StatusCode::OK);
        assert_eq!(switched.body, json!({"variant": variant}));
        let reply = double.get(list, Some(&member)).await;
        validate_lineage_page(&reply.body);
        assert!(reply.body["items"][0].get("kind").is_some());
    }

    for bad in [
        json!({"variant": "lineage"}),
        json!({"variant": "October"}),
        json!({"shape": "seed"}),
    ] {
        let reply = double.post("/__control/variant", None, Some(bad)).await;
        reply.assert_error(StatusCode::BAD_REQUEST);
    }
    // The old switch is gone.
    double
        .post("/__control/shape", None, Some(json!({"shape": "lineage"})))
        .await
        .assert_error(StatusCode::NOT_FOUND);

    double.post("/__control/reset", None, None).await;
    validate_seed_page(&double.get(list, Some(&member)).await.body);
}
