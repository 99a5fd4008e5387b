// Two tabs of one browser (two pages in one context) share the stored keyring. A change to it
// in one tab locks every other unlocked tab at once (the `storage` event: src/ui/state.rs
// `watch_other_tabs`), so a "Forget" in one tab stops the others from sending the key. A save
// is a compare-and-swap on the exact stored text: one that would land on a change it has not
// seen is refused, shown, and overwrites nothing.
import { test, expect, appUrl, demoKey, screenshot } from '../support/fixtures.mjs';
import { addFirstKey, resetDouble, unlock, PASSPHRASE } from '../support/flows.mjs';
import { readStored, writeStored, parseEnvelope } from '../support/security.mjs';

test.beforeEach(async ({ request }) => resetDouble(request));

const unlockHeading = (page) => page.getByRole('heading', { name: 'Unlock your keyring' });
const identity = (page) => page.getByRole('heading', { name: 'Who this key belongs to' });
const changedElsewhere = /The keyring was changed in another tab or window\. Unlock again to see the changes\./;

/** Tab B: the fixture only watches the first page, so B gets the same watch here. */
function watchProblems(page) {
  const problems = [];
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/^Failed to load resource/.test(msg.text())) problems.push(`console.error: ${msg.text()}`);
  });
  return problems;
}

/** A with a stored keyring, B opened and unlocked on it. */
async function twoUnlockedTabs(page, context) {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  const pageB = await context.newPage();
  const problems = watchProblems(pageB);
  await pageB.goto(appUrl());
  await expect(unlockHeading(pageB)).toBeVisible();
  await unlock(pageB);
  await expect(identity(pageB)).toBeVisible({ timeout: 20_000 });
  return { pageB, problems };
}

/** Requests that carry a key from now on, of one page. */
function keyedRequests(page) {
  const seen = [];
  page.on('request', (r) => {
    if (r.headers().authorization) seen.push(`${r.method()} ${r.url()}`);
  });
  return seen;
}

async function rename(page, from, to) {
  await page.getByRole('button', { name: `Rename ${from}` }).click();
  await page.getByLabel('New label').fill(to);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
}

test('"Forget" in one tab locks the other at once: it shows the first visit and sends the key nowhere', async ({ page, context }) => {
  const { pageB, problems } = await twoUnlockedTabs(page, context);
  const sentByA = keyedRequests(page);

  await pageB.getByRole('button', { name: 'Manage keyring' }).click();
  await pageB.getByRole('button', { name: 'Forget all keys…' }).click();
  await pageB.getByRole('dialog', { name: 'Forget every stored key?' }).getByRole('button', { name: 'Forget all keys' }).click();

  // Well before any idle lock: the storage event arrives in milliseconds.
  await expect(page.getByRole('heading', { name: 'Add your Foundry API key' })).toBeVisible({ timeout: 3_000 });
  await expect(identity(page)).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Lock' })).toHaveCount(0);
  // Nothing A does now can carry the key: it no longer holds one.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Add your Foundry API key' })).toBeVisible();
  expect(sentByA).toEqual([]);
  await screenshot(page, 'two-tabs-forgotten-elsewhere');
  expect(problems).toEqual([]);
});

test('a save in one tab locks the other at once, says why, and unlocking shows the change', async ({ page, context }) => {
  const { pageB, problems } = await twoUnlockedTabs(page, context);

  await pageB.getByRole('button', { name: 'Manage keyring' }).click();
  await rename(pageB, 'lab member', 'renamed in B');
  await expect(pageB.getByRole('status').filter({ hasText: 'Renamed to "renamed in B"' })).toBeVisible();

  await expect(unlockHeading(page)).toBeVisible({ timeout: 3_000 });
  await expect(page.getByText(changedElsewhere)).toBeVisible();
  // B, which made the change, stays unlocked.
  await expect(identity(pageB)).toBeVisible();
  await unlock(page);
  await expect(page.getByLabel('Key in use')).toContainText('renamed in B', { timeout: 20_000 });
  expect(problems).toEqual([]);
});

test('a save over a change this tab has not seen is refused, shown, and overwrites nothing (even at the same revision)', async ({ page }) => {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  const mine = await readStored(page);
  // Another writer whose storage event this tab never got (a tab that forgot and made a
  // keyring again, at the same revision): a different stored text with the same clear
  // revision. Written from this page, so no `storage` event fires here.
  const theirs = mine.slice(0, -4) + (mine.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA');
  expect(parseEnvelope(theirs).revision).toBe(parseEnvelope(mine).revision);
  await writeStored(page, theirs);

  await page.getByRole('button', { name: 'Manage keyring' }).click();
  await rename(page, 'lab member', 'renamed over it');
  await expect(unlockHeading(page)).toBeVisible();
  await expect(page.getByText(changedElsewhere)).toBeVisible();
  await screenshot(page, 'stale-save-refused');
  expect(await readStored(page), 'the other writer\'s keyring is untouched').toBe(theirs);
});

test('a passphrase change in one tab locks the other at once; it opens only with the new passphrase, nothing lost', async ({ page, context }) => {
  const { pageB, problems } = await twoUnlockedTabs(page, context);
  const next = 'a new and longer passphrase';
  await page.getByRole('button', { name: 'Manage keyring' }).click();
  await page.getByLabel('Current passphrase').fill(PASSPHRASE);
  await page.getByLabel('New passphrase', { exact: true }).fill(next);
  await page.getByLabel('Confirm new passphrase').fill(next);
  await page.getByRole('button', { name: 'Change passphrase' }).click();
  await expect(page.getByText('Passphrase changed')).toBeVisible({ timeout: 20_000 });

  await expect(unlockHeading(pageB)).toBeVisible({ timeout: 3_000 });
  await expect(pageB.getByText(changedElsewhere)).toBeVisible();
  await unlock(pageB, PASSPHRASE);
  await expect(pageB.getByRole('alert').filter({ hasText: 'Wrong passphrase' })).toBeVisible({ timeout: 20_000 });
  await unlock(pageB, next);
  await expect(identity(pageB)).toBeVisible({ timeout: 20_000 });
  await expect(pageB.getByLabel('Key in use')).toContainText('lab member');
  expect(problems).toEqual([]);
});
