//! The standalone page's first screen on a returning visit: the unlock form, and no paste form
//! nor unlocked view (`ui::handover`). The page's boot script loads it when a keyring is stored,
//! and `src/main.rs` when none is.

fn main() {
    foundry_keyring::ui::mount_standalone(foundry_keyring::ui::handover::UNLOCK_SCREEN);
}
