// `npm run bench [-- name...]`: runs every bench/*.bench.ts (or those whose name contains one of
// the arguments) in turn. Each exports `run()` and prints its figures as ratios against a baseline
// measured in the same run. A bench that exports `optIn = true` (lookup-10m: many minutes and
// several GB of disk) runs only when named. `npm run bench -- --help` lists them.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const all = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();
if (args.includes('--help') || args.includes('-h')) {
  console.log('usage: npm run bench [-- name...]   (a name matches every bench whose file name contains it)\n');
  for (const f of all) {
    const opt = /export const optIn = true/.test(readFileSync(path.join(dir, f), 'utf8'));
    console.log(`  ${f.replace('.bench.ts', '').padEnd(14)}${opt ? ' (opt-in: runs only when named)' : ''}`);
  }
  console.log('\nEnvironment: BENCH_SECONDS, BENCH_ROUNDS and the others each bench names at its top; docs/benchmarks.md.');
  process.exit(0);
}
for (const f of all.filter((f) => args.length === 0 || args.some((x) => f.includes(x)))) {
  const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as { run: () => Promise<void>; optIn?: boolean };
  if (mod.optIn && args.length === 0) {
    console.log(`\n# ${f}: opt-in, skipped (npm run bench -- ${f.replace('.bench.ts', '')})`);
    continue;
  }
  console.log(`\n# ${f}`);
  await mod.run();
}
