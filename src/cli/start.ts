// `aftercare start` / `npm start`: database (embedded unless DATABASE_URL), migrations, demo data on
// first start, HTTP server; on SIGINT/SIGTERM: stop accepting, finish requests in flight, close the
// pool, stop the embedded PostgreSQL.
import pino from 'pino';
import { loadConfigOrExit } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { DEMO_ORGS, DEMO_PASSWORD, DEMO_ROLES, demoEmail, seedDemoIfEmpty } from '../modules/demo/demo.seed.ts';
import { startJobRunner } from '../jobs/runner.ts';
import { DeliveryWorker } from '../modules/notifications/delivery-worker.ts';
import { startMailIn } from '../modules/support/support.service.ts';
import { buildApp, type ExtraRoutes } from '../server/app.ts';
import { keyringOf } from '../core/secrets.ts';
import { sealStoredPasscodes } from '../modules/service-orders/workshop.ts';
import { firstRunNotice } from '../modules/organizations/first-run.service.ts';
import { DiskStorage } from '../storage/index.ts';

/** `extraRoutes`: only the benches' own entry (bench/lib/bench-server.mjs) passes any. */
export async function start(opts: { extraRoutes?: ExtraRoutes } = {}) {
  const config = loadConfigOrExit();
  const log = pino({ level: config.logLevel });
  log.info(config.databaseUrl ? 'using the PostgreSQL server at DATABASE_URL' : `starting the embedded PostgreSQL in ${config.pgDir}`);
  let database;
  try {
    database = await openDatabase(config, (m) => log.info(m));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
  // The key sealing secrets at rest: refused here, before anything is served, when it is missing.
  let ring;
  try {
    ring = keyringOf(config);
  } catch (e) {
    console.error((e as Error).message);
    await database.shutdown();
    process.exit(2);
  }
  // Passcodes stored before sealing (migration 0028) or under an older key: sealed with the current one.
  const resealed = await sealStoredPasscodes(database.db, ring);
  if (resealed) log.info(`sealed ${resealed} stored passcode(s) with key ${ring.current.id}`);
  const seeded = config.demo ? await seedDemoIfEmpty(database.db) : false;
  if (seeded) log.info('loaded the demo data');

  let ready = true;
  const app = await buildApp({ db: database.db, pool: database.pool, ...(database.read ? { readDb: database.read.db, readPool: database.read.pool } : {}), config, storage: new DiskStorage(config.filesDir), isReady: () => ready }, log, opts.extraRoutes);
  let address: string;
  try {
    address = await app.listen({ host: config.host, port: config.port });
  } catch (e) {
    console.error(`cannot listen on ${config.host}:${config.port}: ${(e as Error).message} (set PORT or HOST)`);
    await app.close().catch(() => {});
    await database.shutdown();
    process.exit(1);
  }
  // Deadlines, reminders and disposal notices (graphile-worker in the same PostgreSQL).
  const jobs = await startJobRunner({ db: database.db, pool: database.pool, timerPollMs: config.timerPollMs, log: (level, message) => (level === 'error' ? log.error(message) : log.warn(message)) });
  // E-mail and SMS from the outbox (safe with several processes: docs/documents-and-notifications.md).
  const delivery = config.notifications.worker ? new DeliveryWorker(database.db, config, { log: (level, m) => log[level](m) }) : null;
  delivery?.start();
  // Support mail in (MAIL_IN_PORT): mail becomes tickets, replies or triage (docs/support.md).
  const storage = new DiskStorage(config.filesDir);
  const mailIn = config.mailIn ? await startMailIn({ db: database.db, storage, host: config.mailIn.host, port: config.mailIn.port, defaultOrg: config.mailIn.org, log: (level, m) => log[level](m) }) : null;
  const url = config.publicUrl ?? address.replace('://[::1]', '://localhost');

  const lines = [
    '',
    `  Aftercare is running at ${url}`,
    `  API reference:  ${url}/api/v1/docs`,
    `  OpenAPI:        ${url}/api/v1/openapi.json`,
    `  Database:       ${config.databaseUrl ? 'DATABASE_URL' : `embedded PostgreSQL in ${config.pgDir}`}${config.databaseReadUrl ? ', warranty lookups on DATABASE_READ_URL' : ''}`,
    `  E-mail:         ${config.smtp ? `SMTP ${config.smtp.host}:${config.smtp.port}` : 'no SMTP_HOST: messages are kept, see GET /api/v1/notifications?status=kept'}`,
    `  Support mail:   ${mailIn && config.mailIn ? `SMTP receiver on ${config.mailIn.host}:${mailIn.port} (support+<business>@...)` : 'no MAIL_IN_PORT: no e-mail in'}`,
  ];
  if (config.demo) {
    lines.push('', `  Demo logins (password: ${DEMO_PASSWORD}):`);
    for (const o of DEMO_ORGS) {
      lines.push(`    ${o.name.padEnd(24)} ${DEMO_ROLES.map((r) => demoEmail(o.slug, r.local)).join('  ')}`);
    }
    lines.push('', '  Try a demo serial: DEMO-ITEMA-LAPTOP (sign in as owner@itema-pg.example), DEMO-ITMALL-SWITCH (owner@itmall.example)');
  }
  // No business yet (AFTERCARE_DEMO=false on an empty database): the one-time set-up link.
  lines.push(...(await firstRunNotice(database.db, url)));
  console.log(lines.join('\n') + '\n');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ready = false;
    log.info({ signal }, 'shutting down: finishing requests in flight');
    const force = setTimeout(() => {
      log.error('shutdown took longer than 20 s; exiting');
      process.exit(1);
    }, 20_000);
    force.unref();
    try {
      await app.close();
      await mailIn?.close();
      await delivery?.stop();
      await jobs.stop();
      await database.shutdown();
      log.info('stopped');
      process.exit(0);
    } catch (e) {
      log.error({ err: e }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
