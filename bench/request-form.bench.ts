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

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface Round {
  idle: Latency;
  loaded: Latency;
  pdf: LoadResult;
}

/**
 * One server; for each load, ROUNDS rounds of (the health check idle, then under the load): each
 * round's ratio is its own loaded p99 ÷ its own idle p99, measured seconds apart.
 */
async function scenario(url: string, env: Record<string, string>, loads: { randomClient: boolean; paths?: string[] }[]): Promise<Round[][]> {
  const server = await startServer({ DATABASE_URL: url, TRUST_PROXY: 'true', ...env });
  try {
    const health = `${server.base}/api/v1/health`;
    const first = await fetch(`${server.base}${PATHS[0]}`, { headers: { 'x-forwarded-for': '10.255.0.1' } });
    if (first.status !== 200) throw new Error(`request form: ${first.status} ${await first.text()}`);
    await runLoad({ url: server.base, paths: PATHS, connections: CONNECTIONS, seconds: 2, randomClient: true }); // warm-up
    await probe(health, 1);
    const out: Round[][] = [];
    for (const l of loads) {
      const rounds: Round[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const idle = await probe(health, SECONDS);
        const load = runLoad({ url: server.base, paths: l.paths ?? PATHS, connections: CONNECTIONS, seconds: SECONDS + 2, randomClient: l.randomClient });
        await new Promise((r) => setTimeout(r, 1000)); // the load generator's start-up
        const loaded = await probe(health, SECONDS);
        rounds.push({ idle, loaded, pdf: await load });
      }
      out.push(rounds);
    }
    return out;
  } finally {
    await server.stop();
  }
}

const med = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const row = (name: string, rs: Round[]) => {
  const ratios = rs.map((r) => r.loaded.p99 / r.idle.p99);
  const ratio = med(ratios);
  const codes = new Map<string, number>();
  for (const r of rs) for (const [c, v] of Object.entries(r.pdf.statusCodes)) codes.set(c, (codes.get(c) ?? 0) + v.count);
  const errors = rs.reduce((a, r) => a + r.pdf.errors + r.pdf.timeouts, 0);
  const m = (f: (r: Round) => number) => fmt(med(rs.map(f)));
  console.log(
    `| ${name} | ${Math.round(med(rs.map((r) => r.pdf.rps)))} | ${m((r) => r.pdf.p50)} / ${m((r) => r.pdf.p99)} | ${[...codes].map(([c, n]) => `${c}: ${n}`).join(', ')}${errors ? `, errors ${errors}` : ''} | ${m((r) => r.idle.p50)} / ${m((r) => r.idle.p99)} | ${m((r) => r.loaded.p50)} / ${m((r) => r.loaded.p99)} | **${ratio.toFixed(2)}** (${ratios.map((x) => x.toFixed(2)).join(', ')}) ${ratio <= 2 ? '(met)' : '(NOT met)'} |`,
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
    console.log(`\n## The public request form under load (${CONNECTIONS} connections, ${SECONDS} s per phase, ${ROUNDS} rounds of idle then loaded; medians, ratio per round in brackets)`);
    console.log(`machine: ${os.availableParallelism()} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (other work on the machine counts in every figure)\n`);
    console.log('| load | answers/s | p50 / p99 ms | statuses | health idle p50 / p99 ms | health under load p50 / p99 ms | p99 loaded ÷ idle, median (each round) (goal ≤ 2) |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    row('one anonymous client (one address), 16 connections: the issue’s case', one);
    row('16 connections, each request from a random address; the cached form', many);
    row('yardstick: 16 connections of GET /api/v1/health itself (what any saturating load does here)', yardstick);
    row('16 connections, random addresses; every request rendered in the pool (DOCUMENT_CACHE_ENTRIES=0)', rendering);
  } finally {
    await db.drop();
  }
}
