// Figure 4: runs the native table bench (tests/bench/native, release) over the tokens the paging
// figure fetched from the double, and writes its figure.
// node tests/bench/native.mjs --bin target/bench-native/release/foundry-keyring-table-bench --tokens t.json --runs 7 --out f4.json
import { execFileSync } from 'node:child_process';
import { arg, figure, writeFigures } from './stats.mjs';

const bin = arg('bin', 'target/bench-native/release/foundry-keyring-table-bench');
const tokens = arg('tokens', '-');
const runs = arg('runs', '7');
const out = arg('out', 'native.json');
const result = JSON.parse(execFileSync(bin, [tokens, runs], { encoding: 'utf8' }).trim().split('\n').pop());
const what = `${result.tokens} tokens -> ${result.matched} match -> page of ${result.page}`;
writeFigures(out, [
  figure('table_native', `Table: filter + 2-key sort + 1 page, native (${what})`, 'ms', result.runs_ms, { op: '<', value: 16 }),
  figure('table_native_held', 'Table: filter change under a kept sort + 1 page, native (same tokens)', 'ms', result.held_runs_ms, { op: '<', value: 16 }),
]);
console.log(`table: ${what}`);
