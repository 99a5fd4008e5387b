//! Where the agent may connect: the page's own `connect-src`.
//!
//! A `<meta>` Content-Security-Policy binds the page, not a worker it starts: a worker takes
//! its policy from its own script's response headers, and a static host sends none. So the
//! page hands its `connect-src` (or `default-src`) to the agent when it starts it, and the
//! agent refuses any other origin itself. A crafted link that names another API therefore
//! reaches nothing, from the page or from the agent.
//!
//! A page with no such policy (an embedding host that sets none, or sends it as a header the
//! page cannot read) does not make the agent connect anywhere: it then reaches only the APIs
//! the page was built and mounted for ([`ConnectPolicy::of_page`]). Otherwise a script that
//! runs after unlock could move a key to its own server (through the page's own "use this key
//! with …" confirmation, which it can click) and read it from the `Authorization` header there.

use serde::{Deserialize, Serialize};

/// The origins a `connect-src` allows, as far as this app uses them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectPolicy {
    /// Exact origins (`https://host:port`, `'self'` already resolved).
    origins: Vec<String>,
    /// Whole schemes (`https:`).
    schemes: Vec<String>,
    /// `*`: any origin.
    any: bool,
}

impl ConnectPolicy {
    /// Reads a CSP text; `None` when it does not restrict connections at all.
    pub fn from_csp(csp: &str, self_origin: &str) -> Option<Self> {
        let directives: Vec<(&str, Vec<&str>)> = csp
            .split(';')
            .filter_map(|d| {
                let mut parts = d.split_whitespace();
                let name = parts.next()?;
                Some((name, parts.collect()))
            })
            .collect();
        let find = |wanted: &str| {
            directives
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(wanted))
                .map(|(_, sources)| sources.clone())
        };
        let sources = find("connect-src").or_else(|| find("default-src"))?;
        let mut policy = Self {
            origins: Vec::new(),
            schemes: Vec::new(),
            any: false,
        };
        for source in sources {
            let lower = source.to_ascii_lowercase();
            match lower.as_str() {
                "*" => policy.any = true,
                "'self'" => policy.origins.push(self_origin.to_ascii_lowercase()),
                "'none'" => {}
                s if s.ends_with(':') && !s.contains('/') => policy.schemes.push(s.to_owned()),
                s if s.contains("://") => {
                    policy.origins.push(s.trim_end_matches('/').to_owned());
                }
                _ => {}
            }
        }
        Some(policy)
    }

    /// The page's policy (`csp`, its `<meta>` policy's text); when that does not restrict
    /// connections, only `fallback`: the origins of the build's API and of the base an
    /// embedding host mounted the keyring with (never one a link named).
    pub fn of_page(csp: Option<&str>, self_origin: &str, fallback: &[String]) -> Self {
        csp.and_then(|csp| Self::from_csp(csp, self_origin))
            .unwrap_or_else(|| Self::only(fallback))
    }

    /// Exactly these origins (`scheme://host[:port]`).
    pub fn only(origins: &[String]) -> Self {
        Self {
            origins: origins.iter().map(|o| o.to_ascii_lowercase()).collect(),
            schemes: Vec::new(),
            any: false,
        }
    }

    /// Whether `origin` (`scheme://host[:port]`, as `ApiBase::origin` gives it) is allowed.
    pub fn allows(&self, origin: &str) -> bool {
        let origin = origin.to_ascii_lowercase();
        self.any
            || self.origins.contains(&origin)
            || self
                .schemes
                .iter()
                .any(|scheme| origin.starts_with(scheme.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUILT: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' http://127.0.0.1:8787 https://api.example.com; worker-src 'self'";

    #[test]
    fn the_listed_origins_and_self_only() {
        let policy = ConnectPolicy::from_csp(BUILT, "http://127.0.0.1:8080").unwrap();
        assert!(policy.allows("http://127.0.0.1:8787"));
        assert!(policy.allows("https://api.example.com"));
        assert!(policy.allows("http://127.0.0.1:8080"));
        assert!(!policy.allows("http://127.0.0.1:8737"));
        assert!(!policy.allows("https://api.example.com.evil.test"));
        assert!(!policy.allows("https://evil.test"));
    }

    #[test]
    fn default_src_when_no_connect_src_and_nothing_without_either() {
        let policy = ConnectPolicy::from_csp("default-src 'self'", "https://app.test").unwrap();
        assert!(policy.allows("https://app.test"));
        assert!(!policy.allows("https://api.test"));
        assert_eq!(
            ConnectPolicy::from_csp("script-src 'self'", "https://app.test"),
            None
        );
        let none = ConnectPolicy::from_csp("connect-src 'none'", "https://app.test").unwrap();
        assert!(!none.allows("https://app.test"));
    }

    #[test]
    fn schemes_and_wildcard() {
        let https = ConnectPolicy::from_csp("connect-src https:", "https://app.test").unwrap();
        assert!(https.allows("https://anything.test"));
        assert!(!https.allows("http://127.0.0.1:8787"));
        let any = ConnectPolicy::from_csp("connect-src *", "https://app.test").unwrap();
        assert!(any.allows("http://127.0.0.1:1"));
    }

    #[test]
    fn a_page_without_a_connect_policy_reaches_only_its_own_apis() {
        let fallback = [
            "http://127.0.0.1:8787".to_owned(),
            "https://API.Example.com".to_owned(),
        ];
        for csp in [None, Some("script-src 'self'")] {
            let policy = ConnectPolicy::of_page(csp, "https://host.test", &fallback);
            assert!(policy.allows("http://127.0.0.1:8787"));
            assert!(policy.allows("https://api.example.com"));
            assert!(!policy.allows("https://evil.test"), "never any origin");
            assert!(!policy.allows("https://host.test"));
        }
        let nothing = ConnectPolicy::of_page(None, "https://host.test", &[]);
        assert!(!nothing.allows("http://127.0.0.1:8787"));
        // A page's own policy stands as it is: the fallback neither widens nor narrows it.
        let own = ConnectPolicy::of_page(
            Some("connect-src https://api.example.com"),
            "https://host.test",
            &["https://evil.test".to_owned()],
        );
        assert!(own.allows("https://api.example.com"));
        assert!(!own.allows("https://evil.test"));
    }
}
