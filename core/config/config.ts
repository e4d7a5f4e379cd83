import { z } from 'zod';
import { KeyEntry, parseKeyList, SINGLE_KEY_ID } from '../secrets/key-ring';

const flag = z
  .enum(['0', '1', 'true', 'false', ''])
  .optional()
  .transform((v) => v === '1' || v === 'true');

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  MONGODB_URI: z.string().min(1).default('mongodb://127.0.0.1:27017/workforcewave'),
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('wfw-main'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  WFW_ALLOW_PRIVATE_NETWORKS: flag,
  NODE_ENV: z.string().optional(),
  /** Shared HMAC key for access tokens; when unset, a key is generated once and kept in the database (not in production). */
  WFW_TOKEN_SIGNING_KEY: z.string().min(32).optional(),
  /** `kid:key,kid:key`, newest first: the first signs, all verify (rotation). Replaces WFW_TOKEN_SIGNING_KEY. */
  WFW_TOKEN_SIGNING_KEYS: z.string().optional(),
  WFW_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86400).default(3600),
  WFW_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /** Quotas per account (README "Quotas and limits"). */
  WFW_ACCOUNT_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(3000),
  WFW_TOKEN_RATE_LIMIT_PER_IP_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  WFW_RESEARCH_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  WFW_MAX_EVENT_STREAMS: z.coerce.number().int().min(1).max(1000).default(10),
  WFW_MAX_WEBHOOKS: z.coerce.number().int().min(1).default(25),
  WFW_MAX_SERVICE_ACCOUNTS: z.coerce.number().int().min(1).default(50),
  WFW_MAX_OPERATIONS_IN_FLIGHT: z.coerce.number().int().min(1).default(500),
  /** Ports outbound URLs may use (not applied while WFW_ALLOW_PRIVATE_NETWORKS is on). */
  WFW_OUTBOUND_PORTS: z
    .string()
    .default('80,443')
    .transform((v, ctx) => {
      const ports = v.split(',').map((p) => Number(p.trim()));
      if (ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) {
        ctx.addIssue({ code: 'custom', message: 'expected comma-separated ports such as 80,443' });
        return z.NEVER;
      }
      return ports;
    }),
  /** How long an Idempotency-Key claim outlives a crashed holder (live holders keep renewing it). */
  WFW_IDEMPOTENCY_LOCK_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  WFW_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
  WFW_PUBLIC_BASE_URL: z.string().url().optional(),
  /** 32 bytes, base64: seals stored secrets. Unset: a key is generated in the database (dev only). */
  WFW_ENCRYPTION_KEY: z.string().optional(),
  /** `kid:base64key,…`, newest first: the first seals, all open (rotation). Replaces WFW_ENCRYPTION_KEY. */
  WFW_ENCRYPTION_KEYS: z.string().optional(),
  WFW_LOCAL_PLATFORM_LATENCY_MS: z.coerce.number().int().min(0).default(0),
  /** Delays before attempts 2..5 (5 attempts in all): durations like 30s, 2m, 1h. */
  WFW_WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .default('30s,2m,10m,1h')
    .transform((v, ctx) => {
      const parts = v.split(',').map((p) => p.trim());
      const ms = parts.map(parseDuration);
      if (ms.some((x) => x === null) || parts.length < 1) {
        ctx.addIssue({ code: 'custom', message: 'expected comma-separated durations such as 30s,2m,10m,1h' });
        return z.NEVER;
      }
      return ms as number[];
    }),
  WFW_WEBHOOK_RETRY_AFTER_CAP_SECONDS: z.coerce.number().int().min(0).default(600),
  WFW_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).default(15000),
  WFW_WEBHOOK_DISABLE_AFTER_SECONDS: z.coerce.number().int().min(1).default(3 * 24 * 3600),
  WFW_WEBHOOK_SECRET_GRACE_SECONDS: z.coerce.number().int().min(0).default(24 * 3600),
  /**
   * The live event stream (GET /v2/events): how often each API process polls the log, how long an
   * event waits behind a hole in the sequence, the keep-alive period, the credential re-check.
   */
  WFW_EVENTS_POLL_INTERVAL_MS: z.coerce.number().int().min(10).default(100),
  WFW_EVENTS_GAP_GRACE_MS: z.coerce.number().int().min(0).default(3000),
  WFW_SSE_HEARTBEAT_MS: z.coerce.number().int().min(100).default(15_000),
  WFW_SSE_AUTH_RECHECK_MS: z.coerce.number().int().min(100).default(60_000),
  /** How often a worker polls the webhook outbox for events written by other processes (its own kick it at once). */
  WFW_OUTBOX_POLL_MS: z.coerce.number().int().min(50).default(1000),
  /** Prometheus /metrics port of this process (unset: 9464 for the API, 9465 for the worker; 0 turns it off). */
  WFW_METRICS_PORT: z.coerce.number().int().min(0).max(65534).optional(),
  /** Interface the metrics port binds (0.0.0.0: a Prometheus on the network scrapes it; 127.0.0.1: this host only). */
  WFW_METRICS_HOST: z.string().min(1).default('0.0.0.0'),
  /** Retention in days (0 keeps forever), enforced by the workers' sweeper every WFW_SWEEP_INTERVAL_SECONDS. */
  WFW_RETENTION_EVENTS_DAYS: z.coerce.number().min(0).default(30),
  WFW_RETENTION_WEBHOOK_DELIVERIES_DAYS: z.coerce.number().min(0).default(30),
  WFW_RETENTION_RESEARCH_REPORTS_DAYS: z.coerce.number().min(0).default(30),
  WFW_RETENTION_OPERATIONS_DAYS: z.coerce.number().min(0).default(90),
  WFW_SWEEP_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(600),
  /** How many days before the first sweepable day a rule's very first pass looks (documents older than retention exist from then on). */
  WFW_RETENTION_FIRST_LOOKBACK_DAYS: z.coerce.number().int().min(0).default(7),
  /** Where the worker reaches the API itself (the local platform posts its call notifications there); default http://127.0.0.1:PORT. */
  WFW_API_INTERNAL_URL: z.string().url().optional(),
  /** How long a call's workflow waits for the end-of-call notification before asking the platform. */
  WFW_CALL_END_WAIT_SECONDS: z.coerce.number().int().min(1).default(3600),
  WFW_CALL_POLL_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(60),
  WFW_CALL_MAX_POLLS: z.coerce.number().int().min(0).default(10),
  /**
   * The local platform's simulated outbound calls last duration_seconds × this in real time: at
   * the default 0.01 a 2-minute call takes 1.2 s. 1 plays them at their real length, 0 ends them at once.
   */
  WFW_LOCAL_CALL_TIME_SCALE: z.coerce.number().min(0).max(10).default(0.01),
  WFW_CALL_BATCH_RECIPIENTS_PER_RUN: z.coerce.number().int().min(1).max(1000).default(200),
  /** The business's zone and country when its research found no address to tell them by. */
  WFW_DEFAULT_TIMEZONE: z.string().refine(isTimeZone, 'an IANA time zone, e.g. America/New_York').default('America/New_York'),
  WFW_DEFAULT_COUNTRY: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code, e.g. US').default('US'),
  WFW_RETENTION_CALL_NOTIFICATIONS_DAYS: z.coerce.number().int().min(1).default(90),
  /** Prepaid credit (core/credit/): the price of a billable minute, and what an outbound call reserves before it dials. */
  WFW_CREDIT_RATE_PER_MINUTE_USD: z.coerce.number().positive().max(1000).default(0.165),
  WFW_OUTBOUND_HOLD_MINUTES: z.coerce.number().int().min(1).max(1440).default(10),
  /** How often each agent's drift schedule re-crawls its business site by default (an agent may set its own). */
  WFW_KB_DRIFT_INTERVAL_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  LLM_BASE_URL: z.string().url().optional(),
  LLM_API_KEY: z.string().optional(),
  LLM_MODEL: z.string().optional(),
});

