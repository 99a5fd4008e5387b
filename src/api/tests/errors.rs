//! Every failure maps to its variant, with the request id from the body or the header.

use super::fake::*;
use crate::api::error::{ApiError, AuthProblem};
use crate::api::models::AttenuationSpec;
use crate::api::transport::{NetworkFailure, TransportError};
use futures::executor::block_on;
use std::time::Duration;

/// Runs `whoami` against one scripted answer (GET: 5xx/429 would be retried, so those cases
/// use POST helpers below).
fn whoami_with(step: Step) -> ApiError {
    let clock = FakeClock::new();
    let transport = FakeTransport::scripted(&clock, vec![step]);
    block_on(client(&transport, &clock).whoami()).unwrap_err()
}

fn revoke_with(step: Step) -> ApiError {
    let clock = FakeClock::new();
    let transport = FakeTransport::scripted(&clock, vec![step]);
    block_on(client(&transport, &clock).revoke()).unwrap_err()
}

#[test]
fn bad_request_carries_the_server_message() {
    let clock = FakeClock::new();
    let transport = FakeTransport::scripted(
        &clock,
        vec![Step::Respond(error(400, "unknown field: colour", "req_1"))],
    );
    let error = block_on(client(&transport, &clock).list_tokens(&Default::default())).unwrap_err();
    assert_eq!(
        error,
        ApiError::BadRequest {
            message: "unknown field: colour".into(),
            request_id: Some("req_1".into())
        }
    );
    assert_eq!(error.request_id(), Some("req_1"));
    assert!(!error.is_retryable());
}

#[test]
fn unauthorized_says_expired_revoked_or_invalid() {
    let cases = [
        (
            "token expired at 2026-01-01T00:00:00Z",
            AuthProblem::Expired,
            "This key has expired",
        ),
        (
            "Token has been revoked",
            AuthProblem::Revoked,
            "This key was revoked",
        ),
        (
            "invalid token signature",
            AuthProblem::Invalid,
            "This key is not valid",
        ),
        (
            "unauthorized",
            AuthProblem::Unspecified,
            "The key was refused",
        ),
    ];
    for (message, expected, title) in cases {
        let error = whoami_with(Step::Respond(error(401, message, "req_401")));
        match &error {
            ApiError::Unauthorized {
                problem,
                request_id,
                ..
            } => {
                assert_eq!(*problem, expected, "{message}");
                assert_eq!(request_id.as_deref(), Some("req_401"));
            }
            other => panic!("{message}: got {other:?}"),
        }
        assert_eq!(error.title(), title);
    }
    let invalid = whoami_with(Step::Respond(error(401, "bad", "r")));
    assert_eq!(invalid.advice(), "Check the key or unlock another one.");
}

#[test]
fn forbidden_names_the_missing_permission() {
    let forbidden = revoke_with(Step::Respond(error(
        403,
        "Forbidden: missing permission token:revoke.",
        "req_403",
    )));
    assert_eq!(
        forbidden,
        ApiError::Forbidden {
            permission: Some("token:revoke".into()),
            message: "Forbidden: missing permission token:revoke.".into(),
            request_id: Some("req_403".into()),
        }
    );
    assert_eq!(
        forbidden.advice(),
        "Use a key that has the token:revoke permission."
    );
    assert!(
        forbidden
            .to_string()
            .contains("lacks the token:revoke permission")
    );
    let vague = revoke_with(Step::Respond(error(403, "error: not allowed", "r")));
    assert!(
        matches!(
            vague,
            ApiError::Forbidden {
                permission: None,
                ..
            }
        ),
        "{vague:?}"
    );
}

