// Helpers of the security and fault suite: where secrets must never be (extending
// flows.expectNoSecretsLeaked), the envelope as SPEC.md defines it (read, tamper, craft), and
// heap / WebAssembly-memory inspection for what stays after Lock.
import crypto from 'node:crypto';
import { expect } from '@playwright/test';
import { API_BASE } from './env.mjs';
import { encodings, base64Fragments, expectNoSecretsLeaked } from './flows.mjs';

export const STORAGE_KEY = 'foundry-keyring/default/keyring';

// ---------------------------------------------------------------------------------------------
// Recording what leaves the page: every console message and every request of the context
// (pages and workers), with URL, headers and body.

/** Starts recording; call before the first goto. */
export function recordTraffic(context) {
  const traffic = { console: [], requests: [] };
  const watchPage = (page) => {
    page.on('console', (msg) => {
      traffic.console.push(`${msg.type()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => traffic.console.push(`pageerror: ${err.message}\n${err.stack ?? ''}`));
    page.on('worker', (worker) => {
      worker.on('console', (msg) => traffic.console.push(`worker ${msg.type()}: ${msg.text()}`));
    });
  };
  context.pages().forEach(watchPage);
  context.on('page', watchPage);
  context.on('request', (request) => {
    traffic.requests.push({
      method: request.method(),
      url: request.url(),
      headers: request.headers(),
      body: request.postData() ?? '',
    });
  });
  return traffic;
}

/** Everything the page keeps in storage APIs besides localStorage/sessionStorage. */
async function dumpBrowserStores(page) {
  return page.evaluate(async () => {
    const out = { indexedDbNames: [], indexedDb: '', cacheStorage: '' };
    const dbs = indexedDB.databases ? await indexedDB.databases() : [];
    out.indexedDbNames = dbs.map((d) => d.name);
    for (const { name } of dbs) {
      const db = await new Promise((resolve, reject) => {
        const req = indexedDB.open(name);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      for (const storeName of db.objectStoreNames) {
        const rows = await new Promise((resolve) => {
          const req = db.transaction(storeName).objectStore(storeName).getAll();
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => resolve([]);
        });
        out.indexedDb += `${name}/${storeName}: ${JSON.stringify(rows)}\n`;
      }
      db.close();
    }
    if (self.caches) {
      for (const cacheName of await caches.keys()) {
        const cache = await caches.open(cacheName);
        for (const req of await cache.keys()) out.cacheStorage += `${cacheName} ${req.url}\n`;
      }
    }
    return out;
  });
}

function containsAny(text, secret) {
  return encodings(secret).find(([, form]) => text.includes(form))?.[0];
}

/**
 * flows.expectNoSecretsLeaked (localStorage, sessionStorage, document.cookie, URL, DOM), plus:
 * IndexedDB (every database, every store), Cache Storage, the context's cookies (HttpOnly
 * included), every console message, and every request. The one allowed place a key travels is
 * to the API base: in the `Authorization: Bearer <key>` header and, for
 * `POST /api/v1/tokens/attenuate`, as the JSON body's `token` field (the API takes the key to
 * attenuate there). `secrets.keys` are API keys (allowed in those two places when sent to the API
 * base); `secrets.other` (passphrases, derived material) are allowed nowhere.
 */
export async function expectNoSecretsAnywhere(page, traffic, { keys = [], other = [] }) {
  const all = [...keys, ...other];
  await expectNoSecretsLeaked(page, all);

  const stores = await dumpBrowserStores(page);
  const cookies = JSON.stringify(await page.context().cookies());
  for (const secret of all) {
    for (const [where, text] of Object.entries({ indexedDb: stores.indexedDb, cacheStorage: stores.cacheStorage, cookies })) {
      expect(containsAny(text, secret), `a secret found in ${where}`).toBeUndefined();
    }
    traffic.console.forEach((line, i) => {
      expect(containsAny(line, secret), `a secret found in console message #${i}`).toBeUndefined();
    });
  }

  const allowed = { authorization: 0, attenuateBody: 0 };
  for (const request of traffic.requests) {
    const toApi = request.url.startsWith(`${API_BASE}/`);
    if (!toApi) {
      expect(request.headers.authorization, `an Authorization header sent to ${request.url}`).toBeUndefined();
    }
    for (const secret of all) {
      expect(containsAny(request.url, secret), `a secret in the URL of ${request.method} ${request.url}`).toBeUndefined();
    }
    for (const [name, value] of Object.entries(request.headers)) {
      for (const secret of all) {
        if (!containsAny(value, secret)) continue;
        const isAllowed = toApi && name === 'authorization' && keys.includes(secret) && value === `Bearer ${secret}`;
        expect(isAllowed, `a secret in header ${name} of ${request.method} ${request.url}`).toBeTruthy();
        allowed.authorization += 1;
      }
    }
    let body = request.body;
    if (toApi && request.method === 'POST' && new URL(request.url).pathname === '/api/v1/tokens/attenuate') {
      const parsed = JSON.parse(body);
      // The documented exception: the key to attenuate, sent to the API base, as `token`.
      if (keys.includes(parsed.token)) allowed.attenuateBody += 1;
      delete parsed.token;
      body = JSON.stringify(parsed);
    }
    for (const secret of all) {
      expect(containsAny(body, secret), `a secret in the body of ${request.method} ${request.url}`).toBeUndefined();
    }
  }
  return { allowed, indexedDbNames: stores.indexedDbNames };
}

// ---------------------------------------------------------------------------------------------
// The envelope (src/vault/SPEC.md): read it, derive its keys in Node, tamper with it, craft one.

export async function readStored(page) {
  return page.evaluate((key) => localStorage.getItem(key), STORAGE_KEY);
}

export async function writeStored(page, value) {
  await page.evaluate(([key, v]) => localStorage.setItem(key, v), [STORAGE_KEY, value]);
}

export function parseEnvelope(b64) {
  const b = Buffer.from(b64, 'base64');
  const n = b[26];
  return {
    bytes: b,
    magic: b.subarray(0, 4).toString('latin1'),
    version: b[4],
    kdf: b[5],
    iterations: b.readUInt32BE(6),
    salt: b.subarray(10, 26),
    namespace: b.subarray(27, 27 + n).toString('latin1'),
    wrapAad: b.subarray(0, 27 + n),
    wrapNonce: b.subarray(27 + n, 39 + n),
    wrapped: b.subarray(39 + n, 87 + n),
    revision: b.readBigUInt64BE(87 + n),
    indexAad: b.subarray(0, 95 + n),
    indexNonce: b.subarray(95 + n, 107 + n),
    indexCiphertext: b.subarray(107 + n),
  };
}

function gcm(mode, key, nonce, aad, data) {
  if (mode === 'seal') {
    const c = crypto.createCipheriv('aes-256-gcm', key, nonce);
    c.setAAD(aad);
    return Buffer.concat([c.update(data), c.final(), c.getAuthTag()]);
  }
  const d = crypto.createDecipheriv('aes-256-gcm', key, nonce);
  d.setAAD(aad);
  d.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([d.update(data.subarray(0, data.length - 16)), d.final()]);
}

/** The derived key and the data key of a stored keyring, recomputed in Node from the spec:
 *  the "derived material" that must never appear anywhere in the page. Also opens the index. */
export function deriveMaterial(b64, passphrase) {
  const env = parseEnvelope(b64);
  const derived = crypto.pbkdf2Sync(Buffer.from(passphrase, 'utf8'), env.salt, env.iterations, 32, 'sha256');
  const dataKey = gcm('open', derived, env.wrapNonce, env.wrapAad, env.wrapped);
  const index = JSON.parse(gcm('open', dataKey, env.indexNonce, env.indexAad, env.indexCiphertext).toString('utf8'));
  return { derived, dataKey, index, env };
}

/** Text forms of binary material as they could show up in a page (hex, and base64 and base64url
 *  at each byte alignment: flows.encodings). */
export function binaryForms(bytes) {
  return encodings(bytes).map(([, form]) => form);
}

/** A genuine keyring of another namespace, written by this spec as SPEC.md describes (so a
 *  second namespace exists even though the standalone page only ever uses "default"). */
export function craftKeyring({ namespace, passphrase, iterations = 600_000, index = { next_id: 1, entries: [] } }) {
  const ns = Buffer.from(namespace, 'latin1');
  const salt = crypto.randomBytes(16);
  const header = Buffer.concat([Buffer.from('FKRG', 'latin1'), Buffer.from([1, 1]), u32(iterations), salt, Buffer.from([ns.length]), ns]);
  const derived = crypto.pbkdf2Sync(Buffer.from(passphrase, 'utf8'), salt, iterations, 32, 'sha256');
  const dataKey = crypto.randomBytes(32);
  const wrapNonce = crypto.randomBytes(12);
  const wrapped = gcm('seal', derived, wrapNonce, header, dataKey);
  const revision = Buffer.alloc(8);
  revision.writeBigUInt64BE(1n);
  const indexAad = Buffer.concat([header, wrapNonce, wrapped, revision]);
  const indexNonce = crypto.randomBytes(12);
  const sealedIndex = gcm('seal', dataKey, indexNonce, indexAad, Buffer.from(JSON.stringify(index), 'utf8'));
  return Buffer.concat([indexAad, indexNonce, sealedIndex]).toString('base64');
}

function u32(value) {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value);
  return b;
}

