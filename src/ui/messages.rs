//! What each vault error means for the person at the keyboard, and what they can do next.

use crate::vault::{StorageError, VaultError};

/// A short title and the way forward.
pub fn vault_message(error: &VaultError) -> (&'static str, String) {
    match error {
        VaultError::WrongPassphrase => (
            "Wrong passphrase",
            "Check the passphrase (and Caps Lock) and try again. If you are sure it is right, the stored keyring may have been altered: the encryption cannot tell the two apart. If the passphrase is lost, or the keyring was changed, forget the stored keys and add your keys again.".into(),
        ),
        VaultError::KdfDowngrade { iterations, minimum } => (
            "The stored keyring was weakened",
            format!(
                "It asks for {iterations} key-derivation rounds, fewer than the safe minimum of {minimum}. It may have been tampered with, so it was not opened. Forget it and add your keys again."
            ),
        ),
        VaultError::KdfTooExpensive { iterations, .. } => (
            "The stored keyring is not usable",
            format!("It asks for {iterations} key-derivation rounds, far more than this app ever writes. It was not opened. Forget it and add your keys again."),
        ),
        VaultError::Tampered => (
            "The stored keyring was changed outside this app",
            "Some of its data does not match its authentication tag, so it was not used. Forget it and add your keys again.".into(),
        ),
        VaultError::NotBase64 | VaultError::NotAKeyring | VaultError::Truncated { .. } | VaultError::Malformed => (
            "The stored keyring is damaged",
            "It cannot be read, so it was left untouched. Forget it and add your keys again.".into(),
        ),
        VaultError::UnsupportedVersion(version) => (
            "The stored keyring is from a newer version",
            format!("It uses format version {version}, which this version of Foundry Keyring cannot read. Use the newer app, or forget it and add your keys again."),
        ),
        VaultError::UnknownKdf(_) => (
            "The stored keyring uses an unknown key derivation",
            "It was not opened. Forget it and add your keys again.".into(),
        ),
        VaultError::NamespaceMismatch { .. } => (
            "This keyring belongs to another instance",
            "It was copied here from another keyring's storage and was not used. Forget it and add your keys again.".into(),
        ),
        VaultError::InvalidNamespace(_) => (
            "This keyring is misconfigured",
            "Its storage namespace may use only letters, digits, '-' and '_'. Ask the site that embeds it.".into(),
        ),
        VaultError::EntryNotFound(_) => ("That key is no longer in the keyring", "Pick another key from the list.".into()),
        VaultError::InvalidLabel => ("Give the key a label", "Use 1 to 100 characters.".into()),
        VaultError::EmptyKey => ("Paste a key first", "The key field is empty.".into()),
        VaultError::Conflict => (
            "The keyring was changed in another tab",
            "Nothing was overwritten. Unlock again to see the changes, then repeat what you were doing.".into(),
        ),
        VaultError::Locked => (
            "The keyring is locked",
            "It was locked before this could finish (idle time, or a change in another tab). Unlock it and try again.".into(),
        ),
        VaultError::NothingStored => (
            "No keyring is stored here any more",
            "It may have been forgotten in another tab. Reload the page, then add your keys again.".into(),
        ),
        VaultError::Closed => ("The keyring was closed", "Open it again to continue.".into()),
        VaultError::AgentUnavailable => (
            "The keyring could not be opened here",
            "The part of the app that holds your keys, a Web Worker, could not run: this page may \
             not allow it (its security policy must allow workers from the app's own address), or \
             it stopped. Reload the page and try again; your stored keys are unchanged."
                .into(),
        ),
        VaultError::PasskeyNotForKeyring => (
            "This passkey does not unlock this keyring",
            "It may belong to another keyring, or have been removed from this one. Use another of this keyring's passkeys, or your passphrase.".into(),
        ),
        VaultError::PasskeyExists => (
            "This passkey already unlocks this keyring",
            "Nothing was added. To add another, use another authenticator.".into(),
        ),
        VaultError::PasskeyNotFound => (
            "That passkey is no longer in the keyring",
            "It may have been removed in another tab. The list shows the passkeys that remain.".into(),
        ),
        VaultError::TooManyPasskeys { maximum } => (
            "This keyring has as many passkeys as it can hold",
            format!("A keyring holds at most {maximum}. Remove one you no longer use first."),
        ),
        VaultError::PasskeyOutput => (
            "The passkey did not give what the keyring needs",
            "The browser returned no PRF secret for it. Use your passphrase; the keyring is unchanged.".into(),
        ),
        VaultError::Random => (
            "This browser could not produce random numbers",
            "Encryption needs them. Try another browser.".into(),
        ),
        VaultError::Storage(problem) => storage_message(problem),
        // Only a rebinding meets it, and says more (ui/base_notice.rs): kept short here, in
        // every module's copy of this function.
        VaultError::NotAllowed { .. } => ("API address not allowed", "This page may not reach that address. Nothing was changed.".into()),
    }
}

fn storage_message(problem: &StorageError) -> (&'static str, String) {
    match problem {
        StorageError::QuotaExceeded => (
            "This browser's storage is full",
            "Nothing was changed. Free some space for this site, or use \"This session only\".".into(),
        ),
        StorageError::Unavailable(_) => (
            "This browser does not allow storage here",
            "It may be disabled (private mode, or site data blocked). Use \"This session only\", or allow site data for this page.".into(),
        ),
        StorageError::Io(_) => (
            "Storage failed",
            "Nothing was changed. Try again; if it keeps failing, use \"This session only\".".into(),
        ),
    }
}
