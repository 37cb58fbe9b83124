// E-mail in: an SMTP receiver (smtp-server) that turns support mail into tickets or replies, parsed
// by mailparser. The business is the recipient's (`support+<business>@…` or `<business>@…`, else
// MAIL_IN_ORG); mail for no business is refused at RCPT TO (550: the sender's server tells them).
// A message from a known client opens a question ticket, or is a reply on a ticket when it threads:
// its In-Reply-To / References name a message of the ticket (ours carry the notification's
// Message-ID) or its subject carries the ticket's number ([TK-2026-000012]). Attachments are stored.
// Mail from an unknown sender, a reply that matches no ticket, or a reply by someone else than the
// ticket's client lands in the triage list, stored as it came: never dropped; its sender gets one
// acknowledgement (`support.mail-triaged`) unless the mail is automatic. A message is stored
// once per Message-ID (a sender retrying after a lost answer). If storing fails the sender gets a
// temporary error (451) and tries again. See docs/support.md.
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Db } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import { systemActor } from '../../core/actor.ts';
import { orgIdBySlug } from '../../core/organization.ts';
import { enqueue } from '../../core/outbox.ts';
import type { FileStorage } from '../../storage/index.ts';
import * as repo from './repository.ts';
import { actOnTicket, openTicket } from './tickets.ts';

export const TICKET_TOKEN = /\[?\b(TK-\d{4}-\d{6})\b\]?/i;

export interface Received {
  outcome: 'ticket' | 'reply' | 'triage' | 'duplicate';
  ticketId?: string;
  number?: string;
  messageRowId?: string;
  reason?: string;
}

const addressOf = (mail: ParsedMail) => mail.from?.value[0]?.address?.trim().toLowerCase() ?? null;
const nameOf = (mail: ParsedMail) => mail.from?.value[0]?.name?.trim() || null;
const refsOf = (mail: ParsedMail) => {
  const refs = typeof mail.references === 'string' ? [mail.references] : (mail.references ?? []);
  return [...new Set([mail.inReplyTo, ...refs].filter((x): x is string => !!x).flatMap((x) => x.split(/\s+/)).filter(Boolean))];
};

async function storeAttachments(storage: FileStorage, orgId: string, rowId: string, mail: ParsedMail) {
  const out = [];
  for (const [i, a] of mail.attachments.entries()) {
    const ext = path.extname(a.filename ?? '').toLowerCase().replace(/[^.a-z0-9]/g, '').slice(0, 9);
    const key = `support/${orgId}/${rowId}/${i}${/^\.[a-z0-9]+$/.test(ext) ? ext : ''}`;
    await storage.put(key, a.content);
    out.push({ id: `${rowId}-${i}`, filename: (a.filename ?? `attachment-${i + 1}`).slice(0, 300), contentType: a.contentType || 'application/octet-stream', size: a.size ?? a.content.length, key });
  }
  return out;
}

/** Mail no person wrote (auto-replies, bounces, lists): it gets no acknowledgement, so two robots never answer each other. */
export function isAutomatic(mail: ParsedMail, from: string) {
  const h = (k: string) => String(mail.headers.get(k) ?? '').toLowerCase();
  if (h('auto-submitted') && h('auto-submitted') !== 'no') return true;
  if (['bulk', 'list', 'junk', 'auto_reply'].includes(h('precedence'))) return true;
  if (mail.headers.has('list-id') || mail.headers.has('x-autoreply') || mail.headers.has('x-autorespond')) return true;
  return /^(mailer-daemon|postmaster|no-?reply|do-?not-?reply)(\+[^@]*)?@/i.test(from);
}

