//! All pages with bounded concurrency, and the client-side fallback for servers that ignore
//! filter and sort.

use super::fake::*;
use crate::api::base::ApiBase;
use crate::api::client::FoundryClient;
use crate::api::error::ApiError;
use crate::api::evaluate::{EvalFailure, TokenQuery};
use crate::api::listing::{FallbackReason, ListCapabilities, ListMode, ListQuery, PageLimit};
use crate::api::models::{Token, TokenStatus};
use crate::api::paging::{ListDescription, Listing};
use crate::api::transport::{Clock, NetworkFailure, TransportError};
use crate::query::{parse_filter, parse_sort};
use crate::secret::SecretString;
use crate::timestamp::Timestamp;
use futures::executor::block_on;
use std::cell::Cell;
use std::cmp::Ordering;
use std::sync::Arc;

fn param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")).map(str::to_owned))
}

fn offset_of(seen: &Seen) -> u64 {
    param(&seen.url, "offset").unwrap().parse().unwrap()
}

/// Seed-shape tokens `t000…` named so that name order is id order.
fn seed_token(n: u64, status: &str) -> serde_json::Value {
    serde_json::json!({"id": format!("t{n:03}"), "name": format!("name-{n:03}"), "status": status,
        "created_at": "2026-01-01T00:00:00Z", "token_type": "user"})
}

fn page_json(all: &[serde_json::Value], offset: u64, limit: u64) -> String {
    let items: Vec<_> = all
        .iter()
        .skip(offset as usize)
        .take(limit as usize)
        .cloned()
        .collect();
    serde_json::json!({"count": items.len(), "offset": offset, "total": all.len(), "items": items})
        .to_string()
}

/// A server that pages `all` correctly, ignoring filter and sort, with at most `cap` per page.
fn paging_server(all: Vec<serde_json::Value>, cap: u64) -> impl FnMut(&Seen) -> Step + Send {
    move |seen| {
        let limit: u64 = param(&seen.url, "limit").unwrap().parse().unwrap();
        Step::Respond(response(
            200,
            &page_json(&all, offset_of(seen), limit.min(cap)),
        ))
    }
}

#[test]
fn fetches_every_page_in_order() {
    let all: Vec<_> = (0..350).map(|n| seed_token(n, "active")).collect();
    let clock = FakeClock::new();
    let transport = FakeTransport::routed(&clock, paging_server(all, 100));
    let tokens = block_on(client(&transport, &clock).list_all_tokens(None, None)).unwrap();
    let ids: Vec<_> = tokens.iter().map(|t| t.id.clone()).collect();
    assert_eq!(
        ids,
        (0..350).map(|n| format!("t{n:03}")).collect::<Vec<_>>()
    );
    let offsets: Vec<_> = transport.seen().iter().map(offset_of).collect();
    assert_eq!(offsets, [0, 100, 200, 300]);
    assert!(
        transport
            .seen()
            .iter()
            .all(|s| param(&s.url, "limit").as_deref() == Some("100"))
    );
}

#[test]
fn follows_a_server_that_caps_pages_below_the_limit() {
    let all: Vec<_> = (0..120).map(|n| seed_token(n, "active")).collect();
    let clock = FakeClock::new();
    let transport = FakeTransport::routed(&clock, paging_server(all, 50));
    let tokens = block_on(client(&transport, &clock).list_all_tokens(None, None)).unwrap();
    assert_eq!(tokens.len(), 120);
    assert_eq!(tokens.last().map(|t| t.id.as_str()), Some("t119"));
    let offsets: Vec<_> = transport.seen().iter().map(offset_of).collect();
    assert_eq!(offsets, [0, 50, 100]);
}

