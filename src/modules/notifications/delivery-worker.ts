// The delivery worker: reads the outbox and sends what it asks for.
//
// Guarantees (docs/documents-and-notifications.md):
// - Nothing is lost: an outbox row is committed with the change it reports; it stays due until every
//   message of it is sent (or kept for staff, or failed for good). A worker that dies holding rows
//   loses only its lease; when the lease runs out another worker (or the same one restarted) takes
//   the rows again.
// - Several processes: rows are claimed with FOR UPDATE SKIP LOCKED under a lease; every write
//   checks the lease is still ours, so two workers never work on one row at once.
// - Nothing is sent twice: each message is rendered once and stored with its idempotency marker
//   (the e-mail's Message-ID); a message marked sent is never sent again. The one window left —
//   killed after the SMTP server accepted a message and before we recorded it — resends the same
//   message with the same Message-ID, which mail stores deduplicate.
// - Retries back off exponentially (5 s, 10 s, 20 s ... at most 1 h); attempts and the last error are
//   on the outbox row and on the message. After MAX_ATTEMPTS a message is marked failed and shown
//   to staff.
import type { Config } from '../../config.ts';
import type { Db } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import { compose } from './notifications.compose.ts';
import * as repo from './notifications.repository.ts';
import { smtpSender, type EmailSender } from './email.ts';
import { SmsError, smsSender, type SmsSender } from './sms.ts';

export interface WorkerOptions {
  batchSize?: number;
  leaseMs?: number;
  pollMs?: number;
  maxAttempts?: number;
  backoffMs?: (attempt: number) => number;
  log?: (level: 'info' | 'warn' | 'error', msg: string) => void;
  email?: EmailSender | null;
  sms?: SmsSender;
}

export const MAX_ATTEMPTS = 10;
export const backoff = (attempt: number) => Math.min(5_000 * 2 ** Math.max(0, attempt - 1), 3_600_000);

export class DeliveryWorker {
  readonly email: EmailSender | null;
  readonly sms: SmsSender;
  private readonly o: Required<Omit<WorkerOptions, 'email' | 'sms'>>;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly domain: string;

  constructor(
    private readonly db: Db,
    private readonly config: Config,
    opts: WorkerOptions = {},
  ) {
    const log = opts.log ?? (() => {});
    this.o = {
      batchSize: opts.batchSize ?? 20,
      leaseMs: opts.leaseMs ?? 60_000,
      pollMs: opts.pollMs ?? config.notifications.pollMs,
      maxAttempts: opts.maxAttempts ?? MAX_ATTEMPTS,
      backoffMs: opts.backoffMs ?? backoff,
      log,
    };
    this.email = opts.email !== undefined ? opts.email : config.smtp ? smtpSender(config.smtp) : null;
    this.sms = opts.sms ?? smsSender(config.sms, (m) => log('info', m));
    this.domain = config.mailFrom.split('@')[1] ?? 'aftercare.local';
  }

  /** Delivers what is due now; returns how many outbox rows it finished. */
  async runOnce(): Promise<number> {
    const rows = await repo.claim(this.db, this.o.batchSize, this.o.leaseMs);
    let done = 0;
    for (const row of rows) {
      if (this.stopped) break;
      if (await this.deliver(row)) done++;
    }
    return done;
  }

  /** Polls until stop(); a full batch is followed at once by the next. */
  start() {
    const loop = async () => {
      if (this.stopped) return;
      let n = 0;
      try {
        this.running = this.runOnce().then((x) => {
          n = x;
        });
        await this.running;
      } catch (e) {
        this.o.log('error', `notification delivery: ${(e as Error).message}`);
      } finally {
        this.running = null;
      }
      if (!this.stopped) this.timer = setTimeout(loop, n >= this.o.batchSize ? 0 : this.o.pollMs);
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => {});
    this.email?.close();
  }

