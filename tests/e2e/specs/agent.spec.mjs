// Issue #19: the key agent (a Web Worker) holds the keys and makes every request that carries
// one. When it crashes or is stopped, the page notices, locks and says so, instead of hanging;
// unlocking again starts a new agent.
import { test, expect, appUrl, demoKey, screenshot } from '../support/fixtures.mjs';
import { addFirstKey, resetDouble, unlock, PASSPHRASE } from '../support/flows.mjs';

test.beforeEach(async ({ request }) => resetDouble(request));

const STOPPED = 'The part of the app that holds your keys stopped unexpectedly, so the keyring was locked. Unlock again to continue.';

/** The agent that holds the keys now: the one worker the page runs once unlocked. */
async function theAgent(page) {
  await expect.poll(() => page.workers().length, { message: 'the key agent runs' }).toBeGreaterThan(0);
  const workers = page.workers();
  expect(workers, 'one agent per keyring').toHaveLength(1);
  return workers[0];
}

async function expectLockedBecauseStopped(page) {
  await expect(page.getByRole('heading', { name: 'Unlock your keyring' })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByText(STOPPED)).toBeVisible();
  await expect(page.getByRole('table')).toHaveCount(0);
}

async function unlockAgain(page) {
  await unlock(page, PASSPHRASE);
  await expect(page.getByLabel('Key in use')).toContainText('lab member', { timeout: 20_000 });
  await expect(page.getByRole('table')).toBeVisible({ timeout: 20_000 });
}

test('an agent that crashes locks the page with a message, and unlocking starts a new one', async ({ page, pageProblems }) => {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  await expect(page.getByRole('table')).toBeVisible({ timeout: 20_000 });
  const agent = await theAgent(page);
  // An uncaught error in the worker, as a trap in its WebAssembly would raise.
  await agent.evaluate(() => setTimeout(() => { throw new Error('deliberate crash of the key agent'); }));
  await expectLockedBecauseStopped(page);
  await screenshot(page, 'agent-crashed');
  // The worker's uncaught error is reported to the page's console: expected here.
  pageProblems.splice(0, pageProblems.length, ...pageProblems.filter((p) => !/deliberate crash of the key agent/.test(p)));
  await unlockAgain(page);
});

test('an agent stopped without a word (closed, terminated) is noticed by its silence: the page locks with a message', async ({ page }) => {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  await expect(page.getByRole('table')).toBeVisible({ timeout: 20_000 });
  const agent = await theAgent(page);
  const closed = new Promise((resolve) => agent.once('close', resolve));
  // `close()` from inside sends nothing to the page: only the missed pings can tell.
  await agent.evaluate(() => self.close()).catch(() => {});
  await closed;
  await expectLockedBecauseStopped(page);
  await unlockAgain(page);
});

test('a request waiting on an agent that dies ends, and the page does not hang', async ({ page }) => {
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  await expect(page.getByRole('table')).toBeVisible({ timeout: 20_000 });
  const agent = await theAgent(page);
  // The agent stops answering anything (its message handler gone), then the tokens are
  // refreshed: the request waits on the agent, the pings go unanswered, the page locks.
  await agent.evaluate(() => { self.onmessage = null; });
  await page.getByRole('button', { name: 'Refresh' }).first().click();
  await expectLockedBecauseStopped(page);
  await unlockAgain(page);
});

test('a host page where the key agent cannot start gets no keyring, and is told why: the page never holds the keys instead', async ({ page, pageProblems }) => {
  await page.goto('/examples/');
  // mount() in light DOM with a worker URL that does not exist (a host's typo, or a policy that
  // blocks it): the agent cannot run.
  await page.evaluate(async () => {
    const { default: init, mount } = await import('/embed/foundry_keyring.js');
    await init();
    const host = document.createElement('div');
    host.id = 'no-agent';
    document.body.prepend(host);
    window.__noAgent = mount(host, { storageNamespace: 'no-agent', workerUrl: '/embed/no-such-agent_loader.js' });
  });
  const form = page.locator('#no-agent');
  await form.getByLabel('Paste your key').fill(demoKey('member'));
  await form.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await form.getByLabel('Confirm passphrase').fill(PASSPHRASE);
  await form.getByRole('button', { name: 'Save key' }).click();
  const alert = form.getByRole('alert').filter({ hasText: 'The keyring could not be opened here' });
  await expect(alert).toBeVisible({ timeout: 20_000 });
  await expect(alert).toContainText('could not run');
  expect(await page.evaluate(() => localStorage.getItem('foundry-keyring/no-agent/keyring')), 'nothing stored').toBeNull();
  expect(await page.evaluate(() => window.__noAgent.unlocked)).toBe(false);
  await screenshot(page, 'agent-unavailable');
  // The missing script is the browser's 404, reported as such.
  pageProblems.splice(0, pageProblems.length, ...pageProblems.filter((p) => !/no-such-agent/.test(p)));
});
