//! The Foundry API's JSON models, shared by the client and the local Foundry double.
//!
//! Two shapes of the token list are published (the seed "List tokens" page and the July 2026
//! OpenAPI document). [`Token`] accepts their union: only `id`, `name` and `created_at` are
//! required and unknown fields are ignored, so the client works against either.

use crate::secret::SecretString;
use crate::timestamp::Timestamp;
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;

/// `GET /api/v1/whoami`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhoAmI {
    pub organizations: Vec<Organization>,
    /// `resource:action` strings, e.g. `experiment:create`.
    pub permissions: Vec<String>,
    #[serde(default)]
    pub active_organization_id: Option<String>,
    /// `None`: no recorded expiry.
    #[serde(default)]
    pub token_expires_at: Option<Timestamp>,
    #[serde(default)]
    pub user_id: Option<String>,
}

impl WhoAmI {
    /// The organization the key acts as (flagged `active`, or named by `active_organization_id`).
    pub fn active_organization(&self) -> Option<&Organization> {
        self.organizations.iter().find(|o| o.active).or_else(|| {
            let id = self.active_organization_id.as_deref()?;
            self.organizations.iter().find(|o| o.id == id)
        })
    }

    /// A label for a key added without one: the organisation it acts as and its role there,
    /// e.g. "Acme Biotech member".
    pub fn suggested_label(&self) -> Option<String> {
        let org = self.active_organization()?;
        let name = org.name.trim();
        if name.is_empty() {
            return None;
        }
        let label = match org.role.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            Some(role) => format!("{name} {role}"),
            None => name.to_owned(),
        };
        Some(label.chars().take(100).collect())
    }

    /// Permissions grouped by resource, actions sorted: `experiment → [create, read]`.
    /// A permission without `:` is kept whole under its own name with no actions.
    pub fn permissions_by_resource(&self) -> BTreeMap<String, Vec<String>> {
        let mut grouped: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for permission in &self.permissions {
            match permission.split_once(':') {
                Some((resource, action)) => grouped
                    .entry(resource.to_owned())
                    .or_default()
                    .push(action.to_owned()),
                None => {
                    grouped.entry(permission.clone()).or_default();
                }
            }
        }
        for actions in grouped.values_mut() {
            actions.sort();
            actions.dedup();
        }
        grouped
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    pub id: String,
    pub name: String,
    pub active: bool,
    #[serde(default)]
    pub role: Option<String>,
}

/// The envelope of every list endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Items in this page.
    pub count: u64,
    /// Echo of the requested offset.
    pub offset: u64,
    /// Matches across all pages.
    pub total: u64,
}

/// A token's state. The seed shape sends it; the July shape has to have it derived. The seed
/// lists three states, but a client meets more than one API version: a state this client
/// does not know is kept and shown as sent, instead of making the whole page unreadable.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum TokenStatus {
    Active,
    Expired,
    Revoked,
    /// Any other state, as the API wrote it. Never taken for active: the row shows the word.
    Other(String),
}

impl TokenStatus {
    /// The states the published grammar filters on (the table's status controls).
    pub const ALL: [TokenStatus; 3] = [
        TokenStatus::Active,
        TokenStatus::Expired,
        TokenStatus::Revoked,
    ];

    pub fn as_str(&self) -> &str {
        match self {
            TokenStatus::Other(status) => status,
            published => published.published_word(),
        }
    }

    /// A published state's word (empty for `Other`, whose word is its own).
    fn published_word(&self) -> &'static str {
        match self {
            TokenStatus::Active => "active",
            TokenStatus::Expired => "expired",
            TokenStatus::Revoked => "revoked",
            TokenStatus::Other(_) => "",
        }
    }

    /// One of the published states, or `None`.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The published rule for shapes without a status: revoked_at set → revoked; expires_at
    /// reached → expired; otherwise active. The client and the double both derive it here.
    pub fn derive(
        revoked_at: Option<Timestamp>,
        expires_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Self {
        if revoked_at.is_some() {
            TokenStatus::Revoked
        } else if expires_at.is_some_and(|e| e <= now) {
            TokenStatus::Expired
        } else {
            TokenStatus::Active
        }
    }

    /// [`Self::derive`]'s state as its word, borrowed from nothing (the list grammar's rows).
    pub fn derived_word(
        revoked_at: Option<Timestamp>,
        expires_at: Option<Timestamp>,
        now: Timestamp,
    ) -> &'static str {
        Self::derive(revoked_at, expires_at, now).published_word()
    }
}

