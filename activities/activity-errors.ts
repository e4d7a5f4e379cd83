import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { isInfrastructureError } from '../core/errors/infrastructure-error';
import { PlatformError } from '../core/platforms/platform-adapter';
import { ResearchError } from '../core/research/research-report';
import { TelephonyError } from '../core/telephony/telephony-adapter';

/**
 * Turns a domain error into the failure Temporal sees: `type` becomes the operation's error code
 * and `nonRetryable` stops pointless retries (a 401 from a platform will not fix itself).
 */
export function toFailure(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof ResearchError) {
    return ApplicationFailure.create({ type: `RESEARCH_${err.failure.toUpperCase()}`, message: err.message, nonRetryable: !err.retryable, details: [{ url: err.url }] });
  }
  if (err instanceof PlatformError) {
    return ApplicationFailure.create({ type: `PLATFORM_${err.code.toUpperCase()}`, message: `${err.platform}: ${err.message}`, nonRetryable: !err.retryable });
  }
  if (err instanceof TelephonyError) {
    return ApplicationFailure.create({ type: `TELEPHONY_${err.code.toUpperCase()}`, message: `${err.telephony}: ${err.message}`, nonRetryable: !err.retryable });
  }
  // Our own infrastructure, or a bug: the client gets our code and a plain message; the
  // original (possibly a database bridge's stack frames) goes to the worker's log only.
  if (isInfrastructureError(err)) return ApplicationFailure.create({ type: INFRASTRUCTURE_UNAVAILABLE, message: 'A service this step depends on was briefly unavailable.', nonRetryable: false });
  const e = err as { retryable?: boolean; message?: string; name?: string };
  if (e && typeof e.retryable === 'boolean') {
    return ApplicationFailure.create({ type: e.name === 'GenerationError' ? 'GENERATION_FAILED' : 'ACTIVITY_FAILED', message: e.message ?? String(err), nonRetryable: !e.retryable });
  }
  return ApplicationFailure.create({ type: 'INTERNAL_ERROR', message: 'The step failed on an internal error.', nonRetryable: false });
}

/** A failure of our own infrastructure: the step waits and retries; it never fails an operation by itself. */
export const INFRASTRUCTURE_UNAVAILABLE = 'INFRASTRUCTURE_UNAVAILABLE';

export function failure(type: string, message: string, retryable = false): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: !retryable });
}

/**
 * Runs an activity body, heartbeating while it works and converting what it throws. The
 * heartbeat is what lets Temporal notice a dead worker within the heartbeat timeout instead of
 * waiting out the whole start-to-close timeout.
 *
 * Workflows retry activities without an attempt limit, bounded by schedule-to-close; the
 * activity decides what is final. A retryable business failure (a site answering 503, a
 * provider's 429) gets `attempts` tries and then stops the operation; an infrastructure failure
 * (database unreachable or busy) keeps retrying, because it says nothing about the request.
 */
export async function asActivity<T>(body: () => Promise<T>, attempts = 10): Promise<T> {
  const ctx = Context.current();
  // Local activities have no heartbeat (the workflow task they run in is what stays alive).
  const beat = ctx.info.isLocal ? undefined : setInterval(() => ctx.heartbeat(), 1000);
  try {
    return await body();
  } catch (err) {
    // Canceled (the operation was, and the body's I/O was aborted): reported as such, so the
    // workflow sees a cancellation rather than a failure of the step.
    if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason instanceof Error ? ctx.cancellationSignal.reason : err;
    const failure = toFailure(err);
    if (failure.type === 'INTERNAL_ERROR' || failure.type === INFRASTRUCTURE_UNAVAILABLE) {
      ctx.log.warn('activity attempt failed', { error_type: failure.type, error: err instanceof Error ? (err.stack ?? err.message) : String(err), attempt: ctx.info.attempt });
    }
    if (!failure.nonRetryable && failure.type !== INFRASTRUCTURE_UNAVAILABLE && ctx.info.attempt >= attempts) {
      throw ApplicationFailure.create({ type: failure.type ?? undefined, message: failure.message, nonRetryable: true, details: failure.details as unknown[] | undefined });
    }
    throw failure;
  } finally {
    clearInterval(beat);
  }
}
