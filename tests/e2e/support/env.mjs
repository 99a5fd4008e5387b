// Ports apart from the README's run command (8080/8787), so both can run at once.
//
// The suite runs in parallel workers, each against its own double and app server: tests change
// the double's state (revocations, faults, CORS), so two workers must never share one.
// Playwright gives each worker process a TEST_PARALLEL_INDEX in 0..workers-1; the config
// (index unset) starts one pair of servers per index.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const WORKERS = Number(process.env.E2E_WORKERS ?? 3);
export const E2E_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** The ports and files of worker slot `index`. */
export function slot(index) {
  const apiPort = 18787 + index;
  return {
    apiPort,
    appPort: 18080 + index,
    apiBase: `http://127.0.0.1:${apiPort}`,
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
export const SCREENSHOT_DIR = path.join(E2E_DIR, 'screenshots');
