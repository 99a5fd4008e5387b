#!/usr/bin/env python3
"""Trunk post-build hook: write the page's <meta> Content-Security-Policy from the build's API.

Most people put a server-less page on a static host that sends no headers, so the policy in
the page is the one they have. Its connect-src is 'self', the origin of FOUNDRY_API_BASE (the
published API when unset, as in src/ui/options.rs) and the origins of FOUNDRY_EXTRA_API_BASES
(space- or comma-separated), nothing wider: a crafted link naming another API cannot reach it.
index.html carries connect-src 'self' alone, so a build without this hook fails closed.
"""
import os
import re
import sys
from urllib.parse import urlsplit

PUBLISHED = "https://foundry-api-public.adaptyvbio.com"
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


def origin(url: str) -> str:
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    ok = parts.scheme == "https" or (parts.scheme == "http" and host in LOOPBACK)
    # The same rule as ApiBase::parse: https, or http to this machine only.
    if not ok or not parts.netloc or parts.username or parts.password or any(c in url for c in " ;,'\""):
        sys.exit(f"write_csp: not an API base this app accepts: {url!r} (https, or http on loopback)")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def main():
    staging = os.environ.get("TRUNK_STAGING_DIR")
    if not staging:
        sys.exit("write_csp: TRUNK_STAGING_DIR is not set (run from a Trunk hook)")
    bases = [os.environ.get("FOUNDRY_API_BASE") or PUBLISHED]
    bases += [b for b in re.split(r"[\s,]+", os.environ.get("FOUNDRY_EXTRA_API_BASES", "")) if b]
    origins = list(dict.fromkeys(origin(b) for b in bases))
    index = os.path.join(staging, "index.html")
    with open(index, encoding="utf-8") as f:
        html = f.read()
    metas = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)"', html)
    if len(metas) != 1 or "connect-src 'self';" not in metas[0]:
        sys.exit("write_csp: index.html must have one CSP <meta> whose connect-src is 'self' alone")
    policy = metas[0].replace("connect-src 'self';", f"connect-src 'self' {' '.join(origins)};")
    html = html.replace(metas[0], policy, 1)
    with open(index, "w", encoding="utf-8") as f:
        f.write(html)
    print(f"write_csp: connect-src 'self' {' '.join(origins)}")


if __name__ == "__main__":
    main()
