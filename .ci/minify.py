#!/usr/bin/env python3
"""Trunk post-build hook: minify the JavaScript, CSS and HTML of a release build.

Everything the browser requests before the first screen works counts against its budget
(README "Bench"), and the glue wasm-bindgen writes, the stylesheet and index.html are sent as
written: with their comments, indentation and long local names. esbuild (installed by the
set-up, pinned there) minifies them without changing what they do; Trunk's own minifier cannot
parse wasm-bindgen's module glue and leaves it as it is. Gzip of the first screen's files:
JS 8.1 -> 6.2 kB, CSS 5.1 -> 3.9 kB.

A module keeps its export names (`--format=esm`); a classic script (the key agent's glue and
its loader) keeps its top-level names, which are what the loader calls. Runs before
fix_integrity.py, so the integrity attributes name the minified files. A debug build is left
readable. Without esbuild the build goes on unminified, saying so: the page is the same, only
larger, and CI's size ratchet (.ci/run) notices.
"""
import os
import re
import shutil
import subprocess
import sys

from built import staging_folder

staging = staging_folder("minify")
if os.environ.get("TRUNK_PROFILE", "release") != "release":
    sys.exit(0)

# On PATH as .ci/env.sh puts it there, with Trunk's cargo wrapper; where the set-up installs it
# is said once, in env.sh.
esbuild = shutil.which("esbuild")
if not esbuild:
    print("minify: esbuild not on PATH (run .ci/setup, and build after `source .ci/env.sh`); "
          "leaving the files unminified", file=sys.stderr)
    sys.exit(0)

MODULE = re.compile(r"^\s*(?:import|export)\b|\bimport\.meta\b", re.MULTILINE)


def minify(path, *flags):
    done = subprocess.run(
        [esbuild, path, "--minify", "--log-level=warning", *flags],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"minify: esbuild failed on {path}:\n{done.stderr.decode(errors='replace')}")
    with open(path, "wb") as f:
        f.write(done.stdout)


for root, _, files in os.walk(staging):
    for name in sorted(files):
        path = os.path.join(root, name)
        if name.endswith(".js"):
            with open(path, encoding="utf-8") as f:
                module = MODULE.search(f.read()) is not None
            minify(path, *(["--format=esm"] if module else []))
        elif name.endswith(".css"):
            minify(path)

# index.html: its comments explain the source (index.html in the repository keeps them); the
# browser needs none of them, nor the blank lines Trunk leaves where it replaced a tag.
index = os.path.join(staging, "index.html")
with open(index, encoding="utf-8") as f:
    html = f.read()
html = re.sub(r"<!--.*?-->", "", html, flags=re.DOTALL)
html = "\n".join(line.strip() for line in html.splitlines() if line.strip()) + "\n"
with open(index, "w", encoding="utf-8") as f:
    f.write(html)
