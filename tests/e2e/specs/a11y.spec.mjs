// Accessibility: an automated WCAG 2.1 A/AA scan (axe-core, from the npm registry) of each main
// screen in both themes, with zero violations. It complements the keyboard walk-throughs in
// foundation.spec.mjs: axe finds contrast, names, roles and structure, not whether a flow makes
// sense with a keyboard.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { test, expect, appUrl, demoKey, screenshot } from '../support/fixtures.mjs';
import { addFirstKey, resetDouble, unlock } from '../support/flows.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

test.beforeEach(async ({ request }) => resetDouble(request));

/** Runs axe on the page as it is now. The source is evaluated through the DevTools protocol,
 *  which the page's CSP does not govern, so the page keeps its real policy during the scan. */
async function violations(page) {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      rule: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} :: ${n.failureSummary.replace(/\s+/g, ' ')}`),
    }));
  });
}

async function expectAccessible(page, screen) {
  // Transitions finish before colours are measured.
  await page.waitForTimeout(250);
  const found = await violations(page);
  expect(found, `${screen}: WCAG A/AA violations`).toEqual([]);
}

for (const theme of ['light', 'dark']) {
  test(`every main screen passes an automated WCAG AA scan in the ${theme} theme`, async ({ page }) => {
    await page.goto(appUrl(`?theme=${theme}`));
    await expect(page.getByRole('heading', { name: 'Foundry Keyring' })).toBeVisible();
    await expectAccessible(page, `${theme}: first visit`);

    await addFirstKey(page, { key: demoKey('member') });
    await expect(page.getByRole('table').locator('tbody tr').first()).toBeVisible({ timeout: 20_000 });
    await expectAccessible(page, `${theme}: unlocked, identity, permissions and tokens`);
    await screenshot(page, `a11y-${theme}-unlocked`);

    await page.getByRole('button', { name: 'Create a restricted token…' }).click();
    const create = page.getByRole('dialog', { name: 'Create a restricted token' });
    await expect(create).toBeVisible();
    await expectAccessible(page, `${theme}: restricted-token dialog`);
    await create.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('button', { name: /^Revoke this key/ }).first().click();
    const revoke = page.getByRole('dialog', { name: /Revoke/ });
    await expect(revoke).toBeVisible();
    await expectAccessible(page, `${theme}: revoke dialog`);
    await revoke.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('button', { name: 'Settings' }).click();
    await expectAccessible(page, `${theme}: settings`);
    await page.keyboard.press('Escape');

    await page.reload();
    await expect(page.getByLabel('Passphrase', { exact: true })).toBeVisible();
    await expectAccessible(page, `${theme}: locked`);
    await unlock(page);
    await expect(page.getByRole('table')).toBeVisible({ timeout: 20_000 });
  });
}
