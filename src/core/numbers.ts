// Case numbers: PREFIX-YEAR-NNNNNN per organization and year (SO-2026-000042), from one PostgreSQL
// sequence per (kind, organization, year) that next_case_number() creates on first use (migration
// 0011). nextval never waits for another transaction, so intakes of one business do not queue
// behind each other; a rolled-back intake leaves a gap. Case numbers may have gaps; tax documents
// (invoices, credit notes, receipts) must not, and get a counter of their own.
import { sql } from 'kysely';
import type { Tx } from '../db/index.ts';

/** A SQL expression for the next number of `kind` ('so', 'rma', ...) with its printed prefix. */
export function caseNumberSql(kind: string, prefix: string, orgId: string, year: number) {
  return sql<string>`${prefix} || '-' || ${year}::text || '-' || lpad(next_case_number(${kind}, ${orgId}::uuid, ${year}::int)::text, 6, '0')`;
}

/**
 * The next number of a tax document series (invoices, receipts, credit notes) of an organization and
 * year, WITHOUT GAPS (migration 0017): the counter row is taken with an upsert that holds its lock
 * until the caller's transaction ends, so a second issuer waits for the first to commit (and gets
 * the next number) or to roll back (and gets the same one). Call it in the transaction that writes
 * the document, as late as possible: the series is serialized from here to COMMIT.
 */
export async function nextTaxNumber(tx: Tx, orgId: string, series: string, year: number): Promise<number> {
  const r = await sql<{ last_number: string }>`
    insert into tax_document_counters (organization_id, series, year, last_number) values (${orgId}::uuid, ${series}, ${year}, 1)
    on conflict (organization_id, series, year) do update set last_number = tax_document_counters.last_number + 1
    returning last_number`.execute(tx);
  return Number(r.rows[0].last_number);
}

/** A printed tax document number: PREFIX-YEAR-NNNNNN (INV-2026-000042). */
export const taxNumber = (prefix: string, year: number, seq: number) => `${prefix}-${year}-${String(seq).padStart(6, '0')}`;
