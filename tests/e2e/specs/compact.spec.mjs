// Compact mode, for dashboards: `mount(element, { compact: true })` or the element's `compact`
// attribute. No product header (logo, name, tagline), tighter spacing; Settings and Lock stay,
// and every flow works. The example host page's Lab B is compact, Lab A is not.
import { test, expect, demoKey, screenshot } from '../support/fixtures.mjs';
import path from 'node:path';
import { SCREENSHOT_DIR, API_BASE } from '../support/env.mjs';
import { addFirstKey, resetDouble, unlock, expectNoSecretsLeaked } from '../support/flows.mjs';
import { openHostPage } from '../support/host.mjs';
import { widthProblems } from '../support/layout.mjs';

test.beforeEach(async ({ request }) => resetDouble(request));

const PASS_B = 'lab B keeps a compact keyring';

/** The product header as a person finds it: a banner, or a heading with the product's name. */
const productHeader = (instance) => [
  instance.getByRole('banner'),
  instance.getByRole('heading', { name: 'Foundry Keyring' }),
];

test('a compact element has no product header, and its paste, lock and unlock flows work', async ({ page }) => {
  await openHostPage(page);
  const a = page.locator('#lab-a');
  const b = page.locator('#lab-b');
  await expect(b.getByLabel('Paste your key')).toBeVisible();
  // The same locators find the header of the instance that is not compact.
  await expect(a.getByRole('heading', { name: 'Foundry Keyring' })).toBeVisible();
  for (const header of productHeader(b)) await expect(header).toHaveCount(0);
  await expect(b.getByRole('button', { name: 'Settings' })).toBeVisible();
  await screenshot(page, 'compact-first-run');

  const key = demoKey('read-only');
  await addFirstKey(b, { key, label: 'dashboard key', passphrase: PASS_B });
  for (const header of productHeader(b)) await expect(header).toHaveCount(0);
  const status = await page.evaluate(async () => {
    const response = await document.getElementById('lab-b').handle.fetch('/api/v1/whoami');
    return response.status;
  });
  expect(status).toBe(200);
  await screenshot(page, 'compact-unlocked');

  await b.getByRole('button', { name: 'Lock' }).click();
  await expect(b.getByRole('heading', { name: 'Unlock your keyring' })).toBeVisible();
  await unlock(b, PASS_B);
  await expect(b.getByRole('heading', { name: 'Who this key belongs to' })).toBeVisible({ timeout: 20_000 });
  await expectNoSecretsLeaked(page, [key, PASS_B]);
});

test('the compact attribute turns the header off and on; mount takes compact: true', async ({ page }) => {
  await openHostPage(page);
  const b = page.locator('#lab-b');
  await expect(b.getByLabel('Paste your key')).toBeVisible();
  expect(await page.evaluate(() => document.getElementById('lab-b').options.compact)).toBe(true);
  expect(await page.evaluate(() => document.getElementById('lab-a').options.compact)).toBeUndefined();

  // Removing the attribute remounts the element with the header.
  await page.evaluate(() => document.getElementById('lab-b').removeAttribute('compact'));
  await expect(b.getByRole('heading', { name: 'Foundry Keyring' })).toBeVisible();
  await page.evaluate(() => document.getElementById('lab-b').setAttribute('compact', ''));
  await expect(b.getByLabel('Paste your key')).toBeVisible();
  for (const header of productHeader(b)) await expect(header).toHaveCount(0);

  // mount() itself, without the element: compact must be a boolean.
  const outcome = await page.evaluate(async () => {
    const { default: init, mount } = await import('/embed/foundry_keyring.js');
    await init();
    const host = document.createElement('div');
    document.body.append(host);
    const handle = mount(host, { storageNamespace: 'dashboard', compact: true, workerUrl: '/embed/key-agent_loader.js' });
    const result = {
      headings: [...host.querySelectorAll('h1, h2')].map((h) => h.textContent),
      compactRoot: !!host.querySelector('.fk-compact'),
    };
    let refused = null;
    try {
      mount(document.createElement('div'), { compact: 'yes' });
    } catch (error) {
      refused = `${error.name}: ${error.message}`;
    }
    handle.unmount();
    handle.free();
    host.remove();
    return { ...result, refused };
  });
  expect(outcome.headings).not.toContain('Foundry Keyring');
  expect(outcome.compactRoot).toBe(true);
  expect(outcome.refused).toMatch(/^TypeError: Foundry Keyring: invalid options/);
});

test('compact in light, dark and at 375 px', async ({ page }) => {
  await openHostPage(page);
  const b = page.locator('#lab-b');
  await expect(b.getByLabel('Paste your key')).toBeVisible();
  await addFirstKey(b, { key: demoKey('member'), label: 'member key', passphrase: PASS_B });
  for (const theme of ['light', 'dark']) {
    await page.evaluate((t) => document.getElementById('lab-b').setAttribute('theme', t), theme);
    await unlock(b, PASS_B);
    await expect(b.getByRole('heading', { name: 'Who this key belongs to' })).toBeVisible({ timeout: 20_000 });
    await b.screenshot({ path: path.join(SCREENSHOT_DIR, `compact-${theme}.png`) });
  }
  await page.setViewportSize({ width: 375, height: 800 });
  await b.getByRole('button', { name: 'Manage keyring' }).click();
  await b.getByRole('button', { name: 'Import a keyring file…' }).click();
  expect(await widthProblems(page), 'the host page and both keyrings fit the 375 px screen').toEqual([]);
  await b.screenshot({ path: path.join(SCREENSHOT_DIR, 'compact-375.png') });
});

