// E-mail over SMTP with nodemailer. One pooled connection per process; each message carries its
// Message-ID (the notification's idempotency marker), so a message resent after a crash is the
// same message to every mail store that deduplicates by Message-ID.
import nodemailer from 'nodemailer';
import type { SmtpConfig } from '../../config.ts';

export interface EmailMessage {
  from: { name: string; address: string };
  to: string;
  subject: string;
  text: string;
  language: string;
  messageId: string;
  headers?: Record<string, string>;
}

export interface EmailSender {
  send(m: EmailMessage): Promise<string>;
  close(): void;
}

export function smtpSender(c: SmtpConfig): EmailSender {
  const transport = nodemailer.createTransport({
    host: c.host,
    port: c.port,
    secure: c.tls === 'tls',
    requireTLS: c.tls === 'starttls',
    ignoreTLS: c.tls === 'none',
    auth: c.user ? { user: c.user, pass: c.password } : undefined,
    pool: true,
    maxConnections: 2,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(m) {
      const info = await transport.sendMail({
        from: m.from,
        to: m.to,
        subject: m.subject,
        text: m.text,
        messageId: m.messageId,
        headers: { 'Content-Language': m.language, ...m.headers },
      });
      if (info.rejected.length) throw new Error(`SMTP rejected ${info.rejected.join(', ')}: ${info.response}`);
      return info.response;
    },
    close() {
      transport.close();
    },
  };
}
