//! What a pasted Foundry API key says about itself, read locally without the root key.
//!
//! A Foundry key is `abs0_{slug}{biscuit_base64}`. The slug's length and alphabet are not
//! published, so decoding tries successive slug lengths until the rest is a Biscuit, and the
//! slug is shown as part of the prefix without any meaning attached. Of the Datalog, only what
//! Foundry publishes is interpreted: the authority block's `token_id` fact and the standard
//! `time` expiry check; everything else is shown as raw Datalog.

use crate::secret::SecretString;
use crate::timestamp::Timestamp;
use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use biscuit_auth::UnverifiedBiscuit;
use zeroize::Zeroizing;

/// Every Foundry key starts with this.
pub const KEY_PREFIX: &str = "abs0_";
/// Longest slug tried. Generous: the slug is short in every key seen so far.
pub const MAX_SLUG_LEN: usize = 64;

/// A pasted key, decoded. Nothing in it is secret: the Biscuit's blocks are readable by anyone
/// holding the token, and only the signature chain makes it a credential.
/// Serializable: the key agent decodes stored keys and sends only this to the page.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KeyInfo {
    /// `abs0_` followed by the slug, e.g. `abs0_ab12`.
    pub prefix: String,
    /// From the authority block's `token_id("…")` fact.
    pub token_id: Option<String>,
    /// The earliest `check if time($t), $t <= …` (or `<`) deadline of any block.
    pub expires_at: Option<Timestamp>,
    pub block_count: usize,
    /// Each block's Datalog source, authority block first.
    pub blocks: Vec<String>,
    /// Hex revocation ids, one per block.
    pub revocation_ids: Vec<String>,
}

/// Why a pasted text is not a readable Foundry key. Serializable: the key agent decodes a
/// pasted key and answers the page with this or a [`KeyInfo`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyInfoError {
    /// Nothing was pasted.
    #[error("paste a Foundry API key")]
    Empty,
    /// The text does not start with `abs0_`.
    #[error(
        "this is not a Foundry API key: Foundry keys start with \"abs0_\" followed by a long run of letters, digits, '-' and '_'"
    )]
    NotAFoundryKey,
    /// A Foundry key with other text before it (`API_KEY=abs0_…`, `token: abs0_…`): what
    /// belongs to the key cannot be told apart for sure, so the person is asked to paste it
    /// alone.
    #[error("this text holds a Foundry key and more: paste the key alone")]
    KeyInText,
    /// It starts like a Foundry key but the rest is not a valid Biscuit token.
    #[error(
        "this looks like a Foundry key but cannot be decoded; check that it was copied completely"
    )]
    Undecodable,
}

/// Biscuit's own base64 (URL-safe; padding optional, as biscuit-auth reads it).
const TOKEN_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Decodes a key: one [`pasted_key`] read out of a paste, or one the keyring holds.
pub fn inspect(key: &str) -> Result<KeyInfo, KeyInfoError> {
    let rest = prefixed(key)?;
    let (slug, token) = (0..=MAX_SLUG_LEN.min(rest.len()))
        .filter(|&n| rest.is_char_boundary(n))
        .find_map(|n| {
            let (slug, b64) = rest.split_at(n);
            // Decoded here rather than by `from_base64`, so that each attempt's bytes (the
            // key itself) are wiped; the parsed token's own buffers are biscuit-auth's.
            let bytes = Zeroizing::new(TOKEN_BASE64.decode(b64).ok()?);
            UnverifiedBiscuit::from(&bytes[..])
                .ok()
                .map(|token| (slug, token))
        })
        .ok_or(KeyInfoError::Undecodable)?;
    let block_count = token.block_count();
    let blocks = (0..block_count)
        .map(|i| token.print_block_source(i))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| KeyInfoError::Undecodable)?;
    Ok(KeyInfo {
        prefix: format!("{KEY_PREFIX}{slug}"),
        token_id: blocks.first().and_then(|src| find_token_id(src)),
        expires_at: blocks.iter().filter_map(|src| earliest_expiry(src)).min(),
        block_count,
        revocation_ids: token
            .revocation_identifiers()
            .iter()
            .map(hex::encode)
            .collect(),
        blocks,
    })
}

