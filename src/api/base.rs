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
///
/// The rule is an allow-list (see there); these variants only say which part of it failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("only /api/v1/… paths may be fetched")]
    NotApiPath,
    #[error("absolute URLs are refused: the key goes to the configured API only")]
    Absolute,
    #[error("protocol-relative URLs (//host) are refused: the key goes to the configured API only")]
    ProtocolRelative,
    #[error(
        "path segments may contain only ASCII letters, digits, '-', '_' and '.' (no escapes, backslashes, ';', spaces or other characters)"
    )]
    SegmentCharacter,
    #[error("empty path segments (//) are refused in API paths")]
    EmptySegment,
    #[error(". and .. segments are refused in API paths")]
    DotSegment,
    #[error(
        "the query may contain only ASCII letters, digits and - _ . ~ = & , ( ) : + (no '#', '/', '\\', ';', '?', spaces or other characters)"
    )]
    QueryCharacter,
    #[error(
        "a %-escape in the query must be % and two hex digits, and must not stand for /, \\, ., %, a control or a non-ASCII character"
    )]
    QueryEscape,
    #[error("API paths longer than {MAX_RELATIVE_LEN} characters are refused")]
    TooLong,
}

/// The longest path (with its query) a host may ask for; Foundry's are far shorter.
pub const MAX_RELATIVE_LEN: usize = 2048;

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

    /// The URL for a path the host page asks for (`handle.fetch(path)`), under this base.
    ///
    /// An allow-list of what a Foundry path can be, not a list of known tricks (a deny-list
    /// always misses the next spelling of `..` that some server or proxy decodes):
    /// - the path is `/api/v1/` and one or more segments, each made of ASCII letters, digits,
    ///   `-`, `_` and `.`, and never `.` or `..`. So no `%` escapes at all (`%2f`, `%5c`,
    ///   `%2e%2e`, `%00`, double encoding), no `\`, no `;` (matrix parameters, which some
    ///   servers strip before routing), no empty segment, no non-ASCII look-alike of `.` or
    ///   `/` (U+FF0E, U+2215, …), no space or control character, no `#`;
    /// - then, optionally, `?` and a query of ASCII letters, digits and `-_.~=&,():+` (what
    ///   `limit`, `offset`, `filter` and `sort` in the Foundry grammar are written with) and
    ///   `%XX` escapes. An escape must be two hex digits and must not decode to `/`, `\`, `.`
    ///   (a server that decodes the query into a path must not get a separator or a dot
    ///   segment), `%` (double encoding), a control character or a byte above 0x7F (a
    ///   look-alike's UTF-8). Non-ASCII filter values are therefore refused.
    ///
    /// Everything else is refused, before any request is built.
    pub fn resolve_relative(&self, path: &str) -> Result<String, PathError> {
        Ok(self.join(&ApiPath::check(path)?))
    }

    /// A path already checked, under this base.
    pub fn join(&self, path: &ApiPath<'_>) -> String {
        format!("{}{}", self.url, path.0)
    }
}

