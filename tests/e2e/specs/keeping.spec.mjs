// Keeping a keyring: export it from one browser as an encrypted file (the stored text, exactly)
// and import it into another with its passphrase. A second browser is a new browser context
// (another profile: its own storage). An import proves the passphrase before anything is
// written, and asks before it replaces a keyring already here.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { test, expect, appUrl, demoKey, screenshot } from '../support/fixtures.mjs';
import path from 'node:path';
import { API_BASE, APP_BASE, SCREENSHOT_DIR } from '../support/env.mjs';
import { addFirstKey, resetDouble, selectKey, unlock, expectNoSecretsLeaked, encodings, PASSPHRASE } from '../support/flows.mjs';
import { openHostPage } from '../support/host.mjs';

test.beforeEach(async ({ request }) => resetDouble(request));

const STORAGE_KEY = 'foundry-keyring/default/keyring';
const OTHER_PASSPHRASE = 'the other browser has its own';
const identity = (page) => page.getByRole('heading', { name: 'Who this key belongs to' });
const notAnExport = 'This file is not a Foundry Keyring export';
const screenshotPath = (name) => path.join(SCREENSHOT_DIR, `${name}.png`);

/** Another browser profile, watched for page errors and CSP violations as the fixture watches
 *  the first one. */
async function otherBrowser(browser) {
  const context = await browser.newContext({ baseURL: APP_BASE });
  const problems = [];
  await context.exposeFunction('__reportCspViolation', (text) => problems.push(`CSP violation: ${text}`));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => window.__reportCspViolation(`${e.violatedDirective} blocked ${e.blockedURI}`));
  });
  const page = await context.newPage();
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/^Failed to load resource/.test(msg.text())) problems.push(`console.error: ${msg.text()}`);
  });
  return { context, page, problems };
}

/** Runs `steps` with a page of another browser profile, which must report no error; the
 *  profile is closed afterwards, whatever happens. */
async function inOtherBrowser(browser, steps) {
  const other = await otherBrowser(browser);
  try {
    await steps(other.page);
    expect(other.problems, 'the other browser reported errors').toEqual([]);
  } finally {
    await other.context.close();
  }
}

const stored = (page) => page.evaluate((key) => localStorage.getItem(key), STORAGE_KEY);
/** What localStorage holds, as a short digest (a failure then prints two hashes, not two
 *  envelopes). */
async function storageDump(page) {
  const entries = await page.evaluate(() => JSON.stringify(Object.entries(localStorage).sort()));
  return crypto.createHash('sha256').update(entries).digest('hex');
}

/** Manage keyring → Export keyring file; returns the download's name and text. */
async function exportKeyring(page) {
  const manage = page.getByRole('button', { name: 'Manage keyring' });
  if ((await manage.getAttribute('aria-expanded')) !== 'true') await manage.click();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export keyring file' }).click(),
  ]);
  const text = fs.readFileSync(await download.path(), 'utf8');
  return { name: download.suggestedFilename(), text };
}

/** Chooses a file in the import form (opened first) and waits for its check. */
async function chooseFile(page, file) {
  const toggle = page.getByRole('button', { name: 'Import a keyring file…' });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  await page.getByLabel('Keyring file', { exact: true }).setInputFiles({
    name: file.name,
    mimeType: 'application/octet-stream',
    buffer: Buffer.from(file.text, 'utf8'),
  });
}

async function importKeyring(page, file, passphrase) {
  await chooseFile(page, file);
  await expect(page.getByText(`${file.name}: a Foundry Keyring export, still encrypted.`)).toBeVisible();
  await page.getByLabel('Passphrase of the keyring file').fill(passphrase);
  await page.getByRole('button', { name: 'Import keyring', exact: true }).click();
}

/** A browser with the member and read-only keys stored under PASSPHRASE, and its export. */
async function exportedKeyring(page) {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member'), label: 'lab member' });
  await page.getByRole('button', { name: 'Add a key' }).click();
  await page.getByLabel('Paste your key').fill(demoKey('read-only'));
  await page.getByLabel('Label').fill('agent, read-only');
  await page.getByRole('button', { name: 'Save key' }).click();
  await expect(page.getByLabel('Key in use')).toContainText('agent, read-only');
  return exportKeyring(page);
}

