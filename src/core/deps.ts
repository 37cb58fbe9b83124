// What the routes of every feature are given: the database, the configuration, file storage and the
// clock. Kept here, not in the server, so that a feature's routes depend on the core, never on the
// server that mounts them.
import type pg from 'pg';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import type { FileStorage } from '../storage/index.ts';

export interface AppDeps {
  db: Db;
  /** The pool under `db`, for the few hot queries run as named prepared statements. */
  pool?: pg.Pool;
  /**
   * The read replica (DATABASE_READ_URL), read-only connections: warranty lookups only. Unset: they
   * use `db` / `pool` like everything else.
   */
  readDb?: Db;
  readPool?: pg.Pool;
  config: Config;
  storage: FileStorage;
  /** Readiness: false while shutting down. */
  isReady?: () => boolean;
  /** The current instant; tests of deadlines pass their own. */
  now?: () => Date;
}