/// `kind` in the July shape. The published schema gives no list of kinds, and machine-policy
/// tokens exist whose rules are not published: a kind this client does not know is kept as
/// sent and shown, instead of making the whole page unreadable.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum TokenKind {
    Root,
    Attenuated,
    /// Any other kind, as the API wrote it.
    Other(String),
}

impl From<String> for TokenStatus {
    fn from(status: String) -> Self {
        Self::parse(&status).unwrap_or(TokenStatus::Other(status))
    }
}

impl From<TokenStatus> for String {
    fn from(status: TokenStatus) -> Self {
        match status {
            TokenStatus::Other(status) => status,
            known => known.as_str().to_owned(),
        }
    }
}

impl TokenKind {
    pub fn as_str(&self) -> &str {
        match self {
            TokenKind::Root => "root",
            TokenKind::Attenuated => "attenuated",
            TokenKind::Other(kind) => kind,
        }
    }
}

impl From<String> for TokenKind {
    fn from(kind: String) -> Self {
        match kind.as_str() {
            "root" => TokenKind::Root,
            "attenuated" => TokenKind::Attenuated,
            _ => TokenKind::Other(kind),
        }
    }
}

impl From<TokenKind> for String {
    fn from(kind: TokenKind) -> Self {
        match kind {
            TokenKind::Other(kind) => kind,
            known => known.as_str().to_owned(),
        }
    }
}

/// One row of `GET /api/v1/tokens`, either published shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Token {
    pub id: String,
    pub name: String,
    pub created_at: Timestamp,
    // Seed shape.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TokenStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used: Option<Timestamp>,
    /// The owner (seed shape, newer pages): what an admin filters on to see another user's tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    // July 2026 (lineage) shape.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<TokenKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_token_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_token_id: Option<String>,
    /// Untyped in the published schema: kept as JSON, read with [`Token::attenuation`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attenuation_spec: Option<serde_json::Value>,
}

impl Token {
    /// The status the server sent, or else derived: revoked_at set → revoked; expires_at
    /// reached → expired; otherwise active.
    pub fn status_at(&self, now: Timestamp) -> TokenStatus {
        self.status
            .clone()
            .unwrap_or_else(|| TokenStatus::derive(self.revoked_at, self.expires_at, now))
    }

    /// [`Self::status_at`] as a word, borrowed (the list grammar's row reads it).
    pub fn status_word_at(&self, now: Timestamp) -> &str {
        match &self.status {
            Some(sent) => sent.as_str(),
            None => TokenStatus::derived_word(self.revoked_at, self.expires_at, now),
        }
    }

    /// The restrictions of an attenuated token, when the server sent a spec this client reads.
    pub fn attenuation(&self) -> Option<AttenuationSpec> {
        let value = self.attenuation_spec.as_ref()?;
        serde_json::from_value(value.clone()).ok()
    }
}

/// The actions an attenuation may allow (published list).
pub const ACTIONS: [&str; 8] = [
    "list",
    "read",
    "create",
    "update",
    "delete",
    "issue",
    "revoke",
    "mint_token",
];

/// The resource types an attenuation may allow (published list).
pub const RESOURCES: [&str; 21] = [
    "experiment",
    "sequence",
    "target",
    "result",
    "project",
    "organization",
    "user",
    "token",
    "webhook",
    "update",
    "quote",
    "invoice",
    "billing",
    "feedback",
    "partner",
    "credit",
    "usage",
    "product",
    "info",
    "admin",
    "policy",
];

