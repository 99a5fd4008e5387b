//! `filter` and `sort` on the seed token list, against a fixture of six tokens with known
//! values (inserted for one extra user, listed by the global admin, who sees them by naming
//! that user with `eq(user_id,…)`) and the member's demo tokens. Expected orders are written
//! out by hand from the fixture table below.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::http::StatusCode;
use common::{Double, validate_seed_page};
use foundry_double::demo::{MEMBER_TOKENS, TOTAL_TOKENS};
use foundry_double::state::Variant;
use foundry_double::store::TokenRow;
use foundry_keyring::api::models::TokenKind;
use foundry_keyring::timestamp::Timestamp;
use serde_json::Value;

/// The fixture's owner: no demo row has this user.
const FIX: &str = "00000000-0000-4000-8000-00000000f1f7";
/// Every fixture query starts with this, so the admin sees only the fixture (and, in the seed
/// variant, sees it at all: an admin sees another user's tokens only by naming the user).
const MINE: &str = "eq(user_id,00000000-0000-4000-8000-00000000f1f7)";

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

/// | id    | name            | created_at        | token_type  | expires_at | revoked | last_used  | status  |
/// |-------|-----------------|-------------------|-------------|------------|---------|------------|---------|
/// | fix-1 | Alpha CI        | 2026-01-05T10:00Z | user        | null       |         | 2026-02-01 | active  |
/// | fix-2 | beta deploy     | 2026-01-05T18:30Z | admin       | 2099-01-01 |         | null       | active  |
/// | fix-3 | Gamma ci runner | 2026-01-06T09:00Z | user        | 2026-01-20 |         | 2026-01-10 | expired |
/// | fix-4 | delta           | 2026-01-07T12:00Z | multi_org   | 2099-01-01 | yes     | null       | revoked |
/// | fix-5 | epsilon CI      | 2026-01-07T12:00Z | attenuated  | null       |         | null       | active  |
/// | fix-6 | zeta            | 2026-01-03T00:00Z | user        | null       |         | null       | active  |
///
/// Default order (newest first, then the greater id): fix-5, fix-4, fix-3, fix-2, fix-1, fix-6.
fn with_fixture(variant: Variant) -> Double {
    let double = Double::new(variant);
    let row = |n: u8, name: &str, created: &str, token_type: &str| TokenRow {
        id: format!("fix-{n}"),
        name: name.to_owned(),
        kind: TokenKind::Root,
        token_type: Some(token_type.to_owned()),
        created_by: FIX.to_owned(),
        created_at: at(created),
        expires_at: None,
        revoked_at: None,
        last_used: None,
        parent_token_id: None,
        root_token_id: None,
        attenuation_spec: None,
        revocation_id: None,
    };
    let rows = [
        TokenRow {
            last_used: Some(at("2026-02-01T00:00:00Z")),
            ..row(1, "Alpha CI", "2026-01-05T10:00:00Z", "user")
        },
        TokenRow {
            expires_at: Some(at("2099-01-01")),
            ..row(2, "beta deploy", "2026-01-05T18:30:00Z", "admin")
        },
        TokenRow {
            expires_at: Some(at("2026-01-20")),
            last_used: Some(at("2026-01-10T00:00:00Z")),
            ..row(3, "Gamma ci runner", "2026-01-06T09:00:00Z", "user")
        },
        TokenRow {
            expires_at: Some(at("2099-01-01")),
            revoked_at: Some(at("2026-01-08T00:00:00Z")),
            ..row(4, "delta", "2026-01-07T12:00:00Z", "multi_org")
        },
        TokenRow {
            kind: TokenKind::Attenuated,
            token_type: None,
            parent_token_id: Some("fix-1".to_owned()),
            root_token_id: Some("fix-1".to_owned()),
            ..row(5, "epsilon CI", "2026-01-07T12:00:00Z", "user")
        },
        row(6, "zeta", "2026-01-03T00:00:00Z", "user"),
    ];
    let mut store = double.state.store();
    for r in rows {
        store.insert(r);
    }
    drop(store);
    double
}

/// `GET /api/v1/tokens?{query}` as the admin; the query is sent as written (already encoded).
async fn list(double: &Double, query: &str) -> common::Reply {
    double
        .get(
            &format!("/api/v1/tokens?{query}"),
            Some(&double.key("admin")),
        )
        .await
}

/// The ids of a 200 page (validated against the seed shape first).
fn ids(reply: &common::Reply) -> Vec<String> {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    validate_seed_page(&reply.body);
    reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_owned())
        .collect()
}

fn fix(ns: &[u8]) -> Vec<String> {
    ns.iter().map(|n| format!("fix-{n}")).collect()
}

