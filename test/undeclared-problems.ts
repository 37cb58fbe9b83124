// Every problem a route answers in the test suite must be one the route declares (its
// `config.problems`, or what its access and schema imply: src/server/problems.ts). The app publishes
// each problem a route answers on a diagnostics channel, flagged declared or not; this file, a vitest
// setup file (vitest.config.ts), collects the undeclared ones while a test file runs and fails the file
// after its tests, naming route, status and code. A test that provokes one on purpose takes it with
// `takeUndeclaredProblems()`.
// With PROBLEMS_SEEN=<dir>, every (route, status, code) answered is also written there, one JSON file
// per test file: what the suite exercises, to compare with what the routes declare.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect } from 'vitest';
import { problemChannel, type AnsweredProblem } from '../src/server/problems.ts';

const undeclared: AnsweredProblem[] = [];
const seen = new Set<string>();
const collect = (message: unknown) => {
  const p = message as AnsweredProblem;
  if (!p.declared) undeclared.push(p);
  seen.add(`${p.route} ${p.status} ${p.code}`);
};
problemChannel.subscribe(collect);

/** The undeclared problems seen so far in this file (and forgets them). */
export function takeUndeclaredProblems(): AnsweredProblem[] {
  return undeclared.splice(0, undeclared.length);
}

/** One line per distinct (route, status, code). */
export function describeUndeclared(list: readonly AnsweredProblem[]): string[] {
  const lines = list.map(
    (p) => `${p.route} answered ${p.status} ${p.code}, which it does not declare (declared for ${p.status}: ${p.declaredForStatus.join(', ') || 'nothing'}): add '${p.code}' to the route's config.problems`,
  );
  return [...new Set(lines)];
}

afterAll(() => {
  problemChannel.unsubscribe(collect);
  const dir = process.env.PROBLEMS_SEEN;
  if (dir) {
    fs.mkdirSync(dir, { recursive: true });
    const name = (expect.getState().testPath ?? 'unknown').replace(/[^\w.-]+/g, '_');
    fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify([...seen]));
  }
  const found = describeUndeclared(takeUndeclaredProblems());
  if (found.length) throw new Error(`Routes answered problems they do not declare:\n  ${found.join('\n  ')}`);
});