  private async ensureMessages(row: repo.OutboxRow) {
    const have = await repo.messagesOf(this.db, row.id);
    if (have.length) return have;
    const composed = await compose(this.db, this.config, row);
    if (composed.length === 0) return [];
    await this.db
      .insertInto('notifications')
      .values(
        composed.map((c, seq) => {
          const id = uuidv7();
          return {
            id,
            organization_id: row.organization_id,
            outbox_id: row.id,
            seq,
            topic: row.topic,
            audience: c.audience,
            channel: c.channel,
            language: c.language,
            recipient: c.recipient,
            subject: c.subject,
            body: c.body,
            link: c.link,
            order_id: c.orderId,
            customer_id: c.customerId,
            message_key: `${id}@${this.domain}`,
          };
        }),
      )
      // A worker that lost its lease may have rendered them already: theirs stand.
      .onConflict((oc) => oc.columns(['outbox_id', 'seq']).doNothing())
      .execute();
    return repo.messagesOf(this.db, row.id);
  }

  private async send(m: repo.NotificationRow, from: string): Promise<string | 'kept'> {
    if (m.channel === 'email' && m.recipient && this.email) {
      return this.email.send({
        from: { name: from, address: this.config.mailFrom },
        to: m.recipient,
        subject: m.subject ?? '',
        text: m.body,
        language: m.language,
        messageId: `<${m.message_key}>`,
        headers: { 'X-Aftercare-Notification': m.id, 'X-Aftercare-Topic': m.topic },
      });
    }
    if (m.channel === 'sms' && m.recipient && this.sms.sends) return this.sms.send({ to: m.recipient, body: m.body });
    if (m.channel === 'sms' && m.recipient) await this.sms.send({ to: m.recipient, body: m.body }); // logged
    return 'kept';
  }

  /** True when the row is finished (delivered, kept or given up). */
  private async deliver(row: repo.OutboxRow): Promise<boolean> {
    let lease: Date | null = row.locked_until;
    const db = this.db;
    let current: repo.NotificationRow | undefined;
    try {
      const messages = await this.ensureMessages(row);
      const org = await db.selectFrom('organizations').select('name').where('id', '=', row.organization_id).executeTakeFirstOrThrow();
      for (const m of messages) {
        if (m.status === 'sent' || m.status === 'kept' || m.status === 'failed') continue;
        current = m;
        // Renew the lease before each send: a worker that lost its row stops here.
        lease = lease && (await repo.renew(db, row.id, lease, this.o.leaseMs));
        if (!lease) return false;
        await db
          .updateTable('notifications')
          .set((eb) => ({ status: 'sending', sending_at: new Date(), attempts: eb('attempts', '+', 1) }))
          .where('id', '=', m.id)
          .execute();
        const result = await this.send(m, org.name);
        await db
          .updateTable('notifications')
          .set(result === 'kept' ? { status: 'kept', last_error: null } : { status: 'sent', sent_at: new Date(), provider_id: result.slice(0, 500), last_error: null })
          .where('id', '=', m.id)
          .execute();
      }
      current = undefined;
      await db.updateTable('outbox').set({ delivered_at: new Date(), locked_until: null, last_error: null }).where('id', '=', row.id).where('locked_until', '=', lease!).execute();
      return true;
    } catch (e) {
      const err = (e as Error).message.slice(0, 1000);
      const permanent = e instanceof SmsError && e.permanent;
      const giveUp = permanent || row.attempts >= this.o.maxAttempts;
      this.o.log('warn', `outbox ${row.id} (${row.topic}) attempt ${row.attempts}: ${err}${giveUp ? ' — giving up' : ''}`);
      if (current) await db.updateTable('notifications').set({ status: 'pending', last_error: err }).where('id', '=', current.id).execute();
      if (giveUp) {
        await db.updateTable('notifications').set({ status: 'failed' }).where('outbox_id', '=', row.id).where('status', 'in', ['pending', 'sending']).execute();
        // Finished, not delivered: the message shows as failed in the staff list.
        await db.updateTable('outbox').set({ delivered_at: new Date(), locked_until: null, last_error: err }).where('id', '=', row.id).execute();
        return true;
      }
      await db
        .updateTable('outbox')
        .set({ locked_until: null, last_error: err, available_at: new Date(Date.now() + this.o.backoffMs(row.attempts)) })
        .where('id', '=', row.id)
        .where('locked_until', '=', lease ?? row.locked_until!)
        .execute();
      return false;
    }
  }
}
