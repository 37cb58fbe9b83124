// A delivery worker in its own process, for the crash test: it runs until killed.
import { loadConfig } from '../src/config.ts';
import { createDb } from '../src/db/index.ts';
import { DeliveryWorker } from '../src/modules/notifications/delivery-worker.ts';

const env = process.env;
const db = createDb(env.CHILD_DATABASE_URL!, 3);
const config = loadConfig({ SMTP_HOST: '127.0.0.1', SMTP_PORT: env.CHILD_SMTP_PORT, SMTP_TLS: 'none', MAIL_FROM: 'service@aftercare.test', PUBLIC_URL: 'https://shop.example' });
const w = new DeliveryWorker(db.db, config, { batchSize: 5, leaseMs: Number(env.CHILD_LEASE_MS ?? 1000), pollMs: 50 });
w.start();
process.stdout.write('ready\n');
