//! Build script: names the source a build was made from, for the key agent's messages.
//!
//! The page, the full app and the key agent are separate modules that talk in postcard bytes
//! (`vault/agent/protocol.rs`), which carry positions, not names: a page and an agent from
//! different builds (a browser that kept an old file) could read each other's messages as
//! other messages. So every build gets `FOUNDRY_KEYRING_BUILD`, a digest of what it was built
//! from (`src/`, `Cargo.toml`, `Cargo.lock`); the agent says it when it is ready and the first
//! screen puts it before its handover, and a module that hears another build's refuses it.
//! The same sources always give the same digest (FNV-1a over sorted paths and contents).

use std::fs;
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let mut paths = vec![root.join("Cargo.toml"), root.join("Cargo.lock")];
    files(&root.join("src"), &mut paths);
    paths.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for path in &paths {
        let relative = path.strip_prefix(&root).unwrap_or(path);
        eat(relative.to_string_lossy().as_bytes());
        let contents = fs::read(path).unwrap_or_default();
        eat(&(contents.len() as u64).to_le_bytes());
        eat(&contents);
    }
    println!("cargo:rustc-env=FOUNDRY_KEYRING_BUILD={hash:016x}");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=Cargo.toml");
    println!("cargo:rerun-if-changed=Cargo.lock");
}
