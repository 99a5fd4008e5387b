//! The validated base URL of the Foundry API.
//!
//! The key travels to this base and nowhere else, by construction: the client only ever
//! appends its own fixed [`Endpoint`] paths to an [`ApiBase`], and a host-side `fetch(path)`
//! must go through [`ApiBase::resolve_relative`], which refuses anything that could leave it.

use std::fmt;

/// A base URL the key may be sent to: `https://host[:port][/prefix]`, or plain `http` for a
/// loopback host (a local double or a dev proxy). No userinfo, query or fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiBase {
    /// Normalised: lower-case scheme and host, no trailing slash.
    url: String,
    /// Length of `scheme://authority`, i.e. where the path prefix starts.
    origin_len: usize,
}

/// Why a base URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BaseError {
    #[error("the API address is empty")]
    Empty,
    #[error(
        "the API address must start with https:// (or http:// for 127.0.0.1, localhost or [::1])"
    )]
    Scheme,
    #[error("plain http is allowed only for 127.0.0.1, localhost or [::1]; use https for {host}")]
    InsecureRemote { host: String },
    #[error("the API address must not contain a user name or password")]
    UserInfo,
    #[error("the API address must not contain a query (?…)")]
    Query,
    #[error("the API address must not contain a fragment (#…)")]
    Fragment,
    #[error("the API address has no valid host name")]
    Host,
    #[error("the API address has an invalid port")]
    Port,
    #[error("the API address contains spaces, control characters or backslashes")]
    Characters,
    #[error("the API address path must not contain . or .. segments")]
    DotSegment,
}

/// Why a relative API path was refused by [`ApiBase::resolve_relative`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("only paths under /api/ may be fetched")]
    NotApiPath,
    #[error("absolute URLs are refused: the key goes to the configured API only")]
    Absolute,
    #[error("protocol-relative URLs (//host) are refused: the key goes to the configured API only")]
    ProtocolRelative,
    #[error("backslashes are refused in API paths")]
    Backslash,
    #[error(". and .. segments are refused in API paths")]
    DotSegment,
    #[error("control characters and spaces are refused in API paths")]
    Control,
    #[error("fragments (#…) are refused in API paths")]
    Fragment,
}

/// The fixed paths the client calls. The only way the client forms a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    WhoAmI,
    Tokens,
    Attenuate,
    Revoke,
    Health,
    OpenApi,
}

impl Endpoint {
    pub const fn path(self) -> &'static str {
        match self {
            Endpoint::WhoAmI => "/api/v1/whoami",
            Endpoint::Tokens => "/api/v1/tokens",
            Endpoint::Attenuate => "/api/v1/tokens/attenuate",
            Endpoint::Revoke => "/api/v1/tokens/revoke",
            Endpoint::Health => "/api/v1/info/health",
            Endpoint::OpenApi => "/api/v1/openapi.json",
        }
    }
}

const LOOPBACK_HOSTS: [&str; 3] = ["127.0.0.1", "localhost", "[::1]"];

impl ApiBase {
    /// The public Foundry API.
    pub const FOUNDRY_PUBLIC: &'static str = "https://foundry-api-public.adaptyvbio.com";

