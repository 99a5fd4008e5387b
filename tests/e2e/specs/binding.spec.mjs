// Point 1 of the second security round: a key goes only to the API base it was saved for.
// A crafted link (`?api=`) never moves a saved key; rebinding is a confirmed act naming the host;
// a key pasted while the page points at a non-default base says so before it is saved. And
// what a static host with no headers serves: the build's own <meta> CSP, and a framed page
// that takes no input.
import { test, expect, appUrl, demoKey, screenshot } from '../support/fixtures.mjs';
import { addFirstKey, resetDouble, unlock } from '../support/flows.mjs';
import { startRecorder } from '../support/recorder.mjs';
import { API_BASE, FOREIGN_PORT, STATIC_BASE } from '../support/env.mjs';

test.beforeEach(async ({ request }) => resetDouble(request));

const identity = (page) => page.getByRole('heading', { name: 'Who this key belongs to' });
const unlockHeading = (page) => page.getByRole('heading', { name: 'Unlock your keyring' });
/** This build's default API (.ci/run builds with FOUNDRY_API_BASE=http://127.0.0.1:8787). */
const BUILD_DEFAULT = 'http://127.0.0.1:8787';

let recorder;
test.afterEach(async () => {
  await recorder?.close();
  recorder = undefined;
});

test('a crafted ?api= link does not move a saved key: it still goes only where it was saved for', async ({ page }) => {
  recorder = await startRecorder();
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });

  // The attacker's link: the same page, pointed at another host that the CSP allows.
  await page.goto(`/?api=${encodeURIComponent(recorder.base)}`);
  await expect(unlockHeading(page)).toBeVisible();
  await unlock(page);
  await expect(identity(page)).toBeVisible({ timeout: 20_000 });
  const notice = page.getByRole('status').filter({ hasText: 'This page points at another API than your key' });
  await expect(notice).toContainText(`\u201clab member\u201d is saved for ${API_BASE} and is sent only there.`);
  await expect(notice).toContainText(`This page was opened for ${recorder.base}; nothing has been sent to it.`);
  await screenshot(page, 'crafted-link-key-stays-bound');
  expect(recorder.hits(), 'the other host got nothing').toEqual([]);

  // Cancelling the confirmation changes nothing.
  await notice.getByRole('button', { name: `Use this key with ${recorder.base}…` }).click();
  const dialog = page.getByRole('dialog', { name: `Send \u201clab member\u201d to ${recorder.base}?` });
  await expect(dialog).toContainText('Whoever runs that server can use the key with all its rights.');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await page.waitForTimeout(300);
  expect(recorder.hits()).toEqual([]);

  // "Go back" points the page at the key's own API again.
  await notice.getByRole('button', { name: `Go back to ${API_BASE}` }).click();
  await expect(notice).toHaveCount(0);
  await expect(page).toHaveURL(new RegExp(`api=${encodeURIComponent(API_BASE)}`));
  expect(recorder.hits()).toEqual([]);
});

test('rebinding a key is a deliberate act that names the host, and only then does the key go there', async ({ page }) => {
  recorder = await startRecorder();
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  await page.goto(`/?api=${encodeURIComponent(recorder.base)}`);
  await unlock(page);
  await expect(identity(page)).toBeVisible({ timeout: 20_000 });
  expect(recorder.hits()).toEqual([]);

  const notice = page.getByRole('status').filter({ hasText: 'This page points at another API than your key' });
  await notice.getByRole('button', { name: `Use this key with ${recorder.base}…` }).click();
  const dialog = page.getByRole('dialog', { name: `Send \u201clab member\u201d to ${recorder.base}?` });
  await dialog.getByRole('button', { name: `Send it to ${recorder.base}` }).click();
  await expect(notice).toHaveCount(0);
  await expect.poll(() => recorder.hits().filter((h) => h.headers.authorization).length, { timeout: 10_000 }).toBeGreaterThan(0);
  expect(recorder.hits().find((h) => h.headers.authorization).headers.authorization).toBe(`Bearer ${demoKey('member')}`);
  // The binding is stored: after a reload on the plain page, the key still goes there.
  const before = recorder.hits().length;
  await page.goto(appUrl());
  await unlock(page);
  await expect(page.getByRole('status').filter({ hasText: `is saved for ${recorder.base}` })).toBeVisible({ timeout: 20_000 });
  await expect.poll(() => recorder.hits().length).toBeGreaterThan(before);
});

test('a key pasted while the page points at a non-default API says so before it is saved; the default says where keys go', async ({ page }) => {
  await page.goto(`/?api=${encodeURIComponent(API_BASE)}`);
  await page.getByLabel('Paste your key').fill(demoKey('member'));
  const warning = page.getByRole('status').filter({ hasText: 'This key will be saved for a non-default API' });
  await expect(warning).toContainText(`It will be sent to ${API_BASE} and nowhere else, not to the default ${BUILD_DEFAULT}.`);
  await screenshot(page, 'paste-on-non-default-api');

  await page.goto('/');
  await page.getByLabel('Paste your key').fill(demoKey('member'));
  await expect(page.getByText(`This key will be sent only to ${BUILD_DEFAULT}.`)).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'non-default API' })).toHaveCount(0);
});

