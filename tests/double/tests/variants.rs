//! What each published variant answers (seed, April, July, September), the error body forms,
//! the seed variant's admin scope and September's payment_policy.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use biscuit_auth::{AuthorizerBuilder, Biscuit, UnverifiedBiscuit};
use common::{
    Double, validate_component, validate_lineage_page, validate_seed_page,
    validate_served_component, validate_served_list,
};
use foundry_double::biscuit::{PREFIX, SLUG, limits};
use foundry_double::demo::{MEMBER_TOKENS, TOTAL_TOKENS};
use foundry_double::state::{Config, ErrorBodyChoice, ErrorForm, Variant};
use serde_json::{Value, json};

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

/// Every token of `token`'s owner visible to it (two pages of 100: the member has 200 + new).
async fn all_items(double: &Double, token: &str) -> Vec<Value> {
    let mut items = Vec::new();
    for offset in [0, 100, 200] {
        let reply = double
            .get(
                &format!("/api/v1/tokens?limit=100&offset={offset}"),
                Some(token),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        items.extend(reply.body["items"].as_array().unwrap().iter().cloned());
    }
    items
}

#[tokio::test]
async fn attenuate_and_revoke_answer_as_each_variant_publishes() {
    for variant in Variant::ALL {
        let double = Double::new(variant);
        let member = double.key("member");
        let reply = double
            .attenuate(&member, json!({"non_destructive": true}))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "{variant:?}: {}",
            reply.body
        );
        assert!(reply.headers.contains_key("x-request-id"));
        if variant == Variant::April {
            assert_eq!(
                keys(&reply.body),
                ["token"],
                "April answers {{token}} alone"
            );
        } else {
            assert_eq!(keys(&reply.body), ["id", "token"], "{variant:?}");
            validate_component("AttenuateTokenResponse", &reply.body);
        }
        let child = reply.body["token"].as_str().unwrap().to_owned();
        assert!(child.starts_with("abs0_"));
        // The child works in every variant.
        assert_eq!(
            double.get("/api/v1/whoami", Some(&child)).await.status,
            StatusCode::OK
        );

        let revoked = double
            .post("/api/v1/tokens/revoke", Some(&child), None)
            .await;
        assert_eq!(
            revoked.status,
            StatusCode::OK,
            "{variant:?}: {}",
            revoked.body
        );
        if variant == Variant::April {
            assert_eq!(keys(&revoked.body), ["revoked_at", "token_id"]);
        } else {
            assert_eq!(
                keys(&revoked.body),
                ["children_revoked", "revoked_at", "token_id"]
            );
            validate_component("RevokeTokenResponse", &revoked.body);
            assert_eq!(revoked.body["children_revoked"], 2, "read-only + child");
        }
        // A repeat returns the first revocation.
        let again = double
            .post("/api/v1/tokens/revoke", Some(&member), None)
            .await;
        assert_eq!(again.body["revoked_at"], revoked.body["revoked_at"]);
        if variant != Variant::April {
            assert_eq!(again.body["children_revoked"], 0);
        }
    }
}

#[tokio::test]
async fn each_variant_lists_in_its_own_shape() {
    for variant in Variant::ALL {
        let double = Double::new(variant);
        let member = double.key("member");
        let reply = double.get("/api/v1/tokens?limit=100", Some(&member)).await;
        assert_eq!(reply.status, StatusCode::OK, "{variant:?}: {}", reply.body);
        assert_eq!(reply.body["total"], MEMBER_TOKENS);
        if variant == Variant::Seed {
            validate_seed_page(&reply.body);
        } else {
            validate_lineage_page(&reply.body);
        }
        // payment_policy is listed in September only (the demo data has some).
        let with_policy: Vec<Value> = all_items(&double, &member)
            .await
            .into_iter()
            .filter_map(|item| item["attenuation_spec"].get("payment_policy").cloned())
            .collect();
        if variant == Variant::September {
            assert!(with_policy.len() >= 3, "{with_policy:?}");
            assert!(
                with_policy.contains(&json!({"max_spend_usd": 500, "requires_quote": true}))
                    || with_policy.contains(&json!({"max_spend_usd": 2000}))
                    || with_policy.contains(&json!({"requires_quote": true})),
                "{with_policy:?}"
            );
        } else {
            assert!(with_policy.is_empty(), "{variant:?}: {with_policy:?}");
        }
        // Filter and sort: read in the seed variant only.
        let filtered = double
            .get("/api/v1/tokens?filter=eq(status,revoked)", Some(&member))
            .await;
        assert_eq!(filtered.status, StatusCode::OK);
        let total = filtered.body["total"].as_u64().unwrap();
        if variant == Variant::Seed {
            assert!(0 < total && total < MEMBER_TOKENS as u64, "{total}");
        } else {
            assert_eq!(total, MEMBER_TOKENS as u64, "{variant:?} ignores filter");
        }
    }
}

