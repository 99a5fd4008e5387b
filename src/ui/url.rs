//! The standalone page's URL: reading and replacing query parameters without a reload.

/// All query pairs of the current URL.
pub fn query_pairs() -> Vec<(String, String)> {
    let Some(search) = web_sys::window().and_then(|w| w.location().search().ok()) else {
        return Vec::new();
    };
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else {
        return Vec::new();
    };
    let mut pairs = Vec::new();
    let entries = js_sys::try_iter(&params.entries()).ok().flatten();
    for entry in entries.into_iter().flatten().flatten() {
        let pair = js_sys::Array::from(&entry);
        if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
            pairs.push((k, v));
        }
    }
    pairs
}

/// Replaces the given keys (removing those with `None`), keeping every other parameter.
pub fn replace_params(updates: &[(&str, Option<String>)]) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let href = window.location().href().unwrap_or_default();
    let Ok(url) = web_sys::Url::new(&href) else {
        return;
    };
    let params = url.search_params();
    for (key, value) in updates {
        match value {
            Some(value) => params.set(key, value),
            None => params.delete(key),
        }
    }
    // An unchanged address is not written again (browsers also limit how often a page may).
    let next = url.href();
    if next == href {
        return;
    }
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&next));
    }
}

pub fn set_param(key: &str, value: Option<&str>) {
    replace_params(&[(key, value.map(str::to_owned))]);
}
