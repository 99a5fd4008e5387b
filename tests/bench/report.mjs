// Prints the bench's one table from the figure files the other scripts wrote.
// node tests/bench/report.mjs --out bench-results/summary.txt FILE.json...
import fs from 'node:fs';
import os from 'node:os';
import { arg, passes } from './stats.mjs';

const out = arg('out', '');
const files = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--out');
const data = files.filter((f) => fs.existsSync(f)).map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));
const figures = data.flatMap((d) => d.figures);
const chromium = data.find((d) => d.chromium)?.chromium ?? 'n/a';
const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m) ?? [])[1] ?? 'unknown';

const fmt = (v, unit) => (unit === 'x' ? `${v.toFixed(2)}x` : unit === 'kB' ? `${v.toFixed(1)} kB` : `${v.toFixed(v < 10 ? 2 : 1)} ms`);
const rows = figures.map((f) => {
  const ok = passes(f);
  return [
    f.label,
    fmt(f.median, f.unit), fmt(f.min, f.unit), fmt(f.max, f.unit), String(f.n),
    f.target ? `${f.target.op} ${fmt(f.target.value, f.unit)}` : '-',
    ok === null ? '-' : ok ? 'pass' : 'MISS',
  ];
});
const head = ['Figure', 'Median', 'Min', 'Max', 'Runs', 'Target', 'Result'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
const text = [
  `Foundry Keyring bench  ${new Date().toISOString()}`,
  `CPU: ${cpu} (${os.cpus().length} logical)   Chromium: ${chromium}   Node: ${process.version}`,
  `Load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (other work on the machine skews the ms figures; the ratios less)`,
  '',
  line(head),
  widths.map((w) => '-'.repeat(w)).join('  '),
  ...rows.map(line),
  '',
  ...data.filter((d) => d.retried).map((d) => `Paging: ${d.retried} request(s) retried after a spurious 401 "invalid token" from the double (its Authorizer's 250 ms wall-clock limit ran out under load).`),
  `Targets are checked against the median. kB = 1000 bytes; the size targets are gzip -9 of the files requested, the as-sent rows what .ci/serve_app.py sent (brotli when it has it, as hosts send; API calls not counted). ${figures.filter((f) => passes(f) === false).length} of ${figures.filter((f) => f.target).length} targets missed.`,
].join('\n');
console.log(text);
if (out) fs.writeFileSync(out, `${text}\n`);
