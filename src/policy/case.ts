// The case format of `aftercare policy decide --input case.json` and of the HTTP API: a device, its
// history, an optional claim and the moment asked. Validated here so every bad field is named
// (docs/policy-cases.md has examples).
import { z } from 'zod';
import { tryParseDate, tryParseTerm } from './dates.ts';
import { PolicyInputError, formatPath } from './errors.ts';
import { EVENT_TYPES, type ClaimInput, type DeviceEvent, type DeviceInput } from './types.ts';

const date = z.string({ error: 'must be a calendar date like 2026-03-01' }).refine((s) => tryParseDate(s) !== undefined, {
  error: (i) => `"${String(i.input)}" is not a calendar date like 2026-03-01`,
});
const term = z.string().refine((s) => tryParseTerm(s) !== undefined, {
  error: (i) => `"${String(i.input)}" is not a duration like "3 months"${/^\s*-/.test(String(i.input)) ? ' (a duration cannot be negative)' : ''}`,
});
const count = z.number().int().nonnegative();

const eventSchema = z
  .object({
    type: z.enum(EVENT_TYPES),
    date,
    partId: z.string().min(1).optional(),
    replacesPartId: z.string().min(1).optional(),
    category: z.string().min(1).optional(),
    underWarranty: z.boolean().optional(),
    term: term.optional(),
    planId: z.string().min(1).optional(),
    note: z.string().optional(),
    rule: z.string().optional(),
    orderRef: z.string().optional(),
  })
  .strict();

const deviceSchema = z
  .object({
    serial: z.string().optional(),
    model: z.string().optional(),
    category: z.string().min(1),
    kind: z.enum(['device', 'service', 'part']).optional(),
    condition: z.enum(['new', 'refurbished', 'used', 'discounted']).optional(),
    discountDefect: z.string().min(1).optional(),
    term: term.optional(),
    manufacturerWarranty: z.object({ term, provider: z.string().optional() }).strict().optional(),
    parts: z.array(z.object({ id: z.string().min(1), category: z.string().min(1), term: term.optional() }).strict()).optional(),
  })
  .strict();

const claimSchema = z
  .object({
    date,
    partId: z.string().optional(),
    problem: z.string().optional(),
    defect: z.string().optional(),
    diagnosed: z.boolean().optional(),
    findings: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/, { error: 'a finding is a kebab-case code like liquid-ingress' })).optional(),
    deadPixels: z
      .object({ brightPixels: count, darkPixels: count, defectiveSubpixels: count, subpixelClusters: count, pixelClusters5x5: count })
      .partial()
      .strict()
      .optional(),
    country: z.string().regex(/^[A-Za-z]{2}$/, { error: 'a country is a two-letter code like BG' }).optional(),
    details: z.record(z.string(), z.string()).optional(),
    proofs: z.record(z.string(), z.boolean()).optional(),
    servicedByBusiness: z.boolean().optional(),
    hardwareDefectConfirmed: z.boolean().optional(),
    fixedOn: date.optional(),
    clientRefusesPaidRepair: z.boolean().optional(),
    insignificant: z.boolean().optional(),
  })
  .strict();

export const caseSchema = z
  .object({
    pack: z.string().optional(),
    /** The calendar date the question is asked on. */
    moment: date,
    lang: z.enum(['en', 'bg', 'vi']).optional(),
    device: deviceSchema,
    events: z.array(eventSchema).default([]),
    claim: claimSchema.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    // An event before the sale is a typo, not history.
    const sale = c.events.find((e) => e.type === 'sale');
    if (sale) {
      const saleDay = tryParseDate(sale.date);
      c.events.forEach((e, i) => {
        const d = tryParseDate(e.date);
        if (saleDay !== undefined && d !== undefined && d < saleDay && e.type !== 'sale') {
          ctx.addIssue({ code: 'custom', path: ['events', i, 'date'], message: `${e.type} on ${e.date} is before the sale on ${sale.date}` });
        }
      });
    }
    c.events.forEach((e, i) => {
      if (e.type === 'extension-purchased' && !e.planId) ctx.addIssue({ code: 'custom', path: ['events', i, 'planId'], message: 'an extension-purchased event needs the plan id' });
      if ((e.type === 'part-replaced' || e.type === 'module-added') && !e.partId)
        ctx.addIssue({ code: 'custom', path: ['events', i, 'partId'], message: `a ${e.type} event needs the new part's id` });
    });
  });

export interface PolicyCase {
  pack?: string;
  moment: string;
  lang?: 'en' | 'bg' | 'vi';
  device: DeviceInput;
  events: DeviceEvent[];
  claim?: ClaimInput;
}

/** Validates a case document; throws PolicyInputError naming every bad field. */
export function parseCase(doc: unknown): PolicyCase {
  const r = caseSchema.safeParse(doc);
  if (!r.success) throw new PolicyInputError(r.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })));
  return r.data as PolicyCase;
}
