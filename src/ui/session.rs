//! Per-instance settings the views share: where API calls go, the theme, which panels show.

use crate::ui::options::{Options, Panels, Theme};
use crate::ui::url;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Session {
    pub api_base: RwSignal<String>,
    pub theme: RwSignal<Theme>,
    pub panels: Panels,
    pub standalone: bool,
}

impl Session {
    pub fn new(options: &Options) -> Self {
        Self {
            api_base: RwSignal::new(options.api_base.clone()),
            theme: RwSignal::new(options.theme),
            panels: options.panels,
            standalone: options.standalone,
        }
    }

    /// Points the instance at another API. The standalone page records it in its URL, so a
    /// reload keeps talking to the same API (and the page's CSP must allow it).
    pub fn set_api_base(&self, base: String) {
        if self.standalone {
            url::set_param("api", Some(&base));
        }
        self.api_base.set(base);
    }

    /// Changes the theme; the standalone page keeps it in its URL (`?theme=`), as it does the
    /// API base, so a reload or a bookmark keeps it. Nothing is written to storage: only the
    /// authenticated keyring is.
    pub fn set_theme(&self, theme: Theme) {
        if self.standalone {
            url::set_param("theme", (theme != Theme::System).then_some(theme.as_str()));
        }
        self.theme.set(theme);
    }
}
