// Memory scans of the page itself (issue #19): do the page's JS heap, its ArrayBuffers or its
// WebAssembly linear memory hold a copy of a secret, in any encoding?
//
// Three scans, all over the DevTools protocol on the page's own CDP session: they see the page's
// V8 isolate (its main world, and Playwright's utility world beside it), never a worker, which is
// an isolate of its own with a target of its own.
// - A V8 heap snapshot, whose strings are searched as text (the parsed string table and the raw
//   JSON).
// - Every ArrayBuffer the snapshot shows; their bytes are not in it, so each is reached in the
//   page and scanned there (see scanBuffers for how, and why not with Runtime.queryObjects).
// - Every WebAssembly.Memory of the page's main realm, the app's Rust heap among them.
// The byte scans run inside the page and return counts and offsets only, never bytes.
import crypto from 'node:crypto';
import { base64Fragments } from './flows.mjs';

/**
 * V8 cuts every string in a heap snapshot to its first 1024 characters
 * (`--heap-snapshot-string-limit`), shorter than a Foundry key (1,600+ characters): a copy of a
 * key, or a longer string holding one, would be seen only in part and never match. Chromium
 * must be started with this flag for the heap scan to see whole strings.
 */
export const FULL_SNAPSHOT_STRINGS = '--js-flags=--heap-snapshot-string-limit=268435456';

/**
 * A fresh random value shaped like a Foundry key (`abs0_`, an 8-character slug, then URL-safe
 * base64), `length` characters long: the positive control plants it where the key must not be.
 */
export function keyShapedValue(length) {
  const slug = crypto.randomBytes(6).toString('hex').slice(0, 8);
  const body = crypto.randomBytes(length).toString('base64url');
  return `abs0_${slug}${body}`.slice(0, length);
}

/**
 * The forms of `secret` the scans look for, each `[encoding, needle]`.
 *
 * `text`: what a JS string could hold (compared as text, whatever V8's one- or two-byte form of
 * it): the secret itself, its hex, and its base64 / base64url at each of the three byte
 * alignments (flows.base64Fragments: inside a longer encoded value only the characters that
 * depend on the secret's bytes alone are stable, and which ones depends on where the secret
 * starts modulo 3).
 *
 * `bytes`: what a buffer or linear memory could hold: UTF-8, UTF-16LE, the ASCII of every text
 * form but the first, and, for a key, its decoded Biscuit bytes (`abs0_{slug}{base64url}`: the
 * slug's length is not published, so the tail is decoded at each of the four character alignments
 * and the first 48 bytes, which may still be slug for a slug of up to 64 characters, are dropped;
 * only the right alignment can match).
 */
export function needlesOf(secret) {
  const utf8 = Buffer.from(secret, 'utf8');
  const encoded = [['hex', utf8.toString('hex')], ...base64Fragments(utf8)];
  const text = [['text', secret], ...encoded];
  const bytes = [
    ['utf-8', utf8],
    ['utf-16le', Buffer.from(secret, 'utf16le')],
    ...encoded.map(([name, form]) => [name, Buffer.from(form, 'latin1')]),
  ];
  if (secret.startsWith('abs0_')) {
    for (let alignment = 0; alignment < 4; alignment += 1) {
      const tail = secret.slice(5 + alignment);
      const decoded = Buffer.from(tail.slice(0, tail.length - (tail.length % 4)), 'base64url');
      bytes.push([`biscuit bytes@${alignment}`, decoded.subarray(48)]);
    }
  }
  return { text, bytes };
}

/**
 * Scans the page for every secret of `secrets` (`{ name: value }`) and returns
 * `{ findings, coverage }`. Each finding is `{ secret, place, encoding, count, detail }` with
 * `place` one of 'JS heap', 'ArrayBuffer', 'WebAssembly memory'; `detail` says where, without a
 * byte of the secret. `coverage` says what was scanned and what could not be, so that a test can
 * check the scans saw the app at all.
 *
 * The heap snapshot is taken first, before any needle is sent into the page: the byte scan then
 * carries the needles in as arrays of numbers, which a heap snapshot would show as no string.
 */
