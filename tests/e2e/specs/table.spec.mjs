// Seeing a lot at once: counts with separators above and below the table, a header that stays
// in view, search by name or token id, per-row copy id and details (restrictions, parent,
// children, lineage), stacked cards at phone width, an admin's permissions collapsed, and the
// restricted-token dialog's expiry presets and summary.
import { test, expect, appUrl, demoKey, screenshot } from '../support/fixtures.mjs';
import { addFirstKey, createReadOnlyToken, injectFault, resetDouble, setVariant } from '../support/flows.mjs';
import { SCREENSHOT_DIR } from '../support/env.mjs';
import { widthProblems } from '../support/layout.mjs';
import path from 'node:path';

/** What the viewport shows (a modal dialog over the page), where `screenshot` takes it all. */
const viewShot = (page, name) => page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });

test.beforeEach(async ({ request }) => resetDouble(request));

const table = (page) => page.getByRole('table');
const rows = (page) => table(page).locator('tbody tr');
const rowNamed = (page, name) => rows(page).filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${name}`) }) });
/** The token list requests the page made, as URLs. */
function listRequests(page) {
  const urls = [];
  page.on('request', (r) => {
    if (r.method() === 'GET' && new URL(r.url()).pathname === '/api/v1/tokens') urls.push(decodeURIComponent(r.url()));
  });
  return urls;
}

test("an admin's permissions: one line for a uniform set, the resources behind a closed disclosure", async ({ page }) => {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('admin'), label: 'lab admin' });
  const permissions = page.getByRole('region', { name: 'What this key may do' });
  await expect(permissions).toContainText('Full access to 21 resources');
  const expand = permissions.getByRole('button', { name: 'Show the 21 resources' });
  await expect(expand).toHaveAttribute('aria-expanded', 'false');
  const resources = permissions.getByRole('list', { name: 'Full access to 21 resources: the resources' });
  await expect(resources).toBeHidden();
  // The panel's own content (the grid may stretch the card to its neighbour's height).
  const [top, bottom] = [(await permissions.boundingBox()).y, await expand.boundingBox()];
  expect(bottom.y + bottom.height - top, 'the collapsed permissions do not push the tokens down').toBeLessThan(260);
  await expand.click();
  await expect(permissions.getByRole('button', { name: 'Hide the resources' })).toHaveAttribute('aria-expanded', 'true');
  await expect(resources).toBeVisible();
  await expect(resources.getByRole('listitem')).toHaveCount(21);
  await expect(resources).toContainText('experiment');
  await screenshot(page, 'permissions-admin-expanded');
});

test('July list, one token past what the browser can filter and sort: every token stays reachable page by page, and the page says the filter and sort are off', async ({ page, request }) => {
  test.setTimeout(240_000);
  await setVariant(request, 'july');
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('admin'), label: 'lab admin' });
  await expect(page.getByText(/^1–25 of 10,000$/)).toHaveCount(2, { timeout: 150_000 });
  const created = page.getByRole('columnheader', { name: /Created/ });
  await expect(created).toHaveAttribute('aria-sort', 'descending');

  // The 10,001st token: too many to fetch and sort here, and a filter the API ignores cannot
  // bring the count down. The rows stay; what they are is said where the table starts.
  const dialog = await createReadOnlyToken(page, 'one too many');
  await dialog.getByRole('button', { name: 'Done' }).click();
  await dialog.getByRole('button', { name: 'Close without keeping it' }).click();
  const notice = page.getByRole('status').filter({ hasText: 'Not filtered or sorted' });
  await expect(notice).toContainText('it lists 10,001 tokens', { timeout: 150_000 });
  await expect(page.getByText(/^1–25 of 10,001$/)).toHaveCount(2);
  await expect(rows(page)).toHaveCount(25);
  await expect(created, 'no header claims an order the API did not apply').toHaveAttribute('aria-sort', 'none');
  await expect(page.getByRole('alert')).toHaveCount(0);
  await screenshot(page, 'table-past-what-the-browser-can-sort');

  await page.getByRole('button', { name: 'Last' }).click();
  await expect(page.getByText(/^10,001–10,001 of 10,001$/)).toHaveCount(2);
  await expect(rows(page)).toHaveCount(1);
});

test('admin, ~10,000 tokens: counts with separators above and below, and a header that stays in view', async ({ page, request }) => {
  test.setTimeout(180_000);
  await setVariant(request, 'july');
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('admin'), label: 'lab admin' });

  // Counts, grouped by thousands, once above the table and once below.
  const count = page.getByText(/^1–25 of \d{1,3}(,\d{3})+$/);
  await expect(count).toHaveCount(2, { timeout: 150_000 });
  await expect(page.getByText(/Working on the \d{1,3}(,\d{3})+ tokens fetched/)).toBeVisible();
  const [above, below] = [await count.nth(0).boundingBox(), await count.nth(1).boundingBox()];
  // The rows scroll in their own box: the counts are outside it, above and below.
  const box = await page.getByRole('group', { name: 'Token rows' }).boundingBox();
  expect(above.y + above.height, 'a count above the table').toBeLessThanOrEqual(box.y);
  expect(below.y, 'a count below the table').toBeGreaterThanOrEqual(box.y + box.height);
  await screenshot(page, 'table-admin-light');

  // The header row stays at the top of the table's scroll box after the rows scroll.
  await page.getByLabel('Rows per page').selectOption('100');
  await expect(page.getByText(/^1–100 of \d{1,3}(,\d{3})+$/)).toHaveCount(2);
  const scroller = page.getByRole('group', { name: 'Token rows' });
  const header = page.getByRole('columnheader', { name: /Name/ });
  const before = await header.boundingBox();
  await scroller.evaluate((el) => { el.scrollTop = 1500; });
  await expect.poll(() => scroller.evaluate((el) => el.scrollTop)).toBeGreaterThan(1000);
  const frame = await scroller.boundingBox();
  const after = await header.boundingBox();
  expect(Math.abs(after.y - frame.y), 'the header sits at the top of the scroll box').toBeLessThanOrEqual(2);
  expect(Math.abs(after.y - before.y), 'the header did not move with the rows').toBeLessThanOrEqual(2);
  const firstRow = await rows(page).first().boundingBox();
  expect(firstRow.y, 'the rows did scroll under it').toBeLessThan(frame.y);
  await expect(header).toBeInViewport();
  await scroller.scrollIntoViewIfNeeded();
  await viewShot(page, 'table-admin-scrolled');
});

test('search by name and by token id on a server that filters; what the grammar cannot carry is not sent', async ({ page }) => {
  const sent = listRequests(page);
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  await expect(page.getByText('Filtered and sorted by the server.')).toBeVisible();
  const search = page.getByLabel('Search by name or token id');
  await expect(search).toHaveAccessibleDescription(/whole token id.*no quoting/);

  await search.fill('read-only');
  await expect(rowNamed(page, 'read-only demo key')).toHaveCount(1);
  await expect.poll(() => sent.some((u) => u.includes('filter=or(contains(name,read-only),eq(id,read-only))'))).toBe(true);
  // Sent is not yet shown: until the answer is rendered the rows are the unfiltered ones.
  const names = () => table(page).locator('tbody th').evaluateAll((c) => c.map((e) => e.firstChild.textContent.toLowerCase()));
  await expect.poll(async () => (await names()).filter((name) => !name.includes('read-only')), 'every row shown matches').toEqual([]);
  expect((await names()).length).toBeGreaterThan(0);

  const id = await rowNamed(page, 'read-only demo key').locator('th .fk-id').textContent();
  await search.fill(id);
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first().locator('th .fk-id')).toHaveText(id);
  expect(sent.some((u) => u.includes(`eq(id,${id})`)), 'the id went to the server in the filter').toBe(true);
  await expect(page.getByText(/^1–1 of 1$/)).toHaveCount(2);

  const before = sent.length;
  await search.fill('a,b');
  await expect(search).toHaveAttribute('aria-invalid', 'true');
  await expect(search).toHaveAccessibleDescription(/^Not searched: .*cannot contain ','/);
  await page.waitForTimeout(800);
  expect(sent.slice(before).filter((u) => u.includes('a,b')), 'nothing ambiguous was sent').toEqual([]);
  await screenshot(page, 'table-search-refused');
});

test('lineage server: copy id, and details with restrictions, parent by name, children and the lineage tree; search by id in the browser', async ({ page, context, request }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await setVariant(request, 'july');
  const sent = listRequests(page);
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  await expect(page.getByText(/Working on the \d+ tokens fetched/)).toBeVisible({ timeout: 20_000 });
  const search = page.getByLabel('Search by name or token id');

  // The member's root key: its children include the read-only demo key.
  await search.fill('member demo key');
  const root = rowNamed(page, 'member demo key');
  await expect(root).toHaveCount(1);
  const rootId = await root.locator('th .fk-id').textContent();
  await root.getByRole('button', { name: 'Copy id of member demo key' }).click();
  await expect(page.getByText('Copied the id of “member demo key”.')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(rootId);

  await root.getByRole('button', { name: 'Details of member demo key' }).click();
  let dialog = page.getByRole('dialog', { name: 'member demo key' });
  await expect(dialog).toBeVisible();
  await expect(dialog.locator('dd').filter({ hasText: 'none (main key)' })).toHaveCount(1);
  await expect(dialog).toContainText('Parentnone: a main key');
  const children = dialog.locator('dt:text-is("Children") + dd');
  await expect(children).toContainText('read-only demo key');
  await expect(dialog.getByRole('list', { name: 'Lineage' })).toContainText('read-only demo key');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();

  // The read-only demo key: its restrictions in words, its parent by name, the line from the root.
  const fetched = sent.length;
  await search.fill('read-only demo key');
  const child = rowNamed(page, 'read-only demo key');
  await expect(child).toHaveCount(1);
  const childId = await child.locator('th .fk-id').textContent();
  await child.getByRole('button', { name: 'Details of read-only demo key' }).click();
  dialog = page.getByRole('dialog', { name: 'read-only demo key' });
  await expect(dialog.locator('dt:text-is("Restrictions") + dd')).toHaveText(/^Read-only \(list and read\)/);
  await expect(dialog.locator('dt:text-is("Parent") + dd')).toContainText('member demo key');
  await expect(dialog.locator('dt:text-is("Parent") + dd')).toContainText(rootId);
  await expect(dialog.locator('dt:text-is("Children") + dd')).toHaveText('none');
  const lineage = dialog.getByRole('list', { name: 'Lineage' });
  await expect(lineage.locator('li').first()).toContainText('member demo key');
  await expect(lineage.locator('[aria-current="true"]')).toContainText('read-only demo key');
  await expect(dialog).toContainText(/looked up among the \d+ tokens fetched/);
  await viewShot(page, 'table-details-light');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  // The id search applies in the browser here, to the tokens already fetched.
  await search.fill(childId);
  await expect(rows(page)).toHaveCount(1);
  await expect(rowNamed(page, 'read-only demo key')).toHaveCount(1);
  expect(sent.length, 'no request: the search ran on the tokens held').toBe(fetched);
});

/**
 * Each row of the table as a person and a screen reader get it: per element, its tag, its
 * attributes (sorted) and its own text, nested. Blind to how the DOM got there, so a row
 * written in place and a row built afresh compare equal only if they show the same thing.
 * "just now" and "n minutes ago" read as one (the key's own last use moves on between looks).
 */
const rowShapes = (page) => rows(page).evaluateAll((trs) => {
  const recent = (text) => text.replace(/^(just now|\d+ minutes? ago)$/, '(recent)');
  const shape = (el) => ({
    tag: el.tagName,
    attrs: [...el.attributes].map((a) => `${a.name}=${a.value}`).sort(),
    text: recent([...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.data).join('')),
    children: [...el.children].map(shape),
  });
  return trs.map(shape);
});

test('a row kept from page to page shows its new token exactly as a row built for it would', async ({ page, request }) => {
  await setVariant(request, 'july');
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  await expect(page.getByText(/Working on the \d+ tokens fetched/)).toBeVisible({ timeout: 20_000 });
  const revoked = page.getByRole('group', { name: 'Status' }).getByLabel('revoked');
  const search = page.getByLabel('Search by name or token id');
  // Built afresh: after "No tokens match" the rows are gone, so the next page builds each row.
  const builtAfresh = async () => {
    await search.fill('no token is called this');
    await expect(page.getByText('No tokens match')).toBeVisible();
    await search.fill('');
    await expect(rows(page).first()).toBeVisible();
    return rowShapes(page);
  };
  const shapesNow = async () => JSON.stringify(await rowShapes(page));

  const all = await builtAfresh();
  // Rows that differ in what they show, or the comparisons below prove little.
  const seen = JSON.stringify(all);
  for (const shown of ['"expires soon"', '"class=fk-badge fk-badge-expiring","hidden="', '"none (a main key)"', '"title=01']) {
    expect(seen.includes(shown), `the first page has a row with ${shown}`).toBe(true);
  }

  // Written in place: the revoked tokens in the same rows, then the first ones again. Each
  // time the rows match the ones built for the same tokens.
  await revoked.check();
  await expect.poll(shapesNow).not.toBe(seen);
  const kept = await rowShapes(page);
  expect(kept.every((row) => JSON.stringify(row).includes('fk-badge-revoked'))).toBe(true);
  expect(kept).toEqual(await builtAfresh());
  await revoked.uncheck();
  await expect.poll(async () => (await rowShapes(page)).length).toBe(all.length);
  expect(await rowShapes(page)).toEqual(all);
});

test('seed shape: details say what this API does not list', async ({ page }) => {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  await page.getByLabel('Search by name or token id').fill('read-only');
  const row = rowNamed(page, 'read-only demo key');
  await row.getByRole('button', { name: 'Details of read-only demo key' }).click();
  const dialog = page.getByRole('dialog', { name: 'read-only demo key' });
  for (const fact of ['Restrictions', 'Parent', 'Children']) {
    await expect(dialog.locator(`dt:text-is("${fact}") + dd`)).toHaveText('not listed by this API');
  }
  // Said once for each fact, and no Lineage section that would say it again with a note on
  // where relatives are looked up.
  await expect(dialog.getByText('not listed by this API')).toHaveCount(3);
  await expect(dialog.getByRole('heading', { name: 'Lineage' })).toHaveCount(0);
  await expect(dialog).not.toContainText('looked up among');
});

test('at 375 px the rows are labelled cards and nothing is wider than the screen', async ({ page, request }) => {
  await setVariant(request, 'july');
  await page.setViewportSize({ width: 375, height: 812 });
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  await expect(rows(page).first()).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText(/Working on the \d+ tokens fetched/)).toBeVisible({ timeout: 20_000 });

  const problems = await widthProblems(page);
  expect(problems, 'elements wider than the 375 px screen, or clipped').toEqual([]);
  // Each cell says what it is.
  const cell = rows(page).first().locator('td').first();
  expect(await cell.evaluate((td) => getComputedStyle(td, '::before').content)).toBe('"Status"');
  expect(await cell.evaluate((td) => getComputedStyle(td).display)).toBe('block');
  await screenshot(page, 'table-375-cards');

  await rows(page).first().getByRole('button', { name: /^Details of / }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  const box = await dialog.boundingBox();
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(375);
  await viewShot(page, 'table-375-details');
});

test('another page, or another order, starts at its first row: in the rows\' box, and at the top of a phone\'s cards', async ({ page, request }) => {
  await setVariant(request, 'july');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  await expect(page.getByText(/Working on the \d+ tokens fetched/)).toBeVisible({ timeout: 20_000 });
  const box = page.getByRole('group', { name: 'Token rows' });
  const count = page.locator('.fk-count');
  const scrolledDown = () => box.evaluate((el) => { el.scrollTop = el.scrollHeight; return el.scrollTop; });
  const boxTop = () => box.evaluate((el) => el.scrollTop);
  expect(await scrolledDown(), 'the rows scroll in their box').toBeGreaterThan(100);
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(count).toHaveText('26–50 of 200');
  await expect.poll(boxTop, { message: 'the next page shows from its first row' }).toBe(0);
  expect(await scrolledDown()).toBeGreaterThan(100);
  await page.getByRole('button', { name: /^Expires/ }).click();
  await expect(table(page).getByRole('columnheader', { name: /^Expires/ })).toHaveAttribute('aria-sort', 'ascending');
  await expect(count, 'a new order starts again at its first page').toHaveText('1–25 of 200');
  await expect.poll(boxTop, { message: 'a new order shows from its first row' }).toBe(0);

  // At phone width the cards are the page: the pager sits 25 cards below the list's start.
  await page.setViewportSize({ width: 375, height: 812 });
  await page.getByRole('button', { name: 'Next' }).scrollIntoViewIfNeeded();
  await expect(count).not.toBeInViewport();
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(count).toHaveText('26–50 of 200');
  await expect(count, 'the page scrolls back to the start of the list').toBeInViewport();
  await expect(rows(page).first()).toBeInViewport();
  // Never down: a search typed above the list leaves the page where it is.
  const search = page.getByLabel('Search by name or token id');
  await search.scrollIntoViewIfNeeded();
  const before = await page.evaluate(() => scrollY);
  await search.fill('agent');
  await expect(count).not.toHaveText('26–50 of 200');
  expect(await page.evaluate(() => scrollY)).toBe(before);
  await expect(search).toBeInViewport();
});

// The actions column stays at the right edge while a wide table scrolls sideways; a column
// that only fits by scrolling sits under it, so a person would not know it is there.
// Narrower, the dates go on two lines to make the room (`datesWrap`: they must, they must not,
// or either, where a lineage list's restrictions share the room).
const SEED_COLUMNS = ['Name', 'Status', 'Type', /^Created/, 'Expires', 'Last used'];
const LINEAGE_COLUMNS = ['Name', 'Status', 'Type', /^Created/, 'Expires', 'Parent', 'Restrictions'];
for (const { variant, width, columns, actionsSideBySide, datesWrap } of [
  { variant: 'seed', width: 1280, columns: SEED_COLUMNS, actionsSideBySide: true, datesWrap: false },
  { variant: 'seed', width: 1024, columns: SEED_COLUMNS, datesWrap: true },
  { variant: 'september', width: 1280, columns: LINEAGE_COLUMNS },
  { variant: 'september', width: 1024, columns: LINEAGE_COLUMNS, datesWrap: true },
]) {
  test(`on a ${width} px screen every column of a ${variant} list is in view: none hides under the row actions`, async ({ page, request }) => {
    await setVariant(request, variant);
    await page.setViewportSize({ width, height: 900 });
    await page.goto(appUrl());
    await addFirstKey(page, { key: demoKey('member') });
    await expect(rows(page).first()).toBeVisible({ timeout: 20_000 });
    const actions = await table(page).getByRole('columnheader', { name: 'Actions' }).boundingBox();
    for (const name of columns) {
      const box = await table(page).getByRole('columnheader', { name }).boundingBox();
      expect(box.x + box.width, `the ${name} column ends before the actions begin`).toBeLessThanOrEqual(actions.x + 0.5);
    }
    const scroll = await page.getByRole('group', { name: 'Token rows' }).evaluate((wrap) => wrap.scrollWidth - wrap.clientWidth);
    expect(scroll, 'the table does not scroll sideways').toBeLessThanOrEqual(0);
    // Where there is room the row's two buttons sit side by side, so a row stays two lines high.
    if (actionsSideBySide) {
      const row = rowNamed(page, 'colab-616');
      const copy = await row.getByRole('button', { name: /^Copy id/ }).boundingBox();
      const details = await row.getByRole('button', { name: /^Details/ }).boundingBox();
      expect(details.y, 'Details beside Copy id, not under it').toBeCloseTo(copy.y, 0);
    }
    const dates = await shownDates(page);
    if (datesWrap === false) {
      for (const date of dates) expect(date.time, `the day and the time on one line in ${JSON.stringify(date)}`).toBe(date.day);
    }
    if (datesWrap === true) {
      expect(dates.some((date) => date.time > date.day), 'some times go under their days').toBeTruthy();
    }
    await viewShot(page, `table-${variant}-${width}`);
  });
}

/** Every date shown in the table's rows, with the top of its day's line and its time's. */
async function shownDates(page) {
  const dates = await table(page).locator('tbody time > .fk-muted').evaluateAll((spans) => spans.filter((span) => !span.parentElement.hidden).map((span) => {
    const text = span.firstChild;
    const top = (from, to) => {
      const range = document.createRange();
      range.setStart(text, from);
      range.setEnd(text, to);
      return Math.round(range.getBoundingClientRect().top);
    };
    return { text: text.data, day: top(0, 10), time: top(11, 16) };
  }));
  expect(dates.length, 'dates on the page').toBeGreaterThan(25);
  // A date that wraps breaks between its day and its time: "UTC" is joined to its time by a
  // no-break space (format::absolute), so it never stands on a line of its own.
  for (const date of dates) expect(date.text).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d\u00a0UTC$/);
  return dates;
}

test('dark theme: the table, its counts and a token’s details', async ({ page, request }) => {
  await setVariant(request, 'july');
  await page.goto(appUrl({ theme: 'dark' }));
  await addFirstKey(page, { key: demoKey('member') });
  await expect(page.getByText(/^1–25 of \d+$/)).toHaveCount(2, { timeout: 20_000 });
  await screenshot(page, 'table-dark');
  await rows(page).first().getByRole('button', { name: /^Details of / }).click();
  await expect(page.getByRole('dialog')).toBeVisible();
  await viewShot(page, 'table-details-dark');
});

test('restricted token: expiry presets and, before creating, what it will be able to do', async ({ page }) => {
  const bodies = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/api/v1/tokens/attenuate')) bodies.push(r.postDataJSON().attenuation);
  });
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  await page.getByRole('button', { name: 'Create a restricted token…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create a restricted token' });
  const summary = dialog.getByRole('region', { name: 'What it will be able to do' });
  const day = (days) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

  const expiry = dialog.getByRole('group', { name: 'Expires' });
  await expect(expiry.getByLabel('In 30 days')).toBeChecked();
  await expect(summary).toContainText(new RegExp(`^What it will be able to doRead-only \\(list and read\\); expires by ${day(30)} \\d\\d:\\d\\d\\sUTC$`));
  // The member key expires in 90 days: a later preset is offered but cannot be chosen.
  await expect(expiry.getByLabel("In 90 days (after the key's own expiry)")).toBeDisabled();
  await expect(expiry.getByLabel('In 60 days')).toBeEnabled();

  await expiry.getByLabel('In 7 days').check();
  await expect(summary).toContainText(`Read-only (list and read); expires by ${day(7)}`);

  await expiry.getByLabel('On a date I choose').check();
  await expect(summary).toContainText('Not complete yet: Enter the expiry as a date and time.');
  await dialog.getByLabel('Expiry date and time (your local time)').fill(`${day(14)}T12:00`);
  await expect(summary).toContainText(/expires by \d{4}-\d\d-\d\d \d\d:\d\d\sUTC/);

  await dialog.getByLabel('Only chosen resources and actions').check();
  await expect(summary).toContainText('Not complete yet: Choose at least one resource or action');
  await dialog.getByRole('group', { name: 'Resources' }).getByLabel('experiment').check();
  await dialog.getByRole('group', { name: 'Actions' }).getByLabel('list').check();
  await expect(summary).toContainText(/^What it will be able to doOnly actions: list; only resources: experiment; expires by/);

  await expiry.getByLabel(/^With the key in use/).check();
  await expect(summary).toContainText(/; expires with the key in use, by \d{4}-\d\d-\d\d/);
  await expiry.getByLabel('In 7 days').check();
  await dialog.getByLabel('Name').fill('a week of experiments');
  await summary.scrollIntoViewIfNeeded();
  await viewShot(page, 'attenuate-summary');
  await dialog.getByRole('button', { name: 'Create token' }).click();
  await expect(dialog.getByLabel('New token')).toHaveValue(/^abs0_/);
  expect(bodies).toHaveLength(1);
  expect(bodies[0].allowed_resources).toEqual(['experiment']);
  expect(bodies[0].allowed_actions).toEqual(['list']);
  expect(bodies[0].expires_at.slice(0, 10), 'the 7-day preset was sent').toBe(day(7));
});

test('loading shows the shape of what is coming: skeletons, busy, and a status for screen readers', async ({ page, request }) => {
  // Two: adding the key checks it with one whoami first (the safety round), then the view asks.
  await injectFault(request, { kind: 'slow', delay_ms: 3000, path: '/api/v1/whoami', count: 2 });
  await injectFault(request, { kind: 'slow', delay_ms: 3000, path: '/api/v1/tokens', count: 1 });
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member'), expectIdentity: false });
  const busy = (text) => page.locator('[aria-busy="true"]').filter({ has: page.getByRole('status').filter({ hasText: text }) });
  const who = busy('Asking Foundry who this key belongs to…');
  const tokens = busy('Loading tokens…');
  await expect(who).toBeVisible();
  await expect(tokens).toBeVisible();
  expect(await who.locator('.fk-skeleton').count(), 'placeholder lines for the panels').toBeGreaterThan(2);
  expect(await tokens.locator('.fk-skeleton-row').count(), 'placeholder rows for the table').toBeGreaterThan(3);
  await screenshot(page, 'table-loading');
  await expect(table(page)).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole('heading', { name: 'Who this key belongs to' })).toBeVisible();
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
});
