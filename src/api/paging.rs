//! Fetching every page, and listing with a fallback for servers that ignore filter and sort.

use crate::api::base::ApiBase;
use crate::api::client::FoundryClient;
use crate::api::error::ApiError;
use crate::api::evaluate::{EvalFailure, TokenQuery};
use crate::api::listing::{FallbackReason, ListCapabilities, ListMode, ListQuery, PageLimit};
use crate::api::models::{Page, Token};
use crate::api::transport::Transport;
use crate::query::{Filter, Sort};
use futures::{StreamExt, TryStreamExt, stream};
use std::sync::{Arc, Mutex};

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
#[derive(Debug, Clone)]
pub struct HeldTokens {
    tokens: Arc<[Token]>,
    reason: FallbackReason,
    /// The order of every held token under the last sort that had a name (see
    /// [`TokenQuery::order_name`]), shared by the clones: a filter or page change under the
    /// same sort then sorts only the matches' ranks, because the stable order of a subset is
    /// that subset of the stable order of all.
    sorted: Arc<Mutex<Option<NamedOrder>>>,
}

#[derive(Debug)]
struct NamedOrder {
    name: String,
    /// `None`: sorting all the tokens failed (see [`HeldTokens::order_of_all`]), so it is not
    /// tried again for each filter change under this sort.
    order: Option<Arc<KeptOrder>>,
}

/// A sorted order of the held tokens, both ways round.
#[derive(Debug)]
struct KeptOrder {
    /// `tokens[order[r]]` is the token of rank `r`.
    order: Vec<usize>,
    /// `rank[i]` is the rank of `tokens[i]`.
    rank: Vec<usize>,
}

impl KeptOrder {
    fn new(order: Vec<usize>) -> Self {
        let mut rank = vec![0; order.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = r;
        }
        Self { order, rank }
    }
}

impl HeldTokens {
    /// Tokens fetched from a server that ignored the query for `reason`.
    pub fn new(tokens: Arc<[Token]>, reason: FallbackReason) -> Self {
        Self {
            tokens,
            reason,
            sorted: Arc::default(),
        }
    }

    /// The page `query` asks for, from the held tokens, without a request.
    pub fn listing(
        &self,
        query: &ListQuery,
        evaluate: &dyn TokenQuery,
    ) -> Result<Listing, ApiError> {
        let page = match self.order_of_all(evaluate) {
            Some(order) => page_in_order(&self.tokens, &order, query, evaluate),
            None => page_locally(&self.tokens, query, evaluate),
        };
        Ok(Listing {
            page: page.map_err(not_applicable)?,
            mode: ListMode::ClientSide {
                reason: self.reason,
            },
            held: Some(self.clone()),
        })
    }

