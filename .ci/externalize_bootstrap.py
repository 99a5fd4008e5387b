#!/usr/bin/env python3
"""Trunk post-build hook: the two boot scripts Trunk writes, made fit to ship.

- The page's: Trunk's inline bootstrap <script type="module"> moves into a file. A strict
  Content-Security-Policy (script-src 'self' 'wasm-unsafe-eval', no 'unsafe-inline') blocks
  inline scripts, and Trunk 0.21 has no option to emit the loader as a file
  (trunk-rs/trunk#288). The script's content is hashed into its name so caches stay correct.
- A worker's (`*_loader.js`, data-loader-shim): Trunk 0.21 starts the worker's WebAssembly with
  wasm-bindgen's positional argument, which wasm-bindgen 0.2.9x deprecates with a console
  warning each time a key agent starts; it gets the object form wasm-bindgen asks for.
"""
import glob
import hashlib
import os
import re
import sys

staging = os.environ.get("TRUNK_STAGING_DIR")
if not staging:
    sys.exit("externalize_bootstrap: TRUNK_STAGING_DIR is not set (run from a Trunk hook)")
index = os.path.join(staging, "index.html")
with open(index, encoding="utf-8") as f:
    html = f.read()

pattern = re.compile(r"<script type=\"module\"(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)
scripts = [m for m in pattern.finditer(html) if "src=" not in m.group("attrs")]
if len(scripts) != 1:
    sys.exit(f"externalize_bootstrap: expected one inline module script, found {len(scripts)}")

match = scripts[0]
body = match.group("body").strip() + "\n"
digest = hashlib.sha256(body.encode()).hexdigest()[:16]
name = f"boot-{digest}.js"
with open(os.path.join(staging, name), "w", encoding="utf-8") as f:
    f.write(body)
html = html[: match.start()] + f'<script type="module" src="/{name}"></script>' + html[match.end():]
if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html):
    sys.exit("externalize_bootstrap: an inline script is still left in index.html")
with open(index, "w", encoding="utf-8") as f:
    f.write(html)
print(f"externalize_bootstrap: inline loader moved to {name}")

positional = re.compile(r'wasm_bindgen\(("[^"]+")\)')
for loader in glob.glob(os.path.join(staging, "*_loader.js")):
    with open(loader, encoding="utf-8") as f:
        script = f.read()
    script, count = positional.subn(r"wasm_bindgen({module_or_path:\1})", script)
    if count != 1:
        sys.exit(f"externalize_bootstrap: {os.path.basename(loader)} is not the loader Trunk 0.21 writes")
    with open(loader, "w", encoding="utf-8") as f:
        f.write(script)
    print(f"externalize_bootstrap: {os.path.basename(loader)} starts its module with an options object")
