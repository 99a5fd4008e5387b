//! Where salts, nonces, data keys and entry nonces come from.
//!
//! Production always uses the operating system / `crypto.getRandomValues` through getrandom.
//! Test builds add a seeded stream so the published test vectors can be regenerated exactly;
//! that variant does not exist outside `cfg(test)`.

use super::error::VaultError;

pub(crate) enum Rng {
    Os,
    #[cfg(test)]
    Seeded(SeededRng),
}

impl Rng {
    pub(crate) fn fill(&mut self, buf: &mut [u8]) -> Result<(), VaultError> {
        match self {
            Self::Os => getrandom::fill(buf).map_err(|_| VaultError::Random),
            #[cfg(test)]
            Self::Seeded(seeded) => {
                seeded.fill(buf);
                Ok(())
            }
        }
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], VaultError> {
        let mut out = [0u8; N];
        self.fill(&mut out)?;
        Ok(out)
    }
}

/// Deterministic bytes: SHA-256(seed || counter) blocks. Test vectors only.
#[cfg(test)]
pub(crate) struct SeededRng {
    seed: Vec<u8>,
    counter: u64,
}

#[cfg(test)]
impl SeededRng {
    pub(crate) fn new(seed: &[u8]) -> Self {
        Self {
            seed: seed.to_vec(),
            counter: 0,
        }
    }

    fn fill(&mut self, buf: &mut [u8]) {
        use sha2::Digest;
        for chunk in buf.chunks_mut(32) {
            let mut hasher = sha2::Sha256::new();
            hasher.update(&self.seed);
            hasher.update(self.counter.to_be_bytes());
            self.counter += 1;
            let block = hasher.finalize();
            chunk.copy_from_slice(&block[..chunk.len()]);
        }
    }
}
