// Figures 1-2 in headless Chromium against the release build (dist/) served with its
// production headers by .ci/serve_app.py, and the local Foundry double:
//   1. unlock: the app's real path (click Unlock -> unlocked view: a message to the running key
//      agent, PBKDF2 600k there, AES-GCM decrypt of the keyring, the answer, render), a fresh
//      key agent driven directly with its bench message (`measure`: it derives with WebCrypto
//      and answers the time, never a key), the agent's Rust fallback (what a context without
//      crypto.subtle gets), and WebCrypto deriveBits + AES-GCM with the same parameters in the
//      same page; ratios per run. That the engines give the same key is a browser test
//      (tests/web_vault.rs), since the agent never hands out a key.
//   2. the longest main-thread long task during the unlock (PerformanceObserver 'longtask').
// The first load (time until the first screen works, bytes by when they are requested) is
// tests/bench/load.mjs.
//
// node tests/bench/browser.mjs --app http://127.0.0.1:28080 --api http://127.0.0.1:28787 \
//      --runs 5 --out browser.json
import { arg, figure, writeFigures } from './stats.mjs';
import { demoToken, launchChromium } from './setup.mjs';

const APP = arg('app', 'http://127.0.0.1:28080');
const API = arg('api', 'http://127.0.0.1:28787');
const RUNS = Number(arg('runs', '5'));
const OUT = arg('out', 'browser.json');
const ITERATIONS = 600_000;
const PASSPHRASE = 'correct horse battery staple';
const APP_URL = `${APP}/?api=${encodeURIComponent(API)}`;

const adminKey = await demoToken(API, 'admin');
const browser = await launchChromium();
const chromiumVersion = browser.version();

// Before any page script: record long tasks.
const INIT = () => {
  window.__longtasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longtasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch { /* no longtask support: reported as 0 */ }
};

