// The `aftercare` command line. Each subcommand lives in its own file and is loaded lazily, so
// `aftercare policy ...` never loads the server or the database driver.
import { Command } from 'commander';

const program = new Command('aftercare').description('Aftercare: warranties, claims and repairs computed from events');

program
  .command('start')
  .description('start the server (embedded PostgreSQL unless DATABASE_URL is set)')
  .action(async () => {
    const { start } = await import('./start.ts');
    await start();
  });

program
  .command('import')
  .argument('<file>', 'a CSV of past sales (columns: see docs/import-export.md)')
  .option('--org <slug>', 'the organization to import into (needed when there are several)')
  .option('--check', 'only report bad rows (line, column, reason); write nothing')
  .description('import past sales (customers, devices, purchases); importing the same file again creates nothing twice')
  .action(async (file: string, opts: { org?: string; check?: boolean }) => {
    const { importCommand } = await import('./sales.ts');
    process.exitCode = await importCommand(file, opts);
  });
program
  .command('export')
  .option('--org <slug>', 'the organization to export (needed when there are several)')
  .option('-o, --out <file>', 'write to a file instead of standard output')
  .description('export every device with its purchases as CSV, in the shape import reads')
  .action(async (opts: { org?: string; out?: string }) => {
    const { exportCommand } = await import('./sales.ts');
    process.exitCode = await exportCommand(opts);
  });

const org = program.command('org').description('businesses: create one (its owner, locations and policy)');
org
  .command('create')
  .requiredOption('--name <name>', "the business's name")
  .option('--slug <slug>', 'its short name in links (default: from the name)')
  .requiredOption('--country <code>', 'ISO 3166 country, e.g. BG (national holidays)')
  .requiredOption('--time-zone <zone>', 'IANA time zone, e.g. Europe/Sofia')
  .requiredOption('--currency <code>', 'ISO 4217 currency, e.g. EUR')
  .option('--languages <list>', 'languages, comma-separated (en, bg, vi)', 'en')
  .requiredOption('--owner-name <name>', "the first owner's name")
  .requiredOption('--owner-email <email>', "the first owner's e-mail (the sign-in)")
  .option('--owner-password <password>', "the first owner's password (else asked, or read from standard input's first line)")
  .option('--location <spec>', 'a location as "name|address|phone|opening hours" (repeat for several)', (v: string, acc: string[]) => [...acc, v], [] as string[])
  .option('--policy <template>', 'the starting point of its policy: its, itmall, service-center, vn, itema or blank', 'blank')
  .description('create a business with its first owner, its locations and its policy (a copy of a template, then its own)')
  .action(async (opts) => {
    const { orgCreateCommand } = await import('./org.ts');
    process.exitCode = await orgCreateCommand(opts);
  });

const policy = program.command('policy').description('policy packs: validate, inspect, decide');
policy
  .command('validate')
  .argument('<pack-file>', 'a policy pack (YAML or JSON)')
  .description('check a policy pack; exit 1 and list every problem when it is invalid')
  .action(async (file: string) => {
    const { validateCommand } = await import('./policy.ts');
    process.exitCode = await validateCommand(file);
  });
policy
  .command('decide')
  .requiredOption('--pack <id|file>', 'a shipped pack id (its, itmall, service-center, vn, itema) or a pack file')
  .requiredOption('--input <case.json>', 'the case: device, events, claim and moment (see docs/policy-cases.md)')
  .option('--lang <lang>', 'language of the texts (en, bg, vi)')
  .description('print the decision for a case as JSON')
  .action(async (opts: { pack: string; input: string; lang?: string }) => {
    const { decideCommand } = await import('./policy.ts');
    process.exitCode = await decideCommand(opts);
  });

program
  .command('backup')
  .option('-o, --out <file>', 'the dump file (default aftercare-<date>-<time>.dump in this folder)')
  .description('pg_dump of the configured database (custom format) and a manifest of every table (rows, checksum) beside it')
  .action(async (opts: { out?: string }) => {
    const { backupCommand } = await import('./backup.ts');
    process.exitCode = await backupCommand(opts);
  });
program
  .command('restore')
  .argument('<file>', 'a dump written by aftercare backup')
  .option('--clean', 'replace what the database holds (default: refuse unless it is empty)')
  .description('pg_restore into the configured database, then check every table against the backup’s manifest and verify the audit chains')
  .action(async (file: string, opts: { clean?: boolean }) => {
    const { restoreCommand } = await import('./backup.ts');
    process.exitCode = await restoreCommand(file, opts);
  });

const audit = program.command('audit').description('the audit log: a hash chain per organization');
audit
  .command('verify')
  .option('--org <slug>', 'only this organization')
  .description("recompute each organization's audit hash chain; exit 1 and name the first broken row if any")
  .action(async (opts: { org?: string }) => {
    const { auditVerifyCommand } = await import('./audit.ts');
    process.exitCode = await auditVerifyCommand(opts);
  });

await program.parseAsync(process.argv);
