"""What the post-build hooks share (Trunk.toml): the staging folder they rewrite, and the
digest of a built file as a browser checks it (Subresource Integrity)."""
import base64
import hashlib
import os
import sys


def staging_folder(hook):
    """Trunk's staging folder (TRUNK_STAGING_DIR), or a dist folder given as the argument."""
    folder = os.environ.get("TRUNK_STAGING_DIR") or (sys.argv[1] if len(sys.argv) > 1 else None)
    if not folder:
        sys.exit(f"{hook}: TRUNK_STAGING_DIR is not set (run from a Trunk hook, or give the dist folder)")
    return folder


def sri(path, algorithm="sha384"):
    """The `integrity` value of the file at `path`: `<algorithm>-<base64 digest>`."""
    with open(path, "rb") as f:
        return f"{algorithm}-" + base64.b64encode(hashlib.new(algorithm, f.read()).digest()).decode()
