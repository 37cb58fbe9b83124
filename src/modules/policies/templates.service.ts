// Starting points for a business's own policy (issue 11): the five shipped packs and a blank one.
// A template is copied into the organization's policy_versions when the business is created; from
// then on the copy is the business's, and editing it never touches packs/*.yaml.
import type { Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import { getShippedPack, SHIPPED_PACKS, type PackVersion } from '../../policy/index.ts';

export const TEMPLATES = [...SHIPPED_PACKS, 'blank'] as const;
export type TemplateId = (typeof TEMPLATES)[number];

export interface BusinessSettings {
  timeZone: string;
  currency: string;
  languages: ('en' | 'bg' | 'vi')[];
  /** ISO 3166-1 alpha-2: national holidays (date-holidays) and the warranty's territory. */
  country?: string | null;
}

/** The fields a stored version keeps beside its body. */
export const VERSION_META = ['version', 'effective', 'appliesToExisting'] as const;

export function bodyOf(v: PackVersion): Record<string, unknown> {
  const { version: _v, effective: _e, appliesToExisting: _a, ...body } = v;
  return body;
}

/** A blank policy: one term (12 months from the sale) that the business states as its own rule. */
export function blankVersion(s: BusinessSettings): PackVersion {
  return {
    version: '1',
    effective: '2000-01-01',
    appliesToExisting: false,
    settings: {
      timeZone: s.timeZone,
      currency: s.currency,
      languages: s.languages,
      ...(s.country ? { country: s.country } : {}),
      calendar: { mode: 'business', workingDays: [1, 2, 3, 4, 5], ...(s.country ? { holidays: { country: s.country } } : {}) },
    },
    rules: {
      'OWN-1': {
        en: 'The business warrants the items it sells for 12 months from the sale.',
        bg: 'Търговецът дава гаранция на продадените стоки за 12 месеца от продажбата.',
        vi: 'Cửa hàng bảo hành sản phẩm đã bán trong 12 tháng kể từ ngày bán.',
      },
    },
    terms: [{ match: {}, duration: '12 months', commencement: ['delivery', 'sale'], servedBy: 'business', manufacturerTerm: false, functionOnly: false, rule: 'OWN-1' }],
    parts: {},
    notCovered: [],
    coverage: { transferable: true },
    exclusions: [],
    remedies: [],
    consumerRights: {},
    fees: {},
    requirements: { proofs: [] },
    intake: { workOrderConfirmations: [] },
    clocks: [],
    extensionPlans: [],
    afterExpiry: [],
  } as PackVersion;
}

/**
 * The template's versions, made the business's: its time zone, currency, languages and country
 * replace the template's (a fee's currency follows the business's; its amount stays the template's
 * figure, a setting to review).
 */
export function templateVersions(template: TemplateId, s: BusinessSettings | null): PackVersion[] {
  if (!s) return structuredClone(getShippedPack(template).file.versions);
  const vs = template === 'blank' ? [blankVersion(s)] : getShippedPack(template).file.versions;
  return vs.map((v0) => {
    const v = structuredClone(v0) as PackVersion;
    const cal = { ...v.settings.calendar };
    if (s.country && cal.holidays) cal.holidays = { ...cal.holidays, country: s.country };
    v.settings = { ...v.settings, timeZone: s.timeZone, currency: s.currency, languages: s.languages, ...(s.country ? { country: s.country } : {}), calendar: cal };
    for (const k of ['diagnosis', 'transport'] as const) {
      const f = v.fees[k];
      if (f?.currency) v.fees[k] = { ...f, currency: s.currency };
    }
    for (const p of v.extensionPlans) if (p.price?.currency) p.price = { ...p.price, currency: s.currency };
    return v;
  });
}

/**
 * Stores the template's versions as the organization's policy (seq 1..n) and moves its revision.
 * `s` null keeps the template's settings as they are (the demo businesses, made for their packs).
 */
export async function adoptTemplate(tx: Tx, orgId: string, template: TemplateId, s: BusinessSettings | null, by: string | null) {
  const vs = templateVersions(template, s);
  let seq = 0;
  for (const v of vs) {
    seq++;
    await tx
      .insertInto('policy_versions')
      .values({ id: uuidv7(), organization_id: orgId, seq, label: v.version, effective: v.effective, applies_to_existing: v.appliesToExisting, body: JSON.stringify(bodyOf(v)), origin: template, published_by: by })
      .execute();
  }
  await tx.updateTable('organizations').set((eb) => ({ policy_rev: eb('policy_rev', '+', 1) })).where('id', '=', orgId).execute();
}