export async function scanPageMemory(page, secrets) {
  const named = Object.entries(secrets).map(([secret, value]) => ({ secret, ...needlesOf(value) }));
  const cdp = await page.context().newCDPSession(page);
  try {
    const raw = await takeHeapSnapshot(cdp);
    const snapshot = JSON.parse(raw);
    const graph = snapshotGraph(snapshot);
    const inStrings = findInStrings(raw, snapshot, graph, named);
    const inBuffers = await scanBuffers(cdp, graph, named);
    return {
      findings: [...inStrings, ...inBuffers.findings],
      coverage: { heapSnapshotBytes: raw.length, heapStrings: snapshot.strings.length, ...inBuffers.coverage },
    };
  } finally {
    await cdp.detach();
  }
}

/** One line per finding, for a failure message: no part of any secret is in it. */
export function describeFindings(findings) {
  return findings.map((f) => `${f.secret}: ${f.encoding} in ${f.place}, ${f.count} time(s): ${f.detail}`);
}

// ---------------------------------------------------------------------------------------------
// The JS heap.

async function takeHeapSnapshot(cdp) {
  const chunks = [];
  const collect = ({ chunk }) => chunks.push(chunk);
  cdp.on('HeapProfiler.addHeapSnapshotChunk', collect);
  await cdp.send('HeapProfiler.enable');
  // Garbage is not what the page holds: collected twice, as the first pass may only schedule
  // finalizers.
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false, captureNumericValue: false });
  cdp.off('HeapProfiler.addHeapSnapshotChunk', collect);
  return chunks.join('');
}

function findInStrings(raw, snapshot, graph, named) {
  const findings = [];
  const concatenated = graph.concatenatedStrings();
  for (const { secret, text } of named) {
    for (const [encoding, needle] of text) {
      // The parsed string table: every string's content, property and variable names, script
      // sources. Where each matching string sits in the object graph goes in the report.
      const matching = [];
      snapshot.strings.forEach((s, index) => {
        if (typeof s === 'string' && s.includes(needle)) matching.push(index);
      });
      if (matching.length > 0) {
        findings.push({ secret, place: 'JS heap', encoding, count: matching.length, detail: graph.whereAre(matching) });
      }
      // Concatenated strings whose pieces hold the form only together (a form inside one piece
      // is in the string table already).
      const joined = concatenated.filter(({ text: whole, parts }) => whole.includes(needle) && !parts.some((p) => p?.includes(needle)));
      if (joined.length > 0) {
        findings.push({ secret, place: 'JS heap', encoding, count: joined.length, detail: `across the pieces of a concatenated string: ${joined.slice(0, 4).map((j) => j.where()).join('; ')}` });
      }
      if (matching.length > 0 || joined.length > 0) continue;
      // The raw JSON too, in case a form is there but in no single entry of the table.
      const inRaw = occurrences(raw, needle);
      if (inRaw > 0) {
        findings.push({ secret, place: 'JS heap', encoding, count: inRaw, detail: 'in the raw snapshot text, in no entry of its string table' });
      }
    }
  }
  return findings;
}

function occurrences(haystack, needle) {
  let count = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) count += 1;
  return count;
}

const BUFFER = /^(ArrayBuffer|SharedArrayBuffer)$/;
const VIEW = /^(DataView|(Big)?U?[Ii]nt(8|16|32|64)(Clamped)?Array|Float(16|32|64)Array)$/;

/**
 * A heap snapshot's flat node and edge arrays, read enough to say what retains a node, which
 * nodes have a given string as name (a string node's name is its content), which ArrayBuffers
 * the heap holds and by what path page code could reach each of them.
 */
