#!/usr/bin/env python3
"""The embedded keyring's stylesheet: style/main.css, and its phone-width rules once more for a
keyring in a narrow tile on a wide screen.

The page follows the screen's width (`@media (max-width: 40rem)`). An element in a host's
sidebar or tile is narrow whatever the screen, so the element module marks its container
`.fk-narrow` while the element itself is at most 40rem wide (a ResizeObserver in
src/embed/foundry-keyring-element.js). Each rule of each such media block is appended again
with its selectors under `.fk-narrow`, after everything else, so that it wins as the media
rule does. CSS container queries would say this in one line, but the containment they need
takes the keyring's content out of its size (README, "Embedding").

    python3 .ci/embed_css.py style/main.css > dist/embed/foundry-keyring.css
"""
import re
import sys

NARROW_MEDIA = "@media (max-width: 40rem)"


def blocks(css):
    """(prelude, body) of each top-level block: `body` is what is between its braces."""
    pos = 0
    while True:
        open_at = css.find("{", pos)
        if open_at < 0:
            return
        depth, i = 1, open_at + 1
        while depth:
            if css[i] == "{":
                depth += 1
            elif css[i] == "}":
                depth -= 1
            i += 1
        yield css[pos:open_at].strip(), css[open_at + 1 : i - 1]
        pos = i


def split_selectors(prelude):
    """A selector list split at its top-level commas (not those inside `:is(...)` and the like)."""
    parts, depth, current = [], 0, ""
    for ch in prelude:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    parts.append(current.strip())
    return parts


def narrow_rules(css):
    """The rules of every phone-width media block, each selector under `.fk-narrow`."""
    out = []
    for prelude, body in blocks(css):
        if prelude != NARROW_MEDIA:
            continue
        for selector, declarations in blocks(body):
            if selector.startswith("@"):
                sys.exit(f"embed_css: a nested {selector!r} in {NARROW_MEDIA} is not supported")
            under = ", ".join(f".fk-narrow {s}" for s in split_selectors(selector))
            out.append(f"{under} {{{declarations}}}")
    return out


def main():
    css = open(sys.argv[1], encoding="utf-8").read()
    without_comments = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules = narrow_rules(without_comments)
    if not rules:
        sys.exit(f"embed_css: no {NARROW_MEDIA} block in {sys.argv[1]}")
    sys.stdout.write(css)
    sys.stdout.write(
        "\n/* Written by .ci/embed_css.py: the phone-width rules above, for a keyring whose"
        " element is at most 40rem wide on any screen (.fk-narrow). */\n"
    )
    sys.stdout.write("\n".join(rules) + "\n")


if __name__ == "__main__":
    main()