export const tamper = {
  /** Flips every bit of one byte at `offset` (default: the middle of the value). */
  flipByte(b64, offset) {
    const b = Buffer.from(b64, 'base64');
    const at = offset ?? Math.floor(b.length / 2);
    b[at] ^= 0xff;
    return b.toString('base64');
  },
  truncate(b64, keep = 60) {
    return Buffer.from(b64, 'base64').subarray(0, keep).toString('base64');
  },
  iterations(b64, iterations) {
    const b = Buffer.from(b64, 'base64');
    b.writeUInt32BE(iterations, 6);
    return b.toString('base64');
  },
};

// ---------------------------------------------------------------------------------------------
// Memory: a V8 heap snapshot over CDP, and the WebAssembly linear memory.

/** Forces GC (twice: the first may only schedule finalizers) and takes a heap snapshot. */
export async function heapSnapshot(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const chunks = [];
  cdp.on('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => chunks.push(chunk));
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false, captureNumericValue: false });
  await cdp.detach();
  return chunks.join('');
}

const parsedSnapshot = { text: null, snap: null };

/**
 * Where a secret sits in a heap snapshot: the string nodes that contain it, each with the chain
 * of its first retainers (edge name and retaining node), so a report can say "the input
 * element's value" rather than just "somewhere".
 */
