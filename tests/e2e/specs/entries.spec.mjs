// What a new entry of the keyring inherits, and what "Set a passphrase and keep" keeps.
import { test, expect, appUrl, demoKey, screenshot } from '../support/fixtures.mjs';
import { addFirstKey, createReadOnlyToken, resetDouble, unlock, PASSPHRASE } from '../support/flows.mjs';
import { readStored } from '../support/security.mjs';
import { API_BASE } from '../support/env.mjs';
import { widthProblems } from '../support/layout.mjs';

test.beforeEach(async ({ request }) => resetDouble(request));

test('a token made from a partner key is kept as a partner key, bound to the same API', async ({ page }) => {
  await page.goto(appUrl());
  await page.getByLabel('Paste your key').fill(demoKey('member'));
  await page.getByLabel('Used for').selectOption({ label: 'Partner key (creates keys for others)' });
  await addFirstKey(page, { key: demoKey('member'), label: 'partner main' });
  const dialog = await createReadOnlyToken(page, 'partner child');
  await dialog.getByRole('button', { name: 'Add to keyring' }).click();
  await expect(dialog.getByText('Added "partner child" to the keyring.')).toBeVisible();
  await dialog.getByRole('button', { name: 'Done' }).click();

  await page.getByRole('button', { name: 'Manage keyring' }).click();
  const row = page.getByRole('row').filter({ hasText: 'partner child' });
  await expect(row.getByText('partner', { exact: true })).toBeVisible();
  // Bound where its parent is: using it raises no "another API" notice on this page.
  await page.getByLabel('Key in use').selectOption({ label: (await page.getByLabel('Key in use').locator('option', { hasText: 'partner child' }).textContent()).trim() });
  await expect(page.getByRole('heading', { name: 'Who this key belongs to' })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText('This page points at another API than your key')).toHaveCount(0);
  await expect(page.getByText(`API: ${API_BASE}`)).toBeVisible();
});

test('"Set passphrase and keep" on a keyring of this tab stores its keys; they open after a reload', async ({ page }) => {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member'), sessionOnly: true });
  expect(await readStored(page), 'a tab-only keyring stores nothing').toBeNull();
  await page.getByRole('button', { name: 'Manage keyring' }).click();
  await page.getByLabel('New passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByLabel('Confirm new passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Set passphrase and keep' }).click();
  await expect(page.getByText('Passphrase changed')).toBeVisible({ timeout: 20_000 });

  await page.reload();
  await unlock(page);
  await expect(page.getByRole('heading', { name: 'Who this key belongs to' })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByLabel('Key in use')).toContainText('lab member');
});

test('at 375 px each key of the keyring is a labelled card, its buttons on the screen', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('admin'), label: 'operations admin' });
  await page.getByRole('button', { name: 'Add a key' }).click();
  await page.getByLabel('Paste your key').fill(demoKey('member'));
  await page.getByLabel('Label').fill('a member key with a rather long label for the lab');
  await page.getByRole('button', { name: 'Save key' }).click();
  await expect(page.getByLabel('Key in use').locator('option:checked')).toContainText('rather long label', { timeout: 20_000 });

  await page.getByRole('button', { name: 'Manage keyring' }).click();
  const keys = page.getByRole('table', { name: 'Keys in this keyring' });
  await expect(keys.getByRole('rowheader')).toHaveText(['operations admin', 'a member key with a rather long label for the lab']);
  expect(await widthProblems(page), 'elements wider than the 375 px screen, or clipped').toEqual([]);
  const row = keys.getByRole('row').filter({ hasText: 'rather long label' });
  const added = row.getByRole('cell').nth(1);
  expect(await added.evaluate((td) => getComputedStyle(td, '::before').content)).toBe('"Added"');
  const remove = row.getByRole('button', { name: 'Remove a member key with a rather long label for the lab' });
  await remove.scrollIntoViewIfNeeded();
  await expect(remove, 'the whole button on the screen').toBeInViewport({ ratio: 1 });
  await screenshot(page, 'keyring-375-cards');
});

test('on a wide screen the keys table is a closed box with room below it', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  await page.getByRole('button', { name: 'Manage keyring' }).click();
  const keys = page.getByRole('table', { name: 'Keys in this keyring' });
  await expect(keys.getByRole('rowheader')).toHaveText(['lab member']);
  // The last row ends as its box does: no rule under its label alone.
  const edges = await keys.getByRole('row').last().locator('th, td').evaluateAll((cells) => cells.map((c) => getComputedStyle(c).borderBottomWidth));
  expect(new Set(edges).size, `the last row's bottom edges: ${edges}`).toBe(1);
  // The next part of the panel starts below the table, not against its edge.
  const table = await keys.boundingBox();
  const next = await page.getByRole('heading', { name: 'Change the passphrase' }).boundingBox();
  expect(next.y - (table.y + table.height), 'space between the keys table and the next heading').toBeGreaterThanOrEqual(12);
  await screenshot(page, 'keyring-wide');
});
