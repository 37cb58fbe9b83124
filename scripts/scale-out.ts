// `npm run scale-out` (`-- --short` in CI): Aftercare as several server processes behind HAProxy on
// Debian's PostgreSQL with a streaming replica, all on this machine, under load, with one process
// killed (kill -9) mid-load and started again. Checks and prints:
//   - every claim posted (with an Idempotency-Key, retried with the same key on connection errors
//     and 5xx) made exactly one order: 0 lost, 0 duplicated;
//   - warranty lookups through HAProxy are answered by the replica (DATABASE_READ_URL): with the
//     replica's replay paused, a device just added on the primary is not found; resumed, it is;
//   - timers made due during the run fire once each, and the outbox's messages reach the SMTP
//     receiver once each, across processes, with another process killed while they run.
// Exits 1 with the reason on any failure; every process and folder it made is removed either way.
// Needs: Debian's postgresql and haproxy packages (docs/operations.md, "The scale-out script").
import crypto from 'node:crypto';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createDb } from '../src/db/index.ts';
import { freePort } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { READ_POOL_NAME } from '../src/db/database.ts';
import { seedDemoIfEmpty } from '../src/modules/demo/demo.seed.ts';
import { API_KEY_PREFIX, newToken, sha256 } from '../src/server/auth.ts';
import { startSmtp } from '../test/smtp.ts';
import { startSystemPg, type SystemPg } from './lib/system-pg.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHORT = process.argv.includes('--short');
const PROFILE = SHORT ? { servers: 2, clients: 8, claims: 160, lookupClients: 2 } : { servers: 3, clients: 16, claims: 2000, lookupClients: 4 };
const RUN = Date.now().toString(36);

class Failure extends Error {}
const fail = (m: string): never => {
  throw new Failure(m);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const say = (m: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${m}`);

const cleanups: (() => Promise<void> | void)[] = [];
async function cleanup() {
  while (cleanups.length) {
    try {
      await cleanups.pop()!();
    } catch (e) {
      console.error(`cleanup: ${(e as Error).message}`);
    }
  }
}

async function q<T = Record<string, unknown>>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, values)).rows as T[];
  } finally {
    await c.end();
  }
}

async function waitFor(what: string, ms: number, ok: () => Promise<boolean>) {
  const until = Date.now() + ms;
  while (!(await ok().catch(() => false))) {
    if (Date.now() > until) fail(`timed out after ${ms / 1000} s waiting for ${what}`);
    await sleep(200);
  }
}

// ---- the server processes
interface Server {
  name: string;
  port: number;
  child: ChildProcess;
  log: string;
}

function startServer(name: string, port: number, env: Record<string, string>, logDir: string): Server {
  const logFile = path.join(logDir, `${name}.log`);
  const out = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/aftercare.mjs'), 'start'], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  return { name, port, child, log: logFile };
}

async function ready(port: number) {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/ready`);
  return r.status === 200;
}

