#!/usr/bin/env python3
"""Trunk post-build hook: make every integrity attribute in index.html match the file it names.

Trunk 0.21 builds the page's three Rust pipelines side by side, and wasm-bindgen writes each
crate snippet (src/ui/handover.js, biscuit-auth's inline0.js) in every one of them, whether that
binary imports it or not. The page's pipeline hashes the snippet for its `integrity` while
another pipeline may have just truncated the same file to rewrite it: a build was seen whose
index.html carried the SHA-384 of the empty string for handover.js, and the browser then
refused the file and the first screen never started. Run after every pipeline has written its
files, this hook hashes the files as they will be served and writes those digests, so the
integrity checks keep protecting against a file changed after the build (a tampering host or
cache) and never against the build itself. A file that an integrity attribute names but the
build does not hold fails the build.
"""
import os
import re
import sys

from built import sri, staging_folder

staging = staging_folder("fix_integrity")
index = os.path.join(staging, "index.html")
with open(index, encoding="utf-8") as f:
    html = f.read()

TAG = re.compile(r"<(?:link|script)\b[^>]*\bintegrity=\"[^\"]*\"[^>]*>")
URL = re.compile(r"\b(?:href|src)=\"([^\"]+)\"")
INTEGRITY = re.compile(r"\bintegrity=\"(sha256|sha384|sha512)-[^\"]*\"")
fixed = 0


def rewrite(match):
    global fixed
    tag = match.group(0)
    url, algo = URL.search(tag), INTEGRITY.search(tag)
    if not url or not algo:
        sys.exit(f"fix_integrity: cannot read {tag}")
    path = os.path.join(staging, url.group(1).split("?")[0].lstrip("/"))
    if not os.path.isfile(path):
        sys.exit(f"fix_integrity: {url.group(1)} has an integrity attribute but is not in the build")
    new = f'integrity="{sri(path, algo.group(1))}"'
    if algo.group(0) != new:
        fixed += 1
        print(f"fix_integrity: {url.group(1)}: the integrity Trunk wrote did not match the file; rewritten")
    return tag[: algo.start()] + new + tag[algo.end():]


html = TAG.sub(rewrite, html)
with open(index, "w", encoding="utf-8") as f:
    f.write(html)
print(f"fix_integrity: every integrity attribute matches its file ({fixed} rewritten)")
