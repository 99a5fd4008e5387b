//! Wrappers for secret material: the pasted API key, the passphrase, derived and data keys.
//!
//! They zeroize on drop and implement neither `Debug` nor `Display`, so a secret cannot reach a
//! log line, a panic message or the DOM by accident. Reading one is an explicit `expose_*` call,
//! which is easy to grep for in review. Zeroizing in WASM is best-effort: any copy that crosses
//! into JavaScript as a string cannot be wiped (see the README's SECURITY section).

use zeroize::{Zeroize, ZeroizeOnDrop};

/// A secret UTF-8 string (an API key or a passphrase).
#[derive(Clone, Default, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// The secret itself. Every caller is a place where the secret is used on purpose.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        Self(value)
    }
}

/// Secrets arrive in API responses (a newly attenuated token); they never serialize back out
/// except through an explicit `expose_secret`.
impl<'de> serde::Deserialize<'de> for SecretString {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <String as serde::Deserialize>::deserialize(d).map(Self)
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// A fixed-size secret key (derived key, data key).
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct SecretKey<const N: usize>(Box<[u8; N]>);

impl<const N: usize> SecretKey<N> {
    /// From bytes passed by value (fresh random bytes, a test's constant). The array is `Copy`:
    /// this wipes its own copy only, so a key computed into a variable uses [`Self::fill`].
    pub fn from_array(mut bytes: [u8; N]) -> Self {
        let key = Self(Box::new(bytes));
        bytes.zeroize();
        key
    }

    /// A key written in place by `write` (a KDF's output): it is never in a stack array that
    /// outlives it.
    pub fn fill(write: impl FnOnce(&mut [u8; N])) -> Self {
        let mut key = Self(Box::new([0u8; N]));
        write(&mut key.0);
        key
    }

    /// Copies from a slice of exactly `N` bytes; `None` for any other length.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != N {
            return None;
        }
        let mut key = Box::new([0u8; N]);
        key.copy_from_slice(bytes);
        Some(Self(key))
    }

    pub fn expose_secret(&self) -> &[u8; N] {
        &self.0
    }
}

/// A secret byte buffer of any length (a decrypted payload).
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq, Default)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    pub fn expose_secret(&self) -> &[u8] {
        &self.0
    }

    /// Copies a buffer that came from JavaScript (a transferred message part) and zeroes the
    /// JavaScript one, so only this wiping copy is left.
    #[cfg(feature = "web")]
    pub fn take_from_js(bytes: &js_sys::Uint8Array) -> Self {
        let copy = bytes.to_vec();
        bytes.fill(0, 0, bytes.length());
        Self(copy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_key_from_slice_checks_length() {
        assert!(SecretKey::<32>::from_slice(&[1u8; 31]).is_none());
        assert!(SecretKey::<32>::from_slice(&[1u8; 33]).is_none());
        let key = SecretKey::<32>::from_slice(&[7u8; 32]);
        assert_eq!(key.map(|k| k.expose_secret()[5]), Some(7));
    }

    #[test]
    fn secret_string_exposes_only_on_request() {
        let s = SecretString::from("abs0_secret");
        assert_eq!(s.expose_secret(), "abs0_secret");
        assert_eq!(s.len(), 11);
    }
}
