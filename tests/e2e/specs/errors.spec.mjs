// A key the API refuses for what it is, not for a fault on the way: the message says which and
// what to do. Status codes, timeouts, dropped connections and CORS are in faults.spec.mjs.
import { test, expect, appUrl, demoKey, screenshot } from '../support/fixtures.mjs';
import { API_BASE } from '../support/env.mjs';
import { addFirstKey, resetDouble } from '../support/flows.mjs';

test.beforeEach(async ({ request }) => resetDouble(request));

test('an expired key is reported as expired, with what to do', async ({ page }) => {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('expired'), expectIdentity: false });
  const alert = page.getByRole('alert').filter({ hasText: /expired/i }).first();
  await expect(alert).toBeVisible({ timeout: 20_000 });
  await expect(alert).toContainText('Request id');
});

test('an expired key is named as expired in its preview, as soon as it is pasted', async ({ page }) => {
  await page.goto(appUrl());
  await page.getByLabel('Paste your key').fill(demoKey('expired'));
  const preview = page.getByRole('region', { name: 'Key preview' });
  await expect(preview.getByRole('status')).toHaveText('This key has expired: Foundry will refuse it. Paste a newer key.');
  // A key that has not expired says nothing of the kind.
  await page.getByLabel('Paste your key').fill(demoKey('member'));
  await expect(preview).toContainText('Token id');
  await expect(preview.getByText('This key has expired')).toHaveCount(0);
});

test('a key that may not read who it is (403 to whoami) is saved, said to work, and its tokens still show', async ({ page, request }) => {
  // whoami requires the read action; a key made to do one job can lack it. Foundry knows the
  // key (403, not 401): it is no refused key, and what it may do still works.
  const member = demoKey('member');
  const made = await request.post(`${API_BASE}/api/v1/tokens/attenuate`, {
    headers: { authorization: `Bearer ${member}` },
    data: { token: member, name: 'create robot', attenuation: { allowed_actions: ['create', 'list'] } },
  });
  expect(made.status()).toBe(201);
  await page.goto(appUrl());
  await addFirstKey(page, { key: member });
  await page.getByRole('button', { name: 'Add a key' }).click();
  await page.getByLabel('Paste your key').fill((await made.json()).token);
  await page.getByLabel('Label').fill('create robot');
  await page.getByRole('button', { name: 'Save key' }).click();
  // Saved as a key that works: straight to it, with no "could not be checked" to acknowledge.
  await expect(page.getByLabel('Key in use').locator('option:checked')).toContainText('create robot', { timeout: 20_000 });
  const notice = page.getByRole('region', { name: 'Who this key belongs to' });
  await expect(notice).toContainText('This key may not say who it belongs to', { timeout: 20_000 });
  await expect(notice).toContainText('Foundry accepts this key');
  await expect(notice).toContainText('Foundry said: insufficient permissions: this token lacks the read action');
  await expect(notice.locator('.fk-request-id')).toHaveText(/^req_/);
  await expect(page.getByRole('region', { name: /^Key added/ })).toHaveCount(0);
  await expect(page.getByText('This key could not be checked')).toHaveCount(0);
  await expect(page.getByRole('alert').filter({ hasText: 'Permission missing' })).toHaveCount(0);
  // token:list is left, so the table reads; revoke is offered, and Foundry answers for it.
  await expect(page.getByRole('row').filter({ hasText: 'create robot' })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole('button', { name: 'Revoke this key…' })).toBeVisible();
  await screenshot(page, 'errors-unreadable-identity');
});
