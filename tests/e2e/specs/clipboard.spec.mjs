// A copied new token leaves the clipboard even when the page was hidden at the time.
// Chromium lets a page write the clipboard only while its document has focus; a headless page
// never loses focus by itself, so this test plays the browser's rule: while "hidden" (the page
// is behind another tab), writeText is refused as Chromium refuses it, and coming back fires
// `visibilitychange` and `focus` as a real return does.
import { test, expect, appUrl, demoKey } from '../support/fixtures.mjs';
import { addFirstKey, createReadOnlyToken, resetDouble } from '../support/flows.mjs';

test.beforeEach(async ({ request }) => resetDouble(request));

test('a clear that fails while the page is hidden runs again when the person comes back', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.addInitScript(() => {
    let hidden = false;
    Object.defineProperty(document, 'visibilityState', { get: () => (hidden ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { get: () => hidden });
    const hasFocus = Document.prototype.hasFocus;
    document.hasFocus = () => !hidden && hasFocus.call(document);
    const write = navigator.clipboard.writeText.bind(navigator.clipboard);
    navigator.clipboard.writeText = (text) => (hidden
      ? Promise.reject(new DOMException('Document is not focused.', 'NotAllowedError'))
      : write(text));
    window.__setHidden = (value) => {
      hidden = value;
      document.dispatchEvent(new Event('visibilitychange'));
      if (!value) window.dispatchEvent(new Event('focus'));
    };
  });
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  const dialog = await createReadOnlyToken(page, 'copied then hidden');
  await dialog.getByRole('button', { name: 'Copy' }).click();
  await expect(dialog.getByText(/^Copied\./)).toBeVisible();
  // Said in words, so that a failure does not print the token.
  const clipboard = () => page.evaluate(async () => {
    const text = await navigator.clipboard.readText();
    return text === '' ? 'empty' : text.startsWith('abs0_') ? 'the token' : 'something else';
  });
  expect(await clipboard()).toBe('the token');

  await page.evaluate(() => window.__setHidden(true));
  await page.waitForTimeout(300);
  expect(await clipboard(), 'the browser refused the clear while hidden').toBe('the token');

  await page.evaluate(() => window.__setHidden(false));
  await expect.poll(clipboard, { timeout: 5_000 }).toBe('empty');
});

test('a copied new token outlives Done, and leaves the clipboard 30 seconds after the copy or at a lock, never wiping a later copy', async ({ page, context }) => {
  // Copy, then Done, then paste elsewhere is the usual way to keep a new token: closing the
  // dialog must not wipe a copy that has not been pasted yet. The copy still goes on its own.
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.clock.install();
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  const clipboard = () => page.evaluate(async () => {
    const text = await navigator.clipboard.readText();
    return text === '' ? 'empty' : text.startsWith('abs0_') ? 'the token' : 'something else';
  });

  const first = await createReadOnlyToken(page, 'copied then closed');
  await first.getByRole('button', { name: 'Copy' }).click();
  await expect(first.getByText(/^Copied\./)).toBeVisible();
  await first.getByRole('button', { name: 'Done' }).click();
  await expect(first).toBeHidden();
  expect(await clipboard(), 'Done leaves the copy for the person to paste').toBe('the token');
  await page.clock.fastForward('00:25');
  expect(await clipboard()).toBe('the token');
  await page.clock.fastForward('00:06');
  await expect.poll(clipboard, { timeout: 5_000 }).toBe('empty');

  // A token id copied after the token is what the clipboard holds: the token's clear must not
  // wipe it.
  const then = await createReadOnlyToken(page, 'copied then an id copied');
  await then.getByRole('button', { name: 'Copy' }).click();
  await then.getByRole('button', { name: 'Done' }).click();
  await expect(then).toBeHidden();
  expect(await clipboard()).toBe('the token');
  await page.getByRole('button', { name: /^Copy id of / }).first().click();
  await expect.poll(clipboard, { timeout: 5_000 }).toBe('something else');
  await page.clock.fastForward('00:31');
  await page.waitForTimeout(300);
  expect(await clipboard(), 'the id copied after the token stays').toBe('something else');

  const second = await createReadOnlyToken(page, 'copied then locked');
  await second.getByRole('button', { name: 'Copy' }).click();
  await second.getByRole('button', { name: 'Done' }).click();
  await expect(second).toBeHidden();
  expect(await clipboard()).toBe('the token');
  await page.getByRole('button', { name: 'Lock', exact: true }).click();
  await expect(page.getByLabel('Passphrase')).toBeVisible();
  await expect.poll(clipboard, { timeout: 5_000 }).toBe('empty');
});
