// Shared fixtures: every test fails on a console error or warning (the page's or its workers'),
// an uncaught exception or a CSP violation, and can read the double's demo keys.
import { test as base, expect } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { API_BASE, APP_BASE, KEYS_FILE, SCREENSHOT_DIR } from './env.mjs';

export { expect };

export function demoKeys() {
  return JSON.parse(fs.readFileSync(KEYS_FILE, 'utf8'));
}

export function demoKey(label) {
  const key = demoKeys().keys.find((k) => k.label === label);
  if (!key) throw new Error(`the double has no demo key labelled ${label}`);
  return key.token;
}

/** The standalone page, pointed at the test double. */
export function appUrl(query = '') {
  const params = new URLSearchParams(query);
  params.set('api', API_BASE);
  return `/?${params}`;
}

export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

// What Chromium itself says, by console message type. It logs every failed HTTP response and
// every CORS block as an error: the network's words, not the page's, and the error-path tests
// cause them on purpose.
const BROWSER_NOISE = {
  error: [
    /^Failed to load resource: the server responded with a status of \d+/,
    /^Failed to load resource: net::ERR_/,
    /has been blocked by CORS policy/,
  ],
  warning: [],
};

export const test = base.extend({
  // This worker's own app server (support/env.mjs), so relative page.goto() lands there.
  baseURL: async ({}, use) => {
    await use(APP_BASE);
  },
  // Errors the page reported; asserted empty after each test unless a test expects some.
  pageProblems: [async ({ page }, use) => {
    const problems = [];
    page.on('console', (msg) => {
      const noise = BROWSER_NOISE[msg.type()];
      if (noise && !noise.some((re) => re.test(msg.text()))) {
        problems.push(`console.${msg.type()}: ${msg.text()}`);
      }
    });
    page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
    await page.exposeFunction('__reportCspViolation', (text) => problems.push(`CSP violation: ${text}`));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__reportCspViolation(`${e.violatedDirective} blocked ${e.blockedURI}`);
      });
    });
    await use(problems);
    expect(problems, 'the page reported errors').toEqual([]);
  }, { auto: true }],
});
