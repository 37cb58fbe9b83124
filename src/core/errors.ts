// Errors as application/problem+json (RFC 9457) with a stable `code`. Validation errors list each
// bad field by path. Nothing here ever turns bad input into a 500.
//
// Codes are data: every feature declares its own in `<feature>.errors.ts` with `defineErrors` (code →
// status and a one-line description for integrators), this file declares the codes the core and the
// framework raise (`CoreErrors`), and a throw is `throw problem(Table, 'code', detail, extra)`, the
// code checked by TypeScript against that table. Routes declare the codes they can answer
// (`config.problems`, src/server/problems.ts); `npm run gen:errors` writes docs/errors.md from the tables.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';

export interface FieldProblem {
  field: string;
  message: string;
  code?: string;
}

/** What a problem carries besides status, code and detail: bad fields, the current record, a rule, ... */
export type ProblemExtra = { errors?: FieldProblem[]; current?: unknown; [k: string]: unknown };

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: ProblemExtra = {},
    /** Response headers that belong to the error (e.g. Retry-After on a 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  /** The same problem (status, code, detail, headers) with other extra members. */
  withExtra(extra: ProblemExtra) {
    // eslint-disable-next-line no-restricted-syntax -- the one file that builds problems
    return new AppError(this.status, this.code, this.message, extra, this.headers);
  }
}

// ---------- codes as data ----------

export type ProblemStatus = 400 | 401 | 403 | 404 | 406 | 409 | 413 | 414 | 415 | 422 | 429 | 500 | 502;

export interface ErrorSpec {
  /** The HTTP status; a list when one code has several (validation-failed: 400 for the shape, 422 for the values). */
  readonly status: ProblemStatus | readonly ProblemStatus[];
  /** One line for integrators: when it happens, what to do. */
  readonly description: string;
  /**
   * Any request can get it (no route found, a URL that cannot be decoded, a fault, a value only the
   * database refused): no route declares it.
   */
  readonly anyRoute?: true;
}
export type ErrorTable = { readonly [code: string]: ErrorSpec };

/**
 * Every feature's table, for the types: each `<feature>.errors.ts` adds itself with
 * `declare module '../../core/errors.ts' { interface ErrorCatalog { feature: typeof Table } }`,
 * so `ProblemCode` (what a route may declare) knows every code without the core importing a feature.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ErrorCatalog {}
type Catalog = ErrorCatalog & { core: typeof CoreErrors };
/** Every code of every table. */
export type ProblemCode = { [F in keyof Catalog]: keyof Catalog[F] & string }[keyof Catalog];

const tables = new Map<string, ErrorTable>();
const owners = new Map<string, { feature: string; spec: ErrorSpec }>();

/** Declares a feature's codes (a code belongs to one table; another feature raising it uses that table). */
export function defineErrors<const T extends ErrorTable>(feature: string, table: T): T {
  for (const [code, spec] of Object.entries(table)) {
    const owner = owners.get(code);
    if (owner && owner.feature !== feature) throw new Error(`error code '${code}' is declared by both ${owner.feature} and ${feature}; a code belongs to one table`);
    if (!/^[a-z][a-z0-9-]*$/.test(code)) throw new Error(`error code '${code}' (${feature}) is not lower-case words joined by hyphens`);
    if (!spec.description.trim()) throw new Error(`error code '${code}' (${feature}) has no description`);
    owners.set(code, { feature, spec });
  }
  tables.set(feature, table);
  return table;
}

/** The tables declared so far (each feature's is declared when its code is loaded), by feature. */
export const errorTables = (): ReadonlyMap<string, ErrorTable> => tables;
/** The statuses a code is answered with, or undefined for a code no table declares. */
export function statusesOf(code: string): readonly ProblemStatus[] | undefined {
  const spec = owners.get(code)?.spec;
  return spec && (typeof spec.status === 'number' ? [spec.status] : spec.status);
}
export const errorSpec = (code: string) => owners.get(code);

type ProblemOptions<S extends ErrorSpec> = S['status'] extends readonly ProblemStatus[]
  ? { status: S['status'][number]; headers?: Record<string, string> }
  : { headers?: Record<string, string> };
type ProblemRest<S extends ErrorSpec> = S['status'] extends readonly ProblemStatus[]
  ? [extra: ProblemExtra, options: ProblemOptions<S>]
  : [extra?: ProblemExtra, options?: ProblemOptions<S>];

/**
 * The error to throw for `code` of `table`, with its status from the table: a code the table does
 * not declare does not compile. A code with several statuses takes the one meant in `options`.
 */
