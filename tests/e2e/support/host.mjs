// The example host page (tests/embed/index.html) with two <foundry-keyring> elements, as the
// embedding specs open it.
import { expect } from '@playwright/test';
import { API_BASE } from './env.mjs';

export const HOST_PAGE = '/examples/';
// The example page names the README's double (.ci/serve) in its elements' api-base, as an
// integrator writes the base into the page; each test worker has a double of its own.
export const EXAMPLE_API_BASE = 'http://127.0.0.1:8787';

/** Playwright's locators do not enter closed shadow roots. Tests that drive the keyring
 *  through its UI open them, the way any script that runs before the element module can
 *  (README "Embedding" says so); the closed-root tests do not. */
async function openShadowRoots(page) {
  await page.addInitScript(() => {
    const attach = Element.prototype.attachShadow;
    Element.prototype.attachShadow = function attachOpen(init) {
      return attach.call(this, { ...init, mode: 'open' });
    };
  });
}

/** The example host page, with its api-base pointed at this worker's double: rewritten in the
 *  markup as the parser inserts it, before the element module (deferred) mounts anything.
 *  (Serving a rewritten page through page.route would make Chromium treat it as a public
 *  page, which may not call a loopback API.) */
export async function openHostPage(page, { openRoots = true } = {}) {
  if (openRoots) await openShadowRoots(page);
  await page.addInitScript(([from, to]) => {
    new MutationObserver(() => {
      for (const element of document.querySelectorAll(`foundry-keyring[api-base="${from}"]`)) element.setAttribute('api-base', to);
    }).observe(document, { childList: true, subtree: true });
  }, [EXAMPLE_API_BASE, API_BASE]);
  await page.goto(HOST_PAGE);
  const bases = await page.evaluate(() => [...document.querySelectorAll('foundry-keyring')].map((element) => element.getAttribute('api-base')));
  expect(bases, `the example page names ${EXAMPLE_API_BASE}`).toEqual([API_BASE, API_BASE]);
}
