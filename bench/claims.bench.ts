// Claim intake per second, against two baselines measured in the same run:
// - a replay of the intake's own SQL on raw connections (the same statements, named and prepared as
//   the app sends them, with fresh ids): the most the app code could reach (issue 10: intake ÷ replay
//   at least 0.8 at 4 and at 16 clients);
// - plain single-row insert transactions (issue 4's yardstick).
// And, per level, the Node CPU per intake (process.cpuUsage around the batch ÷ intakes), beside the
// replay's (the driver's share), and the intakes/s one process reaches when its CPU is the limit.
// And intake at 16 clients ÷ at 4 (issue 10: at least 1.0: nothing serializes the intakes of one
// business). Each intake is one full transaction: the number (the organization's sequence of the
// year), the engine's provisional decision, the order row, its clocks and timers, the audit event,
// the order-page token and the outbox row.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { postmasterPid, treeCpuSeconds } from './lib/harness.ts';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import crypto from 'node:crypto';
import { loadConfig } from '../src/config.ts';
import { ensureDatabase } from '../src/db/database.ts';
import { startEmbedded, type EmbeddedServer } from '../src/db/embedded.ts';
import { uuidv7 } from '../src/db/ids.ts';
import { createDb, type Database } from '../src/db/index.ts';
import { migrate } from '../src/db/migrate.ts';
import { seedDemoIfEmpty } from '../src/modules/demo/demo.seed.ts';
import { insertClaim } from '../src/modules/service-orders/service-orders.service.ts';
import { systemActor } from '../src/core/actor.ts';
import { orgOf, packOf } from '../src/core/organization.ts';
import { evaluatePackClock, packClockRules, packClockTimes, versionAt, type CompiledPack } from '../src/policy/index.ts';
import { jsonPlain } from '../src/core/json.ts';
import { todayIn } from '../src/core/day.ts';
import { decide } from '../src/policy/index.ts';
import { readIntake } from '../src/modules/service-orders/repository.ts';
import { claimInput } from '../src/modules/service-orders/decisions.ts';
import { toDeviceEvents, toDeviceInput } from '../src/modules/devices/devices.service.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const LEVELS = (process.env.BENCH_CONCURRENCY ?? '4,16').split(',').map(Number);

/**
 * CPU seconds used so far by the PostgreSQL server this bench started (its postmaster and backends,
 * read from /proc; undefined on a server at DATABASE_URL, whose processes are not ours to count, or
 * without /proc) and by this process: where an operation's cost goes. Other PostgreSQL servers on the
 * machine are not counted (issue 15: this used to add every process named postgres).
 */
let ownPostmaster: number | undefined;
function cpuNow(): { postgres?: number; node: number } {
  const usage = process.cpuUsage();
  const node = (usage.user + usage.system) / 1e6;
  return { postgres: treeCpuSeconds(ownPostmaster), node };
}

/**
 * Statements sent to PostgreSQL so far by this process's clients (the pool's and the replay's raw
 * ones, BEGIN and COMMIT included): each is one round trip, so the bench shows that the intake and
 * its replay send the same number.
 */
let sent = 0;
function countQueries(c: pg.Client | pg.PoolClient) {
  const query = c.query as (...args: unknown[]) => unknown;
  (c as { query: unknown }).query = function (this: unknown, ...args: unknown[]) {
    sent++;
    return query.apply(c, args);
  };
}

interface Rate {
  perSecond: number;
  /** Statements (round trips) per operation. */
  roundTrips: number;
  /** This process's CPU seconds per wall second during the measurement (1.0 = one core busy). */
  nodeBusy: number;
  /** CPU per operation, in ms: PostgreSQL's processes and this Node process (all its threads). */
  cpuMs: { postgres?: number; node: number };
}

async function rate(fn: (worker: number) => Promise<unknown>, concurrency: number): Promise<Rate> {
  await Promise.all(Array.from({ length: concurrency }, async (_, w) => {
    for (let i = 0; i < 10; i++) await fn(w); // warm-up (prepares each connection's statements)
  }));
  let n = 0;
  const until = performance.now() + SECONDS * 1000;
  const q0 = sent;
  const c0 = cpuNow();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      while (performance.now() < until) {
        await fn(w);
        n++;
      }
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  const perSecond = n / wall;
  const c1 = cpuNow();
  const per = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : ((a - b) * 1000) / n);
  return { perSecond, roundTrips: (sent - q0) / n, nodeBusy: (c1.node - c0.node) / wall, cpuMs: { postgres: per(c1.postgres, c0.postgres), node: per(c1.node, c0.node)! } };
}

