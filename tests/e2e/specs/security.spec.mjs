// Security: where the key, the passphrase and the key material may be (and may not), what
// stays in memory after Lock, and the Content-Security-Policy the page is served with.
import { test, expect, appUrl, demoKey, screenshot } from '../support/fixtures.mjs';
import { addFirstKey, resetDouble, unlock, PASSPHRASE } from '../support/flows.mjs';
import { API_BASE, FOREIGN_BASE } from '../support/env.mjs';
import {
  recordTraffic, expectNoSecretsAnywhere, readStored, deriveMaterial, binaryForms,
  heapSnapshot, findInSnapshot, captureWasmMemory, findInWasmMemory,
} from '../support/security.mjs';

test.beforeEach(async ({ request }) => resetDouble(request));

const NEXT_PASSPHRASE = 'a new and longer passphrase';

/** Creates a read-only token from the key in use and adds it to the keyring; returns it. */
async function attenuateAndKeep(page, name) {
  await page.getByRole('button', { name: 'Create a restricted token…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create a restricted token' });
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Read-only (list and read)').check();
  await dialog.getByRole('button', { name: 'Create token' }).click();
  await expect(dialog.getByLabel('New token')).toHaveValue(/^abs0_/);
  const token = await dialog.getByLabel('New token').inputValue();
  await dialog.getByRole('button', { name: 'Copy' }).click();
  await dialog.getByRole('button', { name: 'Add to keyring' }).click();
  await expect(dialog.getByText(`Added "${name}" to the keyring.`)).toBeVisible();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(dialog).toBeHidden();
  return token;
}

test('no key, passphrase or derived key anywhere after add, attenuate, lock, unlock and a passphrase change', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const traffic = recordTraffic(context);
  const key = demoKey('member');
  await page.goto(appUrl());
  await addFirstKey(page, { key });
  await expect(page.getByRole('table')).toBeVisible();
  const restricted = await attenuateAndKeep(page, 'reporting dashboard');
  const first = deriveMaterial(await readStored(page), PASSPHRASE);
  // The spec is re-implementable: Node opens the stored index with the passphrase alone.
  expect(first.index.entries.map((e) => e.label)).toEqual(['lab member', 'reporting dashboard']);

  await page.getByRole('button', { name: 'Lock' }).click();
  await unlock(page);
  await expect(page.getByRole('heading', { name: 'Who this key belongs to' })).toBeVisible({ timeout: 20_000 });
  await page.getByRole('button', { name: 'Manage keyring' }).click();
  await page.getByLabel('Current passphrase').fill(PASSPHRASE);
  await page.getByLabel('New passphrase', { exact: true }).fill(NEXT_PASSPHRASE);
  await page.getByLabel('Confirm new passphrase').fill(NEXT_PASSPHRASE);
  await page.getByRole('button', { name: 'Change passphrase' }).click();
  await expect(page.getByText('Passphrase changed')).toBeVisible({ timeout: 20_000 });
  const second = deriveMaterial(await readStored(page), NEXT_PASSPHRASE);
  expect(second.env.salt.equals(first.env.salt), 'a passphrase change draws a new salt').toBeFalsy();
  // SPEC.md, Writing: a passphrase change makes a new random data key and re-seals every key.
  expect(second.dataKey.equals(first.dataKey), 'a passphrase change makes a new data key').toBeFalsy();
  await page.getByRole('button', { name: 'Lock' }).click();
  await unlock(page, NEXT_PASSPHRASE);
  await expect(page.getByRole('heading', { name: 'Who this key belongs to' })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole('table')).toBeVisible();
  await screenshot(page, 'security-after-flows');

  const derivedMaterial = [first.derived, second.derived, first.dataKey, second.dataKey].flatMap(binaryForms);
  const { allowed, indexedDbNames } = await expectNoSecretsAnywhere(page, traffic, {
    keys: [key, restricted],
    other: [PASSPHRASE, NEXT_PASSPHRASE, ...derivedMaterial],
  });
  // The scan saw the real traffic: the key went out, but only where it is allowed.
  expect(allowed.authorization, 'keys sent as Authorization to the API base').toBeGreaterThan(3);
  expect(allowed.attenuateBody, 'the attenuate POST carries the key as `token`, to the API base').toBe(1);
  expect(indexedDbNames).toEqual([]);
  expect(traffic.requests.some((r) => r.url.startsWith(`${API_BASE}/api/v1/whoami`))).toBeTruthy();
});