test('export in one browser, import in another with the passphrase: the keys are there and the API works', async ({ page, browser }) => {
  const member = demoKey('member');
  const readOnly = demoKey('read-only');
  const file = await exportedKeyring(page);
  await screenshot(page, 'keeping-exported');

  expect(file.name).toMatch(/^foundry-keyring-\d{4}-\d{2}-\d{2}\.fkr$/);
  for (const [n, secret] of [member, readOnly, PASSPHRASE].entries()) {
    for (const [encoding, form] of encodings(secret)) {
      expect(file.text.includes(form), `${encoding} of secret #${n} in the exported file`).toBeFalsy();
    }
  }
  expect(file.text, 'the file is the stored text, exactly').toBe(await stored(page));
  await expect(page.getByRole('status').filter({ hasText: `Exported ${file.name}` })).toBeVisible();

  await inOtherBrowser(browser, async (there) => {
    await there.goto(appUrl());
    await expect(there.getByLabel('Paste your key')).toBeVisible();
    expect(await there.evaluate(() => localStorage.length), 'the other browser starts empty').toBe(0);
    await chooseFile(there, file);
    await there.getByLabel('Passphrase of the keyring file').fill(PASSPHRASE);
    await screenshot(there, 'keeping-import-first-run');
    await there.getByRole('button', { name: 'Import keyring', exact: true }).click();

    await expect(there.getByRole('status').filter({ hasText: 'Imported 2 keys' })).toBeVisible({ timeout: 20_000 });
    await expect(identity(there)).toBeVisible();
    await expect(there.getByText('active', { exact: true }).first()).toBeVisible({ timeout: 20_000 });
    const options = await there.getByLabel('Key in use').locator('option').allTextContents();
    expect(options.map((o) => o.split(' (')[0])).toEqual(['lab member', 'agent, read-only']);
    expect(await stored(there), 'stored as exported').toBe(file.text);
    await screenshot(there, 'keeping-imported');

    // The API answers to the other imported key too.
    const whoami = there.waitForResponse((r) => r.url() === `${API_BASE}/api/v1/whoami` && r.status() === 200);
    await selectKey(there, 'agent, read-only');
    await whoami;
    await expect(identity(there)).toBeVisible();

    // It is the stored keyring of that browser now: lock, unlock with the same passphrase.
    await there.getByRole('button', { name: 'Lock' }).click();
    await unlock(there);
    await expect(identity(there)).toBeVisible({ timeout: 20_000 });
    await expectNoSecretsLeaked(there, [member, readOnly, PASSPHRASE]);
  });
});

test('a file that is not an export, or a wrong passphrase, says so and changes nothing', async ({ page, browser }) => {
  const file = await exportedKeyring(page);

  await inOtherBrowser(browser, async (there) => {
    await there.goto(appUrl());
    await addFirstKey(there, { key: demoKey('admin'), label: 'own key', passphrase: OTHER_PASSPHRASE });
    await there.reload();
    await expect(there.getByRole('heading', { name: 'Unlock your keyring' })).toBeVisible();
    const before = await storageDump(there);

    for (const notAKeyring of [
      { name: 'notes.txt', text: 'Remember to rotate the keys on Friday.' },
      { name: 'keyring.json', text: JSON.stringify({ keyring: file.text.slice(0, 40) }) },
      { name: 'cut.fkr', text: file.text.slice(0, 60) },
    ]) {
      await chooseFile(there, notAKeyring);
      await expect(there.getByRole('alert').filter({ hasText: notAnExport })).toBeVisible();
      await expect(there.getByText(/a Foundry Keyring export, still encrypted/)).toHaveCount(0);
      expect(await storageDump(there), `${notAKeyring.name} changed storage`).toBe(before);
    }
    await screenshot(there, 'keeping-not-an-export');

    await importKeyring(there, file, 'not the passphrase of the file');
    await expect(there.getByRole('alert').filter({ hasText: 'Wrong passphrase for this file' })).toBeVisible({ timeout: 20_000 });
    await expect(there.getByRole('dialog')).toHaveCount(0);
    await expect(there.getByLabel('Passphrase of the keyring file')).toHaveValue('');
    expect(await storageDump(there), 'a wrong passphrase changed storage').toBe(before);
    await screenshot(there, 'keeping-wrong-passphrase');

    // The keyring here still opens with its own passphrase, and holds its own key only.
    await unlock(there, OTHER_PASSPHRASE);
    await expect(identity(there)).toBeVisible({ timeout: 20_000 });
    await expect(there.getByLabel('Key in use').locator('option')).toHaveText([/^own key /]);
  });
});

