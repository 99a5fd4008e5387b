// Shared by the bench scripts: summary statistics and the figure records they write.
import fs from 'node:fs';

export function summary(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const n = s.length;
  const median = n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  return { n, median, min: s[0], max: s[n - 1] };
}

/** A figure: `samples` (one per run), its unit, and a target `{ op: '<=' | '<' | '>=', value }`
 *  checked against the median (none: informational). */
export function figure(id, label, unit, samples, target = null, note = '') {
  return { id, label, unit, samples, target, note, ...summary(samples) };
}

export function passes(f) {
  if (!f.target) return null;
  const { op, value } = f.target;
  return op === '<=' ? f.median <= value : op === '<' ? f.median < value : op === '>=' ? f.median >= value : f.median > value;
}

export function writeFigures(file, figures, extra = {}) {
  fs.writeFileSync(file, JSON.stringify({ figures, ...extra }, null, 2));
}

export function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