// ---------------------------------------------------------------------------------------------
// A static host that sends no headers (serve_app.py --no-headers): only what the build wrote into
// the page protects it.

test('static host: the page\'s own <meta> CSP lets it reach only itself and the configured APIs', async ({ page, request, pageProblems }) => {
  const response = await request.get(`${STATIC_BASE}/`);
  expect(response.headers()['content-security-policy'], 'a bare static host sends no CSP header').toBeUndefined();
  const html = await response.text();
  const metas = [...html.matchAll(/<meta http-equiv="Content-Security-Policy" content="([^"]*)"/g)].map((m) => m[1]);
  expect(metas).toHaveLength(1);
  const directives = Object.fromEntries(metas[0].split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
  const connect = directives['connect-src'];
  expect(connect[0]).toBe("'self'");
  expect(connect).toContain(BUILD_DEFAULT);
  expect(connect).toContain(API_BASE);
  for (const source of connect.slice(1)) {
    expect(source, 'an exact origin, no scheme or port wildcard').toMatch(/^https?:\/\/[a-z0-9.-]+(:\d+)?$/);
  }
  expect(directives['script-src']).toEqual(["'self'", "'wasm-unsafe-eval'"]);
  expect(directives['object-src']).toEqual(["'none'"]);
  expect(directives['base-uri']).toEqual(["'none'"]);
  // The policy the page runs under is that one: an origin the build did not list is out of
  // reach, and the browser says so.
  recorder = await startRecorder(FOREIGN_PORT - 50);
  await page.goto(`${STATIC_BASE}/?api=${encodeURIComponent(API_BASE)}`);
  await expect(page.getByLabel('Paste your key')).toBeVisible();
  await page.evaluate((url) => fetch(url, { mode: 'no-cors' }).catch(() => 'refused'), `${recorder.base}/probe`);
  await page.waitForTimeout(300);
  expect(recorder.hits(), 'an unlisted origin is unreachable').toEqual([]);
  expectCspBlocked(pageProblems);
});

/** The browser's CSP stopped a connection and said so: expected, so taken off the fixture's list. */
function expectCspBlocked(pageProblems) {
  const expected = (p) => p.startsWith('CSP violation: connect-src') || /Content Security Policy/.test(p);
  expect(pageProblems.filter((p) => p.startsWith('CSP violation: connect-src')).length).toBeGreaterThan(0);
  pageProblems.splice(0, pageProblems.length, ...pageProblems.filter((p) => !expected(p)));
}

test('static host: a crafted link to an unlisted API cannot receive a pasted key', async ({ page, pageProblems }) => {
  // Not in the build's list (only the doubles' and the listed stand-ins' ports are).
  recorder = await startRecorder(FOREIGN_PORT - 50);
  await page.goto(`${STATIC_BASE}/?api=${encodeURIComponent(recorder.base)}`);
  await page.getByLabel('Paste your key').fill(demoKey('member'));
  await expect(page.getByRole('status').filter({ hasText: 'This key will be saved for a non-default API' })).toContainText(recorder.base);
  await addFirstKey(page, { key: demoKey('member'), sessionOnly: true, expectIdentity: false });
  // The page's <meta> policy binds the page only; the key agent (a worker) applies the same
  // connect-src itself, so it refuses before anything leaves, and the page says why. The key is
  // not kept: bound to that address it could never be used from this page.
  const blocked = page.getByRole('alert').filter({ hasText: 'The key was not added' });
  await expect(blocked).toContainText('is not an address this page may reach', { timeout: 20_000 });
  await screenshot(page, 'static-host-unlisted-api-blocked');
  await expect(page.getByLabel('Key in use')).toHaveCount(0);
  await blocked.getByRole('button', { name: 'Go back' }).click();
  await expect(blocked).toHaveCount(0);
  await expect(page.getByLabel('Paste your key')).toBeFocused();
  await expect(page.getByLabel('Paste your key')).toHaveValue('');
  await page.waitForTimeout(500);
  expect(recorder.hits(), 'nothing reached the unlisted host').toEqual([]);
  pageProblems.splice(0, pageProblems.length, ...pageProblems.filter((p) => !p.startsWith('CSP violation: connect-src')));
});

test('static host: a page framed by another site shows nothing that takes input', async ({ page }) => {
  const frameUrl = `${STATIC_BASE}/?api=${encodeURIComponent(API_BASE)}`;
  // Another site, on this machine (Chromium keeps a public page from framing a local one, so the
  // attacker is local too; what matters is that it is another origin).
  recorder = await startRecorder(FOREIGN_PORT - 100, {
    page: `<!doctype html><title>Free lab credits</title><h1>Paste your key below</h1><iframe title="keyring" src="${frameUrl}" width="900" height="600"></iframe>`,
  });
  await page.goto(`${recorder.base}/free-credits.html`);
  const frame = page.frameLocator('iframe[title="keyring"]');
  await expect(frame.getByRole('alert')).toContainText('Foundry Keyring does not run inside another page');
  await expect(frame.getByRole('link', { name: 'Open Foundry Keyring in a new tab' })).toBeVisible();
  await expect(frame.locator('input, textarea, select, button, [contenteditable]')).toHaveCount(0);
  await screenshot(page, 'static-host-framed');
});
