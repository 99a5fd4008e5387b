// Embedding: the example host page (tests/embed/) with two <foundry-keyring> elements, each
// in its own storage namespace, driven through the handle and the events a host would use.
import { test, expect, demoKey } from '../support/fixtures.mjs';
import { API_BASE } from '../support/env.mjs';
import { addFirstKey, resetDouble, injectFault, unlock, expectNoSecretsLeaked, encodings } from '../support/flows.mjs';

const HOST_PAGE = `/examples/?api=${encodeURIComponent(API_BASE)}`;
const PASS_A = 'lab A keeps its own passphrase';
const PASS_B = 'lab B has a different one';

/** Records every keyring event that reaches the document (they bubble and are composed). */
async function recordEvents(page) {
  await page.addInitScript(() => {
    window.__keyringEvents = [];
    for (const type of ['foundry-keyring:unlocked', 'foundry-keyring:locked', 'foundry-keyring:error']) {
      document.addEventListener(type, (event) => {
        window.__keyringEvents.push({ type, target: event.target.id, detail: event.detail });
      });
    }
  });
}

const events = (page) => page.evaluate(() => window.__keyringEvents);

/** Listener types on window and document, by name, from the DevTools protocol. */
async function globalListeners(page) {
  const cdp = await page.context().newCDPSession(page);
  const counts = {};
  for (const expression of ['window', 'document']) {
    const { result } = await cdp.send('Runtime.evaluate', { expression });
    const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId });
    for (const { type } of listeners) counts[type] = (counts[type] ?? 0) + 1;
  }
  await cdp.detach();
  return counts;
}

// Events use_idle and use_document_visibility listen to: one set per mounted instance.
const ACTIVITY = ['mousemove', 'mousedown', 'keydown', 'touchstart', 'wheel', 'resize', 'visibilitychange'];
const activityListeners = (counts) => Object.fromEntries(ACTIVITY.filter((t) => counts[t]).map((t) => [t, counts[t]]));

test.beforeEach(async ({ request }) => {
  await resetDouble(request);
});

test('two instances unlock independently and keep separate stored keyrings', async ({ page }) => {
  await recordEvents(page);
  await page.goto(HOST_PAGE);
  const a = page.locator('#lab-a');
  const b = page.locator('#lab-b');
  const memberKey = demoKey('member');
  const readOnlyKey = demoKey('read-only');

  await addFirstKey(a, { key: memberKey, label: 'member key', passphrase: PASS_A });
  // Lab B is untouched: still its own first run.
  await expect(b.getByLabel('Paste your key')).toBeVisible();
  await addFirstKey(b, { key: readOnlyKey, label: 'read-only key', passphrase: PASS_B });

  const stored = await page.evaluate(() => Object.fromEntries(Object.keys(localStorage).map((k) => [k, localStorage.getItem(k)])));
  expect(Object.keys(stored).sort()).toEqual(['foundry-keyring/lab-a/keyring', 'foundry-keyring/lab-b/keyring']);
  expect(stored['foundry-keyring/lab-a/keyring']).not.toEqual(stored['foundry-keyring/lab-b/keyring']);

  // Locking A leaves B unlocked.
  await page.evaluate(() => document.getElementById('lab-a').handle.lock());
  await expect(a.getByRole('button', { name: 'Unlock' })).toBeVisible();
  await expect(b.getByRole('heading', { name: 'Who this key belongs to' })).toBeVisible();
  expect(await page.evaluate(() => [document.getElementById('lab-a').handle.unlocked, document.getElementById('lab-b').handle.unlocked])).toEqual([false, true]);

  // B's passphrase does not open A's keyring; A's does.
  await unlock(a, PASS_B);
  await expect(a.getByText(/wrong passphrase/i).first()).toBeVisible({ timeout: 20_000 });
  await unlock(a, PASS_A);
  await expect(a.getByRole('heading', { name: 'Who this key belongs to' })).toBeVisible({ timeout: 20_000 });

  await expect.poll(async () => (await events(page)).length).toBe(4);
  const seen = await events(page);
  expect(seen.map((e) => [e.target, e.type])).toEqual([
    ['lab-a', 'foundry-keyring:unlocked'],
    ['lab-b', 'foundry-keyring:unlocked'],
    ['lab-a', 'foundry-keyring:locked'],
    ['lab-a', 'foundry-keyring:unlocked'],
  ]);
  expect(seen[0].detail).toEqual({ label: 'member key', fingerprint: expect.stringMatching(/^abs0_.+….+$/) });
  expect(seen[1].detail).toEqual({ label: 'read-only key', fingerprint: expect.stringMatching(/^abs0_.+….+$/) });
  expect(seen[2].detail).toEqual({ reason: 'manual' });
  const dump = JSON.stringify(seen);
  for (const secret of [memberKey, readOnlyKey, PASS_A, PASS_B]) {
    for (const [encoding, form] of encodings(secret)) {
      expect(dump.includes(form), `${encoding} secret in an event detail`).toBeFalsy();
    }
  }
  await expectNoSecretsLeaked(page, [memberKey, readOnlyKey, PASS_A, PASS_B]);
});

