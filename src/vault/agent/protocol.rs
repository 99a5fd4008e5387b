//! The key agent's message protocol: every name and shape, in one place, for both sides.
//!
//! A message is a JavaScript object `{ id, op, secrets, payload }`:
//! - `id`: a number the answer repeats, so the page can match answers to questions;
//! - `op`: an [`Op`], encoded by [`encode`] (a `Uint8Array`). Nothing secret is ever in it;
//! - `secrets`: `Uint8Array`s, transferred (moved, not copied) and wiped by the agent once read:
//!   a passphrase, a pasted key. [`Op`] documents which it expects, in order;
//! - `payload`: optional bytes, transferred: a request body.
//!
//! The agent answers `{ id, reply, payload }` with `reply` a [`Reply`], encoded alike, and
//! `payload` a response body, transferred. Before anything else it posts
//! `{ ready: true, build }` ([`BUILD`]): its WebAssembly instantiates asynchronously, and a
//! message that arrived before its handler existed would be lost, so the page holds its
//! messages until then, and sends none to an agent of another build.
//!
//! After a paste no key ever travels back: replies carry entries' metadata, what a key says
//! about itself (`KeyInfo`, nothing secret), response statuses and bodies. A response body
//! the API sent may hold a *new* token (shown once); never the key that made the request,
//! which the agent scrubs out of every body.

use super::policy::ConnectPolicy;
use crate::api::base::ApiBase;
pub use crate::api::transport::KeyUse;
use crate::api::transport::{Method, NetworkFailure, TransportError};
use crate::keyinfo::{KeyInfo, KeyInfoError};
use crate::secret::SecretBytes;
use crate::vault::{
    CredentialId, EntryId, EntryKind, EntryMeta, PasskeyChallenge, PasskeyMeta, PendingSave,
    VaultError,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Which key a request uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyRef {
    /// An entry of the open keyring.
    Entry(EntryId),
    /// The key pasted last ([`Op::Stage`]), not in the keyring yet (the check before saving).
    Staged,
}

/// One HTTP request, to be made with a key by the agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchSpec {
    pub key: KeyRef,
    #[serde(with = "method_text")]
    pub method: Method,
    /// The path and query under the key's bound base, e.g. `/api/v1/tokens?limit=25`. The
    /// agent joins it to that base itself: the page never names a host.
    pub path: String,
    /// Non-secret headers (`accept`, `content-type`); `authorization` is refused.
    pub headers: Vec<(String, String)>,
    pub key_use: KeyUse,
    pub timeout_ms: u64,
}

impl FetchSpec {
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }
}

/// A key to add, without the key (it is staged first, as bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEntrySpec {
    pub label: String,
    pub kind: EntryKind,
    pub api_base: ApiBase,
    /// False: this tab only, never written.
    pub keep: bool,
}

