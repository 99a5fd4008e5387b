//! The token table's state, kept apart from the view: filters, multi-column sort, paging maths,
//! and its form in the URL (`?q=lab&status=active&sort=-created_at,name&size=25&page=2`), so a
//! reload of the standalone page keeps it. Also where a token sits among the tokens at hand
//! (its parent, children and lineage), for its details.

use crate::api::listing::{ListQuery, PageLimit};
use crate::api::models::{Token, TokenKind, TokenStatus};
use crate::format;
use crate::query::{self, Filter, Literal, LiteralError, Operand, ParseError, Sort, SortTerm};
use std::collections::HashMap;

/// The sortable columns, each tied to the list grammar's field name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Name,
    Status,
    Type,
    Created,
    Expires,
    LastUsed,
}

impl Column {
    pub const ALL: [Column; 6] = [
        Column::Name,
        Column::Status,
        Column::Type,
        Column::Created,
        Column::Expires,
        Column::LastUsed,
    ];

    /// The field in the filter/sort grammar (seed shape names).
    pub fn field(self) -> &'static str {
        match self {
            Column::Name => "name",
            Column::Status => "status",
            Column::Type => "token_type",
            Column::Created => "created_at",
            Column::Expires => "expires_at",
            Column::LastUsed => "last_used",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Column::Name => "Name",
            Column::Status => "Status",
            Column::Type => "Type",
            Column::Created => "Created",
            Column::Expires => "Expires",
            Column::LastUsed => "Last used",
        }
    }

    pub fn from_field(field: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.field() == field)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    pub column: Column,
    pub descending: bool,
}

/// The page sizes offered; anything else in a URL falls back to the default.
pub const PAGE_SIZES: [u32; 4] = [10, 25, 50, 100];
pub const DEFAULT_PAGE_SIZE: u32 = 25;
/// The grammar allows at most 8 sort terms.
pub const MAX_SORT_KEYS: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableState {
    /// Free text matched against the name, or a whole token id (see [`search_filter`]).
    pub search: String,
    /// Empty: every status.
    pub statuses: Vec<TokenStatus>,
    /// `token_type` to match; empty: every type.
    pub token_type: String,
    /// A raw filter expression in the list grammar, ANDed with the rest.
    pub advanced: String,
    pub sort: Vec<SortKey>,
    pub page_size: u32,
    /// Zero-based.
    pub page: u64,
}

impl Default for TableState {
    fn default() -> Self {
        Self {
            search: String::new(),
            statuses: Vec::new(),
            token_type: String::new(),
            advanced: String::new(),
            sort: vec![SortKey {
                column: Column::Created,
                descending: true,
            }],
            page_size: DEFAULT_PAGE_SIZE,
            page: 0,
        }
    }
}

impl TableState {
    /// A click on a column header. A plain click sorts by that column alone (a second click
    /// flips the direction); a shift-click adds it as a further key, flips it, then removes it.
    pub fn click_header(&mut self, column: Column, additive: bool) {
        let position = self.sort.iter().position(|k| k.column == column);
        if additive {
            match position {
                Some(i) if self.sort[i].descending && self.sort.len() > 1 => {
                    self.sort.remove(i);
                }
                Some(i) => self.sort[i].descending = !self.sort[i].descending,
                None if self.sort.len() < MAX_SORT_KEYS => self.sort.push(SortKey {
                    column,
                    descending: false,
                }),
                None => {}
            }
        } else {
            let descending = match position {
                Some(0) if self.sort.len() == 1 => !self.sort[0].descending,
                _ => false,
            };
            self.sort = vec![SortKey { column, descending }];
        }
        self.page = 0;
    }

    /// Where a column stands in the sort: its 1-based rank and direction.
    pub fn sort_rank(&self, column: Column) -> Option<(usize, bool)> {
        self.sort
            .iter()
            .position(|k| k.column == column)
            .map(|i| (i + 1, self.sort[i].descending))
    }

    pub fn offset(&self) -> u64 {
        self.page.saturating_mul(u64::from(self.page_size))
    }