#[tokio::test]
async fn each_variant_writes_its_own_error_body() {
    for variant in Variant::ALL {
        let double = Double::new(variant);
        let form = if variant == Variant::April {
            ErrorForm::Error
        } else {
            ErrorForm::Envelope
        };
        let reply = double
            .get("/api/v1/whoami", Some(&double.key("expired")))
            .await;
        assert_eq!(
            reply.assert_error_form(StatusCode::UNAUTHORIZED, form),
            "token expired",
            "{variant:?}"
        );
        // The April body has no id: only the header carries it.
        if variant == Variant::April {
            assert!(reply.body.get("request_id").is_none());
            reply.request_id();
        }
    }
}

/// Sends a request that ends in each kind of error the double makes, and checks every body has
/// `form`: a handler's own error, the 404 fallback, a 405, an extractor rejected in the control
/// API, the control guard, and an injected status fault (with its Retry-After).
async fn assert_every_error_in(double: &Double, form: ErrorForm) {
    let member = double.key("member");
    let message = double
        .get("/api/v1/whoami", None)
        .await
        .assert_error_form(StatusCode::UNAUTHORIZED, form);
    assert_eq!(message, "missing authentication token");
    let message = double
        .post(
            "/api/v1/tokens/revoke",
            Some(&double.key("read-only")),
            None,
        )
        .await
        .assert_error_form(StatusCode::FORBIDDEN, form);
    assert!(message.contains("token:revoke"), "{message}");
    let message = double
        .get("/api/v1/nope", Some(&member))
        .await
        .assert_error_form(StatusCode::NOT_FOUND, form);
    assert_eq!(message, "no such endpoint");
    double
        .post("/api/v1/whoami", None, None)
        .await
        .assert_error_form(StatusCode::METHOD_NOT_ALLOWED, form);
    let message = double
        .post(
            "/api/v1/tokens/attenuate",
            Some(&member),
            Some(json!({"name": "x"})),
        )
        .await
        .assert_error_form(StatusCode::BAD_REQUEST, form);
    assert!(message.contains("invalid request body"), "{message}");
    double
        .post(
            "/__control/faults",
            None,
            Some(json!({"kind": "status", "status": 200})),
        )
        .await
        .assert_error_form(StatusCode::BAD_REQUEST, form);
    let refused = double
        .request_from(
            Request::builder()
                .uri("/__control/keys")
                .header("host", "127.0.0.1:8787")
                .body(Body::empty())
                .unwrap(),
            "10.0.0.1:5000",
        )
        .await;
    refused.assert_error_form(StatusCode::FORBIDDEN, form);
    double
        .post(
            "/__control/faults",
            None,
            Some(json!({"kind": "status", "status": 429, "retry_after": 3, "path": "/api/v1/tokens"})),
        )
        .await;
    let limited = double.get("/api/v1/tokens", Some(&member)).await;
    let message = limited.assert_error_form(StatusCode::TOO_MANY_REQUESTS, form);
    assert_eq!(message, "too many requests, retry later");
    assert_eq!(limited.headers["retry-after"], "3");
    double
        .post(
            "/__control/faults",
            None,
            Some(json!({"kind": "status", "status": 502})),
        )
        .await;
    double
        .get("/api/v1/info/health", None)
        .await
        .assert_error_form(StatusCode::BAD_GATEWAY, form);
}