async function newPage() {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console.error: ${m.text()}`); });
  await page.addInitScript(INIT);
  return { context, page, problems };
}

// ---- 1 and 2. unlock ------------------------------------------------------------------------
const { context, page, problems } = await newPage();
await page.goto(APP_URL);
await page.getByLabel('Paste your key').fill(adminKey);
await page.getByRole('region', { name: 'Key preview' }).waitFor();
await page.getByLabel('Label').fill('bench admin');
await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
await page.getByLabel('Confirm passphrase').fill(PASSPHRASE);
await page.getByRole('button', { name: 'Save key' }).click();
await page.getByRole('heading', { name: 'Who this key belongs to' }).waitFor({ timeout: 30_000 });

const appMs = [], workerTotal = [], workerKdf = [], webcryptoMs = [], appRatio = [], workerRatio = [], longest = [];
const fallbackKdf = [], fallbackRatio = [];
const salt = [...crypto.getRandomValues(new Uint8Array(16))];

// WebCrypto fixture: a 2 KB keyring-sized payload sealed once with the derived key.
async function webcrypto() {
  return page.evaluate(async ({ iterations, passphrase, salt }) => {
    const enc = new TextEncoder();
    const s = new Uint8Array(salt);
    const derive = async () => {
      const base = await crypto.subtle.importKey('raw', enc.encode(passphrase), 'PBKDF2', false, ['deriveBits']);
      return new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: s, iterations }, base, 256));
    };
    if (!window.__sealed) {
      const raw = await derive();
      const key = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt']);
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const data = crypto.getRandomValues(new Uint8Array(2048));
      window.__sealed = { iv, ct: new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, data)) };
    }
    const t0 = performance.now();
    const raw = await derive();
    const key = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['decrypt']);
    await crypto.subtle.decrypt({ name: 'AES-GCM', iv: window.__sealed.iv }, key, window.__sealed.ct);
    const ms = performance.now() - t0;
    return { ms, hex: [...raw].map((b) => b.toString(16).padStart(2, '0')).join('') };
  }, { iterations: ITERATIONS, passphrase: PASSPHRASE, salt });
}

// A new key agent, as the page starts one: wait for {ready}, then its bench message once.
// `engine: 'wasm'` asks for the Rust fallback (what a context without crypto.subtle gets).
async function workerRoundTrip(engine) {
  return page.evaluate(async ({ iterations, passphrase, engine }) => {
    const queue = [];
    let wake = null;
    const next = () => new Promise((resolve, reject) => {
      if (queue.length) return resolve(queue.shift());
      wake = { resolve, reject };
    });
    const push = (m) => { if (wake) { const w = wake; wake = null; w.resolve(m); } else queue.push(m); };
    const t0 = performance.now();
    const worker = new Worker('/key-agent_loader.js');
    worker.onmessage = (e) => push(e.data);
    worker.onerror = (e) => { if (wake) wake.reject(new Error(`agent: ${e.message}`)); };
    const ready = await next();
    if (!ready || !ready.ready) throw new Error(`agent said ${JSON.stringify(ready)}`);
    const t1 = performance.now();
    const secret = new TextEncoder().encode(passphrase);
    // The protocol's encoding (postcard), by hand: `Op::Measure` is variant 23, its fields in
    // order; the answer `Reply::Measured` is variant 10. A native test of protocol.rs
    // (`the_bench_speaks_measure`) pins these bytes, so a reordered enum fails there first.
    const varint = (n) => { const out = []; while (n >= 0x80) { out.push((n & 0x7f) | 0x80); n = Math.floor(n / 128); } out.push(n); return out; };
    const name = engine ? new TextEncoder().encode(engine) : null;
    const op = new Uint8Array([23, ...varint(iterations), ...(name ? [1, ...varint(name.length), ...name] : [0])]);
    worker.postMessage({ id: 1, op, secrets: [secret] }, [secret.buffer]);
    const answer = await next();
    const t2 = performance.now();
    worker.terminate();
    const reply = answer.reply;
    if (!(reply instanceof Uint8Array) || reply[0] !== 10 || reply[1] >= 0x80) throw new Error(`agent answered ${reply}`);
    const measured = {
      engine: new TextDecoder().decode(reply.subarray(2, 2 + reply[1])),
      millis: new DataView(reply.buffer, reply.byteOffset + 2 + reply[1], 8).getFloat64(0, true),
    };
    return { startup: t1 - t0, kdf: measured.millis, roundTrip: t2 - t1, total: t2 - t0, engine: measured.engine };
  }, { iterations: ITERATIONS, passphrase: PASSPHRASE, engine });
}

async function appUnlock() {
  await page.reload();
  await page.getByRole('button', { name: 'Unlock' }).waitFor();
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.waitForTimeout(300); // let the load's own tasks finish
  return page.evaluate(async () => {
    const unlocked = () => [...document.querySelectorAll('button')].some((b) => b.textContent.trim() === 'Lock');
    const button = [...document.querySelectorAll('button[type=submit]')].find((b) => b.textContent.trim() === 'Unlock');
    const done = new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        if (unlocked()) { observer.disconnect(); resolve(performance.now()); }
      });
      observer.observe(document.body, { childList: true, subtree: true });
    });
    const t0 = performance.now();
    button.click();
    const t1 = await done;
    // Long-task entries arrive after the task ends.
    await new Promise((r) => setTimeout(r, 300));
    const during = window.__longtasks.filter((e) => e.start < t1 && e.start + e.duration > t0);
    return { ms: t1 - t0, longest: Math.max(0, ...during.map((e) => e.duration)), count: during.length };
  });
}

for (let r = 0; r < RUNS + 1; r++) {
  const app = await appUnlock();
  const wc = await webcrypto();
  const wk = await workerRoundTrip();
  const fb = await workerRoundTrip('wasm');
  if (wk.engine !== 'webcrypto' || fb.engine !== 'wasm') throw new Error(`engines: ${wk.engine}, ${fb.engine}`);
  if (r === 0) continue; // warm-up (first compilation of the worker's module)
  appMs.push(app.ms);
  longest.push(app.longest);
  webcryptoMs.push(wc.ms);
  workerTotal.push(wk.total);
  workerKdf.push(wk.kdf);
  appRatio.push(app.ms / wc.ms);
  workerRatio.push(wk.kdf / wc.ms);
  fallbackKdf.push(fb.kdf);
  fallbackRatio.push(fb.kdf / wc.ms);
}
if (problems.length) throw new Error(`unlock: ${problems.join('; ')}`);
await context.close();
await browser.close();

writeFigures(OUT, [
  figure('unlock_app', 'Unlock, app path: click Unlock -> unlocked view', 'ms', appMs),
  figure('unlock_worker', 'Unlock, a new key agent: start + derive + answer', 'ms', workerTotal),
  figure('unlock_worker_kdf', 'Unlock, PBKDF2 in the key agent alone (WebCrypto there)', 'ms', workerKdf),
  figure('unlock_webcrypto', 'Unlock, WebCrypto deriveBits + AES-GCM (same page)', 'ms', webcryptoMs),
  figure('unlock_ratio', 'Unlock ratio: app path / WebCrypto', 'x', appRatio, { op: '<=', value: 1.25 }),
  figure('unlock_worker_ratio', 'Unlock ratio: agent PBKDF2 / WebCrypto', 'x', workerRatio, { op: '<=', value: 2.5 }),
  figure('unlock_fallback_kdf', 'Unlock, Rust fallback PBKDF2 in the key agent (no crypto.subtle)', 'ms', fallbackKdf),
  figure('unlock_fallback_ratio', 'Unlock ratio: Rust fallback / WebCrypto (no target)', 'x', fallbackRatio),
  figure('unlock_longtask', 'Main thread: longest long task during unlock', 'ms', longest, { op: '<', value: 50 }),
], { chromium: chromiumVersion });
console.log(`browser: Chromium ${chromiumVersion}`);
