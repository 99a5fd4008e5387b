// The first load, as a person meets it: one cold run of the standalone page in a fresh browser
// context (empty cache, cache disabled), on an emulated network or on bare loopback. Shared by
// the bench (tests/bench/load.mjs: figures) and .ci/check-size (tests/bench/requests.mjs: which
// files the browser requests when).
//
// A run has two visits:
//   first      a browser that has never seen the app: the "Add your Foundry API key" form. The
//              first screen works when the "Paste your key" field and its "Save key" button are
//              present, visible and enabled. Then a key is pasted, a passphrase typed twice and
//              Save clicked; the run checks that Save acted (a status or progress appears) and
//              waits for the first unlocked view.
//   returning  a fresh context holding only the keyring the first visit stored (localStorage):
//              the locked screen. It works when the "Passphrase" field and its "Unlock" button
//              are present, visible and enabled. Then the passphrase is typed, Unlock clicked,
//              and the run waits for the unlocked view.
// The ready moment is found by a requestAnimationFrame poll that starts with the document
// (performance.now(), so from navigation start); it is the figure. Typing and clicking only
// confirm that the screen really works.
// "Unlocked view": the "Who this key belongs to" heading is shown and the "Tokens" section holds
// table rows (its data loaded). After it the run waits until the network has been quiet for
// QUIET_MS, so modules loaded when the browser is idle are seen too.
//
// Every request the browser makes is recorded, whoever makes it: the document, its scripts,
// styles, wasm, dynamic imports, and Web Workers with whatever they load (Playwright attaches to
// dedicated workers and reports their network events as the page's; a CDP session on the page
// alone does not see them, which is how each request is marked as the page's or a worker's).
// Each request is put in the phase in which it was *sent* (request start, wall clock, against
// the page's performance.timeOrigin + ready / unlocked):
//   before_ready      before the first screen worked
//   to_unlocked       after that, up to the first unlocked view
//   later             after the unlocked view
// Bytes are the encoded body bytes on the wire (as the server compressed them). Requests to the
// API are kept apart (`api: true`), to be listed, not counted.
import { setTimeout as sleep } from 'node:timers/promises';

/** 1.6 Mbps down, 750 kbps up, 150 ms round trip (CDP Network.emulateNetworkConditions). */
export const SLOW = { name: '1.6 Mbps / 750 kbps / 150 ms RTT', latency: 150, download: 1.6e6 / 8, upload: 750e3 / 8 };
export const LOOPBACK = { name: 'loopback', latency: 0, download: -1, upload: -1 };

export const PASSPHRASE = 'correct horse battery staple';
const QUIET_MS = 1500;
const SCREEN_TIMEOUT = 60_000;

// Runs in the page before any of its scripts. Finds the screen's field by its label text and
// the button by its name, in the field's form; polls every animation frame.
const INIT = ({ field, button }) => {
  const fk = { ready: null, unlocked: null, origin: performance.timeOrigin };
  window.__fkFirstLoad = fk;
  const text = (el) => {
    // The accessible text of a label or button: without aria-hidden parts (a required mark).
    let out = '';
    for (const node of el.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) out += node.textContent;
      else if (node.nodeType === Node.ELEMENT_NODE && node.getAttribute('aria-hidden') !== 'true') out += text(node);
    }
    return out;
  };
  const norm = (s) => s.replace(/\s+/g, ' ').trim();
  const usable = (el) => !!el && el.isConnected
    && el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })
    && el.getClientRects().length > 0
    && !el.matches(':disabled') && !el.readOnly && !el.closest('[inert]')
    && el.getAttribute('aria-disabled') !== 'true';
  const findField = () => {
    for (const label of document.querySelectorAll('label')) {
      if (norm(text(label)) === field && label.control) return label.control;
    }
    return null;
  };
  const findButton = (input) => {
    const scope = input.form ?? document;
    return [...scope.querySelectorAll('button')].find((b) => norm(text(b)) === button) ?? null;
  };
  const unlockedView = () => {
    const headings = [...document.querySelectorAll('h1, h2, h3')];
    const identity = headings.find((h) => norm(text(h)) === 'Who this key belongs to');
    const tokens = headings.find((h) => norm(text(h)) === 'Tokens')?.closest('section');
    return !!identity && identity.checkVisibility() && !!tokens
      && tokens.querySelector('table tbody tr') !== null && tokens.querySelector('[aria-busy="true"]') === null;
  };
  const poll = () => {
    const now = performance.now();
    if (fk.ready === null) {
      const input = findField();
      if (usable(input) && usable(findButton(input))) fk.ready = now;
    } else if (fk.unlocked === null && unlockedView()) {
      fk.unlocked = now;
      return;
    }
    requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
};

