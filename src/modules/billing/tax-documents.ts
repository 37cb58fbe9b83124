// Tax documents: invoices, receipts and credit notes, numbered WITHOUT GAPS per organization, series
// and year (src/core/numbers.ts nextTaxNumber: a counter row held to COMMIT). Issued in the caller's
// transaction with what they are about (a service order, an RMA, ...), priced by money.ts under the
// business's tax setting as it stood on the day of issue (the pack's settings.tax), and never changed
// afterwards: a correction is a credit note that names the document it corrects.
//
// Other features issue credit notes through `issueCreditNote` (the RMA's credit resolution, a
// remedy's refund); nothing else writes tax_documents.
import type { Db, Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import type { Actor } from '../../core/actor.ts';
import { audit } from '../../core/audit.ts';
import { todayIn } from '../../core/day.ts';
import { nextTaxNumber, taxNumber } from '../../core/numbers.ts';
import { orgAndPack } from '../../core/organization.ts';
import { versionAt, type CompiledPack } from '../../policy/index.ts';
import { creditOf, NO_TAX, price, type LineInput, type Priced, type TaxSetting } from './money.ts';

export const TAX_DOCUMENT_KINDS = ['invoice', 'receipt', 'credit-note'] as const;
export type TaxDocumentKind = (typeof TAX_DOCUMENT_KINDS)[number];

/** The printed prefix of each series: INV-2026-000001, RC-2026-000001, CN-2026-000001. */
export const SERIES_PREFIX: Record<TaxDocumentKind, string> = { invoice: 'INV', receipt: 'RC', 'credit-note': 'CN' };

/** The business's tax setting on a day: its pack's settings.tax (none: nothing is taxed). */
export function taxSetting(pack: CompiledPack, at: Date): TaxSetting {
  return (versionAt(pack, at.toISOString()).raw.settings as { tax?: TaxSetting }).tax ?? NO_TAX;
}

export interface Subject {
  /** 'service-order', 'rma', ... */
  type: string;
  id: string;
  /** Its printed number (SO-2026-000042, RMA-2026-000007). */
  number: string;
}

export interface IssueInput {
  kind: TaxDocumentKind;
  subject: Subject;
  customerId: string | null;
  /** The client's language: the document is printed in it. */
  language: string;
  currency: string;
  priced: Priced;
  /** A credit note names the invoice or receipt it corrects, when there is one. */
  refersTo?: string | null;
  reason?: string | null;
  rule?: string | null;
}

export type TaxDocumentRow = Awaited<ReturnType<typeof issue>>;

/** Writes one tax document with the next number of its series (gap-free) and audits it. */
export async function issue(tx: Tx, actor: Actor, input: IssueInput, now: Date) {
  const { org } = await orgAndPack(tx, actor.organizationId);
  const year = Number(todayIn(org.time_zone, now).slice(0, 4));
  // As late as possible in the transaction: the series waits on this row until COMMIT.
  const seq = await nextTaxNumber(tx, org.id, input.kind, year);
  const row = await tx
    .insertInto('tax_documents')
    .values({
      id: uuidv7(),
      organization_id: org.id,
      kind: input.kind,
      series: input.kind,
      year,
      seq,
      number: taxNumber(SERIES_PREFIX[input.kind], year, seq),
      subject_type: input.subject.type,
      subject_id: input.subject.id,
      subject_number: input.subject.number,
      customer_id: input.customerId,
      language: input.language,
      currency: input.currency,
      lines: JSON.stringify(input.priced.lines),
      tax: JSON.stringify(input.priced.tax),
      net_minor: input.priced.netMinor,
      tax_minor: input.priced.taxMinor,
      total_minor: input.priced.totalMinor,
      refers_to: input.refersTo ?? null,
      reason: input.reason ?? null,
      rule: input.rule ?? null,
      issued_at: now,
      issued_by: `${actor.type}:${actor.id}`,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await audit(tx, actor, {
    action: `tax-document.${input.kind}-issued`,
    entityType: 'tax-document',
    entityId: row.id,
    after: { subject: input.subject, number: row.number, totalMinor: row.total_minor, currency: row.currency, refersTo: row.refers_to, rule: row.rule },
  });
  return row;
}

export interface CreditNoteInput {
  subject: Subject;
  customerId: string | null;
  language: string;
  currency: string;
  /** What is credited, tax included (the refund), in minor units; or the lines credited. */
  amountMinor?: number;
  lines?: LineInput[];
  /** What the credit is for, printed on the note ("Price reduction agreed (ITEMA-18)"). */
  description: string;
  reason: string;
  rule?: string | null;
  refersTo?: string | null;
}

/**
 * A credit note (a refund of what was charged, a price reduction, an RMA credit), priced under the
 * business's tax on the day: `amountMinor` is the gross credited (the net and the tax are split from
 * it), or `lines` are priced as an invoice's would be.
 */
export async function issueCreditNote(tx: Tx, actor: Actor, c: CreditNoteInput, now: Date) {
  if ((c.amountMinor === undefined) === (c.lines === undefined)) throw new TypeError('issueCreditNote: give amountMinor or lines');
  const { pack } = await orgAndPack(tx, actor.organizationId);
  const tax = taxSetting(pack, now);
  const priced = c.lines ? price(c.lines, tax) : creditOf(c.amountMinor!, c.description, tax);
  return issue(tx, actor, { kind: 'credit-note', subject: c.subject, customerId: c.customerId, language: c.language, currency: c.currency, priced, refersTo: c.refersTo, reason: c.reason, rule: c.rule }, now);
}

export function documentsOf(db: Db | Tx, orgId: string, subjectType: string, subjectId: string) {
  return db.selectFrom('tax_documents').selectAll().where('organization_id', '=', orgId).where('subject_type', '=', subjectType).where('subject_id', '=', subjectId).orderBy('issued_at').orderBy('id').execute();
}

export function documentById(db: Db | Tx, orgId: string, id: string) {
  return db.selectFrom('tax_documents').selectAll().where('organization_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export function taxDocumentView(d: NonNullable<Awaited<ReturnType<typeof documentById>>>) {
  return {
    id: d.id,
    kind: d.kind as TaxDocumentKind,
    number: d.number,
    subject: { type: d.subject_type, id: d.subject_id, number: d.subject_number },
    currency: d.currency,
    lines: d.lines as Priced['lines'],
    tax: d.tax as Priced['tax'],
    netMinor: Number(d.net_minor),
    taxMinor: Number(d.tax_minor),
    totalMinor: Number(d.total_minor),
    refersTo: d.refers_to,
    reason: d.reason,
    rule: d.rule,
    language: d.language,
    issuedAt: d.issued_at.toISOString(),
  };
}
export type TaxDocumentView = ReturnType<typeof taxDocumentView>;
