// `Idempotency-Key` on create requests: the first request's response is stored in the same
// transaction as what it created; a retry with the same key gets that response back and creates
// nothing. Two concurrent requests with one key serialize on the key's primary-key row.
import crypto from 'node:crypto';
import type { Db, Tx } from '../db/index.ts';
import type { Actor } from '../core/actor.ts';
import { CoreErrors, problem } from '../core/errors.ts';

export interface Created<T, S extends number = 201> {
  /** The create's status (201 unless the caller says otherwise), also on a replay. */
  status: S;
  body: T;
  replayed: boolean;
}

export function requestHash(method: string, url: string, body: unknown) {
  return crypto.createHash('sha256').update(`${method} ${url}\n${JSON.stringify(body ?? null)}`).digest('hex');
}

export async function withIdempotency<T, S extends number = 201>(
  db: Db,
  actor: Actor,
  key: string | undefined,
  hash: string,
  run: (tx: Tx) => Promise<T>,
  status: S = 201 as S,
): Promise<Created<T, S>> {
  if (key !== undefined && (key.length < 1 || key.length > 200)) {
    throw problem(CoreErrors, 'validation-failed', 'The request has invalid fields', { errors: [{ field: 'headers.idempotency-key', message: 'must be 1 to 200 characters' }] }, { status: 400 });
  }
  return db.transaction().execute(async (tx) => {
    if (key !== undefined) {
      const claimed = await tx
        .insertInto('idempotency_keys')
        .values({ organization_id: actor.organizationId, key, request_hash: hash })
        .onConflict((oc) => oc.doNothing())
        .returning('key')
        .executeTakeFirst();
      if (!claimed) {
        const prior = await tx
          .selectFrom('idempotency_keys')
          .selectAll()
          .where('organization_id', '=', actor.organizationId)
          .where('key', '=', key)
          .executeTakeFirstOrThrow();
        if (prior.request_hash !== hash) {
          throw problem(CoreErrors, 'idempotency-key-reused', 'This Idempotency-Key was used for a different request');
        }
        return { status: (prior.status_code ?? status) as S, body: prior.response as T, replayed: true };
      }
    }
    const body = await run(tx);
    if (key !== undefined) {
      await tx
        .updateTable('idempotency_keys')
        .set({ status_code: status, response: JSON.stringify(body) })
        .where('organization_id', '=', actor.organizationId)
        .where('key', '=', key)
        .execute();
    }
    return { status, body, replayed: false };
  });
}
