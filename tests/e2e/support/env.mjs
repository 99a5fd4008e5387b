// Ports apart from the README's run command (8080/8787), so both can run at once.
//
// The suite runs in parallel workers, each against its own double and app server: tests change
// the double's state (revocations, faults, CORS), so two workers must never share one.
// Playwright gives each worker process a TEST_PARALLEL_INDEX in 0..workers-1; the config
// (index unset) starts one pair of servers per index.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const WORKERS = Number(process.env.E2E_WORKERS ?? 3);
// Moves every port by this much, so two checkouts can run their suites side by side. Use
// multiples of 1000: the ports of one checkout span 18080..18789, so smaller steps collide.
export const PORT_OFFSET = Number(process.env.E2E_PORT_OFFSET ?? 0);
export const E2E_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** The ports and files of worker slot `index`. */
export function slot(index) {
  const apiPort = 18787 + PORT_OFFSET + index;
  return {
    apiPort,
    appPort: 18080 + PORT_OFFSET + index,
    apiBase: `http://127.0.0.1:${apiPort}`,
    // "Another host" for tests of where a key must not go (support/recorder.mjs): allowed by
    // the CSP, so that only the app's own rules keep the key from it.
    foreignPort: 18700 + PORT_OFFSET + index,
    // A bare static host (no security headers) serving the same build: what holds there is
    // only what the build wrote into the page.
    staticPort: 18180 + PORT_OFFSET + index,
    // Outside test-results/, which Playwright empties when it starts.
    keysFile: path.join(E2E_DIR, `.demo-keys-${index}.json`),
  };
}

const mine = slot(Number(process.env.TEST_PARALLEL_INDEX ?? 0));
export const API_PORT = mine.apiPort;
export const APP_PORT = mine.appPort;
export const API_BASE = mine.apiBase;
export const APP_BASE = `http://127.0.0.1:${APP_PORT}`;
export const KEYS_FILE = mine.keysFile;
export const FOREIGN_PORT = mine.foreignPort;
export const FOREIGN_BASE = `http://127.0.0.1:${FOREIGN_PORT}`;
export const STATIC_BASE = `http://127.0.0.1:${mine.staticPort}`;
export const SCREENSHOT_DIR = path.join(E2E_DIR, 'screenshots');
