import { proxyActivities, sleep } from '@temporalio/workflow';
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

/** ±20 % jitter so that a recovering endpoint is not hit by every retry at the same instant. */
function withJitter(ms: number): number {
  return Math.round(ms * (0.8 + Math.random() * 0.4));
}

/** Delivers one event to one endpoint: up to 5 attempts with exponential backoff, then `failed`. */
export async function deliverWebhook(input: DeliverWebhookInput): Promise<AttemptResult['outcome']> {
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
}

/** A manual replay from the API: one attempt, recorded as such. */
export async function replayWebhookDelivery(input: { deliveryId: string; number: number }): Promise<AttemptResult['outcome']> {
  const result = await http.attemptDelivery({ deliveryId: input.deliveryId, number: input.number, trigger: 'manual' });
  if (result.outcome === 'failed') await bookkeeping.finishDelivery({ deliveryId: input.deliveryId, status: 'failed' });
  return result.outcome;
}