    pub fn parse(input: &str) -> Result<Self, BaseError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(BaseError::Empty);
        }
        if input
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
        {
            return Err(BaseError::Characters);
        }
        // Fragment first: `https://h/#?x` has a fragment, not a query.
        if input.contains('#') {
            return Err(BaseError::Fragment);
        }
        if input.contains('?') {
            return Err(BaseError::Query);
        }
        let (scheme, rest) = input.split_once("://").ok_or(BaseError::Scheme)?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "https" && scheme != "http" {
            return Err(BaseError::Scheme);
        }
        let (authority, path) = match rest.find('/') {
            Some(at) => rest.split_at(at),
            None => (rest, ""),
        };
        if authority.contains('@') {
            return Err(BaseError::UserInfo);
        }
        let (host, port) = split_host_port(authority)?;
        let host = host.to_ascii_lowercase();
        if scheme == "http" && !LOOPBACK_HOSTS.contains(&host.as_str()) {
            return Err(BaseError::InsecureRemote { host });
        }
        let path = path.trim_end_matches('/');
        if path.split('/').any(is_dot_segment) {
            return Err(BaseError::DotSegment);
        }
        let origin = match port {
            Some(port) => format!("{scheme}://{host}:{port}"),
            None => format!("{scheme}://{host}"),
        };
        let origin_len = origin.len();
        Ok(Self {
            url: format!("{origin}{path}"),
            origin_len,
        })
    }

    /// The normalised base, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// `scheme://host[:port]`, for messages ("could not reach …").
    pub fn origin(&self) -> &str {
        self.url.get(..self.origin_len).unwrap_or(&self.url)
    }

    /// The URL of one of the client's own endpoints.
    pub fn endpoint(&self, endpoint: Endpoint) -> String {
        format!("{}{}", self.url, endpoint.path())
    }

    /// A URL for a path the host page asks for (a future `fetch(path)` for embedders): only
    /// plain `/api/…` paths under this base, optionally with a query string.
    pub fn resolve_relative(&self, path: &str) -> Result<String, PathError> {
        if path.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(PathError::Control);
        }
        if path.contains('\\') {
            return Err(PathError::Backslash);
        }
        if path.starts_with("//") {
            return Err(PathError::ProtocolRelative);
        }
        if has_scheme(path) {
            return Err(PathError::Absolute);
        }
        if path.contains('#') {
            return Err(PathError::Fragment);
        }
        if !path.starts_with("/api/") {
            return Err(PathError::NotApiPath);
        }
        let path_part = path.split('?').next().unwrap_or(path);
        if path_part.split('/').any(is_dot_segment) {
            return Err(PathError::DotSegment);
        }
        Ok(format!("{}{}", self.url, path))
    }
}

impl fmt::Display for ApiBase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

