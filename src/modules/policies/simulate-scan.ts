// The simulator's scan of every device (issue 11): each device read with its history
// (history-reader.ts) and compared under both policies (simulate.ts). Over a large business the scan
// is cut into id ranges run by worker threads (piscina, simulate-worker.mjs), each with its own
// connection, so that on two cores PostgreSQL reading one range and the engine comparing another
// overlap, and the event loop stays free for other requests. A small business is scanned here, in
// the caller's thread (a worker thread costs about a second to start).
//
// The answer is the same either way: the counts, and the changes of the page asked for
// (`kind`, `offset`, `limit`) in device id order (simulate-scan.test.ts runs both on the same data).
import { availableParallelism } from 'node:os';
import { sql } from 'kysely';
import { Piscina } from 'piscina';
import type { Db, Tx } from '../../db/index.ts';
import { createDb } from '../../db/index.ts';
import { compileStored, type StoredVersion } from '../../core/policy-store.ts';
import type { CompiledPack } from '../../policy/index.ts';
import { devicesOf } from './history-reader.ts';
import { compareDevice, type DeviceChange, type DeviceChangeKind } from './simulate.ts';

export interface DeviceCounts {
  simulated: number;
  changed: number;
  endMoved: number;
  nowCovered: number;
  nowNotCovered: number;
  partCards: number;
  cannotEvaluate: number;
}

export interface ScanPage {
  kind?: DeviceChangeKind;
  offset: number;
  /** Infinity: every change. */
  limit: number;
}

export interface ScanResult {
  devices: DeviceCounts;
  /** The changes of `kind` (all when unset) from `offset`, at most `limit`, in device id order. */
  changes: DeviceChange[];
  /** How many changes of `kind` there are. */
  matching: number;
}

export interface ScanPolicies {
  packId: string;
  before: StoredVersion[];
  after: StoredVersion[];
}

const zero = (): DeviceCounts => ({ simulated: 0, changed: 0, endMoved: 0, nowCovered: 0, nowNotCovered: 0, partCards: 0, cannotEvaluate: 0 });

/** Compares every device of one id range `(after, upTo]`; keeps the first `keep` changes of `kind`. */
export async function scanRange(db: Db | Tx, orgId: string, before: CompiledPack, after: CompiledPack, at: string, o: { after?: string; upTo?: string; kind?: DeviceChangeKind; keep: number }) {
  const devices = zero();
  const changes: DeviceChange[] = [];
  let matching = 0;
  for await (const page of devicesOf(db, orgId, { after: o.after, upTo: o.upTo, pageSize: 2000 })) {
    for (const dev of page) {
      devices.simulated++;
      const c = compareDevice(dev, before, after, at);
      if (!c) continue;
      devices.changed++;
      for (const k of c.kinds) {
        if (k === 'end-moved') devices.endMoved++;
        else if (k === 'now-covered') devices.nowCovered++;
        else if (k === 'now-not-covered') devices.nowNotCovered++;
        else if (k === 'part-card') devices.partCards++;
        else devices.cannotEvaluate++;
      }
      if (o.kind && !c.kinds.includes(o.kind)) continue;
      if (matching++ < o.keep) changes.push(c);
    }
  }
  return { devices, changes, matching };
}

// ---------- worker threads ----------

export interface RangeTask {
  url: string;
  orgId: string;
  policies: ScanPolicies;
  at: string;
  after?: string;
  upTo?: string;
  kind?: DeviceChangeKind;
  keep: number;
}

// One compiled pair per worker thread, for the tasks of one scan (the key is the policies' text).
let compiled: { key: string; before: CompiledPack; after: CompiledPack } | undefined;
const handles = new Map<string, ReturnType<typeof createDb>>();

/** A worker thread's task: one id range over its own connection (kept for the thread's next task). */
export async function rangeTask(t: RangeTask) {
  const key = JSON.stringify(t.policies);
  if (compiled?.key !== key) compiled = { key, before: compileStored(t.policies.packId, t.policies.before), after: compileStored(t.policies.packId, t.policies.after) };
  let h = handles.get(t.url);
  if (!h) handles.set(t.url, (h = createDb(t.url, 2, { applicationName: 'aftercare-simulator' })));
  return scanRange(h.db, t.orgId, compiled.before, compiled.after, t.at, t);
}

let pool: Piscina | undefined;
function workers(threads: number) {
  if (!pool || pool.options.maxThreads !== threads) {
    void pool?.close();
    // Threads stop after a minute idle (their connections with them).
    pool = new Piscina({ filename: new URL('./simulate-worker.mjs', import.meta.url).href, minThreads: 0, maxThreads: threads, idleTimeout: 60_000 });
  }
  return pool;
}

/** Ranges the worker threads have compared so far (tests). */
export const scanWorkerTasks = () => pool?.completed ?? 0;

/** Stops the worker threads (tests, shutdown). */
export async function closeScanWorkers() {
  const p = pool;
  pool = undefined;
  await p?.close();
}

export interface ScanOptions {
  /** The database URL the worker threads connect to; without it the scan runs in this thread. */
  url?: string;
  /** Worker threads (default: the machine's cores). */
  threads?: number;
  /** Devices below which the scan runs in this thread (default 20 000). */
  parallelFrom?: number;
}

/** Every device of the organization compared under both policies at `at`. */
export async function scanDevices(db: Db | Tx, orgId: string, policies: ScanPolicies, at: string, page: ScanPage, opts: ScanOptions = {}): Promise<ScanResult> {
  const threads = opts.threads ?? availableParallelism();
  const keep = page.offset + page.limit;
  const ranges = threads * 4;
  // The device count and the ids that cut them into equal ranges, in one pass over the index.
  const cuts = Array.from({ length: ranges - 1 }, (_, i) => (i + 1) / ranges);
  const r = await sql<{ n: number; b: string[] | null }>`
    select count(*)::int as n, percentile_disc(${cuts}::float8[]) within group (order by id) as b
      from devices where organization_id = ${orgId}`.execute(db);
  const { n, b } = r.rows[0];
  let parts: { devices: DeviceCounts; changes: DeviceChange[]; matching: number }[];
  if (!opts.url || threads < 2 || n < (opts.parallelFrom ?? 20_000)) {
    const before = compileStored(policies.packId, policies.before);
    const after = compileStored(policies.packId, policies.after);
    parts = [await scanRange(db, orgId, before, after, at, { kind: page.kind, keep })];
  } else {
    const url = opts.url;
    const bounds = [...new Set(b ?? [])];
    const p = workers(threads);
    parts = await Promise.all(
      [...bounds, undefined].map((upTo, i) => p.run({ url, orgId, policies, at, after: i ? bounds[i - 1] : undefined, upTo, kind: page.kind, keep } satisfies RangeTask) as Promise<Awaited<ReturnType<typeof scanRange>>>),
    );
  }
  const devices = zero();
  const changes: DeviceChange[] = [];
  let matching = 0;
  for (const x of parts) {
    for (const k of Object.keys(devices) as (keyof DeviceCounts)[]) devices[k] += x.devices[k];
    // The ranges are in id order: the page is their changes, concatenated, from the offset.
    for (const c of x.changes) {
      if (matching >= page.offset && changes.length < page.limit) changes.push(c);
      matching++;
    }
    matching += x.matching - x.changes.length;
  }
  return { devices, changes, matching };
}