test('an import over a keyring asks first: Cancel keeps it, Replace takes the file', async ({ page, browser }) => {
  const file = await exportedKeyring(page);

  await inOtherBrowser(browser, async (there) => {
    await there.goto(appUrl());
    await addFirstKey(there, { key: demoKey('admin'), label: 'own key', passphrase: OTHER_PASSPHRASE });
    const before = await storageDump(there);

    // Unlocked: the question counts the keys it would replace.
    await there.getByRole('button', { name: 'Manage keyring' }).click();
    await importKeyring(there, file, PASSPHRASE);
    const question = there.getByRole('dialog', { name: 'Replace the keyring in this browser?' });
    await expect(question).toBeVisible({ timeout: 20_000 });
    await expect(question).toContainText('The keyring open here, with its 1 key, will be replaced');
    await screenshot(there, 'keeping-replace-question');
    await question.getByRole('button', { name: 'Cancel' }).click();
    await expect(question).toBeHidden();
    await expect(there.getByRole('status').filter({ hasText: 'Nothing was imported' })).toBeVisible();
    expect(await storageDump(there), 'Cancel changed storage').toBe(before);
    await expect(there.getByLabel('Key in use').locator('option')).toHaveText([/^own key /]);

    // Locked: the question names the keyring stored here; Escape is a Cancel too.
    await there.getByRole('button', { name: 'Lock' }).click();
    await importKeyring(there, file, PASSPHRASE);
    await expect(question).toBeVisible({ timeout: 20_000 });
    await expect(question).toContainText('The keyring stored in this browser will be replaced');
    await there.keyboard.press('Escape');
    await expect(question).toBeHidden();
    await expect(there.getByRole('status').filter({ hasText: 'Nothing was imported' })).toBeVisible();
    expect(await storageDump(there), 'Escape changed storage').toBe(before);

    // Asked again, and replaced: the file's keyring, unlocked.
    await there.getByLabel('Passphrase of the keyring file').fill(PASSPHRASE);
    await there.getByRole('button', { name: 'Import keyring', exact: true }).click();
    await question.getByRole('button', { name: 'Replace keyring' }).click();
    await expect(there.getByRole('status').filter({ hasText: 'Imported 2 keys' })).toBeVisible({ timeout: 20_000 });
    await expect(identity(there)).toBeVisible();
    expect(await stored(there)).toBe(file.text);
    // The old passphrase is gone with the old keyring.
    await there.getByRole('button', { name: 'Lock' }).click();
    await unlock(there, OTHER_PASSPHRASE);
    await expect(there.getByText('Wrong passphrase', { exact: true })).toBeVisible({ timeout: 20_000 });
    await unlock(there, PASSPHRASE);
    await expect(identity(there)).toBeVisible({ timeout: 20_000 });
  });
});

test('a keyring kept in this tab only cannot be exported, and says why', async ({ page }) => {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member'), sessionOnly: true });
  await page.getByRole('button', { name: 'Manage keyring' }).click();
  await expect(page.getByText('This keyring lives in this tab only: nothing is stored, so there is nothing to export.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Export keyring file' })).toHaveCount(0);

  // Once kept under a passphrase, it can.
  await page.getByLabel('New passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByLabel('Confirm new passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Set passphrase and keep' }).click();
  await expect(page.getByText('Passphrase changed.')).toBeVisible({ timeout: 20_000 });
  const file = await exportKeyring(page);
  expect(file.text).toBe(await stored(page));
});

test('an export of the standalone page imports only where it came from, not into an embedded namespace', async ({ page, browser }) => {
  const file = await exportedKeyring(page);
  await inOtherBrowser(browser, async (there) => {
    await openHostPage(there);
    const labA = there.locator('#lab-a');
    await expect(labA.getByLabel('Paste your key')).toBeVisible();
    await chooseFile(labA, file);
    await expect(labA.getByRole('alert').filter({ hasText: 'This export belongs to another keyring instance' }))
      .toContainText('exported from the keyring instance named "default"');
    expect(await there.evaluate(() => localStorage.length)).toBe(0);
  });
});

test('export and import in dark and at 375 px', async ({ page }) => {
  await page.goto(appUrl({ theme: 'dark' }));
  await addFirstKey(page, { key: demoKey('member') });
  const file = await exportKeyring(page);
  await chooseFile(page, { name: 'notes.txt', text: 'not a keyring' });
  await expect(page.getByRole('alert').filter({ hasText: notAnExport })).toBeVisible();
  await screenshot(page, 'keeping-dark');
  await page.setViewportSize({ width: 375, height: 800 });
  await chooseFile(page, file);
  await expect(page.getByText(`${file.name}: a Foundry Keyring export, still encrypted.`)).toBeVisible();
  await page.getByRole('region', { name: 'Manage keyring' }).screenshot({ path: screenshotPath('keeping-375') });
});
