// Shared pieces of the HTTP contracts: the typed app, common zod schemas, cursor pages.
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, ProblemSchema } from './errors.ts';

export type ZApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

export const Uuid = z.uuid();

function isRealDate(s: string) {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}
/** A calendar date in the organization's time zone. */
export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine(isRealDate, 'is not a real calendar date');
export const Currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR');
export const Term = z
  .string()
  .regex(/^(none|\d+ (day|week|month|year)s?)$/, "must be like '24 months', '90 days', '3 years' or 'none'");

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
});
export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable().describe('Pass as ?cursor= for the next page; null at the end') });

export function encodeCursor(id: string) {
  return Buffer.from(id).toString('base64url');
}
export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const id = Buffer.from(cursor, 'base64url').toString();
  const ok = Uuid.safeParse(id);
  if (!ok.success) {
    throw new AppError(400, 'validation-failed', 'The request has invalid fields', {
      errors: [{ field: 'querystring.cursor', message: 'is not a cursor this API gave out', code: 'invalid-cursor' }],
    });
  }
  return id;
}
/** Takes limit+1 rows (newest first) and turns them into a page. */
export function toPage<R extends { id: string }, T>(rows: R[], limit: number, map: (r: R) => T) {
  const more = rows.length > limit;
  const items = (more ? rows.slice(0, limit) : rows).map(map);
  return { items, nextCursor: more ? encodeCursor(rows[limit - 1].id) : null };
}

/** Error responses every route may give; listed in the OpenAPI document. */
export const problems = {
  400: ProblemSchema,
  401: ProblemSchema,
  403: ProblemSchema,
  404: ProblemSchema,
  409: ProblemSchema,
  422: ProblemSchema,
};

export const IdParams = z.object({ id: Uuid });
export const IdempotencyHeaders = z.object({
  'idempotency-key': z.string().min(1).max(200).optional().describe('Retries with the same key return the first result'),
});
