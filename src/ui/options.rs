//! How one keyring instance is configured: by the standalone page from its URL, or by an
//! embedding host through `mount(element, options)`.

use crate::api::base::ApiBase;

/// The published Foundry API. A build made with `FOUNDRY_API_BASE=…` (the README's run command
/// does this for the local double) uses that instead.
pub const PRODUCTION_API_BASE: &str = "https://foundry-api-public.adaptyvbio.com";

/// The base this build talks to unless told otherwise.
pub fn build_default_api_base() -> &'static str {
    option_env!("FOUNDRY_API_BASE").unwrap_or(PRODUCTION_API_BASE)
}

/// The build's default base, parsed. A `FOUNDRY_API_BASE` that does not parse falls back to
/// the published API rather than to anything a link could name.
#[allow(
    clippy::expect_used,
    reason = "constants; tests/web_ui.rs checks that the build's parses"
)]
pub fn build_default_base() -> ApiBase {
    ApiBase::parse(build_default_api_base())
        .or_else(|_| ApiBase::parse(PRODUCTION_API_BASE))
        .expect("the published API base parses")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    /// Follows `prefers-color-scheme`.
    System,
    Light,
    Dark,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Theme::System, Theme::Light, Theme::Dark]
            .into_iter()
            .find(|t| t.as_str() == text)
    }
}

/// Which panels an instance shows once unlocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Panels {
    pub identity: bool,
    pub permissions: bool,
    pub tokens: bool,
}

impl Default for Panels {
    fn default() -> Self {
        Self {
            identity: true,
            permissions: true,
            tokens: true,
        }
    }
}

/// Idle times offered for auto-lock, in minutes.
pub const IDLE_CHOICES: [u32; 6] = [1, 5, 15, 30, 60, 240];
pub const DEFAULT_IDLE_MINUTES: u32 = 15;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Where API calls (and so the key) go. Validated by the client before any request.
    pub api_base: String,
    /// Separates the stored keyrings of several instances on one origin.
    pub namespace: String,
    pub panels: Panels,
    pub theme: Theme,
    pub idle_minutes: u32,
    pub lock_when_hidden: bool,
    /// The standalone page keeps table state in its URL; an embedded instance leaves the
    /// host's URL alone.
    pub standalone: bool,
    /// For dashboards: no product header (logo, name, tagline) and tighter spacing. The
    /// instance's actions (Settings, Lock) stay, in a slim bar.
    pub compact: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            api_base: build_default_api_base().to_owned(),
            namespace: "default".to_owned(),
            panels: Panels::default(),
            theme: Theme::System,
            idle_minutes: DEFAULT_IDLE_MINUTES,
            lock_when_hidden: false,
            standalone: false,
            compact: false,
        }
    }
}

impl Options {
    /// The standalone page's options: `?api=` overrides the API base, `?theme=` the theme.
    pub fn standalone_from_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut options = Self {
            standalone: true,
            ..Self::default()
        };
        for (key, value) in pairs {
            match key {
                "api" if !value.is_empty() => options.api_base = value.to_owned(),
                "theme" => {
                    if let Some(theme) = Theme::parse(value) {
                        options.theme = theme;
                    }
                }
                _ => {}
            }
        }
        options
    }
}
