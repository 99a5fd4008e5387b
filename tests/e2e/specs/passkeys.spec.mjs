// Passkeys: unlocking with a WebAuthn credential's PRF output, beside the passphrase. Chromium's
// virtual authenticators (the DevTools protocol's WebAuthn domain) play the devices. WebAuthn
// refuses an IP address as relying party, so these pages are served as `localhost`: the same
// app server, another origin (its own storage).
import { test, expect, appUrl, demoKey, screenshot } from '../support/fixtures.mjs';
import { addFirstKey, resetDouble, expectNoSecretsLeaked, PASSPHRASE } from '../support/flows.mjs';
import { APP_PORT } from '../support/env.mjs';

const LOCAL = `http://localhost:${APP_PORT}`;
const NEW_PASSPHRASE = 'a different long passphrase 2027';

test.beforeEach(async ({ request }) => resetDouble(request));

/** A virtual authenticator in this page: USB, user verification, PRF unless `prf` is false. */
async function authenticator(page, { prf = true } = {}) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      ctap2Version: 'ctap2_1',
      transport: 'usb',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
      hasPrf: prf,
    },
  });
  return {
    credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
    remove: () => cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId }),
  };
}

async function openManage(page) {
  const button = page.getByRole('button', { name: 'Manage keyring' });
  if ((await button.getAttribute('aria-expanded')) !== 'true') await button.click();
  return page.getByRole('region', { name: 'Passkeys' });
}

async function addPasskey(page, name) {
  const section = await openManage(page);
  await section.getByLabel('Name for a new passkey').fill(name);
  await section.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(section.getByRole('alert').or(section.getByRole('status'))
    .filter({ hasText: `Passkey "${name}" added` })).toBeVisible({ timeout: 20_000 });
  await expect(section.getByRole('list', { name: 'Passkeys that unlock this keyring' })).toContainText(name);
  return section;
}

async function firstVisit(page) {
  const key = demoKey('member');
  await page.goto(LOCAL + appUrl());
  await addFirstKey(page, { key });
  return key;
}

const identity = (page) => page.getByRole('heading', { name: 'Who this key belongs to' });
const passkeyButton = (page) => page.getByRole('button', { name: 'Unlock with a passkey' });

test('add a passkey, reload, unlock with it, remove it, then unlock with the passphrase', async ({ page }) => {
  const device = await authenticator(page);
  const key = await firstVisit(page);
  const section = await addPasskey(page, 'Virtual key');
  await expect(section).toContainText('Virtual key added just now');
  expect(await device.credentials()).toHaveLength(1);
  await screenshot(page, 'passkeys-list');

  await page.reload();
  await expect(passkeyButton(page)).toBeVisible();
  // The passphrase is always offered too.
  await expect(page.getByLabel('Passphrase', { exact: true })).toBeVisible();
  await screenshot(page, 'passkeys-unlock');
  await passkeyButton(page).click();
  await expect(identity(page)).toBeVisible({ timeout: 20_000 });
  // Nothing the passkey gave, nor the key, nor the passphrase, is left in the page's reach.
  await expectNoSecretsLeaked(page, [key, PASSPHRASE]);

  const manage = await openManage(page);
  await manage.getByRole('button', { name: 'Remove passkey Virtual key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Remove the passkey "Virtual key"?' });
  await dialog.getByRole('button', { name: 'Remove passkey' }).click();
  await expect(manage.getByText('Removed the passkey "Virtual key".')).toBeVisible();
  await expect(manage.getByText('No passkey unlocks this keyring yet.')).toBeVisible();

  await page.reload();
  await expect(page.getByLabel('Passphrase', { exact: true })).toBeVisible();
  await expect(passkeyButton(page)).toHaveCount(0);
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Unlock', exact: true }).click();
  await expect(identity(page)).toBeVisible({ timeout: 20_000 });
});