    /// Any change to what is shown starts again from the first page.
    pub fn reset_page(&mut self) {
        self.page = 0;
    }

    /// Keeps the page inside `0..page_count(total)`, e.g. after a revoke shrank the list.
    pub fn clamp_page(&mut self, total: u64) {
        let last = page_count(total, self.page_size).saturating_sub(1);
        self.page = self.page.min(last);
    }

    /// The sort in the July short form (`-created_at,name`), compact for URLs.
    pub fn sort_short(&self) -> String {
        self.sort
            .iter()
            .map(|k| {
                format!(
                    "{}{}",
                    if k.descending { "-" } else { "" },
                    k.column.field()
                )
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The state as URL query pairs, omitting defaults so URLs stay short.
    pub fn to_query(&self) -> Vec<(&'static str, String)> {
        let default = Self::default();
        let mut pairs = Vec::new();
        if !self.search.is_empty() {
            pairs.push(("q", self.search.clone()));
        }
        if !self.statuses.is_empty() {
            let list: Vec<_> = self.statuses.iter().map(|s| s.as_str()).collect();
            pairs.push(("status", list.join(",")));
        }
        if !self.token_type.is_empty() {
            pairs.push(("type", self.token_type.clone()));
        }
        if !self.advanced.is_empty() {
            pairs.push(("filter", self.advanced.clone()));
        }
        if self.sort != default.sort {
            pairs.push(("sort", self.sort_short()));
        }
        if self.page_size != default.page_size {
            pairs.push(("size", self.page_size.to_string()));
        }
        if self.page != 0 {
            pairs.push(("page", (self.page + 1).to_string()));
        }
        pairs
    }

    /// Reads the state back from URL pairs. Lenient: a value it does not understand is
    /// ignored (the URL may be hand-edited or old), never an error.
    pub fn from_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut state = Self::default();
        for (key, value) in pairs {
            match key {
                "q" => state.search = value.to_owned(),
                "status" => {
                    state.statuses = value.split(',').filter_map(TokenStatus::parse).collect();
                    state.statuses.dedup();
                }
                "type" => state.token_type = value.to_owned(),
                "filter" => state.advanced = value.to_owned(),
                "sort" => {
                    let keys: Vec<SortKey> = value
                        .split(',')
                        .filter_map(parse_short_sort)
                        .take(MAX_SORT_KEYS)
                        .collect();
                    if !keys.is_empty() {
                        state.sort = keys;
                    }
                }
                "size" => {
                    if let Some(size) = value.parse().ok().filter(|s| PAGE_SIZES.contains(s)) {
                        state.page_size = size;
                    }
                }
                "page" => {
                    if let Some(page) = value.parse::<u64>().ok().filter(|p| *p >= 1) {
                        state.page = page - 1;
                    }
                }
                _ => {}
            }
        }
        state
    }
}

/// Why the table's state cannot be turned into a request. Nothing is sent in that case.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TableQueryError {
    /// A word of the search box that the grammar cannot carry (it has no quoting).
    #[error("the search cannot contain it: {0}")]
    Search(LiteralError),
    /// A type filter value the grammar cannot carry.
    #[error("the type filter cannot be sent: {0}")]
    Type(LiteralError),
    /// The advanced expression does not parse.
    #[error("{0}")]
    Advanced(ParseError),
}

impl TableState {
    /// The filter the controls describe: the search words, the statuses, the type, and the
    /// advanced expression, all required.
    pub fn filter(&self) -> Result<Option<Filter>, TableQueryError> {
        let mut parts = Vec::new();
        if let Some(search) = search_filter(&self.search).map_err(TableQueryError::Search)? {
            parts.push(search);
        }
        let statuses: Vec<Literal> = self
            .statuses
            .iter()
            .filter_map(|s| Literal::new(s.as_str()).ok())
            .collect();
        if let Some(status) = field(Column::Status).and_then(|f| Filter::in_(f, statuses)) {
            parts.push(status);
        }
        if !self.token_type.is_empty() {
            let value = Literal::new(&self.token_type).map_err(TableQueryError::Type)?;
            if let Some(operand) = field(Column::Type) {
                parts.push(Filter::eq(operand, value));
            }
        }
        if !self.advanced.trim().is_empty() {
            parts.push(query::parse_filter(&self.advanced).map_err(TableQueryError::Advanced)?);
        }
        Ok(Filter::and(parts))
    }

