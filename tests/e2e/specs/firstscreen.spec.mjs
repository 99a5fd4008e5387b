// The standalone page in two modules (src/ui/handover.rs): the first screen (paste, unlock)
// works on its own, the full app arrives when the browser is idle, and an unlock hands the
// keyring over to it. What a person sees when the app cannot arrive, and what crosses over.
import { test, expect, appUrl, demoKey, screenshot } from '../support/fixtures.mjs';
import { addFirstKey, unlock, resetDouble } from '../support/flows.mjs';

test.beforeEach(async ({ request }) => resetDouble(request));

const APP_MODULE = /\/foundry-keyring-app\.js(\?.*)?$/;
const identity = (page) => page.getByRole('heading', { name: 'Who this key belongs to' });
const stuck = (page) => page.getByRole('alert').filter({ hasText: 'The rest of Foundry Keyring did not load' });

/** Holds the app's module back, as a slow link would, until the returned function is called. */
async function holdAppModule(page) {
  let release;
  const released = new Promise((resolve) => { release = resolve; });
  await page.route(APP_MODULE, async (route) => { await released; await route.continue(); });
  return release;
}

test('the first screen works without the app: a key is previewed, and its Save says it was not saved; with the app it is checked and saved', async ({ page }) => {
  const appRequests = [];
  await page.route(APP_MODULE, (route) => { appRequests.push(route.request().url()); return route.abort('connectionfailed'); });
  await page.goto(appUrl());
  // The check with Foundry and the save are the app's: the first screen created the keyring in
  // the agent, but with no app to hand it to, nothing is stored.
  await addFirstKey(page, { key: demoKey('member'), expectIdentity: false });
  const notSaved = page.getByRole('alert').filter({ hasText: 'The rest of Foundry Keyring did not load' });
  await expect(notSaved).toContainText('Your key was not saved', { timeout: 20_000 });
  await expect(identity(page)).toHaveCount(0);
  // The key is to be pasted again: the field is empty, and no preview describes the key gone.
  await expect(page.getByLabel('Paste your key')).toHaveValue('');
  await expect(page.getByRole('region', { name: 'Key preview' })).toHaveCount(0);
  expect(await page.evaluate(() => localStorage.length), 'nothing stored').toBe(0);
  await screenshot(page, 'handover-first-key-app-missing');
  expect(appRequests.length, 'the app was asked for').toBeGreaterThan(0);

  // The connection is back: the key pasted again is saved (the passphrase fields kept theirs).
  await page.unroute(APP_MODULE);
  await page.getByLabel('Paste your key').fill(demoKey('member'));
  await page.getByRole('button', { name: 'Save key' }).click();
  await expect(identity(page)).toBeVisible({ timeout: 20_000 });
  await expect(page.getByLabel('Key in use')).toContainText('lab member');
  expect(await page.evaluate(() => localStorage.length), 'stored').toBeGreaterThan(0);
});

test('a keyring unlocked while the app cannot arrive waits, unlocked; once the app can arrive "Try again" shows it', async ({ page }) => {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  await page.route(APP_MODULE, (route) => route.abort('connectionfailed'));
  await page.reload();
  await unlock(page);
  await expect(stuck(page)).toContainText('Your keyring is unlocked, but the part of the app that shows it did not arrive', { timeout: 20_000 });
  await expect(identity(page)).toHaveCount(0);
  await screenshot(page, 'handover-app-missing');

  // A second try fetches the module again (under another URL, for browsers that remember a
  // failed import) and the keyring the first screen opened is shown.
  await page.unroute(APP_MODULE);
  await stuck(page).getByRole('button', { name: 'Try again' }).click();
  await expect(identity(page)).toBeVisible({ timeout: 20_000 });
  await expect(page.getByLabel('Key in use')).toContainText('lab member');
  await expect(stuck(page)).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Lock' })).toHaveCount(1);
});