export function findInSnapshot(snapshotText, secret, { depth = 4, maxHits = 6 } = {}) {
  if (!snapshotText.includes(secret)) return [];
  // Parsed once per snapshot: a scan looks for many forms of several secrets in one.
  if (parsedSnapshot.text !== snapshotText) Object.assign(parsedSnapshot, { text: snapshotText, snap: JSON.parse(snapshotText) });
  const { snap } = parsedSnapshot;
  const meta = snap.snapshot.meta;
  const nf = meta.node_fields.length;
  const ef = meta.edge_fields.length;
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const iType = meta.node_fields.indexOf('type');
  const iName = meta.node_fields.indexOf('name');
  const iEdgeCount = meta.node_fields.indexOf('edge_count');
  const iEType = meta.edge_fields.indexOf('type');
  const iEName = meta.edge_fields.indexOf('name_or_index');
  const iETo = meta.edge_fields.indexOf('to_node');
  const { nodes, edges, strings } = snap;
  const nodeCount = nodes.length / nf;
  // Retainers: for each node ordinal, the (from ordinal, edge ordinal) pairs.
  const retainers = new Map();
  let edge = 0;
  for (let n = 0; n < nodeCount; n++) {
    const count = nodes[n * nf + iEdgeCount];
    for (let e = 0; e < count; e++, edge++) {
      const to = edges[edge * ef + iETo] / nf;
      if (!retainers.has(to)) retainers.set(to, []);
      retainers.get(to).push([n, edge]);
    }
  }
  const describe = (n) => `${nodeTypes[nodes[n * nf + iType]]} ${JSON.stringify(String(strings[nodes[n * nf + iName]]).slice(0, 60))}`;
  const edgeName = (e) => {
    const type = edgeTypes[snap.edges[e * ef + iEType]];
    const name = snap.edges[e * ef + iEName];
    return type === 'element' || type === 'hidden' ? `[${name}]` : `${type}:${strings[name]}`;
  };
  const hits = [];
  for (let n = 0; n < nodeCount && hits.length < maxHits; n++) {
    const name = strings[nodes[n * nf + iName]];
    if (typeof name !== 'string' || !name.includes(secret)) continue;
    const chain = [describe(n)];
    let current = n;
    const seen = new Set([n]);
    for (let d = 0; d < depth; d++) {
      const from = (retainers.get(current) ?? []).find(([r]) => !seen.has(r));
      if (!from) break;
      chain.push(`<-${edgeName(from[1])}- ${describe(from[0])}`);
      seen.add(from[0]);
      current = from[0];
    }
    hits.push(chain.join(' '));
  }
  // Strings the snapshot holds but no node names (e.g. only in the strings table).
  if (hits.length === 0) hits.push('in the snapshot text, but in no node name (string table only)');
  return hits;
}

