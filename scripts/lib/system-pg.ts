// A PostgreSQL cluster of the machine's own packages (Debian's postgresql), started in a temporary
// folder on a free port: for the backup round trip (when the embedded server is newer than the
// machine's pg_dump) and the scale-out script (a primary and a streaming replica). As root it runs
// as the `postgres` user, as PostgreSQL requires.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../../src/db/embedded.ts';

/** The newest /usr/lib/postgresql/<major>/bin, if the machine has one. */
export function systemPgBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const majors = fs
    .readdirSync(root)
    .filter((d) => /^\d+$/.test(d) && fs.existsSync(path.join(root, d, 'bin', 'postgres')))
    .sort((a, b) => Number(a) - Number(b));
  return majors.length ? path.join(root, majors[majors.length - 1], 'bin') : undefined;
}

export interface SystemPg {
  port: number;
  dataDir: string;
  /** postgres://postgres@127.0.0.1:port/<db> (trust authentication on loopback). */
  url(db: string): string;
  /** The server's process ids (postmaster and its children): what a bench may count as its own. */
  pids(): number[];
  /** Stops the server and starts it again on the same data and port with these settings added (e.g. shared_buffers). */
  restart(settings: Record<string, string>): Promise<void>;
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
}

const asPostgres = (cmd: string, args: string[]) => (process.getuid?.() === 0 ? { cmd: 'runuser', args: ['-u', 'postgres', '--', cmd, ...args] } : { cmd, args });

function run(cmd: string, args: string[]) {
  const c = asPostgres(cmd, args);
  execFileSync(c.cmd, c.args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

export function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((x) => Number(x.trim()))
      .filter((x) => x > 0);
  } catch {
    return [];
  }
}

/**
 * Starts a cluster: a fresh one (initdb) or, with `fromBaseBackupOf`, a streaming replica of that
 * primary (pg_basebackup -R: standby.signal and primary_conninfo written for us).
 */
export async function startSystemPg(opts: { bin?: string; settings?: Record<string, string>; fromBaseBackupOf?: SystemPg } = {}): Promise<SystemPg> {
  const bin = opts.bin ?? systemPgBin();
  if (!bin) throw new Error('no PostgreSQL server package on this machine (apt-get install postgresql)');
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'aftercare-syspg-'));
  fs.chmodSync(base, 0o755);
  const dataDir = path.join(base, 'data');
  if (process.getuid?.() === 0) execFileSync('install', ['-d', '-o', 'postgres', '-g', 'postgres', '-m', '700', dataDir]);
  else fs.mkdirSync(dataDir, { mode: 0o700 });
  if (opts.fromBaseBackupOf) {
    run(path.join(bin, 'pg_basebackup'), ['-h', '127.0.0.1', '-p', String(opts.fromBaseBackupOf.port), '-U', 'postgres', '-D', dataDir, '-R', '-X', 'stream', '-c', 'fast']);
  } else {
    run(path.join(bin, 'initdb'), ['-D', dataDir, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--no-sync']);
    fs.appendFileSync(path.join(dataDir, 'pg_hba.conf'), '\nhost replication postgres 127.0.0.1/32 trust\n');
  }
  const port = await freePort();
  let settings: Record<string, string> = { listen_addresses: '127.0.0.1', unix_socket_directories: '', port: String(port), fsync: 'off', wal_level: 'replica', max_wal_senders: '5', hot_standby: 'on', ...opts.settings };
  const url = (db: string) => `postgres://postgres@127.0.0.1:${port}/${db}`;
  let child: ChildProcess;
  const launch = async () => {
    const args = ['-D', dataDir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
    const c = asPostgres(path.join(bin, 'postgres'), args);
    child = spawn(c.cmd, c.args, { stdio: ['ignore', 'ignore', 'pipe'], detached: false });
    let log = '';
    child.stderr!.on('data', (b: Buffer) => (log = (log + b.toString()).slice(-4000)));
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`PostgreSQL did not start:\n${log}`);
      try {
        const cl = new pg.Client({ connectionString: url('postgres') });
        await cl.connect();
        await cl.end();
        break;
      } catch {
        if (i > 300) throw new Error(`PostgreSQL did not answer:\n${log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  await launch();
  const postmaster = (): number => Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    port,
    dataDir,
    url,
    pids() {
      const pm = postmaster();
      return [pm, ...childPids(pm)];
    },
    async restart(more) {
      await halt('fast');
      settings = { ...settings, ...more };
      await launch();
    },
    async stop(mode = 'fast') {
      await halt(mode);
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
  async function halt(mode: 'fast' | 'immediate') {
    if (child.exitCode !== null) return;
    try {
      process.kill(postmaster(), mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
    } catch {
      child.kill('SIGKILL');
    }
    await new Promise((r) => child.once('exit', r));
  }
}
