//! Retries: which requests, how long between, when to give up, and cancellation.

use super::fake::*;
use crate::api::cancel::CancelToken;
use crate::api::error::ApiError;
use crate::api::models::AttenuationSpec;
use crate::api::retry::RetryPolicy;
use futures::executor::block_on;
use futures::future::join;
use std::time::Duration;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn backoff_is_full_jitter_under_a_doubling_capped_ceiling() {
    let policy = RetryPolicy::default();
    assert_eq!(
        (0..6).map(|n| policy.ceiling(n)).collect::<Vec<_>>(),
        [ms(500), ms(1000), ms(2000), ms(4000), ms(8000), ms(8000)]
    );
    assert_eq!(
        policy.ceiling(200),
        ms(8000),
        "no overflow for absurd retry counts"
    );
    for retry in 0..5 {
        assert_eq!(policy.backoff(retry, 0.0), Duration::ZERO);
        assert_eq!(policy.backoff(retry, 0.5), policy.ceiling(retry) / 2);
        let high = policy.backoff(retry, 0.999_999);
        assert!(high < policy.ceiling(retry) && high > policy.ceiling(retry) * 99 / 100);
    }
    assert_eq!(
        policy.backoff(1, f64::NAN),
        ms(1000),
        "broken jitter falls to the ceiling"
    );
    assert_eq!(policy.backoff(1, 7.0), ms(1000));
    assert_eq!(policy.backoff(1, -1.0), Duration::ZERO);
}

#[test]
fn get_retries_5xx_with_jittered_backoff_then_succeeds() {
    let clock = FakeClock::new();
    let transport = FakeTransport::scripted(
        &clock,
        vec![
            Step::Respond(error(503, "busy", "req_a")),
            Step::Respond(error(500, "oops", "req_b")),
            Step::Respond(response(200, WHOAMI)),
        ],
    );
    let who = block_on(client(&transport, &clock).whoami()).unwrap();
    assert_eq!(who.permissions.len(), 2);
    // Jitter 0.5 of ceilings 500 ms and 1 s.
    assert_eq!(clock.sleeps(), [ms(250), ms(500)]);
    assert_eq!(transport.seen().len(), 3);
}

#[test]
fn retry_after_is_honoured_exactly() {
    let clock = FakeClock::new();
    let transport = FakeTransport::scripted(
        &clock,
        vec![
            Step::Respond(with_retry_after(error(429, "slow down", "req_a"), "7")),
            Step::Respond(with_retry_after(error(503, "maintenance", "req_b"), " 2 ")),
            Step::Respond(response(200, WHOAMI)),
        ],
    );
    assert!(block_on(client(&transport, &clock).whoami()).is_ok());
    assert_eq!(
        clock.sleeps(),
        [Duration::from_secs(7), Duration::from_secs(2)]
    );
}

#[test]
fn retry_after_beyond_the_budget_gives_up_at_once_carrying_it() {
    let clock = FakeClock::new();
    let transport = FakeTransport::scripted(
        &clock,
        vec![Step::Respond(with_retry_after(
            error(429, "slow", "req_ra"),
            "45",
        ))],
    );
    let error = block_on(client(&transport, &clock).whoami()).unwrap_err();
    assert_eq!(
        error,
        ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(45)),
            request_id: Some("req_ra".into())
        }
    );
    assert_eq!(error.advice(), "Try again once that wait is over.");
    assert!(clock.sleeps().is_empty());
    assert_eq!(transport.seen().len(), 1);
}

#[test]
fn gives_up_after_three_tries() {
    let clock = FakeClock::new();
    let transport = FakeTransport::routed(&clock, |_| Step::Respond(error(500, "down", "req_x")));
    let error = block_on(client(&transport, &clock).whoami()).unwrap_err();
    assert!(matches!(error, ApiError::Server { status: 500, .. }));
    assert_eq!(transport.seen().len(), 3);
    assert_eq!(clock.sleeps().len(), 2);
}

#[test]
fn gives_up_within_thirty_seconds_in_all() {
    // Each try takes 8 s and asks for 10 s: 8 + 10 + 8 = 26 s, then another 10 s would end
    // past 30 s, so the client reports after two tries instead of waiting.
    let clock = FakeClock::new();
    let slow_429 = || {
        Step::Slow(
            Duration::from_secs(8),
            with_retry_after(error(429, "slow", "req_s"), "10"),
        )
    };
    let transport = FakeTransport::scripted(&clock, vec![slow_429(), slow_429()]);
    let error = block_on(client(&transport, &clock).whoami()).unwrap_err();
    assert!(
        matches!(error, ApiError::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(10))
    );
    assert_eq!(clock.sleeps(), [Duration::from_secs(10)]);
    // Each try's timeout is cut to what is left of the budget.
    let timeouts: Vec<_> = transport.seen().iter().map(|s| s.timeout).collect();
    assert_eq!(timeouts, [Duration::from_secs(15), Duration::from_secs(12)]);
}

