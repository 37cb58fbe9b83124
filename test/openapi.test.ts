// The HTTP contract: every operation has a stable, unique operationId (client generators name their
// methods after it), and the document says where it is served and under which license. No database:
// the document is built from the routes alone. `npm run lint:openapi` runs the full Redocly lint.
import { beforeAll, expect, test } from 'vitest';
import { generateOpenApiDocument } from '../src/server/openapi.ts';

type Schema = { required?: string[]; properties?: Record<string, unknown>; additionalProperties?: unknown };
type Operation = { operationId?: string; responses: Record<string, { content?: Record<string, { schema: Schema }> }> };
type Doc = {
  servers?: { url: string }[];
  info: { license?: { name: string; identifier?: string } };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};
const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

let doc: Doc;
beforeAll(async () => {
  doc = (await generateOpenApiDocument()) as Doc;
});

test('every operation has a unique camelCase operationId', () => {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      const where = `${method.toUpperCase()} ${path}`;
      const id = op.operationId;
      if (!id) problems.push(`${where}: no operationId (add one to the route's schema)`);
      else if (!/^[a-z][A-Za-z0-9]+$/.test(id)) problems.push(`${where}: operationId '${id}' is not camelCase letters and digits`);
      else if (seen.has(id)) problems.push(`${where}: operationId '${id}' is already used by ${seen.get(id)}`);
      else seen.set(id, where);
    }
  }
  expect(problems).toEqual([]);
  expect(seen.size).toBeGreaterThan(50);
  expect(seen.get('listServiceOrders')).toBe('GET /api/v1/service-orders');
  expect(seen.get('lookupWarranty')).toBe('GET /api/v1/warranty');
});

test('the document names its server (relative) and its license', () => {
  expect(doc.servers).toEqual([expect.objectContaining({ url: '/' })]);
  expect(doc.info.license).toEqual({ name: 'AGPL-3.0-or-later', identifier: 'AGPL-3.0-or-later' });
});

test('records keyed by an enum become objects with every key defined; unused components are dropped', () => {
  const queues = doc.paths['/api/v1/service-orders/queues'].get.responses['200'].content!['application/json'].schema;
  expect(queues.required).toContain('due-today');
  expect(Object.keys(queues.properties ?? {}).sort()).toEqual([...(queues.required ?? [])].sort());
  expect(queues.additionalProperties).toBe(false);
  const text = JSON.stringify(doc.paths);
  const schemas = doc.components?.schemas ?? {};
  for (const name of Object.keys(schemas)) {
    const ref = `"#/components/schemas/${name}"`;
    const usedByOthers = Object.entries(schemas).some(([other, s]) => other !== name && JSON.stringify(s).includes(ref));
    expect(text.includes(ref) || usedByOthers, `${name} is used`).toBe(true);
  }
});
