// Subject kinds: each kind of case (service order, RMA, incident, contract, registration, ...)
// registers itself once with what the core needs to run its clocks and transitions: the table its
// rows live in, how to lock one, the states in which it waits for the client, the clocks that
// measure the client (never paused), and what its timers do. See docs/adding-a-feature.md.
import type { Db, Tx } from '../db/index.ts';
import type { CompiledPack, PackClockState } from '../policy/index.ts';
import type { Org } from './organization.ts';

/** The columns every case row has: the transition writer reads and writes only these (plus `set`). */
export interface CaseRow {
  id: string;
  organization_id: string;
  state: string;
  version: number;
}

export interface TimerContext<Row extends CaseRow = CaseRow> {
  subject: Row;
  timer: { id: string; kind: 'at-risk' | 'due' | 'escalation' };
  clock: { id: string; rule: string };
  state: PackClockState;
  org: Org;
  pack: CompiledPack;
  moment: Date;
}

export interface SubjectKind<Row extends CaseRow = CaseRow> {
  /** The subject type of its clocks and timers, and its audit entity type: 'service-order'. */
  type: string;
  /** Its table (kebab-case never; a real table name). */
  table: string;
  /** States in which the ball is in the client's court: the business's clocks pause. */
  waitingForClient: readonly string[];
  /** Clocks that measure the client, not the business: they never pause while waiting for the client. */
  clientClocks: readonly string[];
  /** Locks the row (FOR UPDATE) in the caller's transaction; undefined when there is none. */
  lock(tx: Tx, orgId: string, id: string): Promise<Row | undefined>;
  /** What a timer of this kind does, in the firing transaction (outbox rows, a transition ...). */
  onTimer(tx: Tx, ctx: TimerContext<Row>): Promise<void>;
}

const kinds = new Map<string, SubjectKind>();

/** Registers a kind (idempotent for the same object; a second, different kind of the same type is a bug). */
export function registerSubjectKind<Row extends CaseRow>(kind: SubjectKind<Row>): SubjectKind<Row> {
  const had = kinds.get(kind.type);
  if (had && had !== (kind as unknown as SubjectKind)) throw new Error(`subject kind "${kind.type}" is registered twice`);
  kinds.set(kind.type, kind as unknown as SubjectKind);
  return kind;
}

export function subjectKind(type: string): SubjectKind {
  const k = kinds.get(type);
  if (!k) throw new Error(`no subject kind "${type}" is registered (src/modules/subject-kinds.ts)`);
  return k;
}

export const registeredKinds = () => [...kinds.keys()];

/** A generic row lock for kinds whose table has (organization_id, id). */
export function lockById<Row extends CaseRow>(table: string) {
  return (tx: Tx | Db, orgId: string, id: string) =>
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the table is the kind's own, named at registration
    (tx as any).selectFrom(table).selectAll().where('organization_id', '=', orgId).where('id', '=', id).forUpdate().executeTakeFirst() as Promise<Row | undefined>;
}
