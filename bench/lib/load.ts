// A load generator in a process of its own (so it does not share the bench's event loop with the
// prober): `node bin/run-ts.mjs bench/lib/load.ts <json options>` runs autocannon and prints its
// result as one JSON line. `randomClient: true` sends each request from a random X-Forwarded-For
// address (the server runs with TRUST_PROXY=true), as many clients scanning a QR code would.
import autocannon from 'autocannon';

const opts = JSON.parse(process.argv[2]) as { url: string; paths: string[]; connections: number; seconds: number; randomClient?: boolean; headers?: Record<string, string> };
const ip = () => `10.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;
const result = await new Promise<autocannon.Result>((resolve, reject) =>
  autocannon(
    {
      url: opts.url,
      connections: opts.connections,
      duration: opts.seconds,
      headers: opts.headers,
      requests: [
        {
          method: 'GET',
          setupRequest: (req) => ({
            ...req,
            path: opts.paths[Math.floor(Math.random() * opts.paths.length)],
            headers: { ...req.headers, ...(opts.randomClient ? { 'x-forwarded-for': ip() } : {}) },
          }),
        },
      ],
    },
    (err, res) => (err ? reject(err) : resolve(res)),
  ),
);
console.log(JSON.stringify({ rps: result.requests.average, total: result.requests.total, non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, p50: result.latency.p50, p99: result.latency.p99, statusCodes: result.statusCodeStats }));