#[tokio::test]
async fn every_error_follows_the_error_body_form_in_force() {
    let double = Double::new(Variant::July);
    assert_every_error_in(&double, ErrorForm::Envelope).await;
    for (name, form) in [
        ("envelope", ErrorForm::Envelope),
        ("error", ErrorForm::Error),
        ("message", ErrorForm::Message),
        ("detail", ErrorForm::Detail),
        ("text", ErrorForm::Text),
    ] {
        let switched = double
            .post("/__control/error-body", None, Some(json!({"form": name})))
            .await;
        assert_eq!(switched.status, StatusCode::OK);
        assert_eq!(switched.body, json!({"form": name}));
        assert_every_error_in(&double, form).await;
        // Success bodies are untouched.
        let ok = double
            .get("/api/v1/whoami", Some(&double.key("member")))
            .await;
        assert_eq!(ok.status, StatusCode::OK);
        validate_component("WhoAmIResponse", &ok.body);
    }
    // `auto` follows the variant, also after a variant switch.
    double
        .post("/__control/error-body", None, Some(json!({"form": "auto"})))
        .await;
    double
        .post(
            "/__control/variant",
            None,
            Some(json!({"variant": "april"})),
        )
        .await;
    assert_every_error_in(&double, ErrorForm::Error).await;
    let bad = double
        .post("/__control/error-body", None, Some(json!({"form": "html"})))
        .await;
    bad.assert_error_form(StatusCode::BAD_REQUEST, ErrorForm::Error);
    // Reset restores the start: July, auto.
    double
        .post("/__control/error-body", None, Some(json!({"form": "text"})))
        .await;
    double.post("/__control/reset", None, None).await;
    assert_every_error_in(&double, ErrorForm::Envelope).await;
}

#[tokio::test]
async fn a_fixed_error_body_at_start_survives_variant_switches_and_reset() {
    let double = Double::with_config(Config {
        error_body: ErrorBodyChoice::Detail,
        ..Config::new(Variant::April)
    });
    assert_every_error_in(&double, ErrorForm::Detail).await;
    double
        .post("/__control/variant", None, Some(json!({"variant": "seed"})))
        .await;
    assert_every_error_in(&double, ErrorForm::Detail).await;
    double
        .post("/__control/error-body", None, Some(json!({"form": "auto"})))
        .await;
    assert_every_error_in(&double, ErrorForm::Envelope).await;
    double.post("/__control/reset", None, None).await;
    assert_every_error_in(&double, ErrorForm::Detail).await;
    assert_eq!(double.state.variant(), Variant::April);
}

