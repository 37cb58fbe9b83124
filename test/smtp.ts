// A real SMTP server in the test process (smtp-server), and what arrived, parsed by mailparser.
// `messages` is the mailbox as a mail store keeps it: one message per Message-ID. `raw` is every
// SMTP transaction, duplicates included.
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { SmtpConfig } from '../src/config.ts';

export interface Mailbox {
  config: SmtpConfig;
  raw: ParsedMail[];
  messages: Map<string, ParsedMail>;
  /** Answer the next `n` messages with a temporary failure (451). */
  failNext(n: number): void;
  /** Milliseconds to wait before accepting each message (to kill a sender mid-batch). */
  delayMs: number;
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startSmtp(): Promise<Mailbox> {
  let failures = 0;
  const box: Mailbox = {
    config: { host: '127.0.0.1', port: 0, tls: 'none' },
    raw: [],
    messages: new Map(),
    failNext(n) {
      failures = n;
    },
    delayMs: 0,
    async waitFor(n, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (box.messages.size < n) {
        if (Date.now() > until) throw new Error(`mailbox has ${box.messages.size} messages, expected ${n}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: async () => {},
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      // A sender dropped mid-message: the message simply did not arrive.
      stream.on('error', () => {});
      stream.on('end', async () => {
        if (failures > 0) {
          failures--;
          const e = new Error('Try again later') as Error & { responseCode: number };
          e.responseCode = 451;
          return cb(e);
        }
        if (box.delayMs) await new Promise((r) => setTimeout(r, box.delayMs));
        const mail = await simpleParser(Buffer.concat(chunks));
        box.raw.push(mail);
        if (mail.messageId && !box.messages.has(mail.messageId)) box.messages.set(mail.messageId, mail);
        cb();
      });
    },
  });
  // A sender killed mid-transaction (the crash test) resets its connection: that is the test's
  // point, not a failure of the server.
  server.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'ECONNRESET' && e.code !== 'EPIPE') throw e;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  box.config.port = (server.server.address() as { port: number }).port;
  box.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return box;
}
