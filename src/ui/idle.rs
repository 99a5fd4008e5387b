//! Work that can wait until the browser is idle (starting the key agent, fetching the app).

use wasm_bindgen::JsCast;

/// Runs `f` once the browser is idle (`requestIdleCallback`), or after 200 ms where there is no
/// such thing (Safari).
pub fn when_idle(f: impl FnOnce() + 'static) {
    let run = wasm_bindgen::closure::Closure::once_into_js(f);
    let Some(window) = web_sys::window() else {
        return;
    };
    let idle = js_sys::Reflect::get(&window, &"requestIdleCallback".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    match idle {
        Some(idle) => {
            let _ = idle.call1(&window, &run);
        }
        None => {
            let _ = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(run.unchecked_ref(), 200);
        }
    }
}
