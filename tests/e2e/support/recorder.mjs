// "Another host": a plain HTTP server that records every request it gets and answers each
// with an empty 200 that any origin may read. Tests point redirects, crafted links and the
// like at it, then assert what reached it (nothing, for a key that must not go there).
import http from 'node:http';
import { FOREIGN_PORT } from './env.mjs';

/** Starts the recorder on this worker's foreign port; `await rec.close()` when done. `page`
 *  makes it answer every request with that HTML instead (a stand-in for an attacker's site). */
export async function startRecorder(port = FOREIGN_PORT, { page } = {}) {
  const hits = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      hits.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.writeHead(200, {
        'access-control-allow-origin': '*',
        'access-control-allow-headers': '*',
        'access-control-allow-methods': '*',
        'content-type': page ? 'text/html' : 'application/json',
      });
      res.end(page ?? '{}');
    });
  });
  await listenOn(server, port);
  return {
    base: `http://127.0.0.1:${port}`,
    /** Every request so far (method, url, headers, body), preflights included. */
    hits: () => [...hits],
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

/** Listens on `port`, waiting up to 5 s while it is still taken: a worker that Playwright
 *  replaced after a failure may still be closing its recorder on the same port (the port is
 *  per worker slot, not per process). Any other error, or a port still taken, fails the test. */
async function listenOn(server, port) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve(); });
      });
      return;
    } catch (error) {
      if (error.code !== 'EADDRINUSE' || attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
