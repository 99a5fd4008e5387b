// Security: where the key, the passphrase and the key material may be (and may not), what
// stays in memory after Lock, and the Content-Security-Policy the page is served with.
import { test, expect, appUrl, demoKey, screenshot } from '../support/fixtures.mjs';
import { addFirstKey, resetDouble, unlock, secretFindings, expectNoSecretsLeaked, encodings, PASSPHRASE } from '../support/flows.mjs';
import { API_BASE, FOREIGN_BASE } from '../support/env.mjs';
import {
  recordTraffic, expectNoSecretsAnywhere, readStored, deriveMaterial,
  heapSnapshot, findInSnapshot, findFormsInSnapshot, captureWasmMemory, findInWasmMemory, byteForms,
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

  // Binary material as bytes: the scans look for its hex and base64 forms (flows.encodings).
  const { allowed, indexedDbNames } = await expectNoSecretsAnywhere(page, traffic, {
    keys: [key, restricted],
    other: [PASSPHRASE, NEXT_PASSPHRASE, first.derived, second.derived, first.dataKey, second.dataKey],
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

  // Unlocked: the keys and the data key live in the key agent (a worker), not in the page's
  // WebAssembly memory. Positive control of the memory scan: the new token's label, which the
  // page does hold, is found there.
  expect(await findInWasmMemory(page, key), 'WebAssembly memory is reachable').not.toBeNull();
  // Both modules of the page: the first screen (which took the paste and the passphrase) and
  // the app it handed the keyring to.
  expect(await page.evaluate(() => window.__fkWasmMemories.length), 'both modules\' memories are scanned').toBe(2);
  expect((await findInWasmMemory(page, 'reporting dashboard')).length, 'a label the page holds').toBeGreaterThan(0);
  for (const [what, needle] of [['the key in use', key], ['the data key', material.dataKey],
    ['the derived key', material.derived], ['the passphrase', PASSPHRASE]]) {
    expect(await findInWasmMemory(page, needle), `${what} in the page's WebAssembly memory while unlocked`).toEqual([]);
  }
  const agents = page.workers();
  expect(agents.length, 'the key agent runs').toBeGreaterThan(0);
  const closed = Promise.all(agents.map((worker) => new Promise((resolve) => worker.once('close', resolve))));

  await page.getByRole('button', { name: 'Lock' }).click();
  await expect(page.getByRole('heading', { name: 'Unlock your keyring' })).toBeVisible();
  await expect(page.getByLabel('Passphrase', { exact: true })).toHaveValue('');
  // Lock terminates the agent: nothing it held, freed or not, outlives the lock.
  await closed;

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
  // Every text form (as is, hex, base64 and base64url at each alignment): strings only, the
  // snapshot holds no ArrayBuffer contents.
  for (const [what, secret] of [['the key', key], ['the restricted token', restricted], ['the passphrase', PASSPHRASE],
    ['the derived key', material.derived], ['the data key', material.dataKey]]) {
    expect(findFormsInSnapshot(snapshot, secret), `${what} in the JS heap after Lock`).toEqual([]);
  }
  await screenshot(page, 'security-locked-memory');
});

// ---------------------------------------------------------------------------------------------
// Positive controls of the scans above: a scan that cannot find a planted secret proves nothing.

/** A made-up key whose bytes give '+' and '/' in base64, so base64 and base64url differ. */
function plantedSecret() {
  return `abs0_planted~~??>>${crypto.randomUUID()}`;
}

test('the DOM scan finds a secret planted in text, attributes, live field values and open and closed shadow roots', async ({ page }) => {
  await page.goto(appUrl());
  await expect(page.getByLabel('Paste your key')).toBeVisible();
  const secret = plantedSecret();
  const forms = Object.fromEntries(encodings(secret));
  expect(forms['base64@1']).not.toBe(forms['base64url@1']);
  expect(await secretFindings(page, [secret]), 'nothing planted yet').toEqual([]);

  // Each place gets its own form of the secret; none of them is in the page's markup as an
  // attribute a typed value would set, and two are out of reach of any page script.
  const planted = {
    text: forms.plain,
    attribute: forms['base64@1'],
    input: forms['base64url@2'],
    textarea: forms.hex,
    openShadowInput: forms['base64@0'],
    closedShadowText: forms['base64url@0'],
    closedShadowInput: forms['base64@2'],
  };
  await page.evaluate((p) => {
    const box = document.createElement('div');
    box.id = 'planted';
    const text = document.createElement('p');
    text.textContent = `before ${p.text} after`;
    const attributed = document.createElement('span');
    attributed.setAttribute('data-x', `xx${p.attribute}yy`);
    const input = document.createElement('input');
    input.value = p.input; // a property, as typing sets it: no attribute
    const textarea = document.createElement('textarea');
    textarea.value = p.textarea;
    const openHost = document.createElement('div');
    const open = openHost.attachShadow({ mode: 'open' });
    const openInput = document.createElement('input');
    open.append(openInput);
    openInput.value = p.openShadowInput;
    const closedHost = document.createElement('div');
    const closed = closedHost.attachShadow({ mode: 'closed' });
    const closedText = document.createElement('em');
    closedText.textContent = p.closedShadowText;
    const closedInput = document.createElement('input');
    closed.append(closedText, closedInput);
    closedInput.value = p.closedShadowInput;
    box.append(text, attributed, input, textarea, openHost, closedHost);
    document.body.append(box);
  }, planted);
  // Typed values and closed roots are not in the markup: what the old outerHTML scan read.
  const markup = await page.evaluate(() => document.documentElement.outerHTML);
  for (const place of ['input', 'textarea', 'openShadowInput', 'closedShadowText', 'closedShadowInput']) {
    expect(markup.includes(planted[place]), `${place} is not in outerHTML`).toBeFalsy();
  }

  const findings = await secretFindings(page, [secret]);
  const expected = [
    /^plain secret #0 in DOM text at .*\/div#planted\/p$/,
    /^base64@1 secret #0 in DOM attribute data-x of .*\/div#planted\/span$/,
    /^base64url@2 secret #0 in DOM value of .*\/div#planted\/input$/,
    /^hex secret #0 in DOM value of .*\/div#planted\/textarea$/,
    /^base64@0 secret #0 in DOM value of .*\/div#planted\/div\/#shadow-root\(open\)\/input$/,
    /^base64url@0 secret #0 in DOM text at .*\/div#planted\/div\/#shadow-root\(closed\)\/em$/,
    /^base64@2 secret #0 in DOM value of .*\/div#planted\/div\/#shadow-root\(closed\)\/input$/,
  ];
  for (const pattern of expected) {
    expect(findings.filter((f) => pattern.test(f)), `the scan reports ${pattern}`).toHaveLength(1);
  }
  expect(findings).toHaveLength(expected.length);
  await expect(expectNoSecretsLeaked(page, [secret])).rejects.toThrow(/secrets found in the page/);
  await page.evaluate(() => document.getElementById('planted').remove());
  expect(await secretFindings(page, [secret]), 'gone with the planted elements').toEqual([]);
});

test('the memory scans find a secret planted in each form: UTF-8, UTF-16LE, hex, base64 and base64url at each alignment', async ({ page }) => {
  await page.goto(appUrl());
  await expect(page.getByLabel('Paste your key')).toBeVisible();
  const secret = plantedSecret();
  const utf8 = Buffer.from(secret, 'utf8');

  // WebAssembly memory: each form in a memory of its own, at an odd offset, the base64 forms as
  // the encoding of a longer value (1 or 2 bytes before the secret shift its alignment), so a
  // scan that only knows the aligned fragment misses two of three.
  const plantings = {
    'utf-8': utf8,
    'utf-16le': Buffer.from(secret, 'utf16le'),
    hex: Buffer.from(`0x${utf8.toString('hex')};`, 'latin1'),
  };
  for (const alphabet of ['base64', 'base64url']) {
    for (let offset = 0; offset < 3; offset += 1) {
      const around = Buffer.concat([Buffer.alloc(offset + 3, 0xfe), utf8, Buffer.from([0xff, 0xfb, 0xef])]);
      plantings[`${alphabet}@${offset}`] = Buffer.from(`"${around.toString(alphabet)}"`, 'latin1');
    }
  }
  expect(Object.keys(plantings).sort()).toEqual(byteForms(secret).map(([form]) => form).sort());
  for (const [form, bytes] of Object.entries(plantings)) {
    await page.evaluate((b) => {
      window.__plantedMemory = new WebAssembly.Memory({ initial: 1 });
      new Uint8Array(window.__plantedMemory.buffer).set(b, 4099);
    }, Array.from(bytes));
    const found = await findInWasmMemory(page, secret, { memory: '__plantedMemory' });
    expect(found.filter((f) => f.form === form), `${form} found in WebAssembly memory`).toEqual([{ form, memory: 0, offset: expect.any(Number) }]);
    expect(found.map((f) => f.form).filter((f) => f.split('@')[0] !== form.split('@')[0]), `only ${form} found`).toEqual([]);
  }

  // The JS heap: each text form inside a longer string the page holds.
  const textForms = encodings(secret);
  await page.evaluate((planted) => { window.__planted = planted; },
    textForms.map(([name]) => name === 'plain' || name === 'hex'
      ? `[${Object.fromEntries(textForms)[name]}]`
      : `"${Buffer.concat([Buffer.alloc(Number(name.split('@')[1]) + 3, 0xfe), Buffer.from(secret), Buffer.from([0xff])]).toString(name.split('@')[0])}"`));
  const snapshot = await heapSnapshot(page);
  const hits = findFormsInSnapshot(snapshot, secret);
  for (const [name] of textForms) {
    expect(hits.some((h) => h.startsWith(`${name}: `)), `${name} found in the JS heap`).toBeTruthy();
  }
});

function parsePolicy(header) {
  return Object.fromEntries(header.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
    const [name, ...values] = d.split(/\s+/);
    return [name, values];
  }));
}

