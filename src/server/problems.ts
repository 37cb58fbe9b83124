// The problems each route can answer, declared once and used twice: in the OpenAPI document (per
// status, only the statuses the route can give, with their codes) and at run time (a problem the
// route did not declare is logged; every problem a route answers is published on a diagnostics
// channel, flagged declared or not, which the test suite listens to: test/undeclared-problems.ts
// fails any test file in which a route answered an undeclared one).
//
// A route declares the codes it raises itself or through the services it calls in
// `config.problems`; these come from its access and schema and need no declaration:
//   - a signed-in route (access is a role list): 401 unauthenticated, 403 forbidden;
//   - a params, querystring, body or headers schema: 400 validation-failed;
//   - a path parameter: 414 path-too-long;
//   - an Idempotency-Key header: 422 idempotency-key-reused;
//   - a method with a body (not GET/HEAD): what reading a body can give (invalid-json-body,
//     empty-json-body, invalid-content-length, body-too-large, invalid-media-type);
//   - POST, PUT, PATCH, DELETE: 403 cross-site-request (a session cookie sent from another site).
// Codes any request can get (route-not-found, bad-url, internal) are declared by no route.
import diagnostics_channel from 'node:diagnostics_channel';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { errorSpec, ProblemSchema, statusesOf, type ProblemCode } from '../core/errors.ts';

/** Status → the codes a route may answer with it. */
export type DeclaredProblems = ReadonlyMap<number, readonly string[]>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Filled in by installProblems from `problems`, `access` and the schema: what the route may answer. */
    declaredProblems?: DeclaredProblems;
  }
}

/** What reading a request body can answer (fastify's content-type parsers). */
export const BODY_PROBLEMS = ['invalid-json-body', 'empty-json-body', 'invalid-content-length', 'body-too-large', 'invalid-media-type'] as const satisfies readonly ProblemCode[];

export interface AnsweredProblem {
  /** METHOD /url as the route is declared. */
  route: string;
  status: number;
  code: string;
  /** Whether the route declares this status and code. */
  declared: boolean;
  /** The codes the route declares for this status. */
  declaredForStatus: readonly string[];
}
/** Every problem a route answers, declared or not (nothing is built or published without a subscriber). */
export const problemChannel = diagnostics_channel.channel('aftercare:route-problem');

const TITLES: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 406: 'Not Acceptable', 409: 'Conflict', 413: 'Payload Too Large', 414: 'URI Too Long', 415: 'Unsupported Media Type', 422: 'Unprocessable Content', 429: 'Too Many Requests' };

type Schema = { params?: unknown; querystring?: unknown; body?: unknown; headers?: unknown; response?: Record<string, unknown>; hide?: boolean };

function hasIdempotencyKey(headers: unknown) {
  const shape = (headers as { shape?: Record<string, unknown> } | undefined)?.shape;
  return !!shape && 'idempotency-key' in shape;
}

/** The (status, code) pairs a route may answer: its own `problems` and what its access and schema imply. */
export function declaredProblemsOf(route: Pick<RouteOptions, 'method' | 'url' | 'config'> & { schema?: Schema }): DeclaredProblems {
  const where = `${[route.method].flat().join(',')} ${route.url}`;
  const pairs: [number, string][] = [];
  const add = (code: string, statuses?: readonly number[]) => {
    const all = statusesOf(code);
    if (!all) throw new Error(`route ${where} declares the problem '${code}', which no *.errors.ts table (nor src/core/errors.ts) declares`);
    if (errorSpec(code)?.spec.anyRoute) throw new Error(`route ${where} declares '${code}', which any request can get: no route declares it`);
    for (const s of statuses ?? all) pairs.push([s, code]);
  };
  const schema = route.schema ?? {};
  const access = route.config?.access;
  if (access !== undefined && access !== 'public') {
    add('unauthenticated');
    add('forbidden');
  }
  if (schema.params || schema.querystring || schema.body || schema.headers) add('validation-failed', [400]);
  if (schema.params) add('path-too-long');
  if (hasIdempotencyKey(schema.headers)) add('idempotency-key-reused');
  if ([route.method].flat().some((m) => m !== 'GET' && m !== 'HEAD')) for (const c of BODY_PROBLEMS) add(c);
  // A state change with a session cookie from another site (src/server/security.ts), public routes too.
  if ([route.method].flat().some((m) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(m))) add('cross-site-request');
  for (const c of route.config?.problems ?? []) add(c);
  const out = new Map<number, string[]>();
  for (const [s, c] of pairs.sort((a, b) => a[0] - b[0])) {
    const codes = out.get(s) ?? [];
    if (!codes.includes(c)) codes.push(c);
    out.set(s, codes);
  }
  return out;
}

