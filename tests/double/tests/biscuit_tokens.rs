//! Minted tokens are real Biscuits: they decode without the root key, and the root public key
//! verifies them and authorizes exactly their rights.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use biscuit_auth::builder::{fact, string};
use biscuit_auth::{AuthorizerBuilder, Biscuit, PublicKey, UnverifiedBiscuit};
use common::Double;
use foundry_double::biscuit::{PREFIX, SLUG, date, limits};
use foundry_double::state::{Variant, now};
use foundry_keyring::timestamp::Timestamp;

fn b64(token: &str) -> &str {
    token
        .strip_prefix(PREFIX)
        .and_then(|t| t.strip_prefix(SLUG))
        .unwrap()
}

/// A plain Authorizer, written here rather than borrowed from the double, as a client would.
fn authorized(token: &Biscuit, resource: &str, action: &str, at: Timestamp) -> bool {
    let mut authorizer = AuthorizerBuilder::new()
        .set_limits(limits())
        .fact(fact("time", &[date(at)]))
        .unwrap()
        .fact(fact("operation", &[string(resource), string(action)]))
        .unwrap()
        .code("allow if right($r, $a), operation($r, $a);")
        .unwrap()
        .build(token)
        .unwrap();
    authorizer.authorize().is_ok()
}

fn root_public(double: &Double) -> PublicKey {
    double.state.0.root.public()
}

#[tokio::test]
async fn minted_keys_decode_without_the_root_key() {
    let double = Double::new(Variant::Seed);
    let member = UnverifiedBiscuit::from_base64(b64(&double.key("member"))).unwrap();
    assert_eq!(member.block_count(), 1);
    let authority = member.print_block_source(0).unwrap();
    assert!(authority.contains("token_id(\""), "{authority}");
    assert!(
        authority.contains("right(\"token\", \"revoke\")"),
        "{authority}"
    );
    assert!(
        authority.contains("check if time($time), $time <= "),
        "{authority}"
    );
    assert!(authority.contains("active_organization(\""), "{authority}");
    assert!(!authority.contains("admin_scope"), "{authority}");

    let read_only = UnverifiedBiscuit::from_base64(b64(&double.key("read-only"))).unwrap();
    assert_eq!(read_only.block_count(), 2);
    let block = read_only.print_block_source(1).unwrap();
    assert!(block.contains("check if operation($r, $a)"), "{block}");
    assert!(
        block.contains("\"list\"") && block.contains("\"read\""),
        "{block}"
    );

    let admin = UnverifiedBiscuit::from_base64(b64(&double.key("admin"))).unwrap();
    assert!(
        admin
            .print_block_source(0)
            .unwrap()
            .contains("admin_scope(\"global\")")
    );
}

#[tokio::test]
async fn read_only_child_authorizes_exactly_list_and_read() {
    let double = Double::new(Variant::Seed);
    let token = Biscuit::from_base64(b64(&double.key("read-only")), root_public(&double)).unwrap();
    let now = now();
    assert!(authorized(&token, "experiment", "list", now));
    assert!(authorized(&token, "token", "read", now));
    assert!(!authorized(&token, "experiment", "create", now));
    assert!(!authorized(&token, "experiment", "delete", now));
    assert!(!authorized(&token, "token", "revoke", now));
    // Not in the member's rights at all: the authority block decides, not the attenuation.
    assert!(!authorized(&token, "admin", "read", now));

    let member = Biscuit::from_base64(b64(&double.key("member")), root_public(&double)).unwrap();
    assert!(authorized(&member, "experiment", "delete", now));
    assert!(authorized(&member, "token", "revoke", now));
    assert!(!authorized(&member, "admin", "read", now));
    // After its expiry the same request fails.
    assert!(!authorized(
        &member,
        "experiment",
        "read",
        now.plus_seconds(400 * 86_400)
    ));
}

#[tokio::test]
async fn tokens_fail_verification_under_another_root_key() {
    let double = Double::new(Variant::Seed);
    let other = Double::new(Variant::Seed);
    assert!(Biscuit::from_base64(b64(&double.key("member")), root_public(&other)).is_err());
    assert!(Biscuit::from_base64(b64(&double.key("member")), root_public(&double)).is_ok());
}

#[tokio::test]
async fn an_offline_attenuation_is_honoured() {
    // A holder appends a block without the root key; the double must enforce it.
    let double = Double::new(Variant::Seed);
    let member = UnverifiedBiscuit::from_base64(b64(&double.key("member"))).unwrap();
    let block = biscuit_auth::BlockBuilder::new()
        .code("check if operation($r, $a), $r == \"experiment\";")
        .unwrap();
    let offline = format!(
        "{PREFIX}{SLUG}{}",
        member.append(block).unwrap().to_base64().unwrap()
    );
    let reply = double.get("/api/v1/tokens", Some(&offline)).await;
    assert!(
        reply
            .assert_error(axum::http::StatusCode::FORBIDDEN)
            .contains("token:list")
    );
    let who: foundry_keyring::api::models::WhoAmI =
        serde_json::from_value(double.get("/api/v1/whoami", Some(&offline)).await.body).unwrap();
    assert!(
        who.permissions.iter().all(|p| p.starts_with("experiment:")),
        "{:?}",
        who.permissions
    );
    // Other slugs are accepted too: the slug has no published length.
    let reslugged = format!("{PREFIX}xy{}", b64(&double.key("member")));
    assert_eq!(
        double.get("/api/v1/whoami", Some(&reslugged)).await.status,
        axum::http::StatusCode::OK
    );
}