impl std::str::FromStr for ApiBase {
    type Err = BaseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

fn split_host_port(authority: &str) -> Result<(&str, Option<u16>), BaseError> {
    let (host, port) = if authority.starts_with('[') {
        // IPv6 literal: the port, if any, follows the closing bracket.
        let close = authority.find(']').ok_or(BaseError::Host)?;
        let (host, rest) = authority.split_at(close + 1);
        let inner = host.get(1..host.len() - 1).unwrap_or("");
        if inner.is_empty()
            || !inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return Err(BaseError::Host);
        }
        match rest {
            "" => (host, None),
            _ => (host, Some(rest.strip_prefix(':').ok_or(BaseError::Port)?)),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if !host.starts_with('[') {
        let valid_label = |label: &str| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        };
        if host.is_empty() || !host.split('.').all(valid_label) {
            return Err(BaseError::Host);
        }
    }
    let port = match port {
        None => None,
        Some(text) => {
            if text.is_empty() || !text.chars().all(|c| c.is_ascii_digit()) {
                return Err(BaseError::Port);
            }
            match text.parse::<u16>() {
                Ok(0) | Err(_) => return Err(BaseError::Port),
                Ok(port) => Some(port),
            }
        }
    };
    Ok((host, port))
}

/// `.`/`..` in any spelling a server might decode (`%2e`, `.%2E`, …).
fn is_dot_segment(segment: &str) -> bool {
    let lower = segment.to_ascii_lowercase();
    let decoded = lower.replace("%2e", ".");
    decoded == "." || decoded == ".."
}

/// `scheme:` per RFC 3986 (a letter, then letters, digits, `+`, `-`, `.`), before any `/`.
fn has_scheme(text: &str) -> bool {
    let Some((scheme, _)) = text.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises() {
        let table = [
            (
                "https://foundry-api-public.adaptyvbio.com",
                "https://foundry-api-public.adaptyvbio.com",
            ),
            (
                "https://foundry-api-public.adaptyvbio.com/",
                "https://foundry-api-public.adaptyvbio.com",
            ),
            (
                "HTTPS://Devs.AdaptyvBio.com//",
                "https://devs.adaptyvbio.com",
            ),
            (
                "  https://example.com:8443/foundry/  ",
                "https://example.com:8443/foundry",
            ),
            ("http://127.0.0.1:8787", "http://127.0.0.1:8787"),
            ("http://localhost:3000/", "http://localhost:3000"),
            ("http://LOCALHOST", "http://localhost"),
            ("http://[::1]:9000", "http://[::1]:9000"),
            ("https://[2001:db8::1]/", "https://[2001:db8::1]"),
        ];
        for (input, expected) in table {
            let base = ApiBase::parse(input).unwrap_or_else(|e| panic!("{input:?} refused: {e}"));
            assert_eq!(base.as_str(), expected, "{input:?}");
        }
        let base = ApiBase::parse("https://example.com:8443/foundry/").unwrap();
        assert_eq!(base.origin(), "https://example.com:8443");
        assert_eq!(
            base.endpoint(Endpoint::WhoAmI),
            "https://example.com:8443/foundry/api/v1/whoami"
        );
    }

    #[test]
    fn refuses_with_a_typed_reason() {
        let table = [
            ("", BaseError::Empty),
            ("   ", BaseError::Empty),
            ("foundry-api-public.adaptyvbio.com", BaseError::Scheme),
            ("ftp://example.com", BaseError::Scheme),
            ("javascript://example.com", BaseError::Scheme),
            (
                "http://example.com",
                BaseError::InsecureRemote {
                    host: "example.com".into(),
                },
            ),
            (
                "http://127.0.0.2",
                BaseError::InsecureRemote {
                    host: "127.0.0.2".into(),
                },
            ),
            (
                "http://localhost.evil.com",
                BaseError::InsecureRemote {
                    host: "localhost.evil.com".into(),
                },
            ),
            ("https://user:pw@example.com", BaseError::UserInfo),
            ("https://example.com@evil.com", BaseError::UserInfo),
            ("https://example.com/?x=1", BaseError::Query),
            ("https://example.com/#top", BaseError::Fragment),
            ("https://exa mple.com", BaseError::Characters),
            ("https://example.com\\evil", BaseError::Characters),
            ("https://example.com/\u{0}", BaseError::Characters),
            ("https://", BaseError::Host),
            ("https://-bad.com", BaseError::Host),
            ("https://a..b", BaseError::Host),
            ("https://[zz::1]", BaseError::Host),
            ("https://example.com:", BaseError::Port),
            ("https://example.com:0", BaseError::Port),
            ("https://example.com:70000", BaseError::Port),
            ("https://example.com:80a", BaseError::Port),
            ("https://[::1]x", BaseError::Port),
            ("https://example.com/a/../b", BaseError::DotSegment),
            ("https://example.com/%2E%2e", BaseError::DotSegment),
        ];
        for (input, expected) in table {
            assert_eq!(ApiBase::parse(input), Err(expected), "{input:?}");
        }
    }

    #[test]
    fn resolves_only_api_paths_under_the_base() {
        let base = ApiBase::parse("https://example.com/prefix").unwrap();
        assert_eq!(
            base.resolve_relative("/api/v1/tokens?limit=5"),
            Ok("https://example.com/prefix/api/v1/tokens?limit=5".to_owned())
        );
        assert_eq!(
            base.resolve_relative("/api/v1/whoami"),
            Ok("https://example.com/prefix/api/v1/whoami".to_owned())
        );
        let refused = [
            ("https://evil.com/api/v1/whoami", PathError::Absolute),
            ("javascript:alert(1)", PathError::Absolute),
            ("//evil.com/api/v1", PathError::ProtocolRelative),
            ("/api\\..\\x", PathError::Backslash),
            ("/api/v1/../../admin", PathError::DotSegment),
            ("/api/v1/%2e%2E/x", PathError::DotSegment),
            ("/api/./v1", PathError::DotSegment),
            ("/api/v1/whoami\n", PathError::Control),
            ("/api/v1/who ami", PathError::Control),
            ("/api/v1/whoami#x", PathError::Fragment),
            ("/other/v1", PathError::NotApiPath),
            ("api/v1/whoami", PathError::NotApiPath),
            ("/api", PathError::NotApiPath),
            ("", PathError::NotApiPath),
        ];
        for (input, expected) in refused {
            assert_eq!(base.resolve_relative(input), Err(expected), "{input:?}");
        }
    }
}