test('after Lock (inputs gone, GC forced) neither the JS heap nor the WebAssembly memory holds the key or derived material', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const key = demoKey('member');
  await captureWasmMemory(page);
  await page.goto(appUrl());
  // Positive control of the heap scan: a string the page holds is found, with its retainer.
  const canary = await page.evaluate(() => (window.__canary = ['canary', crypto.randomUUID()].join('-')));
  await addFirstKey(page, { key });
  await expect(page.getByRole('table')).toBeVisible();
  const restricted = await attenuateAndKeep(page, 'reporting dashboard');
  const material = deriveMaterial(await readStored(page), PASSPHRASE);

  // Unlocked: the key in use and the data key are in WebAssembly memory (positive control of
  // the memory scan); the derived key and the passphrase are not (zeroized after unwrapping).
  expect(await findInWasmMemory(page, key), 'WebAssembly memory is reachable').not.toBeNull();
  expect((await findInWasmMemory(page, key)).length, 'the key in use, while unlocked').toBeGreaterThan(0);
  expect((await findInWasmMemory(page, material.dataKey)).length, 'the data key, while unlocked').toBeGreaterThan(0);
  expect(await findInWasmMemory(page, material.derived)).toEqual([]);
  expect(await findInWasmMemory(page, PASSPHRASE)).toEqual([]);

  await page.getByRole('button', { name: 'Lock' }).click();
  await expect(page.getByRole('heading', { name: 'Unlock your keyring' })).toBeVisible();
  await expect(page.getByLabel('Passphrase', { exact: true })).toHaveValue('');

  // The whole linear memory, freed blocks included: the secrets were wiped, not just freed.
  for (const [what, needle] of [['the key', key], ['the restricted token', restricted], ['the passphrase', PASSPHRASE],
    ['the derived key', material.derived], ['the data key', material.dataKey]]) {
    expect(await findInWasmMemory(page, needle), `${what} in WebAssembly memory after Lock`).toEqual([]);
  }
  // The V8 heap after HeapProfiler.collectGarbage: live objects only.
  const snapshot = await heapSnapshot(page);
  // Positive control: a string the page still holds is found. (Not by its property name: V8
  // may keep a global's value in a PropertyCell whose edge has no name.)
  expect(findInSnapshot(snapshot, canary), 'the heap scan finds what is there').not.toEqual([]);
  for (const [what, secret] of [['the key', key], ['the restricted token', restricted], ['the passphrase', PASSPHRASE]]) {
    expect(findInSnapshot(snapshot, secret), `${what} in the JS heap after Lock`).toEqual([]);
  }
  for (const form of [material.derived, material.dataKey].flatMap(binaryForms)) {
    expect(snapshot.includes(form), 'derived material in the JS heap after Lock').toBeFalsy();
  }
  await screenshot(page, 'security-locked-memory');
});

function parsePolicy(header) {
  return Object.fromEntries(header.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
    const [name, ...values] = d.split(/\s+/);
    return [name, values];
  }));
}

test('the served Content-Security-Policy: wasm-unsafe-eval is its only relaxation', async ({ page }) => {
  const response = await page.goto(appUrl());
  const headers = response.headers();
  const policy = parsePolicy(headers['content-security-policy'] ?? '');
  expect(policy['default-src']).toEqual(["'self'"]);
  expect(policy['script-src']).toEqual(["'self'", "'wasm-unsafe-eval'"]);
  // The API base, and the recording "other host" the test server also allows (--also-api in
  // playwright.config.mjs), so that only the app's own rules keep a key from it.
  expect(policy['connect-src']).toEqual(["'self'", API_BASE, FOREIGN_BASE]);
  expect(policy['object-src']).toEqual(["'none'"]);
  expect(policy['base-uri']).toEqual(["'none'"]);
  expect(policy['frame-ancestors']).toEqual(["'none'"]);
  expect(policy['form-action']).toEqual(["'none'"]);
  const sources = Object.values(policy).flat();
  expect(sources.filter((s) => /unsafe/.test(s))).toEqual(["'wasm-unsafe-eval'"]);
  expect(sources.filter((s) => s === '*' || s.includes('*') || s === 'http:' || s === 'https:')).toEqual([]);
  expect(sources.filter((s) => s === 'data:')).toEqual(['data:']); // img-src only
  expect(policy['img-src']).toContain('data:');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('no-referrer');
  await expect(page.getByRole('heading', { level: 1, name: 'Foundry Keyring' })).toBeVisible();
});

test('the policy is enforced: an injected inline script, inline handler, string eval and foreign fetch are blocked', async ({ page, pageProblems }) => {
  await page.goto(appUrl());
  await expect(page.getByLabel('Paste your key')).toBeVisible();
  await page.evaluate(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    const script = document.createElement('script');
    script.textContent = 'window.__inlineRan = true;';
    document.body.append(script);
    const div = document.createElement('div');
    div.setAttribute('onclick', 'window.__handlerRan = true');
    document.body.append(div);
    div.click();
    setTimeout('window.__evalRan = true', 0);
    fetch('http://127.0.0.1:9/exfiltrate').catch(() => { window.__fetchFailed = true; });
  });
  await expect.poll(() => page.evaluate(() => window.__violations.length)).toBeGreaterThanOrEqual(4);
  const violations = await page.evaluate(() => window.__violations);
  expect(violations).toEqual(expect.arrayContaining([
    'script-src-elem inline', 'script-src-attr inline', 'script-src eval', 'connect-src http://127.0.0.1:9/exfiltrate',
  ]));
  expect(await page.evaluate(() => [window.__inlineRan, window.__handlerRan, window.__evalRan])).toEqual([undefined, undefined, undefined]);
  await expect.poll(() => page.evaluate(() => window.__fetchFailed)).toBe(true);
  await screenshot(page, 'security-csp-enforced');
  // The fixture reports every violation as a problem; these were caused on purpose. Each inline
  // one is reported twice: the <meta> policy of index.html and the header policy both enforce.
  const expectedKinds = ['script-src-elem blocked inline', 'script-src-attr blocked inline', 'script-src blocked eval',
    'connect-src blocked http://127.0.0.1:9/exfiltrate'];
  await expect.poll(() => expectedKinds.filter((k) => pageProblems.includes(`CSP violation: ${k}`)).length).toBe(4);
  await page.waitForTimeout(500); // let the duplicate reports of the second policy arrive
  const expected = (p) => expectedKinds.some((k) => p === `CSP violation: ${k}`)
    || (p.startsWith('console.error: ') && /Content Security Policy/.test(p));
  const unexpected = pageProblems.filter((p) => !expected(p));
  pageProblems.splice(0, pageProblems.length, ...unexpected);
});