/// Ids of `filter=and(MINE,{extra})` (or just MINE), in the default order.
async fn filtered(double: &Double, extra: &str) -> Vec<String> {
    let filter = if extra.is_empty() {
        MINE.to_owned()
    } else {
        format!("and({MINE},{extra})")
    };
    ids(&list(double, &format!("filter={filter}")).await)
}

#[tokio::test]
async fn filter_semantics_on_the_fixture() {
    let double = with_fixture(Variant::Seed);
    let reply = list(&double, &format!("filter={MINE}")).await;
    assert_eq!(reply.body["total"], 6);
    assert_eq!(ids(&reply), fix(&[5, 4, 3, 2, 1, 6]));
    let item = &reply.body["items"][0];
    assert_eq!(item["status"], "active");
    assert_eq!(item["token_type"], "attenuated");

    let cases: &[(&str, &[u8])] = &[
        // Logic; status is derived at request time.
        ("eq(status,active)", &[5, 2, 1, 6]),
        ("or(eq(status,revoked),eq(status,expired))", &[4, 3]),
        ("not(eq(token_type,user))", &[5, 4, 2]),
        ("and(eq(status,active),neq(token_type,user))", &[5, 2]),
        // in, between (inclusive at both ends, a bare date is midnight UTC).
        ("in(token_type,admin,multi_org,nope)", &[4, 2]),
        (
            "between(created_at,2026-01-05,2026-01-06T09:00:00Z)",
            &[3, 2, 1],
        ),
        // NULLs.
        ("is_null(expires_at)", &[5, 1, 6]),
        ("is_not_null(last_used)", &[3, 1]),
        // Three-valued logic: not(gt(NULL,..)) is unknown, so NULL expiries never match.
        ("not(gt(expires_at,2030-01-01))", &[3]),
        (
            "or(is_null(expires_at),not(gt(expires_at,2030-01-01)))",
            &[5, 3, 1, 6],
        ),
        // contains is case-insensitive.
        ("contains(name,ci)", &[5, 3, 1]),
        ("contains(name,CI)", &[5, 3, 1]),
        ("contains(name,DePlOy)", &[2]),
        // Casts: a timestamp is not equal to its day's midnight, its date() is.
        ("eq(created_at,2026-01-05)", &[]),
        ("eq(date(created_at),2026-01-05)", &[2, 1]),
        ("eq(text(date(created_at)),2026-01-07)", &[5, 4]),
        ("lt(last_used,2026-01-31)", &[3]),
        ("eq(id,fix-6)", &[6]),
    ];
    for (extra, want) in cases {
        assert_eq!(filtered(&double, extra).await, fix(want), "filter {extra}");
    }
}

#[tokio::test]
async fn sort_semantics_and_short_forms() {
    let double = with_fixture(Variant::Seed);
    let sorted = |sort: &'static str| {
        let double = &double;
        async move { ids(&list(double, &format!("filter={MINE}&sort={sort}")).await) }
    };
    // Multi-column: token_type ascending (byte order), then newest first.
    let want = fix(&[2, 5, 4, 3, 1, 6]);
    assert_eq!(sorted("asc(token_type),desc(created_at)").await, want);
    // The July short forms; `+` must arrive as %2B ...
    assert_eq!(sorted("token_type,-created_at").await, want);
    assert_eq!(sorted("%2Btoken_type,created_at:desc").await, want);
    assert_eq!(sorted("token_type:asc,%2Dcreated_at").await, want);
    // ... a literal `+` decodes to a space, which the grammar allows before a term, so an
    // unencoded `+name` still sorts ascending.
    assert_eq!(sorted("+token_type,-created_at").await, want);
    assert_eq!(sorted("asc(token_type),%20desc(created_at)").await, want);
    // The second term matters: only the order within `user` changes.
    assert_eq!(
        sorted("asc(token_type),asc(created_at)").await,
        fix(&[2, 5, 4, 6, 1, 3])
    );
    // Byte-wise text order: upper case first.
    assert_eq!(sorted("asc(name)").await, fix(&[1, 3, 2, 4, 5, 6]));
    assert_eq!(sorted("desc(name)").await, fix(&[6, 5, 4, 2, 3, 1]));
    // Stable over the default order: ties keep newest first.
    assert_eq!(sorted("asc(status)").await, fix(&[5, 2, 1, 6, 3, 4]));
    assert_eq!(
        sorted("asc(date(created_at))").await,
        fix(&[6, 2, 1, 3, 5, 4])
    );
    // NULLs are the greatest value: last ascending, first descending.
    assert_eq!(sorted("asc(last_used)").await, fix(&[3, 1, 5, 4, 2, 6]));
    assert_eq!(sorted("desc(last_used)").await, fix(&[5, 4, 2, 6, 1, 3]));
    // An empty sort (or filter) is no sort.
    assert_eq!(sorted("").await, fix(&[5, 4, 3, 2, 1, 6]));
}

