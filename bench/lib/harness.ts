// What the benches that run the real server share: a database of their own (on the embedded
// PostgreSQL the bench starts, or a new database on the server at DATABASE_URL), `aftercare start`
// as a child process, and a latency prober that measures one endpoint at a steady pace.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../src/config.ts';
import { ensureDatabase } from '../../src/db/database.ts';
import { freePort, startEmbedded, type EmbeddedServer } from '../../src/db/embedded.ts';
import { migrate } from '../../src/db/migrate.ts';

export interface BenchDatabase {
  url: string;
  /** The embedded server this bench started (its processes are the only ones it may count). */
  embedded?: EmbeddedServer;
  dataDir?: string;
  drop(): Promise<void>;
}

export async function benchDatabase(name: string): Promise<BenchDatabase> {
  const config = loadConfig();
  const dbName = `aftercare_bench_${name}_${process.pid}`;
  if (config.databaseUrl) {
    await ensureDatabase(config.databaseUrl, dbName);
    const u = new URL(config.databaseUrl);
    u.pathname = `/${dbName}`;
    const url = u.toString();
    await migrate(url);
    return {
      url,
      async drop() {
        const c = new pg.Client({ connectionString: config.databaseUrl });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
        await c.end();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `aftercare-bench-${name}-`));
  const embedded = await startEmbedded({ dataDir: path.join(dir, 'pg') });
  await ensureDatabase(embedded.url('postgres'), dbName);
  const url = embedded.url(dbName);
  await migrate(url);
  return {
    url,
    embedded,
    dataDir: path.join(dir, 'pg'),
    async drop() {
      await embedded.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** 32 bytes, base64: the benches' own throwaway key (their databases are dropped after the run). */
const BENCH_SECRET_KEY = Buffer.alloc(32, 7).toString('base64');

export interface ServerProcess {
  port: number;
  base: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * `aftercare start` on a free port (or `port`), resolved once it says it is running. `benchRoutes`:
 * the same server with the bench-only minimal lookup route (bench/lib/bench-server.ts).
 */
export async function startServer(env: Record<string, string>, port?: number, opts: { benchRoutes?: boolean } = {}): Promise<ServerProcess> {
  port ??= await freePort();
  // BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the server processes.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const entry = opts.benchRoutes ? ['bin/run-ts.mjs', 'bench/lib/bench-server.ts'] : ['bin/aftercare.mjs', 'start'];
  const child = spawn(process.execPath, [...nodeArgs, ...entry], {
    // A fixed key for sealing secrets at rest (the server refuses to start without one on a DATABASE_URL).
    env: { ...process.env, AFTERCARE_DEMO: 'false', LOG_LEVEL: 'warn', AFTERCARE_SECRET_KEY: process.env.AFTERCARE_SECRET_KEY ?? BENCH_SECRET_KEY, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes('Aftercare is running at')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    child.once('exit', (code) => reject(new Error(`server exited (${code}):\n${out}`)));
  });
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

export interface Latency {
  n: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
}

export function summarize(ms: number[], errors = 0): Latency {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  return { n: s.length, p50: q(0.5), p99: q(0.99), max: s[s.length - 1] ?? NaN, errors };
}

/**
 * GETs `url` one request at a time over one kept-alive connection, `pauseMs` apart, for `seconds`:
 * the latency a single client sees (sub-millisecond resolution), not a saturating load.
 */
export async function probe(url: string, seconds: number, pauseMs = 5): Promise<Latency> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const ms: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const t0 = performance.now();
    const status = await new Promise<number>((resolve) => {
      const req = http.get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve(0));
    });
    if (status === 200) ms.push(performance.now() - t0);
    else errors++;
    await new Promise((r) => setTimeout(r, pauseMs));
  }
  agent.destroy();
  return summarize(ms, errors);
}

export const fmt = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));

/** The postmaster's process id of a data folder (first line of postmaster.pid). */
export function postmasterPid(dataDir: string): number | undefined {
  try {
    return Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds used so far by the process `root` and its children (a postmaster and its backends,
 * also those that ended),
 * read from /proc; undefined without /proc or without a root. Only the database this bench started
 * is counted, never other PostgreSQL servers on the machine.
 */
export function treeCpuSeconds(root: number | undefined): number | undefined {
  if (root === undefined || !fs.existsSync('/proc/self/stat')) return undefined;
  const tick = 100; // USER_HZ on Linux
  let total = 0;
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // the process ended meanwhile
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pid) !== root && Number(f[1]) !== root) continue;
    total += (Number(f[11]) + Number(f[12])) / tick;
    // The root's children that ended (a backend whose connection closed, an autovacuum worker) left
    // their CPU in its cutime and cstime: without them a backend ending mid-measurement made the
    // tree's CPU go down (a negative "PostgreSQL ms" per operation).
    if (Number(pid) === root) total += (Number(f[13]) + Number(f[14])) / tick;
  }
  return total;
}