/** One captured statement of the intake: its text and its parameters. */
interface Stmt {
  sql: string;
  parameters: readonly unknown[];
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const HASH = /^[0-9a-f]{64}$/;

/** The statements with fresh ids (those not in `keep`) and a fresh token hash, consistently. */
function fresh(stmts: Stmt[], keep: Set<string>) {
  const map = new Map<string, string>();
  const id = (u: string) => (keep.has(u) ? u : (map.get(u) ?? (map.set(u, uuidv7()), map.get(u)!)));
  return stmts.map((s) => ({
    text: s.sql,
    name: /^\/\* prepared: ([a-z0-9-]+) \*\//.exec(s.sql)?.[1],
    values: s.parameters.map((v) => (typeof v === 'string' ? (HASH.test(v) ? crypto.randomBytes(32).toString('hex') : v.replace(UUID, id)) : v)),
  }));
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
    ownPostmaster = postmasterPid(path.join(dir, 'pg'));
  }
  const max = Math.max(...LEVELS);
  const h = createDb(url, max);
  // After createDb's own 'connect' listener (which names the prepared statements): counts what is sent.
  h.pool.on('connect', countQueries);
  const raw: pg.Client[] = [];
  try {
    await migrate(url);
    await seedDemoIfEmpty(h.db, new Date('2026-11-21T08:00:00Z'));
    await sql`create table if not exists bench_plain (id uuid primary key, organization_id uuid not null, payload jsonb not null, created_at timestamptz not null default now())`.execute(h.db);
    const org = await h.db.selectFrom('organizations').select('id').where('slug', '=', 'itema-pg').executeTakeFirstOrThrow();
    const dev = await h.db.selectFrom('devices').select(['id', 'customer_id']).where('serial', '=', 'DEMO-ITEMA-LAPTOP').executeTakeFirstOrThrow();
    const actor = systemActor(org.id, 'bench');
    const claim = { channel: 'api' as const, deviceId: dev.id, customerId: dev.customer_id!, problem: 'Не зарежда', proofs: { warrantyCard: true } };

    // The intake's own statements, captured once from a Kysely that logs what it sends.
    const captured: Stmt[] = [];
    const capturePool = new pg.Pool({ connectionString: url, max: 1 });
    const capture = new Kysely<Database>({ dialect: new PostgresDialect({ pool: capturePool }), log: (e) => void (e.level === 'query' && captured.push({ sql: e.query.sql, parameters: e.query.parameters })) });
    await capture.transaction().execute((tx) => insertClaim(tx, actor, claim, new Date()));
    await capture.destroy();
    // The replay sends its own BEGIN and COMMIT.
    const body = captured.filter((q) => !/^(begin|commit)$/i.test(q.sql.trim()));
    captured.splice(0, captured.length, ...body);
    const keep = new Set([org.id, dev.id, dev.customer_id!]);
    for (let i = 0; i < max; i++) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      countQueries(c);
      raw.push(c);
    }
    // Fresh ids are made before each measurement, so the replay pays only for sending the SQL.
    let sets: ReturnType<typeof fresh>[] = [];
    const prepare = (n: number) => (sets = Array.from({ length: n }, () => fresh(captured, keep)));
    const replay = async (w: number) => {
      const c = raw[w];
      const stmts = sets.pop() ?? fresh(captured, keep);
      await c.query('BEGIN');
      for (const q of stmts) await c.query(q.name ? { name: `replay-${q.name}`, text: q.text, values: q.values as unknown[] } : { text: q.text, values: q.values as unknown[] });
      await c.query('COMMIT');
    };
    const plain = () => h.db.transaction().execute((tx) => tx.insertInto('bench_plain' as never).values({ id: uuidv7(), organization_id: org.id, payload: JSON.stringify({ problem: 'x' }) } as never).execute());
    const intake = () => h.db.transaction().execute((tx) => insertClaim(tx, actor, claim, new Date()));