test('the key field is masked but is no password field, so no password manager is offered the key', async ({ page }) => {
  // Browsers' password managers offer to save what a password field held when its form is sent:
  // accepted, the key would sit in their store (and their sync) in plain text. Headless Chromium
  // has no password manager to ask, so this checks what the managers go by.
  await page.goto(appUrl());
  const field = page.getByLabel('Paste your key');
  await field.fill(demoKey('member'));
  const looks = () => field.evaluate((el) => ({
    type: el.type,
    autocomplete: el.autocomplete,
    masked: getComputedStyle(el).getPropertyValue('-webkit-text-security'),
    ignoredBy: ['data-1p-ignore', 'data-lpignore', 'data-bwignore'].filter((a) => el.hasAttribute(a)),
  }));
  expect(await looks()).toEqual({
    type: 'text', autocomplete: 'off', masked: 'disc',
    ignoredBy: ['data-1p-ignore', 'data-lpignore', 'data-bwignore'],
  });
  expect(await page.locator('input[type="password"]').evaluateAll((fields) => fields.map((f) => f.id)))
    .toEqual(['fk-new-passphrase', 'fk-confirm-passphrase']);
  await page.getByRole('button', { name: 'Show key' }).click();
  expect((await looks()).masked).toBe('none');
  await page.getByRole('button', { name: 'Hide key' }).click();
  expect((await looks()).masked).toBe('disc');
});

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
