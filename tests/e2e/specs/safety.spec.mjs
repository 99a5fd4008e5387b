// Safety first: revoking names every key of this keyring that dies with it and waits for the
// key's label to be typed; it is offered only to a key that may revoke, in a danger zone apart
// from the everyday buttons. A dead key (revoked, expired) is named before it is saved and kept
// only on request; a key that cannot be checked is saved and the person is told. An error that
// retrying cannot fix offers no retry.
import { test, expect, appUrl, demoKey, screenshot } from '../support/fixtures.mjs';
import { addFirstKey, resetDouble, injectFault, selectKey, expectNoSecretsLeaked, PASSPHRASE } from '../support/flows.mjs';
import { SCREENSHOT_DIR } from '../support/env.mjs';
import path from 'node:path';

test.beforeEach(async ({ request }) => resetDouble(request));

const WHOAMI = '/api/v1/whoami';
const CONFIRM = "Type the key's label to confirm";
const dangerZone = (page) => page.getByRole('region', { name: 'Danger zone' });
const revokeDialog = (page) => page.getByRole('dialog', { name: "Revoke this key and every token made from it?" });
const identity = (page) => page.getByRole('heading', { name: 'Who this key belongs to' });

/** Makes a restricted token from the key in use with the attenuate dialog and adds it to the
 *  keyring under its name (the key in use stays the same). */
async function addRestrictedToken(page, name, preset) {
  await page.getByRole('button', { name: 'Create a restricted token…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create a restricted token' });
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel(preset).check();
  await dialog.getByRole('button', { name: 'Create token' }).click();
  await expect(dialog.getByLabel('New token')).toHaveValue(/^abs0_/, { timeout: 20_000 });
  await dialog.getByRole('button', { name: 'Add to keyring' }).click();
  await expect(dialog.getByText(`Added "${name}" to the keyring.`)).toBeVisible();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(dialog).toBeHidden();
}

/** Fills the add-key form of the first run, and presses Save (no wait for what follows). */
async function fillFirstKey(page, key, label) {
  await page.getByLabel('Paste your key').fill(key);
  await page.getByLabel('Label').fill(label);
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByLabel('Confirm passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Save key' }).click();
}

test('revoking the member key names the restricted token of this keyring made from it, and waits for the label', async ({ page }) => {
  const member = demoKey('member');
  await page.goto(appUrl());
  await addFirstKey(page, { key: member });
  await expect(page.getByRole('table')).toBeVisible({ timeout: 20_000 });
  await addRestrictedToken(page, 'lab reader', 'Read-only (list and read)');

  // Not among the everyday buttons: only in the danger zone, at the end.
  await expect(page.getByRole('region', { name: 'Tokens' }).getByRole('button', { name: /Revoke/ })).toHaveCount(0);
  const zone = dangerZone(page);
  await expect(zone.getByRole('heading', { name: 'Danger zone' })).toBeVisible();
  await zone.getByRole('button', { name: 'Revoke this key…' }).click();

  const dialog = revokeDialog(page);
  const fallout = dialog.getByRole('status').filter({ hasText: 'Keys in this keyring stop working too' });
  await expect(fallout).toContainText('This also revokes lab reader, a restricted token in this keyring made from this key.');
  const revoke = dialog.getByRole('button', { name: 'Revoke this key' });
  const confirm = dialog.getByLabel(CONFIRM);
  await expect(dialog.getByText('The Revoke button stays disabled until the label matches.')).toBeVisible();
  await expect(revoke).toBeDisabled();
  await confirm.fill('lab membe');
  await expect(revoke).toBeDisabled();
  await confirm.fill('Lab Member');
  await expect(revoke).toBeDisabled();
  await confirm.fill('lab member');
  await expect(revoke).toBeEnabled();
  await screenshot(page, 'safety-revoke-confirm');

  await revoke.click();
  await expect(dialog.getByRole('status').filter({ hasText: 'Revoked' })).toBeVisible({ timeout: 20_000 });
  await expect(dialog).toContainText('nor does any key of this keyring made from the same main key (lab reader)');
  await dialog.getByRole('button', { name: 'Close' }).click();

  // What the dialog said is what happened: the named entry died too.
  const refused = page.getByRole('alert').filter({ hasText: 'This key was revoked' }).first();
  await expect(refused).toBeVisible({ timeout: 20_000 });
  await expect(refused.getByRole('button', { name: 'Try again' }), 'no retry for a revoked key').toHaveCount(0);
  await selectKey(page, 'lab reader');
  await expect(page.getByLabel('Key in use').locator('option:checked')).toContainText('lab reader');
  await expect(page.getByRole('alert').filter({ hasText: 'This key was revoked' }).first()).toBeVisible({ timeout: 20_000 });
  await expectNoSecretsLeaked(page, [member, PASSPHRASE]);
});