async function stopServer(s: Server) {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return;
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  const t = setTimeout(() => s.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(t);
}

async function main() {
  say(`scale-out${SHORT ? ' --short' : ''}: ${PROFILE.servers} server processes, ${PROFILE.clients} clients posting ${PROFILE.claims} claims, ${PROFILE.lookupClients} clients looking up warranties`);
  try {
    execFileSync('haproxy', ['-v'], { stdio: 'ignore' });
  } catch {
    fail('haproxy is not installed (apt-get install -y haproxy)');
  }
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'aftercare-scale-out-'));
  cleanups.push(() => fs.rmSync(base, { recursive: true, force: true }));

  // ---- PostgreSQL: a primary (wal_level=replica) and a streaming replica of it (pg_basebackup -R)
  const primary: SystemPg = await startSystemPg({ settings: { max_connections: '200' } });
  cleanups.push(() => primary.stop());
  await q(primary.url('postgres'), 'CREATE DATABASE aftercare');
  const replica: SystemPg = await startSystemPg({ fromBaseBackupOf: primary, settings: { max_connections: '200' } });
  cleanups.push(() => replica.stop());
  const primaryUrl = primary.url('aftercare');
  const replicaUrl = replica.url('aftercare');
  const [{ in_recovery }] = await q<{ in_recovery: boolean }>(replicaUrl, 'SELECT pg_is_in_recovery() AS in_recovery');
  if (!in_recovery) fail('the replica is not in recovery (not a standby)');
  say(`PostgreSQL primary on port ${primary.port}, streaming replica on port ${replica.port} (${(await q<{ server_version: string }>(primaryUrl, 'SHOW server_version'))[0].server_version.split(' ')[0]})`);

  const applied = await migrate(primaryUrl);
  const seedDb = createDb(primaryUrl, 2);
  await seedDemoIfEmpty(seedDb.db);
  const org = await seedDb.db.selectFrom('organizations').select('id').where('slug', '=', 'itema-pg').executeTakeFirstOrThrow();
  const token = `${API_KEY_PREFIX}${newToken()}`;
  await seedDb.db.insertInto('api_keys').values({ organization_id: org.id, name: 'scale-out', role: 'owner', prefix: token.slice(0, 10), secret_hash: sha256(token) }).execute();
  await seedDb.close();
  say(`primary: ${applied.length} migrations applied, demo data loaded`);
  await waitFor('the replica to replay the demo data', 60_000, async () => (await q(replicaUrl, "SELECT 1 FROM api_keys WHERE name = 'scale-out'")).length === 1);

  // ---- the SMTP receiver the outbox delivers to (in this process)
  const mailbox = await startSmtp();
  cleanups.push(() => mailbox.close());
  // Every e-mail sent from here on reaches this mailbox, the demo data's own included (the servers
  // deliver its outbox as soon as they start, before the load begins).
  const mailboxStart = (await q<{ now: Date }>(primaryUrl, 'SELECT now() AS now'))[0].now;

  // ---- the server processes
  const filesDir = path.join(base, 'files');
  fs.mkdirSync(filesDir);
  const env = {
    DATABASE_URL: primaryUrl,
    DATABASE_READ_URL: replicaUrl,
    HOST: '127.0.0.1',
    TRUST_PROXY: '127.0.0.1',
    AFTERCARE_DEMO: 'false',
    AFTERCARE_FILES_DIR: filesDir,
    // One key for every process (docs/operations.md "The secret key"): a passcode sealed by one
    // process opens in another.
    AFTERCARE_SECRET_KEY: crypto.randomBytes(32).toString('base64'),
    COOKIE_SECURE: 'false',
    LOG_LEVEL: 'warn',
    DB_POOL_SIZE: '8',
    DOCUMENT_WORKERS: '1',
    SMTP_HOST: mailbox.config.host,
    SMTP_PORT: String(mailbox.config.port),
    SMTP_TLS: 'none',
    NOTIFICATIONS_POLL_MS: '250',
    TIMER_POLL_MS: '250',
  };
  const servers: Server[] = [];
  for (let i = 0; i < PROFILE.servers; i++) servers.push(startServer(`app${i + 1}`, await freePort(), env, base));
  cleanups.push(async () => {
    await Promise.all(servers.map(stopServer));
  });
  for (const s of servers) {
    await waitFor(`${s.name} to be ready (log: ${s.log})`, 90_000, async () => {
      if (s.child.exitCode !== null) fail(`${s.name} exited with ${s.child.exitCode}:\n${fs.readFileSync(s.log, 'utf8').slice(-2000)}`);
      return ready(s.port);
    });
  }
  const dbLine = fs.readFileSync(servers[0].log, 'utf8').split('\n').find((l) => l.includes('Database:'));
  if (!dbLine?.includes('DATABASE_READ_URL')) fail(`the server does not use DATABASE_READ_URL: ${dbLine ?? fs.readFileSync(servers[0].log, 'utf8').slice(-1500)}`);
  say(`server processes ready: ${servers.map((s) => `${s.name} :${s.port} (pid ${s.child.pid})`).join(', ')}`);

  // ---- HAProxy in front of them, health-checked on /api/v1/ready
  const lbPort = await freePort();
  const cfg = path.join(base, 'haproxy.cfg');
  fs.writeFileSync(
    cfg,
    [
      'global',
      '  maxconn 1024',
      'defaults',
      '  mode http',
      '  timeout connect 2s',
      '  timeout client 60s',
      '  timeout server 30s',
      '  option redispatch',
      '  retry-on conn-failure empty-response response-timeout',
      '  retries 3',
      'frontend aftercare',
      `  bind 127.0.0.1:${lbPort}`,
      '  default_backend app',
      'backend app',
      '  balance roundrobin',
      '  option httpchk GET /api/v1/ready',
      '  http-check expect status 200',
      '  http-request set-header X-Forwarded-For %[src]',
      ...servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port} check inter 500ms fall 2 rise 2`),
      '',
    ].join('\n'),
  );
  execFileSync('haproxy', ['-c', '-q', '-f', cfg]);
  const haproxy = spawn('haproxy', ['-db', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
  let haproxyLog = '';
  haproxy.stderr!.on('data', (b: Buffer) => (haproxyLog = (haproxyLog + b.toString()).slice(-4000)));
  cleanups.push(async () => {
    if (haproxy.exitCode === null) {
      const exited = new Promise((r) => haproxy.once('exit', r));
      haproxy.kill('SIGTERM');
      await exited;
    }
  });
  const LB = `http://127.0.0.1:${lbPort}`;
  await waitFor('HAProxy to answer', 20_000, async () => {
    if (haproxy.exitCode !== null) fail(`haproxy exited:\n${haproxyLog}`);
    return (await fetch(`${LB}/api/v1/ready`)).status === 200;
  });
  say(`HAProxy on port ${lbPort} → ${servers.map((s) => s.port).join(', ')}`);

  const auth = { authorization: `Bearer ${token}` };

  // ---- load: claims with Idempotency-Keys (retried with the same key), lookups beside them
  const runStart = (await q<{ now: Date }>(primaryUrl, 'SELECT now() AS now'))[0].now;
  const today = new Date().toISOString().slice(0, 10);
  const bought = new Date(Date.now() - 200 * 86_400_000).toISOString().slice(0, 10);
  const results = new Map<string, { id: string; number: string }>();
  let retries = 0;
  let next = 0;
  let loadDone = false;
  const errorsSeen = new Map<string, number>();
  const noteError = (k: string) => errorsSeen.set(k, (errorsSeen.get(k) ?? 0) + 1);

  async function postClaim(i: number) {
    const key = `scale-${RUN}-${i}`;
    const body = JSON.stringify({
      channel: 'api',
      customer: { name: `Scale-out client ${i}`, email: `client-${RUN}-${i}@example.test`, preferredLanguage: 'en' },
      device: { serial: `SCALE-${RUN}-${i}`, manufacturer: 'Lenovo', model: 'ThinkPad T14', category: 'laptop' },
      purchase: { date: bought, place: 'Store' },
      problem: `Does not start (${key})`,
    });
    for (let attempt = 0; ; attempt++) {
      if (attempt > 60) fail(`claim ${key}: no answer after ${attempt} attempts`);
      if (attempt > 0) {
        retries++;
        await sleep(Math.min(1000, 50 * attempt));
      }
      let r: Response;
      try {
        r = await fetch(`${LB}/api/v1/claims`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': key }, body });
      } catch (e) {
        noteError(`connection: ${((e as Error).cause as { code?: string } | undefined)?.code ?? (e as Error).message}`);
        continue;
      }
      const text = await r.text().catch(() => '');
      if (r.status >= 500) {
        noteError(`HTTP ${r.status}`);
        continue;
      }
      if (r.status !== 201) fail(`claim ${key}: HTTP ${r.status} ${text.slice(0, 500)}`);
      const o = JSON.parse(text) as { id?: string; serviceOrderId?: string; number: string; order?: { id: string } };
      const id = o.id ?? o.serviceOrderId ?? o.order?.id;
      if (!id) fail(`claim ${key}: no order id in ${text.slice(0, 300)}`);
      results.set(key, { id: id!, number: o.number });
      return;
    }
  }

  let lookups = 0;
  async function lookupClient() {
    while (!loadDone) {
      try {
        const r = await fetch(`${LB}/api/v1/warranty?serial=DEMO-ITEMA-LAPTOP&at=${today}`, { headers: auth });
        await r.arrayBuffer();
        if (r.status === 200) lookups++;
        else if (r.status < 500) fail(`lookup: HTTP ${r.status}`);
      } catch {
        // a dead process behind HAProxy; the next one is answered by another
      }
    }
  }

  const victim = servers[0];
  const killAt = Math.floor(PROFILE.claims * 0.4);
  let killed: Promise<void> | undefined;
  const killAndRestart = async (s: Server, why: string, restarted?: (p: Promise<void>) => void) => {
    const pid = s.child.pid;
    s.child.kill('SIGKILL');
    await new Promise((r) => (s.child.exitCode !== null || s.child.signalCode !== null ? r(null) : s.child.once('exit', r)));
    say(`kill -9 ${s.name} (pid ${pid}) ${why}`);
    await sleep(1500);
    const again = startServer(s.name, s.port, env, base);
    servers[servers.indexOf(s)] = again;
    const up = waitFor(`${s.name} to start again`, 120_000, () => ready(again.port)).then(() => say(`${s.name} started again (pid ${again.child.pid})`));
    if (restarted) restarted(up);
    else await up;
  };

  const loadStart = Date.now();
  const claimWorkers = Array.from({ length: PROFILE.clients }, async () => {
    for (;;) {
      const i = next++;
      if (i >= PROFILE.claims) return;
      if (i === killAt) killed = killAndRestart(victim, `with ${results.size} of ${PROFILE.claims} claims answered`);
      await postClaim(i);
    }
  });
  const lookupWorkers = Array.from({ length: PROFILE.lookupClients }, lookupClient);
  // While the lookups run: the read pool's connections, on the replica and (never) on the primary.
  const readConns = { replica: 0, primary: 0 };
  const sampler = (async () => {
    while (!loadDone) {
      const count = async (url: string) => (await q<{ n: number }>(url, 'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [READ_POOL_NAME]))[0].n;
      readConns.replica = Math.max(readConns.replica, await count(replicaUrl).catch(() => 0));
      readConns.primary = Math.max(readConns.primary, await count(primaryUrl).catch(() => 0));
      await sleep(1000);
    }
  })();
  try {
    await Promise.all(claimWorkers);
  } finally {
    loadDone = true;
    await Promise.allSettled([...lookupWorkers, sampler]);
  }
  await killed;
  const loadS = (Date.now() - loadStart) / 1000;
  say(`load done in ${loadS.toFixed(1)} s: ${results.size} claims answered (${(results.size / loadS).toFixed(1)}/s), ${retries} retries (${[...errorsSeen].map(([k, n]) => `${k} ×${n}`).join(', ') || 'none'}), ${lookups} warranty lookups answered`);

  // ---- 0 lost, 0 duplicated
  const keys = [...results.keys()];
  const orders = await q<{ id: string; serial: string }>(
    primaryUrl,
    `SELECT o.id, d.serial FROM service_orders o JOIN devices d ON d.id = o.device_id WHERE o.organization_id = $1 AND d.serial LIKE $2`,
    [org.id, `SCALE-${RUN}-%`],
  );
  const perSerial = new Map<string, number>();
  for (const o of orders) perSerial.set(o.serial, (perSerial.get(o.serial) ?? 0) + 1);
  const duplicated = [...perSerial.values()].filter((n) => n > 1).length;
  const answeredIds = new Set([...results.values()].map((r) => r.id));
  const orderIds = new Set(orders.map((o) => o.id));
  const lost = [...answeredIds].filter((id) => !orderIds.has(id)).length + (PROFILE.claims - keys.length);
  const keyRows = await q<{ n: number; ids: number }>(primaryUrl, `SELECT count(*)::int AS n, count(DISTINCT coalesce(response->>'id', response->>'serviceOrderId', response->'order'->>'id'))::int AS ids FROM idempotency_keys WHERE organization_id = $1 AND key LIKE $2`, [org.id, `scale-${RUN}-%`]);
  say(`claims: ${PROFILE.claims} keys, ${answeredIds.size} distinct orders answered, ${orders.length} orders in the database, ${keyRows[0].n} idempotency keys → ${keyRows[0].ids} orders; lost ${lost}, duplicated ${duplicated}`);
  if (lost !== 0 || duplicated !== 0 || orders.length !== PROFILE.claims || answeredIds.size !== PROFILE.claims || keyRows[0].n !== PROFILE.claims || keyRows[0].ids !== PROFILE.claims) {
    fail(`claims lost or duplicated: ${PROFILE.claims} keys, ${answeredIds.size} answered orders, ${orders.length} orders stored, ${duplicated} serials with more than one order`);
  }

  // ---- warranty lookups are answered by the replica
  const readOnPrimary = [{ n: readConns.primary }];
  const readOnReplica = [{ n: readConns.replica }];
  const [{ lag }] = await q<{ lag: number | null }>(primaryUrl, `SELECT max(extract(epoch FROM replay_lag) * 1000)::float AS lag FROM pg_stat_replication`);
  say(`read pool (${READ_POOL_NAME}) connections during the load (most at once): ${readOnReplica[0].n} on the replica, ${readOnPrimary[0].n} on the primary; replica replay lag ${lag === null ? 'none' : `${lag.toFixed(1)} ms`}`);
  if (readOnPrimary[0].n !== 0 || readOnReplica[0].n === 0) {
    const seen = await q(replicaUrl, "SELECT application_name, datname, state, left(query, 60) AS query FROM pg_stat_activity WHERE backend_type = 'client backend'");
    fail(`the warranty lookups did not use the replica only; the replica's clients: ${JSON.stringify(seen)}`);
  }
  await q(replicaUrl, 'SELECT pg_wal_replay_pause()');
  const serial = `SCALE-${RUN}-REPLICA`;
  const made = await fetch(`${LB}/api/v1/devices`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': `scale-${RUN}-device` }, body: JSON.stringify({ serial, manufacturer: 'Lenovo', category: 'laptop' }) });
  if (made.status !== 201) fail(`adding a device on the primary: HTTP ${made.status} ${await made.text()}`);
  const lookup = async () => (await fetch(`${LB}/api/v1/warranty?serial=${serial}&at=${today}`, { headers: auth })).status;
  const whilePaused = [await lookup(), await lookup(), await lookup()];
  if (whilePaused.some((s) => s !== 404)) fail(`with the replica's replay paused, a device added on the primary was found (HTTP ${whilePaused.join(', ')}): the lookup did not read the replica`);
  await q(replicaUrl, 'SELECT pg_wal_replay_resume()');
  await waitFor('the replica to replay the new device', 20_000, async () => (await lookup()) === 200);
  say(`replica proof: a device added on the primary while the replica's replay was paused → lookups through HAProxy ${whilePaused.join(', ')}; replay resumed → 200`);

  // ---- timers and outbox deliveries fire once across processes
  // The at-risk moments of the run's orders are days away: bring them to now (as if those days had
  // passed) and let every process's timer poller race for them, killing another process meanwhile.
  const ids = [...orderIds];
  const timers = await q<{ id: string }>(primaryUrl, `UPDATE timers SET fire_at = now() WHERE organization_id = $1 AND subject_id = ANY($2::uuid[]) AND kind = 'at-risk' AND fired_at IS NULL AND cancelled_at IS NULL RETURNING id`, [org.id, ids]);
  if (timers.length === 0) fail('the run made no timers to fire');
  const second = servers[1];
  await sleep(300);
  let secondUp: Promise<void> = Promise.resolve();
  await killAndRestart(second, 'while the timers fire and the outbox is delivered', (p) => (secondUp = p));
  await waitFor(`${timers.length} timers to fire`, 120_000, async () => (await q<{ n: number }>(primaryUrl, `SELECT count(*)::int AS n FROM timers WHERE id = ANY($1::uuid[]) AND fired_at IS NULL`, [timers.map((t) => t.id)]))[0].n === 0);
  const perTimer = await q<{ n: number; k: string }>(primaryUrl, `SELECT dedupe_key AS k, count(*)::int AS n FROM outbox WHERE dedupe_key = ANY($1::text[]) GROUP BY dedupe_key`, [timers.map((t) => `timer:${t.id}`)]);
  const timersOnce = perTimer.filter((r) => r.n === 1).length;
  say(`timers: ${timers.length} made due, ${timers.length} fired, ${timersOnce} raised exactly one outbox row, ${perTimer.filter((r) => r.n > 1).length} more than one, ${timers.length - perTimer.length} none`);
  if (timersOnce !== timers.length) fail('a timer fired more than once or not at all');

  await waitFor('the outbox to be delivered', 180_000, async () => (await q<{ n: number }>(primaryUrl, 'SELECT count(*)::int AS n FROM outbox WHERE created_at >= $1 AND delivered_at IS NULL', [runStart]))[0].n === 0);
  const sent = await q<{ n: number; keys: number }>(primaryUrl, `SELECT count(*)::int AS n, count(DISTINCT message_key)::int AS keys FROM notifications WHERE created_at >= $1 AND channel = 'email' AND status = 'sent'`, [runStart]);
  const [{ rows: outboxRows }] = await q<{ rows: number }>(primaryUrl, 'SELECT count(*)::int AS rows FROM outbox WHERE created_at >= $1', [runStart]);
  const [{ failed }] = await q<{ failed: number }>(primaryUrl, `SELECT count(*)::int AS failed FROM notifications WHERE created_at >= $1 AND status = 'failed'`, [runStart]);
  // The mailbox against the database, Message-ID by Message-ID, over everything sent since the
  // mailbox opened (the demo data's messages, delivered before the load, included).
  const sentKeys = new Set((await q<{ k: string }>(primaryUrl, `SELECT '<' || message_key || '>' AS k FROM notifications WHERE channel = 'email' AND status = 'sent' AND sent_at >= $1`, [mailboxStart])).map((r) => r.k));
  await waitFor('the mailbox to hold every sent message', 30_000, async () => [...sentKeys].every((k) => mailbox.messages.has(k)));
  const rawDuplicates = mailbox.raw.length - mailbox.messages.size;
  const unrecorded = [...mailbox.messages.keys()].filter((k) => !sentKeys.has(k));
  say(`outbox: ${outboxRows} rows delivered; ${sent[0].n} e-mails of the run sent (${sent[0].keys} distinct), ${sentKeys.size} since the mailbox opened; the SMTP receiver got ${mailbox.messages.size} distinct Message-IDs in ${mailbox.raw.length} transactions (${rawDuplicates} resent), ${unrecorded.length} not recorded as sent, ${failed} failed`);
  if (failed !== 0) fail(`${failed} notifications failed`);
  if (sent[0].keys !== sent[0].n) fail(`${sent[0].n} e-mails sent under ${sent[0].keys} Message-IDs`);
  if (unrecorded.length || mailbox.messages.size !== sentKeys.size) fail(`the SMTP receiver got ${mailbox.messages.size} messages for ${sentKeys.size} sent; not recorded as sent: ${unrecorded.slice(0, 5).join(', ')}`);
  // The one window the worker leaves (docs/documents-and-notifications.md): killed after the SMTP
  // server accepted a message and before it was recorded; the same message (same Message-ID) is
  // resent. At most one per kill of a process.
  if (rawDuplicates > 2) fail(`${rawDuplicates} messages were sent more than once`);

  await secondUp;
  for (const s of servers) if (s.child.exitCode !== null) fail(`${s.name} exited with ${s.child.exitCode}`);
  say(`PASSED: ${PROFILE.claims} claims, 0 lost, 0 duplicated; lookups from the replica; ${timers.length} timers fired once; ${mailbox.messages.size} e-mails delivered once (${((Date.now() - t0) / 1000).toFixed(0)} s in all)`);
}

let exitCode = 0;
const onSignal = (sig: string) => {
  console.error(`${sig}: cleaning up`);
  void cleanup().finally(() => process.exit(130));
};
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));
try {
  await main();
} catch (e) {
  exitCode = 1;
  console.error(`\nscale-out FAILED: ${e instanceof Failure ? e.message : (e as Error).stack}`);
} finally {
  await cleanup();
}
process.exit(exitCode);
