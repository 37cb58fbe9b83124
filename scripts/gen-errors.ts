// Writes docs/errors.md: every error code of every table (src/core/errors.ts and each feature's
// <feature>.errors.ts) with its status, its one line for integrators and the operations that declare it.
//
//   npm run gen:errors              writes the file
//   npm run gen:errors -- --check   exit 1 when the committed file differs (test/errors.test.ts checks it too)
import fs from 'node:fs';
import path from 'node:path';
import { ERRORS_DOC, generateErrorsDoc } from './errors-doc.ts';

async function main() {
  const fresh = await generateErrorsDoc();
  const rel = path.relative(process.cwd(), ERRORS_DOC);
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(ERRORS_DOC) ? fs.readFileSync(ERRORS_DOC, 'utf8') : null;
    if (current === fresh) {
      console.log(`${rel} is up to date.`);
      return;
    }
    console.error(`${rel} is ${current === null ? 'missing' : 'out of date'}: run \`npm run gen:errors\` and commit it.`);
    process.exitCode = 1;
    return;
  }
  fs.writeFileSync(ERRORS_DOC, fresh);
  console.log(`wrote ${rel} (${fresh.split('\n').length} lines)`);
}

main().catch((e) => {
  console.error(`gen-errors failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