test('handle.fetch sends the key only to API paths under the configured base', async ({ page }) => {
  const requests = [];
  page.on('request', (request) => requests.push({ url: request.url(), authorization: request.headers().authorization }));
  await page.goto(HOST_PAGE);
  const a = page.locator('#lab-a');
  const memberKey = demoKey('member');
  await addFirstKey(a, { key: memberKey, label: 'member key', sessionOnly: true });

  const whoami = await page.evaluate(async () => {
    const response = await document.getElementById('lab-a').handle.fetch('/api/v1/whoami', { headers: { accept: 'application/json' } });
    return { status: response.status, body: await response.json() };
  });
  expect(whoami.status).toBe(200);
  expect(Array.isArray(whoami.body.permissions)).toBeTruthy();
  const sent = requests.filter((r) => r.url === `${API_BASE}/api/v1/whoami` && r.authorization === `Bearer ${memberKey}`);
  expect(sent.length, 'the host call carried the key').toBeGreaterThan(0);

  const refusals = await page.evaluate(async (base) => {
    const handle = document.getElementById('lab-a').handle;
    const out = {};
    for (const path of ['https://evil.example/x', '//evil.example/x', `${base}/api/v1/whoami`, '/other/path', '/api/v1/../../x', 42]) {
      try {
        await handle.fetch(path);
        out[path] = 'fetched';
      } catch (error) {
        out[path] = error.name;
      }
    }
    return out;
  }, API_BASE);
  for (const [path, outcome] of Object.entries(refusals)) {
    expect(outcome, `fetch(${path})`).toBe('TypeError');
  }
  expect(requests.filter((r) => r.url.includes('evil.example'))).toEqual([]);

  const locked = await page.evaluate(async () => {
    const handle = document.getElementById('lab-a').handle;
    handle.lock();
    try {
      await handle.fetch('/api/v1/whoami');
      return 'fetched';
    } catch (error) {
      return `${error.name}: ${error.message}`;
    }
  });
  expect(locked).toMatch(/^KeyringLockedError: Foundry Keyring is locked/);
});