/// The key in what a person pasted. People paste what they copied: a key that a message or a
/// terminal wrapped over lines (a browser's text field turns the break into a space), an
/// `Authorization` header's value (`Bearer abs0_…`), a string quoted in JSON or a shell. A
/// Foundry key holds none of these characters (URL-safe base64 after `abs0_`), so taking them
/// away changes no key; whatever else the text holds is left for [`inspect`] to refuse.
pub fn pasted_key(pasted: &str) -> SecretString {
    // The scheme and the quotes are ASCII, so each cut falls between characters.
    let mut text = pasted.trim();
    let bytes = text.as_bytes();
    if bytes.len() > 6
        && bytes[..6].eq_ignore_ascii_case(b"bearer")
        && bytes[6].is_ascii_whitespace()
    {
        text = text[7..].trim_start();
    }
    if let [first @ (b'"' | b'\'' | b'`'), .., last] = text.as_bytes()
        && first == last
    {
        text = &text[1..text.len() - 1];
    }
    // Sized up front: no reallocation, so no stray copy of the key.
    let mut key = String::with_capacity(text.len());
    text.split_ascii_whitespace()
        .for_each(|part| key.push_str(part));
    SecretString::new(key)
}

/// What the page can tell of a pasted text by itself: nothing there, or no Foundry key in it at
/// all. The page needs no Biscuit code, nor [`pasted_key`], for this (both cost its first
/// screen); it asks the key agent to read the rest ([`inspect`]).
pub fn shape(pasted: &str) -> Result<(), KeyInfoError> {
    let text = pasted.trim();
    if text.is_empty() {
        Err(KeyInfoError::Empty)
    } else if text.contains(KEY_PREFIX) {
        Ok(())
    } else {
        Err(KeyInfoError::NotAFoundryKey)
    }
}

/// The text after [`KEY_PREFIX`].
fn prefixed(key: &str) -> Result<&str, KeyInfoError> {
    if key.is_empty() {
        return Err(KeyInfoError::Empty);
    }
    key.strip_prefix(KEY_PREFIX)
        .ok_or(if key.contains(KEY_PREFIX) {
            KeyInfoError::KeyInText
        } else {
            KeyInfoError::NotAFoundryKey
        })
}

/// `abs0_XXXX…last4`: enough to tell keys apart, too little to matter if shown or stored.
/// Very short inputs give `…` alone.
pub fn fingerprint(key: &SecretString) -> String {
    // Counted and cut in place: no copy of the key's characters is made.
    let key = key.expose_secret().trim();
    let count = key.chars().count();
    let head = KEY_PREFIX.len() + 4;
    // At least twice the revealed length, so most of the key always stays hidden.
    if count < 2 * (head + 4) {
        return "…".to_owned();
    }
    let start: String = key.chars().take(head).collect();
    let end: String = key.chars().skip(count - 4).collect();
    format!("{start}…{end}")
}

/// Datalog statements of a printed block (statements end with `;`).
fn statements(source: &str) -> impl Iterator<Item = &str> {
    source.split(';').map(str::trim).filter(|s| !s.is_empty())
}

/// The first `token_id("…")` fact. Only a fact counts: a rule or check mentioning
/// `token_id` contains `<-` or starts with `check`/`deny`/`allow`/`reject`.
fn find_token_id(source: &str) -> Option<String> {
    statements(source).find_map(|stmt| {
        let value = stmt.strip_prefix("token_id(\"")?.strip_suffix("\")")?;
        (!value.contains('"')).then(|| value.to_owned())
    })
}

/// The earliest deadline among the block's `check if|all time($v), … $v <= DATE` checks.
///
/// A check with an `or` alternative is skipped: it may pass without the time condition, so
/// it is no expiry. Any other shape is left alone (shown as raw Datalog by the UI).
fn earliest_expiry(source: &str) -> Option<Timestamp> {
    statements(source)
        .filter_map(|stmt| {
            let body = stmt
                .strip_prefix("check if ")
                .or_else(|| stmt.strip_prefix("check all "))?;
            if body.contains(" or ") {
                return None;
            }
            let var = time_variable(body)?;
            [format!("{var} <= "), format!("{var} < ")]
                .iter()
                .filter_map(|op| deadline_after(body, op))
                .min()
        })
        .min()
}

/// `$t` in `time($t)`.
fn time_variable(body: &str) -> Option<&str> {
    let start = body.find("time($")? + "time(".len();
    let len = body.get(start..)?.find(')')?;
    let var = body.get(start..start + len)?;
    let name = var.strip_prefix('$')?;
    (!name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_')).then_some(var)
}

fn deadline_after(body: &str, op: &str) -> Option<Timestamp> {
    body.match_indices(op)
        .filter_map(|(at, _)| {
            let rest = body.get(at + op.len()..)?;
            let date: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '+' | '.'))
                .collect();
            Timestamp::parse(&date).ok()
        })
        .min()
}

#[cfg(test)]
mod tests;
