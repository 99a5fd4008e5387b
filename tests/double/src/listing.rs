//! Filtering and sorting the token list (seed shape only), with the app crate's grammar
//! (`foundry_keyring::query`): the same parser and evaluator the client uses, not a copy.
//!
//! Order of work, as a SQL backend would do it: filter, then sort, then count (`total`), then
//! page. Rows are first put in the default list order (newest first; within a second, the
//! greater id first: ids are UUID v7, so that is the later-made token) and the requested sort
//! is stable, so rows that tie on every sort term keep that order.
//!
//! Errors are 400s with the envelope: a parse error carries its 0-based byte position, an
//! unknown field is named (with the fields that exist), and an evaluation error names the
//! operand and literal. Type errors (`gt(created_at,banana)`, `at(name,key)`, `int(created_at)`)
//! do not depend on the data, so they are found on a probe row before any real row is seen:
//! the same filter is refused whether the caller has 0 or 200 tokens. A cast of text that does
//! not parse (`eq(int(name),1)`) depends on the value, as in PostgreSQL: 400 only when a row
//! visible to the caller hits it.

use crate::error::ApiError;
use crate::shape::seed_token_type;
use crate::store::TokenRow;
use foundry_keyring::api::models::TokenStatus;
use foundry_keyring::query::{self, Comparison, EvalError, FieldValue, Filter, Operand, Row, Sort};
use foundry_keyring::timestamp::Timestamp;

/// The fields of a seed-shape token, exactly as the seed "List tokens" page names them.
pub const FIELDS: [&str; 9] = [
    "id",
    "name",
    "status",
    "token_type",
    "created_at",
    "created_by",
    "expires_at",
    "last_used",
    "user_id",
];

/// A token row as the filter sees it: the seed shape's fields, `status` derived at `now`.
#[derive(Debug, Clone, Copy)]
pub struct SeedRow<'a> {
    pub row: &'a TokenRow,
    pub now: Timestamp,
}

impl Row for SeedRow<'_> {
    fn field(&self, name: &str) -> Option<FieldValue<'_>> {
        let row = self.row;
        Some(match name {
            "id" => row.id.as_str().into(),
            "name" => row.name.as_str().into(),
            "status" => TokenStatus::derived_word(row.revoked_at, row.expires_at, self.now).into(),
            "token_type" => seed_token_type(row).into(),
            "created_at" => row.created_at.into(),
            "created_by" => row.created_by.as_str().into(),
            "expires_at" => row.expires_at.into(),
            "last_used" => row.last_used.into(),
            "user_id" => row.created_by.as_str().into(),
            _ => return None,
        })
    }
}

/// A row with every field set to a value of its type, to find type errors without data.
struct Probe(Timestamp);

impl Row for Probe {
    fn field(&self, name: &str) -> Option<FieldValue<'_>> {
        Some(match name {
            "created_at" | "expires_at" | "last_used" => FieldValue::Time(self.0),
            "status" => "active".into(),
            "token_type" => "user".into(),
            _ if FIELDS.contains(&name) => "probe".into(),
            _ => return None,
        })
    }
}

/// Errors that follow from the types alone. A cast of text that does not parse
/// (`int(name)`) depends on the value, so only a real row can raise it.
fn is_type_error(error: &EvalError) -> bool {
    !matches!(error, EvalError::CastFailed { .. })
}

fn unknown_field(error: &EvalError, what: &str) -> Option<ApiError> {
    match error {
        EvalError::UnknownField { .. } => Some(ApiError::bad_request(format!(
            "{error} in {what}; the fields are {}",
            FIELDS.join(", ")
        ))),
        _ => None,
    }
}

fn eval_error(error: &EvalError, what: &str) -> ApiError {
    unknown_field(error, what)
        .unwrap_or_else(|| ApiError::bad_request(format!("{what} cannot be evaluated: {error}")))
}

/// The user ids a filter names with `eq(user_id,<value>)` on the bare field, anywhere in the
/// expression (under `and`, `or` or `not` too): in the seed variant that is how an admin asks
/// for another user's tokens, and what a non-admin may not ask for.
pub fn named_user_ids(filter: &Filter) -> Vec<&str> {
    let mut found = Vec::new();
    collect_user_ids(filter, &mut found);
    found
}

fn collect_user_ids<'a>(filter: &'a Filter, found: &mut Vec<&'a str>) {
    match filter {
        Filter::Compare {
            op: Comparison::Eq,
            operand: Operand::Field(field),
            value,
        } if field.as_str() == "user_id" => found.push(value.as_str()),
        Filter::And(parts) | Filter::Or(parts) => {
            for part in parts.iter() {
                collect_user_ids(part, found);
            }
        }
        Filter::Not(inner) => collect_user_ids(inner, found),
        _ => {}
    }
}

/// A parsed `filter` and `sort`; both absent (or empty) lists everything in the default order.
#[derive(Debug, Default)]
pub struct Plan {
    pub filter: Option<Filter>,
    pub sort: Option<Sort>,
}

