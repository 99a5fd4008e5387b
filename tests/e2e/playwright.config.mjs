// End-to-end suite: Debian's Chromium (no browser download) against the release build of the
// app, served with its production headers, and a fresh local Foundry double.
import { defineConfig } from '@playwright/test';
import { API_BASE, API_PORT, APP_PORT, KEYS_FILE } from './support/env.mjs';

export default defineConfig({
  testDir: './specs',
  outputDir: './test-results',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // Two cores: one browser at a time keeps the KDF timings and the double honest.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${APP_PORT}`,
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic',
        '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
      ],
    },
  },
  webServer: [
    {
      command: `../../target/debug/foundry-double --addr 127.0.0.1:${API_PORT} --keys-out ${KEYS_FILE}`,
      url: `${API_BASE}/api/v1/info/health`,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      command: `python3 ../../.ci/serve_app.py --dir ../../dist --port ${APP_PORT} --api ${API_BASE} --mount examples=../embed`,
      url: `http://127.0.0.1:${APP_PORT}/`,
      reuseExistingServer: false,
    },
  ],
});
