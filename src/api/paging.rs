//! Fetching every page, and listing with a fallback for servers that ignore filter and sort.

use crate::api::client::FoundryClient;
use crate::api::error::ApiError;
use crate::api::listing::{
    EvalFailure, FallbackReason, FilterText, ListMode, ListQuery, PageLimit, SortText, TokenQuery,
};
use crate::api::models::{Page, Token};
use crate::api::transport::Transport;
use futures::{StreamExt, TryStreamExt, stream};
use std::sync::Arc;

/// Pages fetched at once after the first: enough to be quick, few enough to stay polite.
pub const PAGE_CONCURRENCY: usize = 4;

/// The most tokens a full listing fetches (100 pages): beyond that, narrow the filter.
pub const MAX_LISTED: u64 = 10_000;

/// One page of a listing, and how it was produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    pub page: Page<Token>,
    pub mode: ListMode,
    /// When the page was made in the browser: every token it was made from, for the next
    /// filter, sort or page change (see [`HeldTokens`]).
    pub held: Option<HeldTokens>,
}

/// Every token of a browser-side listing (a server that ignores filter and sort), held so that
/// the next filter, sort or page change is applied to them here instead of fetching up to 100
/// pages again. They are as old as the fetch: whoever holds them drops them on a refresh, after
/// a change (attenuate, revoke), and when the key or the API changes.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldTokens {
    tokens: Arc<[Token]>,
    reason: FallbackReason,
}

impl HeldTokens {
    /// The page `query` asks for, from the held tokens, without a request.
    pub fn listing(&self, query: &ListQuery, evaluate: &dyn TokenQuery) -> Result<Listing, ApiError> {
        Ok(Listing {
            page: page_locally(&self.tokens, query, evaluate).map_err(not_applicable)?,
            mode: ListMode::ClientSide { reason: self.reason },
            held: Some(self.clone()),
        })
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }
}

impl<T: Transport> FoundryClient<T> {
    /// Every token matching `filter`/`sort` as the server applies them, in order: the first
    /// page gives `total`, the rest are fetched [`PAGE_CONCURRENCY`] at a time; the first
    /// error stops the whole listing.
    pub async fn list_all_tokens(
        &self,
        filter: Option<FilterText>,
        sort: Option<SortText>,
    ) -> Result<Vec<Token>, ApiError> {
        let query = |offset| ListQuery {
            limit: PageLimit::MAX,
            offset,
            filter: filter.clone(),
            sort: sort.clone(),
        };
        let first = self.list_tokens(&query(0)).await?;
        let total = first.total;
        if total > MAX_LISTED {
            return Err(ApiError::TooManyItems {
                total,
                max: MAX_LISTED,
                request_id: None,
            });
        }
        // A server may cap pages below the limit asked for: step by what it actually sent.
        let step = first.items.len() as u64;
        if step == 0 || step >= total {
            return Ok(first.items);
        }
        let offsets = (1..).map(|n| n * step).take_while(|offset| *offset < total);
        let rest: Vec<Page<Token>> = stream::iter(offsets)
            .map(|offset| {
                let query = query(offset);
                async move { self.list_tokens(&query).await }
            })
            .buffered(PAGE_CONCURRENCY)
            .try_collect()
            .await?;
        let mut items = first.items;
        items.extend(rest.into_iter().flat_map(|page| page.items));
        Ok(items)
    }

    /// One page of `query`, filtered and sorted by the server when it does so, else by the
    /// client over all tokens (`evaluate` applies the same filter and sort locally).
    ///
    /// A server is taken to ignore filter/sort when it answers in the July 2026 lineage shape
    /// (whose list takes only limit/offset), or when what it returns visibly breaks the filter
    /// or the order. A server that honours them yet sends the lineage shape only costs extra
    /// requests: the client-side result is the same.
    pub async fn list_tokens_checked(
        &self,
        query: &ListQuery,
        evaluate: &dyn TokenQuery,
    ) -> Result<Listing, ApiError> {
        let page = self.list_tokens(query).await?;
        if !query.has_filter_or_sort() {
            return Ok(Listing {
                page,
                mode: ListMode::Server,
                held: None,
            });
        }
        let Some(reason) =
            ignored_by_server(query, &page.items, evaluate).map_err(not_applicable)?
        else {
            return Ok(Listing {
                page,
                mode: ListMode::Server,
                held: None,
            });
        };
        // Sent without filter/sort: a server that ignores them might also misapply them.
        let held = HeldTokens {
            tokens: self.list_all_tokens(None, None).await?.into(),
            reason,
        };
        held.listing(query, evaluate)
    }
}

/// The page `query` asks for, with its filter and sort applied here to `tokens` (every token,
/// in the server's order): what a server that ignores them would have answered. Only the
/// page's tokens are copied; filtering and sorting work on references.
pub fn page_locally(
    tokens: &[Token],
    query: &ListQuery,
    evaluate: &dyn TokenQuery,
) -> Result<Page<Token>, EvalFailure> {
    let mut matching = Vec::with_capacity(tokens.len());
    for token in tokens {
        if evaluate.matches(token)? {
            matching.push(token);
        }
    }
    let sorted = evaluate.sort(matching)?;
    let total = sorted.len() as u64;
    let items: Vec<Token> = sorted
        .into_iter()
        .skip(usize::try_from(query.offset).unwrap_or(usize::MAX))
        .take(query.limit.get() as usize)
        .cloned()
        .collect();
    Ok(Page {
        count: items.len() as u64,
        offset: query.offset,
        total,
        items,
    })
}

/// Why `items` show that the server ignored the query, if they do.
fn ignored_by_server(
    query: &ListQuery,
    items: &[Token],
    evaluate: &dyn TokenQuery,
) -> Result<Option<FallbackReason>, EvalFailure> {
    if items.iter().any(|t| t.kind.is_some() && t.status.is_none()) {
        return Ok(Some(FallbackReason::LineageShape));
    }
    if query.filter.is_some() {
        for token in items {
            if !evaluate.matches(token)? {
                return Ok(Some(FallbackReason::FilterIgnored));
            }
        }
    }
    if query.sort.is_some() {
        for pair in items.windows(2) {
            if let [a, b] = pair
                && evaluate.compare(a, b)?.is_gt()
            {
                return Ok(Some(FallbackReason::SortIgnored));
            }
        }
    }
    Ok(None)
}

fn not_applicable(failure: EvalFailure) -> ApiError {
    ApiError::QueryNotApplicable { message: failure.0 }
}