#[test]
fn an_error_on_a_middle_page_stops_the_listing() {
    let all: Vec<_> = (0..450).map(|n| seed_token(n, "active")).collect();
    let mut pages = paging_server(all, 100);
    let clock = FakeClock::new();
    let transport = FakeTransport::routed(&clock, move |seen| {
        if offset_of(seen) == 200 {
            Step::Respond(error(403, "missing token:list", "req_mid"))
        } else {
            pages(seen)
        }
    });
    let error = block_on(client(&transport, &clock).list_all_tokens(None, None)).unwrap_err();
    assert_eq!(error.request_id(), Some("req_mid"));
    assert!(matches!(error, ApiError::Forbidden { .. }));
    // At most the first page plus one window of PAGE_CONCURRENCY pages was asked for.
    let seen = transport.seen();
    assert!(seen.len() <= 5, "{} requests", seen.len());
    assert!(seen.iter().any(|s| offset_of(s) == 200));
}

#[test]
fn refuses_to_fetch_an_absurd_total() {
    let clock = FakeClock::new();
    let body = serde_json::json!({"count": 1, "offset": 0, "total": 1_000_000, "items": [seed_token(0, "active")]});
    let transport = FakeTransport::scripted(
        &clock,
        vec![Step::Respond(response(200, &body.to_string()))],
    );
    let error = block_on(client(&transport, &clock).list_all_tokens(None, None)).unwrap_err();
    assert!(matches!(
        error,
        ApiError::TooManyItems {
            total: 1_000_000,
            ..
        }
    ));
    assert_eq!(transport.seen().len(), 1);
}

#[test]
fn more_tokens_than_the_browser_fetches_are_paged_by_the_server_without_filter_or_sort() {
    // A server that ignores filter and sort, with one token more than can be fetched to apply
    // them here: the page asked for comes from the server as it is, not an error.
    let all: Vec<_> = (0..crate::api::paging::MAX_LISTED + 1)
        .map(|n| seed_token(n, if n % 2 == 0 { "active" } else { "revoked" }))
        .collect();
    let (listing, transport) = list_from_ignoring_server(all, &active_by_name_query(25, 50));
    assert_eq!(
        listing.mode,
        ListMode::Unfiltered {
            reason: FallbackReason::FilterIgnored,
            total: 10_001
        }
    );
    let ids: Vec<_> = listing.page.items.iter().map(|t| t.id.as_str()).collect();
    let expected: Vec<_> = (50..75).map(|n| format!("t{n:03}")).collect();
    assert_eq!(
        ids, expected,
        "the server's third page of 25, revoked ones included"
    );
    assert_eq!(listing.page.total, 10_001);
    assert!(listing.held.is_none());
    // The checked page, the first page of the full fetch (which stopped at its total), then
    // the page asked for, without filter and sort.
    let seen = transport.seen();
    assert_eq!(seen.len(), 3);
    let last = &seen[2].url;
    assert_eq!(param(last, "offset").as_deref(), Some("50"));
    assert_eq!(param(last, "limit").as_deref(), Some("25"));
    assert!(param(last, "filter").is_none() && param(last, "sort").is_none());
    let said = listing.mode.describe();
    assert!(
        said.starts_with("Not filtered or sorted:") && said.contains("10,001 tokens"),
        "{said}"
    );
}

/// `eq(status,active)` and `asc(name)`, evaluated at a fixed time.
struct ActiveByName {
    now: Timestamp,
}

impl TokenQuery for ActiveByName {
    fn matches(&self, token: &Token) -> Result<bool, EvalFailure> {
        Ok(token.status_at(self.now) == TokenStatus::Active)
    }
    fn compare(&self, a: &Token, b: &Token) -> Result<Ordering, EvalFailure> {
        Ok(a.name.cmp(&b.name))
    }
}

fn active_by_name_query(limit: u32, offset: u64) -> ListQuery {
    ListQuery {
        limit: PageLimit::new(limit).unwrap(),
        offset,
        filter: Some(parse_filter("eq(status,active)").unwrap()),
        sort: Some(parse_sort("asc(name)").unwrap()),
    }
}

fn now() -> Timestamp {
    Timestamp::parse("2026-06-01T00:00:00Z").unwrap()
}

/// `query` listed with [`ActiveByName`] from a server that pages `all` (100 a page) and ignores
/// filter and sort; the transport tells what was sent.
fn list_from_ignoring_server(
    all: Vec<serde_json::Value>,
    query: &ListQuery,
) -> (Listing, FakeTransport) {
    let clock = FakeClock::new();
    let transport = FakeTransport::routed(&clock, paging_server(all, 100));
    let evaluate = ActiveByName { now: now() };
    let listing =
        block_on(client(&transport, &clock).list_tokens_checked(query, &evaluate)).unwrap();
    (listing, transport)
}

