//! The standalone page: mounts the keyring into `<body>`.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(foundry_keyring::ui::App);
}