#[test]
fn not_found_conflict_and_unexpected_status() {
    let not_found = revoke_with(Step::Respond(error(
        404,
        "token not in database",
        "req_404",
    )));
    assert_eq!(
        not_found,
        ApiError::NotFound {
            message: "token not in database".into(),
            request_id: Some("req_404".into())
        }
    );
    let conflict = revoke_with(Step::Respond(error(409, "already exists", "req_409")));
    assert_eq!(
        conflict,
        ApiError::Conflict {
            message: "already exists".into(),
            request_id: Some("req_409".into())
        }
    );
    let odd = whoami_with(Step::Respond(error(405, "method not allowed", "req_405")));
    assert!(
        matches!(odd, ApiError::UnexpectedStatus { status: 405, .. }),
        "{odd:?}"
    );
}

#[test]
fn rate_limited_and_server_errors_on_post_are_not_retried() {
    let limited = revoke_with(Step::Respond(with_retry_after(
        error(429, "slow down", "req_429"),
        "12",
    )));
    assert_eq!(
        limited,
        ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(12)),
            request_id: Some("req_429".into())
        }
    );
    assert_eq!(limited.advice(), "Try again once that wait is over.");
    assert!(limited.is_retryable());
    let server = revoke_with(Step::Respond(error(500, "internal error", "req_500")));
    assert_eq!(
        server,
        ApiError::Server {
            status: 500,
            message: "internal error".into(),
            request_id: Some("req_500".into())
        }
    );
}

#[test]
fn request_id_comes_from_the_header_when_the_body_is_not_json() {
    let gateway = with_header_id(response(502, "<html>Bad Gateway</html>"), "req_hdr");
    let error = revoke_with(Step::Respond(gateway));
    assert!(
        matches!(&error, ApiError::Server { status: 502, .. }),
        "{error:?}"
    );
    assert_eq!(error.request_id(), Some("req_hdr"));
    assert!(
        error
            .to_string()
            .contains("with a web page instead of the API's error body")
    );
}

#[test]
fn request_id_from_the_body_wins_over_the_header() {
    let mut answer = error(400, "bad", "req_body");
    answer.request_id = Some("req_header".into());
    let error = revoke_with(Step::Respond(answer));
    assert_eq!(error.request_id(), Some("req_body"));
}