/// `n` seed-shape tokens, the even ones active and the odd ones revoked.
fn half_revoked(n: u64) -> Vec<serde_json::Value> {
    (0..n)
        .map(|n| seed_token(n, if n % 2 == 0 { "active" } else { "revoked" }))
        .collect()
}

#[test]
fn lineage_server_ignoring_the_filter_falls_back_to_client_side() {
    // 150 July-shape tokens in reverse name order; every third revoked, every fifth expired.
    let all: Vec<_> = (0..150u64)
        .rev()
        .map(|n| {
            serde_json::json!({"id": format!("t{n:03}"), "name": format!("name-{n:03}"), "kind": "root",
                "created_at": "2026-01-01T00:00:00Z",
                "expires_at": if n % 5 == 0 { "2026-02-01T00:00:00Z" } else { "2027-01-01T00:00:00Z" },
                "revoked_at": if n % 3 == 0 { serde_json::json!("2026-03-01T00:00:00Z") } else { serde_json::Value::Null },
                "parent_token_id": null, "root_token_id": null, "token_type": "user"})
        })
        .collect();
    let (listing, transport) = list_from_ignoring_server(all, &active_by_name_query(10, 5));
    assert_eq!(
        listing.mode,
        ListMode::ClientSide {
            reason: FallbackReason::LineageShape
        }
    );
    let expected_active: Vec<u64> = (0..150).filter(|n| n % 3 != 0 && n % 5 != 0).collect();
    assert_eq!(listing.page.total, expected_active.len() as u64);
    assert_eq!(listing.page.offset, 5);
    assert_eq!(listing.page.count, 10);
    let names: Vec<_> = listing.page.items.iter().map(|t| t.name.clone()).collect();
    let expected: Vec<_> = expected_active
        .iter()
        .skip(5)
        .take(10)
        .map(|n| format!("name-{n:03}"))
        .collect();
    assert_eq!(names, expected);
    // The first request carried filter and sort; the full fetch did not.
    let seen = transport.seen();
    assert!(param(&seen[0].url, "filter").is_some());
    assert!(
        seen[1..]
            .iter()
            .all(|s| param(&s.url, "filter").is_none() && param(&s.url, "sort").is_none())
    );
    assert!(listing.mode.describe().contains("in the browser"));
}

#[test]
fn seed_server_returning_unfiltered_items_falls_back() {
    let (listing, _) = list_from_ignoring_server(half_revoked(30), &active_by_name_query(100, 0));
    assert_eq!(
        listing.mode,
        ListMode::ClientSide {
            reason: FallbackReason::FilterIgnored
        }
    );
    assert_eq!(listing.page.total, 15);
    assert!(
        listing
            .page
            .items
            .iter()
            .all(|t| t.status == Some(TokenStatus::Active))
    );
}

#[test]
fn server_ignoring_only_the_sort_falls_back() {
    let all: Vec<_> = (0..20).rev().map(|n| seed_token(n, "active")).collect();
    let (listing, _) = list_from_ignoring_server(all, &active_by_name_query(3, 0));
    assert_eq!(
        listing.mode,
        ListMode::ClientSide {
            reason: FallbackReason::SortIgnored
        }
    );
    let ids: Vec<_> = listing.page.items.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["t000", "t001", "t002"]);
    assert_eq!(listing.page.total, 20);
}

