// The first slice of every layer: the page loads cleanly, and the double answers as published.
import { test, expect, appUrl, screenshot } from '../support/fixtures.mjs';
import { API_BASE } from '../support/env.mjs';

test('the page loads with the product name and a labelled key field', async ({ page }) => {
  await page.goto(appUrl());
  await expect(page.getByRole('heading', { level: 1, name: 'Foundry Keyring' })).toBeVisible();
  const field = page.getByLabel('Paste your key');
  await expect(field).toBeVisible();
  await screenshot(page, 'first-visit');
});

test('the page is served with a strict Content-Security-Policy', async ({ page }) => {
  const response = await page.goto(appUrl());
  const policy = response.headers()['content-security-policy'] ?? '';
  expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(policy).toContain(`connect-src 'self' ${API_BASE}`);
  expect(policy).toContain("frame-ancestors 'none'");
  expect(policy).not.toContain('unsafe-inline');
  expect(policy).not.toContain("'unsafe-eval'");
  const inlineScripts = await page.locator('script:not([src])').count();
  expect(inlineScripts).toBe(0);
});

test('the double answers health without a key', async ({ request }) => {
  const response = await request.get(`${API_BASE}/api/v1/info/health`);
  expect(response.status()).toBe(200);
  expect(await response.json()).toEqual({ status: 'ok' });
});

for (const [what, headers] of [
  ['a missing key', {}],
  ['a garbled key', { Authorization: 'Bearer abs0_not-a-biscuit' }],
]) {
  test(`the double answers whoami with ${what} by 401 and the error envelope`, async ({ request }) => {
    const response = await request.get(`${API_BASE}/api/v1/whoami`, { headers });
    expect(response.status()).toBe(401);
    const body = await response.json();
    expect(Object.keys(body).sort()).toEqual(['error', 'request_id']);
    expect(body.error).toBeTruthy();
    expect(body.request_id).toMatch(/^req_[0-9a-f-]{36}$/);
    expect(response.headers()['x-request-id']).toBe(body.request_id);
  });
}

test('every file the page names with an integrity digest is served with exactly that digest', async ({ page, request }) => {
  // A digest that does not match makes the browser refuse the file, and the first screen never
  // starts (a build once hashed a snippet while another of Trunk's pipelines was rewriting it).
  // The page names its stylesheet; its boot script (.ci/write_boot.py) names both first screens'
  // modules, their WebAssembly and the snippets they import.
  await page.goto(appUrl());
  const named = await page.evaluate(() => [...document.querySelectorAll('link[integrity]')]
    .map((el) => ({ url: el.href, integrity: el.getAttribute('integrity') })));
  const bootUrl = await page.locator('script[type="module"][src]').getAttribute('src');
  const boot = await (await request.get(bootUrl)).text();
  for (const [, path, integrity] of boot.matchAll(/\["(\/[^"]+)","(sha\d+-[^"]+)"\]/g)) {
    named.push({ url: new URL(path, page.url()).href, integrity });
  }
  const wasm = named.filter(({ url }) => url.endsWith('_bg.wasm'));
  expect(wasm.length, 'both first screens\' WebAssembly carry a digest').toBe(2);
  expect(named.length, 'the page names its scripts, wasm and style with digests').toBeGreaterThan(6);
  for (const { url, integrity } of named) {
    const body = await (await request.get(url)).body();
    const [algorithm] = integrity.split('-');
    const digest = (await import('node:crypto')).createHash(algorithm).update(body).digest('base64');
    expect(integrity, url).toBe(`${algorithm}-${digest}`);
  }
  await expect(page.getByLabel('Paste your key')).toBeEditable();
});

test('a first screen whose WebAssembly arrives changed is refused, and the page says so instead of staying blank', async ({ page, pageProblems }) => {
  // The paste form's module: Trunk's hash in its name has no leading zeros, so 1 to 16 digits.
  await page.route(/\/foundry-keyring-[0-9a-f]{1,16}_bg\.wasm$/, async (route) => {
    const response = await route.fetch();
    const body = Buffer.from(await response.body());
    body[body.length - 1] ^= 0xff;
    await route.fulfill({ response, body });
  });
  await page.goto(appUrl());
  const refused = page.getByRole('alert').filter({ hasText: 'Foundry Keyring did not start' });
  await expect(refused).toContainText('Reload the page to try again.');
  await expect(page.getByLabel('Paste your key')).toHaveCount(0);
  // Chromium's refusal of the digest, and the boot's report of it.
  pageProblems.splice(0, pageProblems.length, ...pageProblems.filter((p) => !/integrity|digest|Failed to fetch|TypeError/i.test(p)));
});