export interface Config {
  port: number;
  mongodbUri: string;
  temporal: { address: string; namespace: string; taskQueue: string };
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  allowPrivateNetworks: boolean;
  /** Newest first; empty means the database-held development key. */
  tokenSigningKeys: KeyEntry[];
  tokenTtlSeconds: number;
  rateLimit: { requestsPerWindow: number; windowSeconds: number };
  quotas: QuotaConfig;
  /** Ports outbound URLs may use. */
  outboundPorts: number[];
  maxBodyBytes: number;
  idempotencyLockMs: number;
  publicBaseUrl?: string;
  /** The API as the worker reaches it (WFW_API_INTERNAL_URL). */
  apiInternalUrl: string;
  calls: {
    endWaitSeconds: number;
    pollIntervalSeconds: number;
    maxPolls: number;
    defaultTimezone: string;
    defaultCountry: string;
    /** WFW_LOCAL_CALL_TIME_SCALE: real seconds per simulated second of a local outbound call. */
    localTimeScale: number;
    /** WFW_CALL_BATCH_RECIPIENTS_PER_RUN: recipients a batch workflow run attempts before it continues as new. */
    batchRecipientsPerRun: number;
  };
  /** Newest first, each 32 bytes base64; empty means the database-held development key. */
  encryptionKeys: KeyEntry[];
  localPlatformLatencyMs: number;
  llm: { baseUrl?: string; apiKey?: string; model?: string };
  webhooks: { retryScheduleMs: number[]; retryAfterCapMs: number; timeoutMs: number; disableAfterSeconds: number; secretGraceSeconds: number };
  events: { pollIntervalMs: number; gapGraceMs: number; heartbeatMs: number; authRecheckMs: number };
  outboxPollMs: number;
  /** Unset: the process role's default port (API 9464, worker 9465). 0: no metrics endpoint. */
  metricsPort: number | undefined;
  metricsHost: string;
  /** Prepaid credit: integer micro-dollars per billable minute, and the minutes an outbound call holds. */
  credit: { ratePerMinuteMicros: number; outboundHoldMinutes: number };
  retention: { eventsMs: number; webhookDeliveriesMs: number; researchReportsMs: number; operationsMs: number; callNotificationsMs: number; sweepIntervalMs: number; firstLookbackDays: number };
  /** WFW_KB_DRIFT_INTERVAL_DAYS: the default period of the per-agent re-crawl. */
  kbDriftIntervalDays: number;
}