#[test]
fn a_browser_side_listing_holds_its_tokens_for_the_next_page_without_requests() {
    let (first, transport) =
        list_from_ignoring_server(half_revoked(30), &active_by_name_query(5, 0));
    let evaluate = ActiveByName { now: now() };
    let held = first
        .held
        .expect("a browser-side listing holds what it fetched");
    assert_eq!(held.len(), 30, "every token, not only the matching ones");
    let requests = transport.seen().len();

    let second = held
        .listing(&active_by_name_query(5, 5), &evaluate)
        .unwrap();
    assert_eq!(
        transport.seen().len(),
        requests,
        "no request for the next page"
    );
    assert_eq!(second.mode, first.mode);
    assert_eq!(second.page.total, 15);
    assert_eq!(second.page.offset, 5);
    let ids: Vec<_> = second.page.items.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["t010", "t012", "t014", "t016", "t018"]);
    assert!(second.held.is_some(), "still held for the page after");

    let refused = held.listing(&active_by_name_query(5, 0), &Unevaluable);
    assert!(matches!(refused, Err(ApiError::QueryNotApplicable { .. })));
}

/// Tokens of one status by name, descending, under the order name `order_name`; counts its
/// comparisons, and may refuse to compare a revoked token (as a cast fails on a value only
/// some tokens hold), counting the refusals.
struct StatusByNameDesc<'a> {
    status: TokenStatus,
    order_name: Option<&'static str>,
    refuse_revoked: bool,
    compares: &'a Cell<usize>,
    refusals: &'a Cell<usize>,
}

impl TokenQuery for StatusByNameDesc<'_> {
    fn matches(&self, token: &Token) -> Result<bool, EvalFailure> {
        Ok(token.status_at(now()) == self.status)
    }
    fn compare(&self, a: &Token, b: &Token) -> Result<Ordering, EvalFailure> {
        self.compares.set(self.compares.get() + 1);
        let revoked = |t: &Token| t.status_at(now()) == TokenStatus::Revoked;
        if self.refuse_revoked && (revoked(a) || revoked(b)) {
            self.refusals.set(self.refusals.get() + 1);
            return Err(EvalFailure("cannot order a revoked token".into()));
        }
        Ok(b.name.cmp(&a.name))
    }
    fn order_name(&self) -> Option<String> {
        self.order_name.map(str::to_owned)
    }
}

fn page_ids(listing: &Listing) -> Vec<&str> {
    listing.page.items.iter().map(|t| t.id.as_str()).collect()
}

#[test]
fn held_tokens_are_ordered_once_per_named_sort_and_a_filter_change_only_filters() {
    let (first, _) = list_from_ignoring_server(half_revoked(30), &active_by_name_query(5, 0));
    let held = first.held.expect("held");
    let (compares, refusals) = (Cell::new(0), Cell::new(0));
    let query = |status, order_name| StatusByNameDesc {
        status,
        order_name,
        refuse_revoked: false,
        compares: &compares,
        refusals: &refusals,
    };

    let active = held
        .listing(
            &active_by_name_query(5, 0),
            &query(TokenStatus::Active, Some("desc(name)")),
        )
        .unwrap();
    assert_eq!(page_ids(&active), ["t028", "t026", "t024", "t022", "t020"]);
    assert_eq!(active.page.total, 15);
    assert!(
        compares.get() > 0,
        "the first listing under a sort orders the tokens"
    );

    compares.set(0);
    let revoked = held
        .listing(
            &active_by_name_query(5, 5),
            &query(TokenStatus::Revoked, Some("desc(name)")),
        )
        .unwrap();
    assert_eq!(page_ids(&revoked), ["t019", "t017", "t015", "t013", "t011"]);
    assert_eq!(revoked.page.total, 15);
    assert_eq!(
        compares.get(),
        0,
        "same sort, another filter: no token compared again"
    );

    let unnamed = held
        .listing(
            &active_by_name_query(5, 5),
            &query(TokenStatus::Revoked, None),
        )
        .unwrap();
    assert_eq!(
        page_ids(&unnamed),
        page_ids(&revoked),
        "an unnamed order gives the same page"
    );
    assert!(
        compares.get() > 0,
        "an order without a name is worked out each time"
    );
}

