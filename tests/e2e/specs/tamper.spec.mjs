// Tampering with the stored keyring in the browser: each change gets its own clear message on
// the unlock screen (titles from src/ui/messages.rs), a way forward, and no crash.
import { test, expect, appUrl, demoKey, screenshot } from '../support/fixtures.mjs';
import { addFirstKey, resetDouble, unlock, PASSPHRASE } from '../support/flows.mjs';
import { STORAGE_KEY, readStored, writeStored, parseEnvelope, tamper, craftKeyring } from '../support/security.mjs';

test.beforeEach(async ({ request }) => resetDouble(request));

const unlockHeading = (page) => page.getByRole('heading', { name: 'Unlock your keyring' });
const problem = (page, title) => page.getByRole('alert').filter({ hasText: title });

/** Stores a keyring with the member key, then returns its stored value. */
async function storeKeyring(page, options = {}) {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member'), ...options });
  const value = await readStored(page);
  const env = parseEnvelope(value);
  expect([env.magic, env.version, env.kdf, env.iterations, env.namespace]).toEqual(['FKRG', 1, 1, 600_000, 'default']);
  return value;
}

/** Replaces the stored value and reloads the page, as a person returning to it would. */
async function replaceAndReload(page, value) {
  await writeStored(page, value);
  await page.reload();
  await expect(unlockHeading(page)).toBeVisible();
}

