// A small HTTP proxy in front of the local S3 that counts what each tool sends: requests by
// method and request-body bytes. Used by the benchmarks to compare tools on the same wire.
// (The leading _ keeps `npm run bench` from running this helper as a benchmark of its own.)
import http from 'node:http';

/**
 * @param {string} target base URL of the real endpoint, e.g. http://127.0.0.1:5000
 * @returns {Promise<{url: string, snapshot: () => {requests: number, byMethod: Record<string, number>, bodyBytes: number}, reset: () => void, stop: () => Promise<void>}>}
 */
export async function startCountingProxy(target) {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  let counts = { requests: 0, byMethod: {}, bodyBytes: 0 };
  const server = http.createServer((req, res) => {
    counts.requests++;
    counts.byMethod[req.method] = (counts.byMethod[req.method] ?? 0) + 1;
    const headers = { ...req.headers };
    // The proxy already answered 100-continue to the client; the upstream gets the body at once.
    delete headers.expect;
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers,
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(error));
    });
    req.on('data', (chunk) => (counts.bodyBytes += chunk.length));
    req.pipe(forward);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${port}`,
    snapshot: () => ({ ...counts, byMethod: { ...counts.byMethod } }),
    reset: () => {
      counts = { requests: 0, byMethod: {}, bodyBytes: 0 };
    },
    stop: () =>
      new Promise((resolve) => {
        agent.destroy();
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
