// The key holder's flows against the double: add, unlock, lock, keyring management.
import { test, expect, appUrl, demoKey, screenshot } from '../support/fixtures.mjs';
import { addFirstKey, unlock, resetDouble, selectKey, expectNoSecretsLeaked, PASSPHRASE } from '../support/flows.mjs';

test.beforeEach(async ({ request }) => resetDouble(request));

test('first visit: paste, preview, store encrypted, and see who the key belongs to', async ({ page }) => {
  const key = demoKey('member');
  await page.goto(appUrl());
  await expect(page.getByRole('link', { name: 'Create one in the Foundry portal' }))
    .toHaveAttribute('href', 'https://foundry.adaptyvbio.com/request-token');
  await page.getByLabel('Paste your key').fill(key);
  const preview = page.getByRole('region', { name: 'Key preview' });
  await expect(preview).toContainText('Token id');
  await expect(preview).toContainText('abs0_');
  await page.getByText('Show exactly what the key says').click();
  await expect(preview).toContainText('token_id(');
  await page.getByLabel('Label').fill('lab member');
  await page.getByLabel('Passphrase', { exact: true }).fill('short');
  await expect(page.getByText(/Strength: Too short/)).toBeVisible();
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByLabel('Confirm passphrase').fill(PASSPHRASE);
  await screenshot(page, 'flow1-add-key');
  await page.getByRole('button', { name: 'Save key' }).click();
  await expect(page.getByRole('heading', { name: 'Who this key belongs to' })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole('heading', { name: 'What this key may do' })).toBeVisible();
  await expect(page.getByText('active', { exact: true }).first()).toBeVisible();
  await screenshot(page, 'flow2-unlocked');
  await expectNoSecretsLeaked(page, [key, PASSPHRASE]);
});

test('a non-key is refused with a clear message before anything is sent', async ({ page }) => {
  await page.goto(appUrl());
  await page.getByLabel('Paste your key').fill('ghp_definitelyNotAFoundryKey');
  await expect(page.getByRole('alert').filter({ hasText: 'This key cannot be read' }))
    .toContainText('Foundry keys start with "abs0_"');
  await page.getByRole('button', { name: 'Save key' }).click();
  await expect(page.getByText('The key cannot be used')).toBeVisible();
});

test('a key pasted as it was copied (after "Bearer", in quotes, wrapped over lines) is read and works; one inside other text is asked for alone', async ({ page }) => {
  const key = demoKey('member');
  await page.goto(appUrl());
  const field = page.getByLabel('Paste your key');
  const preview = page.getByRole('region', { name: 'Key preview' });
  const unreadable = page.getByRole('alert').filter({ hasText: 'This key cannot be read' });
  await field.fill(`FOUNDRY_API_KEY=${key}`);
  await expect(unreadable).toContainText('This text holds a Foundry key and more: paste the key alone');
  // A message's line break inside the key (the field turns it into a space).
  await field.fill(`Bearer "${key.slice(0, 70)}\n${key.slice(70)}"`);
  await expect(preview).toContainText('1 (a main key)');
  await expect(unreadable).toHaveCount(0);
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByLabel('Confirm passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Save key' }).click();
  // Foundry answers only the key itself: "Bearer Bearer …" would be refused.
  await expect(page.getByRole('heading', { name: 'Who this key belongs to' })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByLabel('Key in use')).toContainText(`${key.slice(0, 9)}…${key.slice(-4)}`);
});