/// What the page asks. `current` is what storage holds now for the keyring's namespace (the
/// agent has no storage of its own: a worker cannot reach `localStorage`); a change that must
/// be saved is answered with the text to write ([`Reply::Changed`]), which the page writes
/// only while storage still holds `current`, then confirms with [`Op::Committed`].
///
/// Everything that travels is plain serde data: the encoding ([`encode`]) does not describe
/// itself, so no `#[serde(tag, untagged, flatten, skip_serializing_if)]` on any type in a
/// message (the round-trip tests below would fail).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// Are you alive? Answered `Pong` at once, whatever else runs.
    Ping,
    /// Where requests may go (the page's `connect-src`, or its own APIs when it has none:
    /// [`ConnectPolicy::of_page`]), sent first: the agent connects nowhere else. Later
    /// `Configure`s are ignored.
    Configure { connect: ConnectPolicy },
    /// secrets: `[passphrase]`. Derives, opens `stored`, holds the keyring.
    Unlock { namespace: String, stored: String },
    /// secrets: `[PRF output]`, what the passkey `credential_id` answered for its salt.
    /// Opens `stored` with that passkey's copy of the data key.
    UnlockPasskey {
        namespace: String,
        stored: String,
        credential_id: CredentialId,
    },
    /// secrets: `[PRF output]` for `challenge.prf_salt`. Seals the data key for a new passkey.
    AddPasskey {
        challenge: PasskeyChallenge,
        name: String,
        current: Option<String>,
    },
    RemovePasskey {
        credential_id: CredentialId,
        current: Option<String>,
    },
    /// secrets: `[passphrase]`, or none for a keyring that lives in this tab only (wrapped
    /// under a random key that never leaves the agent). Starts an empty keyring.
    Create { namespace: String },
    /// secrets: `[key]`. What a pasted key says about itself, for the preview beside the paste
    /// field. The page has no Biscuit decoder of its own (code the first screen need not
    /// download). The agent keeps the key, in place of the one before, for `StagePreviewed`.
    Preview,
    /// `Stage` for the key of the last `Preview`: a pasted key crosses to the agent once.
    /// `EmptyKey` when there is none (the page then sends it with `Stage`).
    StagePreviewed { base: ApiBase },
    /// Forgets the key of the last `Preview` (the paste form went away without saving it).
    ForgetPreview,
    /// secrets: `[key]`. Holds a pasted key apart, for the check before saving, which goes to
    /// `base` (where the key is to be saved for); answers what the key says about itself.
    Stage { base: ApiBase },
    /// Forgets the staged key.
    Unstage,
    /// Moves the staged key into the keyring; `NotAllowed` (the key stays staged) when
    /// `entry.api_base` is not the base it was staged for or the agent may not reach it.
    AddStaged {
        entry: NewEntrySpec,
        current: Option<String>,
    },
    Rename {
        id: EntryId,
        label: String,
        current: Option<String>,
    },
    /// Rebinds a key to `base`; `NotAllowed` (nothing changed) when the agent may not reach it.
    Bind {
        id: EntryId,
        base: ApiBase,
        current: Option<String>,
    },
    Remove {
        id: EntryId,
        current: Option<String>,
    },
    /// secrets: `[current passphrase, new passphrase]`, or `[new passphrase]` for a keyring
    /// that lives in this tab only. A new data key; every entry sealed again, at no fewer
    /// iterations than the keyring has and the default.
    ChangePassphrase { current: Option<String> },
    /// storage now holds the text of the last `Changed` reply.
    Committed { revision: u64 },
    /// secrets: `[passphrase]`. Opens an export file (`file`, its text), every key included,
    /// and holds it apart until `FinishImport`. Answers its number of keys.
    OpenImport { namespace: String, file: String },
    /// The file of `OpenImport` was written: it becomes the open keyring.
    FinishImport,
    /// What each key says about itself.
    Inspect { ids: Vec<EntryId> },
    /// payload: the request body, if any. Answered `Response` (payload: the body) or
    /// `TransportFailed`.
    Fetch { request: u32, spec: FetchSpec },
    /// Stops the `Fetch` numbered `request`.
    Abort { request: u32 },
    /// The bench: derives with `engine` and reports the time; the key is dropped at once.
    /// secrets: `[passphrase]`.
    Measure {
        iterations: u32,
        engine: Option<String>,
    },
    /// Storage did not take the text of the last `Changed` (full, disabled, or changed by
    /// another tab): the change is undone, and a key it added is staged again. Last, so that
    /// the bench's hand-written `Measure` keeps its number.
    Unwritten { revision: u64 },
}

/// What the agent answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Reply {
    Pong,
    Done,
    /// The keyring is open: its entries and passkeys.
    Opened {
        entries: Vec<EntryMetaWire>,
        passkeys: Vec<PasskeyMeta>,
    },
    /// The keyring changed: its entries and passkeys now, and the text to store (None:
    /// nothing to store).
    Changed {
        entries: Vec<EntryMetaWire>,
        passkeys: Vec<PasskeyMeta>,
        save: Option<PendingSave>,
        /// The entry a change created, if it did.
        added: Option<EntryId>,
    },
    Previewed {
        info: Result<KeyInfo, KeyInfoError>,
    },
    /// A key that cannot be decoded is held all the same (a new token the API created is kept
    /// whatever it looks like); the paste form refuses it on `info`.
    Staged {
        info: Result<KeyInfo, KeyInfoError>,
    },
    Imported {
        keys: usize,
    },
    Infos {
        infos: Vec<(EntryId, Option<KeyInfo>)>,
    },
    Response {
        status: u16,
        request_id: Option<String>,
        retry_after: Option<String>,
    },
    TransportFailed {
        error: TransportErrorWire,
    },
    Measured {
        engine: String,
        millis: f64,
    },
    Failed {
        error: VaultError,
    },
}

/// A reply with the response body when there is one (zeroized on drop): what one message
/// gets back, on either side.
pub struct Answer {
    pub reply: Reply,
    pub payload: Option<SecretBytes>,
}

