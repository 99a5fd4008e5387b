//! A [`ListQuery`] evaluated in memory, for servers that ignore its filter and sort: the
//! grammar's trees applied to [`TokenRow`]s at a given time.

use crate::api::listing::ListQuery;
use crate::api::models::Token;
use crate::api::rows::{TIME_DEPENDENT_FIELDS, TokenRow};
use crate::timestamp::Timestamp;
use std::cmp::Ordering;

/// Client-side evaluation of the filter and sort of a [`ListQuery`], for servers that ignore
/// them: [`ListQuery::at`] in the app, hand-written ones in tests.
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

impl ListQuery {
    /// The query's filter and sort as evaluated at `now` (a token's status depends on the
    /// time).
    pub fn at(&self, now: Timestamp) -> ListQueryAt<'_> {
        ListQueryAt { query: self, now }
    }
}

/// A [`ListQuery`] at a moment; see [`ListQuery::at`].
pub struct ListQueryAt<'a> {
    query: &'a ListQuery,
    now: Timestamp,
}

impl TokenQuery for ListQueryAt<'_> {
    fn matches(&self, token: &Token) -> Result<bool, EvalFailure> {
        match &self.query.filter {
            Some(filter) => filter
                .matches(&TokenRow::new(token, self.now))
                .map_err(|e| EvalFailure(e.to_string())),
            None => Ok(true),
        }
    }

    fn compare(&self, a: &Token, b: &Token) -> Result<Ordering, EvalFailure> {
        match &self.query.sort {
            Some(sort) => sort
                .compare(&TokenRow::new(a, self.now), &TokenRow::new(b, self.now))
                .map_err(|e| EvalFailure(e.to_string())),
            None => Ok(Ordering::Equal),
        }
    }

    fn order(&self, tokens: &[&Token]) -> Result<Option<Vec<usize>>, EvalFailure> {
        let Some(sort) = &self.query.sort else {
            return Ok(None);
        };
        let rows: Vec<TokenRow> = tokens
            .iter()
            .map(|token| TokenRow::new(token, self.now))
            .collect();
        sort.order(&rows)
            .map(Some)
            .map_err(|e| EvalFailure(e.to_string()))
    }

    fn order_name(&self) -> Option<String> {
        let sort = self.query.sort.as_ref()?;
        (!TIME_DEPENDENT_FIELDS.iter().any(|field| sort.reads(field))).then(|| sort.to_string())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::api::listing::PageLimit;
    use crate::query::{parse_filter, parse_sort};

    fn query(filter: Option<&str>, sort: Option<&str>) -> ListQuery {
        ListQuery {
            limit: PageLimit::DEFAULT,
            offset: 0,
            filter: filter.map(|f| parse_filter(f).expect("filter")),
            sort: sort.map(|s| parse_sort(s).expect("sort")),
        }
    }

    /// A token with only a name (also its id), a creation time and whether it is revoked;
    /// shared with the table's tests.
    pub(crate) fn token(name: &str, created: &str, revoked: bool) -> Token {
        Token {
            id: name.into(),
            name: name.into(),
            created_at: Timestamp::parse(created).expect("ts"),
            status: None,
            token_type: None,
            created_by: None,
            expires_at: None,
            last_used: None,
            user_id: None,
            kind: None,
            revoked_at: revoked.then(|| Timestamp::from_unix(0)),
            parent_token_id: None,
            root_token_id: None,
            attenuation_spec: None,
        }
    }

    #[test]
    fn an_order_by_status_is_not_reused_because_statuses_change_with_time() {
        let named = |sort: &str| {
            query(None, Some(sort))
                .at(Timestamp::from_unix(1_800_000_000))
                .order_name()
        };
        assert_eq!(
            named("asc(expires_at),asc(name)").as_deref(),
            Some("asc(expires_at),asc(name)")
        );
        assert_eq!(named("asc(name),desc(status)"), None);
        assert_eq!(
            query(None, None).at(Timestamp::from_unix(0)).order_name(),
            None
        );
    }

    #[test]
    fn matches_and_orders_tokens_at_a_time() {
        let list = query(Some("in(status,active)"), Some("desc(created_at)"));
        let evaluate = list.at(Timestamp::parse("2026-06-01").expect("now"));
        let (old, new, gone) = (
            token("old", "2026-01-01", false),
            token("new", "2026-03-01", false),
            token("gone", "2026-02-01", true),
        );
        assert_eq!(
            (evaluate.matches(&old), evaluate.matches(&new)),
            (Ok(true), Ok(true))
        );
        assert_eq!(evaluate.matches(&gone), Ok(false));
        assert_eq!(evaluate.compare(&new, &old), Ok(Ordering::Less));
        assert_eq!(
            evaluate.order(&[&old, &gone, &new]),
            Ok(Some(vec![2, 1, 0])),
            "the fast path gives the order compare gives"
        );
        let nothing = query(None, None);
        let nothing = nothing.at(Timestamp::from_unix(0));
        assert_eq!(nothing.matches(&gone), Ok(true));
        assert_eq!(nothing.order(&[&old, &new]), Ok(None));
    }

    #[test]
    fn a_literal_that_does_not_read_as_the_field_type_is_a_failure_not_a_mismatch() {
        let list = query(Some("gt(created_at,banana)"), None);
        let failure = list
            .at(Timestamp::from_unix(0))
            .matches(&token("a", "2026-01-01", false));
        assert!(
            matches!(&failure, Err(EvalFailure(message)) if message.contains("banana")),
            "{failure:?}"
        );
    }
}
