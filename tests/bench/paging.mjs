// Figure 5: every page of the admin's ~10,000 tokens from the double, the way the client's
// list_all_tokens does it (src/api/paging.rs): the first page gives `total`, then the rest
// PAGE_CONCURRENCY=4 at a time, in order; against the same requests one at a time.
// Same requests as the client: GET /api/v1/tokens?limit=100&offset=N, Authorization: Bearer.
// Also writes every token fetched (--dump), the input of the native table bench (figure 4).
//
// node tests/bench/paging.mjs --api http://127.0.0.1:28787 --runs 5 --out f5.json --dump tokens.json
import fs from 'node:fs';
import { arg, figure, writeFigures } from './stats.mjs';
import { demoToken } from './setup.mjs';

const API = arg('api', 'http://127.0.0.1:28787');
const RUNS = Number(arg('runs', '5'));
const OUT = arg('out', 'paging.json');
const DUMP = arg('dump', '');
const LIMIT = 100;

const headers = { authorization: `Bearer ${await demoToken(API, 'admin')}`, accept: 'application/json' };

// The double's Authorizer has a wall-clock limit (250 ms); on a busy 2-core machine it can run
// out, and the double then answers 401 "invalid token" for a valid key. Such a request is
// retried (at most 3 times) and counted, so a flake shows in the output instead of aborting.
let retried = 0;
async function page(offset) {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(`${API}/api/v1/tokens?limit=${LIMIT}&offset=${offset}`, { headers });
    if (response.ok) return response.json();
    const body = await response.text();
    if (response.status === 401 && body.includes('invalid token') && attempt < 3) { retried++; continue; }
    throw new Error(`GET tokens offset=${offset}: ${response.status} ${body}`);
  }
}

/** Order-keeping bounded concurrency, like futures' `buffered(n)`. */
async function listAll(concurrency) {
  const first = await page(0);
  const step = first.items.length;
  const offsets = [];
  for (let o = step; o < first.total; o += step) offsets.push(o);
  const pages = new Array(offsets.length);
  let next = 0;
  async function lane() {
    while (next < offsets.length) {
      const i = next++;
      pages[i] = await page(offsets[i]);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, offsets.length) }, lane));
  return { items: first.items.concat(...pages.map((p) => p.items)), requests: offsets.length + 1 };
}

async function control(method, body) {
  const response = await fetch(`${API}/__control/faults`, {
    method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} /__control/faults: ${response.status} ${await response.text()}`);
}

async function measure() {
  // One warm-up of each (connections, the double's caches), not counted.
  await listAll(1);
  await listAll(4);
  const seq = [], par = [], ratio = [];
  let last;
  for (let r = 0; r < RUNS; r++) {
    let t = performance.now();
    last = await listAll(1);
    const s = performance.now() - t;
    t = performance.now();
    const p4 = await listAll(4);
    const p = performance.now() - t;
    if (p4.items.length !== last.items.length) throw new Error('the two listings differ in length');
    seq.push(s); par.push(p); ratio.push(s / p);
  }
  return { seq, par, ratio, last };
}

// On loopback every request is the double's CPU time; the double also holds its store's lock
// while it filters, sorts and pages, so its requests run one at a time.
const direct = await measure();
if (DUMP) fs.writeFileSync(DUMP, JSON.stringify(direct.last.items));
const n = `${direct.last.items.length} tokens, ${direct.last.requests} requests`;
// With a network between client and server (the double's `slow` fault: an async delay before
// each answer, like a round trip), which is what bounded concurrency is for.
const LATENCY = Number(arg('latency-ms', '40'));
await control('DELETE');
await control('POST', { kind: 'slow', delay_ms: LATENCY, count: 2 * (RUNS + 1) * direct.last.requests + 10, path: '/api/v1/tokens' });
const delayed = await measure();
await control('DELETE');
writeFigures(OUT, [
  figure('paging_seq', `Paging, loopback: all pages one at a time (${n})`, 'ms', direct.seq),
  figure('paging_par', 'Paging, loopback: all pages, 4 at a time', 'ms', direct.par),
  figure('paging_ratio', 'Paging, loopback: speed-up, 4 at a time vs 1', 'x', direct.ratio, { op: '>=', value: 3 }),
  figure('paging_lat_seq', `Paging, +${LATENCY} ms per request: one at a time`, 'ms', delayed.seq),
  figure('paging_lat_par', `Paging, +${LATENCY} ms per request: 4 at a time`, 'ms', delayed.par),
  figure('paging_lat_ratio', `Paging, +${LATENCY} ms per request: speed-up, 4 vs 1`, 'x', delayed.ratio, { op: '>=', value: 3 }),
], { retried });
console.log(`paging: ${n}; ${retried} request(s) retried after a spurious 401 "invalid token" from the double`);
