//! What a token list request asks for, and how the answer was produced.
//!
//! The types make out-of-range requests impossible: a [`PageLimit`] is 1..=100 and an offset
//! is unsigned, so the client never sends what the API leaves undefined.

use crate::query::{Filter, Sort};
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

/// `GET /api/v1/tokens` parameters. The filter and sort are the grammar's trees: only what it
/// can express is sent, in its canonical printed form, and the same trees are evaluated here
/// when a server ignores them ([`ListQuery::at`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListQuery {
    pub limit: PageLimit,
    pub offset: u64,
    pub filter: Option<Filter>,
    pub sort: Option<Sort>,
}

impl ListQuery {
    /// The query string, values percent-encoded (a filter holds `(`, `,`, `:` …). The filter
    /// and sort are printed canonically, which the grammar's parser reads back to the same
    /// trees (within [`MAX_DEPTH`](crate::query::MAX_DEPTH)).
    pub fn to_query_string(&self) -> String {
        let mut out = format!("limit={}&offset={}", self.limit.get(), self.offset);
        if let Some(filter) = &self.filter {
            out.push_str("&filter=");
            out.push_str(&percent_encode(&filter.to_string()));
        }
        if let Some(sort) = &self.sort {
            out.push_str("&sort=");
            out.push_str(&percent_encode(&sort.to_string()));
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
    use crate::query::{parse_filter, parse_sort};

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
    fn query_string_prints_and_encodes_filter_and_sort() {
        let query = ListQuery {
            limit: PageLimit::MAX,
            offset: 200,
            filter: Some(
                parse_filter("and( eq(status,active), gte(created_at,2026-01-01T00:00:00Z))")
                    .unwrap(),
            ),
            sort: Some(parse_sort("-created_at, name").unwrap()),
        };
        assert_eq!(
            query.to_query_string(),
            "limit=100&offset=200&filter=and%28eq%28status%2Cactive%29%2Cgte%28created_at%2C2026-01-01T00%3A00%3A00Z%29%29\
             &sort=desc%28created_at%29%2Casc%28name%29"
        );
        assert_eq!(ListQuery::default().to_query_string(), "limit=50&offset=0");
    }
}
