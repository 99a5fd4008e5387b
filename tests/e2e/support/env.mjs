// Ports apart from the README's run command (8080/8787), so both can run at once.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const API_PORT = 18787;
export const APP_PORT = 18080;
export const API_BASE = `http://127.0.0.1:${API_PORT}`;
export const E2E_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
// Outside test-results/, which Playwright empties when it starts.
export const KEYS_FILE = path.join(E2E_DIR, '.demo-keys.json');
export const SCREENSHOT_DIR = path.join(E2E_DIR, 'screenshots');
