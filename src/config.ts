// The only file that reads the environment. Everything else receives a Config.
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const EnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  // A streaming replica for warranty lookups (docs/operations.md "Several processes, a replica").
  DATABASE_READ_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  AFTERCARE_PG_DIR: z.string().min(1).default('./data/pg'),
  AFTERCARE_PG_PORT: z.coerce.number().int().min(1024).max(65535).refine((p) => p !== 5432, 'must not be 5432').optional(),
  AFTERCARE_FILES_DIR: z.string().min(1).default('./data/files'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url().optional(),
  // Whom to believe about the client's address (X-Forwarded-For): nobody by default; `true` for any
  // proxy, a number of proxy hops, or a comma-separated list of proxy addresses / CIDR ranges.
  TRUST_PROXY: z
    .string()
    .trim()
    .refine((v) => /^(true|false|\d{1,2})$/.test(v) || v.split(',').every((x) => /^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(x.trim())), 'must be true, false, a number of hops, or proxy addresses / CIDR ranges separated by commas')
    .transform((v): boolean | number | string => (v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v))
    .default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn').describe('warn by default: quiet, no line per request; info for operators'),
  AFTERCARE_DEMO: bool.default(true),
  COOKIE_SECURE: bool.default(true),
  SESSION_TTL_HOURS: z.coerce.number().positive().max(24 * 90).default(12),
  // Sign-in brute-force protection (counted in PostgreSQL, so shared by every server process).
  SIGN_IN_MAX_FAILURES_PER_EMAIL: z.coerce.number().int().min(1).max(1000).default(5),
  SIGN_IN_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).max(1_000_000).default(50),
  SIGN_IN_WINDOW_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  UPLOAD_MAX_BYTES: z.coerce.number().int().positive().default(10 * 1024 * 1024),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  // Notifications (docs/documents-and-notifications.md). Without SMTP_HOST, e-mails are kept for staff.
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
  SMTP_TLS: z.enum(['starttls', 'tls', 'none']).default('starttls'),
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASSWORD: z.string().min(1).optional(),
  MAIL_FROM: z.email().default('aftercare@localhost'),
  SMS_PROVIDER: z.enum(['log', 'twilio']).default('log'),
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be a Twilio account SID (AC + 32 hex digits)').optional(),
  TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
  TWILIO_FROM: z.string().regex(/^(\+[1-9][0-9]{6,14}|MG[0-9a-fA-F]{32})$/, 'must be an E.164 number (+15551234567) or a messaging service SID (MG...)').optional(),
  TWILIO_API_URL: z.url().default('https://api.twilio.com'),
  NOTIFICATIONS_WORKER: bool.default(true),
  NOTIFICATIONS_POLL_MS: z.coerce.number().int().min(50).max(600_000).default(2000),
  TIMER_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  // How long the client's order-page links work after the order closes (about six months).
  ORDER_PAGE_LINK_DAYS: z.coerce.number().int().min(1).max(3650).default(183),
  // E-mail in for the support desk (docs/support.md): an SMTP receiver on this port when set.
  MAIL_IN_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  MAIL_IN_HOST: z.string().min(1).default('127.0.0.1'),
  MAIL_IN_ORG: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be a business id like vn').optional(),
  // Documents (PDFs) are rendered in worker threads (docs/documents-and-notifications.md): how many,
  // how many finished public documents each process keeps, and the public form's limit per address.
  DOCUMENT_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
  DOCUMENT_CACHE_ENTRIES: z.coerce.number().int().min(0).max(100_000).default(256),
  PUBLIC_FORM_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(30),
  // `aftercare backup` / `restore`: the folder of pg_dump and pg_restore (default: PATH, then the
  // newest /usr/lib/postgresql/<major>/bin).
  PG_BIN: z.string().min(1).optional(),
  // Online payments (docs/payments.md). Without them, payments are recorded by staff only.
  STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_(test|live)_[A-Za-z0-9]+$/, 'must be a Stripe secret or restricted key (sk_test_..., sk_live_..., rk_...)').optional(),
  STRIPE_WEBHOOK_SECRET: z.string().regex(/^whsec_[A-Za-z0-9]+$/, 'must be a webhook signing secret (whsec_...)').optional(),
  // Where the Stripe SDK sends its requests: Stripe's API unless set (a local stand-in, stripe-mock).
  STRIPE_API_URL: z.url().optional(),
}).superRefine((e, ctx) => {
  if (e.SMS_PROVIDER === 'twilio') {
    for (const k of ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM'] as const) {
      if (!e[k]) ctx.addIssue({ code: 'custom', path: [k], message: 'required when SMS_PROVIDER=twilio' });
    }
  }
  if (e.STRIPE_SECRET_KEY && !e.STRIPE_WEBHOOK_SECRET) ctx.addIssue({ code: 'custom', path: ['STRIPE_WEBHOOK_SECRET'], message: 'required with STRIPE_SECRET_KEY (a payment is confirmed only by the signed webhook)' });
  if (e.STRIPE_WEBHOOK_SECRET && !e.STRIPE_SECRET_KEY) ctx.addIssue({ code: 'custom', path: ['STRIPE_SECRET_KEY'], message: 'required with STRIPE_WEBHOOK_SECRET' });
  if (e.DATABASE_READ_URL && !e.DATABASE_URL) ctx.addIssue({ code: 'custom', path: ['DATABASE_READ_URL'], message: 'needs DATABASE_URL (the primary the replica follows)' });
  if (e.SMTP_USER && !e.SMTP_PASSWORD) ctx.addIssue({ code: 'custom', path: ['SMTP_PASSWORD'], message: 'required with SMTP_USER' });
});

