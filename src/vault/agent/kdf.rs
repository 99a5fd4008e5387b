//! Passphrase key derivation: PBKDF2-HMAC-SHA256 with a per-keyring salt and iteration count.
//!
//! Deriving is the one slow step (0.3-0.9 s at 600,000 iterations in a browser), so it is a pure
//! function of `(passphrase, KdfParams)` that the UI can run in a Web Worker; everything else
//! takes the derived key.

use crate::secret::{SecretKey, SecretString};
use crate::vault::error::VaultError;
use crate::vault::random::Rng;

/// Envelope id of PBKDF2-HMAC-SHA256 (the only KDF of envelope v1).
pub const KDF_PBKDF2_HMAC_SHA256: u8 = 1;
/// OWASP's current floor for PBKDF2-HMAC-SHA256; also the default.
pub const MIN_ITERATIONS: u32 = 600_000;
/// Default for new keyrings; a calibration may raise it, never lower it.
pub const DEFAULT_ITERATIONS: u32 = MIN_ITERATIONS;
/// Upper bound, so a crafted blob cannot make the page derive for minutes.
pub const MAX_ITERATIONS: u32 = 10_000_000;
/// Salt length in bytes (NIST SP 800-132 asks for at least 16).
pub const SALT_LEN: usize = 16;

/// The parameters stored in clear in an envelope: everything needed to derive its key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KdfParams {
    salt: [u8; SALT_LEN],
    iterations: u32,
}

impl KdfParams {
    /// Fresh parameters for a new keyring or a passphrase change, with a random salt.
    pub fn generate(iterations: u32) -> Result<Self, VaultError> {
        Self::generate_with(iterations, &mut Rng::Os, KdfPolicy::STANDARD)
    }

    pub(crate) fn generate_with(
        iterations: u32,
        rng: &mut Rng,
        policy: KdfPolicy,
    ) -> Result<Self, VaultError> {
        policy.check(iterations)?;
        let mut salt = [0u8; SALT_LEN];
        rng.fill(&mut salt)?;
        Ok(Self { salt, iterations })
    }

    /// Parameters received from elsewhere (the key-derivation worker gets them in a message),
    /// held to the same iteration bounds as a stored envelope.
    pub fn new(salt: [u8; SALT_LEN], iterations: u32) -> Result<Self, VaultError> {
        KdfPolicy::STANDARD.check(iterations)?;
        Ok(Self { salt, iterations })
    }

    pub(crate) fn from_parts(salt: [u8; SALT_LEN], iterations: u32) -> Self {
        Self { salt, iterations }
    }

    pub fn salt(&self) -> &[u8; SALT_LEN] {
        &self.salt
    }

    pub fn iterations(&self) -> u32 {
        self.iterations
    }
}

/// The iteration bounds in force. Production code only ever uses [`KdfPolicy::STANDARD`];
/// the low floor exists only in test builds so the suite does not spend minutes in PBKDF2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct KdfPolicy {
    min_iterations: u32,
}

impl KdfPolicy {
    pub(crate) const STANDARD: Self = Self {
        min_iterations: MIN_ITERATIONS,
    };

    #[cfg(test)]
    pub(crate) const TEST_ONLY_LOW: Self = Self { min_iterations: 1 };

    pub(crate) fn check(self, iterations: u32) -> Result<(), VaultError> {
        if iterations < self.min_iterations {
            return Err(VaultError::KdfDowngrade {
                iterations,
                minimum: self.min_iterations,
            });
        }
        if iterations > MAX_ITERATIONS {
            return Err(VaultError::KdfTooExpensive {
                iterations,
                maximum: MAX_ITERATIONS,
            });
        }
        Ok(())
    }
}

/// PBKDF2-HMAC-SHA256(passphrase as UTF-8, salt, iterations) -> 32-byte key.
///
/// The passphrase is used as typed, without Unicode normalisation: the same characters typed
/// on another keyboard layout or OS may give other bytes (see SPEC.md).
pub fn derive_key(passphrase: &SecretString, params: &KdfParams) -> SecretKey<32> {
    SecretKey::fill(|out| {
        pbkdf2::pbkdf2_hmac::<sha2::Sha256>(
            passphrase.expose_secret().as_bytes(),
            &params.salt,
            params.iterations,
            out,
        );
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn pbkdf2_hex(password: &str, salt: &[u8], rounds: u32, len: usize) -> String {
        let mut out = vec![0u8; len];
        pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password.as_bytes(), salt, rounds, &mut out);
        hex::encode(out)
    }

    // Published PBKDF2-HMAC-SHA256 vectors (RFC 7914 section 11 and the widely used
    // RFC 6070-style set for SHA-256), checked independently of the envelope code.
    #[test]
    fn pbkdf2_matches_published_vectors() {
        assert_eq!(
            pbkdf2_hex("password", b"salt", 1, 32),
            "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"
        );
        assert_eq!(
            pbkdf2_hex("password", b"salt", 4096, 32),
            "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"
        );
        assert_eq!(
            pbkdf2_hex("passwd", b"salt", 1, 64),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc\
             49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"
        );
    }

    #[test]
    fn derive_key_uses_salt_and_iterations() {
        let params = KdfParams::from_parts(*b"salt\0\0\0\0\0\0\0\0\0\0\0\0", 1);
        let other_salt = KdfParams::from_parts([1u8; SALT_LEN], 1);
        let more = KdfParams::from_parts(*b"salt\0\0\0\0\0\0\0\0\0\0\0\0", 2);
        let pass = SecretString::from("password");
        let key = derive_key(&pass, &params);
        assert!(key != derive_key(&pass, &other_salt));
        assert!(key != derive_key(&pass, &more));
    }

    #[test]
    fn policy_enforces_both_bounds() {
        let p = KdfPolicy::STANDARD;
        assert_eq!(
            p.check(599_999),
            Err(VaultError::KdfDowngrade {
                iterations: 599_999,
                minimum: 600_000
            })
        );
        assert!(p.check(600_000).is_ok());
        assert!(p.check(MAX_ITERATIONS).is_ok());
        assert!(matches!(
            p.check(MAX_ITERATIONS + 1),
            Err(VaultError::KdfTooExpensive { .. })
        ));
        assert!(KdfParams::generate(1000).is_err());
        let fresh = KdfParams::generate(700_000);
        assert_eq!(fresh.as_ref().map(KdfParams::iterations), Ok(700_000));
    }
}
