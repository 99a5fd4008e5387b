//! A panic in WASM kills the whole instance. Instead of a blank or frozen page, the hook puts
//! a plain error panel (built with the DOM API, since Leptos is gone) over the component. The
//! panic message is not shown: it could quote data, and the user cannot act on it.
//!
//! A panic does not stop the module: with `panic = "abort"` it ends in a trap, and every
//! export can still be called afterwards, on state the panic left half-updated (a `RefCell`
//! borrow that was never released, a signal half-set). So the hook also marks the page as
//! crashed, which every embedding export checks first and refuses, and drops the plain keys
//! it can reach. The panel says only what is then true.

use crate::ui::state::KeyringState;
use leptos::prelude::IsDisposed;
use std::cell::RefCell;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use wasm_bindgen::JsCast;

static INSTALLED: OnceLock<()> = OnceLock::new();
static CRASHED: AtomicBool = AtomicBool::new(false);

/// What the panel says once the keys in memory are gone (or could not all be reached).
pub const DROPPED_TEXT: &str = "It has stopped answering this page and has dropped the key it held in memory. \
     Your stored keyring is unchanged by this and stays encrypted. Reload the page to unlock it again.";
pub const NOT_DROPPED_TEXT: &str = "It has stopped answering this page, but the key it held may still be in this \
     page's memory: reload the page to clear it. Your stored keyring stays encrypted.";

thread_local! {
    /// Where embedded instances are mounted. An instance inside a shadow root is out of
    /// `querySelectorAll`'s reach, and the fallback (the whole `<body>`) would wipe the host's
    /// page: the panel goes into these elements instead.
    static ROOTS: RefCell<Vec<web_sys::Element>> = const { RefCell::new(Vec::new()) };
    /// Every keyring state on the page, so the hook can drop their keys.
    static STATES: RefCell<Vec<KeyringState>> = const { RefCell::new(Vec::new()) };
}

/// True once a panic happened on this page: nothing in the module can be trusted any more.
pub fn crashed() -> bool {
    CRASHED.load(Ordering::SeqCst)
}

/// Records an embedded instance's mount element (see `ROOTS`).
pub fn register_root(element: &web_sys::Element) {
    ROOTS.with(|roots| {
        if let Ok(mut roots) = roots.try_borrow_mut() {
            roots.push(element.clone());
        }
    });
}

pub fn unregister_root(element: &web_sys::Element) {
    ROOTS.with(|roots| {
        if let Ok(mut roots) = roots.try_borrow_mut() {
            roots.retain(|root| root != element);
        }
    });
}

/// Records a keyring state whose secrets the hook must drop. States of unmounted instances
/// are disposed (their secrets already dropped) and are pruned here.
pub fn register_state(state: KeyringState) {
    STATES.with(|states| {
        if let Ok(mut states) = states.try_borrow_mut() {
            states.retain(|s| !s.phase.is_disposed());
            states.push(state);
        }
    });
}

/// Installs the hook once per page (several embedded instances share it).
pub fn install() {
    INSTALLED.get_or_init(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // First, so that an export called from here on (even from a host listener that
            // the steps below might trigger) refuses.
            CRASHED.store(true, Ordering::SeqCst);
            let panels = show_crash_panel();
            // Last of ours: dropping the keys touches the reactive arena, which the panic may
            // have left borrowed; a second panic here aborts at once, with the panel shown.
            if discard_secrets() {
                for body in panels {
                    body.set_text_content(Some(DROPPED_TEXT));
                }
            }
            previous(info);
        }));
    });
}

/// Drops the plain key and the open keyring of every registered state. True when none is left.
fn discard_secrets() -> bool {
    let states = STATES.with(|states| states.try_borrow().map(|s| s.clone()).ok());
    let Some(states) = states else { return false };
    // Every instance drops its key, even after one fails: no short-circuit.
    let mut all = true;
    for state in states.iter() {
        all &= state.discard_secrets_after_crash();
    }
    all
}

/// Shows the panel in every instance; returns the panels' body paragraphs.
fn show_crash_panel() -> Vec<web_sys::Element> {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return Vec::new();
    };
    let mounted = ROOTS.with(|roots| roots.try_borrow().map(|r| r.clone()).unwrap_or_default());
    let roots = document
        .query_selector_all("[data-foundry-keyring-root]")
        .ok();
    let targets: Vec<web_sys::Element> = match roots {
        _ if !mounted.is_empty() => mounted,
        Some(list) if list.length() > 0 => (0..list.length())
            .filter_map(|i| list.item(i))
            .filter_map(|n| n.dyn_into().ok())
            .collect(),
        _ => document
            .body()
            .map(|b| vec![b.unchecked_into()])
            .unwrap_or_default(),
    };
    targets
        .iter()
        .filter_map(|target| render_panel(&document, target).ok())
        .collect()
}

fn render_panel(
    document: &web_sys::Document,
    target: &web_sys::Element,
) -> Result<web_sys::Element, wasm_bindgen::JsValue> {
    let panel = document.create_element("div")?;
    panel.set_class_name("fk fk-alert fk-error");
    panel.set_attribute("role", "alert")?;
    let title = document.create_element("p")?;
    title.set_class_name("fk-alert-title");
    title.set_text_content(Some(
        "Foundry Keyring stopped because of an internal error.",
    ));
    let body = document.create_element("p")?;
    body.set_text_content(Some(NOT_DROPPED_TEXT));
    let reload = document.create_element("a")?;
    reload.set_attribute("href", "")?;
    reload.set_class_name("fk-button");
    reload.set_text_content(Some("Reload"));
    panel.append_child(&title)?;
    panel.append_child(&body)?;
    panel.append_child(&reload)?;
    target.set_inner_html("");
    target.append_child(&panel)?;
    Ok(body)
}
