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