export function problem<T extends ErrorTable, C extends keyof T & string>(table: T, code: C, detail: string, ...rest: ProblemRest<T[C]>): AppError {
  const [extra = {}, options] = rest as [ProblemExtra?, { status?: ProblemStatus; headers?: Record<string, string> }?];
  const declared = table[code].status;
  const status = options?.status ?? (typeof declared === 'number' ? declared : undefined);
  if (status === undefined || (typeof declared !== 'number' && !declared.includes(status))) throw new Error(`problem '${code}': give one of its statuses (${String(declared)})`);
  // eslint-disable-next-line no-restricted-syntax -- the one file that builds problems
  return new AppError(status, code, detail, extra, options?.headers ?? {});
}

/** The codes the core and the HTTP framework raise, for every feature. */
export const CoreErrors = defineErrors('core', {
  'validation-failed': {
    status: [400, 422],
    description:
      'The request has invalid fields, each named by path in `errors[]` (`body.email`, `querystring.at`, `headers.idempotency-key`). 400: it does not match the operation\'s schema (a type, a required field, a format, a date outside 1900-01-01..2199-12-31, a cursor this API did not give out, a text with the NUL character U+0000 or a lone surrogate: `code` `invalid-character`); 422: well-formed values the record cannot take (a date before the sale, a confirmation the work order lacks). Fix those fields and send again.',
  },
  'not-found': { status: 404, description: 'No such record in your organization (an id of another organization is not found either), or no order for this link or these details. Check the id, the link or the details.' },
  'unknown-reference': { status: 422, description: 'A record the request refers to (customer, device, location) does not exist in your organization; `errors[]` names the field. Create it first or fix the id.' },
  'already-exists': { status: 409, description: 'A record with these unique values already exists (the database constraint is named in `detail`), e.g. a second purchase with the same document number for the device. Look the existing record up instead.' },
  'invalid-value': {
    status: 422,
    anyRoute: true,
    description: "The database refused a value (a check constraint, a number out of range, a text too long); `detail` names the constraint. The operations' schemas check values first, so this is a value that slipped past them: fix the value, and report it.",
  },
  'version-conflict': { status: 409, description: 'The record changed since you read it; `current` is its state now. Apply your change to it and send its `version`.' },
  'illegal-transition': { status: 409, description: 'The case\'s state does not allow this now; `current` is the case and `allowed` (when given) the actions legal from its state.' },
  unauthenticated: { status: 401, description: 'No valid session cookie or API key: sign in (POST /api/v1/auth/sign-in) or send `Authorization: Bearer ak_...` with a key that is not revoked.' },
  forbidden: { status: 403, description: 'Your role may not do this: `detail` names the roles the operation admits (and no one creates or revokes an API key whose role has more rights than their own: only an owner handles owner keys). Ask someone with that role.' },
  'cross-site-request': {
    status: 403,
    description:
      "A POST, PUT, PATCH or DELETE carrying a session cookie (staff or client account) came from another site: its Origin (or, without one, its Referer) is neither this server's host nor PUBLIC_URL. Nothing was read or changed. Send it from the app's own pages, from a script without an Origin header, or with an API key instead of the cookie.",
  },
  'rate-limited': { status: 429, description: 'Too many requests from your address to this public operation; wait `retryAfterSeconds` (also the Retry-After header) and try again.' },
  'idempotency-key-reused': { status: 422, description: 'This Idempotency-Key was used before with a different request. A retry sends the same body with the same key; a new request takes a new key.' },
  'unsupported-media-type': { status: 415, description: 'The operation takes another kind of body: multipart/form-data with one `file` field (uploads) or Content-Type: text/csv (imports).' },
  'invalid-json-body': { status: 400, description: 'The body is not valid JSON. Send one JSON document with Content-Type: application/json.' },
  'empty-json-body': { status: 400, description: 'Content-Type is application/json but the body is empty. Send a JSON body, or no Content-Type when there is nothing to send.' },
  'invalid-media-type': { status: 415, description: 'The body\'s Content-Type is not one the server reads: application/json, multipart/form-data for uploads, text/csv for imports.' },
  'invalid-content-length': { status: 400, description: 'The Content-Length header does not match the body that was sent.' },
  'body-too-large': { status: 413, description: 'The body is over the size limit (1 MB for JSON, 50 MB for a CSV import).' },
  'req-file-too-large': { status: 413, description: 'The uploaded file is over the upload size limit (the server\'s UPLOAD_MAX_BYTES).' },
  'invalid-multipart-body': { status: 400, description: 'The upload is not a well-formed multipart/form-data body (cut short, no or another boundary, a part header that cannot be read, more than one file); `errors[]` names `body.file`. Nothing was stored. Send one complete multipart body with one `file` part.' },
  'path-too-long': { status: 414, description: 'A path parameter is over 100 characters (ids are UUIDs, links are short tokens): the path is not one this API gave out.' },
  'bad-url': { status: 400, anyRoute: true, description: 'The URL\'s path cannot be decoded (a bad percent-encoding). Encode path parameters with encodeURIComponent.' },
  'route-not-found': { status: 404, anyRoute: true, description: 'No operation at this method and path; the OpenAPI document (GET /api/v1/openapi.json) lists them.' },
  internal: { status: 500, anyRoute: true, description: 'A fault on the server\'s side, logged with the request id; nothing was changed. Try again later, and report it if it stays.' },
});

