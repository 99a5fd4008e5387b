// Bench, first load: cold runs (tests/bench/firstload.mjs) of the first visit and the returning
// (locked) visit, on an emulated 1.6 Mbps / 750 kbps / 150 ms RTT network and on bare
// loopback. Figures: the time from navigation until the first screen works, and the encoded
// bytes the browser was sent (every request, workers' included) before that, through the first
// unlocked view, and later; the API's requests are listed apart and not counted. A third set of
// runs on the slow network clicks Unlock at a person's pace (5 s after the field works), for
// the time to the unlocked view when the modules loaded after the first screen had time to
// arrive. The size targets are gzip (the yardstick, and what .ci/check-size budgets):
// they are checked against `gzip -9 -n` of the very files each run requested, read from
// --dist; the bytes as sent (brotli, when the app server has it) are printed without a target.
//
// node tests/bench/load.mjs --app http://127.0.0.1:28080 --api http://127.0.0.1:28787 \
//      --dist dist --runs 5 --out load.json [--requests load-requests.txt]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { arg, figure, writeFigures } from './stats.mjs';
import { demoToken, launchChromium } from './setup.mjs';
import { LOOPBACK, SLOW, bytesByPhase, coldRun, describeRequests } from './firstload.mjs';

const APP = arg('app', 'http://127.0.0.1:28080');
const API = arg('api', 'http://127.0.0.1:28787');
const RUNS = Number(arg('runs', '5'));
const OUT = arg('out', 'load.json');
const REQUESTS = arg('requests', '');
const DIST = arg('dist', 'dist');

// The member demo key: ~200 tokens, so "the token table loaded" is a page, not 10,000 tokens.
const key = await demoToken(API, 'member');
const browser = await launchChromium();
const chromiumVersion = browser.version();
const runs = { slow: [], loopback: [], slowTyping: [] };
// The returning visit on the slow network with Unlock clicked 5 s after the field works: a
// person typing a passphrase, during which whatever loads after the first screen arrives.
const TYPING_MS = 5000;
try {
  // Warm-up (not counted): the server compresses each file once, the OS caches the files.
  await coldRun(browser, { app: APP, api: API, key, network: LOOPBACK });
  for (let r = 0; r < RUNS; r++) {
    runs.slow.push(await coldRun(browser, { app: APP, api: API, key, network: SLOW }));
    runs.loopback.push(await coldRun(browser, { app: APP, api: API, key, network: LOOPBACK }));
    runs.slowTyping.push(await coldRun(browser, { app: APP, api: API, key, network: SLOW, typingMs: TYPING_MS }));
  }
} finally {
  await browser.close();
}

const kB = (b) => b / 1000;
const ms = (list, visit) => list.map((run) => run[visit].ready_ms);
const bytes = (list, visit, phase) => list.map((run) => kB(bytesByPhase(run[visit])[phase]));
const through = (list, visit) => list.map((run) => {
  const b = bytesByPhase(run[visit]);
  return kB(b.before_ready + b.to_unlocked);
});
// gzip -9 of the files a visit requested, by phase, as check-size counts them.
const gzipped = new Map();
const gzipOf = (file) => {
  if (!gzipped.has(file)) gzipped.set(file, execFileSync('gzip', ['-9', '-n', '-c', file], { maxBuffer: 1 << 26 }).length);
  return gzipped.get(file);
};
const gzipByPhase = (v) => {
  const sum = { before_ready: 0, to_unlocked: 0, later: 0 };
  for (const r of v.requests) {
    if (r.api || r.path == null || r.failed) continue;
    let rel = decodeURIComponent(r.path).replace(/^\/+/, '');
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(DIST, path.normalize(rel));
    if (!file.startsWith(path.resolve(DIST) + path.sep) || !fs.existsSync(file)) throw new Error(`not a file of ${DIST}: ${r.path}`);
    sum[r.phase] += gzipOf(file);
  }
  return sum;
};
const gz = (list, visit, phase) => list.map((run) => kB(gzipByPhase(run[visit])[phase]));
const gzThrough = (list, visit) => list.map((run) => {
  const b = gzipByPhase(run[visit]);
  return kB(b.before_ready + b.to_unlocked);
});
const unlockAfterClick = (list, visit) => list.map((run) => run[visit].unlocked_ms - run[visit].clicked_ms);
const BEFORE = { op: '<=', value: 160 };
const THROUGH = { op: '<=', value: 300 };

