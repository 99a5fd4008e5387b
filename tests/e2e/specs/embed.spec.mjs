// Embedding: the example host page (tests/embed/) with two <foundry-keyring> elements, each
// in its own storage namespace, driven through the handle and the events a host would use.
import { test, expect, demoKey, screenshot } from '../support/fixtures.mjs';
import { API_BASE } from '../support/env.mjs';
import { addFirstKey, resetDouble, injectFault, unlock, expectNoSecretsLeaked, encodings } from '../support/flows.mjs';
import { openHostPage } from '../support/host.mjs';
import { startRecorder } from '../support/recorder.mjs';

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
  await openHostPage(page);
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

test('a host page without a connect policy: a script that moves the key to its own server after unlock gets nothing', async ({ page }) => {
  // The example page sets no Content-Security-Policy. The agent then reaches only the build's
  // API and the element's api-base, so the key cannot be moved elsewhere, not even through the
  // instance's own confirmed rebinding, which a script in the page can click through.
  const recorder = await startRecorder();
  try {
    await openHostPage(page);
    const a = page.locator('#lab-a');
    await addFirstKey(a, { key: demoKey('member'), label: 'member key', passphrase: PASS_A });
    await a.getByRole('button', { name: 'Settings' }).click();
    const settings = a.getByRole('region', { name: 'Settings' });
    await settings.getByText('Advanced: the API address').click();
    await settings.getByLabel('Foundry API base URL').fill(recorder.base);
    await settings.getByRole('button', { name: 'Use this API' }).click();
    await settings.getByRole('button', { name: 'Close settings' }).click();
    const notice = a.getByRole('status').filter({ hasText: 'This page points at another API than your key' });
    await notice.getByRole('button', { name: `Use this key with ${recorder.base}…` }).click();
    const dialog = a.getByRole('dialog', { name: `Send \u201cmember key\u201d to ${recorder.base}?` });
    await dialog.getByRole('button', { name: `Send it to ${recorder.base}` }).click();
    // The agent refuses the binding itself: the key stays with the API it was saved for, and
    // the page says so.
    await expect(notice.getByRole('alert').filter({ hasText: 'API address not allowed' }))
      .toContainText(`${recorder.base} is not among the API addresses this page allows, so the key stays with the API it was saved for`, { timeout: 20_000 });
    await expect(notice).toContainText(`is saved for ${API_BASE}`);
    await screenshot(page, 'embed-no-csp-rebind-refused');
    await page.waitForTimeout(500);
    expect(recorder.hits(), 'nothing reached the other server').toEqual([]);
  } finally {
    await recorder.close();
  }
});

