//! The key goes only to the base, only in the Authorization header (and, where the API
//! requires it, as `token` in the attenuation body), and never into an error message.

use super::fake::*;
use crate::api::listing::ListQuery;
use crate::api::models::AttenuationSpec;
use crate::api::transport::Method;
use futures::executor::block_on;

#[test]
fn the_key_only_travels_in_the_authorization_header_to_the_base() {
    let clock = FakeClock::new();
    let transport = FakeTransport::routed(&clock, |seen| {
        let body = match seen.url.as_str() {
            u if u.ends_with("/api/v1/whoami") => WHOAMI.to_owned(),
            u if u.ends_with("/api/v1/info/health") => r#"{"status":"ok"}"#.to_owned(),
            u if u.ends_with("/api/v1/openapi.json") => r#"{"paths":{}}"#.to_owned(),
            u if u.contains("/api/v1/tokens?") => {
                r#"{"items":[],"count":0,"offset":0,"total":0}"#.to_owned()
            }
            u if u.ends_with("/api/v1/tokens/attenuate") => {
                r#"{"id":"n1","token":"abs0_child"}"#.to_owned()
            }
            u if u.ends_with("/api/v1/tokens/revoke") => {
                r#"{"token_id":"r1","revoked_at":"2026-01-01T00:00:00Z","children_revoked":2}"#
                    .to_owned()
            }
            other => panic!("unexpected URL {other}"),
        };
        Step::Respond(response(
            if seen.url.ends_with("attenuate") {
                201
            } else {
                200
            },
            &body,
        ))
    });
    let c = client(&transport, &clock);
    block_on(async {
        c.whoami().await.unwrap();
        c.health().await.unwrap();
        c.list_capabilities().await;
        c.list_tokens(&ListQuery::default()).await.unwrap();
        let child = c
            .attenuate(
                "ci",
                AttenuationSpec {
                    read_only: true,
                    ..Default::default()
                },
                Some("p1"),
            )
            .await;
        assert_eq!(child.unwrap().token.expose_secret(), "abs0_child");
        c.revoke().await.unwrap();
    });
    let seen = transport.seen();
    assert_eq!(seen.len(), 6);
    for request in &seen {
        assert!(
            request.url.starts_with(&format!("{BASE}/api/v1/")),
            "{}",
            request.url
        );
        assert!(!request.url.contains(KEY));
        assert!(
            request
                .headers
                .iter()
                .all(|(name, value)| !value.contains(KEY) && !name.contains(KEY))
        );
        let anonymous =
            request.url.ends_with("/info/health") || request.url.ends_with("/openapi.json");
        let expected = (!anonymous).then(|| format!("Bearer {KEY}"));
        assert_eq!(request.authorization, expected, "{}", request.url);
        match &request.body {
            None => {}
            Some(body) => {
                assert_eq!(request.method, Method::Post);
                let mut json: serde_json::Value = serde_json::from_str(body).unwrap();
                assert_eq!(
                    json["token"], KEY,
                    "the attenuation body names the parent token"
                );
                json.as_object_mut().unwrap().remove("token");
                assert!(
                    !json.to_string().contains(KEY),
                    "the key appears elsewhere in the body"
                );
            }
        }
    }
    assert!(
        seen.iter()
            .filter(|s| s.body.is_some())
            .all(|s| s.url.ends_with("/attenuate"))
    );
}

#[test]
fn a_key_echoed_by_the_server_is_scrubbed_from_errors() {
    for status in [400, 401, 403, 404, 409, 500] {
        let clock = FakeClock::new();
        let transport = FakeTransport::scripted(
            &clock,
            vec![Step::Respond(error(
                status,
                &format!("bad token {KEY} given"),
                "req_k",
            ))],
        );
        let error = block_on(client(&transport, &clock).revoke()).unwrap_err();
        for text in [
            error.to_string(),
            error.advice(),
            error.title().to_owned(),
            format!("{error:?}"),
        ] {
            assert!(!text.contains(KEY), "{status}: {text}");
        }
        assert!(
            error.to_string().contains("bad token [key] given"),
            "{status}: {error}"
        );
    }
    // Also when serde quotes a value from a malformed body.
    let clock = FakeClock::new();
    let transport = FakeTransport::scripted(
        &clock,
        vec![Step::Respond(response(
            200,
            &format!(r#"{{"organizations":"{KEY}","permissions":[]}}"#),
        ))],
    );
    let error = block_on(client(&transport, &clock).whoami()).unwrap_err();
    assert!(!format!("{error:?}").contains(KEY), "{error:?}");
    assert!(
        error.to_string().contains("[key]"),
        "the type error quotes the value: {error}"
    );
}

#[test]
fn the_client_can_live_in_a_leptos_signal() {
    // Leptos 0.8 signals need Send + Sync; the futures stay local (wasm32).
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<crate::api::client::FoundryClient<FakeTransport>>();
    assert_send_sync::<crate::api::cancel::CancelToken>();
}