const figures = [
  figure('load_first_slow_ms', 'First visit, 1.6 Mbps/150 ms: navigation -> key field and Save work', 'ms', ms(runs.slow, 'first')),
  figure('load_first_loopback_ms', 'First visit, loopback: navigation -> key field and Save work', 'ms', ms(runs.loopback, 'first')),
  figure('load_returning_slow_ms', 'Returning visit, 1.6 Mbps/150 ms: navigation -> passphrase and Unlock work', 'ms', ms(runs.slow, 'returning')),
  figure('load_returning_loopback_ms', 'Returning visit, loopback: navigation -> passphrase and Unlock work', 'ms', ms(runs.loopback, 'returning')),
  figure('load_returning_slow_unlock_ms', 'Returning visit, 1.6 Mbps/150 ms: click Unlock -> identity and tokens shown', 'ms', unlockAfterClick(runs.slow, 'returning')),
  figure('load_returning_slow_typed_unlocked_ms', `Returning visit, 1.6 Mbps/150 ms, Unlock clicked ${TYPING_MS / 1000} s after the field works: navigation -> identity and tokens`, 'ms',
    runs.slowTyping.map((run) => run.returning.unlocked_ms)),
  figure('load_returning_slow_typed_unlock_ms', `The same: click Unlock -> identity and tokens shown`, 'ms', unlockAfterClick(runs.slowTyping, 'returning')),
  figure('load_first_gz_before', 'First visit: gzip -9 of what was requested before the first screen works', 'kB', gz(runs.slow, 'first', 'before_ready'), BEFORE),
  figure('load_first_gz_through', 'First visit: gzip -9 of what was requested through the first unlocked view', 'kB', gzThrough(runs.slow, 'first'), THROUGH),
  figure('load_returning_gz_before', 'Returning visit: gzip -9 of what was requested before the first screen works', 'kB', gz(runs.slow, 'returning', 'before_ready'), BEFORE),
  figure('load_returning_gz_through', 'Returning visit: gzip -9 of what was requested through the first unlocked view', 'kB', gzThrough(runs.slow, 'returning'), THROUGH),
  figure('load_first_kb_before', 'First visit: as sent (the server\'s coding) before the first screen works', 'kB', bytes(runs.slow, 'first', 'before_ready')),
  figure('load_first_kb_through', 'First visit: as sent through the first unlocked view', 'kB', through(runs.slow, 'first')),
  figure('load_first_kb_later', 'First visit: sent later (network quiet 1.5 s)', 'kB', bytes(runs.slow, 'first', 'later')),
  figure('load_returning_kb_before', 'Returning visit: as sent before the first screen works', 'kB', bytes(runs.slow, 'returning', 'before_ready')),
  figure('load_returning_kb_through', 'Returning visit: as sent through the first unlocked view', 'kB', through(runs.slow, 'returning')),
  figure('load_returning_kb_later', 'Returning visit: sent later (network quiet 1.5 s)', 'kB', bytes(runs.slow, 'returning', 'later')),
  figure('load_api_kb', 'API calls to the double through the first unlocked view, both visits (not counted above)', 'kB',
    runs.slow.map((run) => kB(['first', 'returning'].flatMap((v) => run[v].requests)
      .filter((r) => r.api && r.phase !== 'later').reduce((s, r) => s + r.bytes, 0)))),
];

// One run's requests, for the record and to see what was counted where.
const sample = runs.slow[runs.slow.length - 1];
const listing = ['first', 'returning'].map((visit) => {
  const v = sample[visit];
  const b = bytesByPhase(v);
  return [
    `${visit} visit, ${sample.network}: ready at ${v.ready_ms.toFixed(0)} ms, Save/Unlock clicked at ${v.clicked_ms.toFixed(0)} ms, unlocked view at ${v.unlocked_ms.toFixed(0)} ms`,
    '      start  phase         by      request                                           body as sent',
    describeRequests(v),
    `  app bytes: ${b.before_ready.toLocaleString('en')} before ready, ${b.to_unlocked.toLocaleString('en')} to unlocked, ${b.later.toLocaleString('en')} later; API: ${b.api_count} requests, ${b.api.toLocaleString('en')} B (not counted)`,
  ].join('\n');
}).join('\n\n');
console.log(listing);
if (REQUESTS) fs.writeFileSync(REQUESTS, `${listing}\n`);

writeFigures(OUT, figures, { chromium: chromiumVersion, runs });
console.log(`first load: Chromium ${chromiumVersion}; ${RUNS} cold runs per network (+1 warm-up)`);
