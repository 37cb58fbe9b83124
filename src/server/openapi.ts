// The OpenAPI document's last touches, in one place: what the zod → JSON Schema conversion leaves
// that a client generator or a linter reads wrongly, and shared shapes for non-JSON responses.
// `npm run lint:openapi` (scripts/openapi-lint.ts) lints the result; test/openapi.test.ts guards the
// operationIds.
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { addProblemCodes } from './problems.ts';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A record keyed by an enum (`z.record(z.enum([...]), V)`) converts to
 * `{ propertyNames: { enum }, additionalProperties: V, required: [every key] }`: valid JSON Schema,
 * but its `required` names properties it does not define, and generators make an open map of it.
 * The same set of objects, said plainly: one property per key, nothing else.
 */
function enumRecordsAsObjects(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) enumRecordsAsObjects(item);
    return;
  }
  if (!isObject(node)) return;
  for (const child of Object.values(node)) enumRecordsAsObjects(child);
  const names = isObject(node.propertyNames) ? node.propertyNames.enum : undefined;
  const value = node.additionalProperties;
  if (node.properties !== undefined || !Array.isArray(names) || !names.every((n) => typeof n === 'string') || !isObject(value)) return;
  node.properties = Object.fromEntries(names.map((n: string) => [n, value]));
  node.additionalProperties = false;
  delete node.propertyNames;
}

const SCHEMA_REF = '#/components/schemas/';

/**
 * fastify-type-provider-zod emits every registered schema twice, as `X` (responses) and `XInput`
 * (requests), whether or not anything uses both. Keep the component schemas the operations reach,
 * directly or through other components.
 */
function dropUnusedSchemas(doc: Json): void {
  const components = isObject(doc.components) ? doc.components : undefined;
  const schemas = components && isObject(components.schemas) ? components.schemas : undefined;
  if (!components || !schemas) return;
  const used = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isObject(node)) return;
    for (const [key, child] of Object.entries(node)) {
      if (key === '$ref' && typeof child === 'string' && child.startsWith(SCHEMA_REF)) {
        const name = decodeURIComponent(child.slice(SCHEMA_REF.length)).replace(/~1/g, '/').replace(/~0/g, '~');
        if (!used.has(name) && name in schemas) {
          used.add(name);
          visit(schemas[name]);
        }
      } else visit(child);
    }
  };
  visit({ ...doc, components: { ...components, schemas: {} } });
  components.schemas = Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name)));
}

/**
 * `transform` for @fastify/swagger, per route: the zod schemas converted, then each error status
 * with the codes the route declares as an enum of the problem's `code` (src/server/problems.ts).
 */
export const transformRoute: typeof jsonSchemaTransform = (input) => {
  const out = jsonSchemaTransform(input);
  addProblemCodes(out.schema as Parameters<typeof addProblemCodes>[0], (input as { route?: Parameters<typeof addProblemCodes>[1] }).route);
  return out;
};

/** `transformObject` for @fastify/swagger: the zod components, then the touches above. */
export function finishOpenApiDocument(input: Parameters<typeof jsonSchemaTransformObject>[0]) {
  const doc = jsonSchemaTransformObject(input) as Json;
  enumRecordsAsObjects(doc);
  dropUnusedSchemas(doc);
  return doc as ReturnType<typeof jsonSchemaTransformObject>;
}

/**
 * A 200 whose body is a file, not JSON (PDFs, uploaded proofs, CSV): declared per media type, so the
 * document says what comes back and generators do not try to parse it as JSON. Fastify does not
 * serialize these bodies (streams, buffers, strings with a non-JSON content type pass through).
 */
export function fileResponse(description: string, mediaTypes: readonly string[]) {
  const body = z.custom<Buffer | NodeJS.ReadableStream | string>(() => true).meta({ type: 'string', format: 'binary' });
  return { description, content: Object.fromEntries(mediaTypes.map((t) => [t, { schema: body }])) };
}

/**
 * The document as GET /api/v1/openapi.json serves it, without a database: the app is built on a
 * pool that is never opened (building and `ready()` run no query; this throws if one did).
 * For scripts and tests (`npm run lint:openapi`, test/openapi.test.ts).
 */
export async function generateOpenApiDocument(): Promise<Json> {
  const [{ buildApp }, { loadConfig }, { createDb }, { DiskStorage }] = await Promise.all([
    import('./app.ts'),
    import('../config.ts'),
    import('../db/index.ts'),
    import('../storage/index.ts'),
  ]);
  const config = loadConfig({});
  const handle = createDb('postgres://no-database.invalid/none', 1);
  const app = await buildApp({ db: handle.db, pool: handle.pool, config, storage: new DiskStorage(config.filesDir) });
  try {
    await app.ready();
    const res = await app.inject('/api/v1/openapi.json');
    if (res.statusCode !== 200) throw new Error(`GET /api/v1/openapi.json answered ${res.statusCode}: ${res.body.slice(0, 500)}`);
    if (handle.pool.totalCount > 0) throw new Error('building the OpenAPI document opened a database connection');
    return res.json() as Json;
  } finally {
    await app.close();
    await handle.close();
  }
}