#[test]
fn malformed_success_bodies_say_what_was_expected() {
    let not_json = whoami_with(Step::Respond(with_header_id(
        response(200, "<!doctype html>"),
        "req_m1",
    )));
    match &not_json {
        ApiError::Malformed {
            status: 200,
            expected,
            request_id,
            ..
        } => {
            assert!(expected.contains("WhoAmI"));
            assert_eq!(request_id.as_deref(), Some("req_m1"));
        }
        other => panic!("got {other:?}"),
    }
    let missing = whoami_with(Step::Respond(response(200, r#"{"organizations":[]}"#)));
    assert!(
        matches!(&missing, ApiError::Malformed { detail, .. } if detail.contains("permissions")),
        "{missing:?}"
    );
    assert_eq!(missing.request_id(), None);
    let clock = FakeClock::new();
    let transport =
        FakeTransport::scripted(&clock, vec![Step::Respond(response(201, r#"{"id":"x"}"#))]);
    let attenuated =
        block_on(client(&transport, &clock).attenuate("ro", AttenuationSpec::default(), None));
    assert!(matches!(
        attenuated,
        Err(ApiError::Malformed { status: 201, .. })
    ));
}

#[test]
fn network_failures_map_to_their_kinds() {
    let origin = "https://foundry.example".to_owned();
    let cases = [
        (
            TransportError::Network(NetworkFailure::Offline),
            ApiError::Offline,
        ),
        (
            TransportError::Network(NetworkFailure::CorsBlocked),
            ApiError::CorsBlocked {
                origin: origin.clone(),
            },
        ),
        (
            TransportError::Network(NetworkFailure::Unreachable),
            ApiError::Unreachable {
                origin: origin.clone(),
                confirmed: true,
            },
        ),
        (
            TransportError::Network(NetworkFailure::Unknown),
            ApiError::Unreachable {
                origin: origin.clone(),
                confirmed: false,
            },
        ),
        (
            TransportError::Network(NetworkFailure::Lost),
            ApiError::ConnectionLost {
                origin: origin.clone(),
            },
        ),
        (
            TransportError::Timeout(Duration::from_secs(15)),
            ApiError::Timeout {
                after: Duration::from_secs(15),
            },
        ),
        (TransportError::Aborted, ApiError::Aborted),
    ];
    for (failure, expected) in cases {
        let error = whoami_with(Step::Fail(failure));
        assert_eq!(error, expected);
        assert_eq!(error.request_id(), None);
    }
    let cors = ApiError::CorsBlocked {
        origin: origin.clone(),
    };
    assert_eq!(
        cors.advice(),
        "Serve the app behind a same-origin proxy, see the README."
    );
    // Honest where the browser could not tell: the message says so.
    let unsure = ApiError::Unreachable {
        origin: origin.clone(),
        confirmed: false,
    };
    assert!(unsure.to_string().contains("does not say whether"));
    assert!(unsure.advice().contains("same-origin proxy"));
    // A connection lost where this kind of request was answered before: a retry, and the way
    // to a fresh diagnosis should the API have started refusing the page.
    let lost = ApiError::ConnectionLost { origin };
    assert_eq!(lost.title(), "Connection to the API lost");
    assert!(lost.is_retryable());
    assert!(lost.advice().contains("reload the page"));
}

#[test]
fn attenuate_needs_a_name_and_sends_nothing_without_one() {
    let clock = FakeClock::new();
    let transport = FakeTransport::scripted(&clock, vec![]);
    let result =
        block_on(client(&transport, &clock).attenuate("  ", AttenuationSpec::default(), None));
    assert!(matches!(result, Err(ApiError::InvalidRequest { .. })));
    assert!(transport.seen().is_empty());
}

/// A redirect is never followed: a followed 307/308 would carry the key (in the header, and in
/// the attenuate body) to wherever it points. One request, no retry, an error the person sees.
#[test]
fn a_redirect_is_refused_with_its_status_and_request_id() {
    for status in [301, 302, 303, 307, 308] {
        let clock = FakeClock::new();
        let mut answer = error(status, "moved", "req_moved");
        answer.body.clear();
        let transport = FakeTransport::scripted(&clock, vec![Step::Respond(answer)]);
        let Err(error) = block_on(client(&transport, &clock).attenuate(
            "child",
            AttenuationSpec::default(),
            None,
        )) else {
            panic!("a {status} was taken for a new token");
        };
        assert_eq!(
            error,
            ApiError::Redirected {
                origin: BASE.to_owned(),
                status: Some(status),
                request_id: Some("req_moved".into())
            },
            "status {status}"
        );
        assert_eq!(error.title(), "Redirect refused");
        assert!(!error.is_retryable());
        assert_eq!(transport.seen().len(), 1, "a redirect is not retried");
        assert!(error.to_string().contains(&format!("status {status}")));
    }
}

/// The browser hides an unfollowed redirect (an opaque-redirect response): the transport says
/// only that it happened.
#[test]
fn a_redirect_the_browser_hid_is_refused_too() {
    let error = whoami_with(Step::Fail(TransportError::Redirected));
    assert_eq!(
        error,
        ApiError::Redirected {
            origin: BASE.to_owned(),
            status: None,
            request_id: None
        }
    );
    assert!(!error.is_retryable());
    assert!(error.advice().contains("not sent anywhere else"));
}

/// Every error-body form the API has been seen to send: the server's own words reach the
/// person, and the request id comes from the body or else the `x-request-id` header.
#[test]
fn every_published_error_body_form_is_read() {
    let forms: [(&str, &str, Option<&str>); 9] = [
        // (body, the words that must be shown, body request id)
        (
            r#"{"error":"token revoked","request_id":"req_b"}"#,
            "token revoked",
            Some("req_b"),
        ),
        (r#"{"error":"token revoked"}"#, "token revoked", None),
        (
            r#"{"message":"token revoked","request_id":"req_b"}"#,
            "token revoked",
            Some("req_b"),
        ),
        (r#"{"detail":"token revoked"}"#, "token revoked", None),
        (
            r#"{"detail":[{"loc":["body","name"],"msg":"token revoked","type":"value_error"}]}"#,
            "body.name: token revoked",
            None,
        ),
        (
            r#"{"error":{"message":"token revoked","code":7}}"#,
            "token revoked",
            None,
        ),
        (
            r#"{"error":"token revoked","request_id":"","extra":[1,2]}"#,
            "token revoked",
            None,
        ),
        ("token revoked\n", "token revoked", None),
        (r#""token revoked""#, "token revoked", None),
    ];
    for (body, words, body_id) in forms {
        let error = whoami_with(Step::Respond(with_header_id(response(401, body), "req_h")));
        assert!(
            matches!(
                &error,
                ApiError::Unauthorized {
                    problem: AuthProblem::Revoked,
                    ..
                }
            ),
            "{body}: {error:?}"
        );
        assert!(error.to_string().contains(words), "{body}: {error}");
        assert_eq!(
            error.request_id(),
            Some(body_id.unwrap_or("req_h")),
            "{body}"
        );
    }
}

#[test]
fn an_error_without_words_says_so_and_keeps_the_header_id() {
    for (body, says) in [
        ("", "status 500 without a message"),
        ("{}", "status 500 without a message"),
        (r#"{"request_id":"req_b"}"#, "status 500 without a message"),
        (
            "<!DOCTYPE html><html><body>oops</body></html>",
            "a web page",
        ),
    ] {
        let error = revoke_with(Step::Respond(with_header_id(response(500, body), "req_h")));
        assert!(
            matches!(&error, ApiError::Server { status: 500, .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains(says), "{body}: {error}");
        assert!(error.request_id().is_some());
    }
}

#[test]
fn a_409_that_says_rate_limited_is_rate_limiting() {
    let body =
        r#"{"error":"too many submissions","error_kind":"rate_limited","request_id":"req_b"}"#;
    let limited = revoke_with(Step::Respond(with_retry_after(response(409, body), "3")));
    assert_eq!(
        limited,
        ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(3)),
            request_id: Some("req_b".into())
        }
    );
    let plain = revoke_with(Step::Respond(error(409, "already done", "req_c")));
    assert!(matches!(plain, ApiError::Conflict { .. }), "{plain:?}");
}

/// A server that echoes the key in any form never gets it onto the page.
#[test]
fn the_key_is_scrubbed_from_every_form() {
    for body in [
        format!(r#"{{"message":"bad token {KEY}"}}"#),
        format!(r#"{{"detail":[{{"msg":"bad token {KEY}"}}]}}"#),
        format!("bad token {KEY}"),
    ] {
        let error = whoami_with(Step::Respond(response(401, &body)));
        assert!(!error.to_string().contains(KEY), "{body}");
        assert!(error.to_string().contains("[key]"), "{body}");
    }
}

/// A 2xx to revoke means the family is revoked: a body in an older shape, or no body the client
/// can read, only leaves the details unknown. Reporting it as an error would tell the person a
/// revocation failed that did not.
#[test]
fn a_done_revocation_is_never_reported_as_a_failure() {
    for (body, expected) in [
        (
            r#"{"token_id":"r1","revoked_at":"2026-01-01T00:00:00Z"}"#,
            (Some("r1"), None),
        ),
        ("", (None, None)),
        ("<html>ok</html>", (None, None)),
        (
            r#"{"token_id":"r1","children_revoked":"three"}"#,
            (Some("r1"), None),
        ),
    ] {
        let clock = FakeClock::new();
        let transport = FakeTransport::scripted(&clock, vec![Step::Respond(response(200, body))]);
        let done = block_on(client(&transport, &clock).revoke()).unwrap();
        assert_eq!(
            (done.token_id.as_deref(), done.children_revoked),
            expected,
            "{body}"
        );
    }
}
