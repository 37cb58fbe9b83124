// The only way the web app talks to the server: the public HTTP API under /api/v1, through an
// openapi-fetch client typed by `paths`, which `npm run gen:api` generates from the server's OpenAPI
// document into ./api-schema.d.ts (so a path, a parameter, a body or a response the server does not
// have is a type error here, not a bug in the browser). Errors come back as application/problem+json;
// ApiError keeps their code, message and the bad fields by path (ErrorNote shows them to the user in
// their language).
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './api-schema';

/** The server's named schemas: `Schemas['Device']`, `Schemas['ServiceOrderDetail']`, ... */
export type Schemas = components['schemas'];

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';
type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type Responses<P extends keyof paths, M extends Method> = Operation<P, M> extends { responses: infer R } ? R : never;

/** The JSON body of a successful answer: `Reply<'/api/v1/devices/{id}', 'get'>`. */
export type Reply<P extends keyof paths, M extends Method = 'get'> = {
  [S in keyof Responses<P, M>]: S extends 200 | 201 | 202 ? JsonOf<Responses<P, M>[S]> : never;
}[keyof Responses<P, M>];
/** The JSON request body of an operation. */
export type Body<P extends keyof paths, M extends Method = 'post'> = Operation<P, M> extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never;
/** The query parameters of an operation. */
export type Query<P extends keyof paths, M extends Method = 'get'> = Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

/**
 * A problem+json body as the server sends it. A request that never reached the server gets
 * `{ status: 0, detail: 'network' }`.
 */
export type Problem = Partial<Schemas['Problem']> & { status: number; [k: string]: unknown };

export class ApiError extends Error {
  constructor(
    /** `METHOD /path` (without /api/v1 and the query): shown as a hint for support. */
    readonly what: string,
    readonly status: number,
    readonly problem: Problem | null,
  ) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
  }
  /** The message for one field (`body.email`), if the server named it. */
  field(path: string) {
    return this.problem?.errors?.find((e) => e.field === path || e.field.endsWith(`.${path}`))?.message;
  }
}

const whatOf = (method: string, url: string) => `${method} ${new URL(url, location.href).pathname.replace(/^\/api\/v1/, '')}`;
const parse = (text: string): Problem | null => {
  try {
    return text ? (JSON.parse(text) as Problem) : null;
  } catch {
    return null;
  }
};

// Every answer that is not 2xx becomes a thrown ApiError (so TanStack Query sees a failed query or
// mutation), and a request that never got an answer one with status 0. An abort (a query whose
// component went away) stays an abort.
const problems: Middleware = {
  onError({ request, error }) {
    if (error instanceof DOMException && error.name === 'AbortError') return;
    return new ApiError(whatOf(request.method, request.url), 0, { status: 0, detail: 'network' });
  },
  async onResponse({ request, response }) {
    if (response.ok) return;
    throw new ApiError(whatOf(request.method, request.url), response.status, parse(await response.text()));
  },
};

/**
 * The typed client: `api.GET('/api/v1/devices/{id}', { params: { path: { id } } })`. Session cookies
 * go with every request (same origin only).
 */
export const api = createClient<paths>({ credentials: 'same-origin', headers: { accept: 'application/json' } });
api.use(problems);

/**
 * The data of a call (errors were thrown already by the middleware above):
 * `const device = await ok(api.GET(...))`. A 204 gives undefined.
 */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown }>): Promise<T> {
  return (await call).data as T;
}

/** A fresh Idempotency-Key for one create: a retry of the same submit sends the same key. */
export const idemKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`);

type PostPath = { [P in keyof paths]: paths[P] extends { post: object } ? P : never }[keyof paths];

/**
 * POST a file or a multipart form with upload progress (fetch has none): `onProgress` gets 0..1. The
 * path is one of the API's (typed like the client's); `{name}` segments are filled from `params`.
 * Errors are ApiErrors like the client's.
 */
export function upload<P extends PostPath>(
  path: P,
  opts: { params?: Record<string, string>; query?: Record<string, string>; body: XMLHttpRequestBodyInit; contentType?: string; onProgress?: (fraction: number) => void },
): Promise<Reply<P, 'post'>> {
  const filled = path.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(opts.params?.[k] ?? ''));
  const search = opts.query ? `?${new URLSearchParams(opts.query)}` : '';
  const what = whatOf('POST', filled);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', filled + search);
    xhr.setRequestHeader('accept', 'application/json');
    if (opts.contentType) xhr.setRequestHeader('content-type', opts.contentType);
    xhr.withCredentials = true;
    const onProgress = opts.onProgress;
    if (onProgress) xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiError(what, 0, { status: 0, detail: 'network' }));
    xhr.onload = () => {
      const data = parse(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300) resolve(data as Reply<P, 'post'>);
      else reject(new ApiError(what, xhr.status, data));
    };
    xhr.send(opts.body);
  });
}