test('a passkey survives a passphrase change', async ({ page }) => {
  await authenticator(page);
  await firstVisit(page);
  await addPasskey(page, 'Virtual key');
  await page.getByLabel('Current passphrase').fill(PASSPHRASE);
  await page.getByLabel('New passphrase', { exact: true }).fill(NEW_PASSPHRASE);
  await page.getByLabel('Confirm new passphrase').fill(NEW_PASSPHRASE);
  await page.getByRole('button', { name: 'Change passphrase' }).click();
  await expect(page.getByText('Passphrase changed.')).toBeVisible({ timeout: 20_000 });

  await page.reload();
  await passkeyButton(page).click();
  await expect(identity(page)).toBeVisible({ timeout: 20_000 });
  // And the new passphrase is the one that works.
  await page.getByRole('button', { name: 'Lock' }).click();
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Unlock', exact: true }).click();
  await expect(page.getByText('Wrong passphrase')).toBeVisible({ timeout: 20_000 });
  await page.getByLabel('Passphrase', { exact: true }).fill(NEW_PASSPHRASE);
  await page.getByRole('button', { name: 'Unlock', exact: true }).click();
  await expect(identity(page)).toBeVisible({ timeout: 20_000 });
});

test('several passkeys are listed by name and date, and the last one added unlocks', async ({ page }) => {
  const desk = await authenticator(page);
  await firstVisit(page);
  await addPasskey(page, 'Desk key');
  // Another device: the browser offers the new one (the first is excluded, and gone here).
  await desk.remove();
  const pocket = await authenticator(page);
  const section = await addPasskey(page, 'Pocket key');
  const list = section.getByRole('list', { name: 'Passkeys that unlock this keyring' });
  await expect(list.getByRole('listitem')).toHaveCount(2);
  await expect(list.getByRole('listitem').nth(0)).toContainText(/Desk key\s*added just now/);
  await expect(list.getByRole('listitem').nth(1)).toContainText(/Pocket key\s*added just now/);
  expect(await pocket.credentials()).toHaveLength(1);

  await page.reload();
  await passkeyButton(page).click();
  await expect(identity(page)).toBeVisible({ timeout: 20_000 });
  await expect((await openManage(page)).getByRole('listitem')).toHaveCount(2);
});

test("another authenticator's passkey is refused and nothing changes", async ({ page }) => {
  const first = await authenticator(page);
  await firstVisit(page);
  await addPasskey(page, 'Desk key');
  const stored = await page.evaluate(() => ({ ...localStorage }));

  // A second device with a passkey of its own for another keyring of this origin.
  await first.remove();
  const second = await authenticator(page);
  await page.getByRole('button', { name: 'Forget all keys…' }).click();
  await page.getByRole('dialog', { name: 'Forget every stored key?' }).getByRole('button', { name: 'Forget all keys' }).click();
  await addFirstKey(page, { key: demoKey('member'), label: 'other keyring' });
  await addPasskey(page, 'Pocket key');
  expect(await second.credentials()).toHaveLength(1);

  // The first keyring again, and only the second device at hand.
  await page.evaluate((items) => {
    localStorage.clear();
    for (const [k, v] of Object.entries(items)) localStorage.setItem(k, v);
  }, stored);
  await page.reload();
  await passkeyButton(page).click();
  await expect(page.getByRole('alert').filter({ hasText: 'No passkey was used' })).toBeVisible({ timeout: 20_000 });
  await expect(identity(page)).toHaveCount(0);
  expect(await page.evaluate(() => ({ ...localStorage }))).toEqual(stored);
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Unlock', exact: true }).click();
  await expect(identity(page)).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole('combobox', { name: 'Key in use' })).toContainText('lab member');
});

test('an authenticator without PRF: said plainly, and the keyring is unchanged', async ({ page }) => {
  await authenticator(page, { prf: false });
  await firstVisit(page);
  const before = await page.evaluate(() => ({ ...localStorage }));
  const section = await openManage(page);
  await section.getByLabel('Name for a new passkey').fill('Old key');
  await section.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(section.getByRole('alert').filter({ hasText: 'This passkey cannot unlock a keyring' }))
    .toContainText('nothing changed');
  await expect(section.getByText('No passkey unlocks this keyring yet.')).toBeVisible();
  expect(await page.evaluate(() => ({ ...localStorage }))).toEqual(before);
  await page.reload();
  await expect(page.getByLabel('Passphrase', { exact: true })).toBeVisible();
  await expect(passkeyButton(page)).toHaveCount(0);
});

test('a page served from an IP address says passkeys cannot work there before creating anything', async ({ page }) => {
  const device = await authenticator(page);
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  const section = await openManage(page);
  await expect(section.getByText('Passkeys do not work at this address')).toBeVisible();
  await expect(section.getByRole('button', { name: 'Add a passkey' })).toHaveCount(0);
  expect(await device.credentials()).toHaveLength(0);
});