test('a keyring unlocked before the app arrives says so, with a progress bar, until the unlocked view replaces it', async ({ page }) => {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  // The app's module is held back (a slow link) until the waiting screen has been checked.
  const release = await holdAppModule(page);
  await page.reload();
  await unlock(page);
  const waiting = page.getByRole('status').filter({ hasText: 'Unlocked. Loading your keys and tokens…' });
  await expect(waiting).toBeVisible({ timeout: 20_000 });
  await expect(waiting.getByRole('progressbar', { name: 'Unlocked. Loading your keys and tokens…' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Lock' })).toBeVisible();
  await screenshot(page, 'handover-app-on-its-way');

  release();
  await expect(identity(page)).toBeVisible({ timeout: 20_000 });
  await expect(waiting).toHaveCount(0);
});

test('when the app cannot arrive, Lock from the message leaves the stored keyring locked, and it unlocks once the app is there', async ({ page }) => {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  await page.route(APP_MODULE, (route) => route.abort('connectionfailed'));
  await page.reload();
  await unlock(page);
  await expect(stuck(page)).toBeVisible({ timeout: 20_000 });
  await stuck(page).getByRole('button', { name: 'Lock' }).click();
  await expect(page.getByRole('heading', { name: 'Unlock your keyring' })).toBeVisible();

  await page.unroute(APP_MODULE);
  await unlock(page);
  await expect(identity(page)).toBeVisible({ timeout: 20_000 });
});

test('a keyring left waiting for an app that does not arrive still locks after the idle time', async ({ page }) => {
  // A fake clock, so "idle for 15 minutes" (the default: the first screen has no Settings of
  // its own) takes no real minutes.
  await page.clock.install();
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  await page.route(APP_MODULE, (route) => route.abort('connectionfailed'));
  await page.reload();
  await unlock(page);
  await expect(stuck(page)).toBeVisible({ timeout: 20_000 });
  await page.clock.fastForward('14:30');
  await expect(stuck(page), 'not before the idle time').toBeVisible();
  await page.clock.fastForward('00:35');
  await expect(page.getByText('Locked after a period of inactivity.')).toBeVisible();
  await expect(stuck(page)).toHaveCount(0);
});

test('Settings open in the app: the first screen\'s button brings it with Settings open; without the app it says so, and "Try again" opens them', async ({ page }) => {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member'), label: 'first' });
  await page.route(APP_MODULE, (route) => route.abort('connectionfailed'));
  await page.reload();
  await page.getByRole('button', { name: 'Settings' }).click();
  const notOpened = page.getByRole('alert').filter({ hasText: 'Settings did not open' });
  await expect(notOpened).toContainText('did not arrive', { timeout: 20_000 });
  await expect(page.getByRole('region', { name: 'Settings' })).toHaveCount(0);
  // The first screen still works meanwhile.
  await expect(page.getByLabel('Passphrase', { exact: true })).toBeEditable();

  await page.unroute(APP_MODULE);
  await notOpened.getByRole('button', { name: 'Try again' }).click();
  const settings = page.getByRole('region', { name: 'Settings' });
  await expect(settings).toBeVisible({ timeout: 20_000 });
  await expect(notOpened).toHaveCount(0);
  await screenshot(page, 'handover-settings');
  // The app is the page now, locked: what is chosen in its Settings holds after its unlock.
  await expect(page.locator('[data-foundry-keyring-root]')).toHaveCount(1);
  await settings.getByLabel('Lock after inactivity').selectOption({ label: '5 minutes' });
  await settings.getByLabel('Lock when I switch tabs or minimise the window').check();
  await unlock(page);
  await expect(identity(page)).toBeVisible({ timeout: 20_000 });
  await expect(page.getByLabel('Lock after inactivity')).toHaveValue('5');
  await expect(page.getByLabel('Lock when I switch tabs or minimise the window')).toBeChecked();
  await expect(page.getByLabel('Key in use')).toContainText('first');
});

test('Settings asked for before the app arrives say they are opening, with a progress bar, until they open', async ({ page }) => {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  // The app's module is held back (a slow link) until the waiting cards have been checked.
  const release = await holdAppModule(page);
  await page.reload();
  await page.getByRole('button', { name: 'Settings' }).click();
  const opening = page.getByRole('status').filter({ hasText: 'Opening settings…' });
  await expect(opening.getByRole('progressbar', { name: 'Opening settings…' })).toBeVisible({ timeout: 20_000 });
  // The unlock form still works meanwhile.
  await expect(page.getByLabel('Passphrase', { exact: true })).toBeEditable();
  await screenshot(page, 'handover-settings-on-their-way');

  release();
  await expect(page.getByRole('region', { name: 'Settings' })).toBeVisible({ timeout: 20_000 });
  await expect(opening).toHaveCount(0);
});

test('the import asked for before the app arrives says it is opening, with a progress bar, until it opens', async ({ page }) => {
  const release = await holdAppModule(page);
  await page.goto(appUrl());
  await page.getByRole('button', { name: 'Import a keyring file…' }).click();
  const opening = page.getByRole('status').filter({ hasText: 'Opening the import…' });
  await expect(opening.getByRole('progressbar', { name: 'Opening the import…' })).toBeVisible({ timeout: 20_000 });

  release();
  await expect(page.getByLabel('Keyring file', { exact: true })).toBeFocused({ timeout: 20_000 });
  await expect(opening).toHaveCount(0);
});

test('the import opens in the app: the first screen\'s toggle brings it, open, with the focus on the file; without the app it says so', async ({ page }) => {
  await page.route(APP_MODULE, (route) => route.abort('connectionfailed'));
  await page.goto(appUrl());
  const toggle = page.getByRole('button', { name: 'Import a keyring file…' });
  await toggle.click();
  const notOpened = page.getByRole('alert').filter({ hasText: 'The import did not open' });
  await expect(notOpened).toContainText('did not arrive');
  await screenshot(page, 'import-did-not-open');
  await expect(page.getByLabel('Keyring file', { exact: true })).toHaveCount(0);
  // The first screen still works meanwhile: the key field takes typing.
  await page.getByLabel('Paste your key').fill('abs0_typed');
  // Its key agent (which took the typed text for a preview) stops when the app takes over.
  await expect.poll(() => page.workers().length, { timeout: 10_000 }).toBeGreaterThan(0);
  let stopped = false;
  page.workers()[0].once('close', () => { stopped = true; });

  await page.unroute(APP_MODULE);
  await toggle.click();
  const file = page.getByLabel('Keyring file', { exact: true });
  await expect(file).toBeFocused({ timeout: 20_000 });
  await expect(page.getByRole('button', { name: 'Import a keyring file…' })).toHaveAttribute('aria-expanded', 'true');
  await expect(notOpened).toHaveCount(0);
  await screenshot(page, 'import-opened-in-app');
  // One keyring on the page, the app's: the first screen and what was typed in it are gone.
  await expect(page.locator('[data-foundry-keyring-root]')).toHaveCount(1);
  await expect(page.getByLabel('Paste your key')).toHaveValue('');
  await expect.poll(() => stopped, { message: 'the first screen\'s agent stopped', timeout: 10_000 }).toBe(true);
  // The app's own toggle closes and opens the form as before.
  await page.getByRole('button', { name: 'Import a keyring file…' }).click();
  await expect(file).toHaveCount(0);
});

test('an app that refuses the handover (another build, kept by the browser) leaves the keyring locked, its agent stopped, and says to reload', async ({ page }) => {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  await page.route(APP_MODULE, (route) => route.fulfill({
    contentType: 'text/javascript',
    body: 'export default async function init() {}\nexport function take_over() { throw new Error("another build"); }\n',
  }));
  await page.reload();
  await expect.poll(() => page.workers().length, { timeout: 10_000 }).toBeGreaterThan(0);
  const [agent] = page.workers();
  let stopped = false;
  agent.once('close', () => { stopped = true; });
  await unlock(page);
  await expect(page.getByText('The part of the app that shows your keyring could not start')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole('heading', { name: 'Unlock your keyring' })).toBeVisible();
  await expect(identity(page)).toHaveCount(0);
  // The agent that opened the keyring was stopped with its keys (a new one, locked, starts
  // when the page is idle).
  await expect.poll(() => stopped, { message: 'the agent that opened the keyring was stopped', timeout: 10_000 }).toBe(true);

  await page.unroute(APP_MODULE);
  await page.reload();
  await unlock(page);
  await expect(identity(page)).toBeVisible({ timeout: 20_000 });
});

test('what the first screen knew carries over to the app: the key in use, and nothing of the first screen stays', async ({ page }) => {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member'), label: 'first' });
  await page.reload();
  await unlock(page);
  await expect(identity(page)).toBeVisible({ timeout: 20_000 });
  await expect(page.getByLabel('Key in use')).toContainText('first');
  // One page, one keyring: the first screen left nothing of itself behind.
  await expect(page.locator('[data-foundry-keyring-root]')).toHaveCount(1);
  await expect(page.getByLabel('Passphrase', { exact: true })).toHaveCount(0);

  // The app takes over once: a script in the page calling its export again, with an agent of
  // its own making, is refused, and no second keyring appears.
  const again = await page.evaluate(async () => {
    const app = await import(new URL('./foundry-keyring-app.js', document.baseURI).href);
    const fakeAgent = { postMessage() {}, terminate() {}, onmessage: null, onerror: null };
    // Refused before it is read, whatever it holds.
    const handover = new Uint8Array([0, 0, 0, 0, 1, 0]);
    try { app.take_over(fakeAgent, handover); return 'taken'; } catch (e) { return String(e); }
  });
  expect(again).toContain('already running');
  await expect(page.locator('[data-foundry-keyring-root]')).toHaveCount(1);
});

// The first screen is one module per visit (.ci/write_boot.py): the paste form's on a first
// visit, the unlock form's when a keyring is stored, so neither visit fetches the other's form.
// Trunk names the paste form's files by a 64-bit hash in hex without leading zeros (one build's
// was 13 digits); .ci/write_boot.py names the unlock form's by 16 digits of a SHA-256.
const PASTE_SCREEN = /\/foundry-keyring-[0-9a-f]{1,16}(_bg\.wasm|\.js)$/;
const UNLOCK_SCREEN = /\/foundry-keyring-unlock-[0-9a-f]{16}(_bg\.wasm|\.js)$/;

function screensFetched(page) {
  const seen = { paste: 0, unlock: 0 };
  page.on('request', (r) => {
    if (PASTE_SCREEN.test(r.url())) seen.paste += 1;
    if (UNLOCK_SCREEN.test(r.url())) seen.unlock += 1;
  });
  return seen;
}

test('each visit fetches only its own first screen: the paste form on a first visit, the unlock form on a returning one', async ({ page }) => {
  let seen = screensFetched(page);
  await page.goto(appUrl());
  await expect(page.getByLabel('Paste your key')).toBeEditable();
  expect(seen, 'a first visit').toEqual({ paste: 2, unlock: 0 });
  await addFirstKey(page, { key: demoKey('member') });

  page.removeAllListeners('request');
  seen = screensFetched(page);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Unlock your keyring' })).toBeVisible();
  expect(seen, 'a returning visit').toEqual({ paste: 0, unlock: 2 });
  await unlock(page);
  await expect(identity(page)).toBeVisible({ timeout: 20_000 });
});

test('a first screen without the form the keyring now needs hands over to the app: forgotten on a returning visit, stored by another tab on a first one', async ({ page, context }) => {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  await page.reload();
  // The unlock form's module has no paste form: after "Forget", the app shows its own.
  await page.getByRole('button', { name: 'Forget the stored keys…' }).click();
  await page.getByRole('dialog', { name: 'Forget every stored key?' }).getByRole('button', { name: 'Forget all keys' }).click();
  await expect(page.getByLabel('Paste your key')).toBeEditable({ timeout: 20_000 });
  expect(await page.evaluate(() => localStorage.length), 'nothing stored').toBe(0);

  // A first visit's page (the paste form's module), and another tab stores a keyring: the app
  // takes over with the unlock form, which opens it.
  await page.reload();
  await expect(page.getByLabel('Paste your key')).toBeEditable();
  const other = await context.newPage();
  await other.goto(appUrl());
  await addFirstKey(other, { key: demoKey('member') });
  await other.close();
  await expect(page.getByRole('heading', { name: 'Unlock your keyring' })).toBeVisible({ timeout: 20_000 });
  await unlock(page);
  await expect(identity(page)).toBeVisible({ timeout: 20_000 });
});
