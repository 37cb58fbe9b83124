// Case numbers: PREFIX-YEAR-NNNNNN per organization and year (SO-2026-000042), from one PostgreSQL
// sequence per (kind, organization, year) that next_case_number() creates on first use (migration
// 0011). nextval never waits for another transaction, so intakes of one business do not queue
// behind each other; a rolled-back intake leaves a gap. Case numbers may have gaps; tax documents
// (invoices, credit notes, receipts) must not, and get a counter of their own.
import { sql } from 'kysely';

/** A SQL expression for the next number of `kind` ('so', 'rma', ...) with its printed prefix. */
export function caseNumberSql(kind: string, prefix: string, orgId: string, year: number) {
  return sql<string>`${prefix} || '-' || ${year}::text || '-' || lpad(next_case_number(${kind}, ${orgId}::uuid, ${year}::int)::text, 6, '0')`;
}