test('revoking from a restricted key names the main key it was made from', async ({ page }) => {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  await expect(page.getByRole('table')).toBeVisible({ timeout: 20_000 });
  await addRestrictedToken(page, 'lab robot', 'Non-destructive (everything but delete)');
  await selectKey(page, 'lab robot');
  await expect(identity(page)).toBeVisible({ timeout: 20_000 });

  await dangerZone(page).getByRole('button', { name: 'Revoke this key…' }).click({ timeout: 20_000 });
  const dialog = revokeDialog(page);
  await expect(dialog).toContainText('This also revokes lab member, your main key in this keyring, and every token made from it.');
  // The label to type is the key in use's, not the main key's.
  await dialog.getByLabel(CONFIRM).fill('lab member');
  await expect(dialog.getByRole('button', { name: 'Revoke this key' })).toBeDisabled();
  await dialog.getByLabel(CONFIRM).fill('lab robot');
  await expect(dialog.getByRole('button', { name: 'Revoke this key' })).toBeEnabled();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
});

test('the read-only key cannot revoke: the danger zone says why, with no button', async ({ page }) => {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('read-only'), label: 'dashboard' });
  const zone = dangerZone(page);
  await expect(zone).toContainText('This key cannot revoke: it does not have the token:revoke permission.', { timeout: 20_000 });
  await expect(zone.getByRole('button')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Revoke/ })).toHaveCount(0);
  await screenshot(page, 'safety-danger-zone-read-only');
});

