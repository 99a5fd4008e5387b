//! The standalone page: reads its options from the URL and mounts the keyring into `<body>`.

fn main() {
    foundry_keyring::ui::mount_standalone();
}