#[tokio::test]
async fn total_counts_the_filtered_set_and_paging_applies_after_the_sort() {
    let double = with_fixture(Variant::Seed);
    let page = list(
        &double,
        &format!("filter={MINE}&sort=asc(name)&limit=2&offset=2"),
    )
    .await;
    assert_eq!(ids(&page), fix(&[2, 4]));
    assert_eq!(
        (
            &page.body["total"],
            &page.body["count"],
            &page.body["offset"]
        ),
        (&Value::from(6), &Value::from(2), &Value::from(2))
    );
    let filter = format!("and({MINE},contains(name,ci))");
    let last = list(&double, &format!("filter={filter}&limit=2&offset=2")).await;
    assert_eq!(ids(&last), fix(&[1]));
    assert_eq!(
        (&last.body["total"], &last.body["count"]),
        (&Value::from(3), &Value::from(1))
    );
    let past = list(&double, &format!("filter={filter}&offset=3")).await;
    assert_eq!(ids(&past), Vec::<String>::new());
    assert_eq!(past.body["total"], 3);
    // Without a filter the admin sees only their own tokens: not the fixture.
    let admin = double.user("admin");
    let own = double
        .state
        .store()
        .tokens()
        .iter()
        .filter(|t| t.created_by == admin)
        .count();
    assert!(own > 0);
    let all = list(&double, "limit=1").await;
    assert_eq!(all.body["total"], own);
    // Another field naming the fixture's owner does not widen what the admin sees.
    let by_creator = list(&double, &format!("filter=eq(created_by,{FIX})")).await;
    assert_eq!(by_creator.body["total"], 0);
}

#[tokio::test]
async fn query_parameters_are_form_urlencoded() {
    let double = with_fixture(Variant::Seed);
    // Percent-encoded punctuation and spaces around tokens.
    let encoded =
        "filter=and(eq(user_id%2C00000000-0000-4000-8000-00000000f1f7)%2C%20eq(status%2Cexpired))";
    assert_eq!(ids(&list(&double, encoded).await), fix(&[3]));
    // An offset in a timestamp literal needs %2B: 12:00+02:00 is 10:00Z, so fix-1 is included.
    let filter = format!("and({MINE},gte(created_at,2026-01-05T12:00:00%2B02:00))");
    assert_eq!(
        ids(&list(&double, &format!("filter={filter}")).await),
        fix(&[5, 4, 3, 2, 1])
    );
    // A literal `+` is a space, which cannot be inside a value: a parse error at the space.
    let filter = "gte(created_at,2026-01-05T12:00:00+02:00)";
    let reply = list(&double, &format!("filter={filter}")).await;
    let message = reply.assert_error(StatusCode::BAD_REQUEST);
    assert!(message.contains("at position 35"), "{message}");
    // A repeated parameter is refused rather than half applied.
    let reply = list(&double, &format!("filter={MINE}&filter=eq(status,active)")).await;
    let message = reply.assert_error(StatusCode::BAD_REQUEST);
    assert!(
        message.contains("\"filter\" given more than once"),
        "{message}"
    );
}