test('a revoked key is named before it is saved: going back saves nothing, keeping it saves it, and its 401 offers no retry', async ({ page }) => {
  const revoked = demoKey('revoked');
  await page.goto(appUrl());
  await fillFirstKey(page, revoked, 'old key');
  const warning = page.getByRole('alert').filter({ hasText: 'This key was revoked' });
  await expect(warning).toBeVisible({ timeout: 20_000 });
  await expect(warning).toContainText('A revoked key never works again.');
  await expect(warning.locator('.fk-request-id')).toHaveText(/^req_/);
  await screenshot(page, 'safety-add-revoked');
  expect(await page.evaluate(() => localStorage.length), 'nothing saved before the choice').toBe(0);

  await warning.getByRole('button', { name: 'Go back' }).click();
  await expect(warning).toHaveCount(0);
  await expect(page.getByLabel('Paste your key')).toBeFocused();
  // The key went to the key agent once, and the field was emptied: going back means pasting again.
  await expect(page.getByLabel('Paste your key')).toHaveValue('');
  await expect(page.getByRole('heading', { name: 'Add your Foundry API key' })).toBeVisible();
  expect(await page.evaluate(() => localStorage.length), 'going back saves nothing').toBe(0);

  await page.getByLabel('Paste your key').fill(revoked);
  await page.getByRole('button', { name: 'Save key' }).click();
  await expect(warning).toBeVisible({ timeout: 20_000 });
  await warning.getByRole('button', { name: 'Keep it anyway' }).click();
  await expect(page.getByLabel('Key in use')).toContainText('old key', { timeout: 20_000 });
  expect(await page.evaluate(() => localStorage.length), 'kept: the keyring is stored').toBeGreaterThan(0);
  const panel = page.getByRole('alert').filter({ hasText: 'This key was revoked' }).first();
  await expect(panel).toBeVisible({ timeout: 20_000 });
  await expect(panel).toContainText('Unlock another key, or get a new one');
  await expect(panel.getByRole('button', { name: 'Try again' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Try again' })).toHaveCount(0);
  await screenshot(page, 'safety-revoked-kept');
  await expectNoSecretsLeaked(page, [revoked, PASSPHRASE]);
});

test('an expired key added to a keyring is named before it is saved, and kept on request', async ({ page }) => {
  const expired = demoKey('expired');
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  await page.getByRole('button', { name: 'Add a key' }).click();
  await page.getByLabel('Paste your key').fill(expired);
  await page.getByLabel('Label').fill('last year');
  await page.getByRole('button', { name: 'Save key' }).click();
  const warning = page.getByRole('alert').filter({ hasText: 'This key has expired' });
  await expect(warning).toBeVisible({ timeout: 20_000 });
  await expect(warning.getByRole('button', { name: 'Keep it anyway' })).toBeVisible();
  await expect(warning.getByRole('button', { name: 'Go back' })).toBeVisible();
  await expect(page.getByLabel('Key in use')).not.toContainText('last year');

  await warning.getByRole('button', { name: 'Keep it anyway' }).click();
  await expect(page.getByRole('heading', { name: 'Add another key' })).toHaveCount(0);
  await expect(page.getByLabel('Key in use').locator('option:checked')).toContainText('last year');
  const panel = page.getByRole('alert').filter({ hasText: 'This key has expired' }).first();
  await expect(panel).toBeVisible({ timeout: 20_000 });
  await expect(panel.getByRole('button', { name: 'Try again' })).toHaveCount(0);
  await expectNoSecretsLeaked(page, [expired, PASSPHRASE]);
});

test('a key that cannot be checked (the API fails) is saved all the same, and the person is told', async ({ page, request }) => {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  // The client tries a failing GET 3 times.
  await injectFault(request, { kind: 'status', status: 503, count: 3, path: WHOAMI });
  await page.getByRole('button', { name: 'Add a key' }).click();
  await page.getByLabel('Paste your key').fill(demoKey('read-only'));
  await page.getByLabel('Label').fill('dashboard');
  await page.getByRole('button', { name: 'Save key' }).click();
  const added = page.getByRole('region', { name: 'Key added: dashboard' });
  await expect(added).toBeVisible({ timeout: 20_000 });
  await expect(added.getByRole('status')).toContainText('This key could not be checked');
  await expect(added).toContainText('Foundry could not be asked whether it accepts the key. The API failed with status 503');
  await expect(added).toContainText('It is saved all the same.');
  await expect(page.getByLabel('Key in use').locator('option:checked')).toContainText('dashboard');
  await screenshot(page, 'safety-add-unchecked');
  await added.getByRole('button', { name: 'Done' }).click();
  await expect(added).toHaveCount(0);
  await expect(identity(page)).toBeVisible({ timeout: 20_000 });
});

test('screenshots: the revoke confirmation in dark and at 375 px', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto(appUrl({ theme: 'dark' }));
  await addFirstKey(page, { key: demoKey('member') });
  await expect(page.getByRole('table')).toBeVisible({ timeout: 20_000 });
  await addRestrictedToken(page, 'lab reader', 'Read-only (list and read)');
  await dangerZone(page).scrollIntoViewIfNeeded();
  await screenshot(page, 'safety-danger-zone-dark-375');
  await dangerZone(page).getByRole('button', { name: 'Revoke this key…' }).click();
  const dialog = revokeDialog(page);
  await expect(dialog).toContainText('This also revokes lab reader');
  await dialog.getByLabel(CONFIRM).fill('lab member');
  await screenshot(page, 'safety-revoke-confirm-dark-375');
  // The dialog is taller than a phone's screen: it scrolls, and its buttons can be reached.
  const revoke = dialog.getByRole('button', { name: 'Revoke this key' });
  await revoke.scrollIntoViewIfNeeded();
  await expect(revoke).toBeInViewport();
  await expect(revoke).toBeEnabled();
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'safety-revoke-buttons-dark-375.png') });
});