#[test]
fn a_sort_that_fails_on_a_token_the_filter_leaves_out_still_lists() {
    let (first, _) = list_from_ignoring_server(half_revoked(30), &active_by_name_query(5, 0));
    let held = first.held.expect("held");
    let (compares, refusals) = (Cell::new(0), Cell::new(0));
    let picky = StatusByNameDesc {
        status: TokenStatus::Active,
        order_name: Some("desc(name)"),
        refuse_revoked: true,
        compares: &compares,
        refusals: &refusals,
    };
    let listing = held.listing(&active_by_name_query(5, 0), &picky).unwrap();
    assert_eq!(
        page_ids(&listing),
        ["t028", "t026", "t024", "t022", "t020"],
        "filtered first, then sorted"
    );

    assert!(refusals.get() > 0, "sorting all tokens was tried first");

    // The next page sorts the matches again without trying all the tokens first.
    refusals.set(0);
    let next = held.listing(&active_by_name_query(5, 5), &picky).unwrap();
    assert_eq!(page_ids(&next), ["t018", "t016", "t014", "t012", "t010"]);
    assert_eq!(refusals.get(), 0, "sorting all tokens was tried again");
}

#[test]
fn a_server_that_honours_the_query_is_trusted() {
    let clock = FakeClock::new();
    let honest: Vec<_> = (0..3).map(|n| seed_token(n, "active")).collect();
    let body =
        serde_json::json!({"count": 3, "offset": 0, "total": 40, "items": honest}).to_string();
    let transport = FakeTransport::scripted(&clock, vec![Step::Respond(response(200, &body))]);
    let evaluate = ActiveByName { now: now() };
    let listing = block_on(
        client(&transport, &clock).list_tokens_checked(&active_by_name_query(3, 0), &evaluate),
    )
    .unwrap();
    assert_eq!(listing.mode, ListMode::Server);
    assert_eq!(listing.held, None, "the server's page is not held");
    assert_eq!(listing.page.total, 40);
    assert_eq!(transport.seen().len(), 1);
    assert_eq!(
        param(&transport.seen()[0].url, "filter").as_deref(),
        Some("eq%28status%2Cactive%29"),
        "filter sent percent-encoded"
    );
}

/// A filter the client cannot evaluate, e.g. `gt(created_at,banana)`.
struct Unevaluable;

impl TokenQuery for Unevaluable {
    fn matches(&self, _: &Token) -> Result<bool, EvalFailure> {
        Err(EvalFailure(
            "created_at cannot be compared with banana".into(),
        ))
    }
    fn compare(&self, _: &Token, _: &Token) -> Result<Ordering, EvalFailure> {
        Ok(Ordering::Equal)
    }
}

#[test]
fn a_filter_the_client_cannot_apply_is_an_error_not_an_empty_list() {
    let all: Vec<_> = (0..5).map(|n| seed_token(n, "active")).collect();
    let clock = FakeClock::new();
    let transport = FakeTransport::routed(&clock, paging_server(all, 100));
    let error = block_on(
        client(&transport, &clock).list_tokens_checked(&active_by_name_query(5, 0), &Unevaluable),
    )
    .unwrap_err();
    assert_eq!(
        error,
        ApiError::QueryNotApplicable {
            message: "created_at cannot be compared with banana".into()
        }
    );
}

const OPENAPI: &str = "/api/v1/openapi.json";

/// An OpenAPI document whose `GET /api/v1/tokens` takes these query parameters.
fn openapi_listing(names: &[&str]) -> String {
    let parameters: Vec<_> = names
        .iter()
        .map(|name| serde_json::json!({"name": name, "in": "query", "schema": {"type": "string"}}))
        .collect();
    serde_json::json!({"openapi": "3.1.0", "paths": {"/api/v1/tokens": {"get": {
        "operationId": "list_tokens", "parameters": parameters}}}})
    .to_string()
}

fn advertised() -> String {
    openapi_listing(&["limit", "offset", "filter", "sort"])
}

/// Its description answers `describe()`; its list answers `list(request)`.
fn described_server(
    mut describe: impl FnMut() -> Step + Send + 'static,
    mut list: impl FnMut(&Seen) -> Step + Send + 'static,
) -> impl FnMut(&Seen) -> Step + Send {
    move |seen| {
        if seen.url.ends_with(OPENAPI) {
            describe()
        } else {
            list(seen)
        }
    }
}