/// Restrictions for `POST /api/v1/tokens/attenuate`; rights are the intersection of all.
///
/// A tolerant reader: `payment_policy` (September 2026; its shape is not published) is kept as
/// opaque JSON. Other fields a newer API adds are ignored here; a token keeps its spec as the
/// JSON that came (`Token::attenuation_spec`), which `crate::restrictions` reads for them, so a
/// restriction this client cannot read is never dropped and never makes a token look
/// unrestricted. (No `#[serde(flatten)]` catch-all: it costs the page ~15 kB.)
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttenuationSpec {
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub non_destructive: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_actions: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_resources: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_org_ids: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// Opaque: stored, carried and shown, never interpreted (its meaning is not published).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_policy: Option<serde_json::Value>,
}

impl AttenuationSpec {
    /// True when the spec restricts nothing (the server would mint an equal token).
    pub fn is_unrestricted(&self) -> bool {
        *self == Self::default()
    }
}

/// The body of `POST /api/v1/tokens/attenuate`. It carries the key itself, so it has no
/// `Debug` and serializes the secret only into the request body.
#[derive(Serialize)]
pub struct AttenuateRequest<'a> {
    #[serde(serialize_with = "expose")]
    pub token: &'a SecretString,
    pub name: String,
    pub attenuation: AttenuationSpec,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attenuated_parent_token_id: Option<String>,
}

fn expose<S: Serializer>(secret: &&SecretString, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(secret.expose_secret())
}

/// The answer to an attenuation: the new token, shown once. Older pages of the API answered
/// `{token}` alone: the token is what cannot be had again, so only it is required.
#[derive(Deserialize)]
pub struct AttenuateResponse {
    /// A string id; a number is taken as its text, anything else as absent.
    #[serde(default, deserialize_with = "lenient_text")]
    pub id: Option<String>,
    pub token: SecretString,
}

/// The answer to `POST /api/v1/tokens/revoke`. A 2xx means the family is revoked, whatever
/// the body holds, so every field is optional and a field of an unexpected type reads as absent:
/// a side detail must not turn a done revocation into an error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokeResponse {
    /// The root `token_id` that was revoked (its descendants with it).
    #[serde(default, deserialize_with = "lenient_text")]
    pub token_id: Option<String>,
    /// The first revocation time (a repeat returns the original).
    #[serde(default, deserialize_with = "lenient")]
    pub revoked_at: Option<Timestamp>,
    /// Attenuated descendants newly revoked by this call (0 on a repeat); `None` where the API
    /// did not say (older pages answered without it).
    #[serde(
        default,
        deserialize_with = "lenient",
        skip_serializing_if = "Option::is_none"
    )]
    pub children_revoked: Option<u64>,
}

/// A side field read leniently: present and of the expected type, or `None`.
fn lenient<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(serde_json::from_value(value).ok())
}

/// An id read leniently: a string, or a number as its text.
fn lenient_text<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    Ok(match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::String(text) if !text.is_empty() => Some(text),
        serde_json::Value::Number(number) => Some(number.to_string()),
        _ => None,
    })
}

/// The 4xx/5xx body as the July spec writes it (the double's default). The client reads error
/// bodies tolerantly instead (`api::error`): `{error}` alone, `message`, `detail`, or no JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    pub request_id: String,
}

