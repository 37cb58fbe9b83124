// Text the database cannot store, refused in one place before any route reads it. PostgreSQL's
// text (and jsonb) cannot hold the NUL character U+0000 (error 22021, or 22P05 inside jsonb), and a
// lone UTF-16 surrogate is no character at all: the pg driver would store U+FFFD in its place, and
// jsonb refuses it. The `preValidation` hook below checks every string (and object key) of the parts
// of a request a route reads — its path parameters, query string, JSON body, and the headers its
// schema names (Idempotency-Key) — and refuses the request with 400 `validation-failed`, naming each
// field as the schema errors do (`body.customer.name`, `querystring.q`, `params.id`,
// `headers.idempotency-key`). The multipart file part, read by the route after this hook, goes through
// the same check in src/server/uploads.ts (`readFilePart`), and the CSV import checks its cells with
// `textProblem` (one row problem per cell).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CoreErrors, problem, type FieldProblem } from '../core/errors.ts';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why the database cannot take this text, or undefined when it can. */
export function textProblem(s: string): string | undefined {
  if (s.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (LONE_SURROGATE.test(s)) return 'is not well-formed Unicode (a lone surrogate)';
  return undefined;
}

const MAX_REPORTED = 20;

/** Every string (and key) in `value` that the database cannot take, by path. */
export function textProblems(value: unknown, path: string, out: FieldProblem[] = []): FieldProblem[] {
  if (out.length >= MAX_REPORTED) return out;
  if (typeof value === 'string') {
    const message = textProblem(value);
    if (message) out.push({ field: path, message, code: 'invalid-character' });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => textProblems(v, `${path}.${i}`, out));
  } else if (typeof value === 'object' && value !== null && !Buffer.isBuffer(value)) {
    for (const [k, v] of Object.entries(value)) {
      const name = `${path}.${textProblem(k) ? JSON.stringify(k).slice(1, -1) : k}`;
      const message = textProblem(k);
      if (message) out.push({ field: name, message: `its name ${message}`, code: 'invalid-character' });
      textProblems(v, name, out);
    }
  }
  return out;
}

/** The refusal: 400 validation-failed with the fields, as a schema's refusal looks. */
export const badText = (errors: FieldProblem[]) => problem(CoreErrors, 'validation-failed', 'The request has invalid fields', { errors }, { status: 400 });

type RouteSchema = { params?: unknown; querystring?: unknown; body?: unknown; headers?: unknown };

/** The names of the headers a route's zod schema reads (data, such as Idempotency-Key). */
function headerNames(headers: unknown): string[] {
  const shape = (headers as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
}

function check(req: FastifyRequest) {
  const schema = req.routeOptions.schema as RouteSchema | undefined;
  if (!schema) return;
  const errors: FieldProblem[] = [];
  if (schema.params) textProblems(req.params, 'params', errors);
  if (schema.querystring) textProblems(req.query, 'querystring', errors);
  if (schema.body) textProblems(req.body, 'body', errors);
  for (const name of headerNames(schema.headers)) textProblems(req.headers[name], `headers.${name}`, errors);
  if (errors.length) throw badText(errors);
}

/** Installs the check for every route (before its schema is validated). */
export function installInputGuards(app: FastifyInstance) {
  app.addHook('preValidation', async (req) => check(req));
}