/** Test-side capture of the page's WebAssembly memories: every module the page instantiates
 *  (the first screen, Trunk's main module, and the full app it imports later) is recorded as
 *  it starts, by wrapping WebAssembly.instantiate and instantiateStreaming in the page's realm.
 *  Nothing in the app is changed for this. */
export async function captureWasmMemory(page) {
  await page.addInitScript(() => {
    const memories = (window.__fkWasmMemories = []);
    const keep = (result) => {
      const instance = result instanceof WebAssembly.Instance ? result : result?.instance;
      const memory = instance?.exports?.memory;
      if (memory instanceof WebAssembly.Memory && !memories.includes(memory)) memories.push(memory);
      return result;
    };
    for (const name of ['instantiate', 'instantiateStreaming']) {
      const original = WebAssembly[name];
      WebAssembly[name] = function (...args) { return original.apply(this, args).then(keep); };
    }
  });
}

/**
 * The byte forms a secret could take in linear memory: UTF-8 (or the raw bytes of binary
 * material), UTF-16LE (what a JS string or a `&[u16]` would hold), and the ASCII of its hex and
 * base64 / base64url forms at each of the three byte alignments (flows.base64Fragments).
 */
export function byteForms(needle) {
  const bytes = Buffer.isBuffer(needle) ? needle : Buffer.from(needle, 'utf8');
  const forms = [[Buffer.isBuffer(needle) ? 'bytes' : 'utf-8', bytes]];
  if (!Buffer.isBuffer(needle)) forms.push(['utf-16le', Buffer.from(needle, 'utf16le')]);
  forms.push(['hex', Buffer.from(bytes.toString('hex'), 'latin1')]);
  for (const [name, fragment] of base64Fragments(bytes)) forms.push([name, Buffer.from(fragment, 'latin1')]);
  return forms;
}

/** Where `needle` (text or bytes), in any of its `byteForms`, occurs in the page's WebAssembly
 *  memories: `[{ form, memory, offset }]`, or null when none was captured. `memory` names
 *  another global holding a WebAssembly.Memory or a list of them (the scan's own positive
 *  control uses one). */
export async function findInWasmMemory(page, needle, { memory = '__fkWasmMemories' } = {}) {
  const forms = byteForms(needle).map(([form, bytes]) => [form, Array.from(bytes)]);
  return page.evaluate(([global, forms]) => {
    const memories = [window[global] ?? []].flat();
    if (memories.length === 0) return null;
    const found = [];
    memories.forEach((memory, index) => {
      const hay = new Uint8Array(memory.buffer);
      for (const [form, n] of forms) {
        let hits = 0;
        outer: for (let i = hay.indexOf(n[0]); i !== -1 && hits < 20; i = hay.indexOf(n[0], i + 1)) {
          for (let j = 1; j < n.length; j++) if (hay[i + j] !== n[j]) continue outer;
          found.push({ form, memory: index, offset: i });
          hits += 1;
        }
      }
    });
    return found;
  }, [memory, forms]);
}

/** Where a secret, in any of its text forms (flows.encodings), is in a heap snapshot: see
 *  `findInSnapshot`, once per form, each hit prefixed with the form's name. */
export function findFormsInSnapshot(snapshotText, secret) {
  return encodings(secret).flatMap(([encoding, form]) => findInSnapshot(snapshotText, form).map((hit) => `${encoding}: ${hit}`));
}

export async function storedKeyring(page) {
  return page.evaluate(() => JSON.stringify(Object.entries(localStorage)));
}
