//! The contract matrix: the app's real client (`foundry_keyring::api::FoundryClient`, with its
//! retries and its error mapping) against the in-process double, for every published variant
//! (seed, April, July, September) and every error body form (the variant's own, `envelope`,
//! `error`, `message`, `detail`, `text`).
//!
//! The transport hands each request to the axum router as `server.rs` would (a loopback peer and
//! a Host header), and hands back the status, the body and the `x-request-id` and `retry-after`
//! headers, as the browser transport does. The clock never waits.
//!
//! The error cases collect every mismatch and fail once with the whole list, so a run shows at
//! a glance which forms the client does not read yet.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::body::Body;
use axum::extract::connect_info::ConnectInfo;
use axum::http::Request;
use common::Double;
use foundry_double::routes;
use foundry_double::state::{AppState, ErrorBodyChoice, Variant};
use foundry_keyring::api::models::{AttenuationSpec, TokenKind};
use foundry_keyring::api::{
    ApiBase, ApiError, AuthProblem, CancelToken, Clock, FoundryClient, HttpRequest, HttpResponse,
    ListQuery, Method, RetryPolicy, Transport, TransportError,
};
use foundry_keyring::secret::SecretString;
use foundry_keyring::timestamp::Timestamp;
use http_body_util::BodyExt;
use serde_json::json;
use std::cell::RefCell;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tower::ServiceExt;

const BASE: &str = "http://127.0.0.1:8787";

/// Sends each request through the double's router, in process.
struct RouterTransport {
    state: AppState,
    /// The `x-request-id` of every response, in order.
    ids: Rc<RefCell<Vec<String>>>,
}

impl Transport for RouterTransport {
    fn send<'a>(
        &'a self,
        request: HttpRequest,
        cancel: &'a CancelToken,
    ) -> Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + 'a>> {
        Box::pin(async move {
            if cancel.is_cancelled() {
                return Err(TransportError::Aborted);
            }
            let path = request
                .url
                .strip_prefix(BASE)
                .unwrap_or_else(|| panic!("a URL off the base: {}", request.url));
            let method = match request.method {
                Method::Get => axum::http::Method::GET,
                Method::Post => axum::http::Method::POST,
            };
            let mut builder = Request::builder()
                .method(method)
                .uri(path)
                .header("host", "127.0.0.1:8787");
            for (name, value) in &request.headers {
                builder = builder.header(*name, value);
            }
            if let Some(authorization) = &request.authorization {
                builder = builder.header("authorization", authorization.expose_secret());
            }
            let body = match &request.body {
                Some(body) => Body::from(body.expose_secret().to_vec()),
                None => Body::empty(),
            };
            let mut http = builder.body(body).unwrap();
            let peer: SocketAddr = "127.0.0.1:50000".parse().unwrap();
            http.extensions_mut().insert(ConnectInfo(peer));
            let response = routes::app(self.state.clone()).oneshot(http).await.unwrap();
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            let request_id = header("x-request-id");
            let retry_after = header("retry-after");
            let status = response.status().as_u16();
            let body = response
                .into_body()
                .collect()
                .await
                .unwrap()
                .to_bytes()
                .to_vec();
            self.ids
                .borrow_mut()
                .push(request_id.clone().expect("every response has x-request-id"));
            Ok(HttpResponse {
                status,
                request_id,
                retry_after,
                body,
            })
        })
    }
}

/// Sleeps end at once; time moves on by what was slept.
#[derive(Default)]
struct InstantClock(AtomicU64);

impl Clock for InstantClock {
    fn now(&self) -> Duration {
        Duration::from_nanos(self.0.load(Ordering::SeqCst))
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + 'static>> {
        let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
        self.0.fetch_add(nanos, Ordering::SeqCst);
        Box::pin(async {})
    }
}

struct Harness {
    double: Double,
    ids: Rc<RefCell<Vec<String>>>,
}

impl Harness {
    fn new(variant: Variant) -> Self {
        Self {
            double: Double::new(variant),
            ids: Rc::default(),
        }
    }