/** Per-account quotas and the extra rate-limit buckets; each answers 429 when reached. */
export interface QuotaConfig {
  /** All of an account's credentials together, per minute (beside each credential's own bucket). */
  accountRequestsPerMinute: number;
  /** POST /v2/auth/token per client IP per minute. */
  tokenRequestsPerIpPerMinute: number;
  /** POST /v2/scout/research per account per minute. */
  researchPerMinute: number;
  maxEventStreams: number;
  maxWebhooks: number;
  maxServiceAccounts: number;
  /** Pending and running operations (a batch counts its items). */
  maxOperationsInFlight: number;
}

const DAY_MS = 24 * 3600 * 1000;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text);
  if (!m) return null;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}

/** Reads the process environment once; a bad value stops the process with every problem listed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const keys = loadKeys(e);
  return {
    port: e.PORT,
    mongodbUri: e.MONGODB_URI,
    temporal: { address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE, taskQueue: e.TEMPORAL_TASK_QUEUE },
    logLevel: e.LOG_LEVEL,
    allowPrivateNetworks: e.WFW_ALLOW_PRIVATE_NETWORKS,
    tokenSigningKeys: keys.signing,
    tokenTtlSeconds: e.WFW_TOKEN_TTL_SECONDS,
    rateLimit: { requestsPerWindow: e.WFW_RATE_LIMIT_PER_MINUTE, windowSeconds: 60 },
    quotas: {
      accountRequestsPerMinute: e.WFW_ACCOUNT_RATE_LIMIT_PER_MINUTE,
      tokenRequestsPerIpPerMinute: e.WFW_TOKEN_RATE_LIMIT_PER_IP_PER_MINUTE,
      researchPerMinute: e.WFW_RESEARCH_PER_MINUTE,
      maxEventStreams: e.WFW_MAX_EVENT_STREAMS,
      maxWebhooks: e.WFW_MAX_WEBHOOKS,
      maxServiceAccounts: e.WFW_MAX_SERVICE_ACCOUNTS,
      maxOperationsInFlight: e.WFW_MAX_OPERATIONS_IN_FLIGHT,
    },
    outboundPorts: e.WFW_OUTBOUND_PORTS,
    maxBodyBytes: e.WFW_MAX_BODY_BYTES,
    idempotencyLockMs: e.WFW_IDEMPOTENCY_LOCK_SECONDS * 1000,
    publicBaseUrl: e.WFW_PUBLIC_BASE_URL,
    apiInternalUrl: (e.WFW_API_INTERNAL_URL ?? `http://127.0.0.1:${e.PORT}`).replace(/\/+$/, ''),
    calls: {
      endWaitSeconds: e.WFW_CALL_END_WAIT_SECONDS,
      pollIntervalSeconds: e.WFW_CALL_POLL_INTERVAL_SECONDS,
      maxPolls: e.WFW_CALL_MAX_POLLS,
      defaultTimezone: e.WFW_DEFAULT_TIMEZONE,
      defaultCountry: e.WFW_DEFAULT_COUNTRY,
      localTimeScale: e.WFW_LOCAL_CALL_TIME_SCALE,
      batchRecipientsPerRun: e.WFW_CALL_BATCH_RECIPIENTS_PER_RUN,
    },
    encryptionKeys: keys.encryption,
    localPlatformLatencyMs: e.WFW_LOCAL_PLATFORM_LATENCY_MS,
    llm: { baseUrl: e.LLM_BASE_URL, apiKey: e.LLM_API_KEY, model: e.LLM_MODEL },
    webhooks: {
      retryScheduleMs: e.WFW_WEBHOOK_RETRY_SCHEDULE,
      retryAfterCapMs: e.WFW_WEBHOOK_RETRY_AFTER_CAP_SECONDS * 1000,
      timeoutMs: e.WFW_WEBHOOK_TIMEOUT_MS,
      disableAfterSeconds: e.WFW_WEBHOOK_DISABLE_AFTER_SECONDS,
      secretGraceSeconds: e.WFW_WEBHOOK_SECRET_GRACE_SECONDS,
    },
    outboxPollMs: e.WFW_OUTBOX_POLL_MS,
    metricsPort: e.WFW_METRICS_PORT,
    metricsHost: e.WFW_METRICS_HOST,
    credit: { ratePerMinuteMicros: Math.round(e.WFW_CREDIT_RATE_PER_MINUTE_USD * 1_000_000), outboundHoldMinutes: e.WFW_OUTBOUND_HOLD_MINUTES },
    retention: {
      eventsMs: e.WFW_RETENTION_EVENTS_DAYS * DAY_MS,
      webhookDeliveriesMs: e.WFW_RETENTION_WEBHOOK_DELIVERIES_DAYS * DAY_MS,
      researchReportsMs: e.WFW_RETENTION_RESEARCH_REPORTS_DAYS * DAY_MS,
      operationsMs: e.WFW_RETENTION_OPERATIONS_DAYS * DAY_MS,
      callNotificationsMs: e.WFW_RETENTION_CALL_NOTIFICATIONS_DAYS * DAY_MS,
      sweepIntervalMs: e.WFW_SWEEP_INTERVAL_SECONDS * 1000,
      firstLookbackDays: e.WFW_RETENTION_FIRST_LOOKBACK_DAYS,
    },
    kbDriftIntervalDays: e.WFW_KB_DRIFT_INTERVAL_DAYS,
    events: {
      pollIntervalMs: e.WFW_EVENTS_POLL_INTERVAL_MS,
      gapGraceMs: e.WFW_EVENTS_GAP_GRACE_MS,
      heartbeatMs: e.WFW_SSE_HEARTBEAT_MS,
      authRecheckMs: e.WFW_SSE_AUTH_RECHECK_MS,
    },
  };
}

function checkSigningKey(secret: string): string | null {
  return secret.length >= 32 ? null : 'must be at least 32 characters';
}

function checkEncryptionKey(secret: string): string | null {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(secret) && Buffer.from(secret, 'base64').length === 32 ? null : 'must be 32 bytes, base64-encoded';
}

function keyList(name: string, list: string | undefined, singleName: string, single: string | undefined, check: (s: string) => string | null, problems: string[]): KeyEntry[] {
  if (list !== undefined && single !== undefined) {
    problems.push(`set ${name} or ${singleName}, not both (put the single key into the list under its own ID)`);
    return [];
  }
  if (single !== undefined) {
    const problem = check(single);
    if (problem) problems.push(`${singleName}: ${problem}`);
    return problem ? [] : [{ id: SINGLE_KEY_ID, secret: single }];
  }
  if (list === undefined) return [];
  const parsed = parseKeyList(list, check);
  problems.push(...parsed.problems.map((p) => `${name}: ${p}`));
  return parsed.keys;
}

/**
 * In production the keys must come from the environment: a key generated into the database sits
 * next to the tokens' trust and the sealed secrets it is meant to protect.
 */
