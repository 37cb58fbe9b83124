// `aftercare import <file>` and `aftercare export`: past sales as CSV, on the configured database.
import fs from 'node:fs';
import { loadConfigOrExit } from '../config.ts';
import { openDatabase, type OpenDatabase } from '../db/database.ts';
import { exportSales, importSales } from '../modules/import-export/import-export.service.ts';
import { systemActor } from '../core/actor.ts';

async function withDb<T>(fn: (d: OpenDatabase) => Promise<T>): Promise<T> {
  const config = loadConfigOrExit();
  const d = await openDatabase(config);
  try {
    return await fn(d);
  } finally {
    await d.shutdown();
  }
}

async function orgId(d: OpenDatabase, slug: string | undefined): Promise<string> {
  const orgs = await d.db.selectFrom('organizations').select(['id', 'slug']).orderBy('slug').execute();
  if (slug) {
    const o = orgs.find((x) => x.slug === slug);
    if (!o) throw new Error(`no organization "${slug}"; there are: ${orgs.map((x) => x.slug).join(', ') || 'none'}`);
    return o.id;
  }
  if (orgs.length === 1) return orgs[0].id;
  throw new Error(`name the organization with --org (one of: ${orgs.map((x) => x.slug).join(', ') || 'none'})`);
}

export async function importCommand(file: string, opts: { org?: string; check?: boolean }): Promise<number> {
  if (!fs.existsSync(file)) {
    console.error(`no such file: ${file}`);
    return 2;
  }
  const input = fs.readFileSync(file);
  return withDb(async (d) => {
    const org = await orgId(d, opts.org);
    const started = Date.now();
    const progress = process.stderr.isTTY
      ? (done: number, total: number) => process.stderr.write(`\r  ${done.toLocaleString('en')} / ${total.toLocaleString('en')} rows (${Math.round((100 * done) / total)} %)`)
      : (() => {
          let last = 0;
          return (done: number, total: number) => {
            if (done === total || Date.now() - last > 2000) {
              last = Date.now();
              console.error(`  ${done} / ${total} rows`);
            }
          };
        })();
    const r = await importSales(d.db, systemActor(org, 'import'), input, { check: opts.check, onProgress: progress });
    if (process.stderr.isTTY && r.written) process.stderr.write('\n');
    if (r.problems.length) {
      console.error(`${file}: ${r.problems.length} problem(s); nothing was written`);
      for (const p of r.problems) console.error(`  line ${p.line}${p.column ? `, column ${p.column}` : ''}: ${p.reason}`);
      return 1;
    }
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    if (opts.check) console.log(`${file}: ${r.rows} rows, all good (check only, nothing written)`);
    else console.log(`${file}: ${r.rows} rows in ${secs} s; created ${r.customersCreated} customers, ${r.devicesCreated} devices, ${r.purchasesCreated} purchases`);
    return 0;
  });
}

export async function exportCommand(opts: { org?: string; out?: string }): Promise<number> {
  return withDb(async (d) => {
    const org = await orgId(d, opts.org);
    const out: NodeJS.WritableStream = opts.out ? fs.createWriteStream(opts.out) : process.stdout;
    for await (const chunk of exportSales(d.db, org)) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    if (opts.out) await new Promise<void>((r) => (out as fs.WriteStream).end(r));
    return 0;
  });
}
