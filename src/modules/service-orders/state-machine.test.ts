import { describe, expect, test } from 'vitest';
import { ACTIONS, allowedActions, STATES, TERMINAL, transition, TRANSITIONS, type Action, type State } from './state-machine.ts';

const legal: [State, Action, State][] = [
  ['claimed', 'authorize', 'claimed'], // ITEMA-28
  ['claimed', 'open', 'received'], // SC-2, ITEMA-11
  ['received', 'start-diagnosis', 'diagnosing'],
  ['diagnosing', 'diagnose', 'diagnosing'],
  ['diagnosing', 'approve-warranty', 'warranty-approved'],
  ['diagnosing', 'quote', 'awaiting-decision'], // SC-5
  ['awaiting-decision', 'accept', 'accepted'], // SC-7
  ['awaiting-decision', 'refuse', 'refused'], // SC-7
  ['warranty-approved', 'start-repair', 'in-repair'],
  ['accepted', 'start-repair', 'in-repair'],
  ['in-repair', 'start-testing', 'testing'],
  ['testing', 'test-failed', 'in-repair'], // SC-8
  ['testing', 'test-passed', 'ready'], // SC-9
  ['ready', 'hand-over', 'handed-over'], // SC-10
  ['refused', 'return', 'returned'], // ITEMA-22, SC-12
  ['ready', 'mark-unclaimed', 'unclaimed'], // SC-11, ITEMA-24
  ['refused', 'mark-unclaimed', 'unclaimed'],
  ['unclaimed', 'dispose', 'disposed'],
  ['unclaimed', 'hand-over', 'handed-over'],
  ['received', 'cancel', 'cancelled'],
  // Issue 12: remedies beyond repair, from diagnosis to testing (each also gated on the decision).
  ['diagnosing', 'replace', 'ready'], // ITEMA-17, ITEMA-30
  ['in-repair', 'replace', 'ready'],
  ['in-repair', 'reduce-price', 'in-repair'], // ITEMA-18, ITEMA-31
  ['ready', 'reduce-price', 'ready'],
  ['warranty-approved', 'terminate', 'settled'], // ITEMA-18, ITEMA-31
  ['testing', 'buy-back', 'settled'], // ITEMA-17
  ['diagnosing', 'refund', 'settled'], // ITEMA-32
];

describe('service order state machine', () => {
  test.each(legal)('%s --%s--> %s', (from, action, to) => {
    expect(transition(from, action)).toEqual({ ok: true, to });
  });

  const illegal: [State, Action][] = [
    ['received', 'quote'],
    ['diagnosing', 'accept'],
    ['awaiting-decision', 'start-repair'],
    ['in-repair', 'hand-over'],
    ['ready', 'dispose'], // SC-11: only an unclaimed device is disposed of
    ['refused', 'start-repair'],
    ['handed-over', 'cancel'],
    ['testing', 'accept'],
    ['received', 'replace'], // a remedy only after diagnosis
    ['awaiting-decision', 'terminate'],
    ['settled', 'hand-over'],
  ];
  test.each(illegal)('%s refuses %s with the allowed actions named', (from, action) => {
    const r = transition(from, action);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.allowed).toEqual(allowedActions(from));
      expect(r.message).toMatch(from);
    }
  });

  test('every state is in the table, terminal states allow nothing, every other state leads somewhere', () => {
    for (const s of STATES) {
      expect(TRANSITIONS[s]).toBeDefined();
      if (TERMINAL.includes(s)) expect(allowedActions(s)).toEqual([]);
      else expect(allowedActions(s).length).toBeGreaterThan(0);
    }
  });

  test('the whole table: exactly the listed moves are legal', () => {
    let n = 0;
    for (const s of STATES) for (const a of ACTIONS) if (transition(s, a).ok) n++;
    expect(n).toBe(Object.values(TRANSITIONS).reduce((k, m) => k + Object.keys(m).length, 0));
  });

  test('every non-terminal state can reach a terminal state', () => {
    for (const s of STATES) {
      const seen = new Set<State>([s]);
      const todo: State[] = [s];
      while (todo.length) {
        for (const to of Object.values(TRANSITIONS[todo.pop()!])) {
          if (!seen.has(to!)) {
            seen.add(to!);
            todo.push(to!);
          }
        }
      }
      expect([...seen].some((x) => TERMINAL.includes(x)), s).toBe(true);
    }
  });
});