export interface SmtpConfig {
  host: string;
  port: number;
  /** starttls: upgrade a plain connection (587); tls: TLS from the start (465); none: plain (tests, local relays). */
  tls: 'starttls' | 'tls' | 'none';
  user?: string;
  password?: string;
}
export type SmsConfig =
  | { provider: 'log' }
  | { provider: 'twilio'; accountSid: string; authToken: string; from: string; apiUrl: string };

export interface SignInLimits {
  perEmail: number;
  perIp: number;
  windowMinutes: number;
}

export interface Config {
  databaseUrl?: string;
  /**
   * A read replica (DATABASE_READ_URL): warranty lookups run on a second pool there, its connections
   * read-only (default_transaction_read_only=on); everything else on DATABASE_URL. Unset: all on the primary.
   */
  databaseReadUrl?: string;
  pgDir: string;
  pgPort?: number;
  filesDir: string;
  host: string;
  port: number;
  publicUrl?: string;
  /** fastify's trustProxy: which proxies may tell the client's address (TRUST_PROXY). */
  trustProxy: boolean | number | string;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  demo: boolean;
  cookieSecure: boolean;
  sessionTtlHours: number;
  /**
   * Failed password sign-ins allowed per e-mail address and per client address within a window
   * (which starts at the first failure); further attempts get 429 until the window ends.
   */
  signInLimits: SignInLimits;
  uploadMaxBytes: number;
  dbPoolSize: number;
  /** Unset: no SMTP server, e-mails are kept for staff. */
  smtp?: SmtpConfig;
  mailFrom: string;
  sms: SmsConfig;
  notifications: { worker: boolean; pollMs: number };
  /** How often each job runner looks for due timers (the clocks' at-risk and due moments). */
  timerPollMs: number;
  /**
   * Days an order-page link works after its order closes (handed over, returned, disposed,
   * cancelled); a link staff issue after that works this long from its issue.
   */
  orderPageLinkDays: number;
  /** The support desk's SMTP receiver (unset: none); `org` is the business for mail whose recipient names none. */
  mailIn?: { host: string; port: number; org?: string };
  /** Worker threads rendering PDFs (default: the cores less one, 1 to 4). */
  documentWorkers: number;
  /** Finished public documents (the blank request form) kept per process; 0 renders each request. */
  documentCacheEntries: number;
  /** Public request-form downloads allowed per client address per minute. */
  publicFormPerMinute: number;
  /** Where pg_dump and pg_restore are, when not on PATH. */
  pgBin?: string;
  /** Online payments through Stripe; unset: staff record payments, no online payment is offered. */
  stripe?: StripeConfig;
}

export interface StripeConfig {
  secretKey: string;
  webhookSecret: string;
  /** The API base the SDK talks to (tests: a local stand-in); Stripe's own when unset. */
  apiUrl?: string;
}

export class ConfigError extends Error {}

/** Reads and validates the environment; throws a ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings count as unset, so `FOO= npm start` behaves like no FOO at all.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration in the environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    databaseReadUrl: e.DATABASE_READ_URL,
    pgDir: path.resolve(e.AFTERCARE_PG_DIR),
    pgPort: e.AFTERCARE_PG_PORT,
    filesDir: path.resolve(e.AFTERCARE_FILES_DIR),
    host: e.HOST,
    port: e.PORT,
    publicUrl: e.PUBLIC_URL,
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    demo: e.AFTERCARE_DEMO,
    cookieSecure: e.COOKIE_SECURE,
    sessionTtlHours: e.SESSION_TTL_HOURS,
    signInLimits: { perEmail: e.SIGN_IN_MAX_FAILURES_PER_EMAIL, perIp: e.SIGN_IN_MAX_FAILURES_PER_IP, windowMinutes: e.SIGN_IN_WINDOW_MINUTES },
    uploadMaxBytes: e.UPLOAD_MAX_BYTES,
    dbPoolSize: e.DB_POOL_SIZE,
    smtp: e.SMTP_HOST ? { host: e.SMTP_HOST, port: e.SMTP_PORT, tls: e.SMTP_TLS, user: e.SMTP_USER, password: e.SMTP_PASSWORD } : undefined,
    mailFrom: e.MAIL_FROM,
    sms:
      e.SMS_PROVIDER === 'twilio'
        ? { provider: 'twilio', accountSid: e.TWILIO_ACCOUNT_SID!, authToken: e.TWILIO_AUTH_TOKEN!, from: e.TWILIO_FROM!, apiUrl: e.TWILIO_API_URL.replace(/\/+$/, '') }
        : { provider: 'log' },
    notifications: { worker: e.NOTIFICATIONS_WORKER, pollMs: e.NOTIFICATIONS_POLL_MS },
    timerPollMs: e.TIMER_POLL_MS,
    orderPageLinkDays: e.ORDER_PAGE_LINK_DAYS,
    mailIn: e.MAIL_IN_PORT !== undefined ? { host: e.MAIL_IN_HOST, port: e.MAIL_IN_PORT, org: e.MAIL_IN_ORG } : undefined,
    documentWorkers: e.DOCUMENT_WORKERS ?? Math.max(1, Math.min(4, os.availableParallelism() - 1)),
    documentCacheEntries: e.DOCUMENT_CACHE_ENTRIES,
    publicFormPerMinute: e.PUBLIC_FORM_PER_MINUTE,
    pgBin: e.PG_BIN,
    stripe: e.STRIPE_SECRET_KEY && e.STRIPE_WEBHOOK_SECRET ? { secretKey: e.STRIPE_SECRET_KEY, webhookSecret: e.STRIPE_WEBHOOK_SECRET, ...(e.STRIPE_API_URL ? { apiUrl: e.STRIPE_API_URL } : {}) } : undefined,
  };
}

/** For commands: the configuration, or the problem printed and exit code 2 (no stack trace). */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
}
