// What a person on a narrow screen would see go wrong: the page scrolling sideways, an element
// reaching past the screen's edge, or text in a table cut off.

/** Each problem in words; empty when everything fits the viewport's width. */
export async function widthProblems(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const found = [];
    if (document.documentElement.scrollWidth > width) found.push(`page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`);
    // Visually hidden (clipped to nothing, as `.fk-visually-hidden` and a phone's table headers
    // are): there for screen readers, never seen.
    const up = (e) => e.parentElement ?? e.getRootNode().host;
    const clippedAway = (el) => {
      for (let e = el; e && e !== document.body; e = up(e)) if (getComputedStyle(e).clip !== 'auto') return true;
      return false;
    };
    // The page's elements and those of every open shadow root (an embedded keyring's, when a
    // test opened them).
    const all = [];
    const collect = (root) => {
      for (const el of root.querySelectorAll('*')) {
        all.push(el);
        if (el.shadowRoot) collect(el.shadowRoot);
      }
    };
    collect(document.body);
    for (const el of all) {
      if (el.closest('dialog:not([open]), [hidden], head, script, style') || clippedAway(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const name = `${el.localName}.${[...el.classList].join('.')} "${(el.textContent ?? '').trim().slice(0, 40)}"`;
      if (r.left < -0.5 || r.right > width + 0.5) found.push(`${name} spans ${Math.round(r.left)}..${Math.round(r.right)}`);
      const style = getComputedStyle(el);
      const clips = ['hidden', 'clip'].includes(style.overflowX) || style.textOverflow === 'ellipsis';
      // A field's own text scrolls inside it, as every field's does.
      const field = ['input', 'textarea', 'select'].includes(el.localName);
      if (el.closest('table') && clips && !field && el.scrollWidth > el.clientWidth + 1) found.push(`${name} is clipped`);
    }
    return found;
  });
}
