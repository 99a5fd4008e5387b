// Steps a person takes, shared by the specs. Elements are found by role and label.
import { expect } from '@playwright/test';
import { API_BASE } from './env.mjs';

export const PASSPHRASE = 'correct horse battery staple';

/** Restores the double's demo data and clears faults, so each test starts the same. */
export async function resetDouble(request) {
  const reset = await request.post(`${API_BASE}/__control/reset`);
  expect(reset.ok(), 'the double resets its demo data').toBeTruthy();
}

/** Which published variant of the API the double plays (tests/double/README.md, "Variants"). */
export async function setVariant(request, variant) {
  const response = await request.post(`${API_BASE}/__control/variant`, { data: { variant } });
  expect(response.ok(), `the double plays ${variant}`).toBeTruthy();
}

/** The form of every error body from now on: auto (the variant's own), envelope, error,
 *  message, detail or text. */
export async function setErrorBody(request, form) {
  const response = await request.post(`${API_BASE}/__control/error-body`, { data: { form } });
  expect(response.ok(), `the double answers errors as ${form}`).toBeTruthy();
}

export async function injectFault(request, fault) {
  const response = await request.post(`${API_BASE}/__control/faults`, { data: fault });
  expect(response.ok(), `fault accepted: ${JSON.stringify(fault)}`).toBeTruthy();
}

/** The identity panel with the key's own whoami answered: its heading shows while that call is
 *  still on its way, so a test that queues faults for the next call waits for this first. */
export function identityLoaded(page) {
  return page.getByRole('region', { name: 'Who this key belongs to' }).getByRole('term').filter({ hasText: 'User id' });
}

/** First visit: paste a key, label it, and keep it encrypted (or for this session only).
 *  Waits for the identity panel unless `expectIdentity` is false (a key the API refuses). */
export async function addFirstKey(page, { key, label = 'lab member', passphrase = PASSPHRASE, sessionOnly = false, expectIdentity = true }) {
  await page.getByLabel('Paste your key').fill(key);
  await expect(page.getByRole('region', { name: 'Key preview' })).toBeVisible();
  await page.getByLabel('Label').fill(label);
  if (sessionOnly) {
    await page.getByLabel(/This session only/).check();
    await page.getByRole('button', { name: 'Use for this session' }).click();
  } else {
    await page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
    await page.getByLabel('Confirm passphrase').fill(passphrase);
    await page.getByRole('button', { name: 'Save key' }).click();
  }
  if (!expectIdentity) return;
  await expect(page.getByRole('heading', { name: 'Who this key belongs to' })).toBeVisible({ timeout: 20_000 });
}

/** Picks the key in use by the start of its label, as a person reads the list. */
export async function selectKey(page, label) {
  const select = page.getByLabel('Key in use');
  const value = await select.locator('option', { hasText: label }).first().getAttribute('value');
  await select.selectOption(value);
}

/** Creates a read-only restricted token from the key in use; returns the open dialog, showing
 *  the new token once. */
export async function createReadOnlyToken(page, name) {
  await page.getByRole('button', { name: 'Create a restricted token…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create a restricted token' });
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Read-only (list and read)').check();
  await dialog.getByRole('button', { name: 'Create token' }).click();
  await expect(dialog.getByLabel('New token')).toHaveValue(/^abs0_/);
  return dialog;
}

export async function unlock(page, passphrase = PASSPHRASE) {
  await page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await page.getByRole('button', { name: 'Unlock' }).click();
}

/** Every place a secret must never be: storage, cookies, the URL, and the DOM. The DOM is read
 *  as a person's browser holds it, not as markup: every text node, every attribute, and the
 *  live value of every input, textarea and select (typing sets no attribute), in the document,
 *  in every shadow root (open or closed) and in frames (see `domText`). */
export async function expectNoSecretsLeaked(page, secrets) {
  const findings = await secretFindings(page, secrets);
  expect(findings, 'secrets found in the page').toEqual([]);
}

/** Where `secrets` (in any of their `encodings`) are in storage, cookies, the URL and the DOM:
 *  a list of "<encoding> secret #<n> in <where>" lines, empty when there are none. */
