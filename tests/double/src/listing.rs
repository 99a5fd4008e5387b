//! Filtering and sorting the token list (seed shape only).
//!
//! The grammar is the app crate's `foundry_keyring::query`; until it is available this build
//! refuses `filter`/`sort` with a 400 rather than ignoring them (a silently unfiltered list would
//! let a client believe its filter worked).

use crate::error::ApiError;
use crate::store::TokenRow;
use foundry_keyring::timestamp::Timestamp;
use std::cmp::Reverse;

/// A parsed `filter` and `sort`.
#[derive(Debug, Default)]
pub struct Plan;

impl Plan {
    pub fn parse(filter: Option<&str>, sort: Option<&str>) -> Result<Self, ApiError> {
        if filter.is_some_and(|f| !f.is_empty()) || sort.is_some_and(|s| !s.is_empty()) {
            return Err(ApiError::bad_request(
                "filter and sort are not supported by this build of the double",
            ));
        }
        Ok(Self)
    }

    /// The matching rows in list order: newest first, then by id for a stable order.
    pub fn apply<'a>(
        &self,
        rows: impl Iterator<Item = &'a TokenRow>,
        _now: Timestamp,
    ) -> Result<Vec<&'a TokenRow>, ApiError> {
        let mut rows: Vec<&TokenRow> = rows.collect();
        rows.sort_by_key(|row| (Reverse(row.created_at), row.id.clone()));
        Ok(rows)
    }
}
