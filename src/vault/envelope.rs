//! The envelope: the exact byte layout of a stored keyring (see SPEC.md), encode and decode.
//! Version 1 has the passphrase's copy of the data key only; version 2 adds the passkeys'
//! copies. A keyring is written as version 2 only while it has a passkey, so a keyring without
//! one stays readable by builds that predate passkeys.
//!
//! Decoding checks structure and policy only (magic, version, KDF, iteration bounds,
//! namespace, lengths); authenticity is checked by the layers in `keyring.rs`. Every read is
//! bounds-checked through [`Reader`], so no input can make it panic.

use super::agent::kdf::{KDF_PBKDF2_HMAC_SHA256, KdfParams, KdfPolicy, SALT_LEN};
use super::cipher::{NONCE_LEN, TAG_LEN};
use super::error::VaultError;
use super::namespace::Namespace;
use super::passkey::{CredentialId, MAX_PASSKEYS, PRF_SALT_LEN, PasskeyRecord};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

pub const MAGIC: [u8; 4] = *b"FKRG";
/// The version of a keyring without passkeys, and the version byte every layer but the
/// passkeys' copies binds in its associated data, whatever the stored version.
pub const VERSION: u8 = 1;
/// The version of a keyring with at least one passkey.
pub const VERSION_PASSKEYS: u8 = 2;
/// A 32-byte data key plus its GCM tag.
pub const WRAPPED_KEY_LEN: usize = 32 + TAG_LEN;

/// A decoded (not yet decrypted) envelope.
#[derive(Clone, Debug)]
pub(crate) struct Envelope {
    pub kdf: KdfParams,
    pub namespace: Namespace,
    pub wrap_nonce: [u8; NONCE_LEN],
    pub wrapped_key: [u8; WRAPPED_KEY_LEN],
    /// The passkeys' copies of the data key (version 2); empty: version 1.
    pub passkeys: Vec<PasskeyRecord>,
    pub revision: u64,
    pub index_nonce: [u8; NONCE_LEN],
    pub index_ciphertext: Vec<u8>,
}

/// Associated data of the wrap layer: every stored byte before the wrap nonce (magic, version,
/// KDF id, iterations, salt, namespace) as version 1 writes them. In version 2 too: adding
/// the first passkey (or removing the last) changes the stored version byte, and must not need
/// the passphrase to wrap the data key again. The index layer authenticates the stored byte.
pub(crate) fn wrap_aad(kdf: &KdfParams, namespace: &Namespace) -> Vec<u8> {
    header(VERSION, kdf, namespace)
}

/// Magic, `version`, KDF id, iterations, salt, namespace length and namespace.
fn header(version: u8, kdf: &KdfParams, namespace: &Namespace) -> Vec<u8> {
    let ns = namespace.as_str().as_bytes();
    let mut out = Vec::with_capacity(27 + ns.len());
    out.extend_from_slice(&MAGIC);
    out.push(version);
    out.push(KDF_PBKDF2_HMAC_SHA256);
    out.extend_from_slice(&kdf.iterations().to_be_bytes());
    out.extend_from_slice(kdf.salt());
    // Namespace validation caps the length at 64, so it always fits one byte.
    out.push(ns.len() as u8);
    out.extend_from_slice(ns);
    out
}

/// Associated data of one entry's key: binds it to the namespace and to its entry id, so
/// sealed keys cannot be swapped between entries or keyrings.
pub(crate) fn entry_aad(namespace: &Namespace, id: u64) -> Vec<u8> {
    let mut out = bound_to(VERSION, b"entry", namespace);
    out.extend_from_slice(&id.to_be_bytes());
    out
}

/// The start of a layer's associated data that binds it to what it is and to its keyring:
/// `FKRG` ‖ `version` ‖ `what` ‖ namespace length ‖ namespace.
pub(crate) fn bound_to(version: u8, what: &[u8], namespace: &Namespace) -> Vec<u8> {
    let ns = namespace.as_str().as_bytes();
    let mut out = Vec::with_capacity(6 + what.len() + ns.len() + 8);
    out.extend_from_slice(&MAGIC);
    out.push(version);
    out.extend_from_slice(what);
    // Namespace validation caps the length at 64, so it always fits one byte.
    out.push(ns.len() as u8);
    out.extend_from_slice(ns);
    out
}

impl Envelope {
    /// 2 while the keyring has a passkey, else 1.
    pub fn version(&self) -> u8 {
        if self.passkeys.is_empty() {
            VERSION
        } else {
            VERSION_PASSKEYS
        }
    }

