// End-to-end suite: Debian's Chromium (no browser download) against the release build of the
// app, served with its production headers, and a fresh local Foundry double per worker.
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { E2E_DIR, WORKERS, slot } from './support/env.mjs';

// Absolute, so `.ci/run` stops this checkout's servers and no other's.
const ROOT = path.resolve(E2E_DIR, '../..');

const servers = Array.from({ length: WORKERS }, (_, index) => slot(index)).flatMap((s) => [
  {
    command: `${ROOT}/target/debug/foundry-double --addr 127.0.0.1:${s.apiPort} --keys-out ${s.keysFile}`,
    url: `${s.apiBase}/api/v1/info/health`,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
  },
  {
    command: `python3 ${ROOT}/.ci/serve_app.py --dir ${ROOT}/dist --port ${s.appPort} --api ${s.apiBase} --also-api http://127.0.0.1:${s.foreignPort} --mount examples=../embed`,
    url: `http://127.0.0.1:${s.appPort}/`,
    reuseExistingServer: false,
  },
  {
    command: `python3 ${ROOT}/.ci/serve_app.py --dir ${ROOT}/dist --port ${s.staticPort} --no-headers`,
    url: `http://127.0.0.1:${s.staticPort}/`,
    reuseExistingServer: false,
  },
]);

export default defineConfig({
  testDir: './specs',
  outputDir: './test-results',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // E2E_WORKERS (default 3) workers, each with its own double and app server
  // (support/env.mjs); every spec resets its double before each test, so tests of one file
  // may run on different workers.
  workers: WORKERS,
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  use: {
    // Each worker's own app server: the fixtures set baseURL from support/env.mjs.
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic',
        '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
      ],
    },
  },
  webServer: servers,
});
