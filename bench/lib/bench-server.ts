// The server as `aftercare start` runs it, plus one route that exists only here, never in production
// (issue 15): `GET /api/v1/bench/device?serial=` does the lookup's indexed select and nothing else —
// the same authentication (API key, every role), the same pool, a named prepared statement
// `SELECT … FROM devices WHERE organization_id = $1 AND serial = $2`, the row as JSON. What a
// warranty lookup could reach if the policy engine, the history and the answer cost nothing: the
// lookup bench reports its figures as ratios against it. The warranty lookup batches the lookups that
// arrive in one turn of the event loop into one query (src/modules/warranty/warranty.repository.ts),
// so `GET /api/v1/bench/device-batched` does the same select batched the same way (DataLoader, sent at
// setImmediate, the keys joined as arrays): the fair limit of a batched lookup. Started by bench/lib/harness.ts
// (`startServer(env, port, { benchRoutes: true })`) as `node bin/run-ts.mjs bench/lib/bench-server.ts`.
import DataLoader from 'dataloader';
import { z } from 'zod';
import { ALL_ROLES } from '../../src/core/actor.ts';
import { notFound } from '../../src/core/errors.ts';
import { start } from '../../src/cli/start.ts';
import type { ExtraRoutes } from '../../src/server/app.ts';
import { actorOf } from '../../src/server/auth.ts';

export const MINIMAL_SQL = 'SELECT id, serial, manufacturer, model, category, condition, customer_id FROM devices WHERE organization_id = $1 AND serial = $2';

export const MINIMAL_BATCH_SQL = `SELECT k.i::int AS key_index, d.id, d.serial, d.manufacturer, d.model, d.category, d.condition, d.customer_id
  FROM devices d JOIN unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS k(org, serial, i) ON d.organization_id = k.org AND d.serial = k.serial
 ORDER BY k.i`;

type Row = Record<string, unknown> & { key_index?: number };

const benchRoutes: ExtraRoutes = async (app, deps) => {
  const pool = deps.readPool ?? deps.pool;
  if (!pool) throw new Error('the bench route needs the pool');
  const loader = new DataLoader<{ org: string; serial: string }, Row | undefined>(
    async (keys) => {
      const r = await pool.query<Row>({ name: 'bench-devices-by-serials', text: MINIMAL_BATCH_SQL, values: [keys.map((k) => k.org), keys.map((k) => k.serial)] });
      const out: (Row | undefined)[] = keys.map(() => undefined);
      for (const row of r.rows) {
        const i = row.key_index! - 1;
        delete row.key_index;
        out[i] ??= row;
      }
      return out;
    },
    { cache: false, maxBatchSize: 100, batchScheduleFn: (callback) => setImmediate(callback) },
  );
  app.get(
    '/api/v1/bench/device-batched',
    {
      config: { access: ALL_ROLES, problems: ['not-found'] },
      serializerCompiler: () => (data: unknown) => JSON.stringify(data),
      schema: { hide: true, querystring: z.object({ serial: z.string().trim().min(1).max(200) }) },
    },
    async (req) => {
      const row = await loader.load({ org: actorOf(req).organizationId, serial: req.query.serial });
      if (!row) throw notFound(`Device with serial ${req.query.serial}`);
      return row;
    },
  );
  app.get(
    '/api/v1/bench/device',
    {
      config: { access: ALL_ROLES, problems: ['not-found'] },
      serializerCompiler: () => (data: unknown) => JSON.stringify(data),
      schema: { hide: true, querystring: z.object({ serial: z.string().trim().min(1).max(200) }) },
    },
    async (req) => {
      const r = await pool.query({ name: 'bench-device-by-serial', text: MINIMAL_SQL, values: [actorOf(req).organizationId, req.query.serial] });
      if (r.rows.length === 0) throw notFound(`Device with serial ${req.query.serial}`);
      return r.rows[0];
    },
  );
};

await start({ extraRoutes: benchRoutes });
