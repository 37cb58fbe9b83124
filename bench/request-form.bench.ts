// The public request form under load (issue 15): a health check's p99 while 16 connections download
// the warranty request form (the QR target on every warranty card), divided by its p99 idle, both
// measured against the same server process in the same run. Goal: <= 2.
//
// Three loads: the issue's case, one anonymous client with 16 connections (after its 30 forms a
// minute it gets 429s); 16 connections from random client addresses (X-Forwarded-For; the server
// runs with TRUST_PROXY=true), so the per-address limit never applies, served from the cache (the
// form is drawn once per business and language in the render pool); the same with
// DOCUMENT_CACHE_ENTRIES=0, so every request renders a PDF in the worker threads: what rendering
// off the event loop alone buys. The load comes from a separate process (bench/lib/load.ts); the
// prober is one client asking /api/v1/health one request at a time, 5 ms apart. A yardstick in the
// same run: 16 connections of the health check itself, the cheapest request there is.
import os from 'node:os';
import { createDb } from '../src/db/index.ts';
import { seedDemoIfEmpty } from '../src/modules/demo/demo.seed.ts';
import { benchDatabase, fmt, probe, startServer, type Latency } from './lib/harness.ts';
import { runLoad, type LoadResult } from './lib/run-load.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 16;
const PATHS = ['itema-pg', 'itmall', 'vn'].flatMap((org) => ['en', 'bg', 'vi'].map((lang) => `/api/v1/documents/warranty-request-form.pdf?org=${org}&lang=${lang}`));

/** One server; its health p99 idle, then under each load (one client, or random client addresses). */
async function scenario(url: string, env: Record<string, string>, loads: { randomClient: boolean; paths?: string[] }[]) {
  const server = await startServer({ DATABASE_URL: url, TRUST_PROXY: 'true', ...env });
  try {
    const health = `${server.base}/api/v1/health`;
    const first = await fetch(`${server.base}${PATHS[0]}`, { headers: { 'x-forwarded-for': '10.255.0.1' } });
    if (first.status !== 200) throw new Error(`request form: ${first.status} ${await first.text()}`);
    await runLoad({ url: server.base, paths: PATHS, connections: CONNECTIONS, seconds: 2, randomClient: true }); // warm-up
    await probe(health, 1);
    const idle = await probe(health, SECONDS);
    const out = [];
    for (const l of loads) {
      const load = runLoad({ url: server.base, paths: l.paths ?? PATHS, connections: CONNECTIONS, seconds: SECONDS + 2, randomClient: l.randomClient });
      await new Promise((r) => setTimeout(r, 1000)); // the load generator's start-up
      const loaded = await probe(health, SECONDS);
      out.push({ idle, loaded, pdf: await load });
    }
    return out;
  } finally {
    await server.stop();
  }
}

const row = (name: string, r: { idle: Latency; loaded: Latency; pdf: LoadResult }) => {
  const ratio = r.loaded.p99 / r.idle.p99;
  const codes = Object.entries(r.pdf.statusCodes).map(([c, v]) => `${c}: ${v.count}`).join(', ');
  console.log(
    `| ${name} | ${Math.round(r.pdf.rps)} | ${r.pdf.p50} / ${r.pdf.p99} | ${codes}${r.pdf.errors + r.pdf.timeouts ? `, errors ${r.pdf.errors + r.pdf.timeouts}` : ''} | ${fmt(r.idle.p50)} / ${fmt(r.idle.p99)} | ${fmt(r.loaded.p50)} / ${fmt(r.loaded.p99)} | **${ratio.toFixed(2)}** ${ratio <= 2 ? '(met)' : '(NOT met)'} |`,
  );
};

export async function run(): Promise<void> {
  const db = await benchDatabase('form');
  try {
    const h = createDb(db.url, 2);
    await seedDemoIfEmpty(h.db);
    await h.close();
    const [one, many, yardstick] = await scenario(db.url, {}, [{ randomClient: false }, { randomClient: true }, { randomClient: false, paths: ['/api/v1/health'] }]);
    const [rendering] = await scenario(db.url, { DOCUMENT_CACHE_ENTRIES: '0' }, [{ randomClient: true }]);
    console.log(`\n## The public request form under load (${CONNECTIONS} connections, ${SECONDS} s per phase)`);
    console.log(`machine: ${os.availableParallelism()} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (other work on the machine counts in every figure)\n`);
    console.log('| load | answers/s | p50 / p99 ms | statuses | health idle p50 / p99 ms | health under load p50 / p99 ms | p99 loaded ÷ idle (goal ≤ 2) |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    row('one anonymous client (one address), 16 connections: the issue’s case', one);
    row('16 connections, each request from a random address; the cached form', many);
    row('yardstick: 16 connections of GET /api/v1/health itself (what any saturating load does here)', yardstick);
    row('16 connections, random addresses; every request rendered in the pool (DOCUMENT_CACHE_ENTRIES=0)', rendering);
  } finally {
    await db.drop();
  }
}
