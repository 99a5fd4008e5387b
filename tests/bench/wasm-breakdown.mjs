// What a .wasm is made of, without twiggy: section sizes, and (when the module still has its
// name section, e.g. wasm-bindgen's output before wasm-opt: target/wasm-bindgen/release/*.wasm)
// code bytes per crate, from the demangled function names. Shares of the pre-wasm-opt module
// approximate the shipped one's (wasm-opt -Oz shrinks everything, but it cannot drop what is
// reachable).
//
// With --shared-with OTHER.wasm it also says how much of FILE's code OTHER has too: functions
// with the same symbol (the same instantiation, which one module split in two could share) and
// those that share only a name (other type arguments: each module needs its own).
//
// node tests/bench/wasm-breakdown.mjs FILE.wasm [TOP] [--shared-with OTHER.wasm] [--json]
import fs from 'node:fs';

const file = process.argv[2];
const top = Number(process.argv[3] && !process.argv[3].startsWith('--') ? process.argv[3] : 15);
const json = process.argv.includes('--json');
const sharedAt = process.argv.indexOf('--shared-with');
const other = sharedAt > 0 ? process.argv[sharedAt + 1] : null;

const SECTION = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'datacount', 'tag'];

/** Sections, and each defined function's body size with its name (when the module has names). */
function parse(path) {
  const buf = fs.readFileSync(path);
  let pos = 8;
  const leb = () => {
    let result = 0, shift = 0, byte;
    do { byte = buf[pos++]; result += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
    return result;
  };
  const name = () => { const len = leb(); const s = buf.toString('utf8', pos, pos + len); pos += len; return s; };
  const sections = [];
  let importedFuncs = 0;
  const bodies = [], names = new Map();
  while (pos < buf.length) {
    const id = buf[pos++];
    const size = leb();
    const start = pos, end = pos + size;
    let label = SECTION[id] ?? `id${id}`;
    if (id === 0) {
      label = `custom:${name()}`;
      if (label === 'custom:name') {
        while (pos < end) {
          const sub = buf[pos++]; const subSize = leb(); const subEnd = pos + subSize;
          if (sub === 1) { const n = leb(); for (let i = 0; i < n; i++) { const idx = leb(); names.set(idx, name()); } }
          pos = subEnd;
        }
      }
    } else if (id === 2) {
      const n = leb();
      for (let i = 0; i < n; i++) {
        name(); name(); const kind = buf[pos++];
        if (kind === 0) { leb(); importedFuncs++; }
        else if (kind === 1) { pos++; const f = leb(); leb(); if (f & 1) leb(); }
        else if (kind === 2) { const f = leb(); leb(); if (f & 1) leb(); }
        else if (kind === 3) { pos++; pos++; }
        else if (kind === 4) { pos++; leb(); }
      }
    } else if (id === 10) {
      const n = leb();
      for (let i = 0; i < n; i++) { const s = leb(); bodies.push(s + 1); pos += s; }
    }
    sections.push({ section: label, bytes: end - start });
    pos = end;
  }
  const functions = bodies.map((size, i) => ({ size, name: names.get(importedFuncs + i) }));
  return { bytes: buf.length, sections, functions, named: names.size };
}

const { bytes, sections, functions, named } = parse(file);

// "<serde_json::de::Deserializer<R> as core::..>::fn" -> serde_json; "_ZN4core3fmt5write17h..E" -> core
function crateOf(fnName) {
  if (!fnName) return '(no name)';
  let s = fnName.trim().replace(/\[[0-9a-f]{16}\]/g, '');
  if (/^Closure\(|-> Externref$|^[A-Z][A-Za-z0-9]*(\(.*\))? ->/.test(s)) return '(wasm-bindgen shims)';
  const generic = /^<&?(?:mut )?[A-Z][A-Za-z0-9]? as ([a-z_][a-z0-9_]*)::/.exec(s);
  if (generic) return generic[1];
  if (/^<&?(?:str|char|bool|f32|f64|[iu](?:8|16|32|64|128|size)|\[)/.test(s)) return 'core';
  if (s.startsWith('_ZN')) { const m = /^_ZN(\d+)/.exec(s); if (m) return s.substr(3 + m[1].length, Number(m[1])).replace(/^_\$LT\$/, ''); }
  s = s.replace(/^(<|&|\[|\(|mut |dyn |impl |const |\*const |\*mut )+/g, '');
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(::|$)/.exec(s);
  return m ? m[1] : '(other)';
}
const perCrate = new Map();
let codeTotal = 0;
for (const { size, name } of functions) {
  codeTotal += size;
  const crate = crateOf(name);
  perCrate.set(crate, (perCrate.get(crate) ?? 0) + size);
}
const crates = [...perCrate.entries()].sort((a, b) => b[1] - a[1]).map(([crate, bytes]) => ({ crate, bytes, share: bytes / codeTotal }));

// A symbol's trailing hash ("::h0123456789abcdef") and crate disambiguators ("[0123456789abcdef]")
// tell instantiations apart; without them only the path is left.
const bare = (n) => n.replace(/::h[0-9a-f]{16}$/, '').replace(/\[[0-9a-f]{16}\]/g, '');
let shared = null;
if (other) {
  const theirs = parse(other).functions.filter((f) => f.name);
  const symbols = new Set(theirs.map((f) => f.name));
  const paths = new Set(theirs.map((f) => bare(f.name)));
  shared = { with: other, sameSymbol: 0, nameOnly: 0 };
  for (const { size, name } of functions) {
    if (!name) continue;
    if (symbols.has(name)) shared.sameSymbol += size;
    else if (paths.has(bare(name))) shared.nameOnly += size;
  }
}

const result = { file, bytes, sections, functions: functions.length, named, code: codeTotal, crates: crates.slice(0, top), shared };
if (json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  console.log(`${file}: ${bytes} bytes, ${functions.length} functions (${named} named)`);
  for (const s of sections.sort((a, b) => b.bytes - a.bytes)) console.log(`  section ${s.section.padEnd(28)} ${String(s.bytes).padStart(9)}  ${(100 * s.bytes / bytes).toFixed(1)}%`);
  if (named) {
    console.log(`  code by crate (top ${top} of ${crates.length}):`);
    for (const c of crates.slice(0, top)) console.log(`    ${c.crate.padEnd(30)} ${String(c.bytes).padStart(9)}  ${(100 * c.share).toFixed(1)}%`);
  }
  if (shared) {
    const pct = (n) => `${(100 * n / codeTotal).toFixed(1)}%`;
    console.log(`  code ${other} has too: ${shared.sameSymbol} bytes (${pct(shared.sameSymbol)}) the same functions, ${shared.nameOnly} bytes (${pct(shared.nameOnly)}) a function of the same name only`);
  }
}