    fn client(&self, key: &str) -> FoundryClient<RouterTransport> {
        let transport = RouterTransport {
            state: self.double.state.clone(),
            ids: Rc::clone(&self.ids),
        };
        FoundryClient::new(
            ApiBase::parse(BASE).unwrap(),
            SecretString::from(key),
            transport,
            Arc::new(InstantClock::default()),
        )
        .with_policy(RetryPolicy::default())
        .with_jitter(Arc::new(|| 0.0))
    }

    fn demo(&self, label: &str) -> FoundryClient<RouterTransport> {
        self.client(&self.double.key(label))
    }

    /// The `x-request-id` the double sent last.
    fn last_id(&self) -> String {
        self.ids.borrow().last().cloned().expect("a response")
    }

    async fn fault(&self, status: u16, path: &str, count: u32) {
        let reply = self
            .double
            .post(
                "/__control/faults",
                None,
                Some(json!({"kind": "status", "status": status, "path": path, "count": count})),
            )
            .await;
        assert_eq!(reply.status.as_u16(), 201, "{}", reply.body);
    }
}

// ---------------------------------------------------------------------------------------------
// Success paths, per variant.

#[tokio::test]
async fn the_client_works_against_every_variant() {
    for variant in Variant::ALL {
        let h = Harness::new(variant);
        let member = h.demo("member");

        let who = member.whoami().await.unwrap();
        assert_eq!(who.user_id, Some(h.double.user("member")), "{variant:?}");
        assert!(who.permissions.contains(&"token:revoke".to_owned()));
        assert!(who.active_organization().is_some());

        let page = member.list_tokens(&ListQuery::default()).await.unwrap();
        assert_eq!(page.count, 50, "{variant:?}");
        assert_eq!(page.items.len(), 50);
        assert_eq!(page.total, 200);
        let now = Timestamp::from_unix(
            i64::try_from(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_secs(),
            )
            .unwrap(),
        );
        for token in &page.items {
            if variant == Variant::Seed {
                assert!(token.status.is_some(), "seed sends status");
                assert_eq!(token.kind, None);
                assert_eq!(token.user_id, Some(h.double.user("member")));
            } else {
                assert_eq!(token.status, None, "{variant:?}: lineage has no status");
                assert!(token.kind.is_some());
                assert_eq!(token.user_id, None);
                // Derived as published: revoked_at, then expires_at.
                let derived = token.status_at(now);
                if token.revoked_at.is_some() {
                    assert_eq!(derived.as_str(), "revoked");
                }
                if token.kind == Some(TokenKind::Attenuated) {
                    let spec = token.attenuation().expect("a spec the client reads");
                    if variant != Variant::September {
                        assert_eq!(spec.payment_policy, None, "{variant:?}");
                    }
                }
            }
        }

        let spec = AttenuationSpec {
            non_destructive: true,
            payment_policy: Some(json!({"max_spend_usd": 500, "requires_quote": true})),
            ..AttenuationSpec::default()
        };
        let child = member
            .attenuate("contract child", spec, None)
            .await
            .unwrap();
        assert!(child.token.expose_secret().starts_with("abs0_"));
        assert_eq!(child.id.is_some(), variant != Variant::April, "{variant:?}");

        // The new child key attenuates again.
        let child_client = h.client(child.token.expose_secret());
        let narrower = AttenuationSpec {
            allowed_resources: Some(vec!["token".into(), "experiment".into()]),
            ..AttenuationSpec::default()
        };
        let grandchild = child_client
            .attenuate("contract grandchild", narrower, child.id.as_deref())
            .await
            .unwrap();
        assert_eq!(grandchild.id.is_some(), variant != Variant::April);
        let grandchild_client = h.client(grandchild.token.expose_secret());
        let who = grandchild_client.whoami().await.unwrap();
        assert!(
            who.permissions
                .iter()
                .all(|p| p.starts_with("token:") || p.starts_with("experiment:")),
            "{:?}",
            who.permissions
        );

        // The grandchild listed, with its payment policy where the variant has one.
        let newest = member
            .list_tokens(&ListQuery {
                limit: foundry_keyring::api::PageLimit::new(2).unwrap(),
                ..ListQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(newest.items[0].name, "contract grandchild", "{variant:?}");
        if variant == Variant::Seed {
            assert_eq!(newest.items[0].token_type.as_deref(), Some("attenuated"));
        } else {
            let spec = newest.items[0].attenuation().unwrap();
            assert_eq!(
                spec.allowed_resources,
                Some(vec!["token".into(), "experiment".into()])
            );
            assert_eq!(
                spec.payment_policy,
                (variant == Variant::September)
                    .then(|| json!({"max_spend_usd": 500, "requires_quote": true})),
                "{variant:?}: inherited in September, absent before"
            );
            if let Some(id) = &child.id {
                assert_eq!(newest.items[0].parent_token_id.as_ref(), Some(id));
            }
        }

        // Revoke from the grandchild: the member's whole family.
        let revoked = grandchild_client.revoke().await.unwrap();
        let expected = (variant != Variant::April).then_some(3);
        assert_eq!(
            revoked.children_revoked, expected,
            "{variant:?}: read-only demo key, child, grandchild"
        );
        let again = member.revoke().await.unwrap();
        assert_eq!(again.revoked_at, revoked.revoked_at);
        assert_eq!(again.token_id, revoked.token_id);
        let after = member.whoami().await;
        assert!(
            matches!(
                after,
                Err(ApiError::Unauthorized {
                    problem: AuthProblem::Revoked,
                    ..
                })
            ),
            "{variant:?}: {after:?}"
        );
    }
}

#[tokio::test]
async fn the_seed_variant_filters_for_the_client() {
    let h = Harness::new(Variant::Seed);
    let member = h.demo("member");
    let query = ListQuery {
        filter: Some(foundry_keyring::query::parse_filter("eq(status,revoked)").unwrap()),
        ..ListQuery::default()
    };
    let page = member.list_tokens(&query).await.unwrap();
    assert!(page.total > 0 && page.total < 200);
    assert!(
        page.items
            .iter()
            .all(|t| t.status.as_ref().map(|s| s.as_str()) == Some("revoked"))
    );
    // The admin: own tokens by default, the member's by user_id.
    let admin = h.demo("admin");
    let own = admin.list_tokens(&ListQuery::default()).await.unwrap();
    assert!(own.total < 100, "{}", own.total);
    let query = ListQuery {
        filter: Some(
            foundry_keyring::query::parse_filter(&format!(
                "eq(user_id,{})",
                h.double.user("member")
            ))
            .unwrap(),
        ),
        ..ListQuery::default()
    };
    assert_eq!(admin.list_tokens(&query).await.unwrap().total, 200);
}

// ---------------------------------------------------------------------------------------------
// Errors: every variant × every error body form × 401, 403, 400, 404, 500.

const FORMS: [ErrorBodyChoice; 6] = [
    ErrorBodyChoice::Auto,
    ErrorBodyChoice::Envelope,
    ErrorBodyChoice::Error,
    ErrorBodyChoice::Message,
    ErrorBodyChoice::Detail,
    ErrorBodyChoice::Text,
];

/// Mismatches, collected: `"{variant} {form} {case}: {what}"`.
#[derive(Default)]
struct Failures(Vec<String>);

impl Failures {
    /// Checks one error: its variant (`kind`), that its request id is the `x-request-id` the
    /// double sent, and that the double's own words are in its message.
    fn check(
        &mut self,
        case: &str,
        result: Result<impl std::fmt::Debug, ApiError>,
        kind: fn(&ApiError) -> bool,
        sent_id: &str,
        words: &str,
    ) {
        let error = match result {
            Ok(value) => {
                self.0.push(format!("{case}: succeeded: {value:?}"));
                return;
            }
            Err(error) => error,
        };
        if !kind(&error) {
            self.0.push(format!("{case}: wrong error {error:?}"));
        }
        if error.request_id() != Some(sent_id) {
            self.0.push(format!(
                "{case}: request id {:?}, the double sent {sent_id:?}",
                error.request_id()
            ));
        }
        let message = error.to_string();
        if !message.contains(words) {
            self.0.push(format!(
                "{case}: message {message:?} lacks the server's words {words:?}"
            ));
        }
    }
}

#[tokio::test]
async fn every_error_in_every_form_reaches_the_user_with_its_request_id() {
    let mut failures = Failures::default();
    for variant in Variant::ALL {
        let h = Harness::new(variant);
        let member = h.demo("member");
        let expired = h.demo("expired");
        let read_only = h.demo("read-only");
        let unrecorded = h.demo("unrecorded");
        for form in FORMS {
            h.double.state.set_error_body(form);
            let tag = format!("{} {}", variant.as_str(), form.as_str());

            let result = expired.whoami().await;
            failures.check(
                &format!("{tag} 401 expired key"),
                result,
                |e| {
                    matches!(
                        e,
                        ApiError::Unauthorized {
                            problem: AuthProblem::Expired,
                            ..
                        }
                    )
                },
                &h.last_id(),
                "token expired",
            );

            let result = read_only.revoke().await;
            failures.check(
                &format!("{tag} 403 read-only revokes"),
                result,
                |e| {
                    matches!(e, ApiError::Forbidden { permission: Some(p), .. } if p == "token:revoke")
                },
                &h.last_id(),
                "insufficient permissions: this token lacks token:revoke",
            );

            let bad = AttenuationSpec {
                allowed_actions: Some(vec!["fly".into()]),
                ..AttenuationSpec::default()
            };
            let result = member.attenuate("bad", bad, None).await.map(|r| r.id);
            failures.check(
                &format!("{tag} 400 bad attenuate body"),
                result,
                |e| matches!(e, ApiError::BadRequest { .. }),
                &h.last_id(),
                "unknown action \"fly\" in allowed_actions",
            );

            if variant == Variant::Seed {
                let query = ListQuery {
                    filter: Some(foundry_keyring::query::parse_filter("eq(kind,root)").unwrap()),
                    ..ListQuery::default()
                };
                let result = member.list_tokens(&query).await.map(|p| p.total);
                failures.check(
                    &format!("{tag} 400 bad list filter"),
                    result,
                    |e| matches!(e, ApiError::BadRequest { .. }),
                    &h.last_id(),
                    "unknown field 'kind' in filter",
                );
            }

            let result = unrecorded.revoke().await;
            failures.check(
                &format!("{tag} 404 unrecorded key revokes"),
                result,
                |e| matches!(e, ApiError::NotFound { .. }),
                &h.last_id(),
                "token not found in database",
            );

            // A POST is never retried: one injected 500 is the answer.
            h.fault(500, "/api/v1/tokens/revoke", 1).await;
            let result = member.revoke().await;
            failures.check(
                &format!("{tag} 500 fault on revoke"),
                result,
                |e| matches!(e, ApiError::Server { status: 500, .. }),
                &h.last_id(),
                "internal server error",
            );
            // A GET is retried: a 500 on every try ends with the last try's id.
            h.fault(500, "/api/v1/whoami", 3).await;
            let before = h.ids.borrow().len();
            let result = member.whoami().await;
            assert_eq!(h.ids.borrow().len() - before, 3, "{tag}: three tries");
            failures.check(
                &format!("{tag} 500 fault on every whoami try"),
                result,
                |e| matches!(e, ApiError::Server { status: 500, .. }),
                &h.last_id(),
                "internal server error",
            );
            // Nothing was revoked by the failed revoke: the member still works.
            assert!(member.whoami().await.is_ok(), "{tag}");
        }
    }
    assert!(
        failures.0.is_empty(),
        "{} mismatches:\n{}",
        failures.0.len(),
        failures.0.join("\n")
    );
}

#[tokio::test]
async fn rate_limits_keep_their_retry_after_in_every_form() {
    let mut failures = Failures::default();
    for form in FORMS {
        let h = Harness::new(Variant::July);
        h.double.state.set_error_body(form);
        // Retry-After 60 is past the client's budget: it reports at once.
        h.double
            .post(
                "/__control/faults",
                None,
                Some(json!({"kind": "status", "status": 429, "retry_after": 60, "path": "/api/v1/tokens"})),
            )
            .await;
        let result = h
            .demo("member")
            .list_tokens(&ListQuery::default())
            .await
            .map(|p| p.total);
        failures.check(
            &format!("july {} 429", form.as_str()),
            result,
            |e| {
                matches!(e, ApiError::RateLimited { retry_after: Some(after), .. } if after.as_secs() == 60)
            },
            &h.last_id(),
            "60 s",
        );
    }
    assert!(failures.0.is_empty(), "{}", failures.0.join("\n"));
}