impl From<Reply> for Answer {
    fn from(reply: Reply) -> Self {
        Self {
            reply,
            payload: None,
        }
    }
}

/// `EntryMeta` on the wire (the vault's type keeps no serde of its own: it is not stored as such).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryMetaWire {
    pub id: EntryId,
    pub label: String,
    pub kind: EntryKind,
    pub created_at: crate::timestamp::Timestamp,
    pub fingerprint: String,
    pub token_id: Option<String>,
    pub api_base: Option<ApiBase>,
    pub saved: bool,
}

impl From<&EntryMeta> for EntryMetaWire {
    fn from(meta: &EntryMeta) -> Self {
        Self {
            id: meta.id,
            label: meta.label.clone(),
            kind: meta.kind,
            created_at: meta.created_at,
            fingerprint: meta.fingerprint.clone(),
            token_id: meta.token_id.clone(),
            api_base: meta.api_base.clone(),
            saved: meta.persistence == crate::vault::Persistence::Saved,
        }
    }
}

impl From<EntryMetaWire> for EntryMeta {
    fn from(wire: EntryMetaWire) -> Self {
        Self {
            id: wire.id,
            label: wire.label,
            kind: wire.kind,
            created_at: wire.created_at,
            fingerprint: wire.fingerprint,
            token_id: wire.token_id,
            api_base: wire.api_base,
            persistence: if wire.saved {
                crate::vault::Persistence::Saved
            } else {
                crate::vault::Persistence::SessionOnly
            },
        }
    }
}

pub fn entries_wire(list: &[EntryMeta]) -> Vec<EntryMetaWire> {
    list.iter().map(EntryMetaWire::from).collect()
}

/// [`TransportError`] on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TransportErrorWire {
    Offline,
    CorsBlocked,
    Unreachable,
    Unknown,
    Timeout {
        millis: u64,
    },
    Aborted,
    Redirected,
    /// The agent refused the request itself: the key's base is not one the page may reach, or
    /// the path is not under it.
    Refused,
    /// The agent holds no such key (locked meanwhile, or the entry was removed): the request
    /// ends quietly, like an aborted one.
    NoKey,
}

impl From<&TransportError> for TransportErrorWire {
    fn from(error: &TransportError) -> Self {
        match error {
            TransportError::Network(NetworkFailure::Offline) => Self::Offline,
            TransportError::Network(NetworkFailure::CorsBlocked) => Self::CorsBlocked,
            // The agent never finds `Lost` itself (the page's side does), so it has no wire form.
            TransportError::Network(NetworkFailure::Unreachable | NetworkFailure::Lost) => {
                Self::Unreachable
            }
            TransportError::Network(NetworkFailure::Unknown) => Self::Unknown,
            TransportError::Timeout(d) => Self::Timeout {
                millis: u64::try_from(d.as_millis()).unwrap_or(u64::MAX),
            },
            TransportError::Aborted => Self::Aborted,
            TransportError::Redirected => Self::Redirected,
            TransportError::Refused => Self::Refused,
        }
    }
}

impl From<TransportErrorWire> for TransportError {
    fn from(wire: TransportErrorWire) -> Self {
        match wire {
            TransportErrorWire::Offline => Self::Network(NetworkFailure::Offline),
            TransportErrorWire::CorsBlocked => Self::Network(NetworkFailure::CorsBlocked),
            TransportErrorWire::Unreachable => Self::Network(NetworkFailure::Unreachable),
            TransportErrorWire::Unknown => Self::Network(NetworkFailure::Unknown),
            TransportErrorWire::Refused => Self::Refused,
            TransportErrorWire::Timeout { millis } => Self::Timeout(Duration::from_millis(millis)),
            TransportErrorWire::Aborted | TransportErrorWire::NoKey => Self::Aborted,
            TransportErrorWire::Redirected => Self::Redirected,
        }
    }
}

/// The sources this module was built from (a digest, by `src/build.rs`). Messages carry
/// positions, not names, so modules of different builds (a browser that kept an old agent or
/// app) could misread each other: the agent says its build in its `ready` message and the
/// first screen puts it before the handover, and a module that hears another build refuses
/// it (the page takes such an agent for stopped), which fails closed.
pub const BUILD: &str = env!("FOUNDRY_KEYRING_BUILD");

