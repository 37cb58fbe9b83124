// The crash test: a worker in a child process is killed (SIGKILL) mid-batch, again and again, while
// it sends; restarted workers finish the job. Every message arrives, each exactly once in the
// mailbox (by its Message-ID), and every outbox row ends delivered.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { uuidv7 } from '../../db/ids.ts';
import { setupApp, type TestContext } from '../../../test/db.ts';
import { startSmtp, type Mailbox } from '../../../test/smtp.ts';
import { enqueue } from '../../core/outbox.ts';

let t: TestContext;
let box: Mailbox;
const children: ChildProcess[] = [];
beforeAll(async () => {
  t = await setupApp();
  box = await startSmtp();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await box?.close();
  await t?.close();
});

const root = path.resolve(import.meta.dirname, '../../..');
function worker(): Promise<ChildProcess> {
  const c = spawn(process.execPath, [path.join(root, 'bin/run-ts.mjs'), path.join(root, 'test/notification-worker-child.ts')], {
    env: { ...process.env, CHILD_DATABASE_URL: t.url, CHILD_SMTP_PORT: String(box.config.port), CHILD_LEASE_MS: '1000' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(c);
  return new Promise((resolve, reject) => {
    c.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve(c));
    c.on('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  });
}
const until = async (cond: () => boolean | Promise<boolean>, ms: number) => {
  // A wait measured on the monotonic clock: no date is read.
  const end = performance.now() + ms;
  while (!(await cond())) {
    if (performance.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('killed mid-batch three times: nothing lost, nothing twice', { timeout: 90_000 }, async () => {
  const ivan = await t.db.selectFrom('customers').selectAll().where('email', '=', 'ivan.petrov@example.bg').executeTakeFirstOrThrow();
  const N = 40;
  const ids: string[] = [];
  await t.db.transaction().execute(async (tx) => {
    for (let i = 0; i < N; i++) {
      const orderId = uuidv7();
      ids.push((await enqueue(tx, { organizationId: t.orgs['itema-pg'], topic: 'order.ready', aggregateType: 'service-order', aggregateId: orderId, payload: { orderId, number: `SO-2026-7${String(i).padStart(5, '0')}`, customerId: ivan.id, language: 'bg', channel: 'email', balanceDueMinor: 1000, currency: 'EUR' } }))!);
    }
  });
  box.delayMs = 30; // each message takes a while, so a kill lands mid-batch and sometimes mid-send
  const ours = () => box.raw.filter((m) => /SO-2026-7\d{5}/.test(m.subject ?? ''));
  let kills = 0;
  for (let round = 0; round < 3; round++) {
    const c = await worker();
    const seen = ours().length;
    await until(() => ours().length >= seen + 4, 20_000);
    c.kill('SIGKILL');
    await new Promise((r) => c.once('exit', r));
    kills++;
  }
  const delivered = async () =>
    Number((await t.db.selectFrom('outbox').select((eb) => eb.fn.countAll<string>().as('n')).where('id', 'in', ids).where('delivered_at', 'is not', null).executeTakeFirstOrThrow()).n);
  expect(await delivered()).toBeLessThan(N); // the kills did interrupt the work
  const last = await worker();
  await until(async () => (await delivered()) === N, 60_000);
  last.kill('SIGTERM');

  const notes = await t.db.selectFrom('notifications').select(['message_key', 'status']).where('outbox_id', 'in', ids).execute();
  expect(notes).toHaveLength(N);
  expect(notes.every((n) => n.status === 'sent')).toBe(true);
  // The mailbox: every message, each once (a mail store keeps one message per Message-ID).
  const mailbox = [...box.messages.values()].filter((m) => /SO-2026-7\d{5}/.test(m.subject ?? ''));
  expect(mailbox).toHaveLength(N);
  expect(new Set(mailbox.map((m) => m.messageId))).toEqual(new Set(notes.map((n) => `<${n.message_key}>`)));
  // On the wire, a kill can cost at most one resend per message in flight, and the resend carries the same Message-ID.
  const raw = ours();
  const dupes = raw.length - N;
  console.log(`crash test: ${kills} kills, ${raw.length} SMTP transactions for ${N} messages (${dupes} resent with the same Message-ID)`);
  expect(dupes).toBeLessThanOrEqual(kills);
});
