// Errors as application/problem+json (RFC 9457) with a stable `code`. Validation errors list each
// bad field by path. Nothing here ever turns bad input into a 500.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';

export interface FieldProblem {
  field: string;
  message: string;
  code?: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: { errors?: FieldProblem[]; current?: unknown; [k: string]: unknown } = {},
    /** Response headers that belong to the error (e.g. Retry-After on a 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new AppError(404, 'not-found', `${what} not found`);
export const badField = (field: string, message: string, code = 'invalid') =>
  new AppError(422, 'validation-failed', 'The request has invalid fields', { errors: [{ field, message, code }] });
export const versionConflict = (current: unknown) =>
  new AppError(409, 'version-conflict', 'The record was changed by someone else; here is its current state', { current });

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string().describe('Stable machine-readable error code'),
    detail: z.string().optional(),
    errors: z
      .array(z.object({ field: z.string(), message: z.string(), code: z.string().optional() }))
      .optional()
      .describe('For validation errors: every bad field, by path'),
    current: z.unknown().optional().describe('For version conflicts: the current state of the record'),
  })
  .passthrough();
z.globalRegistry.add(ProblemSchema, { id: 'Problem' });

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problem(status: number, code: string, detail: string, extra: Record<string, unknown> = {}) {
  return { type: `urn:aftercare:problem:${code}`, title: TITLES[status] ?? 'Error', status, code, detail, ...extra };
}

/** Postgres error codes that mean the client sent something the data cannot take. */
function fromPgError(e: { code?: string; constraint?: string; detail?: string; column?: string }) {
  switch (e.code) {
    case '23505':
      return problem(409, 'already-exists', `A record with these values already exists${e.constraint ? ` (${e.constraint})` : ''}`);
    case '23503':
      return problem(422, 'unknown-reference', `A referenced record does not exist${e.constraint ? ` (${e.constraint})` : ''}`);
    case '23514':
    case '23502':
    case '22P02':
    case '22007':
    case '22008':
    case '22003':
    case '22001':
      return problem(422, 'invalid-value', `A value is not acceptable${e.constraint ? ` (${e.constraint})` : ''}`);
    default:
      return undefined;
  }
}

/**
 * Errors fastify raises before a route is found (a path parameter over the router's length limit,
 * a URL it cannot decode): the same problem+json as every other error, not fastify's own body.
 */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply) {
  const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  const body =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? problem(status, 'path-too-long', 'A path parameter is too long (ids are at most 100 characters)', { errors: [{ field: 'params', message: 'too long', code: 'too_big' }] })
      : problem(status, 'bad-url', err.message);
  reply.status(status).type('application/problem+json').send(body);
}

export function installErrorHandler(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError & Record<string, unknown>, req, reply) => {
    const send = (body: ReturnType<typeof problem>) =>
      reply.status(body.status).type('application/problem+json').send(body);

    if (err instanceof AppError) {
      for (const [name, value] of Object.entries(err.headers)) reply.header(name, value);
      return send(problem(err.status, err.code, err.message, err.extra));
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const part = (err as { validationContext?: string }).validationContext ?? 'body';
      const errors = err.validation.map((v) => ({
        field: [part, ...v.instancePath.split('/').filter(Boolean)].join('.'),
        message: v.message ?? 'invalid',
        code: String(v.keyword),
      }));
      return send(problem(400, 'validation-failed', 'The request has invalid fields', { errors }));
    }
    if (isResponseSerializationError(err)) {
      req.log.error({ err, issues: (err.cause as { issues?: unknown })?.issues }, 'response does not match its schema');
      return send(problem(500, 'internal', 'Internal error'));
    }
    const pgProblem = typeof err.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code) ? fromPgError(err) : undefined;
    if (pgProblem) return send(pgProblem);
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      // Fastify's own client errors: bad JSON, wrong content type, body too large, ...
      const code = String(err.code ?? 'bad-request')
        .replace(/^FST_ERR_CTP_/, '')
        .replace(/^FST_/, '')
        .toLowerCase()
        .replace(/_/g, '-');
      return send(problem(err.statusCode, code, err.message));
    }
    req.log.error({ err }, 'unhandled error');
    return send(problem(500, 'internal', 'Internal error'));
  });

  app.setNotFoundHandler((req, reply) => {
    reply.status(404).type('application/problem+json').send(problem(404, 'route-not-found', `No route ${req.method} ${req.url.split('?')[0]}`));
  });
}