/// The message's `op` and `reply` bytes: postcard, a compact serde format that is not
/// self-describing, so a derived reader matches variant and field *positions*, not names.
/// JSON text cost the first screen 26 kB of gzip (serde_json's reader and a name matcher per
/// type). Both ends are built from this file in one build, so the positions always agree;
/// bytes that do not decode are refused like any other malformed message.
pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    // Serializing these plain enums to a growable buffer cannot fail; empty bytes would be
    // refused as malformed by the other side.
    postcard::to_allocvec(value).unwrap_or_default()
}

/// Reads what [`encode`] wrote: `None` for bytes that are not a `T`.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    postcard::from_bytes(bytes).ok()
}

pub fn decode_op(bytes: &[u8]) -> Result<Op, VaultError> {
    decode(bytes).ok_or(VaultError::Malformed)
}

pub fn decode_reply(bytes: &[u8]) -> Option<Reply> {
    decode(bytes)
}

/// The path rule of the agent: a request goes under the key's bound base, to `/api/v1/…`,
/// and nowhere else. The base holds scheme, host and port, so a path that starts with one `/`
/// cannot change the host; this also refuses what could leave the base's path (dot
/// segments) or be read differently by a server or proxy (backslashes, control characters,
/// spaces, a fragment).
pub fn join_under(base: &ApiBase, path: &str) -> Option<String> {
    let (path_part, _query) = path.split_once('?').unwrap_or((path, ""));
    let ok = path.starts_with("/api/v1/")
        && !path
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\' || c == '#')
        && path_part
            .split('/')
            .all(|segment| segment != "." && segment != ".." && !segment.contains('%'));
    ok.then(|| format!("{}{}", base.as_str(), path))
}

/// The path and query of `url` under `base`, if `url` is under it: what the page's client
/// asks the agent for.
pub fn path_under<'a>(base: &ApiBase, url: &'a str) -> Option<&'a str> {
    url.strip_prefix(base.as_str())
        .filter(|rest| rest.starts_with('/'))
}