    /// Associated data of the index layer: every stored byte before the index nonce, which
    /// covers the wrap layer, the passkeys' copies and the revision as well as the header.
    pub fn index_aad(&self) -> Vec<u8> {
        let mut out = header(self.version(), &self.kdf, &self.namespace);
        out.extend_from_slice(&self.wrap_nonce);
        out.extend_from_slice(&self.wrapped_key);
        if !self.passkeys.is_empty() {
            // MAX_PASSKEYS (16) bounds the count; the keyring refuses a 17th.
            out.push(self.passkeys.len() as u8);
            for record in &self.passkeys {
                record.encode_into(&mut out);
            }
        }
        out.extend_from_slice(&self.revision.to_be_bytes());
        out
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.index_aad();
        out.extend_from_slice(&self.index_nonce);
        out.extend_from_slice(&self.index_ciphertext);
        out
    }

    pub fn encode_text(&self) -> String {
        STANDARD.encode(self.encode())
    }

    pub fn decode_text(
        text: &str,
        expected: &Namespace,
        policy: KdfPolicy,
    ) -> Result<Self, VaultError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| VaultError::NotBase64)?;
        Self::decode(&bytes, expected, policy)
    }

    pub fn decode(
        bytes: &[u8],
        expected: &Namespace,
        policy: KdfPolicy,
    ) -> Result<Self, VaultError> {
        let mut r = Reader { bytes, at: 0 };
        if bytes.len() < MAGIC.len() && !MAGIC.starts_with(bytes) {
            return Err(VaultError::NotAKeyring);
        }
        if r.array::<4>()? != MAGIC {
            return Err(VaultError::NotAKeyring);
        }
        let version = r.byte()?;
        if version != VERSION && version != VERSION_PASSKEYS {
            return Err(VaultError::UnsupportedVersion(version));
        }
        let kdf_id = r.byte()?;
        if kdf_id != KDF_PBKDF2_HMAC_SHA256 {
            return Err(VaultError::UnknownKdf(kdf_id));
        }
        let iterations = u32::from_be_bytes(r.array()?);
        // Enforced on read: a blob edited down to 1 iteration is refused before any derivation.
        policy.check(iterations)?;
        let salt = r.array::<SALT_LEN>()?;
        let ns_len = usize::from(r.byte()?);
        let ns_bytes = r.take(ns_len)?;
        let namespace = match std::str::from_utf8(ns_bytes).ok().map(Namespace::new) {
            Some(Ok(ns)) if ns == *expected => ns,
            _ => {
                return Err(VaultError::NamespaceMismatch {
                    expected: expected.as_str().to_owned(),
                    found: String::from_utf8_lossy(ns_bytes).into_owned(),
                });
            }
        };
        let wrap_nonce = r.array()?;
        let wrapped_key = r.array()?;
        let passkeys = if version == VERSION_PASSKEYS {
            read_passkeys(&mut r)?
        } else {
            Vec::new()
        };
        let revision = u64::from_be_bytes(r.array()?);
        let index_nonce = r.array()?;
        let index_ciphertext = r.rest();
        if index_ciphertext.len() < TAG_LEN {
            return Err(VaultError::Truncated {
                needed: r.at + TAG_LEN,
                actual: bytes.len(),
            });
        }
        Ok(Self {
            kdf: KdfParams::from_parts(salt, iterations),
            namespace,
            wrap_nonce,
            wrapped_key,
            passkeys,
            revision,
            index_nonce,
            index_ciphertext: index_ciphertext.to_vec(),
        })
    }
}

/// The passkeys' copies: a count (1 ..= 16), then each record.
fn read_passkeys(r: &mut Reader<'_>) -> Result<Vec<PasskeyRecord>, VaultError> {
    let count = usize::from(r.byte()?);
    // A writer never stores 0 or more than 16: this blob was not written by the app.
    if count == 0 || count > MAX_PASSKEYS {
        return Err(VaultError::Malformed);
    }
    let mut records: Vec<PasskeyRecord> = Vec::with_capacity(count);
    for _ in 0..count {
        let id_len = usize::from(u16::from_be_bytes(r.array()?));
        let credential_id = CredentialId::new(r.take(id_len)?.to_vec())?;
        if records.iter().any(|p| p.credential_id == credential_id) {
            return Err(VaultError::Malformed);
        }
        records.push(PasskeyRecord {
            credential_id,
            prf_salt: r.array::<PRF_SALT_LEN>()?,
            public: r.array()?,
            ephemeral: r.array()?,
            nonce: r.array()?,
            wrapped_key: r.array()?,
        });
    }
    Ok(records)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], VaultError> {
        let end = self.at.saturating_add(n);
        let slice = self.bytes.get(self.at..end).ok_or(VaultError::Truncated {
            needed: end,
            actual: self.bytes.len(),
        })?;
        self.at = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], VaultError> {
        let slice = self.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(slice);
        Ok(out)
    }

    fn byte(&mut self) -> Result<u8, VaultError> {
        Ok(self.array::<1>()?[0])
    }

    fn rest(&mut self) -> &'a [u8] {
        let rest = self.bytes.get(self.at..).unwrap_or_default();
        self.at = self.bytes.len();
        rest
    }
}
