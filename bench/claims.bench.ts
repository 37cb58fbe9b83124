// Claim intake per second (issue 4 goal: at least half the rate of plain single-row insert
// transactions on the same database in the same run). Each intake is one full transaction: the
// order number (counter row), the engine's provisional decision, the order row, its clocks and their
// timers (graphile-worker jobs), the audit event, the order-page token and the outbox row.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.ts';
import { ensureDatabase } from '../src/db/database.ts';
import { startEmbedded, type EmbeddedServer } from '../src/db/embedded.ts';
import { uuidv7 } from '../src/db/ids.ts';
import { createDb } from '../src/db/index.ts';
import { migrate } from '../src/db/migrate.ts';
import { seedDemoIfEmpty } from '../src/modules/demo/demo.seed.ts';
import { insertClaim } from '../src/modules/service-orders/service-orders.service.ts';
import { systemActor } from '../src/core/actor.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);

/**
 * CPU seconds used so far by PostgreSQL's processes (any process named postgres*, read from /proc;
 * undefined where there is no /proc) and by this process: where an operation's cost goes.
 */
function cpuNow(): { postgres?: number; node: number } {
  const usage = process.cpuUsage();
  const node = (usage.user + usage.system) / 1e6;
  if (!fs.existsSync('/proc/self/stat')) return { node };
  const tick = 100; // USER_HZ on Linux
  let postgres = 0;
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // the process ended meanwhile
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    if (!name.startsWith('postgres')) continue;
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    postgres += (Number(f[11]) + Number(f[12])) / tick;
  }
  return { postgres, node };
}

interface Rate {
  perSecond: number;
  /** CPU per operation, in ms: PostgreSQL's processes and this Node process (all its threads). */
  cpuMs: { postgres?: number; node: number };
}

async function rate(fn: () => Promise<unknown>): Promise<Rate> {
  for (let i = 0; i < 20; i++) await fn(); // warm-up
  let n = 0;
  const until = performance.now() + SECONDS * 1000;
  const c0 = cpuNow();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        await fn();
        n++;
      }
    }),
  );
  const perSecond = n / ((performance.now() - t0) / 1000);
  const c1 = cpuNow();
  const per = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : ((a - b) * 1000) / n);
  return { perSecond, cpuMs: { postgres: per(c1.postgres, c0.postgres), node: per(c1.node, c0.node)! } };
}

export async function run() {
  const config = loadConfig();
  let embedded: EmbeddedServer | undefined;
  let dir: string | undefined;
  let url: string;
  const dbName = `aftercare_bench_claims_${process.pid}`;
  if (config.databaseUrl) {
    await ensureDatabase(config.databaseUrl, dbName);
    const u = new URL(config.databaseUrl);
    u.pathname = `/${dbName}`;
    url = u.toString();
  } else {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aftercare-bench-'));
    embedded = await startEmbedded({ dataDir: path.join(dir, 'pg') });
    await ensureDatabase(embedded.url('postgres'), dbName);
    url = embedded.url(dbName);
  }
  const h = createDb(url, CONCURRENCY);
  try {
    await migrate(url);
    await seedDemoIfEmpty(h.db);
    await sql`create table if not exists bench_plain (id uuid primary key, organization_id uuid not null, payload jsonb not null, created_at timestamptz not null default now())`.execute(h.db);
    const org = await h.db.selectFrom('organizations').select('id').where('slug', '=', 'itema-pg').executeTakeFirstOrThrow();
    const dev = await h.db.selectFrom('devices').select(['id', 'customer_id']).where('serial', '=', 'DEMO-ITEMA-LAPTOP').executeTakeFirstOrThrow();
    const actor = systemActor(org.id, 'bench');

    const plain = () => h.db.transaction().execute((tx) => tx.insertInto('bench_plain' as never).values({ id: uuidv7(), organization_id: org.id, payload: JSON.stringify({ problem: 'x' }) } as never).execute());
    const intake = () =>
      h.db.transaction().execute((tx) => insertClaim(tx, actor, { channel: 'api', deviceId: dev.id, customerId: dev.customer_id!, problem: 'Не зарежда', proofs: { warrantyCard: true } }, new Date()));

    const base = await rate(plain);
    const claims = await rate(intake);
    const clocks = await h.db.selectFrom('clocks').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const cpu = (r: Rate) => `CPU per transaction: PostgreSQL ${r.cpuMs.postgres?.toFixed(2) ?? '?'} ms, Node ${r.cpuMs.node.toFixed(2)} ms`;
    console.log(`plain single-row insert transactions: ${base.perSecond.toFixed(0)}/s   (${cpu(base)})`);
    console.log(`claim intake (decision, order, clocks + timers, audit, token, outbox): ${claims.perSecond.toFixed(0)}/s   (${cpu(claims)})`);
    console.log(`ratio: ${(claims.perSecond / base.perSecond).toFixed(2)} (goal >= 0.5); ${clocks.n} clock rows written; concurrency ${CONCURRENCY}, ${SECONDS} s each`);
    if (base.cpuMs.postgres !== undefined && claims.cpuMs.postgres !== undefined) {
      const total = (r: Rate) => r.cpuMs.postgres! + r.cpuMs.node;
      console.log(`CPU per intake / per plain insert: ${(total(claims) / total(base)).toFixed(1)}x (the rate on ${os.cpus().length} shared cores follows it)`);
    }
  } finally {
    await h.close();
    await embedded?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}
