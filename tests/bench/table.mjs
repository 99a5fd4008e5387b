// Figure 4 in the browser: with the admin's ~10,000 tokens held by the page, the time from a
// status checkbox click (a filter change under the same two-key sort) until the table shows the
// new first page in the DOM. The double answers in the July lineage shape, whose token list
// ignores filter and sort, so the page fetches every token once, holds them, and applies each
// change itself (src/api/paging.rs: HeldTokens): the filter runs over all 10,000 in the order
// worked out once for the sort. The native figure (tests/bench/native) times a fresh filter and
// sort (`page_locally`, what a sort change costs) without the DOM.
//
// node tests/bench/table.mjs --app http://127.0.0.1:28080 --api http://127.0.0.1:28787 \
//      --runs 5 --out table-browser.json
import { arg, figure, writeFigures } from './stats.mjs';
import { demoToken, launchChromium } from './setup.mjs';

const APP = arg('app', 'http://127.0.0.1:28080');
const API = arg('api', 'http://127.0.0.1:28787');
const RUNS = Number(arg('runs', '5'));
const OUT = arg('out', 'table-browser.json');

const control = (path, body) => fetch(`${API}/__control/${path}`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}),
});
const adminKey = await demoToken(API, 'admin');
// The held-tokens path: the July variant (the list ignores filter and sort; the admin sees every user's tokens).
if (!(await control('variant', { variant: 'july' })).ok) throw new Error('the double refused the July variant');

const browser = await launchChromium();
try {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  // What the native figure sets: a search word, active tokens, expiry ascending then name descending.
  const query = new URLSearchParams({ api: API, q: 'a', status: 'active', sort: 'expires_at,-name' });
  await page.goto(`${APP}/?${query}`);
  await page.getByLabel('Paste your key').fill(adminKey);
  await page.getByLabel('Label').fill('bench admin');
  await page.getByLabel(/This session only/).check();
  await page.getByRole('button', { name: 'Use for this session' }).click();
  const held = page.getByText(/Working on the [\d,]+ tokens fetched/);
  await held.waitFor({ timeout: 120_000 });
  const heldText = (await held.textContent()).match(/Working on the ([\d,]+) tokens/)[1];

  const ms = [];
  let labels = [];
  for (let r = 0; r < RUNS + 1; r++) {
    await page.waitForTimeout(200); // the previous render's own tasks
    const run = await page.evaluate(async () => {
      const region = document.querySelector('section[aria-labelledby="fk-tokens-title"]');
      const box = [...region.querySelectorAll('label')].find((l) => l.textContent.trim() === 'expired')?.querySelector('input');
      const rangeLabel = () => region.querySelector('.fk-pager [role="status"]')?.textContent ?? '';
      const firstRow = () => region.querySelector('tbody tr')?.textContent ?? '';
      const before = { label: rangeLabel(), row: firstRow() };
      // Resolved in the first mutation callback that sees the new page (label or first row).
      const done = new Promise((resolve) => {
        const observer = new MutationObserver(() => {
          if (rangeLabel() !== before.label || firstRow() !== before.row) {
            observer.disconnect();
            resolve(performance.now());
          }
        });
        observer.observe(region, { childList: true, subtree: true, characterData: true });
      });
      const t0 = performance.now();
      box.click();
      const t1 = await done;
      return { ms: t1 - t0, checked: box.checked, label: rangeLabel() };
    });
    if (r === 0) continue; // warm-up
    ms.push(run.ms);
    labels.push(`${run.checked ? 'active+expired' : 'active'}: ${run.label.trim().slice(0, 40)}`);
  }
  if (problems.length) throw new Error(problems.join('; '));
  // The two states must show different totals, or the clicks changed nothing.
  if (new Set(labels).size < 2) throw new Error(`the filter changes did not change the table: ${labels.join(' | ')}`);

  writeFigures(OUT, [
    figure('table_browser', `Table in the browser: filter click -> new page in the DOM (${heldText} tokens held)`, 'ms', ms, { op: '<', value: 16 }),
  ]);
  console.log(`table (browser): ${heldText} tokens held; ${[...new Set(labels)].join(' | ')}`);
} finally {
  await browser.close();
  await control('reset');
}