/** The response description of one error status: its codes, each with its one line. */
export function problemsDescription(status: number, codes: readonly string[]) {
  const lines = codes.map((c) => `- \`${c}\`: ${errorSpec(c)?.spec.description ?? ''}`);
  return [`${TITLES[status] ?? 'Error'} (application/problem+json), \`code\` one of:`, '', ...lines].join('\n');
}

/**
 * Declares every /api/v1 route's problems (config.declaredProblems) and puts them into its response
 * schema, one entry per status; then checks each answer against them. Install before the routes.
 */
export function installProblems(app: FastifyInstance) {
  app.addHook('onRoute', (route) => {
    const url = route.url ?? route.path;
    const schema = route.schema as Schema | undefined;
    // A HEAD route copied from its GET route carries the GET route's declaration already.
    if (!url.startsWith('/api/v1') || url.startsWith('/api/v1/docs') || schema?.hide || route.config?.declaredProblems) return;
    const declared = declaredProblemsOf({ ...route, url, schema });
    route.config = { ...(route.config ?? {}), declaredProblems: declared };
    const response: Record<string, unknown> = { ...(schema?.response ?? {}) };
    for (const [status, codes] of declared) {
      if (response[status] !== undefined) throw new Error(`route ${route.method} ${url} has its own ${status} response and declares problems with that status (${codes.join(', ')})`);
      response[status] = { description: problemsDescription(status, codes), content: { 'application/problem+json': { schema: ProblemSchema } } };
    }
    route.schema = { ...(schema ?? {}), response };
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const status = reply.statusCode;
    if (status < 400 || status >= 500) return payload;
    const declared = req.routeOptions.config?.declaredProblems;
    if (!declared || typeof payload !== 'string' || !String(reply.getHeader('content-type') ?? '').startsWith('application/problem+json')) return payload;
    let code: unknown;
    try {
      code = (JSON.parse(payload) as { code?: unknown }).code;
    } catch {
      return payload;
    }
    if (typeof code !== 'string') return payload;
    const ok = declared.get(status)?.includes(code) ?? false;
    if (ok && !problemChannel.hasSubscribers) return payload;
    const report: AnsweredProblem = { route: `${req.routeOptions.method} ${req.routeOptions.url}`, status, code, declared: ok, declaredForStatus: declared.get(status) ?? [] };
    if (!ok) req.log.warn(report, 'the route answered a problem it does not declare (config.problems)');
    if (problemChannel.hasSubscribers) problemChannel.publish(report);
    return payload;
  });
}

/** For the OpenAPI document: in a route's converted schema, each error status's codes as an enum of the problem's `code`. */
export function addProblemCodes(converted: { response?: unknown } | undefined, route: { config?: { declaredProblems?: DeclaredProblems } } | undefined) {
  const declared = route?.config?.declaredProblems;
  const response = converted?.response as Record<string, { content?: Record<string, { schema?: unknown }>; headers?: unknown }> | undefined;
  if (!declared || !response) return;
  for (const [status, codes] of declared) {
    const media = response[status]?.content?.['application/problem+json'];
    if (!media) continue;
    media.schema = { allOf: [media.schema, { type: 'object', properties: { code: { type: 'string', enum: [...codes] } }, required: ['code'] }] };
    if (status === 429) response[status].headers = { 'Retry-After': { type: 'integer', description: 'Seconds to wait before trying again' } };
  }
}
