import type { CallWindow } from './call-window';
import type { OutboundCallPlan } from './call-workflow-types';

export interface CallBatchInput {
  batchId: string;
  accountId: string;
  agentId: string;
  /** The batch's creation time: the time part of its derived call IDs. */
  createdAtMs: number;
  total: number;
  maxConcurrency: number;
  window: CallWindow | null;
  /** Further attempts after a no_answer or busy, each after `backoffMs`. */
  retry: { noAnswerAttempts: number; backoffMs: number };
  scheduledAt: string | null;
  /** What each call's workflow is given (CallTimings). */
  timings: { endWaitSeconds: number; pollIntervalSeconds: number; maxPolls: number };
  /** Recipients per run before continue-as-new (default 200). */
  recipientsPerRun?: number;
  /** Carried across continue-as-new. */
  state?: CallBatchState;
}

export interface PendingRetry {
  index: number;
  attempt: number;
  /** Epoch ms, workflow time. */
  dueAt: number;
  /** The recipient's own zone for the calling window, if it has one. */
  timezone: string | null;
}

export interface CallBatchState {
  /** The next recipient index never attempted. `retries` also holds recipients waiting for their window. */
  cursor: number;
  retries: PendingRetry[];
  canceled: boolean;
  begun: boolean;
  maxInFlight: number;
  runs: number;
}

/** One recipient as the workflow sees it (the rest stays in the database). */
export interface BatchRecipientRef {
  index: number;
  timezone: string | null;
}

export type PreparedBatchCall =
  | { kind: 'call'; callId: string; plan: OutboundCallPlan }
  | { kind: 'skipped'; reason: 'do_not_call' | 'insufficient_credit' };

export interface CallBatchResult {
  batchId: string;
  status: 'completed' | 'canceled';
  maxInFlight: number;
}
