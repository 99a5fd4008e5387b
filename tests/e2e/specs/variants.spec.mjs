// The app against every variant of the API the double plays (tests/double/README.md,
// "Variants"): who the key is, the table, a restricted token, a revocation and one error each,
// with the error body in a different published form per variant. What a person sees must not
// depend on which API version answered.
import { test, expect, appUrl, demoKey, screenshot } from '../support/fixtures.mjs';
import { addFirstKey, createReadOnlyToken, injectFault, resetDouble, setVariant, setErrorBody } from '../support/flows.mjs';
import { API_BASE } from '../support/env.mjs';

test.beforeEach(async ({ request }) => resetDouble(request));

// Each variant, the error-body form its error is answered in, and what the table says about
// where filtering happens.
const VARIANTS = [
  { variant: 'seed', errorBody: 'message', mode: 'Filtered and sorted by the server.', counted: true },
  { variant: 'april', errorBody: 'auto', mode: /^Filtered and sorted in the browser/, counted: false },
  { variant: 'july', errorBody: 'detail', mode: /^Filtered and sorted in the browser/, counted: true },
  { variant: 'september', errorBody: 'text', mode: /^Filtered and sorted in the browser/, counted: true },
];

for (const { variant, errorBody, mode, counted } of VARIANTS) {
  test(`${variant}: whoami, table, a restricted token, revoke, and a ${errorBody} error body`, async ({ page, request }) => {
    await setVariant(request, variant);
    const key = demoKey('member');
    await page.goto(appUrl());
    await addFirstKey(page, { key });

    // Who the key is and what it may do.
    await expect(page.getByRole('region', { name: 'What this key may do' })).toBeVisible({ timeout: 20_000 });
    // The table, and where it was filtered.
    await expect(page.getByRole('table').locator('tbody tr').first()).toBeVisible({ timeout: 20_000 });
    await expect(page.getByText(mode)).toBeVisible({ timeout: 20_000 });

    // A restricted token is shown once, whether or not the API sent its id (April did not).
    const dialog = await createReadOnlyToken(page, `${variant} reader`);
    await expect(dialog.getByLabel('New token')).toHaveValue(/^abs0_/);
    await screenshot(page, `variants-${variant}-created`);
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.getByRole('button', { name: 'Close without keeping it' }).click();
    await expect(dialog).toBeHidden();

    // Revoke: the count when the API gave one, and an honest "did not say" when it did not.
    await page.getByRole('button', { name: 'Revoke this key…' }).click();
    const revoke = page.getByRole('dialog', { name: "Revoke this key and every token made from it?" });
    await revoke.getByLabel("Type the key's label to confirm").fill('lab member');
    await revoke.getByRole('button', { name: 'Revoke this key' }).click();
    const done = revoke.getByRole('status').filter({ hasText: 'Revoked' });
    await expect(done).toBeVisible();
    if (counted) {
      await expect(done).toContainText(/newly revoked/);
    } else {
      await expect(done).toContainText('the API did not say how many');
    }
    await screenshot(page, `variants-${variant}-revoked`);

    // The next call is refused: the server's own words and a request id, in whatever body form.
    await setErrorBody(request, errorBody);
    await revoke.getByRole('button', { name: 'Close' }).click();
    const problem = page.getByRole('alert').filter({ hasText: 'token revoked' }).first();
    await expect(problem).toBeVisible({ timeout: 20_000 });
    await expect(problem).toContainText('This key was revoked');
    await expect(problem.locator('.fk-request-id')).toHaveText(/^req_/);
  });
}

test('september: a payment policy shows as a restriction, never as an unrestricted token', async ({ page, request }) => {
  await setVariant(request, 'september');
  const member = demoKey('member');
  // A restricted token with a payment policy, made by another client of the same account.
  const made = await request.post(`${API_BASE}/api/v1/tokens/attenuate`, {
    headers: { authorization: `Bearer ${member}` },
    data: { token: member, name: 'billing robot', attenuation: { non_destructive: true, payment_policy: { max_spend_usd: 250 } } },
  });
  expect(made.status()).toBe(201);
  await page.goto(appUrl());
  await addFirstKey(page, { key: member });
  await page.getByRole('button', { name: 'Advanced filter' }).click();
  await page.getByLabel('Filter expression').fill('contains(name,billing)');
  await page.getByRole('button', { name: 'Apply' }).click();
  const row = page.getByRole('row', { name: /billing robot/ });
  await expect(row).toHaveCount(1, { timeout: 20_000 });
  await expect(row).toContainText('Non-destructive (no delete); a payment policy');
  await row.getByText('As sent by the API').click();
  await expect(row).toContainText('payment policy: {"max_spend_usd":250}');
  await screenshot(page, 'variants-september-payment-policy');
});

test('seed: an admin sees their own tokens, and another user\'s only by filtering on user_id', async ({ page, request }) => {
  const keys = await (await request.get(`${API_BASE}/__control/keys`)).json();
  const member = keys.keys.find((k) => k.label === 'member');
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('admin') });
  const range = page.getByText(/^1–\d+ of [\d,]+$/).first();
  await expect(range).toBeVisible({ timeout: 20_000 });
  const own = Number((await range.textContent()).split(' of ')[1].replace(/,/g, ''));
  expect(own, 'an admin\'s own tokens, not every user\'s').toBeLessThan(100);
  await page.getByRole('button', { name: 'Advanced filter' }).click();
  await page.getByLabel('Filter expression').fill(`eq(user_id,${member.user})`);
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect.poll(async () => (await range.textContent()).split(' of ')[1], { timeout: 20_000 }).not.toBe(String(own));
  await expect(page.getByText('Filtered and sorted by the server.')).toBeVisible();
});

test('a token state this client does not know is shown as sent, and the page still reads', async ({ page, request }) => {
  // The seed publishes three states; an API of another version may send a fourth. The row
  // keeps the word it was sent, is never shown as active, and the rest of the page reads.
  await setVariant(request, 'seed');
  await injectFault(request, {
    kind: 'json',
    path: '/api/v1/tokens',
    body: {
      items: [
        { id: 'tok_suspended', name: 'paused robot', status: 'suspended', token_type: 'user', created_at: '2026-09-01T00:00:00Z' },
        { id: 'tok_active', name: 'bench reader', status: 'active', token_type: 'user', created_at: '2026-08-01T00:00:00Z' },
      ],
      count: 2,
      offset: 0,
      total: 2,
    },
  });
  await page.goto(appUrl());
  await addFirstKey(page, { key: demoKey('member') });
  const table = page.getByRole('table');
  const suspended = table.getByRole('row').filter({ hasText: 'paused robot' });
  await expect(suspended).toBeVisible({ timeout: 20_000 });
  await expect(suspended.getByRole('cell', { name: 'suspended', exact: true })).toBeVisible();
  await expect(suspended).not.toContainText('active');
  await expect(table.getByRole('row').filter({ hasText: 'bench reader' })).toContainText('active');
  await expect(page.getByRole('alert').filter({ hasText: 'Unexpected answer' })).toHaveCount(0);
  await screenshot(page, 'variants-unknown-status');
});