// A host's sidebar or dashboard tile is narrow on any screen. The element follows its own width
// (a ResizeObserver marks it narrow at 40rem or less), so its rows are cards there as they are
// on a phone, and it goes back to a table when the tile widens.
test('a keyring in a narrow tile on a wide screen lays out as on a phone, and as a table once the tile is wide', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  // What a host's error monitoring would see: every error event on the window.
  await page.addInitScript(() => {
    window.hostSawErrors = [];
    window.addEventListener('error', (event) => window.hostSawErrors.push(event.message));
  });
  await openHostPage(page);
  await page.evaluate(() => {
    document.querySelector('.host-grid').style.gridTemplateColumns = '1fr 22rem';
    document.getElementById('lab-b').setAttribute('panels', 'identity tokens');
  });
  const b = page.locator('#lab-b');
  await addFirstKey(b, { key: demoKey('member'), label: 'member key', sessionOnly: true });
  const rows = b.getByRole('table').locator('tbody tr');
  await expect(rows.first()).toBeVisible({ timeout: 20_000 });
  const firstCell = rows.first().locator('td').first();
  const layout = () => firstCell.evaluate((td) => ({ display: getComputedStyle(td).display, label: getComputedStyle(td, '::before').content }));
  const sideways = () => b.getByRole('group', { name: 'Token rows' }).evaluate((wrap) => wrap.scrollWidth - wrap.clientWidth);

  expect(await b.evaluate((element) => Math.round(element.getBoundingClientRect().width)), 'the tile').toBe(352);
  // Each cell a labelled line of its card, and nothing to scroll sideways.
  expect(await layout()).toEqual({ display: 'block', label: '"Status"' });
  expect(await sideways(), 'the rows do not scroll sideways').toBeLessThanOrEqual(0);
  // The tile from a little above its first rows (the whole tile is 10,000 px high).
  const tile = await b.boundingBox();
  const first = await rows.first().boundingBox();
  const scrolled = await page.evaluate(() => window.scrollY);
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'embed-narrow-tile.png'), fullPage: true, clip: { x: tile.x, y: first.y + scrolled - 400, width: tile.width, height: 1000 } });

  await page.evaluate(() => { document.querySelector('.host-grid').style.gridTemplateColumns = '1fr 1fr'; });
  await expect.poll(async () => (await layout()).display, 'a table again in a wide tile').toBe('table-cell');
  expect((await layout()).label).toBe('none');
  await page.evaluate(() => { document.querySelector('.host-grid').style.gridTemplateColumns = '1fr 22rem'; });
  await expect.poll(async () => (await layout()).display, 'cards again in a narrow tile').toBe('block');
  // The switch happens outside the ResizeObserver's callback, so the host hears no error.
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => window.hostSawErrors), 'errors the host page heard').toEqual([]);
});

// A host that mounts without the element gets the same: `mount` follows the width of whatever
// element it is given (src/embed/width.js), and unmounting stops it.
test('a keyring mounted without the element follows the width of the host\'s own element', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await openHostPage(page);
  await page.evaluate(async (apiBase) => {
    for (const element of document.querySelectorAll('foundry-keyring')) element.remove();
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = '/embed/foundry-keyring.css';
    const loaded = new Promise((resolve) => link.addEventListener('load', resolve));
    document.head.append(link);
    await loaded;
    const tile = document.createElement('div');
    tile.id = 'host-tile';
    tile.style.width = '22rem';
    document.body.append(tile);
    const { default: init, mount } = await import('/embed/foundry_keyring.js');
    await init();
    window.hostHandle = mount(tile, { apiBase, storageNamespace: 'host-tile', workerUrl: '/embed/key-agent_loader.js' });
  }, API_BASE);
  const tile = page.locator('#host-tile');
  await addFirstKey(tile, { key: demoKey('member'), label: 'member key', sessionOnly: true });
  const firstCell = tile.getByRole('table').locator('tbody tr').first().locator('td').first();
  await expect(firstCell).toBeVisible({ timeout: 20_000 });
  const display = () => firstCell.evaluate((td) => getComputedStyle(td).display);
  expect(await display(), 'cards in a 22rem element on a 1440 px screen').toBe('block');
  await tile.evaluate((element) => { element.style.width = '60rem'; });
  await expect.poll(display, 'a table once the element is wide').toBe('table-cell');
  await tile.evaluate((element) => { element.style.width = '22rem'; });
  await expect.poll(display, 'cards again once it is narrow').toBe('block');
  await page.evaluate(() => window.hostHandle.unmount());
  expect(await tile.evaluate((element) => element.className), 'unmounting takes the class off').toBe('');
  // The first layout is chosen before the first render, on the width the observer reports
  // later (the content box): an element 40rem wide inside its padding is narrow from the start,
  // not wide for a frame.
  const atMount = await page.evaluate(async (apiBase) => {
    const element = document.getElementById('host-tile');
    Object.assign(element.style, { boxSizing: 'content-box', width: '40rem', padding: '1rem' });
    const { mount } = await import('/embed/foundry_keyring.js');
    window.hostHandle = mount(element, { apiBase, storageNamespace: 'host-tile', workerUrl: '/embed/key-agent_loader.js' });
    const first = element.classList.contains('fk-narrow');
    // A few frames: the observer's first report is applied in the frame after it comes.
    for (let frame = 0; frame < 4; frame += 1) await new Promise((resolve) => requestAnimationFrame(resolve));
    return { first, later: element.classList.contains('fk-narrow') };
  }, API_BASE);
  expect(atMount).toEqual({ first: true, later: true });
  await page.evaluate(() => window.hostHandle.unmount());
});