/** The way forward: forget the stored keys, and start again from a clean first visit. */
async function forgetAndStartAgain(page) {
  await page.getByRole('button', { name: 'Forget the stored keys…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Forget every stored key?' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Forget all keys' }).click();
  await expect(page.getByLabel('Paste your key')).toBeVisible();
  expect(await page.evaluate((k) => localStorage.getItem(k), STORAGE_KEY)).toBeNull();
}

// Refused on sight (SPEC.md steps 1–5, no passphrase needed): the unlock form is replaced by the
// problem, and the stored value is left untouched until the person chooses to forget it.
const refusedOnLoad = [
  ['truncated to 60 bytes', (v) => tamper.truncate(v, 60), 'The stored keyring is damaged', /cannot be read/],
  ['replaced with garbage', () => 'this is not a keyring at all!', 'The stored keyring is damaged', /cannot be read/],
  ['valid base64 of something else', () => Buffer.from('{"keys":["abs0_x"]}').toString('base64'), 'The stored keyring is damaged', /cannot be read/],
  ['its iteration count downgraded to 100000', (v) => tamper.iterations(v, 100_000), 'The stored keyring was weakened',
    /It asks for 100000 key-derivation rounds, fewer than the safe minimum of 600000/],
  ['its iteration count raised to 2^32-1', (v) => tamper.iterations(v, 0xffff_ffff), 'The stored keyring is not usable', /4294967295/],
  ['its version byte set to 3', (v) => { const b = Buffer.from(v, 'base64'); b[4] = 3; return b.toString('base64'); },
    'The stored keyring is from a newer version', /format version 3/],
  // Version 2 announces passkeys' copies that a version 1 blob does not have.
  ['its version byte set to 2 (passkeys it does not have)', (v) => { const b = Buffer.from(v, 'base64'); b[4] = 2; return b.toString('base64'); },
    'The stored keyring is damaged', /cannot be read/],
  ['its KDF id set to 7', (v) => { const b = Buffer.from(v, 'base64'); b[5] = 7; return b.toString('base64'); },
    'The stored keyring uses an unknown key derivation', /was not opened/],
];

for (const [what, change, title, advice] of refusedOnLoad) {
  test(`a stored keyring ${what} is refused with "${title}" and can be forgotten`, async ({ page }) => {
    const original = await storeKeyring(page);
    const tampered = change(original);
    await replaceAndReload(page, tampered);
    const alert = problem(page, title);
    await expect(alert).toBeVisible();
    await expect(alert).toContainText(advice);
    await expect(alert).toContainText(/forget it and add your keys again/i);
    await expect(page.getByRole('button', { name: 'Unlock' })).toHaveCount(0);
    expect(await readStored(page), 'the damaged value is left as it was').toBe(tampered);
    await screenshot(page, `tamper-${what.replace(/[^a-z0-9]+/gi, '-')}`);
    await forgetAndStartAgain(page);
  });
}

test('a byte flipped in the middle (index ciphertext) is caught at unlock as changed outside the app', async ({ page }) => {
  const original = await storeKeyring(page);
  const env = parseEnvelope(original);
  const middle = Math.floor(env.bytes.length / 2);
  expect(middle, 'the middle byte lies in the index ciphertext').toBeGreaterThan(107 + env.namespace.length);
  await replaceAndReload(page, tamper.flipByte(original, middle));
  await unlock(page);
  const alert = problem(page, 'The stored keyring was changed outside this app');
  await expect(alert).toBeVisible({ timeout: 20_000 });
  await expect(alert).toContainText('does not match its authentication tag');
  await expect(page.getByRole('heading', { name: 'Who this key belongs to' })).toHaveCount(0);
  await screenshot(page, 'tamper-flipped-index-byte');
  await forgetAndStartAgain(page);
});

test('a byte flipped in the header (the salt) reads as a wrong passphrase, and the right one does not open it', async ({ page }) => {
  const original = await storeKeyring(page);
  await replaceAndReload(page, tamper.flipByte(original, 12));
  await unlock(page);
  const alert = problem(page, 'Wrong passphrase');
  await expect(alert).toBeVisible({ timeout: 20_000 });
  await expect(page.getByLabel('Passphrase', { exact: true })).toHaveValue('');
  await expect(page.getByRole('button', { name: 'Forget the stored keys…' })).toBeVisible();
  await screenshot(page, 'tamper-flipped-salt');
  await forgetAndStartAgain(page);
});

// The sentence of the "Wrong passphrase" advice (src/ui/messages.rs) that tells the person a
// keyring that refuses the right passphrase may have been altered.
const MAY_BE_ALTERED = 'If you are sure it is right, the stored keyring may have been altered: the encryption cannot tell the two apart.';

test('a tampered header or wrap layer refuses the right passphrase with "Wrong passphrase" and says it may have been altered (SPEC.md step 6)', async ({ page }) => {
  // AES-GCM cannot tell a wrong passphrase from a tampered header or wrap layer (SPEC.md reading
  // step 6), so the advice is the same text for both; it must carry the sentence on alteration,
  // word for word (a looser match also finds "or the keyring was changed" in the sentence after
  // it). Each tampered value is opened with the passphrase that opens the untouched value, so
  // that sentence is the only true explanation the person is given.
  const original = await storeKeyring(page);
  const n = parseEnvelope(original).namespace.length;
  for (const [what, offset] of [['a salt byte (header)', 12], ['a byte of the wrapped data key (wrap layer)', 39 + n + 5]]) {
    await test.step(what, async () => {
      const tampered = tamper.flipByte(original, offset);
      await replaceAndReload(page, tampered);
      await expect(page.getByRole('alert')).toHaveCount(0);
      await unlock(page, PASSPHRASE);
      const alert = problem(page, 'Wrong passphrase');
      await expect(alert).toBeVisible({ timeout: 20_000 });
      await expect(alert).toContainText(MAY_BE_ALTERED);
      await expect(page.getByRole('heading', { name: 'Who this key belongs to' })).toHaveCount(0);
      expect(await readStored(page), 'the tampered value is left as it was').toBe(tampered);
    });
  }
  // The control: the same passphrase opens the untouched value.
  await replaceAndReload(page, original);
  await unlock(page, PASSPHRASE);
  await expect(page.getByRole('heading', { name: 'Who this key belongs to' })).toBeVisible({ timeout: 20_000 });
});

test('a keyring from another namespace is refused as belonging to another instance; with its namespace rewritten it does not open', async ({ page }) => {
  await storeKeyring(page);
  // The standalone page only ever uses namespace "default" (Options has no namespace parameter),
  // so the other namespace's keyring is written here from SPEC.md: a genuine keyring of "lab-b".
  const other = craftKeyring({ namespace: 'lab-b', passphrase: PASSPHRASE });
  expect(parseEnvelope(other).namespace).toBe('lab-b');
  await replaceAndReload(page, other);
  const alert = problem(page, 'This keyring belongs to another instance');
  await expect(alert).toBeVisible();
  await expect(alert).toContainText('copied here from another keyring');
  await expect(page.getByRole('button', { name: 'Unlock' })).toHaveCount(0);
  await screenshot(page, 'tamper-other-namespace');

  // The same blob with its namespace bytes rewritten to "default" passes the namespace check but
  // fails the wrap layer (the namespace is its associated data), even with the right passphrase.
  const b = Buffer.from(other, 'base64');
  const rewritten = Buffer.concat([b.subarray(0, 26), Buffer.from([7]), Buffer.from('default'), b.subarray(27 + 5)]).toString('base64');
  await replaceAndReload(page, rewritten);
  await unlock(page);
  await expect(problem(page, 'Wrong passphrase')).toBeVisible({ timeout: 20_000 });
  await forgetAndStartAgain(page);
});

test('a swapped-in older keyring of the same namespace is authentic: it opens with its own passphrase only (rollback is not detectable)', async ({ page }) => {
  const first = await storeKeyring(page);
  await page.getByRole('button', { name: 'Lock' }).click();
  await forgetAndStartAgain(page);
  const otherPassphrase = 'a second, different passphrase';
  await addFirstKey(page, { key: demoKey('read-only'), label: 'second keyring', passphrase: otherPassphrase });
  const second = await readStored(page);
  expect(second).not.toBe(first);
  await page.getByRole('button', { name: 'Lock' }).click();

  await replaceAndReload(page, first);
  await expect(page.getByRole('alert')).toHaveCount(0);
  await unlock(page, otherPassphrase);
  await expect(problem(page, 'Wrong passphrase')).toBeVisible({ timeout: 20_000 });
  await unlock(page, PASSPHRASE);
  await expect(page.getByRole('heading', { name: 'Who this key belongs to' })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByLabel('Key in use')).toContainText('lab member');
  await expect(page.getByLabel('Key in use')).not.toContainText('second keyring');
  await screenshot(page, 'tamper-swapped-keyring');
});
