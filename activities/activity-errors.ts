import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
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
  const e = err as { retryable?: boolean; message?: string; name?: string };
  if (e && typeof e.retryable === 'boolean') {
    return ApplicationFailure.create({ type: e.name === 'GenerationError' ? 'GENERATION_FAILED' : 'ACTIVITY_FAILED', message: e.message ?? String(err), nonRetryable: !e.retryable });
  }
  // Unknown failures (database blips, bugs) are retried by policy; the message survives.
  return ApplicationFailure.create({ type: 'INTERNAL_ERROR', message: e?.message ?? String(err), nonRetryable: false });
}

export function failure(type: string, message: string, retryable = false): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: !retryable });
}

/**
 * Runs an activity body, heartbeating while it works and converting what it throws. The
 * heartbeat is what lets Temporal notice a dead worker within the heartbeat timeout instead of
 * waiting out the whole start-to-close timeout.
 */
export async function asActivity<T>(body: () => Promise<T>): Promise<T> {
  const ctx = Context.current();
  const beat = setInterval(() => ctx.heartbeat(), 1000);
  try {
    return await body();
  } catch (err) {
    throw toFailure(err);
  } finally {
    clearInterval(beat);
  }
}
