import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1');

const secret = (min: number) =>
  z.string({ message: 'is required' }).min(min, `must be at least ${min} characters`);

const base64Key = z
  .string({ message: 'is required' })
  .refine((v) => /^[A-Za-z0-9+/_-]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === 32, {
    message: 'must be 32 bytes, base64-encoded (openssl rand -base64 32)',
  });

/** `id:base64key` pairs separated by commas: keys that can still decrypt after a rotation. */
const previousKeys = z
  .string()
  .default('')
  .transform((v, ctx) => {
    const keys: Record<string, Buffer> = {};
    for (const part of v.split(',').filter(Boolean)) {
      const [id, key] = part.split(':');
      const buf = key ? Buffer.from(key, 'base64') : undefined;
      if (!id || !buf || buf.length !== 32) {
        ctx.addIssue({ code: 'custom', message: `entry "${id ?? part}" must be id:base64 of 32 bytes` });
        return z.NEVER;
      }
      keys[id] = buf;
    }
    return keys;
  });

const url = (protocols: RegExp) =>
  z.string({ message: 'is required' }).refine(
    (v) => {
      try {
        return protocols.test(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL (${protocols.source.replace(/[\^$]/g, '')})`,
  );

export const ZEnv = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3002),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: url(/^postgres(ql)?:$/),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(20),
  /**
   * Inbound group commit (ChannelPipelineRepository): parallel lanes, and messages per transaction at most. One lane
   * makes the larger batches that inbound_ingest_batch stores cheapest (bench/RESULTS.md, 2026-11-22 03:39).
   */
  INBOUND_BATCH_LANES: z.coerce.number().int().min(1).max(64).default(1),
  INBOUND_BATCH_MAX: z.coerce.number().int().min(1).max(500).default(64),
  REDIS_URL: url(/^rediss?:$/),
  REDIS_KEY_PREFIX: z.string().max(50).default('od:'),
  JWT_SECRET: secret(32),
  JWT_REFRESH_SECRET: secret(32),
  ENCRYPTION_KEY: base64Key,
  ENCRYPTION_KEY_ID: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,16}$/, 'must be 1-16 letters, digits, _ or -')
    .default('k1'),
  ENCRYPTION_PREVIOUS_KEYS: previousKeys,
  CORS_ORIGIN: z
    .string()
    .default('http://localhost:3000')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  PUBLIC_URL: url(/^https?:$/).default('http://localhost:3002'),
  WEB_URL: url(/^https?:$/).default('http://localhost:3000'),
  API_DOCS: bool.default(true),
  TRUST_PROXY: bool.default(false),
  SUPERADMIN_EMAIL: z.email('must be an email address').optional(),
  SUPERADMIN_PASSWORD: secret(10).optional(),
  RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(100),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).default(60),
  WEBHOOK_RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(6000),
  LOGIN_SLOWDOWN_AFTER: z.coerce.number().int().min(1).default(3),
  LOGIN_SLOWDOWN_MS: z.coerce.number().int().min(0).default(500),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(10),
  LOGIN_LOCK_SECONDS: z.coerce.number().int().min(1).default(900),
  STORAGE_TYPE: z.enum(['local', 's3']).default('local'),
  /** Relative paths resolve against apps/api, not the working directory. */
  STORAGE_LOCAL_DIR: z.string().default('./storage'),
  S3_ENDPOINT: url(/^https?:$/).optional(),
  S3_REGION: z.string().optional(),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid bucket name')
    .optional(),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: bool.default(false),
  ATTACHMENT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(5 * 1024 ** 3)
    .default(25 * 1024 * 1024),
  ATTACHMENT_URL_TTL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
  /** Lets tenant-controlled URLs (callbacks, webhooks) reach loopback and private networks: self-hosting, tests. */
  OUTBOUND_ALLOW_PRIVATE_NETWORKS: bool.default(false),
  /** First retry delay of a failed webhook delivery; each further retry waits twice as long (capped at 1 h). */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(1).max(3_600_000).default(30_000),
  /** A webhook delivery is retried until this many hours after the event, then marked failed. */
  WEBHOOK_RETRY_HORIZON_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(24),
  // ── Channel providers. Every base URL is configurable so tests (and proxies) can point elsewhere. ──
  /** Meta Graph API (WhatsApp Cloud, Messenger, Instagram). */
  GRAPH_API_BASE_URL: url(/^https?:$/).default('https://graph.facebook.com'),
  GRAPH_API_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, 'must look like v21.0')
    .default('v21.0'),
  TELEGRAM_API_BASE_URL: url(/^https?:$/).default('https://api.telegram.org'),
  TWILIO_API_BASE_URL: url(/^https?:$/).default('https://api.twilio.com'),
  /**
   * The public base URL Twilio calls, as Twilio sees it (X-Twilio-Signature covers the full URL): set it when a
   * proxy rewrites the host or scheme. Defaults to PUBLIC_URL.
   */
  TWILIO_WEBHOOK_BASE_URL: url(/^https?:$/).optional(),
  /** Outgoing mail of the platform itself (widget replies to visitors who left): smtp(s)://user:pass@host:port. */
  SMTP_URL: url(/^smtps?:$/).optional(),
  SMTP_FROM: z.string().max(320).default('OrbitDesk <no-reply@orbitdesk.local>'),
  /** Seconds between IMAP polls of a mailbox unless the inbox sets its own interval. */
  EMAIL_POLL_INTERVAL_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  /** The worker keeps an IMAP IDLE connection per email inbox and polls as soon as new mail is announced. */
  EMAIL_IDLE: bool.default(true),
  /** Where the built widget bundle (apps/widget/dist) is served from; relative paths resolve against apps/api. */
  WIDGET_DIST_DIR: z.string().default('../widget/dist'),
  /** Lifetime of a widget visitor session token. */
  WIDGET_SESSION_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(365 * 86_400)
    .default(30 * 86_400),
  // ── AI service (services/ai). ──
  /** Where the AI service listens; the API and the worker call it with a short-lived internal JWT. */
  AI_SERVICE_URL: url(/^https?:$/).default('http://127.0.0.1:8000'),
  /** HS256 secret shared with the AI service: signs API → AI calls and the AI service's tool callbacks. */
  INTERNAL_JWT_SECRET: secret(32),
  /** Where the AI service reaches this API for tool calls; defaults to http://127.0.0.1:PORT. */
  AI_CALLBACK_BASE_URL: url(/^https?:$/).optional(),
  /** How long one call to the AI service may take before the caller gives up. */
  AI_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(120_000),
});

/** Required when STORAGE_TYPE=s3; S3_ENDPOINT stays optional (AWS itself needs none). */
const S3_REQUIRED = ['S3_REGION', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const;

export type AppConfig = z.infer<typeof ZEnv>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses the environment once at boot; every problem is reported on its own line, naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const raw = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === '' ? undefined : v]));
  const parsed = ZEnv.safeParse(raw);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map(
        (i) =>
          `${String(i.path[0] ?? 'environment')}: ${i.code === 'invalid_type' && raw[String(i.path[0])] === undefined ? 'is required' : i.message}`,
      );
  // Checked on the raw values (neither is transformed) so they are reported together with the problems above.
  if (Boolean(raw.SUPERADMIN_EMAIL) !== Boolean(raw.SUPERADMIN_PASSWORD)) {
    problems.push('SUPERADMIN_EMAIL/SUPERADMIN_PASSWORD: set both or neither');
  }
  if (raw.JWT_SECRET !== undefined && raw.JWT_SECRET === raw.JWT_REFRESH_SECRET) {
    problems.push('JWT_REFRESH_SECRET: must differ from JWT_SECRET');
  }
  if (raw.INTERNAL_JWT_SECRET !== undefined && raw.INTERNAL_JWT_SECRET === raw.JWT_SECRET) {
    problems.push('INTERNAL_JWT_SECRET: must differ from JWT_SECRET');
  }
  if (raw.STORAGE_TYPE === 's3') {
    for (const name of S3_REQUIRED) {
      if (raw[name] === undefined) problems.push(`${name}: is required when STORAGE_TYPE=s3`);
    }
  }
  if (!parsed.success || problems.length) throw new ConfigError(problems);
  return parsed.data;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
