// The only file that reads the environment. Everything else receives a Config.
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
  AFTERCARE_PG_DIR: z.string().min(1).default('./data/pg'),
  AFTERCARE_PG_PORT: z.coerce.number().int().min(1024).max(65535).refine((p) => p !== 5432, 'must not be 5432').optional(),
  AFTERCARE_FILES_DIR: z.string().min(1).default('./data/files'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  AFTERCARE_DEMO: bool.default(true),
  COOKIE_SECURE: bool.default(true),
  SESSION_TTL_HOURS: z.coerce.number().positive().max(24 * 90).default(12),
  UPLOAD_MAX_BYTES: z.coerce.number().int().positive().default(10 * 1024 * 1024),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
});

export interface Config {
  databaseUrl?: string;
  pgDir: string;
  pgPort?: number;
  filesDir: string;
  host: string;
  port: number;
  publicUrl?: string;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  demo: boolean;
  cookieSecure: boolean;
  sessionTtlHours: number;
  uploadMaxBytes: number;
  dbPoolSize: number;
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
    pgDir: path.resolve(e.AFTERCARE_PG_DIR),
    pgPort: e.AFTERCARE_PG_PORT,
    filesDir: path.resolve(e.AFTERCARE_FILES_DIR),
    host: e.HOST,
    port: e.PORT,
    publicUrl: e.PUBLIC_URL,
    logLevel: e.LOG_LEVEL,
    demo: e.AFTERCARE_DEMO,
    cookieSecure: e.COOKIE_SECURE,
    sessionTtlHours: e.SESSION_TTL_HOURS,
    uploadMaxBytes: e.UPLOAD_MAX_BYTES,
    dbPoolSize: e.DB_POOL_SIZE,
  };
}