#[tokio::test]
async fn bad_expressions_are_400_with_the_envelope() {
    let double = with_fixture(Variant::Seed);
    // Parse errors carry the 0-based byte position of the ParseError.
    for (query, position) in [
        ("filter=and(eq(status,active)x", 21),
        ("filter=eq(status)", 9),
        ("filter=bogus(status,active)", 0),
        ("sort=desc(created_at),", 17),
        ("sort=desc(created_at", 15),
        // The short forms are published for bare fields only.
        ("sort=-date(created_at)", 1),
        ("sort=name,int(created_at)", 5),
    ] {
        let reply = list(&double, query).await;
        let message = reply.assert_error(StatusCode::BAD_REQUEST);
        assert!(
            message.contains(&format!("at position {position}:")),
            "{query}: {message}"
        );
        let which = if query.starts_with("filter") {
            "invalid filter"
        } else {
            "invalid sort"
        };
        assert!(message.starts_with(which), "{query}: {message}");
    }
    let reply = list(&double, "filter=and(eq(status,active)x").await;
    assert_eq!(
        reply.assert_error(StatusCode::BAD_REQUEST),
        "invalid filter \"and(eq(status,active)x\": at position 21: expected ',' or ')' but found 'x'"
    );
    // Unknown fields are named: lineage-only fields are not seed fields.
    for (query, field) in [
        ("filter=eq(kind,root)", "'kind'"),
        (
            "filter=and(eq(status,active),is_null(revoked_at))",
            "'revoked_at'",
        ),
        ("filter=eq(at(metadata,score),42)", "'metadata'"),
        ("sort=asc(name),desc(parent_token_id)", "'parent_token_id'"),
    ] {
        let reply = list(&double, query).await;
        let message = reply.assert_error(StatusCode::BAD_REQUEST);
        assert!(
            message.contains(&format!("unknown field {field}")),
            "{query}: {message}"
        );
    }
    // Evaluation errors name the operand and the literal.
    for (query, parts) in [
        (
            "filter=gt(created_at,banana)",
            &["'banana'", "created_at"][..],
        ),
        (
            "filter=between(last_used,2026-01-01,soon)",
            &["'soon'", "last_used"],
        ),
        ("filter=eq(at(name,key),1)", &["at()", "name"]),
        ("sort=asc(int(created_at))", &["int()", "created_at"]),
    ] {
        let reply = list(&double, query).await;
        let message = reply.assert_error(StatusCode::BAD_REQUEST);
        for part in parts {
            assert!(message.contains(part), "{query}: {message}");
        }
    }
    // A cast of text that does not parse depends on the value: 400 when a row hits it (the
    // data-independent type errors above are 400 even on an empty list: see listing.rs).
    let reply = list(&double, &format!("filter=and({MINE},eq(int(name),1))")).await;
    let message = reply.assert_error(StatusCode::BAD_REQUEST);
    assert!(message.contains("int() cannot read"), "{message}");
}

#[tokio::test]
async fn member_demo_tokens_filter_by_status() {
    let double = with_fixture(Variant::Seed);
    let member = double.key("member");
    let mut sum = 0;
    for status in ["active", "expired", "revoked"] {
        let reply = double
            .get(
                &format!("/api/v1/tokens?filter=eq(status,{status})&limit=100&sort=asc(name)"),
                Some(&member),
            )
            .await;
        let total = reply.body["total"].as_u64().unwrap();
        assert!(total > 0, "demo data has {status} tokens");
        sum += total;
        let items = reply.body["items"].as_array().unwrap();
        assert!(items.iter().all(|i| i["status"] == status), "{status}");
        let names: Vec<&str> = items.iter().map(|i| i["name"].as_str().unwrap()).collect();
        assert!(
            names.windows(2).all(|w| w[0] <= w[1]),
            "{status}: {names:?}"
        );
    }
    assert_eq!(sum, MEMBER_TOKENS as u64);
    // The member does not see the fixture's owner's tokens, and may not ask by user_id.
    let reply = double
        .get(
            &format!("/api/v1/tokens?filter=eq(created_by,{FIX})"),
            Some(&member),
        )
        .await;
    assert_eq!(reply.body["total"], 0);
    let reply = double
        .get(&format!("/api/v1/tokens?filter={MINE}"), Some(&member))
        .await;
    let message = reply.assert_error(StatusCode::FORBIDDEN);
    assert!(message.contains("user_id"), "{message}");
}

#[tokio::test]
async fn lineage_variants_ignore_filter_and_sort() {
    for variant in [Variant::April, Variant::July, Variant::September] {
        let double = with_fixture(variant);
        let reply = list(
            &double,
            &format!("filter={MINE}&filter=eq(kind,root)&sort=desc(name)&limit=100"),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{variant:?}: {}", reply.body);
        // The dated documents: a global admin sees every user's tokens, fixture included.
        assert_eq!(reply.body["total"], TOTAL_TOKENS + 6, "{variant:?}");
        let created: Vec<&str> = reply.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["created_at"].as_str().unwrap())
            .collect();
        assert_eq!(created.len(), 100);
        assert!(created.windows(2).all(|w| w[0] >= w[1]), "newest first");
        // limit/offset still apply, and a repeated one is still refused.
        let reply = list(&double, "limit=5&limit=6").await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        let message = reply
            .body
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or_default();
        assert!(message.contains("\"limit\""), "{variant:?}: {message}");
        // A non-admin naming another user in an ignored filter is not refused: it is ignored.
        let member = double
            .get(
                &format!("/api/v1/tokens?filter={MINE}"),
                Some(&double.key("member")),
            )
            .await;
        assert_eq!(member.status, StatusCode::OK, "{variant:?}");
        assert_eq!(member.body["total"], MEMBER_TOKENS, "{variant:?}");
    }
}
