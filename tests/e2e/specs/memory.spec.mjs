// Issue #19: the key lives in a key agent (a Web Worker), not in the page. While the keyring is
// unlocked and the page has shown who the key belongs to and its tokens, nothing of the page
// itself (its JS heap, its ArrayBuffers, its WebAssembly memory) holds a copy of the key, in any
// encoding. Workers are not scanned: holding the key is their job.
import { test as base, expect, appUrl, demoKey } from '../support/fixtures.mjs';
import { addFirstKey, resetDouble, unlock } from '../support/flows.mjs';
import { FULL_SNAPSHOT_STRINGS, describeFindings, keyShapedValue, scanPageMemory } from '../support/memory.mjs';

// Chromium with whole strings in heap snapshots (support/memory.mjs): a worker-scoped option, so
// this file gets a browser of its own and the other specs keep theirs.
const test = base.extend({
  launchOptions: [async ({ launchOptions }, use) => {
    await use({ ...launchOptions, args: [...(launchOptions.args ?? []), FULL_SNAPSHOT_STRINGS] });
  }, { scope: 'worker' }],
});

test.beforeEach(async ({ request }) => resetDouble(request));

// Where the positive control plants its value, and what each scan must find of it.
const CONTROL = [
  // A JS string on window, the value 1,500 characters in: only whole snapshot strings show it.
  'text in JS heap',
  // JS strings holding base64 / base64url of longer values, the value at byte 1 and byte 2. (For
  // text in the base64url alphabet, as a key is, the two alphabets give the same characters.)
  'base64@1 in JS heap',
  'base64url@2 in JS heap',
  // Its hex, split between the two pieces of a concatenated string: in no single snapshot string.
  'hex in JS heap',
  // Uint8Arrays held four ways the buffer scan must follow (a property, a closure variable, an
  // array element, a WebAssembly.Table entry): its UTF-8 (from TextEncoder: a buffer made by the
  // browser, which the snapshot shows as a native object), its UTF-16LE at an odd offset, its
  // decoded Biscuit bytes, its hex in ASCII.
  'utf-8 in ArrayBuffer',
  'utf-16le in ArrayBuffer',
  'biscuit bytes@0 in ArrayBuffer',
  'hex in ArrayBuffer',
  // Typed into the token search, which the app reads into a Rust String.
  'utf-8 in WebAssembly memory',
];

test('while unlocked, with identity and tokens shown, the page holds no copy of the key in its heap, buffers or WebAssembly memory', async ({ page }, testInfo) => {
  // Two key derivations and a multi-megabyte heap snapshot, on a machine that may be busy.
  test.setTimeout(90_000);
  const key = demoKey('member');
  await page.goto(appUrl());
  await addFirstKey(page, { key });

  // Scanned after a reload only. Adding a key puts it in the page by design (pasted into a page
  // field, read by the page, and Playwright's own copy from `fill`), and that document's memory
  // would say nothing about the agent. After the reload the key can reach the page only from the
  // unlocked keyring: exactly what moving it into the agent is to stop.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Unlock your keyring' })).toBeVisible();
  await unlock(page);
  await expect(page.getByRole('heading', { name: 'Who this key belongs to' })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole('table').locator('tbody tr').first()).toBeVisible({ timeout: 20_000 });

  // Positive control: a value shaped like the key, of its length, planted where the scans must
  // find it, scanned in the same run by the same code. Any planted form a scan misses fails the
  // test, before the key is looked at.
  const planted = keyShapedValue(key.length);
  const bytes = Buffer.from(planted, 'utf8');
  await page.getByLabel('Search by name or token id').fill(planted);
  // The app has read it and searched with it.
  await expect(page.getByText('No tokens match')).toBeVisible({ timeout: 20_000 });
  const utf16 = Buffer.concat([Buffer.alloc(7, 0xfe), Buffer.from(planted, 'utf16le'), Buffer.alloc(5, 0xfe)]);
  await page.evaluate((plants) => {
    const utf16 = Uint8Array.from(plants.utf16);
    const table = new WebAssembly.Table({ element: 'externref', initial: 4 });
    table.set(2, Uint8Array.from(plants.hexAscii));
    window.__memoryScanControl = {
      text: plants.text,
      base64: plants.base64,
      base64url: plants.base64url,
      utf8: new TextEncoder().encode(plants.plain),
      utf16Length: () => utf16.length,
      list: [0, Uint8Array.from(plants.biscuit)],
      table,
      // `+` makes a concatenated string (the two pieces are far longer than V8's 13-character
      // minimum); nothing here reads it, so it stays one until the snapshot.
      joined: plants.hexStart + plants.hexEnd,
    };
  }, {
    // One string made here: made in the page with `+`, it would be a concatenated string.
    text: `${'x'.repeat(1500)} ${planted} end`,
    base64: Buffer.concat([Buffer.from([0xfe]), bytes, Buffer.from([0xff])]).toString('base64'),
    base64url: Buffer.concat([Buffer.from([0xfe, 0xfe]), bytes, Buffer.from([0xff])]).toString('base64url'),
    hexStart: `<${bytes.toString('hex').slice(0, 1000)}`,
    hexEnd: `${bytes.toString('hex').slice(1000)}>`,
    plain: planted,
    utf16: Array.from(utf16),
    hexAscii: Array.from(Buffer.from(bytes.toString('hex'), 'latin1')),
    biscuit: Array.from(Buffer.from(planted.slice('abs0_'.length + 8), 'base64url')),
  });

  const { findings, coverage } = await scanPageMemory(page, { key, planted });
  const report = [
    `scanned: ${JSON.stringify(coverage)}`,
    ...describeFindings(findings).map((line) => `found ${line}`),
  ];
  await testInfo.attach('memory scan', { body: report.join('\n'), contentType: 'text/plain' });

  // The scans saw the page: its main realm, the app's WebAssembly memory, a heap with content.
  expect(coverage.mainRealm, 'the buffers were scanned in the page\'s main realm').toBe(true);
  expect(coverage.wasmMemories, 'the app\'s WebAssembly memory was scanned').toBeGreaterThan(0);
  expect(coverage.heapStrings, 'the heap snapshot has strings').toBeGreaterThan(1000);
  // A buffer the scan could not reach is not proven clean.
  expect(coverage.unreachedArrayBuffers, `ArrayBuffers not scanned\n${report.join('\n')}`).toEqual([]);

  const control = new Set(findings.filter((f) => f.secret === 'planted').map((f) => `${f.encoding} in ${f.place}`));
  expect(CONTROL.filter((where) => !control.has(where)), `the positive control missed these\n${report.join('\n')}`).toEqual([]);

  // The report (what was scanned, what the control found) goes with a failure: it names
  // encodings, places and offsets, never a byte of the key.
  expect(describeFindings(findings.filter((f) => f.secret === 'key')), `copies of the key held by the page\n${report.join('\n')}`).toEqual([]);
});
