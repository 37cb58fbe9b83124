// Opens the system of record: the server at DATABASE_URL, or the embedded one in the data folder.
// Either way the migrations are applied before anything else touches the database.
import pg from 'pg';
import type { Config } from '../config.ts';
import { startEmbedded, type EmbeddedServer } from './embedded.ts';
import { createDb, type DbHandle } from './index.ts';
import { migrate } from './migrate.ts';

export const EMBEDDED_DATABASE = 'aftercare';
/** application_name of the read-replica pool's connections (pg_stat_activity on the replica). */
export const READ_POOL_NAME = 'aftercare-read';

export interface OpenDatabase extends DbHandle {
  url: string;
  embedded?: EmbeddedServer;
  /** The read-replica pool (DATABASE_READ_URL) for warranty lookups; unset: none, lookups use the primary. */
  read?: DbHandle;
  /** Closes the pool, then stops the embedded server if there is one. */
  shutdown(): Promise<void>;
}

export async function ensureDatabase(serverUrl: string, name: string) {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      await c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`).catch((e: { code?: string }) => {
        if (e.code !== '42P04') throw e; // created meanwhile by another process
      });
    }
  } finally {
    await c.end();
  }
}

export async function openDatabase(config: Config, log: (m: string) => void = () => {}): Promise<OpenDatabase> {
  let url: string;
  let embedded: EmbeddedServer | undefined;
  if (config.databaseUrl) {
    url = config.databaseUrl;
  } else {
    embedded = await startEmbedded({ dataDir: config.pgDir, port: config.pgPort, log });
    await ensureDatabase(embedded.url('postgres'), EMBEDDED_DATABASE);
    url = embedded.url(EMBEDDED_DATABASE);
  }
  try {
    const applied = await migrate(url);
    if (applied.length) log(`applied migrations ${applied.join(', ')}`);
  } catch (e) {
    await embedded?.stop();
    throw e;
  }
  const handle = createDb(url, config.dbPoolSize);
  const read = config.databaseReadUrl ? createDb(config.databaseReadUrl, config.dbPoolSize, { readOnly: true, applicationName: READ_POOL_NAME }) : undefined;
  return {
    ...handle,
    url,
    embedded,
    read,
    async shutdown() {
      await read?.close();
      await handle.close();
      await embedded?.stop();
    },
  };
}
