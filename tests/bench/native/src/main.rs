//! Times the token table's client-side path over ~10,000 tokens held in memory: the filter and
//! sort of the `ListQuery` that `TableState::list_request` builds (evaluated `at(now)`), applied
//! two ways. `runs_ms`: by `page_locally` (filter, stable sort, one page copied out), what a
//! new sort costs. `held_runs_ms`: by `HeldTokens::listing` once the order of all tokens under
//! that sort is kept, what a filter or page change costs (the browser table's usual click).
//!
//! Usage: `table-bench [TOKENS.json] [RUNS]`. TOKENS.json is a JSON array of list items (the
//! bench dumps the double's admin listing); without it 10,000 tokens are generated.
//! Prints one line of JSON: {"tokens", "matched", "page", "runs_ms": [...], "held_runs_ms": [...]}.

use foundry_keyring::api::listing::FallbackReason;
use foundry_keyring::api::paging::{HeldTokens, page_locally};
use foundry_keyring::api::models::{Token, TokenStatus};
use foundry_keyring::table::{Column, SortKey, TableState};
use foundry_keyring::timestamp::Timestamp;
use std::time::Instant;

fn generated(n: usize, now: Timestamp) -> Vec<Token> {
    let words = [
        "lab", "ci", "deploy", "notebook", "pipeline", "admin", "reader", "sync", "backup",
        "export",
    ];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    (0..n)
        .map(|i| {
            let r = next();
            let created = now.plus_seconds(-((r % (400 * 86_400)) as i64));
            let expires =
                (r % 5 != 0).then(|| created.plus_seconds(((r >> 8) % (365 * 86_400)) as i64));
            let status = match r % 10 {
                0 => TokenStatus::Revoked,
                _ if expires.is_some_and(|e| e <= now) => TokenStatus::Expired,
                _ => TokenStatus::Active,
            };
            Token {
                id: format!("01900000-0000-7000-8000-{i:012x}"),
                name: format!(
                    "{} {} {}",
                    words[(r >> 16) as usize % 10],
                    words[(r >> 24) as usize % 10],
                    i
                ),
                created_at: created,
                status: Some(status),
                token_type: Some(if r % 3 == 0 { "attenuated" } else { "user" }.to_owned()),
                created_by: Some(format!("user-{}", (r >> 32) % 50)),
                expires_at: expires,
                last_used: (r % 4 != 0).then(|| created.plus_seconds(((r >> 40) % 86_400) as i64)),
                user_id: None,
                kind: None,
                revoked_at: None,
                parent_token_id: None,
                root_token_id: None,
                attenuation_spec: None,
            }
        })
        .collect()
}

/// Milliseconds of each of `runs` calls of `run`, after one more untimed call that warms caches
/// and the allocator (and works out what is kept); with what the last call returned.
fn timed<T>(
    runs: usize,
    mut run: impl FnMut() -> Result<T, Box<dyn std::error::Error>>,
) -> Result<(Vec<f64>, T), Box<dyn std::error::Error>> {
    let mut last = run()?;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let value = std::hint::black_box(run()?);
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        last = value; // the previous result is dropped outside the timed part
    }
    Ok((times, last))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let now = Timestamp::from_unix(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs() as i64,
    );
    let tokens: Vec<Token> = match args.get(1).filter(|p| !p.is_empty() && *p != "-") {
        Some(path) => serde_json::from_slice(&std::fs::read(path)?)?,
        None => generated(10_000, now),
    };
    let runs: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(7);

    // What a person sets in the table: a search word, two statuses, and a two-column sort
    // (expiry ascending, then name descending), 25 rows a page, third page.
    let state = TableState {
        search: "a".into(),
        statuses: vec![TokenStatus::Active, TokenStatus::Expired],
        sort: vec![
            SortKey {
                column: Column::Expires,
                descending: false,
            },
            SortKey {
                column: Column::Name,
                descending: true,
            },
        ],
        page: 2,
        ..TableState::default()
    };

    let (times, page) = timed(runs, || {
        let request = state.list_request()?;
        Ok(page_locally(&tokens, &request, &request.at(now))?)
    })?;
    let (matched, page_len) = (page.total, page.items.len());

    // The first (untimed) listing works out and keeps the order; the timed ones reuse it.
    let held = HeldTokens::new(tokens.clone().into(), FallbackReason::LineageShape);
    let (held_times, _) = timed(runs, || {
        let request = state.list_request()?;
        let listing = held.listing(&request, &request.at(now))?;
        if (listing.page.total, listing.page.items.len()) != (matched, page_len) {
            return Err("the held tokens gave another page than page_locally".into());
        }
        Ok(listing)
    })?;

    let list = |times: &[f64]| {
        times
            .iter()
            .map(|t| format!("{t:.3}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    println!(
        "{{\"tokens\":{},\"matched\":{},\"page\":{},\"runs_ms\":[{}],\"held_runs_ms\":[{}]}}",
        tokens.len(),
        matched,
        page_len,
        list(&times),
        list(&held_times)
    );
    Ok(())
}