#[test]
fn posts_are_never_retried() {
    let clock = FakeClock::new();
    let transport = FakeTransport::routed(&clock, |_| Step::Respond(error(503, "busy", "req_p")));
    let c = client(&transport, &clock);
    assert!(matches!(
        block_on(c.revoke()),
        Err(ApiError::Server { status: 503, .. })
    ));
    let attenuated = block_on(c.attenuate(
        "ci",
        AttenuationSpec {
            read_only: true,
            ..Default::default()
        },
        None,
    ));
    assert!(matches!(
        attenuated,
        Err(ApiError::Server { status: 503, .. })
    ));
    let limited = FakeTransport::routed(&clock, |_| {
        Step::Respond(with_retry_after(error(429, "x", "r"), "1"))
    });
    assert!(matches!(
        block_on(client(&limited, &clock).revoke()),
        Err(ApiError::RateLimited { .. })
    ));
    assert_eq!(transport.seen().len(), 2);
    assert_eq!(limited.seen().len(), 1);
    assert!(clock.sleeps().is_empty());
}

#[test]
fn other_client_errors_are_not_retried() {
    let clock = FakeClock::new();
    let transport = FakeTransport::routed(&clock, |_| Step::Respond(error(401, "expired", "r")));
    assert!(block_on(client(&transport, &clock).whoami()).is_err());
    assert_eq!(transport.seen().len(), 1);
}

#[test]
fn cancelling_during_a_backoff_stops_the_retries() {
    let clock = FakeClock::hanging();
    let transport = FakeTransport::routed(&clock, |_| Step::Respond(error(503, "busy", "req_c")));
    let cancel = CancelToken::new();
    let c = client(&transport, &clock).with_cancel(cancel.clone());
    // `join` polls the call first: it gets its 503 and starts sleeping; then the view goes away.
    let (result, ()) = block_on(join(c.whoami(), async { drop(cancel.guard()) }));
    assert_eq!(result.unwrap_err(), ApiError::Aborted);
    assert_eq!(transport.seen().len(), 1);
    assert_eq!(clock.sleeps(), [ms(250)]);
}

#[test]
fn cancelling_aborts_the_request_in_flight() {
    let clock = FakeClock::new();
    let transport = FakeTransport::scripted(&clock, vec![Step::Hang]);
    let cancel = CancelToken::new();
    let c = client(&transport, &clock).with_cancel(cancel.clone());
    let (result, ()) = block_on(join(c.whoami(), async { cancel.cancel() }));
    assert_eq!(result.unwrap_err(), ApiError::Aborted);
}

#[test]
fn a_cancelled_client_sends_nothing() {
    let clock = FakeClock::new();
    let transport = FakeTransport::scripted(&clock, vec![]);
    let cancel = CancelToken::new();
    cancel.cancel();
    let result = block_on(client(&transport, &clock).with_cancel(cancel).whoami());
    assert_eq!(result.unwrap_err(), ApiError::Aborted);
    assert!(transport.seen().is_empty());
}

#[test]
fn a_sleep_that_overruns_the_budget_reports_the_last_answer() {
    // The retry is scheduled within budget, but the timer fires late (a throttled background
    // tab): the client stops and reports the 503 instead of trying past 30 s.
    struct LateClock(std::sync::Arc<FakeClock>);
    impl crate::api::transport::Clock for LateClock {
        fn now(&self) -> Duration {
            self.0.now()
        }
        fn sleep(&self, duration: Duration) -> futures::future::LocalBoxFuture<'static, ()> {
            self.0.advance(Duration::from_secs(40));
            self.0.sleep(duration)
        }
    }
    let clock = FakeClock::new();
    let transport =
        FakeTransport::scripted(&clock, vec![Step::Respond(error(503, "busy", "req_late"))]);
    let base = crate::api::base::ApiBase::parse(BASE).unwrap();
    let late = std::sync::Arc::new(LateClock(clock.clone()));
    let c = crate::api::client::FoundryClient::new(base, KEY.into(), transport.clone(), late);
    let error = block_on(c.whoami()).unwrap_err();
    assert_eq!(error.request_id(), Some("req_late"));
    assert!(matches!(error, ApiError::Server { status: 503, .. }));
    assert_eq!(transport.seen().len(), 1);
}
