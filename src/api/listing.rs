//! What a token list request asks for, and how the answer was produced.
//!
//! The types make out-of-range requests impossible: a [`PageLimit`] is 1..=100 and an offset
//! is unsigned, so the client never sends what the API leaves undefined.

use crate::api::base::Endpoint;
use crate::query::{Filter, Sort};
use serde_json::Value;
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
    /// The server ignores the filter or sort, and lists more tokens than the browser fetches
    /// ([`MAX_LISTED`](crate::api::paging::MAX_LISTED)): its own page, in its own order, with
    /// neither applied. Every token can still be reached page by page; none is hidden.
    Unfiltered { reason: FallbackReason, total: u64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FallbackReason {
    /// The API's own description of `GET /api/v1/tokens` lists no `filter` or no `sort`
    /// parameter where the query has one: nothing was sent with them.
    NotAdvertised,
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
            FallbackReason::NotAdvertised => {
                "the API's description of its token list has no filter or sort"
            }
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
            ListMode::Unfiltered { reason, total } => format!(
                "Not filtered or sorted: {reason}, and it lists {}, more than the {} \
                 that can be fetched to filter and sort them here. These are all its tokens, \
                 page by page in its own order.",
                crate::format::count(*total, "token", "tokens"),
                crate::format::grouped(crate::api::paging::MAX_LISTED),
            ),
        }
    }
}

/// What the API's own description (`GET /api/v1/openapi.json`) says `GET /api/v1/tokens`
/// takes, learnt before any filter or sort is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListCapabilities {
    /// The document lists the operation's query parameters; these two are among them or not.
    Described { filter: bool, sort: bool },
    /// The document could not be had or read: network, CORS, an error status, not JSON, or a
    /// structure other than expected. Then only what comes back tells.
    Unknown,
}

impl ListCapabilities {
    /// Reads `paths["/api/v1/tokens"].get.parameters[*].name` (and the path's own
    /// `parameters`, which OpenAPI applies to every operation under it), following local
    /// `$ref`s. Anything unexpected on the way is [`Unknown`](Self::Unknown) rather than a
    /// guess: a parameter without a name, an unresolvable reference, or no parameter list at
    /// all (a real list takes `limit` and `offset`, so a document without any says nothing).
    pub fn from_openapi(document: &Value) -> Self {
        Self::read(document).unwrap_or(Self::Unknown)
    }

    fn read(document: &Value) -> Option<Self> {
        let path = document.get("paths")?.get(Endpoint::Tokens.path())?;
        let operation = path.get("get").filter(|o| o.is_object())?;
        let lists: Vec<&Value> = [path.get("parameters"), operation.get("parameters")]
            .into_iter()
            .flatten()
            .collect();
        if lists.is_empty() {
            return None;
        }
        let (mut filter, mut sort) = (false, false);
        for list in lists {
            for parameter in list.as_array()? {
                let parameter = resolve(document, parameter)?;
                let name = parameter.get("name")?.as_str()?;
                if parameter.get("in")?.as_str()? != "query" {
                    continue;
                }
                filter |= name == "filter";
                sort |= name == "sort";
            }
        }
        Some(Self::Described { filter, sort })
    }

    /// Whether the description says the list would ignore part of `query`: it has a filter or
    /// a sort that the described operation does not take.
    pub fn refuses(&self, query: &ListQuery) -> bool {
        match *self {
            Self::Described { filter, sort } => {
                (query.filter.is_some() && !filter) || (query.sort.is_some() && !sort)
            }
            Self::Unknown => false,
        }
    }
}

