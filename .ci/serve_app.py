#!/usr/bin/env python3
"""Serve the built app (dist/) on loopback with the headers a production host must send.

The Content-Security-Policy is the one the README documents: scripts only from this origin
plus 'wasm-unsafe-eval' (the one relaxation WebAssembly needs), connect-src narrowed to the
configured Foundry API base, no plugins, no <base>, no form posts, and no framing of the
standalone page. Extra roots (e.g. the embedding example) are served under their own prefix.

`--no-headers` serves the same files the way a bare static host does (no CSP header, no
other security header): what holds then is what the build wrote into the page itself.

Files are sent compressed, as a real static host sends them: gzip (and brotli, preferred, when
a Python `brotli` module can be imported) when the request's Accept-Encoding allows it, with
Content-Encoding and Vary: Accept-Encoding. Only text-like types (HTML, JS, CSS, JSON, wasm,
SVG, ...) of at least MIN_COMPRESS_SIZE bytes are compressed, and a result that is not smaller
is not used. Each file is compressed once per content: the result is kept, keyed on the file's
mtime and size, so a rebuild is picked up. `--no-compress` sends every file as it is.
"""
import argparse
import datetime
import email.utils
import functools
import gzip
import http.server
import io
import mimetypes
import os
import sys
import threading
from http import HTTPStatus
from urllib.parse import urlsplit

try:  # optional: stdlib only unless a brotli module is already installed
    import brotli  # type: ignore
except ImportError:
    try:
        import brotlicffi as brotli  # type: ignore
    except ImportError:
        brotli = None

# Below this, compression saves next to nothing and costs a round of work per file.
MIN_COMPRESS_SIZE = 512
# Files from this size up (the WebAssembly modules) are compressed when the server starts.
WARM_SIZE = 64 * 1024
COMPRESSIBLE_TYPES = {
    "application/wasm", "application/json", "application/manifest+json", "application/xml",
    "image/svg+xml", "application/javascript", "image/x-icon",
}


def compressible(ctype: str) -> bool:
    ctype = ctype.split(";")[0].strip().lower()
    return ctype.startswith("text/") or ctype in COMPRESSIBLE_TYPES or ctype.endswith(("+json", "+xml"))


def encodings_offered(compress: bool) -> list:
    """The codings this server can send, best first."""
    if not compress:
        return []
    return (["br"] if brotli is not None else []) + ["gzip"]


def choose_encoding(accept_encoding: str, offered: list):
    """The best of `offered` that the Accept-Encoding header allows (q > 0), else None."""
    if not accept_encoding or not offered:
        return None
    qualities = {}
    for item in accept_encoding.split(","):
        coding, _, params = item.strip().partition(";")
        coding = coding.strip().lower()
        if not coding:
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        qualities[coding] = q
    if "x-gzip" in qualities and "gzip" not in qualities:
        qualities["gzip"] = qualities["x-gzip"]
    best, best_q = None, 0.0
    for coding in offered:  # best first: a tie keeps the earlier (br before gzip)
        q = qualities.get(coding, qualities.get("*", 0.0))
        if q > best_q:
            best, best_q = coding, q
    return best


def sent_compressed(path: str, size: int) -> bool:
    """Whether a file of this path and size is sent compressed (when the client accepts it)."""
    return size >= MIN_COMPRESS_SIZE and compressible(Handler.guess_type_of(path))


def compress(data: bytes, coding: str, fast: bool = False) -> bytes:
    if coding == "br":
        return brotli.compress(data, quality=5 if fast else 11)
    # mtime=0: the same file always gives the same bytes.
    return gzip.compress(data, compresslevel=6 if fast else 9, mtime=0)


