#!/usr/bin/env python3
"""Trunk post-build hook: the key agent's loader (`*_loader.js`, data-loader-shim), made fit to
ship.

Trunk 0.21 starts the worker's WebAssembly with wasm-bindgen's positional argument, which
wasm-bindgen 0.2.9x deprecates with a console warning each time a key agent starts; it gets the
object form wasm-bindgen asks for. (The page's own boot is .ci/write_boot.py's.)
"""
import glob
import os
import re
import sys

staging = os.environ.get("TRUNK_STAGING_DIR")
if not staging:
    sys.exit("fix_loaders: TRUNK_STAGING_DIR is not set (run from a Trunk hook)")

positional = re.compile(r'wasm_bindgen\(("[^"]+")\)')
for loader in glob.glob(os.path.join(staging, "*_loader.js")):
    with open(loader, encoding="utf-8") as f:
        script = f.read()
    script, count = positional.subn(r"wasm_bindgen({module_or_path:\1})", script)
    if count != 1:
        sys.exit(f"fix_loaders: {os.path.basename(loader)} is not the loader Trunk 0.21 writes")
    with open(loader, "w", encoding="utf-8") as f:
        f.write(script)
    print(f"fix_loaders: {os.path.basename(loader)} starts its module with an options object")
