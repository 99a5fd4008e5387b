// Tokens: the table (filter, sort, page, URL state), attenuation and revocation.
import { test, expect, appUrl, demoKey, screenshot } from '../support/fixtures.mjs';
import { addFirstKey, createReadOnlyToken, resetDouble, selectKey, setVariant, expectNoSecretsLeaked, PASSPHRASE } from '../support/flows.mjs';
import { API_BASE } from '../support/env.mjs';

test.beforeEach(async ({ request }) => resetDouble(request));

const rows = (page) => page.getByRole('table').locator('tbody tr');
/** The first status badge of each row, and each row's name, as shown. */
const statusBadges = (page) => page.getByRole('table').locator('tbody tr td:nth-child(2) .fk-badge:first-child').allTextContents();
const rowNames = (page) => page.getByRole('table').locator('tbody th').evaluateAll((cells) => cells.map((c) => c.firstChild.textContent));
/** True once the page holds more than one row, in ascending order of name. */
const namesAscending = async (page) => { const n = await rowNames(page); return n.length > 1 && n.join('\n') === [...n].sort().join('\n'); };

test('tokens: filter by status, sort by a header, page, and keep it all across a reload', async ({ page }) => {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  const table = page.getByRole('table');
  await expect(table).toBeVisible();
  await expect(page.getByText('Filtered and sorted by the server.')).toBeVisible();

  await page.getByLabel('Rows per page').selectOption('10');
  await expect(rows(page)).toHaveCount(10);
  await expect(page.getByText(/^1–10 of \d+$/).first()).toBeVisible();
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByText(/^11–20 of \d+$/).first()).toBeVisible();

  await page.getByRole('group', { name: 'Status' }).getByLabel('revoked').check();
  await expect(page.getByText(/^1–\d+ of \d+$/).first()).toBeVisible();
  for (const badge of await statusBadges(page)) {
    expect(badge).toBe('revoked');
  }

  await page.getByRole('button', { name: 'Name' }).click();
  await expect(page.getByRole('columnheader', { name: /Name/ })).toHaveAttribute('aria-sort', 'ascending');
  // The header flips at once; the sorted page arrives with the next response.
  await expect.poll(() => namesAscending(page)).toBe(true);
  await page.getByRole('button', { name: 'Created' }).click({ modifiers: ['Shift'] });
  await expect(page.getByRole('button', { name: 'Created' })).toContainText('2');

  // The address is written just after the new page is shown (src/ui/tokens.rs).
  await expect(page).toHaveURL(/[?&]status=revoked(&|$)/);
  await expect(page).toHaveURL(/[?&]sort=name%2Ccreated_at(&|$)/);
  await screenshot(page, 'flow3-tokens');
  await page.reload();
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('group', { name: 'Status' }).getByLabel('revoked')).toBeChecked({ timeout: 20_000 });
  await expect(page.getByLabel('Rows per page')).toHaveValue('10');
});

test('tokens: an advanced filter that does not parse is shown at its position and not sent', async ({ page }) => {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  await page.getByRole('button', { name: 'Advanced filter' }).click();
  await page.getByLabel('Filter expression').fill('and(eq(status,active)');
  await page.getByRole('button', { name: 'Apply' }).click();
  const error = page.getByRole('alert').filter({ hasText: 'does not parse' });
  await expect(error).toContainText('position 21');
  await screenshot(page, 'flow3-advanced-error');
  await page.getByLabel('Filter expression').fill('and(eq(status,active),contains(name,a))');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(error).toHaveCount(0);
  await expect(rows(page).first()).toBeVisible();
});

test('a new token nobody has kept: Escape and Done say what closing would lose, the page asks before it is left, and Copy lets Done close', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  const dialog = await createReadOnlyToken(page, 'not kept yet');
  const token = dialog.getByLabel('New token');
  const warning = dialog.getByRole('status').filter({ hasText: 'This token is not kept anywhere yet' });
  await expect(warning).toHaveCount(0);

  // A reload or a closed tab would lose it: the browser asks, and staying keeps it, with the
  // page's own warning saying why.
  const asked = new Promise((resolve) => page.once('dialog', async (question) => {
    resolve(question.type());
    await question.dismiss();
  }));
  await page.close({ runBeforeUnload: true });
  expect(await asked).toBe('beforeunload');
  await expect(token).toHaveValue(/^abs0_/);
  await expect(warning).toContainText('It cannot be shown again.');

  await page.keyboard.press('Escape');
  await expect(warning).toContainText('It cannot be shown again.');
  await expect(dialog).toBeVisible();
  await expect(token).toHaveValue(/^abs0_/);
  await screenshot(page, 'new-token-not-kept');

  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Copy' }).click();
  await expect(warning).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(dialog).toBeHidden();
});

test('attenuate: a read-only token, shown once, copied, and added to the keyring', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  const dialog = await createReadOnlyToken(page, 'reporting dashboard');
  await dialog.getByRole('button', { name: 'Copy' }).click();
  await expect(dialog.getByText(/^Copied\./)).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(/^abs0_/);
  await screenshot(page, 'flow4-attenuated');
  await dialog.getByRole('button', { name: 'Add to keyring' }).click();
  await expect(dialog.getByText('Added "reporting dashboard" to the keyring.')).toBeVisible();
  await dialog.getByRole('button', { name: 'Done' }).click();
  // The copy outlives the dialog: it may not be pasted yet (clipboard.spec: when it goes).
  expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(/^abs0_/);
  await selectKey(page, 'reporting dashboard');
  const permissions = page.getByRole('region', { name: 'What this key may do' });
  await expect(permissions).toBeVisible({ timeout: 20_000 });
  await expect(permissions).not.toContainText('create');
  await expect(permissions).toContainText('read');
});