const SCREENS = {
  first: { field: 'Paste your key', button: 'Save key' },
  returning: { field: 'Passphrase', button: 'Unlock' },
};

/**
 * One cold run: the first visit, then the returning visit.
 * `browser`: a Playwright Chromium; `app`: the page's origin; `api`: the double's base;
 * `key`: the API key to paste; `network`: SLOW or LOOPBACK; `bypassCSP`: for a build whose
 * <meta> CSP does not name `api` (check-size with any dist/; the bytes do not depend on it).
 */
export async function coldRun(browser, { app, api, key, network, bypassCSP = false, passphrase = PASSPHRASE, typingMs = 0 }) {
  const url = `${app}/?api=${encodeURIComponent(api)}`;
  const first = await visit(browser, 'first', { url, app, api, network, bypassCSP }, async (page) => {
    const field = page.getByLabel(SCREENS.first.field, { exact: true });
    await field.click();
    await page.keyboard.insertText(key); // what a paste does
    if ((await field.inputValue()) !== key) throw new Error('first visit: the key field did not take the key');
    await page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
    await page.getByLabel('Confirm passphrase', { exact: true }).fill(passphrase);
    return page.getByRole('button', { name: SCREENS.first.button, exact: true });
  });
  const returning = await visit(browser, 'returning', { url, app, api, network, bypassCSP, storageState: first.storageState, typingMs }, async (page) => {
    const field = page.getByLabel(SCREENS.returning.field, { exact: true });
    await field.click();
    await page.keyboard.type(passphrase);
    if ((await field.inputValue()) !== passphrase) throw new Error('returning visit: the passphrase field did not take typing');
    return page.getByRole('button', { name: SCREENS.returning.button, exact: true });
  });
  delete first.storageState;
  delete returning.storageState;
  return { network: network.name, first, returning };
}

