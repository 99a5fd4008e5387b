// Shared by the bench scripts: the double's demo keys and Debian's Chromium as the bench runs it.
import { chromium } from '../e2e/node_modules/playwright-core/index.mjs';

/** The demo key labelled `label` (e.g. `admin`) from the double at `api`. */
export async function demoToken(api, label) {
  const keys = await (await fetch(`${api}/__control/keys`)).json();
  const token = keys.keys.find((k) => k.label === label)?.token;
  if (!token) throw new Error(`the double has no ${label} demo key`);
  return token;
}

/** Headless /usr/bin/chromium (no browser download), without background work that skews timings. */
export function launchChromium() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run',
    ],
  });
}
