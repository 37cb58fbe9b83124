// Which declared problems the test suite actually provokes: the other direction of the suite's check
// (test/undeclared-problems.ts fails on a problem a route answers without declaring it; this lists
// the declared ones no test provokes, so a reviewer can look at them). No database.
//
//   PROBLEMS_SEEN=/tmp/seen npx vitest run
//   node bin/run-ts.mjs scripts/problems-coverage.ts /tmp/seen [--all]
//
// Without --all, the codes a route's access and schema imply (401/403, 400 validation-failed,
// reading the body, ...) are left out of the list: the route declares them by construction.
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { createDb } from '../src/db/index.ts';
import { buildApp } from '../src/server/app.ts';
import { BODY_PROBLEMS } from '../src/server/problems.ts';
import { DiskStorage } from '../src/storage/index.ts';

const dir = process.argv[2];
if (!dir || !fs.existsSync(dir)) {
  console.error('usage: node bin/run-ts.mjs scripts/problems-coverage.ts <PROBLEMS_SEEN dir> [--all]');
  process.exit(2);
}
const all = process.argv.includes('--all');
const seen = new Set<string>();
for (const f of fs.readdirSync(dir)) for (const x of JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as string[]) seen.add(x);

const implied = (status: number, code: string) =>
  ['unauthenticated', 'forbidden', 'path-too-long', 'idempotency-key-reused', ...BODY_PROBLEMS].includes(code) || (code === 'validation-failed' && status === 400);

const config = loadConfig({});
const handle = createDb('postgres://no-database.invalid/none', 1);
const app = await buildApp({ db: handle.db, pool: handle.pool, config, storage: new DiskStorage(config.filesDir) });
try {
  await app.ready();
  let declared = 0;
  let provoked = 0;
  const missing: string[] = [];
  for (const r of app.apiRoutes) {
    for (const [status, codes] of r.problems) {
      for (const code of codes) {
        if (!all && implied(status, code)) continue;
        declared++;
        const key = `${r.method} ${r.url} ${status} ${code}`;
        if (seen.has(key)) provoked++;
        else missing.push(key);
      }
    }
  }
  console.log(`${provoked} of ${declared} declared (route, status, code) ${all ? '' : 'pairs (not counting those implied by access and schema) '}were answered in the suite.`);
  if (missing.length) console.log(`Never provoked:\n  ${missing.join('\n  ')}`);
} finally {
  await app.close();
  await handle.close();
}