/// A list that honours `eq(status,active)` and `asc(name)`: three of forty active tokens.
fn honest_list(_: &Seen) -> Step {
    let honest: Vec<_> = (0..3).map(|n| seed_token(n, "active")).collect();
    let body =
        serde_json::json!({"count": 3, "offset": 0, "total": 40, "items": honest}).to_string();
    Step::Respond(response(200, &body))
}

fn openapi_requests(transport: &FakeTransport) -> Vec<Seen> {
    transport
        .seen()
        .into_iter()
        .filter(|s| s.url.ends_with(OPENAPI))
        .collect()
}

fn list_requests(transport: &FakeTransport) -> Vec<Seen> {
    transport
        .seen()
        .into_iter()
        .filter(|s| s.url.contains("/api/v1/tokens?"))
        .collect()
}

fn sends_filter_or_sort(seen: &Seen) -> bool {
    param(&seen.url, "filter").is_some() || param(&seen.url, "sort").is_some()
}

#[test]
fn a_list_described_with_filter_and_sort_is_sent_them_and_trusted_when_it_honours_them() {
    let clock = FakeClock::new();
    let transport = FakeTransport::routed(
        &clock,
        described_server(|| Step::Respond(response(200, &advertised())), honest_list),
    );
    let description = ListDescription::new();
    let listing = block_on(client(&transport, &clock).list_tokens_described(
        &active_by_name_query(3, 0),
        &ActiveByName { now: now() },
        &description,
    ))
    .unwrap();
    assert_eq!(listing.mode, ListMode::Server);
    assert_eq!(listing.page.total, 40);
    let seen = transport.seen();
    assert_eq!(seen.len(), 2, "the description, then one page");
    assert_eq!(seen[0].url, format!("{BASE}{OPENAPI}"));
    assert_eq!(
        seen[0].authorization, None,
        "the description is asked for without the key"
    );
    assert!(
        seen[0]
            .headers
            .iter()
            .all(|(name, value)| !value.contains(KEY) && *name != "authorization")
    );
    assert_eq!(
        param(&seen[1].url, "filter").as_deref(),
        Some("eq%28status%2Cactive%29")
    );
    assert_eq!(
        param(&seen[1].url, "sort").as_deref(),
        Some("asc%28name%29")
    );
    assert_eq!(seen[1].authorization, Some(format!("Bearer {KEY}")));
    assert_eq!(
        description.known(&ApiBase::parse(BASE).unwrap()),
        Some(ListCapabilities::Described {
            filter: true,
            sort: true
        })
    );
}

#[test]
fn a_list_described_with_filter_and_sort_that_ignores_them_is_still_caught() {
    let clock = FakeClock::new();
    let transport = FakeTransport::routed(
        &clock,
        described_server(
            || Step::Respond(response(200, &advertised())),
            paging_server(half_revoked(30), 100),
        ),
    );
    let listing = block_on(client(&transport, &clock).list_tokens_described(
        &active_by_name_query(5, 0),
        &ActiveByName { now: now() },
        &ListDescription::new(),
    ))
    .unwrap();
    assert_eq!(
        listing.mode,
        ListMode::ClientSide {
            reason: FallbackReason::FilterIgnored
        }
    );
    assert_eq!(listing.page.total, 15);
    assert!(sends_filter_or_sort(&list_requests(&transport)[0]));
}

#[test]
fn a_list_described_without_filter_or_sort_is_listed_in_the_browser_without_sending_them() {
    // Neither advertised; or only the filter, for a query that also sorts.
    for names in [&["limit", "offset"][..], &["limit", "offset", "filter"][..]] {
        let clock = FakeClock::new();
        let document = openapi_listing(names);
        let transport = FakeTransport::routed(
            &clock,
            described_server(
                move || Step::Respond(response(200, &document)),
                paging_server(half_revoked(130), 100),
            ),
        );
        let listing = block_on(client(&transport, &clock).list_tokens_described(
            &active_by_name_query(5, 5),
            &ActiveByName { now: now() },
            &ListDescription::new(),
        ))
        .unwrap();
        assert_eq!(
            listing.mode,
            ListMode::ClientSide {
                reason: FallbackReason::NotAdvertised
            },
            "{names:?}"
        );
        assert_eq!(listing.page.total, 65);
        assert_eq!(page_ids(&listing), ["t010", "t012", "t014", "t016", "t018"]);
        assert_eq!(listing.held.as_ref().map(|h| h.len()), Some(130));
        let lists = list_requests(&transport);
        assert_eq!(lists.len(), 2, "every page, once: {names:?}");
        assert!(
            lists.iter().all(|s| !sends_filter_or_sort(s)),
            "{names:?}: filter or sort sent to a list that does not take them"
        );
        assert_eq!(openapi_requests(&transport)[0].authorization, None);
        assert!(
            listing
                .mode
                .describe()
                .contains("the API's description of its token list has no filter or sort")
        );
    }
}