function snapshotGraph({ snapshot: { meta }, nodes, edges, strings }) {
  const nodeFields = meta.node_fields.length;
  const edgeFields = meta.edge_fields.length;
  const nodeTypes = meta.node_types[meta.node_fields.indexOf('type')];
  const edgeTypes = meta.edge_types[meta.edge_fields.indexOf('type')];
  const [nType, nName, nId, nEdges, nSize] = ['type', 'name', 'id', 'edge_count', 'self_size'].map((f) => meta.node_fields.indexOf(f));
  const [eType, eName, eTo] = ['type', 'name_or_index', 'to_node'].map((f) => meta.edge_fields.indexOf(f));
  const nodeCount = nodes.length / nodeFields;
  const firstEdge = new Uint32Array(nodeCount + 1);
  for (let n = 0; n < nodeCount; n += 1) firstEdge[n + 1] = firstEdge[n] + nodes[n * nodeFields + nEdges];

  const type = (n) => nodeTypes[nodes[n * nodeFields + nType]];
  const name = (n) => strings[nodes[n * nodeFields + nName]];
  const edgeType = (e) => edgeTypes[edges[e * edgeFields + eType]];
  const edgeKey = (e) => (['element', 'hidden'].includes(edgeType(e)) ? edges[e * edgeFields + eName] : strings[edges[e * edgeFields + eName]]);
  const target = (e) => edges[e * edgeFields + eTo] / nodeFields;
  const isContext = (n) => type(n) === 'object' && String(name(n)).startsWith('system / Context');
  // An object page code can hold: not a V8 internal, not a buffer or view (the DevTools protocol
  // hands those out by heap id only for plain JS objects, see scanBuffers).
  const isJsObject = (n) => ['object', 'closure'].includes(type(n)) && !String(name(n)).startsWith('system /')
    && !BUFFER.test(name(n)) && !VIEW.test(name(n));

  let retainerLists = null; // node ordinal -> [[from ordinal, edge index]], built on first use
  const retainers = (n) => {
    if (!retainerLists) {
      retainerLists = new Map();
      for (let from = 0; from < nodeCount; from += 1) {
        for (let e = firstEdge[from]; e < firstEdge[from + 1]; e += 1) {
          const to = target(e);
          if (!retainerLists.has(to)) retainerLists.set(to, []);
          retainerLists.get(to).push([from, e]);
        }
      }
    }
    return (retainerLists.get(n) ?? []).filter(([, e]) => edgeType(e) !== 'weak');
  };

  // A node's type, and its name only when that is a constructor or function name: a string
  // node's name is its content, which may be the secret.
  const describe = (n) => {
    if (/string/.test(type(n)) || ['code', 'hidden'].includes(type(n))) return `${type(n)} (self size ${nodes[n * nodeFields + nSize]} B)`;
    // "system / PropertyCell", "Window [JSGlobalObject]": without the page's URL that follows.
    const parts = String(name(n)).split(' / ');
    return `${type(n)} ${safeName(parts[0] === 'system' ? parts.slice(0, 2).join(' / ') : parts[0])}`;
  };
  const edgeLabel = (e) => (['element', 'hidden'].includes(edgeType(e)) ? `[${edgeKey(e)}]` : `${edgeType(e)} ${safeName(edgeKey(e))}`);
  // The retainers a person reads most easily first: properties, elements and variables before
  // V8's internal links.
  const EDGE_ORDER = ['property', 'element', 'context', 'shortcut', 'internal', 'hidden'];
  const chainOf = (n, depth = 5) => {
    const chain = [describe(n)];
    const seen = new Set([n]);
    for (let current = n, d = 0; d < depth; d += 1) {
      const from = retainers(current).filter(([r]) => !seen.has(r))
        .sort(([, a], [, b]) => EDGE_ORDER.indexOf(edgeType(a)) - EDGE_ORDER.indexOf(edgeType(b)))[0];
      if (!from) break;
      chain.push(`<-${edgeLabel(from[1])}- ${describe(from[0])}`);
      seen.add(from[0]);
      current = from[0];
    }
    return chain.join(' ');
  };

  /**
   * Ways page code reaches buffer `n`, nearest first: `{ anchor, steps }` with `anchor` a JS
   * object's heap id and `steps` what to follow from it: `{ get: key }` (a property, an element,
   * a view's `buffer`), `{ scope: name }` (a variable of the anchor closure's scopes) or
   * `{ tableGet: index }` (an entry of a WebAssembly.Table, where wasm-bindgen keeps the JS
   * values Rust holds). Walks the retainers upwards; `wasm` when the buffer is a
   * WebAssembly.Memory's.
   */
  const routesTo = (n) => {
    if (retainers(n).some(([from, e]) => name(from) === 'Memory' && edgeType(e) === 'hidden')) return { wasm: true, routes: [] };
    const routes = [];
    const queue = [[n, []]];
    const seen = new Set([n]);
    const reach = (node, steps) => {
      if (seen.has(node) || steps.length > 8) return;
      seen.add(node);
      if (isJsObject(node)) routes.push({ anchor: nodes[node * nodeFields + nId], steps });
      queue.push([node, steps]);
    };
    while (queue.length > 0 && routes.length < 6 && seen.size < 5000) {
      const [x, steps] = queue.shift();
      for (const [from, e] of retainers(x)) {
        const kind = edgeType(e);
        const key = edgeKey(e);
        if (kind === 'internal' && key === 'buffer' && VIEW.test(name(from))) {
          reach(from, [{ get: 'buffer' }, ...steps]);
        } else if ((kind === 'property' || kind === 'element') && isJsObject(from)) {
          reach(from, [{ get: key }, ...steps]);
        } else if (kind === 'element' && type(from) === 'array') {
          // An array's elements live in a backing store the array points to.
          for (const [owner, e2] of retainers(from)) {
            if (edgeType(e2) === 'internal' && edgeKey(e2) === 'elements' && isJsObject(owner)) reach(owner, [{ get: key }, ...steps]);
          }
        } else if (kind === 'internal' && /^\d+$/.test(key) && type(from) === 'array') {
          // A table's entries live in an array the table points to, one per index.
          for (const [owner, e2] of retainers(from)) {
            if (name(owner) === 'Table' && edgeType(e2) === 'hidden' && isJsObject(owner)) reach(owner, [{ tableGet: Number(key) }, ...steps]);
          }
        } else if (kind === 'context' && isContext(from)) {
          // A closure variable: any closure whose scope chain holds this context reads it.
          const contexts = [from];
          for (let i = 0; i < contexts.length && i < 50; i += 1) {
            for (const [inner, e2] of retainers(contexts[i])) {
              if (isContext(inner) && edgeKey(e2) === 'previous' && !contexts.includes(inner)) contexts.push(inner);
            }
          }
          const closures = contexts.flatMap((c) => retainers(c).filter(([f, e2]) => type(f) === 'closure' && edgeKey(e2) === 'context'));
          for (const [closure] of closures.slice(0, 3)) reach(closure, [{ scope: key }, ...steps]);
        }
      }
    }
    return { wasm: false, routes };
  };

  return {
    /** For string-table indexes: the nodes named by them (with retainers) and the edges. */
    whereAre(indexes) {
      const wanted = new Set(indexes);
      const found = [];
      for (let n = 0; n < nodeCount && found.length < 4; n += 1) {
        if (wanted.has(nodes[n * nodeFields + nName])) found.push(chainOf(n));
      }
      let named = 0;
      for (let e = 0; e < edges.length / edgeFields; e += 1) {
        if (!['element', 'hidden'].includes(edgeType(e)) && wanted.has(edges[e * edgeFields + eName])) named += 1;
      }
      const parts = [];
      if (found.length > 0) parts.push(found.join('; '));
      if (named > 0) parts.push(`${named} edge(s) named by it (a property or variable name)`);
      if (parts.length === 0) parts.push('in the string table only');
      return parts.join('; ');
    },
    /**
     * Every concatenated string that no other one is part of: `{ parts, text, where }`, `parts`
     * the texts of its flat pieces in order, `text` them joined. The snapshot keeps a
     * concatenated string's text only in its pieces (edges `first` and `second`), so a value
     * split across them is in no single entry of the string table. A sliced string's piece is
     * unknown (the snapshot names its parent, not where in it the slice starts): it becomes a
     * gap no needle spans. A sliced string itself needs nothing: its parent is a flat string
     * that holds all of it.
     */
    concatenatedStrings() {
      const inner = new Set();
      const consNodes = [];
      for (let n = 0; n < nodeCount; n += 1) {
        if (type(n) !== 'concatenated string') continue;
        consNodes.push(n);
        for (let e = firstEdge[n]; e < firstEdge[n + 1]; e += 1) {
          if (['first', 'second'].includes(edgeKey(e))) inner.add(target(e));
        }
      }
      const pieces = (n) => {
        const halves = { first: -1, second: -1 };
        for (let e = firstEdge[n]; e < firstEdge[n + 1]; e += 1) if (edgeKey(e) in halves) halves[edgeKey(e)] = target(e);
        return [halves.first, halves.second];
      };
      return consNodes.filter((n) => !inner.has(n)).map((root) => {
        const parts = [];
        // Depth first, `first` before `second`, without recursion: repeated `+=` makes deep trees.
        const stack = [root];
        while (stack.length > 0) {
          const n = stack.pop();
          if (n < 0 || type(n) === 'sliced string') parts.push(null);
          else if (type(n) === 'concatenated string') stack.push(...pieces(n).reverse());
          else parts.push(String(name(n)));
        }
        // A NUL for each unknown piece: no form of a secret holds one.
        return { parts, text: parts.map((p) => p ?? '\0').join(''), where: () => chainOf(root) };
      });
    },
    /** Every ArrayBuffer with contents: `{ id, size, held, wasm, routes }`. */
    arrayBuffers() {
      const found = [];
      for (let n = 0; n < nodeCount; n += 1) {
        // 'native' for the ones made by the browser (TextEncoder, fetch bodies): those carry a
        // wrapper of Blink's, and the snapshot types them so.
        if (!['object', 'native'].includes(type(n)) || !BUFFER.test(name(n))) continue;
        // Prototypes and empty or detached buffers have no backing store.
        let size = 0;
        for (let e = firstEdge[n]; e < firstEdge[n + 1]; e += 1) {
          if (edgeKey(e) === 'backing_store') size = nodes[target(e) * nodeFields + nSize];
        }
        if (size === 0) continue;
        found.push({ id: nodes[n * nodeFields + nId], size, held: chainOf(n, 3), ...routesTo(n) });
      }
      return found;
    },
    /** A route in words, for a report. */
    routeLabel({ anchor, steps }) {
      let anchorNode = -1;
      for (let n = 0; n < nodeCount && anchorNode < 0; n += 1) if (nodes[n * nodeFields + nId] === anchor) anchorNode = n;
      const path = steps.map((s) => {
        if ('scope' in s) return ` [[Scopes]] ${safeName(s.scope)}`;
        if ('tableGet' in s) return `.get(${s.tableGet})`;
        return `[${safeName(s.get)}]`;
      }).join('');
      return `${describe(anchorNode)}${path}`;
    },
  };
}

