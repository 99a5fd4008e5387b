//! AES-256-GCM with a 12-byte nonce and associated data: the only cipher of envelope v1.
//!
//! Every caller passes its associated data explicitly, so a layer cannot be sealed "bare".

use crate::secret::{SecretBytes, SecretKey};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};

pub const NONCE_LEN: usize = 12;
pub const TAG_LEN: usize = 16;

/// The cipher failed: for sealing only an impossible length overflow, for opening an
/// authentication failure. The caller knows which layer it was and maps it to a `VaultError`.
#[derive(Debug)]
pub(crate) struct CipherError;

fn cipher(key: &SecretKey<32>) -> Aes256Gcm {
    Aes256Gcm::new(&Key::<Aes256Gcm>::from(*key.expose_secret()))
}

/// Returns ciphertext || 16-byte tag.
pub(crate) fn seal(
    key: &SecretKey<32>,
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, CipherError> {
    cipher(key)
        .encrypt(
            &Nonce::from(*nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| CipherError)
}

/// Opens ciphertext || tag; the plaintext goes straight into a zeroizing buffer.
pub(crate) fn open(
    key: &SecretKey<32>,
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    ciphertext: &[u8],
) -> Result<SecretBytes, CipherError> {
    cipher(key)
        .decrypt(
            &Nonce::from(*nonce),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .map(SecretBytes::new)
        .map_err(|_| CipherError)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_aad_binding() {
        let key = SecretKey::from_array([9u8; 32]);
        let nonce = [3u8; NONCE_LEN];
        let ct = seal(&key, &nonce, b"aad", b"hello").unwrap();
        assert_eq!(ct.len(), 5 + TAG_LEN);
        assert_eq!(
            open(&key, &nonce, b"aad", &ct).unwrap().expose_secret(),
            b"hello"
        );
        assert!(open(&key, &nonce, b"other", &ct).is_err());
        assert!(open(&key, &[4u8; NONCE_LEN], b"aad", &ct).is_err());
    }

    // NIST GCM test case 13 (AES-256, zero key, zero IV, empty plaintext): the tag alone.
    #[test]
    fn matches_nist_gcm_test_case_13() {
        let key = SecretKey::from_array([0u8; 32]);
        let ct = seal(&key, &[0u8; NONCE_LEN], b"", b"").unwrap();
        assert_eq!(hex::encode(ct), "530f8afbc74536b9a963b4f1c4cb738b");
    }
}