    /// The sort the headers describe.
    pub fn sort_spec(&self) -> Option<Sort> {
        let terms = self
            .sort
            .iter()
            .filter_map(|key| {
                let operand = field(key.column)?;
                Some(if key.descending {
                    SortTerm::desc(operand)
                } else {
                    SortTerm::asc(operand)
                })
            })
            .collect();
        Sort::new(terms).ok()
    }

    /// The page request for the current state. Its filter and sort are the trees the API is
    /// sent and, when a server ignores them, what the browser evaluates ([`ListQuery::at`]).
    pub fn list_request(&self) -> Result<ListQuery, TableQueryError> {
        Ok(ListQuery {
            limit: PageLimit::new(self.page_size).unwrap_or_default(),
            offset: self.offset(),
            filter: self.filter()?,
            sort: self.sort_spec(),
        })
    }
}

/// The request that counts the tokens attenuated from `root` (its descendants, at any depth):
/// one item asked for, `total` is the answer. Only the July lineage shape has `root_token_id`;
/// a seed-shape server refuses the field (400), and then the count is unknown. `None` for an
/// id the grammar cannot carry.
pub fn descendants_query(root: &str) -> Option<ListQuery> {
    let filter = Filter::eq(
        Operand::field("root_token_id").ok()?,
        Literal::new(root).ok()?,
    );
    Some(ListQuery {
        limit: PageLimit::new(1)?,
        offset: 0,
        filter: Some(filter),
        sort: None,
    })
}

/// The search box's filter. One word matches a part of the name or a whole token id:
/// `or(contains(name,word),eq(id,word))`. Several words must each be part of the name
/// (`contains(name,…)` for each; an id is one word). Blank text filters nothing. The grammar has
/// no quoting, so a word holding `,`, `(` or `)` is refused rather than sent (see
/// [`SEARCH_HINT`]).
pub fn search_filter(text: &str) -> Result<Option<Filter>, LiteralError> {
    let by_name = query::text_search(Column::Name.field(), text)?;
    let mut words = text.split_whitespace();
    match (words.next(), words.next()) {
        (Some(word), None) => {
            let word = Literal::new(word)?;
            let id = Operand::field("id").ok().map(|id| Filter::eq(id, word));
            Ok(Filter::or([by_name, id]))
        }
        _ => Ok(by_name),
    }
}

/// What the search box takes, in words, for its hint.
pub const SEARCH_HINT: &str = "A part of a name, or a whole token id. Spaces separate words, each of which must be in the name; commas and parentheses cannot be searched for (Foundry's filter has no quoting).";

fn field(column: Column) -> Option<Operand> {
    Operand::field(column.field()).ok()
}

fn parse_short_sort(term: &str) -> Option<SortKey> {
    let (descending, field) = match term.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, term.strip_prefix('+').unwrap_or(term)),
    };
    Column::from_field(field).map(|column| SortKey { column, descending })
}

/// How many pages `total` rows make; zero rows still make one (empty) page.
pub fn page_count(total: u64, page_size: u32) -> u64 {
    let size = u64::from(page_size.max(1));
    total.div_ceil(size).max(1)
}

/// "x–y of total" for the page at `offset` holding `count` rows ("0 of total" when empty),
/// thousands grouped: "1–25 of 10,000".
pub fn range_label(offset: u64, count: u64, total: u64) -> String {
    let total = format::grouped(total);
    if count == 0 {
        return format!("0 of {total}");
    }
    format!(
        "{}–{} of {total}",
        format::grouped(offset + 1),
        format::grouped(offset + count)
    )
}

/// A token named in another's details: its id, and its name when it is among the tokens at
/// hand (`None`: not among them, so only its id is known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relative {
    pub id: String,
    pub name: Option<String>,
}

