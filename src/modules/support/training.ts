// Training sessions on use and administration under a maintenance contract (VN-5): scheduled on the
// business's working days only (its calendar: weekly days off and public holidays), within the
// contract's term and its included sessions, then held with attendance recorded.
import { DateTime } from 'luxon';
import type { Db, Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import type { Actor } from '../../core/actor.ts';
import { audit } from '../../core/audit.ts';
import { decodeCursor, toPage } from '../../core/cursors.ts';
import { badField, CoreErrors, notFound, problem, versionConflict, type ProblemCode } from '../../core/errors.ts';
import { caseNumberSql } from '../../core/numbers.ts';
import { orgAndPack } from '../../core/organization.ts';
import { enqueueMany } from '../../core/outbox.ts';
import { writeTransition } from '../../core/transitions.ts';
import { versionAt, versionCalendar } from '../../policy/index.ts';
import { sql } from 'kysely';
import * as contracts from '../contracts/contracts.service.ts';
import { ContractErrors } from '../contracts/contracts.errors.ts';
import * as repo from './repository.ts';
import { SupportErrors } from './support.errors.ts';
import { TRAINING_TRANSITIONS, trainingKind, type TrainingAction } from './kind.ts';
import { checkAssignee } from './tickets.ts';

export const trainingView = (s: repo.TrainingRow) => ({
  id: s.id,
  number: s.number,
  contractId: s.contract_id,
  topic: s.topic,
  channel: s.channel,
  startsAt: s.starts_at.toISOString(),
  date: s.local_date,
  durationMinutes: s.duration_minutes,
  trainerId: s.trainer_id,
  attendees: s.attendees,
  state: s.state as 'scheduled' | 'held' | 'cancelled',
  rule: s.rule,
  version: s.version,
});
export type TrainingView = ReturnType<typeof trainingView>;

export interface TrainingFields {
  contractId: string;
  topic: string;
  channel: string;
  startsAt: string;
  durationMinutes: number;
  trainerId?: string | null;
  attendees?: { name: string; email?: string | null }[];
}

export const SCHEDULE_PROBLEMS = ['validation-failed', 'unknown-reference', 'day-off', 'training-quota-used', 'support-not-offered', 'contract-expired', 'contract-not-started'] as const satisfies readonly ProblemCode[];

export async function schedule(tx: Tx, actor: Actor, f: TrainingFields, now = new Date()) {
  const { org, pack } = await orgAndPack(tx, actor.organizationId);
  const support = contracts.supportOf(pack, now);
  const rule = support.training;
  if (!rule) throw problem(ContractErrors, 'support-not-offered', "The business's policy offers no training sessions");
  if (!rule.channels.includes(f.channel)) throw badField('body.channel', `is not one of ${rule.channels.join(', ')}`, 'unknown-channel');
  const c = await tx.selectFrom('contracts').selectAll().where('organization_id', '=', org.id).where('id', '=', f.contractId).executeTakeFirst();
  if (!c) throw problem(CoreErrors, 'unknown-reference', 'No such contract', { errors: [{ field: 'body.contractId', message: 'no such contract' }] });
  await checkAssignee(tx, org.id, f.trainerId, 'body.trainerId');
  const start = DateTime.fromISO(f.startsAt, { setZone: true });
  const local = start.setZone(org.time_zone);
  const date = local.toISODate()!;
  // The contract must be in force on the session's day (an expired contract books nothing new).
  const status = contracts.statusOf(c, date);
  if (c.state === 'cancelled' || status === 'expired') throw problem(ContractErrors, 'contract-expired', `Contract ${c.number} ${c.state === 'cancelled' ? 'was cancelled' : `ends on ${c.ends_on}`}: no session on ${date}`, { errors: [{ field: 'body.startsAt', message: 'after the contract' }], endsOn: c.ends_on, offer: null });
  if (status === 'not-started') throw problem(ContractErrors, 'contract-not-started', `Contract ${c.number} starts on ${c.starts_on}`, { errors: [{ field: 'body.startsAt', message: 'before the contract' }], startsOn: c.starts_on });
  // VN-5: on working days only (the business's calendar).
  const cal = versionCalendar(versionAt(pack, start.toUTC().toISO()!));
  if (rule.workingDaysOnly && cal.isDayOff(date)) {
    const working = versionAt(pack, start.toUTC().toISO()!).raw.settings.calendar.workingDays ?? [1, 2, 3, 4, 5];
    const reason = working.includes(local.weekday) ? 'public-holiday' : 'weekly-day-off';
    throw problem(SupportErrors, 'day-off', `${date} is not a working day of the business: training sessions are held on working days (${rule.rule})`, { rule: rule.rule, reason, date, errors: [{ field: 'body.startsAt', message: 'a day off', code: 'day-off' }] });
  }
  const quota = c.included.find((s) => s.service === 'training-sessions')?.quantity;
  if (quota !== undefined && quota !== null && (await repo.trainingCount(tx, org.id, c.id)) >= quota) {
    throw problem(SupportErrors, 'training-quota-used', `Contract ${c.number} includes ${quota} training sessions, all booked`, { included: quota, errors: [{ field: 'body.contractId', message: 'all included sessions are booked' }] });
  }
  const number = (await sql<{ n: string }>`select ${caseNumberSql('tr', 'TR', org.id, Number(date.slice(0, 4)))} as n`.execute(tx)).rows[0].n;
  const row = await tx
    .insertInto('training_sessions')
    .values({
      id: uuidv7(),
      organization_id: org.id,
      number,
      contract_id: c.id,
      topic: f.topic,
      channel: f.channel,
      starts_at: start.toJSDate(),
      local_date: date,
      duration_minutes: f.durationMinutes,
      trainer_id: f.trainerId ?? null,
      attendees: JSON.stringify((f.attendees ?? []).map((a) => ({ name: a.name, email: a.email ?? null, attended: null }))),
      state: 'scheduled',
      rule: rule.rule,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await audit(tx, actor, { action: 'training-session.created', entityType: trainingKind.type, entityId: row.id, after: { number, contractId: c.id, date, channel: f.channel, rule: rule.rule } });
  await enqueueMany(tx, [{ organizationId: org.id, topic: 'training.scheduled', aggregateType: trainingKind.type, aggregateId: row.id, payload: { trainingId: row.id, number, customerId: c.customer_id, contractId: c.id, startsAt: row.starts_at.toISOString(), due: row.starts_at.toISOString(), summary: f.topic } }]);
  return trainingView(row);
}

export type TrainingActionBody =
  | { action: 'attendance'; version: number; attendees: { name: string; email?: string | null; attended: boolean }[] }
  | { action: 'cancel'; version: number; reason: string };
export const TRAINING_ACT_PROBLEMS = ['not-found', 'version-conflict', 'illegal-transition'] as const satisfies readonly ProblemCode[];

export async function actOnTraining(db: Db, actor: Actor, id: string, b: TrainingActionBody, now = new Date()) {
  return db.transaction().execute(async (tx) => {
    const s = await trainingKind.lock(tx, actor.organizationId, id);
    if (!s) throw notFound('Training session');
    if (s.version !== b.version) throw versionConflict(trainingView(s));
    const t = TRAINING_TRANSITIONS[b.action as TrainingAction];
    if (!(t.from as readonly string[]).includes(s.state)) throw problem(CoreErrors, 'illegal-transition', `Cannot ${b.action} a ${s.state} session`, { current: trainingView(s) });
    const { pack } = await orgAndPack(tx, actor.organizationId);
    const set = b.action === 'attendance' ? { attendees: JSON.stringify(b.attendees.map((a) => ({ name: a.name, email: a.email ?? null, attended: a.attended }))) } : {};
    const auditData = b.action === 'attendance' ? { attended: b.attendees.filter((a) => a.attended).length, invited: b.attendees.length } : { reason: b.reason };
    return trainingView(await writeTransition(tx, actor, trainingKind, s, { action: b.action, to: t.to, set, audit: auditData }, pack, now));
  });
}

export async function listTraining(db: Db, actor: Actor, f: { contractId?: string; limit: number; cursor?: string }) {
  const rows = await repo.listTraining(db, actor.organizationId, { ...f, after: decodeCursor(f.cursor) });
  return toPage(rows, f.limit, trainingView);
}