/// Written as its text, read back through [`ApiBase::parse`]: a base is never trusted unchecked.
impl serde::Serialize for ApiBase {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for ApiBase {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A path that passed the allow-list of [`ApiBase::resolve_relative`]. The check does not
/// depend on the base, so a caller can judge a path first and choose the base later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiPath<'a>(&'a str);

impl<'a> ApiPath<'a> {
    pub fn check(path: &'a str) -> Result<Self, PathError> {
        check_relative(path)?;
        Ok(Self(path))
    }
}

/// The allow-list of [`ApiBase::resolve_relative`].
fn check_relative(path: &str) -> Result<(), PathError> {
    if path.len() > MAX_RELATIVE_LEN {
        return Err(PathError::TooLong);
    }
    // These two only choose a clearer message: the allow-list below refuses them anyway.
    if path.starts_with("//")
        || path.starts_with("\\\\")
        || path.starts_with("/\\")
        || path.starts_with("\\/")
    {
        return Err(PathError::ProtocolRelative);
    }
    if has_scheme(path) {
        return Err(PathError::Absolute);
    }
    let (path_part, query) = match path.split_once('?') {
        Some((path_part, query)) => (path_part, Some(query)),
        None => (path, None),
    };
    let segments = path_part
        .strip_prefix("/api/v1/")
        .ok_or(PathError::NotApiPath)?;
    for segment in segments.split('/') {
        if segment.is_empty() {
            return Err(PathError::EmptySegment);
        }
        if !segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        {
            return Err(PathError::SegmentCharacter);
        }
        if segment == "." || segment == ".." {
            return Err(PathError::DotSegment);
        }
    }
    if let Some(query) = query {
        check_query(query)?;
    }
    Ok(())
}

fn check_query(query: &str) -> Result<(), PathError> {
    let bytes = query.as_bytes();
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        if byte == b'%' {
            let decoded = match (
                bytes.get(at + 1).copied().and_then(hex_value),
                bytes.get(at + 2).copied().and_then(hex_value),
            ) {
                (Some(high), Some(low)) => high * 16 + low,
                _ => return Err(PathError::QueryEscape),
            };
            let refused = decoded.is_ascii_control()
                || !decoded.is_ascii()
                || matches!(decoded, b'/' | b'\\' | b'.' | b'%');
            if refused {
                return Err(PathError::QueryEscape);
            }
            at += 3;
            continue;
        }
        if !(byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'_' | b'.' | b'~' | b'=' | b'&' | b',' | b'(' | b')' | b':' | b'+'
            ))
        {
            return Err(PathError::QueryCharacter);
        }
        at += 1;
    }
    Ok(())
}