/// A line of a token's lineage tree: the token, whether it is the one whose details are shown,
/// how many tokens were attenuated from it at any depth, and the lines under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeNode {
    pub token: Relative,
    pub current: bool,
    pub descendants: usize,
    pub children: Vec<TreeNode>,
    /// Children left out to keep the tree small.
    pub more: usize,
}

/// Where a token sits among the tokens at hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Family {
    /// The list has no lineage fields (the seed shape): parent and children are not listed.
    NotListed,
    Listed {
        /// `None`: a main (root) key.
        parent: Option<Relative>,
        /// Attenuated directly from it, oldest first.
        children: Vec<Relative>,
        /// From its root (or the oldest ancestor at hand) down to it, with its children.
        tree: TreeNode,
    },
}

/// The most children a lineage tree lists under one token.
pub const TREE_CHILDREN: usize = 20;
/// How far up a lineage is followed (a guard against a malformed, cyclic list).
const MAX_ANCESTORS: usize = 64;

impl Family {
    /// `token`'s family among `tokens` (which may or may not hold `token` itself).
    pub fn of(token: &Token, tokens: &[Token]) -> Self {
        if token.kind.is_none() && token.parent_token_id.is_none() && token.root_token_id.is_none()
        {
            return Family::NotListed;
        }
        let by_id: HashMap<&str, &Token> = tokens.iter().map(|t| (t.id.as_str(), t)).collect();
        let mut children_of: HashMap<&str, Vec<&Token>> = HashMap::new();
        for t in tokens {
            if let Some(parent) = t.parent_token_id.as_deref().filter(|p| *p != t.id) {
                children_of.entry(parent).or_default().push(t);
            }
        }
        for list in children_of.values_mut() {
            list.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        }
        let relative = |id: &str| Relative {
            id: id.to_owned(),
            name: by_id.get(id).map(|t| t.name.clone()),
        };
        let parent = parent_of(token).map(relative);
        let kids: Vec<&Token> = children_of
            .get(token.id.as_str())
            .cloned()
            .unwrap_or_default();
        let children = kids.iter().map(|t| relative(&t.id)).collect();
        let count = |id: &str| descendant_count(id, &children_of);
        let mut tree = TreeNode {
            token: relative(&token.id),
            current: true,
            descendants: count(&token.id),
            children: kids
                .iter()
                .take(TREE_CHILDREN)
                .map(|t| TreeNode {
                    token: relative(&t.id),
                    current: false,
                    descendants: count(&t.id),
                    children: Vec::new(),
                    more: 0,
                })
                .collect(),
            more: kids.len().saturating_sub(TREE_CHILDREN),
        };
        // Up the chain: each ancestor holds the line below it (and says how many others).
        let mut seen = vec![token.id.clone()];
        let mut up = parent_of(token).map(str::to_owned);
        while let Some(id) = up.take() {
            if seen.contains(&id) || seen.len() > MAX_ANCESTORS {
                break;
            }
            let held = by_id.get(id.as_str()).copied();
            let siblings = children_of.get(id.as_str()).map_or(1, Vec::len);
            tree = TreeNode {
                token: relative(&id),
                current: false,
                descendants: count(&id),
                more: siblings.saturating_sub(1),
                children: vec![tree],
            };
            seen.push(id);
            // Not at hand: what is above it is not known here, so the tree starts with it.
            up = held.and_then(parent_of).map(str::to_owned);
        }
        Family::Listed {
            parent,
            children,
            tree,
        }
    }
}

/// The names of the tokens with `ids` among `tokens` (those not at hand are left out), e.g.
/// for the parent column of a page.
pub fn names_of<'a>(
    ids: impl IntoIterator<Item = &'a str>,
    tokens: &[Token],
) -> HashMap<String, String> {
    let wanted: std::collections::HashSet<&str> = ids.into_iter().collect();
    tokens
        .iter()
        .filter(|t| wanted.contains(t.id.as_str()))
        .map(|t| (t.id.clone(), t.name.clone()))
        .collect()
}