export const notFound = (what: string) => problem(CoreErrors, 'not-found', `${what} not found`);
export const badField = (field: string, message: string, code = 'invalid') =>
  problem(CoreErrors, 'validation-failed', 'The request has invalid fields', { errors: [{ field, message, code }] }, { status: 422 });
export const versionConflict = (current: unknown) =>
  problem(CoreErrors, 'version-conflict', 'The record was changed by someone else; here is its current state', { current });

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string().describe('Stable machine-readable error code'),
    detail: z.string().optional(),
    errors: z
      .array(z.object({ field: z.string(), message: z.string(), code: z.string().optional() }).passthrough())
      .optional()
      .describe('For validation errors: every bad field, by path (a field may say more, e.g. the `placeholder` a message template does not offer)'),
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
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** The problem+json body. */
export function problemBody(status: number, code: string, detail: string, extra: Record<string, unknown> = {}) {
  return { type: `urn:aftercare:problem:${code}`, title: TITLES[status] ?? 'Error', status, code, detail, ...extra };
}

/** Postgres error codes that mean the client sent something the data cannot take. */
function fromPgError(e: { code?: string; constraint?: string; detail?: string; column?: string }) {
  switch (e.code) {
    case '23505':
      return problemBody(409, 'already-exists', `A record with these values already exists${e.constraint ? ` (${e.constraint})` : ''}`);
    case '23503':
      return problemBody(422, 'unknown-reference', `A referenced record does not exist${e.constraint ? ` (${e.constraint})` : ''}`);
    case '23514':
    case '23502':
    case '22P02':
    case '22007':
    case '22008':
    case '22003':
    case '22001':
    case '22021':
    case '22P05':
      return problemBody(422, 'invalid-value', `A value is not acceptable${e.constraint ? ` (${e.constraint})` : ''}`);
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
      ? problemBody(status, 'path-too-long', 'A path parameter is too long (ids are at most 100 characters)', { errors: [{ field: 'params', message: 'too long', code: 'too_big' }] })
      : problemBody(status, 'bad-url', err.message);
  reply.status(status).type('application/problem+json').send(body);
}

export function installErrorHandler(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError & Record<string, unknown>, req, reply) => {
    const send = (body: ReturnType<typeof problemBody>) =>
      reply.status(body.status).type('application/problem+json').send(body);

    if (err instanceof AppError) {
      for (const [name, value] of Object.entries(err.headers)) reply.header(name, value);
      return send(problemBody(err.status, err.code, err.message, err.extra));
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const part = (err as { validationContext?: string }).validationContext ?? 'body';
      const errors = err.validation.map((v) => ({
        field: [part, ...v.instancePath.split('/').filter(Boolean)].join('.'),
        message: v.message ?? 'invalid',
        code: String(v.keyword),
      }));
      return send(problemBody(400, 'validation-failed', 'The request has invalid fields', { errors }));
    }
    if (isResponseSerializationError(err)) {
      req.log.error({ err, issues: (err.cause as { issues?: unknown })?.issues }, 'response does not match its schema');
      return send(problemBody(500, 'internal', 'Internal error'));
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
      return send(problemBody(err.statusCode, code, err.message));
    }
    req.log.error({ err }, 'unhandled error');
    return send(problemBody(500, 'internal', 'Internal error'));
  });

  app.setNotFoundHandler((req, reply) => {
    reply.status(404).type('application/problem+json').send(problemBody(404, 'route-not-found', `No route ${req.method} ${req.url.split('?')[0]}`));
  });
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The codes the route can answer besides those its access and schema imply (401/403 from
     * `access`, 400 validation-failed from a schema, ...: src/server/problems.ts). Include what the
     * services it calls raise; the OpenAPI document lists them per status.
     */
    problems?: readonly ProblemCode[];
  }
}