fn hex_value(byte: u8) -> Option<u8> {
    (byte as char)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
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
    fn resolves_the_paths_foundry_has_under_the_base() {
        let base = ApiBase::parse("https://example.com/prefix").unwrap();
        let accepted = [
            "/api/v1/whoami",
            "/api/v1/tokens",
            "/api/v1/tokens/attenuate",
            "/api/v1/tokens/revoke",
            "/api/v1/info/health",
            "/api/v1/openapi.json",
            "/api/v1/tokens?limit=5",
            "/api/v1/tokens?limit=100&offset=200",
            "/api/v1/tokens?filter=and(gte(created_at,2026-01-01),eq(status,draft))&sort=desc(created_at),asc(name)",
            "/api/v1/tokens?sort=-created_at,+name",
            "/api/v1/tokens?sort=created_at:desc",
            "/api/v1/tokens?filter=eq(name,a%20b)",
            "/api/v1/tokens?filter=eq(user_id,0b6f2c1e-9d7a-4c1b-8f3e-2a5d6c7b8e9f)",
            "/api/v1/tokens?filter=gte(expires_at,2026-01-01T00:00:00Z)&x=~",
            "/api/v1/tokens/0b6f2c1e-9d7a-4c1b-8f3e-2a5d6c7b8e9f",
            "/api/v1/a.b/c_d/e-f",
            "/api/v1/tokens?",
        ];
        for path in accepted {
            assert_eq!(
                base.resolve_relative(path),
                Ok(format!("https://example.com/prefix{path}")),
                "{path:?}"
            );
        }
    }

    /// Every trick from issue #16 (and the old deny-list's cases), each refused with its reason.
    #[test]
    fn refuses_everything_else_with_a_typed_reason() {
        let base = ApiBase::parse("https://example.com/prefix").unwrap();
        let refused: &[(&str, PathError)] = &[
            // Somewhere else altogether.
            ("https://evil.com/api/v1/whoami", PathError::Absolute),
            ("javascript:alert(1)", PathError::Absolute),
            ("data:text/plain,x", PathError::Absolute),
            ("//evil.com/api/v1", PathError::ProtocolRelative),
            ("\\\\evil.com/api/v1", PathError::ProtocolRelative),
            ("/\\evil.com/api/v1", PathError::ProtocolRelative),
            ("\\/evil.com/api/v1", PathError::ProtocolRelative),
            // Not a Foundry path.
            ("/other/v1", PathError::NotApiPath),
            ("api/v1/whoami", PathError::NotApiPath),
            ("/api", PathError::NotApiPath),
            ("/api/", PathError::NotApiPath),
            ("/api/v1", PathError::NotApiPath),
            ("/api/v2/whoami", PathError::NotApiPath),
            ("/API/v1/whoami", PathError::NotApiPath),
            ("/api/v1%2fwhoami", PathError::NotApiPath),
            ("/api%2fv1/whoami", PathError::NotApiPath),
            ("/api/./v1/whoami", PathError::NotApiPath),
            ("/api/v1/../../admin", PathError::DotSegment),
            ("", PathError::NotApiPath),
            ("?limit=5", PathError::NotApiPath),
            // Dot segments, plain and encoded (single, mixed case, double).
            ("/api/v1/./whoami", PathError::DotSegment),
            ("/api/v1/..", PathError::DotSegment),
            ("/api/v1/tokens/../../../admin", PathError::DotSegment),
            ("/api/v1/%2e%2e/x", PathError::SegmentCharacter),
            ("/api/v1/.%2E/x", PathError::SegmentCharacter),
            ("/api/v1/%252e%252e/x", PathError::SegmentCharacter),
            // Encoded separators and NUL.
            (
                "/api/v1/tokens%2f..%2f..%2fadmin",
                PathError::SegmentCharacter,
            ),
            ("/api/v1/tokens%2F..", PathError::SegmentCharacter),
            ("/api/v1/tokens%5c..%5cadmin", PathError::SegmentCharacter),
            ("/api/v1/whoami%00.json", PathError::SegmentCharacter),
            ("/api/v1/whoami%252f", PathError::SegmentCharacter),
            // Raw backslashes, matrix parameters, empty segments.
            ("/api/v1\\..\\x", PathError::NotApiPath),
            ("/api/v1/tokens\\..\\..\\admin", PathError::SegmentCharacter),
            ("/api/v1/tokens\\", PathError::SegmentCharacter),
            ("/api/v1/tokens;/../admin", PathError::SegmentCharacter),
            ("/api/v1/..;/admin", PathError::SegmentCharacter),
            ("/api/v1/whoami;jsessionid=x", PathError::SegmentCharacter),
            ("/api/v1//whoami", PathError::EmptySegment),
            ("/api/v1/tokens/", PathError::EmptySegment),
            // Non-ASCII look-alikes of '.' and '/' (and the rest of non-ASCII).
            (
                "/api/v1/\u{FF0E}\u{FF0E}/admin",
                PathError::SegmentCharacter,
            ),
            (
                "/api/v1/tokens\u{2215}..\u{2215}admin",
                PathError::SegmentCharacter,
            ),
            ("/api/v1/tokens\u{FF0F}admin", PathError::SegmentCharacter),
            (
                "/api/v1/\u{2024}\u{2024}/admin",
                PathError::SegmentCharacter,
            ),
            ("/api/v1/who\u{0430}mi", PathError::SegmentCharacter),
            // Spaces, controls, fragments.
            ("/api/v1/whoami\n", PathError::SegmentCharacter),
            ("/api/v1/who ami", PathError::SegmentCharacter),
            ("/api/v1/whoami\t", PathError::SegmentCharacter),
            ("/api/v1/whoami#x", PathError::SegmentCharacter),
            ("/api/v1/whoami@evil.com", PathError::SegmentCharacter),
            ("/api/v1/whoami:80", PathError::SegmentCharacter),
            // The query: only its safe set, and no escape of a separator, dot, '%' or control.
            ("/api/v1/tokens?limit=5#x", PathError::QueryCharacter),
            ("/api/v1/tokens?a=/../../admin", PathError::QueryCharacter),
            ("/api/v1/tokens?a=\\x", PathError::QueryCharacter),
            ("/api/v1/tokens?a=1;b=2", PathError::QueryCharacter),
            ("/api/v1/tokens?a=1?b", PathError::QueryCharacter),
            ("/api/v1/tokens?a=b c", PathError::QueryCharacter),
            ("/api/v1/tokens?a=\u{0}", PathError::QueryCharacter),
            ("/api/v1/tokens?a=\u{FF0E}", PathError::QueryCharacter),
            ("/api/v1/tokens?a=\"x\"", PathError::QueryCharacter),
            ("/api/v1/tokens?a=<x>", PathError::QueryCharacter),
            ("/api/v1/tokens?a=%2f..", PathError::QueryEscape),
            ("/api/v1/tokens?a=%2F", PathError::QueryEscape),
            ("/api/v1/tokens?a=%5c", PathError::QueryEscape),
            ("/api/v1/tokens?a=%2e%2e", PathError::QueryEscape),
            ("/api/v1/tokens?a=%00", PathError::QueryEscape),
            ("/api/v1/tokens?a=%0a", PathError::QueryEscape),
            ("/api/v1/tokens?a=%7f", PathError::QueryEscape),
            ("/api/v1/tokens?a=%252f", PathError::QueryEscape),
            ("/api/v1/tokens?a=%25", PathError::QueryEscape),
            ("/api/v1/tokens?a=%EF%BC%8F", PathError::QueryEscape),
            ("/api/v1/tokens?a=%c0%af", PathError::QueryEscape),
            ("/api/v1/tokens?a=%", PathError::QueryEscape),
            ("/api/v1/tokens?a=%2", PathError::QueryEscape),
            ("/api/v1/tokens?a=%zz", PathError::QueryEscape),
            ("/api/v1/tokens?a=%+2", PathError::QueryEscape),
        ];
        for (input, expected) in refused {
            assert_eq!(
                base.resolve_relative(input),
                Err(expected.clone()),
                "{input:?}"
            );
        }
        let long = format!("/api/v1/tokens?filter={}", "a".repeat(MAX_RELATIVE_LEN));
        assert_eq!(base.resolve_relative(&long), Err(PathError::TooLong));
        let longest = format!(
            "/api/v1/{}",
            "a".repeat(MAX_RELATIVE_LEN - "/api/v1/".len())
        );
        assert!(base.resolve_relative(&longest).is_ok());
    }

    /// Whatever the input, an accepted path never leaves the base, never carries a character
    /// outside the allow-list and never holds a dot segment, however a server decodes it.
    #[test]
    fn an_accepted_path_stays_under_the_base_for_any_input() {
        let base = ApiBase::parse("https://example.com/prefix").unwrap();
        let alphabet: Vec<char> = "/ap1v.%2eEfFcC5\\;?#&=:\u{FF0E}\u{2215}az0"
            .chars()
            .collect();
        // Every string of up to 4 characters from the alphabet, after "/api/v1/".
        let mut inputs = vec![String::new()];
        for _ in 0..4 {
            let next: Vec<String> = inputs
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            inputs.extend(next);
        }
        for tail in inputs {
            let path = format!("/api/v1/{tail}");
            let Ok(url) = base.resolve_relative(&path) else {
                continue;
            };
            let rest = url
                .strip_prefix("https://example.com/prefix/api/v1/")
                .unwrap_or_else(|| panic!("{path:?} left the base"));
            let (segments, query) = rest.split_once('?').unwrap_or((rest, ""));
            for segment in segments.split('/') {
                assert!(
                    !segment.is_empty() && segment != "." && segment != "..",
                    "{path:?}"
                );
                assert!(
                    segment
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)),
                    "{path:?}"
                );
            }
            assert!(!query.contains(['#', '/', '\\', ';', '?']), "{path:?}");
            let lower = query.to_ascii_lowercase();
            for escape in ["%2f", "%5c", "%2e", "%25", "%00"] {
                assert!(!lower.contains(escape), "{path:?}");
            }
        }
    }
}
