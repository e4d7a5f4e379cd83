import { Context } from '@temporalio/activity';
import type { KbDriftResult, KbDriftService } from '../core/knowledge-base/kb-drift-service';
import { asActivity } from './activity-errors';

/** A retryable crawl failure (the site answering 5xx/429) gets as many tries as provisioning's research. */
const CRAWL_ATTEMPTS = 3;

/** The drift workflow's I/O: one idempotent check (a retry re-crawls and finds the proposal it filed). */
export function createKbDriftActivities(deps: { drift: KbDriftService }) {
  return {
    async checkKbDrift(input: { accountId: string; agentId: string; at: number }): Promise<KbDriftResult> {
      return asActivity(() => deps.drift.check(input, Context.current().cancellationSignal), CRAWL_ATTEMPTS);
    },
  };
}

export type KbDriftActivities = ReturnType<typeof createKbDriftActivities>;