    /// Every held token's position in `evaluate`'s order, worked out once per named order.
    /// `None` when the order has no name, or when sorting all tokens fails: a sort may fail on
    /// a token the filter leaves out, so then the filter goes first, as on a server.
    fn order_of_all(&self, evaluate: &dyn TokenQuery) -> Option<Arc<KeptOrder>> {
        let name = evaluate.order_name()?;
        let mut sorted = self.sorted.lock().ok()?;
        if let Some(known) = sorted.as_ref().filter(|known| known.name == name) {
            return known.order.clone();
        }
        let all: Vec<&Token> = self.tokens.iter().collect();
        let order = evaluate
            .order(&all)
            .ok()
            .flatten()
            .map(|order| Arc::new(KeptOrder::new(order)));
        *sorted = Some(NamedOrder {
            name,
            order: order.clone(),
        });
        order
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Every held token, as fetched (a token's details look up its relatives here).
    pub fn tokens(&self) -> &[Token] {
        &self.tokens
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }
}

/// The same tokens from the same listing: what order has been worked out for them does not
/// matter.
impl PartialEq for HeldTokens {
    fn eq(&self, other: &Self) -> bool {
        self.reason == other.reason
            && (Arc::ptr_eq(&self.tokens, &other.tokens) || self.tokens == other.tokens)
    }
}

impl<T: Transport> FoundryClient<T> {
    /// Every token matching `filter`/`sort` as the server applies them, in order: the first
    /// page gives `total`, the rest are fetched [`PAGE_CONCURRENCY`] at a time; the first
    /// error stops the whole listing.
    pub async fn list_all_tokens(
        &self,
        filter: Option<Filter>,
        sort: Option<Sort>,
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
    /// client over all tokens (`evaluate` applies the same filter and sort locally, e.g.
    /// [`ListQuery::at`]).
    ///
    /// A server is taken to ignore filter/sort when it answers in the July 2026 lineage shape
    /// (whose list takes only limit/offset), or when what it returns visibly breaks the filter
    /// or the order. A server that honours them yet sends the lineage shape only costs extra
    /// requests: the client-side result is the same. This does not ask the API's description
    /// first; [`list_tokens_described`](Self::list_tokens_described) does.
    pub async fn list_tokens_checked(
        &self,
        query: &ListQuery,
        evaluate: &dyn TokenQuery,
    ) -> Result<Listing, ApiError> {
        self.list_tokens_given(query, evaluate, ListCapabilities::Unknown)
            .await
    }

    /// As [`list_tokens_checked`](Self::list_tokens_checked), after learning from the API's
    /// own description (asked once per base, kept in `description`) whether its list takes
    /// filter and sort. When it says not, the filter and sort are never sent: every token is
    /// fetched without them and the page made here ([`FallbackReason::NotAdvertised`]). When it
    /// says so, or cannot tell, what comes back is still checked.
    pub async fn list_tokens_described(
        &self,
        query: &ListQuery,
        evaluate: &dyn TokenQuery,
        description: &ListDescription,
    ) -> Result<Listing, ApiError> {
        let capabilities = if query.has_filter_or_sort() {
            description.capabilities(self).await
        } else {
            ListCapabilities::Unknown
        };
        self.list_tokens_given(query, evaluate, capabilities).await
    }

    async fn list_tokens_given(
        &self,
        query: &ListQuery,
        evaluate: &dyn TokenQuery,
        capabilities: ListCapabilities,
    ) -> Result<Listing, ApiError> {
        if capabilities.refuses(query) {
            return self
                .list_in_browser(query, evaluate, FallbackReason::NotAdvertised)
                .await;
        }
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
        self.list_in_browser(query, evaluate, reason).await
    }

    /// Every token, fetched without filter/sort (a server that ignores them might also
    /// misapply them), and `query`'s page made from them here. When there are more than
    /// [`MAX_LISTED`], the server's own page instead, without filter and sort
    /// ([`ListMode::Unfiltered`]): a key that has made one token too many still sees its
    /// tokens, and narrowing a filter the server ignores would not bring the count down.
    async fn list_in_browser(
        &self,
        query: &ListQuery,
        evaluate: &dyn TokenQuery,
        reason: FallbackReason,
    ) -> Result<Listing, ApiError> {
        let tokens = match self.list_all_tokens(None, None).await {
            Err(ApiError::TooManyItems { total, .. }) => {
                let unfiltered = ListQuery {
                    filter: None,
                    sort: None,
                    ..query.clone()
                };
                return Ok(Listing {
                    page: self.list_tokens(&unfiltered).await?,
                    mode: ListMode::Unfiltered { reason, total },
                    held: None,
                });
            }
            other => other?,
        };
        HeldTokens::new(tokens.into(), reason).listing(query, evaluate)
    }
}

/// What the API's own description says its token list takes (see
/// [`FoundryClient::list_capabilities`]), asked once per base and kept for every later
/// listing, by whoever lists (the token table). Clones share what is kept.
#[derive(Debug, Clone, Default)]
pub struct ListDescription {
    known: Arc<Mutex<Option<(ApiBase, ListCapabilities)>>>,
}

impl ListDescription {
    pub fn new() -> Self {
        Self::default()
    }

    /// What is kept for `base`, without asking.
    pub fn known(&self, base: &ApiBase) -> Option<ListCapabilities> {
        let known = self.known.lock().ok()?;
        known
            .as_ref()
            .filter(|(of, _)| of == base)
            .map(|(_, capabilities)| *capabilities)
    }

    /// What is kept for the client's base, or asked now and kept (an answer of
    /// [`ListCapabilities::Unknown`] too: a document that could not be had is not asked for on
    /// every page).
    pub async fn capabilities<T: Transport>(&self, client: &FoundryClient<T>) -> ListCapabilities {
        if let Some(known) = self.known(client.base()) {
            return known;
        }
        let capabilities = client.list_capabilities().await;
        if let Ok(mut known) = self.known.lock() {
            *known = Some((client.base().clone(), capabilities));
        }
        capabilities
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
    match evaluate.order(&matching)? {
        Some(order) => Ok(page_of(order.iter().map(|&i| matching[i]), query)),
        None => Ok(page_of(matching.into_iter(), query)),
    }
}

/// As [`page_locally`], with the order of all `tokens` already worked out. The filter runs
/// over the tokens as they lie in memory (walking them in sorted order instead hops around
/// and was as slow as sorting afresh), and only the matches' ranks are sorted: integers.
fn page_in_order(
    tokens: &[Token],
    kept: &KeptOrder,
    query: &ListQuery,
    evaluate: &dyn TokenQuery,
) -> Result<Page<Token>, EvalFailure> {
    let mut ranks = Vec::with_capacity(tokens.len());
    for (token, &rank) in tokens.iter().zip(&kept.rank) {
        if evaluate.matches(token)? {
            ranks.push(rank);
        }
    }
    ranks.sort_unstable();
    // `kept` was worked out over these very tokens (`HeldTokens` keeps both), so every rank
    // and position is in range.
    Ok(page_of(
        ranks.iter().map(|&r| &tokens[kept.order[r]]),
        query,
    ))
}

/// The page of `query`'s offset and limit from every match, in order; only its tokens are
/// copied.
fn page_of<'t>(sorted: impl ExactSizeIterator<Item = &'t Token>, query: &ListQuery) -> Page<Token> {
    let total = sorted.len() as u64;
    let items: Vec<Token> = sorted
        .skip(usize::try_from(query.offset).unwrap_or(usize::MAX))
        .take(query.limit.get() as usize)
        .cloned()
        .collect();
    Page {
        count: items.len() as u64,
        offset: query.offset,
        total,
        items,
    }
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
