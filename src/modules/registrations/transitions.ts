// Every change of a registration goes through here: the table is checked, then the core's one
// writer (state, version, clocks, audit, outbox) in the caller's transaction.
import type { Actor } from '../../core/actor.ts';
import { CoreErrors, problem } from '../../core/errors.ts';
import type { OutboxMessage } from '../../core/outbox.ts';
import { writeTransition } from '../../core/transitions.ts';
import type { Tx } from '../../db/index.ts';
import type { CompiledPack } from '../../policy/index.ts';
import { registrationKind } from './kind.ts';
import type { RegistrationRow } from './repository.ts';
import { REGISTRATION_TRANSITIONS, type RegistrationAction } from './state-machine.ts';

export async function actOnRegistration(
  tx: Tx,
  actor: Actor,
  r: RegistrationRow,
  action: RegistrationAction,
  pack: CompiledPack,
  now: Date,
  w: { set?: Record<string, unknown>; audit?: Record<string, unknown>; outbox?: readonly OutboxMessage[] } = {},
): Promise<RegistrationRow> {
  const t = REGISTRATION_TRANSITIONS[action];
  if (!(t.from as readonly string[]).includes(r.state)) {
    throw problem(CoreErrors, 'illegal-transition', `Cannot ${action} a registration that is ${r.state}`, { current: { id: r.id, state: r.state, version: r.version } });
  }
  return writeTransition(tx, actor, registrationKind, r, { action, to: t.to ?? r.state, clockEvents: t.clockEvents, ...w }, pack, now);
}