function loadKeys(e: z.infer<typeof envSchema>): { signing: KeyEntry[]; encryption: KeyEntry[] } {
  const problems: string[] = [];
  const signing = keyList('WFW_TOKEN_SIGNING_KEYS', e.WFW_TOKEN_SIGNING_KEYS, 'WFW_TOKEN_SIGNING_KEY', e.WFW_TOKEN_SIGNING_KEY, checkSigningKey, problems);
  const encryption = keyList('WFW_ENCRYPTION_KEYS', e.WFW_ENCRYPTION_KEYS, 'WFW_ENCRYPTION_KEY', e.WFW_ENCRYPTION_KEY, checkEncryptionKey, problems);
  if (problems.length > 0) throw new Error(`invalid configuration: ${problems.join('; ')}`);
  if (e.NODE_ENV === 'production') {
    const missing = [signing.length === 0 && 'WFW_TOKEN_SIGNING_KEYS (or WFW_TOKEN_SIGNING_KEY)', encryption.length === 0 && 'WFW_ENCRYPTION_KEYS (or WFW_ENCRYPTION_KEY)'].filter(Boolean);
    if (missing.length > 0) {
      throw new Error(`NODE_ENV=production needs ${missing.join(' and ')}: keys are never generated into the database in production, where they would sit beside the data they protect`);
    }
  }
  return { signing, encryption };
}
