// Bad input is normal input: each failure gets a clear message, the request id, a way forward,
// and the stored keyring is left exactly as it was.
import { test, expect, appUrl, demoKey, screenshot } from '../support/fixtures.mjs';
import { addFirstKey, resetDouble, injectFault, unlock } from '../support/flows.mjs';
import { API_BASE } from '../support/env.mjs';

test.beforeEach(async ({ request }) => resetDouble(request));

const storedKeyring = (page) => page.evaluate(() => JSON.stringify(Object.entries(localStorage)));

test('a 500 shows what happened, the request id and a retry that works', async ({ page, request }) => {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  const before = await storedKeyring(page);
  // The client retries a failing GET itself (3 tries): fail all of them.
  await injectFault(request, { kind: 'status', status: 500, count: 3, path: '/api/v1/whoami' });
  await page.getByRole('button', { name: 'Lock' }).click();
  await unlock(page);
  const alert = page.getByRole('alert').filter({ hasText: 'Request id' }).first();
  await expect(alert).toBeVisible({ timeout: 30_000 });
  await expect(alert.locator('.fk-request-id')).toHaveText(/^req_/);
  await screenshot(page, 'flow9-server-error');
  await alert.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByRole('heading', { name: 'Who this key belongs to' })).toBeVisible({ timeout: 20_000 });
  expect(await storedKeyring(page)).toBe(before);
});

test('an expired key is reported as expired, with what to do', async ({ page }) => {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('expired'), expectIdentity: false });
  const alert = page.getByRole('alert').filter({ hasText: /expired/i }).first();
  await expect(alert).toBeVisible({ timeout: 20_000 });
  await expect(alert).toContainText('Request id');
});

test('a blocked (CORS) API is explained, with the proxy way out', async ({ page, request }) => {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  await request.post(`${API_BASE}/__control/cors`, { data: { allow: false } });
  await page.getByRole('button', { name: 'Lock' }).click();
  await unlock(page);
  const alert = page.getByRole('alert').filter({ hasText: /CORS|blocked/ }).first();
  await expect(alert).toBeVisible({ timeout: 30_000 });
  await expect(alert).toContainText(/proxy/i);
  await screenshot(page, 'flow9-cors');
});