/// A token's parent id; `None` for a root (also when a root names itself).
fn parent_of(token: &Token) -> Option<&str> {
    if token.kind == Some(TokenKind::Root) {
        return None;
    }
    token
        .parent_token_id
        .as_deref()
        .filter(|parent| *parent != token.id)
}

fn descendant_count(id: &str, children_of: &HashMap<&str, Vec<&Token>>) -> usize {
    let mut count = 0;
    let mut stack = vec![id];
    let mut seen = std::collections::HashSet::from([id]);
    while let Some(next) = stack.pop() {
        for child in children_of.get(next).into_iter().flatten() {
            if seen.insert(child.id.as_str()) {
                count += 1;
                stack.push(child.id.as_str());
            }
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::evaluate::TokenQuery;
    use crate::api::models::Token;
    use crate::timestamp::Timestamp;
    use std::cmp::Ordering;

    fn keys(state: &TableState) -> Vec<(Column, bool)> {
        state
            .sort
            .iter()
            .map(|k| (k.column, k.descending))
            .collect()
    }

    #[test]
    fn descendants_are_counted_by_root_token_id_in_the_browser_too() {
        let root = "0190aaaa-0000-7000-8000-000000000001";
        let request = descendants_query(root).expect("a uuid is a literal");
        assert_eq!(request.limit.get(), 1);
        assert_eq!(
            request.to_query_string(),
            "limit=1&offset=0&filter=eq%28root_token_id%2C0190aaaa-0000-7000-8000-000000000001%29"
        );
        let token = |id: &str, root_id: Option<&str>| -> Token {
            serde_json::from_value(serde_json::json!({
                "id": id, "name": id, "kind": if root_id.is_some() { "attenuated" } else { "root" },
                "created_at": "2026-01-01T00:00:00Z", "expires_at": null, "revoked_at": null,
                "parent_token_id": root_id, "root_token_id": root_id,
            }))
            .expect("lineage token")
        };
        let now = Timestamp::from_unix(1_800_000_000);
        let query = request.at(now);
        assert_eq!(
            query.matches(&token(root, None)),
            Ok(false),
            "the root is not its own descendant"
        );
        assert_eq!(query.matches(&token("child", Some(root))), Ok(true));
        assert_eq!(
            query.matches(&token(
                "other",
                Some("0190bbbb-0000-7000-8000-000000000002")
            )),
            Ok(false)
        );
        assert!(descendants_query("has space").is_none());
    }

    #[test]
    fn plain_click_sorts_by_one_column_and_flips() {
        let mut state = TableState {
            page: 3,
            ..TableState::default()
        };
        state.click_header(Column::Name, false);
        assert_eq!(keys(&state), [(Column::Name, false)]);
        assert_eq!(state.page, 0);
        state.click_header(Column::Name, false);
        assert_eq!(keys(&state), [(Column::Name, true)]);
        state.click_header(Column::Created, false);
        assert_eq!(keys(&state), [(Column::Created, false)]);
    }

    #[test]
    fn shift_click_adds_flips_then_removes() {
        let mut state = TableState::default();
        state.click_header(Column::Name, true);
        assert_eq!(
            keys(&state),
            [(Column::Created, true), (Column::Name, false)]
        );
        state.click_header(Column::Name, true);
        assert_eq!(
            keys(&state),
            [(Column::Created, true), (Column::Name, true)]
        );
        state.click_header(Column::Name, true);
        assert_eq!(keys(&state), [(Column::Created, true)]);
        // The last key is never removed (there is always an order): it flips instead.
        state.click_header(Column::Created, true);
        assert_eq!(keys(&state), [(Column::Created, false)]);
        assert_eq!(state.sort_rank(Column::Created), Some((1, false)));
        assert_eq!(state.sort_rank(Column::Name), None);
    }

    #[test]
    fn sort_keys_stop_at_the_grammar_limit() {
        let mut state = TableState::default();
        for _ in 0..3 {
            for column in Column::ALL {
                state.click_header(column, true);
            }
        }
        assert!(state.sort.len() <= MAX_SORT_KEYS);
    }

    #[test]
    fn url_round_trip_keeps_everything() {
        let state = TableState {
            search: "lab admin".into(),
            statuses: vec![TokenStatus::Active, TokenStatus::Revoked],
            token_type: "user".into(),
            advanced: "gte(created_at,2026-01-01)".into(),
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
            page_size: 100,
            page: 4,
        };
        let pairs = state.to_query();
        assert!(pairs.contains(&("sort", "expires_at,-name".to_owned())));
        assert!(pairs.contains(&("page", "5".to_owned())));
        let back = TableState::from_query(pairs.iter().map(|(k, v)| (*k, v.as_str())));
        assert_eq!(back, state);
    }

    #[test]
    fn default_state_makes_an_empty_query() {
        assert!(TableState::default().to_query().is_empty());
    }

    #[test]
    fn url_reading_ignores_what_it_does_not_understand() {
        let state = TableState::from_query([
            ("status", "active,bogus"),
            ("sort", "-nope,+name"),
            ("size", "7"),
            ("page", "0"),
            ("other", "x"),
        ]);
        assert_eq!(state.statuses, [TokenStatus::Active]);
        assert_eq!(keys(&state), [(Column::Name, false)]);
        assert_eq!(state.page_size, DEFAULT_PAGE_SIZE);
        assert_eq!(state.page, 0);
        let unsorted = TableState::from_query([("sort", "bogus")]);
        assert_eq!(unsorted.sort, TableState::default().sort);
    }

    #[test]
    fn controls_become_one_filter_and_sort() {
        let state = TableState {
            search: "lab admin".into(),
            statuses: vec![TokenStatus::Active, TokenStatus::Expired],
            token_type: "user".into(),
            advanced: "gte(created_at,2026-01-01)".into(),
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
            page_size: 10,
            page: 2,
        };
        let request = state.list_request().expect("request");
        assert_eq!(
            request.filter.as_ref().map(ToString::to_string),
            Some("and(contains(name,lab),contains(name,admin),in(status,active,expired),eq(token_type,user),gte(created_at,2026-01-01))".to_owned())
        );
        assert_eq!(
            request.sort.as_ref().map(ToString::to_string),
            Some("asc(expires_at),desc(name)".to_owned())
        );
        assert_eq!((request.limit.get(), request.offset), (10, 20));
    }

    #[test]
    fn the_default_state_filters_nothing() {
        let request = TableState::default().list_request().expect("request");
        assert!(request.filter.is_none());
        assert_eq!(
            request.sort.as_ref().map(ToString::to_string),
            Some("desc(created_at)".to_owned())
        );
    }

    #[test]
    fn what_the_grammar_cannot_carry_is_refused_before_sending() {
        let comma = TableState {
            search: "a,b".into(),
            ..TableState::default()
        };
        assert!(matches!(
            comma.list_request(),
            Err(TableQueryError::Search(_))
        ));
        let broken = TableState {
            advanced: "and(eq(status,active)".into(),
            ..TableState::default()
        };
        match broken.list_request() {
            Err(TableQueryError::Advanced(error)) => assert_eq!(error.position, 21),
            other => panic!("expected a positioned parse error, got {other:?}"),
        }
    }

    #[test]
    fn local_evaluation_matches_and_orders_tokens() {
        use crate::api::evaluate::tests::token;
        let state = TableState {
            statuses: vec![TokenStatus::Active],
            ..TableState::default()
        };
        let request = state.list_request().expect("request");
        let now = Timestamp::parse("2026-06-01").expect("now");
        let query = request.at(now);
        let (old, new, gone) = (
            token("old", "2026-01-01", false),
            token("new", "2026-03-01", false),
            token("gone", "2026-02-01", true),
        );
        assert_eq!(
            (query.matches(&old), query.matches(&new)),
            (Ok(true), Ok(true))
        );
        assert_eq!(query.matches(&gone), Ok(false));
        assert_eq!(
            query.compare(&new, &old),
            Ok(Ordering::Less),
            "newest first by default"
        );
    }

    #[test]
    fn one_search_word_matches_a_name_part_or_a_whole_id() {
        let filter = |text: &str| {
            search_filter(text)
                .expect("searchable")
                .map(|f| f.to_string())
        };
        assert_eq!(
            filter("lab").as_deref(),
            Some("or(contains(name,lab),eq(id,lab))")
        );
        assert_eq!(
            filter("  0190aaaa-0000-7000-8000-000000000001 ").as_deref(),
            Some(
                "or(contains(name,0190aaaa-0000-7000-8000-000000000001),eq(id,0190aaaa-0000-7000-8000-000000000001))"
            )
        );
        assert_eq!(
            filter("lab admin").as_deref(),
            Some("and(contains(name,lab),contains(name,admin))")
        );
        assert_eq!(filter("   "), None);
        for refused in ["a,b", "f(x)", "x)"] {
            assert!(search_filter(refused).is_err(), "{refused}");
        }
        let state = TableState {
            search: "reader".into(),
            statuses: vec![TokenStatus::Active],
            ..TableState::default()
        };
        assert_eq!(
            state.filter().expect("filter").map(|f| f.to_string()),
            Some("and(or(contains(name,reader),eq(id,reader)),in(status,active))".to_owned())
        );
    }

    #[test]
    fn the_id_search_is_applied_in_the_browser_too() {
        let token = |id: &str, name: &str| -> Token {
            serde_json::from_value(serde_json::json!({
                "id": id, "name": name, "kind": "root", "created_at": "2026-01-01T00:00:00Z",
            }))
            .expect("token")
        };
        let (a, b) = (
            token("0190aaaa-0000-7000-8000-000000000001", "reporting"),
            token("0190bbbb-0000-7000-8000-000000000002", "Lab Reader"),
        );
        let now = Timestamp::from_unix(1_800_000_000);
        let matches = |text: &str| {
            let state = TableState {
                search: text.into(),
                ..TableState::default()
            };
            let request = state.list_request().expect("request");
            let query = request.at(now);
            [&a, &b].map(|t| query.matches(t) == Ok(true))
        };
        assert_eq!(
            matches("0190aaaa-0000-7000-8000-000000000001"),
            [true, false]
        );
        assert_eq!(matches("0190aaaa"), [false, false], "an id matches whole");
        assert_eq!(matches("READ"), [false, true], "a name part, any case");
        assert_eq!(matches("rep"), [true, false]);
    }

    fn lineage(id: &str, name: &str, parent: Option<&str>, created: &str) -> Token {
        serde_json::from_value(serde_json::json!({
            "id": id, "name": name,
            "kind": if parent.is_some() { "attenuated" } else { "root" },
            "created_at": created, "expires_at": null, "revoked_at": null,
            "parent_token_id": parent, "root_token_id": parent.map(|_| "r"),
            "attenuation_spec": null,
        }))
        .expect("lineage token")
    }

    fn names(list: &[Relative]) -> Vec<Option<&str>> {
        list.iter().map(|r| r.name.as_deref()).collect()
    }

    #[test]
    fn a_family_names_the_parent_the_children_and_the_line_from_the_root() {
        let tokens = vec![
            lineage("r", "main key", None, "2026-01-01T00:00:00Z"),
            lineage("a", "agent", Some("r"), "2026-01-02T00:00:00Z"),
            lineage("s", "sibling", Some("r"), "2026-01-03T00:00:00Z"),
            lineage("c2", "second child", Some("a"), "2026-01-05T00:00:00Z"),
            lineage("c1", "first child", Some("a"), "2026-01-04T00:00:00Z"),
            lineage("g", "grandchild", Some("c1"), "2026-01-06T00:00:00Z"),
        ];
        let Family::Listed {
            parent,
            children,
            tree,
        } = Family::of(&tokens[1], &tokens)
        else {
            panic!("lineage fields are listed");
        };
        assert_eq!(
            parent,
            Some(Relative {
                id: "r".into(),
                name: Some("main key".into())
            })
        );
        assert_eq!(
            names(&children),
            [Some("first child"), Some("second child")],
            "oldest first"
        );
        // r → a (current) → c1 (1 below), c2
        assert_eq!(tree.token.name.as_deref(), Some("main key"));
        assert!(!tree.current);
        assert_eq!(
            (tree.descendants, tree.more),
            (5, 1),
            "5 below, 1 other child"
        );
        let me = &tree.children[0];
        assert!(me.current);
        assert_eq!(me.descendants, 3);
        assert_eq!(me.children.len(), 2);
        assert_eq!(me.children[0].descendants, 1);
        assert!(me.children[0].children.is_empty(), "one level below only");

        let Family::Listed {
            parent, children, ..
        } = Family::of(&tokens[0], &tokens)
        else {
            panic!("listed");
        };
        assert_eq!(parent, None, "a root has no parent");
        assert_eq!(names(&children), [Some("agent"), Some("sibling")]);
        let named = names_of(["a", "elsewhere"], &tokens);
        assert_eq!(named.len(), 1);
        assert_eq!(named.get("a").map(String::as_str), Some("agent"));
    }

    #[test]
    fn a_parent_not_at_hand_is_named_by_id_and_a_cycle_ends() {
        let orphan = lineage("o", "orphan", Some("elsewhere"), "2026-01-01T00:00:00Z");
        let Family::Listed { parent, tree, .. } =
            Family::of(&orphan, std::slice::from_ref(&orphan))
        else {
            panic!("listed");
        };
        assert_eq!(
            parent,
            Some(Relative {
                id: "elsewhere".into(),
                name: None
            })
        );
        assert_eq!(tree.token.id, "elsewhere");
        assert!(tree.children[0].current);

        let looped = vec![
            lineage("x", "x", Some("y"), "2026-01-01T00:00:00Z"),
            lineage("y", "y", Some("x"), "2026-01-01T00:00:00Z"),
        ];
        assert!(matches!(
            Family::of(&looped[0], &looped),
            Family::Listed { .. }
        ));
    }

    #[test]
    fn the_seed_shape_does_not_list_a_family() {
        let seed: Token = serde_json::from_value(serde_json::json!({
            "id": "t", "name": "n", "created_at": "2026-01-01T00:00:00Z", "status": "active",
        }))
        .expect("seed token");
        assert_eq!(
            Family::of(&seed, std::slice::from_ref(&seed)),
            Family::NotListed
        );
    }

    #[test]
    fn a_long_list_of_children_is_cut_and_counted() {
        let mut tokens = vec![lineage("r", "root", None, "2026-01-01T00:00:00Z")];
        for i in 0..(TREE_CHILDREN + 5) {
            tokens.push(lineage(
                &format!("c{i:03}"),
                "child",
                Some("r"),
                "2026-01-02T00:00:00Z",
            ));
        }
        let Family::Listed { children, tree, .. } = Family::of(&tokens[0], &tokens) else {
            panic!("listed");
        };
        assert_eq!(children.len(), TREE_CHILDREN + 5);
        assert_eq!((tree.children.len(), tree.more), (TREE_CHILDREN, 5));
    }

    #[test]
    fn paging_maths() {
        assert_eq!(page_count(0, 25), 1);
        assert_eq!(page_count(25, 25), 1);
        assert_eq!(page_count(26, 25), 2);
        assert_eq!(page_count(10_000, 100), 100);
        assert_eq!(range_label(0, 25, 201), "1–25 of 201");
        assert_eq!(range_label(200, 1, 201), "201–201 of 201");
        assert_eq!(range_label(0, 0, 0), "0 of 0");
        assert_eq!(range_label(0, 25, 10_000), "1–25 of 10,000");
        assert_eq!(range_label(9_975, 25, 10_000), "9,976–10,000 of 10,000");
        assert_eq!(range_label(0, 0, 12_345), "0 of 12,345");
        let mut state = TableState {
            page: 9,
            page_size: 10,
            ..TableState::default()
        };
        assert_eq!(state.offset(), 90);
        state.clamp_page(35);
        assert_eq!(state.page, 3);
        state.clamp_page(0);
        assert_eq!(state.page, 0);
    }
}