test('handle.fetch sends the key only to API paths under the configured base', async ({ page }) => {
  const requests = [];
  page.on('request', (request) => requests.push({ url: request.url(), authorization: request.headers().authorization }));
  await openHostPage(page);
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

  // Each trick of issue #16 that some server resolves outside /api/: refused before any
  // request leaves (src/api/base.rs tests every one natively).
  const sentBefore = requests.length;
  const refusals = await page.evaluate(async (base) => {
    const handle = document.getElementById('lab-a').handle;
    const out = {};
    const tricks = [
      '/api/v1/tokens%2f..%2f..%2fadmin', '/api/v1/tokens%5c..%5cadmin', '/api/v1/..;/admin', '/api/v1/whoami%00',
      '/api/v1/%252e%252e/admin', '/api/v1/\uFF0E\uFF0E/admin', '/api/v1/tokens\u2215..\u2215admin', '/api/v1/tokens?a=%2e%2e%2fadmin',
    ];
    for (const path of ['https://evil.example/x', '//evil.example/x', `${base}/api/v1/whoami`, '/other/path', '/api/v1/../../x', 42, ...tricks]) {
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
  expect(Object.keys(refusals)).toHaveLength(14);
  expect(requests.slice(sentBefore), 'requests sent for refused paths').toEqual([]);

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
  await openHostPage(page);
  const b = page.locator('#lab-b');
  const key = demoKey('read-only');
  // The client retries a failing GET itself (3 tries): fail all of them, for the check of the key
  // before it is saved (which saves it all the same) and for the key's own whoami after.
  await injectFault(request, { kind: 'status', status: 500, count: 6, path: '/api/v1/whoami' });
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
  await openHostPage(page);
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

test('a host init that throws rejects that call only: the handle keeps working and unmounts cleanly', async ({ page }) => {
  const requests = [];
  page.on('request', (request) => requests.push({ url: request.url(), authorization: request.headers().authorization }));
  await openHostPage(page);
  const a = page.locator('#lab-a');
  const memberKey = demoKey('member');
  await addFirstKey(a, { key: memberKey, label: 'member key', sessionOnly: true });

  const outcomes = await page.evaluate(async () => {
    const element = document.getElementById('lab-a');
    const handle = element.handle;
    const attempt = async (init) => {
      try {
        const response = await handle.fetch('/api/v1/whoami', init);
        return `status ${response.status}`;
      } catch (error) {
        return `${error.name}: ${error.message}`;
      }
    };
    const out = {};
    out.throwingGetter = await attempt({ get headers() { throw new Error('host getter failed'); } });
    out.throwingProxy = await attempt(new Proxy({}, { ownKeys() { throw new Error('host proxy failed'); } }));
    out.bogusSignal = await attempt({ signal: 'not a signal' });
    out.throwingHeaders = await attempt({ headers: { [Symbol.iterator]() { throw new Error('host iterator failed'); } } });
    out.afterwards = await attempt({ headers: { accept: 'application/json' } });
    out.unlockedAfterwards = handle.unlocked;
    // A getter that unmounts the keyring while its init is read: that call must not send the key.
    out.unmountingGetter = await attempt({ get method() { handle.unmount(); return 'GET'; } });
    out.unmountAgain = (() => { try { handle.unmount(); element.unmount(); return 'ok'; } catch (error) { return `${error.name}: ${error.message}`; } })();
    return out;
  });
  expect(outcomes).toEqual({
    throwingGetter: 'Error: host getter failed',
    throwingProxy: 'Error: host proxy failed',
    bogusSignal: expect.stringMatching(/^TypeError: .*signal must be an AbortSignal/),
    throwingHeaders: 'Error: host iterator failed',
    afterwards: 'status 200',
    unlockedAfterwards: true,
    unmountingGetter: expect.stringMatching(/^KeyringUnmountedError: /),
    unmountAgain: 'ok',
  });
  // Exactly one host call reached the API with the key: the one after the failures.
  const sent = requests.filter((r) => r.url === `${API_BASE}/api/v1/whoami` && r.authorization === `Bearer ${memberKey}`);
  expect(sent.length, 'the app itself calls whoami once to check the key before saving it and once at unlock, the host once').toBe(3);
  await expect(page.getByText(/internal error/)).toHaveCount(0);
  expect(await page.evaluate(() => document.getElementById('lab-a').handle)).toBeNull();
  // The other instance never noticed.
  await expect(page.locator('#lab-b').getByLabel('Paste your key')).toBeVisible();
});

test('after a panic every export refuses, the key is dropped and the crash panel says so', async ({ page }) => {
  const requests = [];
  page.on('request', (request) => requests.push(request.url()));
  await openHostPage(page);
  const a = page.locator('#lab-a');
  const b = page.locator('#lab-b');
  await addFirstKey(a, { key: demoKey('member'), label: 'member key', sessionOnly: true });
  const hasHook = await page.evaluate(() => typeof document.getElementById('lab-a').handle.panicForTests);
  expect(hasHook, 'the embedding bundle must be built with FOUNDRY_KEYRING_TEST_HOOKS=1 (.ci/run does)').toBe('function');

  const crash = await page.evaluate(() => {
    try {
      document.getElementById('lab-a').handle.panicForTests();
      return 'returned';
    } catch (error) {
      return error.constructor.name;
    }
  });
  expect(crash, 'a panic ends in a trap').toBe('RuntimeError');

  // Both instances show the panel, and its words are true.
  for (const instance of [a, b]) {
    const panel = instance.getByRole('alert');
    await expect(panel).toContainText('Foundry Keyring stopped because of an internal error.');
    await expect(panel).toContainText('It has stopped answering this page and has dropped the key it held in memory.');
    await expect(panel.getByRole('link', { name: 'Reload' })).toBeVisible();
  }
  await expect(a.getByRole('heading', { name: 'Who this key belongs to' })).toHaveCount(0);

  const sentBefore = requests.length;
  const after = await page.evaluate(async () => {
    const element = document.getElementById('lab-a');
    const handle = element.handle;
    const outcome = async (call) => {
      try {
        await call();
        return 'accepted';
      } catch (error) {
        return error.name;
      }
    };
    const { mount } = await import('/embed/foundry_keyring.js');
    const div = document.createElement('div');
    return {
      fetch: await outcome(() => handle.fetch('/api/v1/whoami')),
      elementFetch: await outcome(() => element.fetch('/api/v1/whoami')),
      otherFetch: await outcome(() => document.getElementById('lab-b').handle.fetch('/api/v1/info/health')),
      lock: await outcome(() => handle.lock()),
      unlocked: await outcome(() => handle.unlocked),
      unmount: await outcome(() => handle.unmount()),
      elementUnmount: await outcome(() => element.unmount()),
      mount: await outcome(() => mount(div, {})),
    };
  });
  expect(after).toEqual({
    fetch: 'KeyringCrashedError',
    elementFetch: 'KeyringCrashedError',
    otherFetch: 'KeyringCrashedError',
    lock: 'KeyringCrashedError',
    unlocked: 'KeyringCrashedError',
    unmount: 'KeyringCrashedError',
    elementUnmount: 'KeyringCrashedError',
    mount: 'KeyringCrashedError',
  });
  expect(requests.slice(sentBefore), 'requests after the panic').toEqual([]);
  // The panel is still there: a refused unmount does not wipe it.
  await expect(a.getByRole('alert')).toContainText('internal error');
});

/** Focuses a control inside a closed shadow root the way a person's Tab key would reach it:
 *  by role and accessible name, through the accessibility tree (DevTools protocol), which
 *  is not subject to the shadow root's mode. Returns the field, for reading its value. */
async function focusByRoleAndName(page, hostSelector, role, name) {
  const cdp = await page.context().newCDPSession(page);
  const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
  const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: hostSelector });
  const { nodes } = await cdp.send('Accessibility.queryAXTree', { nodeId, role, accessibleName: name });
  if (nodes.length !== 1) throw new Error(`expected one ${role} named ${name}, found ${nodes.length}`);
  const { backendDOMNodeId } = nodes[0];
  await cdp.send('DOM.focus', { backendNodeId: backendDOMNodeId });
  const { object } = await cdp.send('DOM.resolveNode', { backendNodeId: backendDOMNodeId });
  return {
    value: async () => (await cdp.send('Runtime.callFunctionOn', { objectId: object.objectId, functionDeclaration: 'function () { return this.value; }', returnByValue: true })).result.value,
  };
}

test('the shadow root is closed and what is typed into the key field does not bubble out to the host', async ({ page }) => {
  await openHostPage(page, { openRoots: false });
  // The element mounts once its WebAssembly has loaded; until then `handle` is null.
  await page.waitForFunction(() => document.getElementById('lab-a').handle);
  await page.evaluate(() => {
    window.__seen = [];
    const types = ['beforeinput', 'input', 'textInput', 'compositionstart', 'compositionupdate', 'compositionend', 'paste', 'copy', 'cut', 'change', 'keydown'];
    const record = (where, phase) => (event) => {
      const path = event.composedPath();
      window.__seen.push({
        where, phase, type: event.type, target: event.target?.id ?? event.target?.nodeName,
        pathStart: path[0]?.id ?? path[0]?.nodeName, value: event.target?.value, data: event.data ?? null,
      });
    };
    for (const type of types) {
      for (const [where, target] of [['window', window], ['document', document], ['element', document.getElementById('lab-a')]]) {
        target.addEventListener(type, record(where, 'bubble'));
        target.addEventListener(type, record(where, 'capture'), true);
      }
    }
  });
  // Nothing on the element leads inside.
  const reach = await page.evaluate(() => {
    const element = document.getElementById('lab-a');
    const found = [];
    const inside = (value) => value instanceof ShadowRoot || (value instanceof Node && value.getRootNode() !== document && value !== element);
    for (let proto = element; proto && proto !== HTMLElement.prototype; proto = Object.getPrototypeOf(proto)) {
      for (const name of Object.getOwnPropertyNames(proto)) {
        let value;
        try { value = element[name]; } catch { continue; }
        if (inside(value)) found.push(name);
      }
    }
    const handle = element.handle;
    for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(handle))) {
      let value;
      try { value = handle[name]; } catch { continue; }
      if (inside(value)) found.push(`handle.${name}`);
    }
    return {
      shadowRoot: element.shadowRoot,
      found,
      reattach: (() => { try { element.attachShadow({ mode: 'open' }); return 'attached'; } catch (error) { return error.name; } })(),
      text: element.textContent,
      inputs: document.querySelectorAll('input').length,
    };
  });
  expect(reach).toEqual({ shadowRoot: null, found: [], reattach: 'NotSupportedError', text: '', inputs: 0 });

  const key = demoKey('member');
  const field = await focusByRoleAndName(page, '#lab-a', 'textbox', 'Paste your key');
  await page.keyboard.type(key.slice(0, 12));
  await page.keyboard.insertText(key.slice(12));
  expect(await field.value(), 'the key was typed into the field').toBe(key);
  const a = page.locator('#lab-a');
  const seen = await page.evaluate(() => window.__seen);
  const contentTypes = new Set(['beforeinput', 'input', 'textInput', 'compositionstart', 'compositionupdate', 'compositionend', 'paste', 'copy', 'cut']);
  // Bubbling listeners anywhere on the host never hear what was typed.
  expect(seen.filter((e) => e.phase === 'bubble' && contentTypes.has(e.type))).toEqual([]);
  // Capturing listeners run before the shadow root and cannot be kept out (README): the event
  // is retargeted to the element, its path starts there, and no field value is reachable.
  const captured = seen.filter((e) => e.phase === 'capture' && e.type === 'input');
  expect(captured.length, 'capture listeners still see input events').toBeGreaterThan(0);
  for (const event of captured) {
    expect(event).toMatchObject({ target: 'lab-a', pathStart: 'lab-a' });
    expect(event.value).toBeUndefined();
  }
  expect(JSON.stringify(seen.map(({ value }) => value))).not.toContain(key.slice(0, 12));
  // The host page still sees the key element behave: a label is asked for next.
  await expect(a).toBeVisible();
});

test('a restricted key at work through handle.fetch: a read-only child lists experiments and is refused creating one', async ({ page }) => {
  await openHostPage(page);
  const a = page.locator('#lab-a');
  await addFirstKey(a, { key: demoKey('read-only'), label: 'reader', sessionOnly: true });
  const call = (path, init) => page.evaluate(async ([path, init]) => {
    const response = await document.getElementById('lab-a').handle.fetch(path, init);
    return { status: response.status, body: await response.json() };
  }, [path, init]);
  const listed = await call('/api/v1/experiments?limit=10', { headers: { accept: 'application/json' } });
  expect(listed.status).toBe(200);
  expect(listed.body).toMatchObject({ items: [], total: 0 });
  expect((await call('/api/v1/targets')).status).toBe(200);
  const create = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'binding screen' }) };
  const refused = await call('/api/v1/experiments', create);
  expect(refused.status, 'the read-only restriction holds at the API').toBe(403);
  expect(refused.body.error).toMatch(/experiment:create|not allowed|permission/i);

  // The member it was made from may create one: the refusal is the restriction, not the route.
  const b = page.locator('#lab-b');
  await addFirstKey(b, { key: demoKey('member'), label: 'member', sessionOnly: true });
  const created = await page.evaluate(async (init) => {
    const response = await document.getElementById('lab-b').handle.fetch('/api/v1/experiments', init);
    return { status: response.status, body: await response.json() };
  }, create);
  expect(created.status).toBe(201);
  expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);
});
