//! A panic in WASM kills the whole instance. Instead of a blank or frozen page, the hook puts
//! a plain error panel (built with the DOM API, since Leptos is gone) over the component,
//! saying that nothing stored was lost and offering a reload. The panic message is not shown:
//! it could quote data, and the user cannot act on it.

use std::cell::RefCell;
use std::sync::OnceLock;
use wasm_bindgen::JsCast;

static INSTALLED: OnceLock<()> = OnceLock::new();

thread_local! {
    /// Where embedded instances are mounted. An instance inside a shadow root is out of
    /// `querySelectorAll`'s reach, and the fallback (the whole `<body>`) would wipe the host's
    /// page: the panel goes into these elements instead.
    static ROOTS: RefCell<Vec<web_sys::Element>> = const { RefCell::new(Vec::new()) };
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

/// Installs the hook once per page (several embedded instances share it).
pub fn install() {
    INSTALLED.get_or_init(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            show_crash_panel();
            previous(info);
        }));
    });
}

fn show_crash_panel() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let mounted = ROOTS.with(|roots| roots.try_borrow().map(|r| r.clone()).unwrap_or_default());
    let roots = document.query_selector_all("[data-foundry-keyring-root]").ok();
    let targets: Vec<web_sys::Element> = match roots {
        _ if !mounted.is_empty() => mounted,
        Some(list) if list.length() > 0 => {
            (0..list.length()).filter_map(|i| list.item(i)).filter_map(|n| n.dyn_into().ok()).collect()
        }
        _ => document.body().map(|b| vec![b.unchecked_into()]).unwrap_or_default(),
    };
    for target in targets {
        let _ = render_panel(&document, &target);
    }
}

fn render_panel(document: &web_sys::Document, target: &web_sys::Element) -> Result<(), wasm_bindgen::JsValue> {
    let panel = document.create_element("div")?;
    panel.set_class_name("fk fk-alert fk-error");
    panel.set_attribute("role", "alert")?;
    let title = document.create_element("p")?;
    title.set_class_name("fk-alert-title");
    title.set_text_content(Some("Foundry Keyring stopped because of an internal error."));
    let body = document.create_element("p")?;
    body.set_text_content(Some(
        "Your stored keys are safe: nothing was changed, and the keyring is locked. Reload the page to continue.",
    ));
    let reload = document.create_element("a")?;
    reload.set_attribute("href", "")?;
    reload.set_class_name("fk-button");
    reload.set_text_content(Some("Reload"));
    panel.append_child(&title)?;
    panel.append_child(&body)?;
    panel.append_child(&reload)?;
    target.set_inner_html("");
    target.append_child(&panel)?;
    Ok(())
}