    const cpu = (r: Rate) => `PostgreSQL ${r.cpuMs.postgres?.toFixed(2) ?? '?'} ms, Node ${r.cpuMs.node.toFixed(2)} ms`;
    console.log(`the intake's SQL: ${captured.length} statements (${captured.map((q) => /^\/\* prepared: ([a-z0-9-]+)/.exec(q.sql)?.[1] ?? q.sql.slice(0, 30)).join(', ')}), replayed on ${max} raw connections with fresh ids`);
    const intakes = new Map<number, number>();
    const nodeFigures: { n: number; intakeMs: number; replayMs: number; perSecond: number; busy: number }[] = [];
    for (const n of LEVELS) {
      const base = await rate(plain, n);
      prepare(SECONDS * 1500);
      const rep = await rate(replay, n);
      sets = [];
      const claims = await rate(intake, n);
      intakes.set(n, claims.perSecond);
      console.log(`${n} clients: plain inserts ${base.perSecond.toFixed(0)}/s (${cpu(base)}); replay of the intake's SQL ${rep.perSecond.toFixed(0)}/s (${cpu(rep)}); claim intake ${claims.perSecond.toFixed(0)}/s (${cpu(claims)})`);
      console.log(`${n} clients: intake ÷ replay ${(claims.perSecond / rep.perSecond).toFixed(2)} (floor 0.8); intake ÷ plain inserts ${(claims.perSecond / base.perSecond).toFixed(2)}`);
      console.log(`${n} clients: round trips (statements sent, BEGIN and COMMIT included) per intake ${claims.roundTrips.toFixed(2)}, per replay ${rep.roundTrips.toFixed(2)}, per plain insert ${base.roundTrips.toFixed(2)}`);
      // Node's own cost (issue 10 measured intake ÷ replay, which mostly compares PostgreSQL's work):
      // process.cpuUsage() around the batch ÷ the intakes; the replay sends the same statements through
      // the same driver, so the difference is the app's JavaScript (engine, clocks, row builders).
      nodeFigures.push({ n, intakeMs: claims.cpuMs.node, replayMs: rep.cpuMs.node, perSecond: claims.perSecond, busy: claims.nodeBusy });
      console.log(
        `${n} clients: Node CPU per intake ${claims.cpuMs.node.toFixed(2)} ms (the replay of its SQL ${rep.cpuMs.node.toFixed(2)} ms, so the app's own JavaScript ≈ ${(claims.cpuMs.node - rep.cpuMs.node).toFixed(2)} ms); ` +
          `this process was ${(100 * claims.nodeBusy).toFixed(0)} % busy at ${claims.perSecond.toFixed(0)} intakes/s, so one process saturates at ≈ ${(1000 / claims.cpuMs.node).toFixed(0)} intakes/s (1000 ÷ Node ms per intake)`,
      );
    }
    // The levers on the intake's own JavaScript, each timed both ways in this process, interleaved
    // (median of 5 batches of 1000): the new clocks were evaluated with their reasons (texts through
    // luxon), then without, and are now asked for their times as numbers (`packClockTimes`, no local
    // ISO texts to print and parse back); the decision was printed and parsed back to become plain
    // data, and is now made plain once (`jsonPlain`) and printed once.
    const pack = await packOf(h.db, await orgOf(h.db, org.id));
    const started = new Date().toISOString();
    const rules = packClockRules(versionAt(pack, started)).filter((r) => r.startsAt === 'claim-received');
    // The intake's decision, made afresh each time (its texts are filled when first printed).
    const read = await h.db.transaction().execute((tx) => readIntake(tx, org.id, { deviceId: dev.id, serial: null, manufacturer: null, customerId: dev.customer_id!, email: null }));
    const claimRow = await h.db.selectFrom('service_orders').selectAll().where('organization_id', '=', org.id).orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    const today = todayIn(read.org!.time_zone, new Date(started));
    const decisionNow = () => decide(claimInput(claimRow), { device: toDeviceInput(read.devices[0], read.parts), events: toDeviceEvents(read.events) }, pack, today);
    const ways: Record<string, () => unknown> = {
      'clocks with reasons': () => rules.map((r) => evaluatePackClock(pack as CompiledPack, r.id, { start: started, pauses: [] }, started)),
      'clocks without reasons': () => rules.map((r) => evaluatePackClock(pack as CompiledPack, r.id, { start: started, pauses: [] }, started, { reasons: false })),
      'clocks as numbers (now)': () => rules.map((r) => packClockTimes(pack as CompiledPack, r.id, { start: started, pauses: [] }, started)),
      'decision printed and parsed back': () => JSON.parse(JSON.stringify(decisionNow())),
      'decision made plain, printed once (now)': () => JSON.stringify(jsonPlain(decisionNow())),
    };
    const times = new Map<string, number[]>();
    for (let i = 0; i < 5; i++)
      for (const [k, f] of Object.entries(ways)) {
        const c0 = process.cpuUsage();
        for (let j = 0; j < 1000; j++) f();
        const c = process.cpuUsage(c0);
        times.set(k, [...(times.get(k) ?? []), (c.user + c.system) / 1000 / 1000]);
      }
    const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(`the intake's pieces, CPU per intake (its ${rules.length} new clocks; the engine's decision, decide() included): ${[...times].map(([k, v]) => `${k} ${mid(v).toFixed(3)} ms`).join('; ')}`);
    if (intakes.has(4) && intakes.has(16)) console.log(`intake at 16 clients ÷ at 4: ${(intakes.get(16)! / intakes.get(4)!).toFixed(2)} (floor 1.0); ${SECONDS} s each, ${os.cpus().length} shared cores`);
  } finally {
    for (const c of raw) await c.end();
    await h.close();
    await embedded?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}
