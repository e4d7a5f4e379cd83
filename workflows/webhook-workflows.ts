import { ActivityFailure, ApplicationFailure, isCancellation, patched, proxyActivities, sleep } from '@temporalio/workflow';
import type { WebhookActivities } from '../activities/webhook-activities';
import type { AttemptResult, DeliverWebhookInput } from './webhook-workflow-types';

/**
 * One HTTP attempt. Endpoint failures come back as values (each is one of the 5 attempts);
 * only our own failures (a worker dying mid-request) make Temporal retry the activity.
 */
const http = proxyActivities<WebhookActivities>({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});

const bookkeeping = proxyActivities<WebhookActivities>({
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 10 },
});

/**
 * The last word on a delivery whose own activities gave up: retried until the database takes
 * it, however long an outage lasts, since a delivery left `retrying` can never be replayed.
 */
const settlement = proxyActivities<WebhookActivities>({
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * Histories recorded before this change failed the workflow when an activity exhausted its
 * retries (leaving the delivery `retrying`); they must still replay that way.
 */
const RECORD_FINAL_STATUS = 'webhook-record-final-status';

/** ±20 % jitter so that a recovering endpoint is not hit by every retry at the same instant. */
function withJitter(ms: number): number {
  return Math.round(ms * (0.8 + Math.random() * 0.4));
}

/** Why the delivery ended without an answer from the endpoint, in words a client may see. */
function settledReason(err: ActivityFailure): string {
  const cause = err.cause;
  if (cause instanceof ApplicationFailure && cause.type === 'WEBHOOK_SECRET_UNREADABLE') return 'the signing secret could not be read; rotate the secret, then replay';
  return 'the delivery could not be attempted (internal error); replay it';
}

/**
 * Runs a delivery story and, when one of its activities gives up, records the delivery as
 * failed instead of leaving it mid-flight. Cancellation and other failures propagate.
 */
async function settled(deliveryId: string, story: () => Promise<AttemptResult['outcome']>): Promise<AttemptResult['outcome']> {
  try {
    return await story();
  } catch (err) {
    if (!(err instanceof ActivityFailure) || isCancellation(err) || !patched(RECORD_FINAL_STATUS)) throw err;
    await settlement.finishDelivery({ deliveryId, status: 'failed', error: settledReason(err) });
    return 'failed';
  }
}

/** Delivers one event to one endpoint: up to 5 attempts with exponential backoff, then `failed`. */
export async function deliverWebhook(input: DeliverWebhookInput): Promise<AttemptResult['outcome']> {
  return settled(input.deliveryId, async () => {
    const attempts = input.retryScheduleMs.length + 1;
    for (let number = 1; number <= attempts; number++) {
      const result = await http.attemptDelivery({ deliveryId: input.deliveryId, number, trigger: 'scheduled' });
      if (result.outcome !== 'failed') return result.outcome;
      if (number === attempts) break;
      let delay = withJitter(input.retryScheduleMs[number - 1]);
      if (result.retryAfterSeconds !== null) delay = Math.max(delay, Math.min(result.retryAfterSeconds * 1000, input.retryAfterCapMs));
      await bookkeeping.scheduleRetry({ deliveryId: input.deliveryId, at: new Date(Date.now() + delay).toISOString() });
      await sleep(delay);
    }
    await bookkeeping.finishDelivery({ deliveryId: input.deliveryId, status: 'failed' });
    return 'failed';
  });
}

/** A manual replay from the API: one attempt, recorded as such. */
export async function replayWebhookDelivery(input: { deliveryId: string; number: number }): Promise<AttemptResult['outcome']> {
  return settled(input.deliveryId, async () => {
    const result = await http.attemptDelivery({ deliveryId: input.deliveryId, number: input.number, trigger: 'manual' });
    if (result.outcome === 'failed') await bookkeeping.finishDelivery({ deliveryId: input.deliveryId, status: 'failed' });
    return result.outcome;
  });
}