/// `value`, or what its local `$ref` (`#/components/parameters/…`) points to; a few hops at
/// most, so a reference cycle ends.
fn resolve<'a>(document: &'a Value, mut value: &'a Value) -> Option<&'a Value> {
    for _ in 0..8 {
        let Some(reference) = value.get("$ref") else {
            return Some(value);
        };
        value = document.pointer(reference.as_str()?.strip_prefix('#')?)?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{parse_filter, parse_sort};
    use serde_json::json;

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

    fn described(document: Value) -> ListCapabilities {
        ListCapabilities::from_openapi(&document)
    }

    fn parameters(names: &[&str]) -> Value {
        Value::Array(
            names
                .iter()
                .map(|name| json!({"name": name, "in": "query", "schema": {"type": "string"}}))
                .collect(),
        )
    }

    fn with_list_parameters(parameters: Value) -> Value {
        json!({"openapi": "3.1.0", "paths": {"/api/v1/tokens": {"get": {
            "operationId": "list_tokens", "parameters": parameters}}}})
    }

    #[test]
    fn the_list_operation_tells_whether_it_takes_filter_and_sort() {
        assert_eq!(
            described(with_list_parameters(parameters(&[
                "limit", "offset", "filter", "sort"
            ]))),
            ListCapabilities::Described {
                filter: true,
                sort: true
            }
        );
        assert_eq!(
            described(with_list_parameters(parameters(&["limit", "offset"]))),
            ListCapabilities::Described {
                filter: false,
                sort: false
            }
        );
        // A filter in a header is not the query's filter; a path-level sort applies.
        let mut document = with_list_parameters(json!([
            {"name": "limit", "in": "query"},
            {"name": "filter", "in": "header"},
        ]));
        document["paths"]["/api/v1/tokens"]["parameters"] = parameters(&["sort"]);
        assert_eq!(
            described(document),
            ListCapabilities::Described {
                filter: false,
                sort: true
            }
        );
    }

    #[test]
    fn referenced_parameters_are_followed() {
        let mut document = with_list_parameters(json!([
            {"$ref": "#/components/parameters/Limit"},
            {"$ref": "#/components/parameters/Filter"},
        ]));
        document["components"] = json!({"parameters": {
            "Limit": {"name": "limit", "in": "query"},
            "Filter": {"$ref": "#/components/parameters/Filter2"},
            "Filter2": {"name": "filter", "in": "query"},
        }});
        assert_eq!(
            described(document.clone()),
            ListCapabilities::Described {
                filter: true,
                sort: false
            }
        );
        document["components"]["parameters"]["Filter2"] =
            json!({"$ref": "#/components/parameters/Filter"});
        assert_eq!(described(document), ListCapabilities::Unknown, "a cycle");
        assert_eq!(
            described(with_list_parameters(
                json!([{"$ref": "https://elsewhere.example/p.json"}])
            )),
            ListCapabilities::Unknown
        );
    }

    #[test]
    fn anything_unexpected_is_unknown_not_a_guess() {
        for document in [
            Value::Null,
            json!([]),
            json!({"paths": {}}),
            json!({"paths": {"/api/v1/tokens": {"post": {}}}}),
            json!({"paths": {"/api/v1/tokens": {"get": "list"}}}),
            json!({"paths": {"/api/v1/tokens": {"get": {"operationId": "list_tokens"}}}}),
            with_list_parameters(json!({"limit": {}})),
            with_list_parameters(json!([{"in": "query"}])),
            with_list_parameters(json!([{"name": "filter"}])),
            with_list_parameters(json!([{"name": 7, "in": "query"}])),
        ] {
            assert_eq!(
                described(document.clone()),
                ListCapabilities::Unknown,
                "{document}"
            );
        }
    }

    #[test]
    fn a_description_refuses_only_what_the_query_asks_for() {
        let sorted = ListQuery {
            sort: Some(parse_sort("asc(name)").unwrap()),
            ..ListQuery::default()
        };
        let sort_only = ListCapabilities::Described {
            filter: false,
            sort: true,
        };
        assert!(!sort_only.refuses(&sorted));
        assert!(!sort_only.refuses(&ListQuery::default()));
        let filtered = ListQuery {
            filter: Some(parse_filter("eq(status,active)").unwrap()),
            ..sorted
        };
        assert!(sort_only.refuses(&filtered));
        assert!(!ListCapabilities::Unknown.refuses(&filtered));
    }
}
