// A key the API refuses for what it is, not for a fault on the way: the message says which and
// what to do. Status codes, timeouts, dropped connections and CORS are in faults.spec.mjs.
import { test, expect, appUrl, demoKey } from '../support/fixtures.mjs';
import { addFirstKey, resetDouble } from '../support/flows.mjs';

test.beforeEach(async ({ request }) => resetDouble(request));

test('an expired key is reported as expired, with what to do', async ({ page }) => {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('expired'), expectIdentity: false });
  const alert = page.getByRole('alert').filter({ hasText: /expired/i }).first();
  await expect(alert).toBeVisible({ timeout: 20_000 });
  await expect(alert).toContainText('Request id');
});
