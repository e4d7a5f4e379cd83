/**
 * Recognises failures of our own infrastructure (the database, or the database behind FerretDB)
 * as opposed to business failures. They say nothing about the customer's request: the step that
 * met one waits and retries, for as long as its schedule-to-close allows, instead of failing the
 * operation. Their text is never shown to clients (it may hold a bridge's stack frames).
 */

/** The MongoDB driver's and mongoose's names for "could not reach or keep the server". */
const DRIVER_ERRORS = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoNotConnectedError',
  'MongoPoolClearedError',
  'MongoTopologyClosedError',
  'MongoExpiredSessionError',
]);

/**
 * What FerretDB passes on from its backend when the backend, not the request, is the problem:
 * SQLite's writer lock, PostgreSQL refusing or dropping connections, or restarting.
 */
const BACKEND_MESSAGES = [
  'database is locked',
  'sqlite_busy',
  'connection refused',
  'failed to connect',
  'conn closed',
  'connection reset',
  'broken pipe',
  'too many clients',
  'the database system is starting up',
  'the database system is shutting down',
  'terminating connection',
  'context deadline exceeded',
  'i/o timeout',
  // PostgreSQL giving up on concurrent writers; the same statement succeeds when retried.
  'deadlock detected',
  'could not serialize access',
];

/** Our own code's way to say "the store is too contended right now": retried like an outage. */
export class StoreContention extends Error {
  readonly infrastructure = true;
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'StoreContention';
  }
}

export function isInfrastructureError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; message?: unknown; errorLabels?: unknown; code?: unknown; cause?: unknown };
  if (typeof e.name === 'string' && DRIVER_ERRORS.has(e.name)) return true;
  if ((err as { infrastructure?: unknown }).infrastructure === true) return true;
  if (Array.isArray(e.errorLabels) && (e.errorLabels.includes('ResetPool') || e.errorLabels.includes('RetryableWriteError'))) return true;
  const message = typeof e.message === 'string' ? e.message.toLowerCase() : '';
  // mongoose queues commands while disconnected and gives up after bufferTimeoutMS.
  if (/buffering timed out after/.test(message)) return true;
  if (BACKEND_MESSAGES.some((m) => message.includes(m))) return true;
  return e.cause !== undefined && e.cause !== err ? isInfrastructureError(e.cause) : false;
}
