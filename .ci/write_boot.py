#!/usr/bin/env python3
"""Trunk post-build hook: the page's boot script, which loads one of the two first screens.

The first screen is two modules (index.html): the paste form for a first visit
(`foundry-keyring`, Trunk's "main") and the unlock form for a returning one
(`foundry-keyring-unlock`), so that a visit fetches only the form it shows. Which one is known
only in the browser, by whether a keyring is stored, so Trunk's boot of the main module goes:
- its inline <script type="module"> (a strict Content-Security-Policy, script-src 'self'
  'wasm-unsafe-eval' without 'unsafe-inline', blocks inline scripts anyway; Trunk 0.21 cannot
  write it as a file: trunk-rs/trunk#288), and its <link rel="modulepreload"> and wasm
  <link rel="preload"> tags, which would fetch the paste form on every visit;
- in their place, boot-<digest>.js: it looks for the standalone page's stored keyring, then
  preloads the chosen module and the snippets it imports with their integrity digests (as
  Trunk's tags did), fetches its WebAssembly with its digest (which a wasm preload cannot
  carry: Chromium ignores it there), starts it, and sets `window.wasmBindings` and the
  `TrunkApplicationStarted` event as Trunk's boot did.
A wrong guess costs no flow: a module that finds the other state hands over to the full app
(`ui::handover::KeyringInApp`).

The unlock module, a Trunk "worker" build, is written without a digest in its name; it gets
one here, so a cached copy of an older build is never taken for it. Runs after minify.py (the
digests are those of the files as served) and before fix_integrity.py.
"""
import hashlib
import os
import re
import sys

from built import sri, staging_folder

staging = staging_folder("write_boot")
index = os.path.join(staging, "index.html")
with open(index, encoding="utf-8") as f:
    html = f.read()

# Where the standalone page keeps its keyring: `Namespace::storage_key` of the namespace
# `Options::standalone_from_query` always uses (src/vault/namespace.rs, src/ui/options.rs).
# firstscreen.spec checks that each visit fetches its own module, so a change there that is not
# made here fails the suite instead of quietly costing returning visits the paste form's bytes.
STORED_KEYRING = "foundry-keyring/default/keyring"
UNLOCK = "foundry-keyring-unlock"


def read(name):
    with open(os.path.join(staging, name.lstrip("/")), "rb") as f:
        return f.read()


def integrity(name):
    return sri(os.path.join(staging, name.lstrip("/")))


# Trunk's boot of the main module: the module and its WebAssembly.
inline = re.compile(r"<script type=\"module\"(?![^>]*\bsrc=)[^>]*>(?P<body>.*?)</script>\s*", re.S)
scripts = list(inline.finditer(html))
if len(scripts) != 1:
    sys.exit(f"write_boot: expected Trunk's one inline module script, found {len(scripts)}")
body = scripts[0].group("body")
main_js = re.search(r"['\"](/[^'\"]+\.js)['\"]", body)
main_wasm = re.search(r"['\"](/[^'\"]+_bg\.wasm)['\"]", body)
if not main_js or not main_wasm:
    sys.exit("write_boot: Trunk's inline boot does not name a module and its WebAssembly")
at = scripts[0].start()
html = html[:at] + "<!--boot-->" + html[scripts[0].end():]

# Its preloads: they would fetch the paste form's module on every visit.
preload = re.compile(r"<link rel=\"(?:modulepreload|preload)\"[^>]*>\s*")
html = preload.sub("", html)

# The unlock module, named by its content.
unlock_js, unlock_wasm = f"{UNLOCK}.js", f"{UNLOCK}_bg.wasm"
if not os.path.isfile(os.path.join(staging, unlock_js)):
    sys.exit(f"write_boot: {unlock_js} is not in the build")
digest = hashlib.sha256(read(unlock_js) + read(unlock_wasm)).hexdigest()[:16]
for old, new in ((unlock_js, f"{UNLOCK}-{digest}.js"), (unlock_wasm, f"{UNLOCK}-{digest}_bg.wasm")):
    os.replace(os.path.join(staging, old), os.path.join(staging, new))
unlock_js, unlock_wasm = f"/{UNLOCK}-{digest}.js", f"/{UNLOCK}-{digest}_bg.wasm"


def module(js, wasm):
    """What the boot needs of one module: its JS, its WebAssembly, and what to preload."""
    imports = re.findall(r"\bfrom\s*[\"']\./(snippets/[^\"']+)[\"']", read(js).decode("utf-8"))
    preloads = [js] + [f"/{path}" for path in imports]
    return "[%s,%s,[%s]]" % (
        f'"{js}"',
        f'["{wasm}","{integrity(wasm)}"]',
        ",".join(f'["{p}","{integrity(p)}"]' for p in preloads),
    )


# Compact by hand: it is on the first screen's path, and minify.py has run already. A module
# that does not arrive, or arrives other than built (its digest refused), leaves a message where
# the first screen would have been, not an empty page.
boot = (
    "let stored=!1;"
    f'try{{stored=localStorage.getItem("{STORED_KEYRING}")!==null}}catch{{}}'
    f"const[js,wasm,preloads]=stored?{module(unlock_js, unlock_wasm)}:{module(main_js.group(1), main_wasm.group(1))};"
    "const el=(tag,cls,text)=>{const e=document.createElement(tag);e.className=cls;e.textContent=text??\"\";return e};"
    "for(const[href,integrity]of preloads){"
    'const l=document.createElement("link");'
    'l.rel="modulepreload";l.crossOrigin="anonymous";l.href=href;l.integrity=integrity;'
    "document.head.append(l)}"
    "try{"
    "const bytes=fetch(wasm[0],{integrity:wasm[1]});"
    "bytes.catch(()=>{});"
    "const bindings=await import(js);"
    "const started=await bindings.default({module_or_path:bytes});"
    "window.wasmBindings=bindings;"
    'dispatchEvent(new CustomEvent("TrunkApplicationStarted",{detail:{wasm:started}}))'
    "}catch(error){"
    'const page=el("div","fk fk-page"),box=el("div","fk-alert fk-error");'
    'box.setAttribute("role","alert");'
    'box.append(el("p","fk-alert-title","Foundry Keyring did not start"),'
    'el("p","","Part of this page did not arrive, or arrived changed (the connection may have dropped). Reload the page to try again."));'
    "page.append(box);document.body.append(page);"
    "console.error(error)}\n"
)
name = f"boot-{hashlib.sha256(boot.encode()).hexdigest()[:16]}.js"
with open(os.path.join(staging, name), "w", encoding="utf-8") as f:
    f.write(boot)
html = html.replace("<!--boot-->", f'<script type="module" src="/{name}"></script>\n')
if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html):
    sys.exit("write_boot: an inline script is still left in index.html")
with open(index, "w", encoding="utf-8") as f:
    f.write(html)
print(f"write_boot: {name} loads {main_js.group(1)} on a first visit, {unlock_js} on a returning one")
