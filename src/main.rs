//! The standalone page's first screen on a first visit: the paste form, and no unlock form nor
//! unlocked view (`ui::handover`). The page's boot script loads it when no keyring is stored,
//! and `src/bin/unlock.rs` when one is.

fn main() {
    foundry_keyring::ui::mount_standalone(foundry_keyring::ui::handover::FIRST_RUN_SCREEN);
}
