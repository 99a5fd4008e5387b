//! What the keyring knows about each key besides the key itself.

use crate::api::base::ApiBase;
use crate::secret::SecretString;
use crate::timestamp::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Stable id of an entry within one keyring (never reused: the keyring keeps a counter).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EntryId(pub u64);

impl fmt::Display for EntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What a key is for. The integrator guide asks to keep partner keys apart from the keys
/// that read one's own data, so the UI can group and warn on them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    DataAccess,
    Partner,
}

/// Whether an entry is written to storage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Persistence {
    /// Encrypted into the stored keyring on the next save.
    Saved,
    /// Kept in memory only: never serialized, gone on lock or reload.
    SessionOnly,
}

/// An entry's metadata: everything but the key, safe to show in a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryMeta {
    pub id: EntryId,
    pub label: String,
    pub kind: EntryKind,
    pub created_at: Timestamp,
    /// `abs0_XXXX…last4`, see [`crate::keyinfo::fingerprint`].
    pub fingerprint: String,
    /// The authority block's `token_id`, when the key decodes as a Biscuit.
    pub token_id: Option<String>,
    /// The only API base this key may be sent to. `None`: a legacy entry, saved before keys
    /// were bound; the UI treats it as bound to the build's default base.
    pub api_base: Option<ApiBase>,
    pub persistence: Persistence,
}

/// A key to add. The creation time comes from the caller: the core has no clock.
pub struct NewEntry {
    pub label: String,
    pub kind: EntryKind,
    pub api_key: SecretString,
    pub created_at: Timestamp,
    pub persistence: Persistence,
    /// The API base the key is saved for; it is sent nowhere else.
    pub api_base: ApiBase,
}

/// Longest label, in characters.
pub const MAX_LABEL_CHARS: usize = 100;

/// A label trimmed and checked (1 to 100 characters), or `None`.
pub(crate) fn clean_label(label: &str) -> Option<String> {
    let label = label.trim();
    let chars = label.chars().count();
    (1..=MAX_LABEL_CHARS)
        .contains(&chars)
        .then(|| label.to_owned())
}
