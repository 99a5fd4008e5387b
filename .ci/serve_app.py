#!/usr/bin/env python3
"""Serve the built app (dist/) on loopback with the headers a production host must send.

The Content-Security-Policy is the one the README documents: scripts only from this origin
plus 'wasm-unsafe-eval' (the one relaxation WebAssembly needs), connect-src narrowed to the
configured Foundry API base, no plugins, no <base>, no form posts, and no framing of the
standalone page. Extra roots (e.g. the embedding example) are served under their own prefix.

`--no-headers` serves the same files the way a bare static host does (no CSP header, no
other security header): what holds then is what the build wrote into the page itself.
"""
import argparse
import functools
import http.server
import os
import sys
from urllib.parse import urlsplit


def origin(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        sys.exit(f"serve_app: --api must be an http(s) URL, got {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


def csp(api_origins: list, frame_ancestors: str) -> str:
    return "; ".join([
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self' " + " ".join(api_origins),
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        f"frame-ancestors {frame_ancestors}",
    ])


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".css": "text/css",
        ".json": "application/json",
    }

    def __init__(self, *args, policy: str, mounts: list, **kwargs):
        self.policy = policy
        self.mounts = mounts
        super().__init__(*args, **kwargs)

    def translate_path(self, path):
        # A mounted prefix is served from its own root, with the same path checks as the
        # main directory (the base class refuses .. and stays under `self.directory`).
        url_path = urlsplit(path).path
        for prefix, root in self.mounts:
            if url_path == prefix or url_path.startswith(prefix + "/"):
                saved = self.directory
                self.directory = root
                try:
                    return super().translate_path(path[len(prefix):] or "/")
                finally:
                    self.directory = saved
        return super().translate_path(path)

    def end_headers(self):
        if self.policy is not None:
            self.send_header("Content-Security-Policy", self.policy)
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
            self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, fmt, *args):
        if os.environ.get("SERVE_APP_LOG"):
            super().log_message(fmt, *args)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", default="dist")
    parser.add_argument("--addr", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--api", default="http://127.0.0.1:8787", help="the Foundry API base the page may call")
    parser.add_argument("--also-api", action="append", default=[], help="another API base the page may call")
    parser.add_argument("--frame-ancestors", default="'none'")
    parser.add_argument("--no-headers", action="store_true", help="send no security headers, as a bare static host")
    parser.add_argument("--mount", action="append", default=[], help="PREFIX=DIR, served under /PREFIX/")
    args = parser.parse_args()
    if not os.path.isfile(os.path.join(args.dir, "index.html")):
        sys.exit(f"serve_app: {args.dir}/index.html not found: build the app first (trunk build --release)")
    mounts = []
    for item in args.mount:
        prefix, sep, root = item.partition("=")
        prefix = "/" + prefix.strip("/")
        if not sep or prefix == "/" or not os.path.isdir(root):
            sys.exit(f"serve_app: --mount wants PREFIX=DIR with an existing DIR, got {item!r}")
        mounts.append((prefix, os.path.abspath(root)))
    # Longest prefix first, so /a/b wins over /a.
    mounts.sort(key=lambda m: len(m[0]), reverse=True)
    origins = [origin(u) for u in [args.api, *args.also_api]]
    policy = None if args.no_headers else csp(origins, args.frame_ancestors)
    handler = functools.partial(Handler, directory=os.path.abspath(args.dir), policy=policy, mounts=mounts)
    server = http.server.ThreadingHTTPServer((args.addr, args.port), handler)
    headers = "no security headers" if args.no_headers else "CSP header"
    print(f"serve_app: http://{args.addr}:{args.port}/ (API {' '.join(origins)}; {headers})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
