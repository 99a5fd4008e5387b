//! Browser tests of the mounted component (headless Chromium, wasm-bindgen-test): what a person
//! sees on first visit, the local key preview, and that the key never reaches the DOM.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests: a panic is a failure report

use foundry_keyring::ui::{Keyring, Options};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn fresh_root(namespace: &str) -> (web_sys::HtmlElement, Options) {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("document");
    let root: web_sys::HtmlElement = document
        .create_element("div")
        .expect("div")
        .unchecked_into();
    document
        .body()
        .expect("body")
        .append_child(&root)
        .expect("append");
    let storage = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .expect("storage");
    storage.clear().expect("clear storage");
    let options = Options {
        namespace: namespace.to_owned(),
        api_base: "http://127.0.0.1:9".to_owned(),
        ..Options::default()
    };
    (root, options)
}

fn by_label(root: &web_sys::HtmlElement, label: &str) -> web_sys::HtmlInputElement {
    let labels = root.query_selector_all("label").expect("labels");
    for i in 0..labels.length() {
        let el: web_sys::HtmlLabelElement = labels.item(i).expect("label").unchecked_into();
        if el.text_content().unwrap_or_default().trim() == label {
            let id = el.html_for();
            return root
                .query_selector(&format!("#{id}"))
                .ok()
                .flatten()
                .expect("labelled control")
                .unchecked_into();
        }
    }
    panic!("no control labelled {label:?}");
}

fn type_into(input: &web_sys::HtmlInputElement, text: &str) {
    input.set_value(text);
    let event = web_sys::Event::new("input").expect("event");
    input.dispatch_event(&event).expect("dispatch");
}

#[wasm_bindgen_test]
async fn first_visit_shows_the_name_and_a_labelled_key_field_that_is_no_password_field() {
    let (root, options) = fresh_root("first-visit");
    let handle = leptos::mount::mount_to(
        root.clone(),
        move || view! { <Keyring options=options parts=foundry_keyring::ui::app::FULL /> },
    );
    leptos::task::tick().await;
    let heading = root
        .query_selector("h1")
        .ok()
        .flatten()
        .and_then(|h| h.text_content());
    assert_eq!(heading.as_deref(), Some("Foundry Keyring"));
    // A password field would be offered to the browser's password manager on submit; the
    // field is masked by the stylesheet instead (tests/e2e/specs/security.spec.mjs).
    let field = by_label(&root, "Paste your key");
    assert_eq!(field.type_(), "text");
    for ignored_by in ["data-1p-ignore", "data-lpignore", "data-bwignore"] {
        assert!(field.has_attribute(ignored_by), "{ignored_by}");
    }
    assert!(
        root.text_content()
            .unwrap_or_default()
            .contains("Create one in the Foundry portal")
    );
    drop(handle);
    assert!(
        root.query_selector("h1").ok().flatten().is_none(),
        "unmount removes the view"
    );
}

#[wasm_bindgen_test]
async fn a_pasted_non_key_gets_a_clear_message_and_is_not_echoed() {
    let (root, options) = fresh_root("preview");
    let _handle = leptos::mount::mount_to(
        root.clone(),
        move || view! { <Keyring options=options parts=foundry_keyring::ui::app::FULL /> },
    );
    leptos::task::tick().await;
    let secret = "sk-live-not-a-foundry-key-0123456789";
    type_into(&by_label(&root, "Paste your key"), secret);
    leptos::task::tick().await;
    let text = root.text_content().unwrap_or_default();
    assert!(
        text.contains("This key cannot be read"),
        "preview error shown: {text}"
    );
    assert!(
        text.contains("abs0_"),
        "the message says what a Foundry key looks like"
    );
    assert!(
        !root.inner_html().contains(secret),
        "the pasted text never reaches the DOM"
    );
}

#[wasm_bindgen_test]
async fn show_key_announces_its_state_and_the_field_stays_text() {
    let (root, options) = fresh_root("toggle");
    let _handle = leptos::mount::mount_to(
        root.clone(),
        move || view! { <Keyring options=options parts=foundry_keyring::ui::app::FULL /> },
    );
    leptos::task::tick().await;
    let button: web_sys::HtmlElement = root
        .query_selector("button[aria-pressed]")
        .ok()
        .flatten()
        .expect("show/hide button")
        .unchecked_into();
    assert_eq!(
        button.get_attribute("aria-pressed").as_deref(),
        Some("false")
    );
    // The stylesheet masks the field while the button is not pressed (its `aria-pressed`).
    button.click();
    leptos::task::tick().await;
    assert_eq!(by_label(&root, "Paste your key").type_(), "text");
    assert_eq!(
        button.get_attribute("aria-pressed").as_deref(),
        Some("true")
    );
}

/// Keys with no recorded base (legacy entries) are bound to this; it must never fail to parse.
#[wasm_bindgen_test]
fn the_build_default_base_parses() {
    let base = foundry_keyring::ui::options::build_default_base();
    assert_eq!(
        base.as_str(),
        foundry_keyring::ui::options::build_default_api_base().trim_end_matches('/')
    );
}

/// The app's side of the first screen's handover refuses what the first screen never sends: an
/// open or created keyring without its agent (nothing would hold its keys), a worker with a shut keyring,
/// bytes of another build or unreadable ones; and a refusal leaves the app free to take the real
/// handover.
#[wasm_bindgen_test]
fn the_app_refuses_a_handover_that_does_not_match_its_agent() {
    use foundry_keyring::ui::handover::{Handed, Handover, OpenKeyring, Panel, encode, take_over};
    let open = encode(&Handover {
        keyring: Handed::Open(OpenKeyring {
            entries: vec![],
            passkeys: vec![],
            active: None,
            saved: true,
            notice: None,
        }),
    });
    let shut = encode(&Handover {
        keyring: Handed::Shut {
            open: Panel::Import,
        },
    });
    let refusal = |result: Result<(), wasm_bindgen::JsValue>| {
        result.expect_err("refused").as_string().expect("a message")
    };
    assert!(refusal(take_over(None, &open)).contains("does not match its agent"));
    // A keyring created in an agent, handed over without that agent.
    let created = encode(&Handover {
        keyring: Handed::Created(foundry_keyring::ui::add_key::FirstKey {
            entry: foundry_keyring::vault::agent::protocol::NewEntrySpec {
                label: "first".into(),
                kind: foundry_keyring::vault::EntryKind::DataAccess,
                api_base: foundry_keyring::api::base::ApiBase::parse("https://api.example")
                    .expect("a base"),
                keep: true,
            },
            named: true,
        }),
    });
    assert!(refusal(take_over(None, &created)).contains("does not match its agent"));
    let worker = web_sys::Worker::new("data:text/javascript,").expect("a worker");
    assert!(refusal(take_over(Some(worker.clone()), &shut)).contains("does not match its agent"));
    worker.terminate();
    // Not "already running": neither refusal counted as the one handover.
    assert!(refusal(take_over(None, &[])).contains("another build"));
    assert!(refusal(take_over(None, br#"{"keyring":"shut"}"#)).contains("another build"));
    // The same handover from another build (a browser that kept the older first screen).
    let mut older = open.clone();
    older[0] ^= 1;
    assert!(refusal(take_over(None, &older)).contains("another build"));
    let build = foundry_keyring::vault::agent::protocol::BUILD.as_bytes();
    assert!(refusal(take_over(None, &[build, &[0xff][..]].concat())).contains("unreadable"));
}
