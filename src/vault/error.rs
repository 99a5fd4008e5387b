//! Every way opening, decoding or saving a keyring can fail, as one typed enum.
//!
//! Messages never contain secret material: at most lengths, counts, ids and namespaces.

use super::storage::StorageError;

/// Why a keyring operation failed.
/// Serializable: the key agent reports it to the page as it is (`agent::protocol`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum VaultError {
    /// The stored text is not base64, so it was not written by this app.
    #[error("the stored keyring is not valid base64; it was not written by Foundry Keyring")]
    NotBase64,
    /// The blob does not start with the envelope magic: not ours, or overwritten by something else.
    #[error("the stored data is not a Foundry Keyring envelope")]
    NotAKeyring,
    /// The envelope version is newer (or older) than this build understands.
    #[error(
        "keyring envelope version {0} is not supported by this version of the app; update the app"
    )]
    UnsupportedVersion(u8),
    /// The key-derivation function id is not one this build knows.
    #[error("unknown key-derivation function id {0}")]
    UnknownKdf(u8),
    /// Fewer KDF iterations than the floor: refused on read and on write, so a blob cannot be downgraded.
    #[error(
        "the keyring asks for {iterations} PBKDF2 iterations, below the minimum of {minimum}; refusing a weakened keyring"
    )]
    KdfDowngrade { iterations: u32, minimum: u32 },
    /// More KDF iterations than the upper bound: a crafted blob must not freeze the page.
    #[error("the keyring asks for {iterations} PBKDF2 iterations, above the maximum of {maximum}")]
    KdfTooExpensive { iterations: u32, maximum: u32 },
    /// The blob is shorter than its own layout says, i.e. truncated or cut while copying.
    #[error("the stored keyring is truncated ({actual} bytes, at least {needed} needed)")]
    Truncated { needed: usize, actual: usize },
    /// The blob was written for another storage namespace (copied between apps or profiles).
    #[error("this keyring belongs to namespace {found:?}, not {expected:?}")]
    NamespaceMismatch { expected: String, found: String },
    /// A namespace is empty, too long or uses characters outside `[A-Za-z0-9._-]`.
    #[error("invalid keyring namespace {0:?}: use 1 to 64 characters from A-Z a-z 0-9 . _ -")]
    InvalidNamespace(String),
    /// The data key does not unwrap: a wrong passphrase. AES-GCM cannot tell this apart from a
    /// tampered wrap layer (salt, iterations, wrapped key), so both surface as this variant.
    #[error("wrong passphrase (or the keyring's key layer was altered)")]
    WrongPassphrase,
    /// An encrypted layer under the data key failed authentication: the stored data was altered.
    #[error("the stored keyring was altered or corrupted; it cannot be trusted")]
    Tampered,
    /// An authentic layer holds content this build cannot read (only a bug in a writer can cause it).
    #[error("the keyring's contents are authentic but unreadable")]
    Malformed,
    /// No entry with that id (already removed, or removed in another tab).
    #[error("no key with id {0} in this keyring")]
    EntryNotFound(u64),
    /// A label must be 1 to 100 characters after trimming.
    #[error("a label needs 1 to 100 characters")]
    InvalidLabel,
    /// The API key to add is empty.
    #[error("the API key is empty")]
    EmptyKey,
    /// Storage no longer holds the text this keyring was read from or last wrote (another
    /// tab saved, forgot or created a keyring): nothing was written.
    #[error(
        "the keyring was changed elsewhere (another tab?) since it was opened; nothing was overwritten; reload it and try again"
    )]
    Conflict,
    /// The key agent (the worker that holds the keys) could not start or stopped answering:
    /// a page whose security policy forbids workers, a wrong `workerUrl`, a crash. The page
    /// never holds keys itself instead.
    #[error(
        "the part of the app that holds your keys could not run (this page may not allow it to start a Web Worker)"
    )]
    AgentUnavailable,
    /// An action needs an open keyring and none is open (locked meanwhile: idle, another tab).
    #[error("the keyring is locked")]
    Locked,
    /// Unlock was asked for but this browser stores no keyring (forgotten in another tab?).
    #[error("no keyring is stored in this browser")]
    NothingStored,
    /// The keyring's view went away (an embedding page unmounted it) while work was under way.
    #[error("the keyring was closed while this was under way")]
    Closed,
    /// The browser's random number generator failed.
    #[error("the browser could not provide random numbers")]
    Random,
    /// A passkey answered whose key is not one of this keyring's passkeys (a passkey made
    /// for another keyring, or the same passkey's answer for another salt).
    #[error("this passkey does not unlock this keyring")]
    PasskeyNotForKeyring,
    /// The passkey is already one of this keyring's.
    #[error("this passkey already unlocks this keyring")]
    PasskeyExists,
    /// No passkey with that credential id (removed meanwhile, in another tab?).
    #[error("this passkey is not (or no longer) one of this keyring's")]
    PasskeyNotFound,
    /// A keyring holds at most this many passkeys.
    #[error("a keyring holds at most {maximum} passkeys")]
    TooManyPasskeys { maximum: usize },
    /// The browser gave no usable PRF output (not 32 bytes).
    #[error("the passkey did not give the secret a keyring needs (no PRF output)")]
    PasskeyOutput,
    /// The storage backend failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The key agent may not reach this API (the page's `connect-src`, or without one the
    /// build's and the mount's API), so it does not bind a key there: the key could never be
    /// sent to it, and every request with it would be refused.
    #[error("{origin} is not among the API addresses this page allows")]
    NotAllowed { origin: String },
}
