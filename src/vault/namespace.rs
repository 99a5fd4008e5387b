//! The storage namespace: lets several keyrings (apps, embeddings, test runs) share one origin.

use super::error::VaultError;
use std::fmt;

/// Longest namespace, in bytes; it is stored in the envelope with a one-byte length.
pub const MAX_NAMESPACE_LEN: usize = 64;

/// A validated namespace: 1 to 64 characters from `[A-Za-z0-9._-]`.
///
/// The alphabet excludes `/`, so `foundry-keyring/<namespace>/keyring` is unambiguous.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Namespace(String);

impl Namespace {
    pub fn new(name: &str) -> Result<Self, VaultError> {
        let valid = !name.is_empty()
            && name.len() <= MAX_NAMESPACE_LEN
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if valid {
            Ok(Self(name.to_owned()))
        } else {
            Err(VaultError::InvalidNamespace(
                name.chars().take(80).collect(),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The storage key the whole keyring lives under.
    pub fn storage_key(&self) -> String {
        format!("foundry-keyring/{}/keyring", self.0)
    }
}

impl fmt::Display for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn accepts_simple_names_and_builds_the_storage_key() {
        let ns = Namespace::new("team-a.prod_1").map(|n| n.storage_key());
        assert_eq!(ns, Ok("foundry-keyring/team-a.prod_1/keyring".to_owned()));
    }

    #[test]
    fn refuses_empty_long_and_odd_names() {
        for bad in ["", "a/b", "with space", "é", "x\0", &"a".repeat(65)] {
            assert!(Namespace::new(bad).is_err(), "accepted {bad:?}");
        }
        assert!(Namespace::new(&"a".repeat(64)).is_ok());
    }
}
