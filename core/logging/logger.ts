import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { Logger } from 'pino';

interface LogContext {
  request_id?: string;
  account_id?: string;
}

/** Carries the request ID through every await so that every log line of a request names it. */
export const logContext = new AsyncLocalStorage<LogContext>();

/** Paths whose values are credentials; pino replaces them before the line is written. */
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'client_secret',
  'access_token',
  'secret',
  'signing_secret',
  'password',
  '*.client_secret',
  '*.access_token',
  '*.secret',
  '*.password',
  '*.api_key',
  'auth_token',
  '*.auth_token',
];

/**
 * Keys whose values are credentials at any depth. pino's paths reach only the levels spelled out,
 * and a provider credential or an error carrying a request config nests them deeper.
 */
const SECRET_KEYS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'client_secret',
  'access_token',
  'refresh_token',
  'id_token',
  'secret',
  'secrets',
  'signing_secret',
  'password',
  'api_key',
  'apikey',
  'x-api-key',
  'auth_token',
  'private_key',
  'encryption_key',
]);
const CENSOR = '[redacted]';
const MAX_DEPTH = 12;

/** A copy with every secret-named key censored; objects without one are returned as they are. */
function redactDeep(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value) || depth > MAX_DEPTH) return value;
  seen.add(value);
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item) => {
      const next = redactDeep(item, depth + 1, seen);
      if (next !== item) changed = true;
      return next;
    });
    return changed ? out : value;
  }
  if (Buffer.isBuffer(value) || value instanceof Date) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const next = SECRET_KEYS.has(key.toLowerCase()) && item !== undefined && item !== null ? CENSOR : redactDeep(item, depth + 1, seen);
    if (next !== item) {
      // Errors keep their class, message and stack so pino's err serializer still describes them.
      copy ??= value instanceof Error ? Object.assign(Object.create(Object.getPrototypeOf(value)), value, { message: value.message, stack: value.stack }) : { ...value };
      copy![key] = next;
    }
  }
  return copy ?? value;
}

export function createLogger(level: string, name = 'wfw', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      name,
      level,
      redact: { paths: REDACT_PATHS, censor: CENSOR },
      mixin: () => ({ ...logContext.getStore() }),
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), log: (object) => redactDeep(object, 0, new WeakSet()) as Record<string, unknown> },
    },
    destination,
  );
}