test('revoke: the confirmation names the family; afterwards the key reports it was revoked', async ({ page }) => {
  const key = demoKey('member');
  await page.goto(appUrl());
  await addFirstKey(page, { key });
  await page.getByRole('button', { name: 'Revoke this key…' }).click();
  const dialog = page.getByRole('dialog', { name: "Revoke this key and every token made from it?" });
  await expect(dialog).toContainText('lab member');
  await expect(dialog).toContainText("Main key's token id");
  // The seed shape's list has no lineage fields: the dialog says it cannot count, not "0".
  await expect(dialog).toContainText('Restricted tokens made from itnot listed by this API');
  await screenshot(page, 'flow5-revoke-confirm');
  await dialog.getByLabel("Type the key's label to confirm").fill('lab member');
  await dialog.getByRole('button', { name: 'Revoke this key' }).click();
  await expect(dialog.getByText('Revoked', { exact: true })).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();
  const problem = page.getByRole('alert').filter({ hasText: /revoked/i }).first();
  await expect(problem).toBeVisible({ timeout: 20_000 });
  await expect(problem).toContainText('Request id');
  await screenshot(page, 'flow5-revoked');
  await expectNoSecretsLeaked(page, [key, PASSPHRASE]);
});

test('revoke: typing the label while the dialog still reads the key keeps every keystroke and the focus', async ({ page }) => {
  // The agent's answers (what the key says, the family's size) are held back while the person
  // types: the confirmation fills in around the field instead of building it again.
  await page.addInitScript(() => {
    const native = Object.getOwnPropertyDescriptor(Worker.prototype, 'onmessage');
    Object.defineProperty(Worker.prototype, 'onmessage', {
      configurable: true,
      get() { return native.get.call(this); },
      set(handler) {
        const held = typeof handler === 'function'
          ? (event) => { const ms = window.__agentReplyDelay || 0; if (ms) setTimeout(() => handler.call(this, event), ms); else handler.call(this, event); }
          : handler;
        native.set.call(this, held);
      },
    });
  });
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  await page.evaluate(() => { window.__agentReplyDelay = 1500; });
  await page.getByRole('button', { name: 'Revoke this key…' }).click();
  const dialog = page.getByRole('dialog', { name: "Revoke this key and every token made from it?" });
  const field = dialog.getByLabel("Type the key's label to confirm");
  await field.click();
  await page.keyboard.type('lab ');
  // The key's facts arrive while the field holds part of the label.
  await expect(dialog).toContainText(/Main key's token id[0-9a-f]{8}-/, { timeout: 10_000 });
  await page.keyboard.type('member');
  await expect(field).toBeFocused();
  await expect(field).toHaveValue('lab member');
  await page.evaluate(() => { window.__agentReplyDelay = 0; });
  await expect(dialog.getByRole('button', { name: 'Revoke this key' })).toBeEnabled();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
});

test('lineage shape: the table filters and sorts in the browser, and revoke counts the descendants', async ({ page, request }) => {
  await setVariant(request, 'july');
  const listRequests = [];
  page.on('request', (r) => { if (r.method() === 'GET' && new URL(r.url()).pathname === '/api/v1/tokens') listRequests.push(r.url()); });
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  // The default sort (newest first) already needs the browser in this shape.
  const mode = page.getByText(/^Filtered and sorted in the browser: the API's description of its token list has no filter or sort\. Working on the \d+ tokens fetched; Refresh fetches them again\.$/);
  await expect(mode).toBeVisible({ timeout: 20_000 });
  const fetched = listRequests.length;
  await page.getByRole('group', { name: 'Status' }).getByLabel('revoked').check();
  await expect.poll(async () => { const b = await statusBadges(page); return b.length > 0 && b.every((t) => t === 'revoked'); }, { timeout: 20_000 }).toBe(true);
  await page.getByRole('button', { name: 'Name' }).click();
  await expect.poll(() => namesAscending(page)).toBe(true);
  await screenshot(page, 'flow3-lineage-client-side');
  expect(listRequests.length, 'a filter and a sort reuse the tokens fetched, no request').toBe(fetched);
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect.poll(() => listRequests.length, { timeout: 20_000 }).toBeGreaterThan(fetched);
  await expect(mode).toBeVisible({ timeout: 20_000 });
  await expect.poll(() => namesAscending(page)).toBe(true);

  await page.getByRole('button', { name: 'Revoke this key…' }).click();
  const dialog = page.getByRole('dialog', { name: "Revoke this key and every token made from it?" });
  const count = dialog.locator('dd').last();
  await expect(count).toHaveText(/^\d+$/, { timeout: 20_000 });
  const counted = Number(await count.textContent());
  expect(counted, 'the demo member family has attenuated tokens').toBeGreaterThan(0);
  await expect(dialog).toContainText(counted === 1 ? 'the 1 restricted token made from its main key' : `the ${counted} restricted tokens made from its main key`);
  await screenshot(page, 'flow5-revoke-confirm-lineage');
  await dialog.getByLabel("Type the key's label to confirm").fill('lab member');
  await dialog.getByRole('button', { name: 'Revoke this key' }).click();
  const done = dialog.getByRole('status').filter({ hasText: 'Revoked' });
  await expect(done).toBeVisible();
  // Tokens already revoked before are not "newly" revoked: at most the count shown.
  const newly = Number((await done.textContent()).match(/with (\d+) restricted tokens? made from it/)[1]);
  expect(newly).toBeLessThanOrEqual(counted);
});
