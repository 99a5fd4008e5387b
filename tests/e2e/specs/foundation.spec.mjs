// The first slice of every layer: the page loads cleanly, and the double answers as published.
import { test, expect, appUrl, screenshot } from '../support/fixtures.mjs';
import { API_BASE } from '../support/env.mjs';

test('the page loads with the product name and a labelled key field', async ({ page }) => {
  await page.goto(appUrl());
  await expect(page.getByRole('heading', { level: 1, name: 'Foundry Keyring' })).toBeVisible();
  const field = page.getByLabel('Paste your key');
  await expect(field).toBeVisible();
  await expect(field).toHaveAttribute('type', 'password');
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
  await page.goto(appUrl());
  const named = await page.evaluate(() => [...document.querySelectorAll('[integrity]')]
    .map((el) => ({ url: el.href || el.src, integrity: el.getAttribute('integrity') })));
  expect(named.length, 'the page names its scripts, wasm and style with digests').toBeGreaterThan(3);
  for (const { url, integrity } of named) {
    const body = await (await request.get(url)).body();
    const [algorithm] = integrity.split('-');
    const digest = (await import('node:crypto')).createHash(algorithm).update(body).digest('base64');
    expect(integrity, url).toBe(`${algorithm}-${digest}`);
  }
  await expect(page.getByLabel('Paste your key')).toBeEditable();
});
