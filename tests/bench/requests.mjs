// For .ci/check-size: which files the browser requests, and when. One cold run of the bench's
// first-load part (tests/bench/firstload.mjs: first visit and returning visit), on loopback;
// writes every request with its phase (before_ready, to_unlocked, later) as JSON.
//
// node tests/bench/requests.mjs --app http://127.0.0.1:29080 --api http://127.0.0.1:29787 --out requests.json
//   --bypass-csp   for a build whose <meta> CSP does not name --api (which files are requested
//                  does not depend on it)
import fs from 'node:fs';
import { arg } from './stats.mjs';
import { demoToken, launchChromium } from './setup.mjs';
import { LOOPBACK, coldRun } from './firstload.mjs';

const APP = arg('app', 'http://127.0.0.1:29080');
const API = arg('api', 'http://127.0.0.1:29787');
const OUT = arg('out', 'requests.json');
const bypassCSP = process.argv.includes('--bypass-csp');

const key = await demoToken(API, 'member');
const browser = await launchChromium();
try {
  const run = await coldRun(browser, { app: APP, api: API, key, network: LOOPBACK, bypassCSP });
  fs.writeFileSync(OUT, JSON.stringify({ chromium: browser.version(), bypassCSP, ...run }, null, 2));
} finally {
  await browser.close();
}