#[tokio::test]
async fn seed_admin_sees_own_tokens_and_others_only_by_user_id() {
    let double = Double::new(Variant::Seed);
    let admin = double.key("admin");
    let admin_user = double.user("admin");
    let member_user = double.user("member");
    let own = {
        let store = double.state.store();
        store
            .tokens()
            .iter()
            .filter(|t| t.created_by == admin_user)
            .count()
    };
    assert!(own > 0 && own < 100);
    let reply = double.get("/api/v1/tokens?limit=100", Some(&admin)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    validate_seed_page(&reply.body);
    assert_eq!(reply.body["total"], own);
    let items = reply.body["items"].as_array().unwrap();
    assert!(items.iter().all(|i| i["user_id"] == admin_user.as_str()));

    // Another user's tokens with eq(user_id,…), alone or under and/or.
    let reply = double
        .get(
            &format!("/api/v1/tokens?filter=eq(user_id,{member_user})&limit=100"),
            Some(&admin),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["total"], MEMBER_TOKENS);
    let items = reply.body["items"].as_array().unwrap();
    assert!(items.iter().all(|i| i["user_id"] == member_user.as_str()));
    let both = double
        .get(
            &format!(
                "/api/v1/tokens?filter=or(eq(user_id,{member_user}),eq(user_id,{admin_user}))&limit=1"
            ),
            Some(&admin),
        )
        .await;
    assert_eq!(both.body["total"], MEMBER_TOKENS + own);
    let revoked = double
        .get(
            &format!("/api/v1/tokens?filter=and(eq(status,revoked),eq(user_id,{member_user}))"),
            Some(&admin),
        )
        .await;
    let revoked_total = revoked.body["total"].as_u64().unwrap();
    assert!(revoked_total > 0 && revoked_total < MEMBER_TOKENS as u64);
    // A field that merely holds the same uuid does not widen the scope.
    let by_creator = double
        .get(
            &format!("/api/v1/tokens?filter=eq(created_by,{member_user})"),
            Some(&admin),
        )
        .await;
    assert_eq!(by_creator.body["total"], 0);

    // The July variant: the global admin sees everyone, as published.
    double
        .post("/__control/variant", None, Some(json!({"variant": "july"})))
        .await;
    let all = double.get("/api/v1/tokens?limit=1", Some(&admin)).await;
    assert_eq!(all.body["total"], TOTAL_TOKENS);
}

#[tokio::test]
async fn seed_non_admin_may_not_name_another_user() {
    let double = Double::new(Variant::Seed);
    let member = double.key("member");
    let member_user = double.user("member");
    let admin_user = double.user("admin");
    for filter in [
        format!("eq(user_id,{admin_user})"),
        format!("and(eq(status,active),eq(user_id,{admin_user}))"),
        format!("or(eq(user_id,{member_user}),eq(user_id,{admin_user}))"),
    ] {
        let reply = double
            .get(&format!("/api/v1/tokens?filter={filter}"), Some(&member))
            .await;
        let message = reply.assert_error(StatusCode::FORBIDDEN);
        assert_eq!(
            message, "filtering by another user's user_id needs admin scope",
            "{filter}"
        );
    }
    // The read-only key is refused the same way (same user, not an admin).
    double
        .get(
            &format!("/api/v1/tokens?filter=eq(user_id,{admin_user})"),
            Some(&double.key("read-only")),
        )
        .await
        .assert_error(StatusCode::FORBIDDEN);
    // Naming oneself is fine.
    let reply = double
        .get(
            &format!("/api/v1/tokens?filter=eq(user_id,{member_user})"),
            Some(&member),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["total"], MEMBER_TOKENS);
}

/// The document a variant serves describes what it sends: its list page, attenuate and revoke
/// answers and error bodies all validate against it (against the published July document
/// only July's do).
#[tokio::test]
async fn every_variant_answers_as_the_document_it_serves() {
    for variant in Variant::ALL {
        let double = Double::new(variant);
        let doc = double.get("/api/v1/openapi.json", None).await.body;
        let member = double.key("member");
        let made = double
            .attenuate(
                &member,
                json!({"non_destructive": true, "payment_policy": {"max_usd": 5}}),
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{variant:?}");
        validate_served_component(&doc, "AttenuateTokenResponse", &made.body);
        let page = double.get("/api/v1/tokens?limit=100", Some(&member)).await;
        assert_eq!(page.status, StatusCode::OK, "{variant:?}: {}", page.body);
        validate_served_list(&doc, &page.body);
        let refused = double.get("/api/v1/whoami", Some("garbage")).await;
        validate_served_component(&doc, "ErrorResponse", &refused.body);
        let child = made.body["token"].as_str().unwrap().to_owned();
        let revoked = double
            .post("/api/v1/tokens/revoke", Some(&child), None)
            .await;
        assert_eq!(revoked.status, StatusCode::OK, "{variant:?}");
        validate_served_component(&doc, "RevokeTokenResponse", &revoked.body);
        let listed_policy = doc
            .pointer("/components/schemas/AttenuationSpec/properties/payment_policy")
            .is_some();
        assert_eq!(listed_policy, variant.payment_policy(), "{variant:?}");
    }
}

#[tokio::test]
async fn openapi_names_the_double_and_its_variant_parameters() {
    for variant in Variant::ALL {
        let double = Double::new(variant);
        let spec = double.get("/api/v1/openapi.json", None).await;
        assert_eq!(spec.status, StatusCode::OK);
        assert_eq!(
            spec.body["servers"][0]["url"], "http://127.0.0.1:8787",
            "{variant:?}"
        );
        let published = common::openapi();
        // July's schemas are the published ones; the other variants differ only where they
        // answer otherwise (every_variant_answers_as_the_document_it_serves).
        if variant == Variant::July {
            assert_eq!(spec.body["components"], published["components"]);
        }
        let names: Vec<&str> = spec.body["paths"]["/api/v1/tokens"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        if variant == Variant::Seed {
            assert_eq!(names, ["limit", "offset", "filter", "sort"]);
        } else {
            assert_eq!(names, ["limit", "offset"], "{variant:?}");
            assert_eq!(
                spec.body["paths"]["/api/v1/tokens"], published["paths"]["/api/v1/tokens"],
                "the lineage list as published"
            );
        }
        // The experiment and target operations, with unique operation ids.
        let paths = spec.body["paths"].as_object().unwrap();
        let mut ids: Vec<&str> = paths
            .values()
            .flat_map(|p| p.as_object().unwrap().values())
            .map(|op| op["operationId"].as_str().unwrap())
            .collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), before, "unique operation ids");
        for id in ["list_experiments", "create_experiment", "list_targets"] {
            assert!(ids.contains(&id), "{id}");
        }
        assert_eq!(
            spec.body["paths"]["/api/v1/experiments"]["get"]["parameters"][0]["name"],
            "limit"
        );
        // Every $ref resolves.
        let text = spec.body.to_string();
        for piece in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = &piece[..piece.find('"').unwrap()];
            assert!(
                published["components"]["schemas"].get(name).is_some(),
                "{name}"
            );
        }
    }
    // Another host name, as a proxy or a port forward would present.
    let double = Double::new(Variant::July);
    let spec = double
        .request(
            Request::builder()
                .uri("/api/v1/openapi.json")
                .header("host", "localhost:18787")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(spec.body["servers"][0]["url"], "http://localhost:18787");
    // Switching the variant switches the document.
    double
        .post("/__control/variant", None, Some(json!({"variant": "seed"})))
        .await;
    let spec = double.get("/api/v1/openapi.json", None).await;
    assert_eq!(
        spec.body["paths"]["/api/v1/tokens"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

fn b64(token: &str) -> &str {
    token
        .strip_prefix(PREFIX)
        .and_then(|t| t.strip_prefix(SLUG))
        .unwrap()
}

/// The source of the token's last block.
fn last_block(token: &str) -> String {
    let biscuit = UnverifiedBiscuit::from_base64(b64(token)).unwrap();
    biscuit
        .print_block_source(biscuit.block_count() - 1)
        .unwrap()
}

/// The text of every `payment_policy` fact in the token's blocks, read with a plain Authorizer.
fn policy_facts(double: &Double, token: &str) -> Vec<String> {
    let biscuit = Biscuit::from_base64(b64(token), double.state.0.root.public()).unwrap();
    // The double's limits: the default 1 ms is too tight for a busy machine.
    let mut authorizer = AuthorizerBuilder::new()
        .set_limits(limits())
        .build(&biscuit)
        .unwrap();
    let rows: Vec<(String,)> = authorizer
        .query_all("data($p) <- payment_policy($p)")
        .unwrap();
    rows.into_iter().map(|(p,)| p).collect()
}

/// The newest row of the store (the one just attenuated) as listed by `token`'s owner.
async fn newest(double: &Double, token: &str) -> Value {
    let list = double.get("/api/v1/tokens?limit=1", Some(token)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    list.body["items"][0].clone()
}

#[tokio::test]
async fn september_payment_policy_is_stored_listed_inherited_and_never_changed() {
    let double = Double::new(Variant::September);
    let member = double.key("member");
    let policy = json!({"max_spend_usd": 500, "requires_quote": true});
    let reply = double
        .attenuate(
            &member,
            json!({"allowed_resources": ["experiment", "token", "quote"], "payment_policy": policy}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let child_id = reply.body["id"].as_str().unwrap().to_owned();
    let child = reply.body["token"].as_str().unwrap().to_owned();
    // Stored on the record.
    {
        let store = double.state.store();
        let row = store.get(&child_id).unwrap();
        assert_eq!(
            row.attenuation_spec.as_ref().unwrap().payment_policy,
            Some(policy.clone())
        );
    }
    // Listed inside attenuation_spec, valid against the published list schema.
    let list = double.get("/api/v1/tokens?limit=3", Some(&member)).await;
    validate_lineage_page(&list.body);
    let item = &list.body["items"][0];
    assert_eq!(item["id"], child_id.as_str());
    assert_eq!(
        item["attenuation_spec"],
        json!({"allowed_resources": ["experiment", "token", "quote"], "payment_policy": policy})
    );
    // In the Biscuit: a fact of the new block holding the compact JSON text, which grants
    // nothing (the whoami below still shows only the narrowed rights).
    assert_eq!(
        policy_facts(&double, &child),
        [r#"{"max_spend_usd":500,"requires_quote":true}"#]
    );
    assert!(last_block(&child).contains("payment_policy("));
    let who = double.get("/api/v1/whoami", Some(&child)).await;
    assert!(
        who.body["permissions"].as_array().unwrap().iter().all(|p| {
            let p = p.as_str().unwrap();
            p.starts_with("experiment:") || p.starts_with("token:") || p.starts_with("quote:")
        }),
        "{}",
        who.body
    );

    // A child of the child that says nothing (or null) inherits the policy.
    let grand = double
        .post(
            "/api/v1/tokens/attenuate",
            Some(&child),
            Some(json!({"token": child, "name": "grandchild", "attenuation": {"read_only": true, "payment_policy": null}})),
        )
        .await;
    assert_eq!(grand.status, StatusCode::CREATED, "{}", grand.body);
    let grandchild = grand.body["token"].as_str().unwrap().to_owned();
    let item = newest(&double, &member).await;
    assert_eq!(item["id"], grand.body["id"]);
    assert_eq!(item["parent_token_id"], child_id.as_str());
    assert_eq!(
        item["attenuation_spec"],
        json!({"read_only": true, "payment_policy": policy})
    );
    assert_eq!(
        policy_facts(&double, &grandchild),
        [r#"{"max_spend_usd":500,"requires_quote":true}"#],
        "one policy, whichever blocks state it"
    );
    // And its child too (a great-grandchild), sending the same policy: fine.
    let same = double
        .post(
            "/api/v1/tokens/attenuate",
            Some(&grandchild),
            Some(json!({"token": grandchild, "name": "same", "attenuation": {"payment_policy": {"requires_quote": true, "max_spend_usd": 500}}})),
        )
        .await;
    assert_eq!(same.status, StatusCode::CREATED, "{}", same.body);
    assert_eq!(
        newest(&double, &member).await["attenuation_spec"]["payment_policy"],
        policy
    );

    // A different policy, wider or narrower, is refused: its meaning is not published.
    let before = double.state.store().tokens().len();
    for other in [
        json!({"max_spend_usd": 5000, "requires_quote": true}),
        json!({"max_spend_usd": 100, "requires_quote": true}),
        json!({}),
        json!("none"),
    ] {
        let reply = double
            .post(
                "/api/v1/tokens/attenuate",
                Some(&grandchild),
                Some(json!({"token": grandchild, "name": "wider", "attenuation": {"payment_policy": other}})),
            )
            .await;
        assert_eq!(
            reply.assert_error(StatusCode::BAD_REQUEST),
            "payment_policy cannot be changed: its meaning is not published",
            "{other}"
        );
    }
    assert_eq!(
        double.state.store().tokens().len(),
        before,
        "nothing recorded"
    );

    // A token without a policy may be given one; the member's root has none.
    let plain = double.attenuate(&member, json!({"read_only": true})).await;
    assert_eq!(plain.status, StatusCode::CREATED);
    assert_eq!(
        newest(&double, &member).await["attenuation_spec"],
        json!({"read_only": true})
    );
    assert!(!last_block(plain.body["token"].as_str().unwrap()).contains("payment_policy"));
}

#[tokio::test]
async fn earlier_variants_accept_payment_policy_and_ignore_it() {
    for variant in [Variant::Seed, Variant::April, Variant::July] {
        let double = Double::new(variant);
        let member = double.key("member");
        let reply = double
            .attenuate(
                &member,
                json!({"read_only": true, "payment_policy": {"max_spend_usd": 1}, "future_field": 1}),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "{variant:?}: {}",
            reply.body
        );
        let child = reply.body["token"].as_str().unwrap().to_owned();
        assert!(
            !last_block(&child).contains("payment_policy"),
            "{variant:?}"
        );
        let spec = {
            let store = double.state.store();
            let row = store
                .tokens()
                .iter()
                .max_by_key(|t| (t.created_at, t.id.clone()))
                .unwrap()
                .clone();
            row.attenuation_spec.unwrap()
        };
        assert!(spec.read_only);
        assert_eq!(spec.payment_policy, None, "{variant:?}: not stored");
        // Unknown fields cannot be stored: the record keeps the typed spec, which has none.
        // Later, in September, the child has no policy to inherit: it may take any.
        double
            .post(
                "/__control/variant",
                None,
                Some(json!({"variant": "september"})),
            )
            .await;
        let grand = double
            .post(
                "/api/v1/tokens/attenuate",
                Some(&child),
                Some(json!({"token": child, "name": "g", "attenuation": {"payment_policy": {"max_spend_usd": 2}}})),
            )
            .await;
        assert_eq!(grand.status, StatusCode::CREATED, "{}", grand.body);
    }
}

#[tokio::test]
async fn a_policy_set_in_september_survives_a_detour_through_july() {
    let double = Double::new(Variant::September);
    let member = double.key("member");
    let policy = json!({"requires_quote": true});
    let child = double
        .attenuate(&member, json!({"payment_policy": policy}))
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    double
        .post("/__control/variant", None, Some(json!({"variant": "july"})))
        .await;
    let july_child = double.attenuate(&child, json!({"read_only": true})).await;
    // The token in the body is the child, the bearer too: attenuate() sends it as both.
    assert_eq!(
        july_child.status,
        StatusCode::CREATED,
        "{}",
        july_child.body
    );
    let july_child = july_child.body["token"].as_str().unwrap().to_owned();
    // July lists no policy at all.
    assert!(
        newest(&double, &member).await["attenuation_spec"]
            .get("payment_policy")
            .is_none()
    );
    double
        .post(
            "/__control/variant",
            None,
            Some(json!({"variant": "september"})),
        )
        .await;
    let reply = double
        .post(
            "/api/v1/tokens/attenuate",
            Some(&july_child),
            Some(json!({"token": july_child, "name": "x", "attenuation": {"payment_policy": {"requires_quote": false}}})),
        )
        .await;
    reply.assert_error(StatusCode::BAD_REQUEST);
    let inherits = double
        .post(
            "/api/v1/tokens/attenuate",
            Some(&july_child),
            Some(json!({"token": july_child, "name": "x", "attenuation": {}})),
        )
        .await;
    assert_eq!(inherits.status, StatusCode::CREATED, "{}", inherits.body);
    assert_eq!(
        newest(&double, &member).await["attenuation_spec"]["payment_policy"],
        policy
    );
}

#[tokio::test]
async fn april_errors_carry_the_id_in_the_header_only() {
    let double = Double::new(Variant::April);
    for (method, path, token) in [
        (Method::GET, "/api/v1/whoami", None),
        (
            Method::GET,
            "/api/v1/tokens?limit=0",
            Some(double.key("member")),
        ),
        (
            Method::POST,
            "/api/v1/tokens/revoke",
            Some(double.key("unrecorded")),
        ),
    ] {
        let reply = double.call(method, path, token.as_deref(), None).await;
        assert!(reply.status.is_client_error(), "{path}");
        assert_eq!(keys(&reply.body), ["error"], "{path}");
        reply.request_id();
    }
}