/** A name fit for a report: short, and nothing that could be part of a key or its encodings. */
function safeName(name) {
  const text = String(name);
  if (text.length > 48 || /abs0_|[A-Za-z0-9+/=_-]{24,}/.test(text)) return `<a name of ${text.length} chars>`;
  return JSON.stringify(text);
}

// ---------------------------------------------------------------------------------------------
// ArrayBuffers and WebAssembly memory.

/**
 * Runs in the page's main realm with `this` = the realm's WebAssembly.Memory objects, then the
 * needles (arrays of byte values), the expected byte length of each buffer, and the buffers.
 * Scans every memory and every buffer once (a buffer that turns out to be a memory's counts as
 * the memory) and returns, per hit, which region, which needle, how often and the first offsets:
 * never bytes.
 */
function scanBuffersInPage(needles, sizes, ...buffers) {
  const regions = [];
  const seen = new Set();
  Array.from(this).forEach((memory, i) => {
    seen.add(memory.buffer);
    regions.push({ region: `memory #${i}`, place: 'WebAssembly memory', bytes: new Uint8Array(memory.buffer) });
  });
  // What the heap snapshot said each buffer is: anything else was not reached.
  const unreached = [];
  buffers.forEach((buffer, i) => {
    const tag = Object.prototype.toString.call(buffer);
    const isBuffer = tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]';
    if (!isBuffer || buffer.byteLength !== sizes[i]) unreached.push(i);
    else if (!seen.has(buffer)) {
      seen.add(buffer);
      regions.push({ region: i, place: 'ArrayBuffer', bytes: new Uint8Array(buffer) });
    }
  });

  const matchesAt = (bytes, needle, at) => {
    for (let j = 1; j < needle.length; j += 1) if (bytes[at + j] !== needle[j]) return false;
    return true;
  };
  const hits = [];
  for (const { region, place, bytes } of regions) {
    needles.forEach((needle, index) => {
      const offsets = [];
      let count = 0;
      const last = bytes.length - needle.length;
      for (let at = bytes.indexOf(needle[0]); at !== -1 && at <= last; at = bytes.indexOf(needle[0], at + 1)) {
        if (!matchesAt(bytes, needle, at)) continue;
        count += 1;
        if (offsets.length < 4) offsets.push(at);
      }
      if (count > 0) hits.push({ region, place, size: bytes.length, needle: index, count, offsets });
    });
  }
  const sum = (place) => regions.filter((r) => r.place === place).reduce((total, r) => total + r.bytes.length, 0);
  return {
    // The app's glue (Trunk's loader) sets this on the main world only: not on Playwright's
    // utility world, not in a worker.
    mainRealm: typeof window === 'object' && typeof window.wasmBindings === 'object',
    wasmMemories: this.length,
    wasmBytes: sum('WebAssembly memory'),
    arrayBuffers: regions.filter((r) => r.place === 'ArrayBuffer').length,
    arrayBufferBytes: sum('ArrayBuffer'),
    unreached,
    hits,
  };
}

