// Settings (API base, theme, idle time), the page at 360 px, and the main flows from the
// keyboard alone.
import { test, expect, appUrl, demoKey, screenshot } from '../support/fixtures.mjs';
import { addFirstKey, resetDouble, PASSPHRASE } from '../support/flows.mjs';
import { API_BASE } from '../support/env.mjs';

test.beforeEach(async ({ request }) => resetDouble(request));

test('settings: a bad API address is refused, the theme and the idle time apply at once, and a reload keeps the theme', async ({ page }) => {
  // A fake clock, so "idle for a minute" takes no real minute.
  await page.clock.install();
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  await page.getByRole('button', { name: 'Settings' }).click();
  const settings = page.getByRole('region', { name: 'Settings' });

  // The API address is advanced: one click away, not on the everyday path.
  await expect(settings.getByLabel('Foundry API base URL')).toBeHidden();
  await settings.getByText('Advanced: the API address').click();
  const base = settings.getByLabel('Foundry API base URL');
  await expect(base).toHaveValue(API_BASE);
  await base.fill('ftp://foundry.example');
  await settings.getByRole('button', { name: 'Use this API' }).click();
  await expect(settings.getByRole('alert').filter({ hasText: 'That address cannot be used' })).toBeVisible();
  await base.fill(API_BASE);
  await settings.getByRole('button', { name: 'Use this API' }).click();
  await expect(settings.getByRole('alert')).toHaveCount(0);
  expect(new URL(page.url()).searchParams.get('api')).toBe(API_BASE);

  const root = page.locator('[data-foundry-keyring-root]');
  const background = () => root.evaluate((el) => `${getComputedStyle(el).color} on ${getComputedStyle(document.body).backgroundColor}`);
  const light = await background();
  await settings.getByLabel('Theme').selectOption('dark');
  await expect(root).toHaveAttribute('data-theme', 'dark');
  await expect.poll(background).not.toBe(light);
  expect(new URL(page.url()).searchParams.get('theme')).toBe('dark');
  await screenshot(page, 'flow8-settings-dark');

  // One minute of inactivity: the countdown is there at once, and the keyring locks after it.
  await settings.getByLabel('Lock after inactivity').selectOption({ label: '1 minute' });
  const countdown = page.getByRole('status').filter({ hasText: 'Locking soon' });
  await expect(countdown).toContainText(/locks in 0:[0-5]\d because of inactivity/);
  await page.clock.fastForward('01:05');
  await expect(page.getByRole('button', { name: 'Unlock' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Who this key belongs to' })).toHaveCount(0);

  await page.reload();
  await expect(page.getByRole('button', { name: 'Unlock' })).toBeVisible();
  await expect(root).toHaveAttribute('data-theme', 'dark');
  await screenshot(page, 'flow8-locked-dark');
});

/** The page itself never scrolls sideways; wide content (the table) scrolls in its own box. */
async function expectNoSideways(page) {
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: window.innerWidth }));
  expect(widths.page, 'the page is no wider than the viewport').toBeLessThanOrEqual(widths.viewport);
}

test('at 360 px wide: first visit and the unlocked page fit, nothing scrolls sideways', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 780 });
  await page.goto(appUrl());
  await expect(page.getByLabel('Paste your key')).toBeVisible();
  await expectNoSideways(page);
  await screenshot(page, 'width-360-first-visit');
  await addFirstKey(page, { key: demoKey('member') });
  await expect(page.getByRole('table')).toBeVisible();
  await expectNoSideways(page);
  await page.evaluate(() => window.scrollTo(0, 0));
  await expect(page.getByRole('button', { name: 'Lock' })).toBeInViewport();
  await screenshot(page, 'width-360-unlocked');
});

/** Presses Tab until `target` has the focus; fails if it is not reached in `max` presses. */
async function tabTo(page, target, max = 30) {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  await expect(target, `reached with Tab within ${max} presses`).toBeFocused();
}

test('keyboard only: paste, save, lock, unlock, open and dismiss a dialog', async ({ page }) => {
  await page.goto(appUrl());
  const paste = page.getByLabel('Paste your key');
  await tabTo(page, paste);
  await page.keyboard.insertText(demoKey('member'));
  await expect(page.getByRole('region', { name: 'Key preview' })).toBeVisible();
  await tabTo(page, page.getByLabel('Label'));
  await page.keyboard.type('keyboard key');
  await tabTo(page, page.getByLabel('Passphrase', { exact: true }));
  await page.keyboard.type(PASSPHRASE);
  await tabTo(page, page.getByLabel('Confirm passphrase'));
  await page.keyboard.type(PASSPHRASE);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Who this key belongs to' })).toBeVisible({ timeout: 20_000 });

  // A dialog takes the focus, Escape closes it, and the focus returns to the button that opened it.
  // The danger zone comes after the table, whose rows each have two buttons (copy id, details).
  const revoke = page.getByRole('button', { name: 'Revoke this key…' });
  await tabTo(page, revoke, 120);
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: "Revoke this key and every token made from it?" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(revoke).toBeFocused();

  // Lock from the keyboard; the passphrase field has the focus; Enter unlocks.
  await page.keyboard.press('Shift+Tab');
  const lock = page.getByRole('button', { name: 'Lock' });
  await tabTo(page, lock, 140);
  await page.keyboard.press('Enter');
  const passphrase = page.getByLabel('Passphrase', { exact: true });
  await expect(passphrase).toBeFocused();
  await page.keyboard.type(PASSPHRASE);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Who this key belongs to' })).toBeVisible({ timeout: 20_000 });
  await screenshot(page, 'keyboard-unlocked');
});
