//! What a token list request asks for, and how the answer was produced.
//!
//! The types make out-of-range requests impossible: a [`PageLimit`] is 1..=100 and an offset
//! is unsigned, so the client never sends what the API leaves undefined.

use crate::api::models::Token;
use std::cmp::Ordering;
use std::fmt;

/// Items per page, 1..=100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PageLimit(u8);

impl PageLimit {
    pub const MAX: PageLimit = PageLimit(100);
    /// The API's own default.
    pub const DEFAULT: PageLimit = PageLimit(50);

    /// `None` outside 1..=100.
    pub fn new(limit: u32) -> Option<Self> {
        u8::try_from(limit)
            .ok()
            .filter(|l| (1..=100).contains(l))
            .map(Self)
    }

    pub const fn get(self) -> u32 {
        self.0 as u32
    }
}

impl Default for PageLimit {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Why a filter or sort text was refused before sending.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryTextError {
    #[error("the {0} is empty")]
    Empty(&'static str),
    #[error("the {0} contains control characters")]
    Control(&'static str),
}

/// A filter in the grammar's printed form, e.g. `eq(status,active)`.
///
/// Stand-in until `crate::query` lands: then this wraps a parsed `query::Filter` and prints it,
/// so only well-formed filters can be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterText(String);

/// A sort in the grammar's printed form, e.g. `desc(created_at),asc(name)`. See [`FilterText`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortText(String);

fn checked(text: &str, what: &'static str) -> Result<String, QueryTextError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(QueryTextError::Empty(what));
    }
    if text.chars().any(char::is_control) {
        return Err(QueryTextError::Control(what));
    }
    Ok(text.to_owned())
}

impl FilterText {
    pub fn new(text: &str) -> Result<Self, QueryTextError> {
        checked(text, "filter").map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl SortText {
    pub fn new(text: &str) -> Result<Self, QueryTextError> {
        checked(text, "sort").map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `GET /api/v1/tokens` parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    pub limit: PageLimit,
    pub offset: u64,
    pub filter: Option<FilterText>,
    pub sort: Option<SortText>,
}

impl ListQuery {
    /// The query string, values percent-encoded (a filter holds `(`, `,`, `:` …).
    pub fn to_query_string(&self) -> String {
        let mut out = format!("limit={}&offset={}", self.limit.get(), self.offset);
        if let Some(filter) = &self.filter {
            out.push_str("&filter=");
            out.push_str(&percent_encode(filter.as_str()));
        }
        if let Some(sort) = &self.sort {
            out.push_str("&sort=");
            out.push_str(&percent_encode(sort.as_str()));
        }
        out
    }

    pub fn has_filter_or_sort(&self) -> bool {
        self.filter.is_some() || self.sort.is_some()
    }
}

/// Everything but RFC 3986 unreserved characters is encoded.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Client-side evaluation of the filter and sort of a [`ListQuery`], for servers that ignore
/// them. Implemented over `crate::query` once it lands; tests use a hand-written one.
pub trait TokenQuery {
    /// Whether the token passes the filter (true when there is none).
    fn matches(&self, token: &Token) -> Result<bool, EvalFailure>;
    /// The requested order (`Equal` when there is no sort).
    fn compare(&self, a: &Token, b: &Token) -> Result<Ordering, EvalFailure>;

    /// The positions of `tokens` in the requested order (`tokens[order[0]]` comes first),
    /// stably: equal tokens keep their order, as a server-side sort would. `None` when there
    /// is nothing to sort by. The default compares pairwise; the grammar's implementation
    /// evaluates each token's sort key once instead (4-5x faster over 10,000 tokens).
    fn order(&self, tokens: &[&Token]) -> Result<Option<Vec<usize>>, EvalFailure> {
        let mut order: Vec<usize> = (0..tokens.len()).collect();
        let mut failure = None;
        order.sort_by(|&a, &b| match self.compare(tokens[a], tokens[b]) {
            Ok(order) => order,
            Err(error) => {
                failure.get_or_insert(error);
                Ordering::Equal
            }
        });
        failure.map_or(Ok(Some(order)), Err)
    }

    /// A name for the order, under which an order already worked out may be reused: queries
    /// with the same name put any tokens in the same order at any time. `None` (the default)
    /// when there is no sort or its order changes with the time (a sort by status).
    fn order_name(&self) -> Option<String> {
        None
    }
}

/// The filter or sort could not be applied to a token (e.g. a literal that does not read as
/// the field's type). The message names the operand and value, never the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EvalFailure(pub String);

/// How a listing was produced, so the UI can say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListMode {
    /// The server filtered, sorted and paged.
    Server,
    /// The server ignored the filter or sort: the client fetched every token and applied them.
    ClientSide { reason: FallbackReason },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FallbackReason {
    /// Items came in the July 2026 lineage shape (`kind`, no `status`), whose list endpoint
    /// takes only `limit` and `offset`.
    LineageShape,
    /// A returned item does not satisfy the filter.
    FilterIgnored,
    /// Returned items are not in the requested order.
    SortIgnored,
}

impl fmt::Display for FallbackReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FallbackReason::LineageShape => {
                "this server's token list does not support filter and sort"
            }
            FallbackReason::FilterIgnored => {
                "this server returned tokens that do not match the filter"
            }
            FallbackReason::SortIgnored => {
                "this server did not return tokens in the requested order"
            }
        })
    }
}

impl ListMode {
    /// A sentence for the UI, e.g. under the table.
    pub fn describe(&self) -> String {
        match self {
            ListMode::Server => "Filtered and sorted by the server.".to_owned(),
            ListMode::ClientSide { reason } => {
                format!("Filtered and sorted in the browser: {reason}.")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_is_bounded() {
        assert_eq!(PageLimit::new(0), None);
        assert_eq!(PageLimit::new(101), None);
        assert_eq!(PageLimit::new(256 + 5), None);
        assert_eq!(PageLimit::new(1).map(PageLimit::get), Some(1));
        assert_eq!(PageLimit::new(100), Some(PageLimit::MAX));
        assert_eq!(PageLimit::default().get(), 50);
    }

    #[test]
    fn query_string_encodes_filter_and_sort() {
        let query = ListQuery {
            limit: PageLimit::MAX,
            offset: 200,
            filter: Some(
                FilterText::new("and(eq(status,active),gte(created_at,2026-01-01T00:00:00Z))")
                    .unwrap(),
            ),
            sort: Some(SortText::new("desc(created_at), asc(name)").unwrap()),
        };
        assert_eq!(
            query.to_query_string(),
            "limit=100&offset=200&filter=and%28eq%28status%2Cactive%29%2Cgte%28created_at%2C2026-01-01T00%3A00%3A00Z%29%29\
             &sort=desc%28created_at%29%2C%20asc%28name%29"
        );
        assert_eq!(ListQuery::default().to_query_string(), "limit=50&offset=0");
        assert_eq!(FilterText::new("  "), Err(QueryTextError::Empty("filter")));
        assert_eq!(
            SortText::new("asc(name)\n,x"),
            Err(QueryTextError::Control("sort"))
        );
    }
}
