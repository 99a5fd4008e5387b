// Steps a person takes, shared by the specs. Elements are found by role and label.
import { expect } from '@playwright/test';
import { API_BASE } from './env.mjs';

export const PASSPHRASE = 'correct horse battery staple';

/** Restores the double's demo data and clears faults, so each test starts the same. */
export async function resetDouble(request) {
  const reset = await request.post(`${API_BASE}/__control/reset`);
  expect(reset.ok(), 'the double resets its demo data').toBeTruthy();
}

export async function injectFault(request, fault) {
  const response = await request.post(`${API_BASE}/__control/faults`, { data: fault });
  expect(response.ok(), `fault accepted: ${JSON.stringify(fault)}`).toBeTruthy();
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

export async function unlock(page, passphrase = PASSPHRASE) {
  await page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await page.getByRole('button', { name: 'Unlock' }).click();
}

/** Every place a secret must never be: storage, cookies, the URL, and the DOM (a password
 *  field's live value excepted, which is not in the DOM's markup). */
export async function expectNoSecretsLeaked(page, secrets) {
  const dump = await page.evaluate(() => {
    const storage = (s) => Object.keys(s).map((k) => `${k}=${s.getItem(k)}`).join('\n');
    return {
      local: storage(localStorage),
      session: storage(sessionStorage),
      cookies: document.cookie,
      url: location.href,
      dom: document.documentElement.outerHTML,
    };
  });
  for (const secret of secrets) {
    const forms = encodings(secret);
    for (const [where, text] of Object.entries(dump)) {
      for (const [encoding, form] of forms) {
        expect(text.includes(form), `${encoding} secret found in ${where}`).toBeFalsy();
      }
    }
  }
}

export function encodings(secret) {
  const bytes = Buffer.from(secret, 'utf8');
  return [
    ['plain', secret],
    ['base64', bytes.toString('base64')],
    ['base64url', bytes.toString('base64url')],
    ['hex', bytes.toString('hex')],
  ];
}