/// `GET /api/v1/info/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        Timestamp::parse(text).expect("test timestamp")
    }

    #[test]
    fn reads_the_seed_token_shape() {
        let json = r#"{"created_at":"2023-11-07T05:31:56Z","created_by":"3c90c3cc-0d44-4b50-8888-8dd25736052a",
            "id":"t1","name":"lab","status":"expired","token_type":"user","expires_at":"2023-11-07T05:31:56Z",
            "last_used":"2023-11-07T05:31:56Z"}"#;
        let token: Token = serde_json::from_str(json).expect("seed token");
        assert_eq!(token.status, Some(TokenStatus::Expired));
        assert_eq!(token.last_used, Some(ts("2023-11-07T05:31:56Z")));
        assert_eq!(token.kind, None);
    }

    #[test]
    fn a_kind_this_client_does_not_know_is_kept_and_the_page_still_reads() {
        // Machine-policy tokens exist and their kind is not published.
        let json = r#"{"items":[
            {"id":"m1","name":"robot","kind":"machine_policy","created_at":"2026-09-01T00:00:00Z"},
            {"id":"r1","name":"lab","kind":"root","created_at":"2026-08-01T00:00:00Z"}],
            "count":2,"offset":0,"total":2}"#;
        let page: Page<Token> = serde_json::from_str(json).expect("page with an unknown kind");
        assert_eq!(
            page.items[0].kind,
            Some(TokenKind::Other("machine_policy".to_owned()))
        );
        assert_eq!(
            page.items[0].kind.as_ref().map(TokenKind::as_str),
            Some("machine_policy")
        );
        assert_eq!(page.items[1].kind, Some(TokenKind::Root));
        // Written back as it came (the double and the held-tokens cache round-trip rows).
        let written = serde_json::to_value(&page.items[0]).expect("written");
        assert_eq!(written["kind"], "machine_policy");
    }

    #[test]
    fn a_status_this_client_does_not_know_is_kept_shown_and_never_taken_for_active() {
        // The seed publishes three states; another API version may send a fourth.
        let json = r#"{"items":[
            {"id":"s1","name":"paused","status":"suspended","created_at":"2026-09-01T00:00:00Z"},
            {"id":"a1","name":"lab","status":"active","created_at":"2026-08-01T00:00:00Z"}],
            "count":2,"offset":0,"total":2}"#;
        let page: Page<Token> = serde_json::from_str(json).expect("page with an unknown status");
        let now = ts("2026-10-01T00:00:00Z");
        let suspended = &page.items[0];
        assert_eq!(
            suspended.status_at(now),
            TokenStatus::Other("suspended".to_owned())
        );
        assert_ne!(suspended.status_at(now), TokenStatus::Active);
        assert_eq!(suspended.status_word_at(now), "suspended");
        assert_eq!(page.items[1].status_at(now), TokenStatus::Active);
        // Only the published states are offered as filters (a link's `status=suspended` is not).
        assert_eq!(TokenStatus::parse("suspended"), None);
        // Written back as it came.
        let written = serde_json::to_value(suspended).expect("written");
        assert_eq!(written["status"], "suspended");
    }

    #[test]
    fn a_derived_status_reads_as_its_word() {
        let token: Token = serde_json::from_str(
            r#"{"id":"r1","name":"lab","created_at":"2026-01-01T00:00:00Z","expires_at":"2026-06-01T00:00:00Z"}"#,
        )
        .expect("lineage token");
        assert_eq!(token.status_word_at(ts("2026-05-01T00:00:00Z")), "active");
        assert_eq!(token.status_word_at(ts("2026-07-01T00:00:00Z")), "expired");
    }

    #[test]
    fn reads_the_lineage_shape_and_derives_status() {
        let json = r#"{"id":"a1","name":"agent","kind":"attenuated","created_at":"2026-01-01T00:00:00Z",
            "expires_at":"2026-06-01T00:00:00Z","revoked_at":null,"parent_token_id":"r1","root_token_id":"r1",
            "token_type":null,"attenuation_spec":{"read_only":true,"allowed_resources":["experiment"]},"extra":1}"#;
        let token: Token = serde_json::from_str(json).expect("lineage token");
        assert_eq!(token.kind, Some(TokenKind::Attenuated));
        assert_eq!(
            token.status_at(ts("2026-05-31T23:59:59Z")),
            TokenStatus::Active
        );
        assert_eq!(
            token.status_at(ts("2026-06-01T00:00:00Z")),
            TokenStatus::Expired
        );
        let spec = token.attenuation().unwrap_or_default();
        assert!(spec.read_only);
        assert_eq!(spec.allowed_resources, Some(vec!["experiment".to_owned()]));
        let revoked = Token {
            revoked_at: Some(ts("2026-02-01T00:00:00Z")),
            ..token
        };
        assert_eq!(
            revoked.status_at(ts("2026-01-02T00:00:00Z")),
            TokenStatus::Revoked
        );
    }

    #[test]
    fn requires_only_id_name_and_created_at() {
        assert!(
            serde_json::from_str::<Token>(
                r#"{"id":"x","name":"y","created_at":"2026-01-01T00:00:00Z"}"#
            )
            .is_ok()
        );
        assert!(
            serde_json::from_str::<Token>(r#"{"id":"x","created_at":"2026-01-01T00:00:00Z"}"#)
                .is_err()
        );
        assert!(
            serde_json::from_str::<Token>(r#"{"id":"x","name":"y","created_at":"yesterday"}"#)
                .is_err()
        );
    }

    #[test]
    fn suggests_a_label_from_the_active_organization_and_role() {
        let org = |name: &str, active: bool, role: Option<&str>| Organization {
            id: name.to_lowercase(),
            name: name.into(),
            active,
            role: role.map(str::to_owned),
        };
        let mut who = WhoAmI {
            organizations: vec![
                org("Helix Labs", false, Some("viewer")),
                org("Acme Biotech", true, Some("member")),
            ],
            permissions: vec![],
            active_organization_id: None,
            token_expires_at: None,
            user_id: None,
        };
        assert_eq!(
            who.suggested_label().as_deref(),
            Some("Acme Biotech member")
        );
        who.organizations[1].role = None;
        assert_eq!(who.suggested_label().as_deref(), Some("Acme Biotech"));
        who.organizations[1].active = false;
        assert_eq!(who.suggested_label(), None);
    }

    #[test]
    fn groups_permissions_by_resource() {
        let who = WhoAmI {
            organizations: vec![],
            permissions: [
                "experiment:read",
                "organization:read",
                "experiment:create",
                "experiment:read",
                "odd",
            ]
            .map(String::from)
            .to_vec(),
            active_organization_id: None,
            token_expires_at: None,
            user_id: None,
        };
        let grouped = who.permissions_by_resource();
        assert_eq!(
            grouped.get("experiment"),
            Some(&vec!["create".to_owned(), "read".to_owned()])
        );
        assert_eq!(grouped.get("odd"), Some(&vec![]));
        assert_eq!(grouped.len(), 3);
    }

    #[test]
    fn every_published_attenuate_and_revoke_answer_reads() {
        for (body, id) in [
            (r#"{"id":"a1","token":"abs0_x"}"#, Some("a1")),
            (r#"{"token":"abs0_x"}"#, None),
            (r#"{"token":"abs0_x","id":7,"extra":true}"#, Some("7")),
            (r#"{"token":"abs0_x","id":{"odd":1}}"#, None),
        ] {
            let answer: AttenuateResponse = serde_json::from_str(body).unwrap();
            assert_eq!(answer.id.as_deref(), id, "{body}");
            assert_eq!(answer.token.expose_secret(), "abs0_x");
        }
        assert!(serde_json::from_str::<AttenuateResponse>(r#"{"id":"a1"}"#).is_err());

        let july: RevokeResponse = serde_json::from_str(
            r#"{"token_id":"r1","revoked_at":"2026-01-01T00:00:00Z","children_revoked":2}"#,
        )
        .unwrap();
        assert_eq!(july.children_revoked, Some(2));
        let april: RevokeResponse =
            serde_json::from_str(r#"{"token_id":"r1","revoked_at":"2026-01-01T00:00:00Z"}"#)
                .unwrap();
        assert_eq!(april.children_revoked, None);
        assert_eq!(april.revoked_at, Some(ts("2026-01-01T00:00:00Z")));
        let odd: RevokeResponse =
            serde_json::from_str(r#"{"revoked_at":"yesterday","children_revoked":-1}"#).unwrap();
        assert_eq!(odd, RevokeResponse::default());
    }

    #[test]
    fn attenuate_request_carries_only_what_is_set() {
        let key = SecretString::from("abs0_key");
        let request = AttenuateRequest {
            token: &key,
            name: "ro".into(),
            attenuation: AttenuationSpec {
                read_only: true,
                ..Default::default()
            },
            attenuated_parent_token_id: None,
        };
        let json = serde_json::to_value(&request).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({"token":"abs0_key","name":"ro","attenuation":{"read_only":true}})
        );
    }
}