test('an API error shown in an instance reaches the host as an error event, with its request id', async ({ page, request }) => {
  await recordEvents(page);
  await page.goto(HOST_PAGE);
  const b = page.locator('#lab-b');
  const key = demoKey('read-only');
  // The client retries a failing GET itself (3 tries): fail all of them.
  await injectFault(request, { kind: 'status', status: 500, count: 3, path: '/api/v1/whoami' });
  await b.getByLabel('Paste your key').fill(key);
  await b.getByLabel('Label').fill('read-only key');
  await b.getByLabel(/This session only/).check();
  await b.getByRole('button', { name: 'Use for this session' }).click();
  await expect(b.getByRole('alert').filter({ hasText: 'Request id' }).first()).toBeVisible({ timeout: 30_000 });
  const shownId = await b.locator('.fk-request-id').first().textContent();
  await expect.poll(async () => (await events(page)).filter((e) => e.type === 'foundry-keyring:error').length).toBeGreaterThan(0);
  const errors = (await events(page)).filter((e) => e.type === 'foundry-keyring:error');
  expect(errors[0].target).toBe('lab-b');
  expect(Object.keys(errors[0].detail).sort()).toEqual(['requestId', 'title']);
  expect(errors[0].detail.title).toEqual(expect.any(String));
  expect(errors[0].detail.requestId).toBe(shownId);
  expect(JSON.stringify(errors)).not.toContain(key);
});

test('unmount leaves nothing behind, and no listener or timer fires afterwards', async ({ page }) => {
  await recordEvents(page);
  // A fake clock, so "past the idle time" takes no real minutes.
  await page.clock.install();
  await page.goto(HOST_PAGE);
  const a = page.locator('#lab-a');
  const b = page.locator('#lab-b');
  await expect(a.getByLabel('Paste your key')).toBeVisible();
  await expect(b.getByLabel('Paste your key')).toBeVisible();
  // The shortest auto-lock (one minute); changing an attribute remounts the element.
  await page.evaluate(() => document.querySelectorAll('foundry-keyring').forEach((el) => el.setAttribute('idle-minutes', '1')));
  await addFirstKey(a, { key: demoKey('member'), label: 'member key', sessionOnly: true });
  await addFirstKey(b, { key: demoKey('read-only'), label: 'read-only key', sessionOnly: true });
  const mounted = activityListeners(await globalListeners(page));
  expect(mounted.mousemove, 'two instances watch activity').toBe(2);

  await page.evaluate(() => document.getElementById('lab-a').unmount());
  expect(await page.evaluate(() => {
    const el = document.getElementById('lab-a');
    return { children: el.shadowRoot.childNodes.length, handle: el.handle };
  })).toEqual({ children: 0, handle: null });
  await expect(page.locator('[data-foundry-keyring-root]')).toHaveCount(1);
  const afterOne = activityListeners(await globalListeners(page));
  for (const [type, count] of Object.entries(mounted)) {
    expect(afterOne[type] ?? 0, `${type} listeners after one unmount`).toBe(count / 2);
  }
  const lastOfA = (await events(page)).filter((e) => e.target === 'lab-a');
  expect(lastOfA.at(-1)).toEqual({ type: 'foundry-keyring:locked', target: 'lab-a', detail: { reason: 'unmounted' } });

  // Activity, then past the idle time: B (still mounted) locks itself, A says nothing.
  await page.mouse.move(10, 10);
  await page.keyboard.press('Shift');
  await page.clock.fastForward('02:00');
  await expect.poll(async () => (await events(page)).filter((e) => e.target === 'lab-b' && e.type === 'foundry-keyring:locked'))
    .toEqual([{ type: 'foundry-keyring:locked', target: 'lab-b', detail: { reason: 'idle' } }]);
  expect((await events(page)).filter((e) => e.target === 'lab-a')).toEqual(lastOfA);

  // Unmounting the second instance leaves no activity listener on the page at all.
  await page.evaluate(() => document.getElementById('lab-b').unmount());
  await expect(page.locator('[data-foundry-keyring-root]')).toHaveCount(0);
  expect(activityListeners(await globalListeners(page))).toEqual({});
  await page.clock.fastForward('10:00');
  await page.mouse.move(50, 50);
  expect((await events(page)).filter((e) => e.target === 'lab-b').at(-1).detail).toEqual({ reason: 'idle' });
  // The fixture fails the test on any uncaught error or console error meanwhile.
});