async function visit(browser, name, { url, app, api, network, bypassCSP, storageState, typingMs = 0 }, fillIn) {
  const context = await browser.newContext({ storageState, bypassCSP });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console.error: ${m.text()}`); });

  // The page's own CDP session: network emulation and a disabled cache (dedicated workers follow
  // the page's emulation), and the requests the page itself makes (a worker's are not seen here).
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: network.latency, downloadThroughput: network.download, uploadThroughput: network.upload,
  });
  const pageSeen = new Map();
  cdp.on('Network.requestWillBeSent', (e) => pageSeen.set(e.request.url, (pageSeen.get(e.request.url) ?? 0) + 1));

  // Every request, the workers' included.
  const requests = [];
  let inflight = 0;
  let lastActivity = Date.now();
  const record = new Map();
  page.on('request', (request) => {
    inflight += 1;
    lastActivity = Date.now();
    const entry = { url: request.url(), method: request.method(), type: request.resourceType(), start: null, status: null, bytes: 0, encoding: null, failed: null };
    record.set(request, entry);
    requests.push(entry);
  });
  const settle = async (request, failure) => {
    const entry = record.get(request);
    if (!entry) return;
    try {
      entry.start = request.timing().startTime;
      if (failure) {
        entry.failed = failure;
      } else {
        const response = await request.response();
        const headers = response ? await response.allHeaders() : {};
        const sizes = await request.sizes();
        entry.status = response?.status() ?? null;
        entry.encoding = headers['content-encoding'] ?? null;
        // The body as sent. CDP reports no body bytes for a dedicated worker's main script;
        // Content-Length (the server always sends it) stands in then.
        const declared = Number(headers['content-length'] ?? 0);
        entry.bytes = sizes.responseBodySize > 0 ? sizes.responseBodySize : declared;
      }
    } finally {
      inflight -= 1;
      lastActivity = Date.now();
    }
  };
  const settled = [];
  page.on('requestfinished', (r) => settled.push(settle(r, null)));
  // Failed requests are not an error in themselves (an aborted one is normal); they are named
  // when a visit fails.
  const failures = [];
  page.on('requestfailed', (r) => {
    failures.push(`${r.method()} ${r.url()}: ${r.failure()?.errorText ?? 'failed'}`);
    settled.push(settle(r, r.failure()?.errorText ?? 'failed'));
  });
  const why = () => [...problems, ...failures.map((f) => `request failed: ${f}`)].join('; ');

  const screen = SCREENS[name];
  await page.addInitScript(INIT, screen);
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__fkFirstLoad?.ready != null, null, { timeout: SCREEN_TIMEOUT, polling: 50 })
    .catch(async (e) => {
      throw new Error(`${name} visit: "${screen.field}" and "${screen.button}" did not both become usable (${e.message.split('\n')[0]}); ${why()}`);
    });

  // The screen works: what is typed is taken, and the button acts on it.
  const button = await fillIn(page);
  // A person's pace: the click comes `typingMs` after the screen worked (the bench's own
  // typing takes a few ms), so what loads meanwhile is there when they click.
  if (typingMs > 0) {
    await page.waitForFunction((t) => performance.now() >= window.__fkFirstLoad.ready + t, typingMs, { timeout: typingMs + 10_000, polling: 50 });
  }
  await page.evaluate(() => {
    const fk = window.__fkFirstLoad;
    fk.acted = null;
    // A status or progress that was not there before the click, or the unlocked view.
    const sel = '[role="status"], [role="alert"], progress';
    const before = new Set(document.querySelectorAll(sel));
    const acted = () => [...document.querySelectorAll(sel)].some((el) => !before.has(el) && el.checkVisibility())
      || fk.unlocked !== null;
    const observer = new MutationObserver(() => {
      if (fk.acted === null && acted()) { fk.acted = performance.now(); observer.disconnect(); }
    });
    observer.observe(document.body, { childList: true, subtree: true, attributes: true });
  });
  const clickedAt = await page.evaluate(() => performance.now());
  await button.click();
  await page.waitForFunction(() => window.__fkFirstLoad.acted != null || window.__fkFirstLoad.unlocked != null, null, { timeout: 10_000 })
    .catch(() => { throw new Error(`${name} visit: "${screen.button}" did not act (no status, no progress, no unlocked view); ${why()}`); });
  await page.waitForFunction(() => window.__fkFirstLoad.unlocked != null, null, { timeout: SCREEN_TIMEOUT, polling: 50 })
    .catch(() => { throw new Error(`${name} visit: no unlocked view (identity and token table) after "${screen.button}"; ${why()}`); });
  const fk = await page.evaluate(() => ({ ...window.__fkFirstLoad }));

  // Quiet network: whatever is loaded later (idle-time modules) is seen too.
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && (inflight > 0 || Date.now() - lastActivity < QUIET_MS)) await sleep(100);
  await Promise.all(settled);
  const state = name === 'first' ? await context.storageState() : undefined;
  await context.close();
  if (problems.length) throw new Error(`${name} visit: ${problems.join('; ')}`);

  // Page or worker: a URL seen more often by Playwright than by the page's own session was
  // (also) requested by a worker.
  const pageLeft = new Map(pageSeen);
  const readyWall = fk.origin + fk.ready;
  const unlockedWall = fk.origin + fk.unlocked;
  const apiOrigin = new URL(api).origin;
  const appOrigin = new URL(app).origin;
  for (const r of requests) {
    const left = pageLeft.get(r.url) ?? 0;
    r.by = left > 0 ? 'page' : 'worker';
    if (left > 0) pageLeft.set(r.url, left - 1);
    r.phase = r.start === null ? 'later' : r.start < readyWall ? 'before_ready' : r.start <= unlockedWall ? 'to_unlocked' : 'later';
    const u = new URL(r.url);
    r.api = u.origin === apiOrigin;
    r.path = u.origin === appOrigin ? u.pathname : null;
    r.t = r.start === null ? null : Math.round(r.start - fk.origin);
  }
  requests.sort((a, b) => (a.start ?? Infinity) - (b.start ?? Infinity));
  return {
    ready_ms: fk.ready,
    clicked_ms: clickedAt,
    acted_ms: fk.acted,
    unlocked_ms: fk.unlocked,
    requests,
    storageState: state,
  };
}

/** Encoded bytes of the app's own requests (the API's apart) per phase. */
export function bytesByPhase(v) {
  const sum = { before_ready: 0, to_unlocked: 0, later: 0, api: 0, api_count: 0 };
  for (const r of v.requests) {
    if (r.api) { sum.api += r.bytes; sum.api_count += 1; } else sum[r.phase] += r.bytes;
  }
  return sum;
}

/** A request list as text: when, phase, who, what, how many bytes. */
export function describeRequests(v) {
  const label = { before_ready: 'before ready', to_unlocked: 'to unlocked', later: 'later' };
  return v.requests.map((r) => {
    const what = r.api ? `API ${r.method} ${new URL(r.url).pathname}` : r.path ?? r.url;
    const bytes = r.failed ? `failed: ${r.failed}` : `${r.bytes.toLocaleString('en')} B${r.encoding ? ` ${r.encoding}` : ''}`;
    return `  ${String(r.t ?? '?').padStart(6)} ms  ${label[r.phase].padEnd(12)}  ${r.by.padEnd(6)}  ${what.padEnd(48)}  ${bytes}`;
  }).join('\n');
}
