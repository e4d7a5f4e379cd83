import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { isInfrastructureError } from '../core/errors/infrastructure-error';
import { GenerationError } from '../core/generation/generation-error';
import { PlatformError } from '../core/platforms/platform-adapter';
import { ResearchError } from '../core/research/research-report';
import { TelephonyError } from '../core/telephony/telephony-adapter';

const httpStatus = (status: number | undefined) => (status ? ` (HTTP ${status})` : '');

/**
 * What a client is told when a provider failed: our words, from the failure's kind and HTTP
 * status. Never the provider's own text: it can name internal hosts, echo our request or quote a
 * credential (ProviderHttp scrubs the ones it knows, not others); it goes to the worker's log.
 */
export function providerFailureMessage(err: PlatformError | TelephonyError | GenerationError): string {
  if (err instanceof GenerationError) {
    const status = httpStatus(err.status);
    switch (err.failure) {
      case 'unauthorized':
        return `The language model refused the configured API key${status}.`;
      case 'rate_limited':
        return `The language model is rate-limiting requests${status}.`;
      case 'quota_exceeded':
        return `The language model account has no quota left${status}.`;
      case 'timeout':
        return 'The language model did not answer in time.';
      case 'unavailable':
        return `The language model is unavailable${status}.`;
      case 'invalid_request':
        return `The language model rejected the request${status}.`;
      case 'invalid_output':
        return 'The language model returned an answer that could not be used.';
      case 'internal':
        return 'The agent configuration could not be generated.';
    }
  }
  const who = err instanceof PlatformError ? `The voice platform (${err.platform})` : `The telephony provider (${err.telephony})`;
  const status = httpStatus(err.status);
  switch (err.code) {
    case 'unauthorized':
      return `${who} refused the account's credentials${status}.`;
    case 'rate_limited':
      return `${who} is rate-limiting requests${status}.`;
    case 'invalid_request':
      return `${who} rejected the request${status}.`;
    case 'not_found':
      return `${who} does not know the requested resource${status}.`;
    case 'unavailable':
      return err.status ? `${who} is unavailable${status}.` : `${who} could not be reached or did not answer in time.`;
    case 'no_numbers_available':
      return 'No phone number is available for this request; try another area_code.';
    case 'unexpected':
      return `${who} gave an answer we did not expect${status}.`;
  }
}

/**
 * What the worker logs about a provider's failure (the client gets providerFailureMessage):
 * which provider, its status and its own message, already stripped of the credentials ProviderHttp
 * knows. Undefined for errors that are not a provider's.
 */
export function providerFailureDetail(err: unknown): { provider: string; kind: string; status: number | null; provider_message: string } | undefined {
  if (err instanceof PlatformError) return { provider: err.platform, kind: err.code, status: err.status ?? null, provider_message: err.message };
  if (err instanceof TelephonyError) return { provider: err.telephony, kind: err.code, status: err.status ?? null, provider_message: err.message };
  if (err instanceof GenerationError) return { provider: 'language_model', kind: err.failure, status: err.status ?? null, provider_message: err.message };
  return undefined;
}

/**
 * Turns a domain error into the failure Temporal sees: `type` becomes the operation's error code
 * and `nonRetryable` stops pointless retries (a 401 from a platform will not fix itself). The
 * message is what the client reads on the operation: ours, never a provider's (see above).
 */
