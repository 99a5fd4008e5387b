// Storage the browser refuses: disabled (site data blocked, some private windows) or full (a host
// page's own data can fill its origin's share). The page still works for this session, says why
// nothing was kept, never asks for the key again, and keeps nothing it said it did not.
import { test, expect, appUrl, demoKey, screenshot } from '../support/fixtures.mjs';
import { PASSPHRASE, addFirstKey, domText, resetDouble, unlock } from '../support/flows.mjs';

test.beforeEach(async ({ request }) => resetDouble(request));

const identity = (page) => page.getByRole('heading', { name: 'Who this key belongs to' });
const FULL = "This browser's storage is full";

/** Every write to storage fails as a full one does, until `roomAgain`. */
async function fillStorage(page, { fromStart }) {
  const full = () => {
    window.__fkRealSetItem ??= Storage.prototype.setItem;
    Storage.prototype.setItem = function setItem() {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
  };
  if (fromStart) await page.addInitScript(full);
  else await page.evaluate(full);
}

async function roomAgain(page) {
  await page.evaluate(() => { Storage.prototype.setItem = window.__fkRealSetItem; });
}

/** Pastes a key and asks to keep it encrypted, as a first visit does. */
async function saveFirstKey(page, key) {
  await page.getByLabel('Paste your key').fill(key);
  await expect(page.getByRole('region', { name: 'Key preview' })).toBeVisible();
  await page.getByLabel('Label').fill('lab member');
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByLabel('Confirm passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Save key' }).click();
}

test('storage disabled: the first visit offers this session only, says why, and works', async ({ page }) => {
  // What Chromium does when site data is blocked: reading `localStorage` throws.
  await page.addInitScript(() => {
    Object.defineProperty(window, 'localStorage', {
      configurable: true,
      get() { throw new DOMException('Access is denied for this document.', 'SecurityError'); },
    });
  });
  await page.goto(appUrl());
  await expect(page.getByRole('heading', { name: 'Add your Foundry API key' })).toBeVisible();
  await expect(page.getByText('This browser does not allow storage here')).toBeVisible();
  await expect(page.getByLabel('Keep encrypted in this browser')).toBeDisabled();
  await expect(page.getByLabel(/This session only/)).toBeChecked();
  await expect(page.getByLabel('Passphrase', { exact: true })).toHaveCount(0);
  await screenshot(page, 'storage-disabled');
  const key = demoKey('member');
  await page.getByLabel('Paste your key').fill(key);
  await page.getByLabel('Label').fill('lab member');
  await page.getByRole('button', { name: 'Use for this session' }).click();
  await expect(identity(page)).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole('table')).toBeVisible({ timeout: 20_000 });
  // Nowhere in the page (storage, which the usual check reads too, cannot be read here).
  const { parts } = await domText(page);
  expect(parts.filter((part) => part.text.includes(key)).map((part) => part.where)).toEqual([]);
});

test('storage full on the first save: nothing is kept, it says so, and the same key works for this session without pasting it again', async ({ page }) => {
  await fillStorage(page, { fromStart: true });
  await page.goto(appUrl());
  await saveFirstKey(page, demoKey('member'));
  const problem = page.getByRole('alert').filter({ hasText: FULL });
  await expect(problem).toBeVisible({ timeout: 20_000 });
  await expect(problem).toContainText('Nothing was changed');
  await expect(page.getByLabel('Paste your key')).toHaveValue('');
  await expect(page.getByRole('status').filter({ hasText: 'The key you pasted is still held' })).toBeVisible();
  await screenshot(page, 'storage-full-first-save');
  await page.getByLabel(/This session only/).check();
  await page.getByRole('button', { name: 'Use for this session' }).click();
  await expect(identity(page)).toBeVisible({ timeout: 20_000 });
  await expect(page.getByLabel('Key in use')).toContainText('lab member');
});

test('storage full on the first save, then room again: Save keeps the same key, and it opens after a reload', async ({ page }) => {
  await fillStorage(page, { fromStart: true });
  await page.goto(appUrl());
  await saveFirstKey(page, demoKey('member'));
  await expect(page.getByRole('alert').filter({ hasText: FULL })).toBeVisible({ timeout: 20_000 });
  await roomAgain(page);
  // Neither the key nor the passphrase is asked for again.
  await expect(page.getByLabel('Passphrase', { exact: true })).toHaveCount(0);
  await page.getByRole('button', { name: 'Save key' }).click();
  await expect(identity(page)).toBeVisible({ timeout: 20_000 });
  await page.reload();
  await unlock(page);
  await expect(identity(page)).toBeVisible({ timeout: 20_000 });
  await expect(page.getByLabel('Key in use')).toContainText('lab member');
});

test('storage full on a later change: the change is refused and stays undone, also after the next change is saved', async ({ page }) => {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  await fillStorage(page, { fromStart: false });
  await page.getByRole('button', { name: 'Manage keyring' }).click();
  await page.getByRole('button', { name: 'Rename lab member' }).click();
  await page.getByLabel('New label').fill('renamed while full');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('alert').filter({ hasText: FULL })).toBeVisible({ timeout: 20_000 });
  await screenshot(page, 'storage-full-rename');
  await expect(page.getByLabel('Key in use')).toContainText('lab member');
  await expect(page.getByLabel('Key in use')).not.toContainText('renamed while full');
  // Room again, and another change is saved: the refused rename does not come with it.
  await roomAgain(page);
  await page.getByRole('button', { name: 'Add a key' }).click();
  await page.getByLabel('Paste your key').fill(demoKey('read-only'));
  await page.getByLabel('Label').fill('dashboard');
  await page.getByRole('button', { name: 'Save key' }).click();
  await expect(page.getByLabel('Key in use').locator('option:checked')).toContainText('dashboard', { timeout: 20_000 });
  await page.reload();
  await unlock(page);
  await expect(identity(page)).toBeVisible({ timeout: 20_000 });
  const keys = page.getByLabel('Key in use');
  await expect(keys).toContainText('lab member');
  await expect(keys).toContainText('dashboard');
  await expect(keys).not.toContainText('renamed while full');
});