mod method_text {
    use crate::api::transport::Method;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(method: &Method, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(method.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Method, D::Error> {
        match String::deserialize(d)?.as_str() {
            "GET" => Ok(Method::Get),
            "POST" => Ok(Method::Post),
            other => Err(serde::de::Error::custom(format!("method {other}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> ApiBase {
        ApiBase::parse("https://api.example.com/foundry").unwrap()
    }

    #[test]
    fn every_op_round_trips_and_holds_no_secret_field() {
        let ops = vec![
            Op::Ping,
            Op::Preview,
            Op::StagePreviewed { base: base() },
            Op::ForgetPreview,
            Op::Unlock {
                namespace: "default".into(),
                stored: "FKR1…".into(),
            },
            Op::AddStaged {
                entry: NewEntrySpec {
                    label: "lab".into(),
                    kind: EntryKind::DataAccess,
                    api_base: base(),
                    keep: true,
                },
                current: None,
            },
            Op::Fetch {
                request: 7,
                spec: FetchSpec {
                    key: KeyRef::Entry(EntryId(3)),
                    method: Method::Post,
                    path: "/api/v1/tokens/attenuate".into(),
                    headers: vec![("accept".into(), "application/json".into())],
                    key_use: KeyUse::HeaderAndBodyToken,
                    timeout_ms: 30_000,
                },
            },
            Op::ChangePassphrase {
                current: Some("x".into()),
            },
            Op::UnlockPasskey {
                namespace: "default".into(),
                stored: "FKR2…".into(),
                credential_id: CredentialId::new(vec![0xfb; 20]).unwrap(),
            },
            Op::AddPasskey {
                challenge: PasskeyChallenge {
                    credential_id: CredentialId::new(vec![9; 16]).unwrap(),
                    prf_salt: [7; 32],
                },
                name: "Laptop".into(),
                current: None,
            },
        ];
        for op in ops {
            let bytes = encode(&op);
            assert_eq!(decode_op(&bytes).unwrap(), op, "{bytes:?}");
        }
    }

    #[test]
    fn replies_round_trip_with_typed_errors() {
        let replies = vec![
            Reply::Failed {
                error: VaultError::WrongPassphrase,
            },
            Reply::Failed {
                error: VaultError::Truncated {
                    needed: 10,
                    actual: 3,
                },
            },
            Reply::TransportFailed {
                error: TransportErrorWire::Timeout { millis: 1500 },
            },
            Reply::Changed {
                entries: vec![],
                passkeys: vec![PasskeyMeta {
                    credential_id: CredentialId::new(vec![1, 2, 3]).unwrap(),
                    name: "YubiKey".into(),
                    created_at: crate::timestamp::Timestamp::from_unix(1_800_000_000),
                }],
                save: Some(PendingSave {
                    text: "t".into(),
                    revision: 2,
                }),
                added: Some(EntryId(1)),
            },
            Reply::Pong,
            Reply::Done,
            Reply::Opened {
                entries: vec![EntryMetaWire {
                    id: EntryId(4),
                    label: "lab".into(),
                    kind: EntryKind::DataAccess,
                    created_at: crate::timestamp::Timestamp::from_unix(1_800_000_000),
                    fingerprint: "ab12".into(),
                    token_id: Some("tok_1".into()),
                    api_base: Some(base()),
                    saved: true,
                }],
                passkeys: vec![],
            },
            Reply::Previewed {
                info: Ok(KeyInfo {
                    prefix: "abs0_ab12".into(),
                    token_id: Some("tok_1".into()),
                    expires_at: Some(crate::timestamp::Timestamp::from_unix(1_900_000_000)),
                    block_count: 2,
                    blocks: vec!["right(\"read\");".into(), "check if time($t);".into()],
                    revocation_ids: vec!["00ff".into(), "ee11".into()],
                }),
            },
            Reply::Staged {
                info: Err(KeyInfoError::Undecodable),
            },
            Reply::Imported { keys: 3 },
            Reply::Infos {
                infos: vec![(EntryId(1), None)],
            },
            Reply::Response {
                status: 429,
                request_id: Some("req_9".into()),
                retry_after: Some("7".into()),
            },
            Reply::TransportFailed {
                error: TransportErrorWire::NoKey,
            },
            Reply::Measured {
                engine: "wasm".into(),
                millis: 0.25,
            },
        ];
        for reply in replies {
            assert_eq!(decode_reply(&encode(&reply)).unwrap(), reply);
        }
    }

    /// `tests/bench/browser.mjs` speaks these two messages by hand, without the app's code.
    #[test]
    fn the_bench_speaks_measure() {
        assert_eq!(
            encode(&Op::Measure {
                iterations: 600_000,
                engine: Some("wasm".into()),
            }),
            [&[23, 0xc0, 0xcf, 0x24, 1, 4][..], b"wasm"].concat()
        );
        assert_eq!(
            encode(&Op::Measure {
                iterations: 1,
                engine: None,
            }),
            [23, 1, 0]
        );
        let millis = 812.5f64;
        assert_eq!(
            encode(&Reply::Measured {
                engine: "webcrypto".into(),
                millis,
            }),
            [&[10, 9][..], b"webcrypto", &millis.to_le_bytes()].concat()
        );
    }

    #[test]
    fn bytes_that_are_not_a_message_are_refused() {
        for bad in [
            &[][..],
            &[200],
            &[2, 0xff, 0xff],
            &[23, 1, 2],
            b"{\"ping\":null}",
        ] {
            assert_eq!(decode_op(bad), Err(VaultError::Malformed), "{bad:?}");
            assert_eq!(decode_reply(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_request_goes_under_the_bound_base_only() {
        let b = base();
        assert_eq!(
            join_under(&b, "/api/v1/tokens?limit=25&filter=contains(name,a%20b)").as_deref(),
            Some(
                "https://api.example.com/foundry/api/v1/tokens?limit=25&filter=contains(name,a%20b)"
            )
        );
        for bad in [
            "//evil.example/api/v1/whoami",
            "https://evil.example/api/v1/whoami",
            "@evil.example/api/v1/whoami",
            "/api/v1/../../admin",
            "/api/v1/%2e%2e/x",
            "/api/v1/a\\b",
            "/api/v1/who ami",
            "/api/v1/whoami#x",
            "/other",
            "",
        ] {
            assert_eq!(join_under(&b, bad), None, "{bad}");
        }
    }

    #[test]
    fn the_page_names_paths_under_its_base_only() {
        let b = base();
        assert_eq!(
            path_under(&b, "https://api.example.com/foundry/api/v1/whoami"),
            Some("/api/v1/whoami")
        );
        assert_eq!(
            path_under(&b, "https://api.example.com/api/v1/whoami"),
            None
        );
        assert_eq!(path_under(&b, "https://api.example.com/foundryx/api"), None);
    }
}
