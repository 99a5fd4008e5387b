// Plain words: the main path speaks to a scientist, not to a Biscuit implementer. The exact
// terms stay one click away (closed disclosures), where a person who wants them looks.
import { test, expect, appUrl, demoKey, screenshot } from '../support/fixtures.mjs';
import { resetDouble, PASSPHRASE } from '../support/flows.mjs';

test.beforeEach(async ({ request }) => resetDouble(request));

/** Words that belong to the implementation, not to the person, as whole words. */
const JARGON = /\b(datalog|attenuat\w*|mint\w*|family|root)\b/i;

/** The text a person sees: innerText leaves out what is hidden, closed disclosures included. */
const visibleText = (page) => page.locator('body').innerText();

test('adding a key: required fields are marked, an empty label names the organisation and role, the strength hint says each thing once', async ({ page }) => {
  await page.goto(appUrl());
  const key = page.getByLabel('Paste your key');
  await expect(key).toHaveAttribute('required', '');
  await expect(page.getByText('Fields marked * are required')).toBeVisible();
  await key.fill(demoKey('member'));
  // The label is optional and says what it becomes.
  await expect(page.getByLabel('Label')).not.toHaveAttribute('required', '');
  await expect(page.getByText('Optional: left empty, it is the organisation and role')).toBeVisible();
  const passphrase = page.getByLabel('Passphrase', { exact: true });
  await expect(passphrase).toHaveAttribute('required', '');
  await passphrase.fill(PASSPHRASE);
  const hint = page.locator('#fk-strength');
  await expect(hint).toHaveText(/^Strength: Strong\. Store it in your password manager/);
  await expect(hint).not.toContainText('Strong. Strong.');
  await page.getByLabel('Confirm passphrase').fill(PASSPHRASE);
  expect(JARGON.exec(await visibleText(page)), 'jargon on the first screen').toBeNull();
  await page.getByRole('button', { name: 'Save key' }).click();
  await expect(page.getByLabel('Key in use')).toContainText('Acme Biotech member', { timeout: 20_000 });
  await expect(page.getByRole('table').locator('tbody tr').first()).toBeVisible({ timeout: 20_000 });
  await screenshot(page, 'words-unlocked');
  const jargon = JARGON.exec(await visibleText(page));
  expect(jargon && jargon[0], 'jargon on the unlocked page').toBeNull();
});