test('the preview decoded by the key agent: a key that does not decode is refused, even when Save beats the preview', async ({ page }) => {
  await page.goto(appUrl());
  const undecodable = `abs0_${'x'.repeat(90)}`;
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByLabel('Confirm passphrase').fill(PASSPHRASE);
  // Paste and Save in one task, before the agent's preview can answer: the agent refuses the
  // key when it is staged. (No person is that fast; a script driving the page is.)
  const field = page.getByLabel('Paste your key');
  await field.evaluate((input, text) => {
    input.value = text;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.form.requestSubmit();
  }, undecodable);
  await expect(page.getByText('The key cannot be used')).toBeVisible();
  await expect(page.getByRole('alert').filter({ hasText: 'This key cannot be read' }))
    .toContainText('cannot be decoded; check that it was copied completely');
  expect(await page.evaluate(() => localStorage.length)).toBe(0);

  // Pasted the usual way, the preview says so before Save.
  await field.fill(undecodable);
  await expect(page.getByRole('alert').filter({ hasText: 'This key cannot be read' }))
    .toContainText('cannot be decoded; check that it was copied completely');
  await field.fill(demoKey('member'));
  await expect(page.getByRole('region', { name: 'Key preview' })).toContainText('1 (a main key)');
  await expect(page.getByRole('alert').filter({ hasText: 'This key cannot be read' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Save key' }).click();
  await expect(page.getByRole('heading', { name: 'Who this key belongs to' })).toBeVisible({ timeout: 20_000 });
});

test('a pasted key crosses to the key agent once: decoded for the preview, and Save stages that copy', async ({ page }) => {
  const key = demoKey('member');
  // Counts the messages to any worker whose secrets hold the key (read before they are moved).
  await page.addInitScript((secret) => {
    window.__keySends = 0;
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (message, ...rest) {
      for (const bytes of message?.secrets ?? []) {
        if (new TextDecoder().decode(bytes) === secret) window.__keySends += 1;
      }
      return post.call(this, message, ...rest);
    };
  }, key);
  await page.goto(appUrl());
  await page.getByLabel('Paste your key').fill(key);
  await expect(page.getByRole('region', { name: 'Key preview' })).toContainText('1 (a main key)');
  expect(await page.evaluate(() => window.__keySends), 'sent once, for the preview').toBe(1);
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByLabel('Confirm passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Save key' }).click();
  await expect(page.getByRole('heading', { name: 'Who this key belongs to' })).toBeVisible({ timeout: 20_000 });
  expect(await page.evaluate(() => window.__keySends), 'Save sent it no second time').toBe(1);
  await expectNoSecretsLeaked(page, [key, PASSPHRASE]);
});

test('lock, reload, wrong passphrase, then unlock returns to the keyring', async ({ page }) => {
  const key = demoKey('member');
  await page.goto(appUrl());
  await addFirstKey(page, { key });
  await page.getByRole('button', { name: 'Lock' }).click();
  await expect(page.getByRole('heading', { name: 'Unlock your keyring' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Unlock your keyring' })).toBeVisible();
  await unlock(page, 'not the passphrase at all');
  await expect(page.getByText('Wrong passphrase')).toBeVisible({ timeout: 20_000 });
  await screenshot(page, 'flow6-wrong-passphrase');
  await unlock(page);
  await expect(page.getByRole('heading', { name: 'Who this key belongs to' })).toBeVisible({ timeout: 20_000 });
  await expectNoSecretsLeaked(page, [key, PASSPHRASE]);
});

test('this session only: usable now, gone after a reload, never stored', async ({ page }) => {
  const key = demoKey('member');
  await page.goto(appUrl());
  await addFirstKey(page, { key, sessionOnly: true });
  expect(await page.evaluate(() => localStorage.length)).toBe(0);
  await expectNoSecretsLeaked(page, [key]);
  await page.reload();
  await expect(page.getByLabel('Paste your key')).toBeVisible();
});

test('keyring: add a second key, switch, rename, remove, change the passphrase', async ({ page }) => {
  const member = demoKey('member');
  const readOnly = demoKey('read-only');
  await page.goto(appUrl());
  await addFirstKey(page, { key: member });
  await page.getByRole('button', { name: 'Add a key' }).click();
  await page.getByLabel('Paste your key').fill(readOnly);
  await page.getByLabel('Label').fill('agent, read-only');
  await page.getByRole('button', { name: 'Save key' }).click();
  await expect(page.getByLabel('Key in use')).toContainText('agent, read-only');
  await selectKey(page, 'lab member');
  await page.getByRole('button', { name: 'Manage keyring' }).click();
  await page.getByRole('button', { name: 'Rename agent, read-only' }).click();
  await page.getByLabel('New label').fill('dashboard agent');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Renamed to "dashboard agent"' })).toBeVisible();
  await page.getByRole('button', { name: 'Remove dashboard agent' }).click();
  const dialog = page.getByRole('dialog', { name: 'Remove "dashboard agent"?' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Remove key' }).click();
  await expect(page.getByLabel('Key in use')).not.toContainText('dashboard agent');
  const next = 'a new and longer passphrase';
  await page.getByLabel('Current passphrase').fill(PASSPHRASE);
  await page.getByLabel('New passphrase', { exact: true }).fill(next);
  await page.getByLabel('Confirm new passphrase').fill(next);
  await page.getByRole('button', { name: 'Change passphrase' }).click();
  await expect(page.getByText('Passphrase changed')).toBeVisible({ timeout: 20_000 });
  await screenshot(page, 'flow7-keyring');
  await page.getByRole('button', { name: 'Lock' }).click();
  await unlock(page, PASSPHRASE);
  await expect(page.getByText('Wrong passphrase')).toBeVisible({ timeout: 20_000 });
  await unlock(page, next);
  await expect(page.getByRole('heading', { name: 'Who this key belongs to' })).toBeVisible({ timeout: 20_000 });
  await expectNoSecretsLeaked(page, [member, readOnly, PASSPHRASE, next]);
});