#[test]
fn a_description_that_cannot_be_had_or_read_leaves_the_check_of_what_came_back() {
    type Describe = Box<dyn FnMut() -> Step + Send>;
    let cases: Vec<(&str, Describe)> = vec![
        (
            "404",
            Box::new(|| Step::Respond(error(404, "not found", "req_404"))),
        ),
        (
            "503, not retried",
            Box::new(|| Step::Respond(error(503, "busy", "req_503"))),
        ),
        (
            "not JSON",
            Box::new(|| Step::Respond(response(200, "<html>docs</html>"))),
        ),
        (
            "another structure",
            Box::new(|| Step::Respond(response(200, r#"{"swagger":"2.0","paths":[]}"#))),
        ),
        (
            "blocked by CORS",
            Box::new(|| Step::Fail(TransportError::Network(NetworkFailure::CorsBlocked))),
        ),
    ];
    for (case, describe) in cases {
        let clock = FakeClock::new();
        let transport = FakeTransport::routed(
            &clock,
            described_server(describe, paging_server(half_revoked(30), 100)),
        );
        let c = client(&transport, &clock);
        let description = ListDescription::new();
        for offset in [0, 5] {
            let listing = block_on(c.list_tokens_described(
                &active_by_name_query(5, offset),
                &ActiveByName { now: now() },
                &description,
            ))
            .unwrap();
            assert_eq!(
                listing.mode,
                ListMode::ClientSide {
                    reason: FallbackReason::FilterIgnored
                },
                "{case}"
            );
        }
        assert_eq!(
            openapi_requests(&transport).len(),
            1,
            "{case}: asked once, kept though unknown"
        );
        assert!(
            sends_filter_or_sort(&list_requests(&transport)[0]),
            "{case}: the filter is tried as before"
        );
        assert_eq!(
            description.known(c.base()),
            Some(ListCapabilities::Unknown),
            "{case}"
        );
    }
}

#[test]
fn the_description_is_asked_for_once_per_base_and_only_for_a_filter_or_sort() {
    let clock = FakeClock::new();
    let transport = FakeTransport::routed(
        &clock,
        described_server(|| Step::Respond(response(200, &advertised())), honest_list),
    );
    let c = client(&transport, &clock);
    let description = ListDescription::new();
    let evaluate = ActiveByName { now: now() };
    block_on(c.list_tokens_described(&ListQuery::default(), &evaluate, &description)).unwrap();
    assert!(
        openapi_requests(&transport).is_empty(),
        "nothing to ask about"
    );
    for offset in [0, 3, 6] {
        let listing = block_on(c.list_tokens_described(
            &active_by_name_query(3, offset),
            &evaluate,
            &description,
        ))
        .unwrap();
        assert_eq!(listing.mode, ListMode::Server);
    }
    assert_eq!(openapi_requests(&transport).len(), 1);

    let clock_dyn: Arc<dyn Clock + Send + Sync> = clock.clone();
    let elsewhere = FoundryClient::new(
        ApiBase::parse("https://other.example").unwrap(),
        SecretString::from(KEY),
        transport.clone(),
        clock_dyn,
    );
    block_on(elsewhere.list_tokens_described(&active_by_name_query(3, 0), &evaluate, &description))
        .unwrap();
    let asked = openapi_requests(&transport);
    assert_eq!(asked.len(), 2, "another base is asked again");
    assert_eq!(asked[1].url, format!("https://other.example{OPENAPI}"));
    assert_eq!(asked[1].authorization, None);
}
