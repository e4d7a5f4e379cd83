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
];

export function createLogger(level: string, name = 'wfw', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      name,
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      mixin: () => ({ ...logContext.getStore() }),
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