class CompressedCache:
    """Compressed bodies by (path, coding), valid while the file's mtime and size are unchanged.

    Each body is compressed once at full quality (brotli 11, gzip 9), in the background for a
    large file: brotli 11 takes seconds for a module (more on a busy machine), and a request
    must not wait for it. Until the full-quality body is ready, a large file is sent compressed
    at a fast quality (brotli 5, gzip 6), as a host that compresses on the fly does; `warm`
    starts the work for the page's own modules when the server starts."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = {}
        self._started = set()

    def get(self, path: str, stat, coding: str, read):
        key = (path, coding)
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            hit = self._entries.get(key)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        data = read()
        if stat.st_size >= WARM_SIZE:
            self._start(path, stat, coding, data)
            return self._worth_it(data, compress(data, coding, fast=True), stat)
        return self._store(path, stat, coding, data)

    def _store(self, path: str, stat, coding: str, data: bytes):
        """The full-quality body of `data`, kept for the next request of this content."""
        body = self._worth_it(data, compress(data, coding), stat)
        with self._lock:
            self._entries[(path, coding)] = ((stat.st_mtime_ns, stat.st_size), body)
        return body

    @staticmethod
    def _worth_it(data: bytes, body: bytes, stat):
        """None (send the file as it is) when compressing did not help or the file changed
        while being read."""
        return None if len(body) >= len(data) or len(data) != stat.st_size else body

    def _start(self, path: str, stat, coding: str, data: bytes, background: bool = True):
        """The full-quality body of a large file, worked out once per content."""
        job = (path, coding, stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if job in self._started:
                return
            self._started.add(job)
        if background:
            threading.Thread(target=self._store, args=(path, stat, coding, data), daemon=True).start()
        else:
            self._store(path, stat, coding, data)

    def warm(self, root: str, codings: list, wait: bool = False):
        """Compresses the large files directly in `root` (the page's modules, not the embedding
        bundle under it) at full quality, one after the other: in a thread of its own, or
        before returning when `wait`."""
        def run():
            for name in sorted(os.listdir(root)):
                path = os.path.join(root, name)
                try:
                    stat = os.stat(path)
                    if not os.path.isfile(path) or stat.st_size < WARM_SIZE or not sent_compressed(path, stat.st_size):
                        continue
                    with open(path, "rb") as f:
                        data = f.read()
                except OSError:
                    continue
                for coding in codings:
                    self._start(path, stat, coding, data, background=False)
        if wait:
            run()
        else:
            threading.Thread(target=run, daemon=True).start()


COMPRESSED = CompressedCache()


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

    @classmethod
    def guess_type_of(cls, path: str) -> str:
        """The Content-Type this handler sends for `path`: `guess_type`'s rule, without a request."""
        _, ext = os.path.splitext(path)
        for key in (ext, ext.lower()):
            if key in cls.extensions_map:
                return cls.extensions_map[key]
        return mimetypes.guess_type(path)[0] or "application/octet-stream"

    def __init__(self, *args, policy: str, mounts: list, offered: list, **kwargs):
        self.policy = policy
        self.mounts = mounts
        self.offered = offered
        super().__init__(*args, **kwargs)

    def send_head(self):
        # Directories (redirects, index.html), missing files and what is never compressed take
        # the base class's path unchanged; a compressible file takes the one below.
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            index = os.path.join(path, "index.html")
            if not urlsplit(self.path).path.endswith("/") or not os.path.isfile(index):
                return super().send_head()
            path = index
        if not self.offered or path.endswith("/") or not os.path.isfile(path):
            return super().send_head()
        ctype = self.guess_type(path)
        if not compressible(ctype):
            return super().send_head()
        try:
            f = open(path, "rb")
        except OSError:
            return super().send_head()
        try:
            fs = os.fstat(f.fileno())
            if fs.st_size < MIN_COMPRESS_SIZE:
                f.close()
                return super().send_head()
            if self.not_modified(fs):
                f.close()
                self.send_response(HTTPStatus.NOT_MODIFIED)
                self.send_header("Vary", "Accept-Encoding")
                self.end_headers()
                return None
            coding = choose_encoding(self.headers.get("Accept-Encoding", ""), self.offered)
            body = COMPRESSED.get(path, fs, coding, f.read) if coding else None
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-type", ctype)
            if body is not None:
                self.send_header("Content-Encoding", coding)
            self.send_header("Content-Length", str(fs.st_size if body is None else len(body)))
            self.send_header("Last-Modified", self.date_time_string(fs.st_mtime))
            self.send_header("Vary", "Accept-Encoding")
            self.end_headers()
            if body is None:
                f.seek(0)
                return f
            f.close()
            return io.BytesIO(body)
        except BaseException:
            f.close()
            raise

    def not_modified(self, fs) -> bool:
        """If-Modified-Since as the base class reads it (it is not reachable from here)."""
        if "If-Modified-Since" not in self.headers or "If-None-Match" in self.headers:
            return False
        try:
            ims = email.utils.parsedate_to_datetime(self.headers["If-Modified-Since"])
        except (TypeError, IndexError, OverflowError, ValueError):
            return False
        if ims.tzinfo is None:
            ims = ims.replace(tzinfo=datetime.timezone.utc)
        if ims.tzinfo is not datetime.timezone.utc:
            return False
        last_modif = datetime.datetime.fromtimestamp(fs.st_mtime, datetime.timezone.utc).replace(microsecond=0)
        return last_modif <= ims

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


class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A browser that closes a connection mid-body (a test that ends while the page still
        # loads a module) is not the server's error: no traceback for it.
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


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
    parser.add_argument("--no-compress", action="store_true", help="send every file uncompressed")
    parser.add_argument("--warm-first", action="store_true",
                        help="compress the page's modules at full quality before taking requests (the bench: every run gets the same bytes)")
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
    offered = encodings_offered(not args.no_compress)
    handler = functools.partial(Handler, directory=os.path.abspath(args.dir), policy=policy, mounts=mounts,
                                offered=offered)
    server = Server((args.addr, args.port), handler)
    COMPRESSED.warm(os.path.abspath(args.dir), offered, wait=args.warm_first)
    headers = "no security headers" if args.no_headers else "CSP header"
    codings = ", ".join(offered) if offered else "uncompressed"
    print(f"serve_app: http://{args.addr}:{args.port}/ (API {' '.join(origins)}; {headers}; {codings})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