/**
 * Finds the page's ArrayBuffers and scans them, with its WebAssembly memories.
 *
 * `Runtime.queryObjects` finds the realm's WebAssembly.Memory objects, but Chromium leaves every
 * ArrayBuffer, typed array and DataView out of its answers (and out of
 * `HeapProfiler.getObjectByHeapObjectId`'s): they carry embedder fields, which Blink's
 * inspectability check refuses. So the heap snapshot says which buffers exist and what holds
 * them, and each is reached from an object the protocol does hand out, following the properties,
 * elements, `buffer`s and closure variables the snapshot names. A buffer reached by no route is
 * reported in `coverage.unreachedArrayBuffers`: not scanned, so not proven clean.
 */
async function scanBuffers(cdp, graph, named) {
  const group = 'memory-scan';
  const census = graph.arrayBuffers();
  try {
    // Runtime.evaluate without a context id runs in the page's main world: this is the main
    // realm's prototype, and queryObjects returns only objects of that realm.
    const { result: prototype } = await cdp.send('Runtime.evaluate', { expression: 'WebAssembly.Memory.prototype', objectGroup: group });
    const { objects: memories } = await cdp.send('Runtime.queryObjects', { prototypeObjectId: prototype.objectId, objectGroup: group });

    const reached = [];
    const unreached = [];
    for (const buffer of census.filter((b) => !b.wasm)) {
      let object = null;
      let route = null;
      for (const candidate of buffer.routes) {
        object = await follow(cdp, candidate, group);
        if (object) {
          route = candidate;
          break;
        }
      }
      if (object) reached.push({ buffer, object, label: graph.routeLabel(route) });
      else unreached.push(`${buffer.size} bytes, held by ${buffer.held}`);
    }

    const needles = named.flatMap(({ secret, bytes }) => bytes.map(([encoding, needle]) => ({ secret, encoding, needle })));
    const { result, exceptionDetails } = await cdp.send('Runtime.callFunctionOn', {
      objectId: memories.objectId,
      functionDeclaration: scanBuffersInPage.toString(),
      arguments: [
        { value: needles.map(({ needle }) => Array.from(needle)) },
        { value: reached.map(({ buffer }) => buffer.size) },
        ...reached.map(({ object }) => ({ objectId: object.objectId })),
      ],
      returnByValue: true,
    });
    if (exceptionDetails) throw new Error(`the buffer scan failed in the page: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    const { hits, unreached: mismatched, ...coverage } = result.value;
    for (const i of mismatched) unreached.push(`${reached[i].buffer.size} bytes, reached as ${reached[i].label} but not that buffer`);
    const findings = hits.map(({ region, place, size, needle, count, offsets }) => ({
      secret: needles[needle].secret,
      place,
      encoding: needles[needle].encoding,
      count,
      detail: `${typeof region === 'number' ? reached[region].label : region} (${size} bytes) at offset(s) ${offsets.join(', ')}${count > offsets.length ? ', …' : ''}`,
    }));
    return { findings, coverage: { ...coverage, arrayBuffersInHeap: census.length, unreachedArrayBuffers: unreached } };
  } finally {
    await cdp.send('Runtime.releaseObjectGroup', { objectGroup: group });
  }
}

/** The object at the end of `route` (see snapshotGraph's routesTo), or null. */
async function follow(cdp, { anchor, steps }, group) {
  let object;
  try {
    ({ result: object } = await cdp.send('HeapProfiler.getObjectByHeapObjectId', { objectId: String(anchor), objectGroup: group }));
    for (const step of steps) {
      if ('scope' in step) object = await scopeVariable(cdp, object, step.scope, group);
      else if ('tableGet' in step) object = await call(cdp, object, 'function (index) { return this.get(index); }', step.tableGet, group);
      else object = await call(cdp, object, 'function (key) { return this[key]; }', step.get, group);
      if (!object?.objectId) return null;
    }
  } catch {
    // Gone since the snapshot, or not a JS object after all: another route may do.
    return null;
  }
  return object;
}

async function call(cdp, object, functionDeclaration, argument, group) {
  const { result, exceptionDetails } = await cdp.send('Runtime.callFunctionOn', {
    objectId: object.objectId,
    functionDeclaration,
    arguments: [{ value: argument }],
    objectGroup: group,
  });
  return exceptionDetails ? null : result;
}

/** Variable `name` of a closure's scopes (innermost first), as DevTools shows them. */
async function scopeVariable(cdp, closure, name, group) {
  const { internalProperties = [] } = await cdp.send('Runtime.getProperties', { objectId: closure.objectId, ownProperties: true, objectGroup: group });
  const scopes = internalProperties.find((p) => p.name === '[[Scopes]]')?.value;
  if (!scopes?.objectId) return null;
  const { result: list } = await cdp.send('Runtime.getProperties', { objectId: scopes.objectId, ownProperties: true, objectGroup: group });
  for (const scope of list.filter((entry) => /^\d+$/.test(entry.name) && entry.value?.description !== 'Global')) {
    const { result: variables } = await cdp.send('Runtime.getProperties', { objectId: scope.value.objectId, ownProperties: true, objectGroup: group });
    const variable = variables.find((v) => v.name === name);
    if (variable?.value?.objectId) return variable.value;
  }
  return null;
}
