// SLA compliance per contract and per tier: of the tickets opened in a period, how many got their
// first answer and their fix within their tier's clocks (the engine's verdict on each clock: met,
// met late, breached; clocks still running are not counted yet), per time window (week or month,
// in the business's time zone). Shown on the contract page and exported as CSV.
import { DateTime } from 'luxon';
import { stringify } from 'csv-stringify/sync';
import type { Db } from '../../db/index.ts';
import type { Actor } from '../../core/actor.ts';
import { subjectClocks } from '../../core/clocks.ts';
import { notFound } from '../../core/errors.ts';
import { orgAndPack } from '../../core/organization.ts';
import * as repo from './repository.ts';

export interface SlaQuery {
  contractId?: string;
  tier?: string;
  from?: string;
  to?: string;
  window: 'week' | 'month';
}

type Verdict = 'met' | 'late' | 'breached' | 'open' | 'none';
const verdict = (status: string | undefined): Verdict =>
  status === undefined ? 'none' : status === 'met' ? 'met' : status === 'met-late' ? 'late' : status === 'breached' || status === 'escalated' ? 'breached' : 'open';

function tally(vs: Verdict[]) {
  const met = vs.filter((v) => v === 'met').length;
  const late = vs.filter((v) => v === 'late').length;
  const breached = vs.filter((v) => v === 'breached').length;
  const open = vs.filter((v) => v === 'open').length;
  const decided = met + late + breached;
  return { met, late, breached, open, compliance: decided ? Math.round((met / decided) * 1000) / 10 : null };
}

export async function compliance(db: Db, actor: Actor, q: SlaQuery, now = new Date()) {
  const { org, pack } = await orgAndPack(db, actor.organizationId);
  if (q.contractId) {
    const c = await db.selectFrom('contracts').select('id').where('organization_id', '=', org.id).where('id', '=', q.contractId).executeTakeFirst();
    if (!c) throw notFound('Contract');
  }
  const zone = org.time_zone;
  const today = DateTime.fromJSDate(now).setZone(zone);
  q = { ...q, from: q.from ?? today.minus({ months: 2 }).startOf('month').toISODate()!, to: q.to ?? today.toISODate()! };
  const fromI = DateTime.fromISO(q.from!, { zone }).startOf('day');
  const toI = DateTime.fromISO(q.to!, { zone }).endOf('day');
  let sel = db.selectFrom('support_tickets').selectAll().where('organization_id', '=', org.id).where('created_at', '>=', fromI.toJSDate()).where('created_at', '<=', toI.toJSDate());
  if (q.contractId) sel = sel.where('contract_id', '=', q.contractId);
  if (q.tier) sel = sel.where('tier', '=', q.tier);
  const tickets = await sel.orderBy('created_at').execute();
  type Line = { window: string; number: string; kind: string; tier: string; level: string; severity: string; createdAt: string; response: { clock: string | null; rule: string | null; due: string | null; at: string | null; verdict: Verdict }; resolution: { clock: string | null; rule: string | null; due: string | null; at: string | null; verdict: Verdict } };
  const rows: Line[] = [];
  for (const t of tickets) {
    const clocks = await subjectClocks(db, pack, { type: repo.subjectTypeOf(t), id: t.id, organizationId: org.id }, now);
    const response = clocks.find((c) => c.id === t.response_clock);
    const resolution = clocks.find((c) => c.id === t.resolution_clock);
    const created = DateTime.fromJSDate(t.created_at).setZone(zone);
    const windowStart = (q.window === 'week' ? created.startOf('week') : created.startOf('month')).toISODate()!;
    rows.push({
      window: windowStart,
      number: t.number,
      kind: t.kind,
      tier: t.tier,
      level: t.level,
      severity: t.severity,
      createdAt: t.created_at.toISOString(),
      response: { clock: t.response_clock, rule: response?.rule ?? null, due: response?.due ?? null, at: response?.stoppedAt ?? null, verdict: verdict(response?.status) },
      resolution: { clock: t.resolution_clock, rule: resolution?.rule ?? null, due: resolution?.due ?? null, at: resolution?.stoppedAt ?? null, verdict: verdict(resolution?.status) },
    });
  }
  const windows = [...new Set(rows.map((r) => r.window))].map((w) => {
    const of = rows.filter((r) => r.window === w);
    return { start: w, tickets: of.length, response: tally(of.map((r) => r.response.verdict)), resolution: tally(of.map((r) => r.resolution.verdict)) };
  });
  return {
    from: q.from!,
    to: q.to!,
    window: q.window,
    contractId: q.contractId ?? null,
    tier: q.tier ?? null,
    asOf: now.toISOString(),
    total: { tickets: rows.length, response: tally(rows.map((r) => r.response.verdict)), resolution: tally(rows.map((r) => r.resolution.verdict)) },
    windows,
    tickets: rows,
  };
}

export async function complianceCsv(db: Db, actor: Actor, q: SlaQuery, now = new Date()) {
  const r = await compliance(db, actor, q, now);
  const head = ['window', 'ticket', 'kind', 'tier', 'level', 'severity', 'created_at', 'response_clock', 'response_rule', 'response_due', 'responded_at', 'response', 'resolution_clock', 'resolution_due', 'resolved_at', 'resolution'];
  const lines = r.tickets.map((t) => [t.window, t.number, t.kind, t.tier, t.level, t.severity, t.createdAt, t.response.clock ?? '', t.response.rule ?? '', t.response.due ?? '', t.response.at ?? '', t.response.verdict, t.resolution.clock ?? '', t.resolution.due ?? '', t.resolution.at ?? '', t.resolution.verdict]);
  const totals = r.windows.map((w) => [w.start, 'TOTAL', '', q.tier ?? '', '', '', '', '', '', '', '', pct(w.response), '', '', '', pct(w.resolution)]);
  return stringify([head, ...lines, ...totals, ['all', 'TOTAL', '', q.tier ?? '', '', '', '', '', '', '', '', pct(r.total.response), '', '', '', pct(r.total.resolution)]]);
}
const pct = (t: { compliance: number | null; met: number; late: number; breached: number }) => (t.compliance === null ? 'n/a' : `${t.compliance}% (${t.met}/${t.met + t.late + t.breached})`);
