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

await program.parseAsync(process.argv);