impl Plan {
    /// Parses and checks both parameters against the seed token fields. An empty parameter
    /// (`filter=`) counts as absent.
    pub fn parse(filter: Option<&str>, sort: Option<&str>) -> Result<Self, ApiError> {
        let plan = Self::parse_grammar(filter, sort)?;
        if let Some(filter) = &plan.filter {
            filter
                .validate(&FIELDS)
                .map_err(|e| eval_error(&e, "filter"))?;
        }
        if let Some(sort) = &plan.sort {
            sort.validate(&FIELDS).map_err(|e| eval_error(&e, "sort"))?;
        }
        Ok(plan)
    }

    /// Parses both parameters with the grammar alone, for the lists whose fields are not
    /// published (`/experiments`, `/targets`): what does not parse is a 400 there too.
    pub fn parse_grammar(filter: Option<&str>, sort: Option<&str>) -> Result<Self, ApiError> {
        let given = |text: &&str| !text.is_empty();
        let filter = filter
            .filter(given)
            .map(|text| {
                query::parse_filter(text)
                    .map_err(|e| ApiError::bad_request(format!("invalid filter {text:?}: {e}")))
            })
            .transpose()?;
        let sort = sort
            .filter(given)
            .map(|text| {
                query::parse_sort(text)
                    .map_err(|e| ApiError::bad_request(format!("invalid sort {text:?}: {e}")))
            })
            .transpose()?;
        Ok(Self { filter, sort })
    }

    /// The matching rows in list order: the requested sort, ties (and no sort) in the default
    /// order, the order `rows` come in (`Store::in_list_order`).
    pub fn apply<'a>(
        &self,
        rows: impl Iterator<Item = &'a TokenRow>,
        now: Timestamp,
    ) -> Result<Vec<&'a TokenRow>, ApiError> {
        let probe = Probe(now);
        if let Some(filter) = &self.filter
            && let Err(e) = filter.matches(&probe)
            && is_type_error(&e)
        {
            return Err(eval_error(&e, "filter"));
        }
        if let Some(sort) = &self.sort
            && let Err(e) = sort.compare(&probe, &probe)
            && is_type_error(&e)
        {
            return Err(eval_error(&e, "sort"));
        }
        let mut rows: Vec<SeedRow<'a>> = rows.map(|row| SeedRow { row, now }).collect();
        if let Some(filter) = &self.filter {
            let mut kept = Vec::with_capacity(rows.len());
            for row in rows {
                if filter.matches(&row).map_err(|e| eval_error(&e, "filter"))? {
                    kept.push(row);
                }
            }
            rows = kept;
        }
        if let Some(sort) = &self.sort {
            rows = sort.sorted(rows).map_err(|e| eval_error(&e, "sort"))?;
        }
        Ok(rows.into_iter().map(|r| r.row).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    fn apply(filter: Option<&str>, sort: Option<&str>) -> Result<usize, ApiError> {
        let plan = Plan::parse(filter, sort)?;
        let now = Timestamp::parse("2026-06-01").unwrap_or_else(|_| unreachable!());
        Ok(plan.apply(std::iter::empty(), now)?.len())
    }

    #[test]
    fn type_errors_do_not_need_rows() {
        let error = apply(Some("gt(created_at,banana)"), None).unwrap_err();
        assert_eq!(error.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            error.message,
            "filter cannot be evaluated: 'banana' is not a date or timestamp (e.g. 2026-01-01 or \
             2026-01-01T00:00:00Z), so it cannot be compared with created_at"
        );
        let error = apply(None, Some("asc(at(status,key))")).unwrap_err();
        assert!(
            error.message.starts_with("sort cannot be evaluated: at()"),
            "{error}"
        );
        // Unknown fields are found before any row too.
        let error = apply(Some("is_null(kind)"), None).unwrap_err();
        assert_eq!(
            error.message,
            "unknown field 'kind' in filter; the fields are id, name, status, token_type, \
             created_at, created_by, expires_at, last_used, user_id"
        );
    }

    #[test]
    fn user_ids_named_by_eq_anywhere() {
        let plan = Plan::parse(
            Some("and(eq(status,active),or(eq(user_id,a),not(eq(user_id,b))),eq(created_by,c),neq(user_id,d))"),
            None,
        )
        .unwrap();
        assert_eq!(named_user_ids(plan.filter.as_ref().unwrap()), ["a", "b"]);
        let plan = Plan::parse(Some("eq(text(user_id),a)"), None).unwrap();
        assert!(named_user_ids(plan.filter.as_ref().unwrap()).is_empty());
    }

    #[test]
    fn value_errors_need_a_row_that_hits_them() {
        assert_eq!(
            apply(Some("eq(int(name),1)"), Some("asc(int(id))")).unwrap_or(99),
            0
        );
        assert_eq!(apply(Some(""), Some("")).unwrap_or(99), 0);
    }
}
