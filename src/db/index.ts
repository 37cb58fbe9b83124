// The database handle: one pg Pool with Kysely on top (PostgresDialect). The same code runs on the
// embedded server and on any PostgreSQL 14+.
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
export type { Database };

const DATE_OID = 1082;
const INT8_OID = 20;

// Calendar dates stay 'YYYY-MM-DD' strings (never a JS Date in the server's time zone); bigint
// columns hold money in minor units and counts, well inside Number's exact range.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === DATE_OID) return (v: string) => v;
    if (oid === INT8_OID) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

// A query whose text starts with `/* prepared: NAME */` is sent as the named prepared statement NAME:
// PostgreSQL parses and plans it once per connection instead of on every run. Kysely has no way to
// name a statement, so every pooled client gets this small wrapper around its query method. Use it
// only for hot queries whose text never changes (all variable parts are parameters): pg refuses a
// name reused with another text.
const PREPARED = /^\/\* prepared: ([a-z0-9-]+) \*\//;
function preparedByComment(client: pg.PoolClient) {
  const proto = Object.getPrototypeOf(client) as { query: (...args: unknown[]) => unknown };
  (client as { query: unknown }).query = function (text: unknown, values?: unknown, cb?: unknown) {
    const m = typeof text === 'string' ? PREPARED.exec(text) : null;
    return m ? proto.query.call(client, { name: `aftercare-${m[1]}`, text, values }, cb) : proto.query.call(client, text, values, cb);
  };
}

export interface DbHandle {
  db: Db;
  pool: pg.Pool;
  close(): Promise<void>;
}

/**
 * `readOnly`: every connection starts with default_transaction_read_only=on (the read-replica pool:
 * a write sent there fails instead of reaching a standby by mistake); `applicationName` shows in
 * pg_stat_activity.
 */
export function createDb(url: string, poolSize = 10, opts: { readOnly?: boolean; applicationName?: string } = {}): DbHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types: types as pg.CustomTypesConfig,
    ...(opts.readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
    ...(opts.applicationName ? { application_name: opts.applicationName } : {}),
  });
  // An idle client losing its connection (server restart) must not crash the process.
  pool.on('error', () => {});
  pool.on('connect', preparedByComment);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    close: () => db.destroy(),
  };
}