/** One received message into the business's desk (in one transaction). */
export async function receiveMail(db: Db, storage: FileStorage, orgId: string, mail: ParsedMail, now: Date, envelope: { to?: string } = {}): Promise<Received> {
  const rowId = uuidv7();
  const messageId = mail.messageId ?? null;
  if (messageId) {
    const seen = await db.selectFrom('support_messages').select('id').where('organization_id', '=', orgId).where('message_id', '=', messageId).where('direction', '=', 'in').executeTakeFirst();
    if (seen) return { outcome: 'duplicate', messageRowId: seen.id };
  }
  const attachments = await storeAttachments(storage, orgId, rowId, mail);
  const from = addressOf(mail);
  const subject = (mail.subject ?? '').replaceAll('\u0000', '').trim().slice(0, 500) || '(no subject)';
  const body = (mail.text ?? (typeof mail.html === 'string' ? mail.html.replace(/<[^>]+>/g, ' ') : '')).replaceAll('\u0000', '').trim().slice(0, 100_000);
  const refs = refsOf(mail);
  const base: repo.NewMessage = {
    id: rowId,
    organization_id: orgId,
    ticket_id: null,
    direction: 'in',
    channel: 'email',
    author: nameOf(mail),
    from_address: from,
    to_address: envelope.to ?? null,
    subject,
    body,
    message_id: messageId,
    in_reply_to: mail.inReplyTo ?? null,
    refs,
    attachments,
    created_at: now,
  };
  return db.transaction().execute(async (tx) => {
    const actor = systemActor(orgId, 'email');
    const toTriage = async (reason: string, ticketId: string | null = null): Promise<Received> => {
      const stored = await repo.insertMessage(tx, { ...base, triage: 'open', triage_reason: reason, data: ticketId ? { ticketId } : null });
      if (!stored) return { outcome: 'duplicate' };
      // The sender hears that their mail arrived and waits for staff (a clear answer, once per message), unless it is automatic mail.
      if (from && !isAutomatic(mail, from)) {
        await enqueue(tx, { organizationId: orgId, topic: 'support.mail-triaged', aggregateType: 'support-message', aggregateId: rowId, payload: { contact: { name: nameOf(mail) ?? '', email: from }, reason, summary: subject }, dedupeKey: `triaged:${rowId}` });
      }
      return { outcome: 'triage', reason, messageRowId: rowId };
    };
    const customers = from ? await repo.customersByEmail(tx, orgId, from) : [];
    const token = TICKET_TOKEN.exec(subject)?.[1]?.toUpperCase();
    const threadId = (await repo.ticketByReferences(tx, orgId, refs)) ?? (token ? (await repo.ticketByNumber(tx, orgId, token))?.id : undefined);
    if (threadId) {
      const t = await repo.lockTicket(tx, orgId, threadId);
      const contactEmail = ((t?.contact as { email?: string } | null)?.email ?? '').toLowerCase();
      const senderIsClient = !!t && ((!!t.customer_id && customers.some((c) => c.id === t.customer_id)) || (!!from && contactEmail === from));
      if (!t) return toTriage('unmatched');
      if (!senderIsClient) return toTriage(customers.length ? 'sender-not-on-ticket' : 'unknown-sender', t.id);
      if (t.state === 'closed') return toTriage('ticket-closed', t.id);
      await actOnTicket(tx, actor, t, { action: 'client-replied', version: t.version, body, channel: 'email' }, now, { message: { ...base, ticket_id: t.id } as Partial<repo.NewMessage> });
      return { outcome: 'reply', ticketId: t.id, number: t.number, messageRowId: rowId };
    }
    if (!customers.length) return toTriage('unknown-sender');
    // Mail that says it answers something (In-Reply-To / References, a ticket number) but matches nothing is not a new question.
    if (refs.length || token) return toTriage('unmatched');
    const t = await openTicket(tx, actor, { kind: 'question', channel: 'email', customerId: customers[0].id, subject, description: body || subject }, now, { ...base } as Partial<repo.NewMessage>);
    return { outcome: 'ticket', ticketId: t.id, number: t.number, messageRowId: rowId };
  });
}

/** The business a recipient address names: `support+<slug>@…`, `<slug>@…`, or the default. */
export async function orgForRecipient(db: Db, address: string, defaultSlug?: string) {
  const local = address.split('@')[0]?.toLowerCase() ?? '';
  const tag = local.includes('+') ? local.slice(local.indexOf('+') + 1) : local;
  for (const slug of [tag, local, defaultSlug]) {
    if (!slug || !/^[a-z0-9][a-z0-9-]{1,62}$/.test(slug)) continue;
    const id = await orgIdBySlug(db, slug);
    if (id) return id;
  }
  return undefined;
}

export interface MailIn {
  port: number;
  close(): Promise<void>;
}

/** Starts the receiver on host:port (port 0: any free port); `now` is the clock (tests pin it). */
export async function startMailIn(o: { db: Db; storage: FileStorage; host: string; port: number; defaultOrg?: string; maxBytes?: number; now?: () => Date; log?: (level: 'info' | 'warn' | 'error', m: string) => void }): Promise<MailIn> {
  const now = o.now ?? (() => new Date());
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    banner: 'Aftercare support desk',
    size: o.maxBytes ?? 25 * 1024 * 1024,
    async onRcptTo(addr, session, cb) {
      try {
        const orgId = await orgForRecipient(o.db, addr.address, o.defaultOrg);
        if (!orgId) return cb(Object.assign(new Error(`No support desk at ${addr.address}`), { responseCode: 550 }));
        const s = session as typeof session & { orgId?: string; to?: string };
        if (s.orgId && s.orgId !== orgId) return cb(Object.assign(new Error('One business per message: send it to each desk separately'), { responseCode: 452 }));
        s.orgId = orgId;
        s.to = addr.address;
        cb();
      } catch (e) {
        cb(Object.assign(new Error(`Try again later (${(e as Error).message})`), { responseCode: 451 }));
      }
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', () => {});
      stream.on('end', async () => {
        const s = session as typeof session & { orgId?: string; to?: string };
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) return cb(Object.assign(new Error('Message too large'), { responseCode: 552 }));
        try {
          const mail = await simpleParser(Buffer.concat(chunks));
          const r = await receiveMail(o.db, o.storage, s.orgId!, mail, now(), { to: s.to });
          o.log?.('info', `mail in: ${r.outcome}${r.number ? ` ${r.number}` : ''}${r.reason ? ` (${r.reason})` : ''}`);
          cb();
        } catch (e) {
          o.log?.('error', `mail in failed: ${(e as Error).message}`);
          cb(Object.assign(new Error('Try again later'), { responseCode: 451 }));
        }
      });
    },
  });
  server.on('error', (e: NodeJS.ErrnoException) => o.log?.('warn', `mail in: ${e.message}`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.server.address() as { port: number }).port;
  return { port, close: () => new Promise<void>((r) => server.close(() => r())) };
}