export async function secretFindings(page, secrets) {
  const dump = await page.evaluate(() => {
    const storage = (s) => Object.keys(s).map((k) => `${k}=${s.getItem(k)}`).join('\n');
    return {
      local: storage(localStorage),
      session: storage(sessionStorage),
      cookies: document.cookie,
      url: location.href,
    };
  });
  const dom = await domText(page);
  const places = Object.entries(dump);
  for (const part of dom.parts) places.push([`DOM ${part.where}`, part.text]);
  const findings = [];
  secrets.forEach((secret, n) => {
    const forms = encodings(secret);
    for (const [where, text] of places) {
      const encoding = forms.find(([, form]) => text.includes(form))?.[0];
      if (encoding) findings.push(`${encoding} secret #${n} in ${where}`);
    }
  });
  return findings;
}

/**
 * The DOM's content as text, read over the DevTools protocol so that closed shadow roots (which
 * no page script can reach) are read too: `DOM.getDocument` with `pierce` gives every node of the
 * document, its shadow roots and frames, with attributes and text; each input, textarea and
 * select is then asked for its live `value`, which no attribute reflects. Returns
 * `{ parts: [{ where, text }], shadowRoots: { open, closed }, fields }`.
 */
export async function domText(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    const parts = [];
    const shadowRoots = { open: 0, closed: 0 };
    const fields = [];
    const walk = (node, path) => {
      const here = node.nodeType === 1 ? `${path}/${node.localName}${idOf(node)}` : path;
      if (node.nodeType === 3 || node.nodeType === 8) parts.push({ where: `text at ${path}`, text: node.nodeValue });
      const attributes = node.attributes ?? [];
      for (let i = 0; i < attributes.length; i += 2) {
        parts.push({ where: `attribute ${attributes[i]} of ${here}`, text: `${attributes[i]}=${attributes[i + 1]}` });
      }
      if (['input', 'textarea', 'select'].includes(node.localName)) fields.push({ node, where: here });
      for (const shadow of node.shadowRoots ?? []) {
        // The browser's own shadow trees of inputs mirror their live values, read below.
        if (shadow.shadowRootType === 'user-agent') continue;
        shadowRoots[shadow.shadowRootType] += 1;
        walk(shadow, `${here}/#shadow-root(${shadow.shadowRootType})`);
      }
      if (node.contentDocument) walk(node.contentDocument, `${here}/#document`);
      if (node.templateContent) walk(node.templateContent, `${here}/#template`);
      for (const child of node.children ?? []) walk(child, here);
    };
    walk(root, '');
    for (const { node, where } of fields) {
      const { object } = await cdp.send('DOM.resolveNode', { backendNodeId: node.backendNodeId });
      const { result } = await cdp.send('Runtime.callFunctionOn', {
        objectId: object.objectId,
        returnByValue: true,
        functionDeclaration: 'function () { return String(this.value ?? ""); }',
      });
      await cdp.send('Runtime.releaseObject', { objectId: object.objectId });
      parts.push({ where: `value of ${where}`, text: result.value });
    }
    return { parts, shadowRoots, fields: fields.length };
  } finally {
    await cdp.detach();
  }
}

function idOf(node) {
  const attributes = node.attributes ?? [];
  for (let i = 0; i < attributes.length; i += 2) if (attributes[i] === 'id') return `#${attributes[i + 1]}`;
  return '';
}

/**
 * The text forms a secret could take in a page: as it is, hex, and base64 (standard and URL-safe)
 * at each of the three byte alignments. Base64 of a longer value that holds the secret contains
 * only the characters that depend on the secret's bytes alone, and which ones depends on where the
 * secret starts modulo 3: `base64Fragments` gives the fragment for each start.
 */
export function encodings(secret) {
  const bytes = Buffer.isBuffer(secret) ? secret : Buffer.from(secret, 'utf8');
  const forms = Buffer.isBuffer(secret) ? [] : [['plain', secret]];
  forms.push(['hex', bytes.toString('hex')]);
  for (const [name, fragment] of base64Fragments(bytes)) forms.push([name, fragment]);
  return forms;
}

/** `[name, fragment]` for base64 and base64url at byte offsets 0, 1 and 2 (see `encodings`). */
export function base64Fragments(bytes) {
  const out = [];
  for (const alphabet of ['base64', 'base64url']) {
    for (let offset = 0; offset < 3; offset += 1) {
      // Any bytes before and after: the fragment kept depends on the secret's bytes only.
      const text = Buffer.concat([Buffer.alloc(offset, 0xa5), bytes]).toString(alphabet);
      const from = Math.ceil((offset * 4) / 3);
      const to = Math.floor((offset + bytes.length) / 3) * 4;
      out.push([`${alphabet}@${offset}`, text.slice(from, to)]);
    }
  }
  return out;
}
