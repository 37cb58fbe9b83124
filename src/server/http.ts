// Shared pieces of the HTTP contracts: the typed app, common zod schemas, cursor pages.
import type {
  FastifyReply,
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

export type ZApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

export const Uuid = z.uuid();

function isRealDate(s: string) {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}
/**
 * The dates any field takes. Wide enough for every real sale, event and "as of" moment (and a
 * century of warranty terms after them), narrow enough that no date reaches PostgreSQL (which refuses
 * year 0) or the engine's calendars as nonsense such as 9999-12-31. Fixed, not relative to today: a
 * future date is legitimate in places (an extension that starts later, a warranty "as of" next year),
 * and a bound that moved with the clock would make the same request pass one day and fail the next.
 */
export const DATE_RANGE = { min: '1900-01-01', max: '2199-12-31' } as const;
/** A calendar date in the organization's time zone, within DATE_RANGE. */
export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine(isRealDate, 'is not a real calendar date')
  .refine((s) => !isRealDate(s) || (s >= DATE_RANGE.min && s <= DATE_RANGE.max), `must be between ${DATE_RANGE.min} and ${DATE_RANGE.max}`);
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

export { decodeCursor, encodeCursor, toPage } from '../core/cursors.ts';

export const IdParams = z.object({ id: Uuid });
export const IdempotencyHeaders = z.object({
  'idempotency-key': z.string().min(1).max(200).optional().describe('Retries with the same key return the first result'),
});

/** Texts in the pack's languages: English always, Bulgarian and Vietnamese where the pack has them. */
export const PackTexts = z.object({ en: z.string(), bg: z.string().optional(), vi: z.string().optional() });

/** A clock of any kind of case as the engine computes it now (src/core/clocks.ts `ClockView`). */
export const ClockSchema = z.object({
  id: z.string(),
  rule: z.string(),
  status: z.string(),
  start: z.string(),
  due: z.string(),
  atRiskFrom: z.string(),
  stoppedAt: z.string().nullable(),
  pausedMs: z.number(),
  remainingMs: z.number(),
  policyVersion: z.string(),
  text: PackTexts.describe('What the deadline is, in the pack’s words'),
  reasons: z.array(z.object({ rule: z.string(), code: z.string(), text: z.string() })).describe('How the due time was computed (English)'),
});
z.globalRegistry.add(ClockSchema, { id: 'Clock' });

/** A PDF answer: shown inline under its file name, never sniffed or cached by a shared cache. */
export function sendPdf(reply: FastifyReply, r: { pdf: Buffer; filename: string }) {
  return reply
    .header('content-type', 'application/pdf')
    .header('content-disposition', `inline; filename="${r.filename}"`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .send(r.pdf);
}
