//! A token as a row of the list grammar, for evaluating a filter or sort in the browser when a
//! server ignores them. Field names are the seed shape's, plus the lineage shape's own fields
//! and `user_id` (newer pages: an admin filters `eq(user_id,<uuid>)` for another user's tokens).

use crate::api::models::{Token, TokenKind};
use crate::query::{FieldValue, Row};
use crate::timestamp::Timestamp;

/// A token at a moment: its status depends on the time when the shape does not carry it.
pub struct TokenRow<'a> {
    token: &'a Token,
    now: Timestamp,
}

impl<'a> TokenRow<'a> {
    pub fn new(token: &'a Token, now: Timestamp) -> Self {
        Self { token, now }
    }
}

/// The fields a filter may name.
pub const TOKEN_FIELDS: [&str; 13] = [
    "id",
    "name",
    "status",
    "token_type",
    "created_at",
    "created_by",
    "user_id",
    "expires_at",
    "last_used",
    "kind",
    "revoked_at",
    "parent_token_id",
    "root_token_id",
];

/// The fields whose value depends on the time a row is read at (a token expires while held).
pub const TIME_DEPENDENT_FIELDS: [&str; 1] = ["status"];

impl Row for TokenRow<'_> {
    fn field(&self, name: &str) -> Option<FieldValue<'_>> {
        let t = self.token;
        Some(match name {
            "id" => t.id.as_str().into(),
            "name" => t.name.as_str().into(),
            "status" => t.status_word_at(self.now).into(),
            "token_type" => t.token_type.as_deref().into(),
            "created_at" => t.created_at.into(),
            "created_by" => t.created_by.as_deref().into(),
            "user_id" => t.user_id.as_deref().into(),
            "expires_at" => t.expires_at.into(),
            "last_used" => t.last_used.into(),
            "kind" => t.kind.as_ref().map(TokenKind::as_str).into(),
            "revoked_at" => t.revoked_at.into(),
            "parent_token_id" => t.parent_token_id.as_deref().into(),
            "root_token_id" => t.root_token_id.as_deref().into(),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse_filter;

    fn token() -> Token {
        serde_json::from_str(
            r#"{"id":"a1","name":"Agent One","kind":"attenuated","created_at":"2026-01-01T00:00:00Z",
                "expires_at":"2026-06-01T00:00:00Z","revoked_at":null,"parent_token_id":"r1","root_token_id":"r1"}"#,
        )
        .expect("token")
    }

    #[test]
    fn derived_status_and_lineage_fields_filter_like_server_fields() {
        let t = token();
        let before = TokenRow::new(&t, Timestamp::parse("2026-05-01").expect("ts"));
        let after = TokenRow::new(&t, Timestamp::parse("2026-07-01").expect("ts"));
        let active = parse_filter("eq(status,active)").expect("filter");
        assert_eq!(active.matches(&before), Ok(true));
        assert_eq!(active.matches(&after), Ok(false));
        let lineage = parse_filter(
            "and(eq(kind,attenuated),eq(root_token_id,r1),is_null(last_used),contains(name,one))",
        )
        .expect("filter");
        assert_eq!(lineage.matches(&before), Ok(true));
    }

    #[test]
    fn a_status_sent_by_the_api_is_filtered_as_sent() {
        let mut t = token();
        t.status = Some("suspended".to_owned().into());
        let row = TokenRow::new(&t, Timestamp::parse("2026-05-01").expect("ts"));
        let suspended = parse_filter("eq(status,suspended)").expect("filter");
        assert_eq!(suspended.matches(&row), Ok(true));
        let active = parse_filter("eq(status,active)").expect("filter");
        assert_eq!(active.matches(&row), Ok(false));
    }

    #[test]
    fn every_listed_field_is_known_and_nothing_else() {
        let t = token();
        let row = TokenRow::new(&t, Timestamp::from_unix(0));
        for field in TOKEN_FIELDS {
            assert!(row.field(field).is_some(), "{field}");
        }
        assert!(row.field("colour").is_none());
    }

    #[test]
    fn an_admin_filters_by_user_id_and_a_page_without_it_matches_nothing() {
        let mut t = token();
        let now = Timestamp::from_unix(0);
        let theirs =
            parse_filter("eq(user_id,0b6f2c1e-9d7a-4c1b-8f3e-2a5d6c7b8e9f)").expect("filter");
        assert_eq!(
            theirs.matches(&TokenRow::new(&t, now)),
            Ok(false),
            "no user_id: NULL"
        );
        t.user_id = Some("0b6f2c1e-9d7a-4c1b-8f3e-2a5d6c7b8e9f".into());
        assert_eq!(theirs.matches(&TokenRow::new(&t, now)), Ok(true));
        t.user_id = Some("1c7f3d2f-0e8b-4d2c-9f4a-3b6e7d8c9fa0".into());
        assert_eq!(theirs.matches(&TokenRow::new(&t, now)), Ok(false));
    }
}
