import { z } from 'zod';
import type { AppDeps } from '../../core/deps.ts';
import { actorOf } from '../../server/auth.ts';
import { ALL_ROLES } from '../../core/actor.ts';
import { IdParams, IsoDate, type ZApp } from '../../server/http.ts';
import { serialLookupBatcher } from './warranty.repository.ts';
import * as svc from './warranty.service.ts';

const Texts = z.object({ en: z.string(), bg: z.string().optional(), vi: z.string().optional() });
const Interval = z.object({ from: z.string(), to: z.string().optional(), kind: z.enum(['running', 'suspended']), rule: z.string() });
const Change = z.object({ date: z.string(), rule: z.string(), code: z.string(), days: z.number().optional(), newEnd: z.string().optional(), text: Texts });
const ItemCoverage = z.object({
  item: z.string(),
  category: z.string(),
  kind: z.enum(['device', 'service', 'part']),
  covered: z.boolean(),
  status: z.enum(['active', 'suspended', 'expired', 'not-started', 'void', 'not-covered']),
  start: z.string().optional(),
  end: z.string().optional().describe('Last day of coverage (inclusive)'),
  daysLeft: z.number().optional(),
  term: z.string().optional(),
  intervals: z.array(Interval),
  changes: z.array(Change),
  rules: z.array(z.string()),
  manufacturer: z.object({ end: z.string(), provider: z.string().optional(), rule: z.string() }).optional(),
});
const Reason = z.object({ rule: z.string(), code: z.string(), text: Texts, params: z.record(z.string(), z.unknown()).optional() });
const CoverageReport = z.object({
  pack: z.string(),
  policyVersion: z.string(),
  at: z.string(),
  device: ItemCoverage,
  parts: z.array(ItemCoverage),
  legalGuarantee: z
    .object({ rule: z.string(), start: z.string(), end: z.string(), active: z.boolean(), suspendedDays: z.number(), intervals: z.array(Interval) })
    .optional(),
  reasons: z.array(Reason),
});
z.globalRegistry.add(CoverageReport, { id: 'CoverageReport' });
const WarrantyAnswer = z.object({
  device: z.object({
    id: z.string(),
    serial: z.string(),
    manufacturer: z.string(),
    model: z.string().nullable(),
    category: z.string(),
    condition: z.string(),
    customerId: z.string().nullable(),
  }),
  at: z.string().describe('The date the answer is for (today in the organization’s time zone unless ?at= was given)'),
  covered: z.boolean(),
  explanation: z.array(z.string()).describe('The reasons, each prefixed with its rule id, in the requested language'),
  requirements: z
    .array(z.object({ anyOf: z.array(z.string()), rule: z.string(), text: Texts, satisfied: z.boolean() }))
    .describe("The proofs a claim needs by the business's policy (ITS-5, ITS-6, ITEMA-10), each satisfied or not by those on record (a valid device registration)"),
  coverage: CoverageReport,
});
z.globalRegistry.add(WarrantyAnswer, { id: 'WarrantyAnswer' });

const AtLang = z.object({
  at: IsoDate.optional().describe('YYYY-MM-DD; default today in the organization’s time zone'),
  lang: z.enum(['en', 'bg', 'vi']).optional(),
});

// The lookup is the hottest read of the API: its answer is built by our own typed code from the
// engine's typed report, so it is serialized directly instead of being re-validated by zod on every
// response (the schema still documents it in OpenAPI).
const fastJson = () => (data: unknown) => JSON.stringify(data);

export async function warrantyRoutes(app: ZApp, deps: AppDeps) {
  const tags = ['warranty'];
  // Lookups only read: on the read replica when there is one (DATABASE_READ_URL), else the primary.
  const readDb = deps.readDb ?? deps.db;
  const readPool = deps.readDb ? deps.readPool : deps.pool;
  const batched = readPool ? serialLookupBatcher(readPool) : undefined;
  app.get(
    '/api/v1/warranty',
    {
      config: { access: ALL_ROLES, problems: ['not-found', 'ambiguous-serial', 'policy-input-invalid'] },
      serializerCompiler: fastJson,
      schema: {
        operationId: 'lookupWarranty',
        tags,
        summary: 'Warranty of a device by serial number: coverage per part, end dates, legal guarantee, days left, reasons with rule ids',
        querystring: AtLang.extend({
          serial: z.string().trim().min(1).max(200),
          manufacturer: z.string().max(200).optional().describe('Needed only when two manufacturers share the serial'),
        }),
        response: { 200: WarrantyAnswer },
      },
    },
    async (req) => svc.bySerial(readDb, actorOf(req), req.query, batched),
  );
  app.get(
    '/api/v1/devices/:id/warranty',
    {
      config: { access: ALL_ROLES, problems: ['not-found', 'policy-input-invalid'] },
      serializerCompiler: fastJson,
      schema: { operationId: 'getDeviceWarranty', tags, summary: 'Warranty of a device by id', params: IdParams, querystring: AtLang, response: { 200: WarrantyAnswer } },
    },
    async (req) => svc.byDeviceId(readDb, actorOf(req), req.params.id, req.query),
  );
}