export function toFailure(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof ResearchError) {
    return ApplicationFailure.create({ type: `RESEARCH_${err.failure.toUpperCase()}`, message: err.message, nonRetryable: !err.retryable, details: [{ url: err.url }] });
  }
  if (err instanceof PlatformError) {
    return ApplicationFailure.create({ type: `PLATFORM_${err.code.toUpperCase()}`, message: providerFailureMessage(err), nonRetryable: !err.retryable });
  }
  if (err instanceof TelephonyError) {
    return ApplicationFailure.create({ type: `TELEPHONY_${err.code.toUpperCase()}`, message: providerFailureMessage(err), nonRetryable: !err.retryable });
  }
  if (err instanceof GenerationError) {
    return ApplicationFailure.create({ type: 'GENERATION_FAILED', message: providerFailureMessage(err), nonRetryable: !err.retryable });
  }
  // Our own infrastructure, or a bug: the client gets our code and a plain message; the
  // original (possibly a database bridge's stack frames) goes to the worker's log only.
  if (isInfrastructureError(err)) return ApplicationFailure.create({ type: INFRASTRUCTURE_UNAVAILABLE, message: 'A service this step depends on was briefly unavailable.', nonRetryable: false });
  const e = err as { retryable?: boolean; message?: string; name?: string };
  if (e && typeof e.retryable === 'boolean') {
    // A GenerationError from another copy of the module (not instanceof): its text may be the model provider's.
    if (e.name === 'GenerationError') return ApplicationFailure.create({ type: 'GENERATION_FAILED', message: 'The agent configuration could not be generated.', nonRetryable: !e.retryable });
    return ApplicationFailure.create({ type: 'ACTIVITY_FAILED', message: e.message ?? String(err), nonRetryable: !e.retryable });
  }
  return ApplicationFailure.create({ type: 'INTERNAL_ERROR', message: 'The step failed on an internal error.', nonRetryable: false });
}

/** A failure of our own infrastructure: the step waits and retries; it never fails an operation by itself. */
export const INFRASTRUCTURE_UNAVAILABLE = 'INFRASTRUCTURE_UNAVAILABLE';

export function failure(type: string, message: string, retryable = false): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: !retryable });
}

/**
 * How often a (non-local) activity heartbeats: well inside the 5 s heartbeat timeout, and a step
 * shorter than this sends none (each heartbeat is a write to the workflow's state in Temporal).
 */
const HEARTBEAT_EVERY_MS = 2000;

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
export async function asActivity<T>(body: () => Promise<T>, attempts = 10, operationId?: string, failedStep?: () => string): Promise<T> {
  const ctx = Context.current();
  // Local activities have no heartbeat (the workflow task they run in is what stays alive).
  // An activity that runs two steps beats with the one it is in: a timeout then names it.
  const beat = ctx.info.isLocal ? undefined : setInterval(() => ctx.heartbeat(failedStep ? { step: failedStep() } : undefined), HEARTBEAT_EVERY_MS);
  try {
    return await body();
  } catch (err) {
    // Canceled (the operation was, and the body's I/O was aborted): reported as such, so the
    // workflow sees a cancellation rather than a failure of the step.
    if (ctx.cancellationSignal.aborted) {
      const reason = ctx.cancellationSignal.reason instanceof Error ? ctx.cancellationSignal.reason : err;
      // An activity that runs two steps says which one the cancel stopped: the same cancellation
      // (its message is the SDK's reason: CANCELLED, TIMED_OUT, WORKER_SHUTDOWN…) with the step.
      if (failedStep && reason instanceof CancelledFailure) throw new CancelledFailure(reason.message, [{ step: failedStep() }]);
      throw reason;
    }
    const failure = toFailure(err);
    // The operation: the caller's, else the workflow's ID (agent workflows run under their operation's ID).
    const operation_id = operationId ?? ctx.info.workflowExecution?.workflowId;
    const provider = providerFailureDetail(err);
    if (provider) {
      ctx.log.warn('provider refused the activity attempt', { operation_id, activity: ctx.info.activityType, error_type: failure.type, ...provider, attempt: ctx.info.attempt });
    } else if (failure.type === 'INTERNAL_ERROR' || failure.type === INFRASTRUCTURE_UNAVAILABLE) {
      ctx.log.warn('activity attempt failed', { operation_id, error_type: failure.type, error: err instanceof Error ? (err.stack ?? err.message) : String(err), attempt: ctx.info.attempt });
    }
    const final = !failure.nonRetryable && failure.type !== INFRASTRUCTURE_UNAVAILABLE && ctx.info.attempt >= attempts;
    // An activity that runs two steps says which one failed, for the operation's record (StepFailureDetails).
    if (final || failedStep) {
      const details = failedStep ? [{ ...((failure.details?.[0] as object | undefined) ?? {}), step: failedStep() }, ...(failure.details?.slice(1) ?? [])] : failure.details;
      throw ApplicationFailure.create({ type: failure.type ?? undefined, message: failure.message, nonRetryable: final || failure.nonRetryable === true, details: details as unknown[] | undefined });
    }
    throw failure;
  } finally {
    clearInterval(beat);
  }
}
