import { condition, continueAsNew, defineQuery, defineSignal, ParentClosePolicy, proxyLocalActivities, setHandler, startChild, workflowInfo } from '@temporalio/workflow';
import type { CallBatchActivities } from '../activities/call-batch-activities';
import type { CallBatchInput, CallBatchResult, CallBatchState, PendingRetry } from './call-batch-workflow-types';
import { handleCall } from './call-workflows';
import { nextAllowedInstant } from './call-window';

/** Bookkeeping on our own database, in the worker that runs the batch (as in call-workflows.ts). */
const local = proxyLocalActivities<CallBatchActivities>({
  startToCloseTimeout: '20 seconds',
  scheduleToCloseTimeout: '1 hour',
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});

/** POST /v2/call-batches/{id}/cancel: queued recipients never start; calls in flight run to their end. */
export const cancelCallBatch = defineSignal('cancelCallBatch');
export const callBatchStateQuery = defineQuery<{ cursor: number; inFlight: number; waiting: number; canceled: boolean; maxInFlight: number; runs: number }>('callBatchState');

const RETRYABLE = new Set(['no_answer', 'busy']);
const PAGE = 100;

/**
 * A batch of outbound calls; the workflow ID is the batch ID. Each call is a child `handleCall`
 * (workflow ID = call ID, abandoned on close so a cancel lets live calls finish), started after
 * an activity has written its call record and credit hold under an ID derived from batch,
 * recipient and attempt — so a rerun lands on the same call and never dials twice.
 *
 * At most `maxConcurrency` children are in flight. A recipient outside its calling window (its
 * own zone, else the batch's) waits in `waiting` until the window opens, as a retry does after
 * its backoff, so one closed zone does not hold up the others. Every `recipientsPerRun`
 * recipients (or when Temporal suggests it) the run stops starting calls, lets those in flight
 * end — a child's completion reaches only the run that started it — and continues as new with
 * the cursor and everything waiting.
 */
export async function runCallBatch(input: CallBatchInput): Promise<CallBatchResult> {
  const s: CallBatchState = input.state ?? { cursor: 0, retries: [], canceled: false, begun: false, maxInFlight: 0, runs: 0 };
  const perRun = input.recipientsPerRun ?? 200;
  const ref = { batchId: input.batchId, accountId: input.accountId, agentId: input.agentId };
  const inFlight = new Set<string>();
  let changes = 0;
  setHandler(cancelCallBatch, () => {
    s.canceled = true;
  });
  setHandler(callBatchStateQuery, () => ({ cursor: s.cursor, inFlight: inFlight.size, waiting: s.retries.length, canceled: s.canceled, maxInFlight: s.maxInFlight, runs: s.runs }));

  if (!s.begun) {
    const waitMs = input.scheduledAt ? Date.parse(input.scheduledAt) - Date.now() : 0;
    if (waitMs > 0) await condition(() => s.canceled, waitMs);
    s.begun = true;
    if (!s.canceled) await local.markCallBatchRunning(ref);
  }

  /** Wakes on cancel, on a call ending, or after `ms`. */
  const pause = async (ms?: number) => {
    const seen = changes;
    if (ms === undefined) await condition(() => s.canceled || changes !== seen);
    else await condition(() => s.canceled || changes !== seen, ms);
  };

  let page: { index: number; timezone: string | null }[] = [];
  let attemptedThisRun = 0;
  let rollOver = false;
  while (!s.canceled) {
    if (attemptedThisRun >= perRun || workflowInfo().continueAsNewSuggested) {
      rollOver = true;
      break;
    }
    if (inFlight.size >= input.maxConcurrency) {
      await condition(() => s.canceled || inFlight.size < input.maxConcurrency);
      continue;
    }
    const now = Date.now();
    let next: PendingRetry | undefined;
    const due = s.retries.reduce((best, r, i) => (r.dueAt <= now && (best < 0 || r.dueAt < s.retries[best].dueAt) ? i : best), -1);
    if (due >= 0) {
      next = s.retries[due];
      s.retries.splice(due, 1);
    } else if (s.cursor < input.total) {
      if (!page.some((p) => p.index === s.cursor)) page = await local.callBatchRecipientPage({ ...ref, from: s.cursor, limit: PAGE });
      next = { index: s.cursor, attempt: 1, dueAt: now, timezone: page.find((p) => p.index === s.cursor)?.timezone ?? null };
      s.cursor += 1;
    }
    if (!next) {
      if (inFlight.size === 0 && s.retries.length === 0) break;
      const earliest = s.retries.reduce((m, r) => Math.min(m, r.dueAt), Infinity);
      await pause(Number.isFinite(earliest) ? Math.max(1, earliest - now) : undefined);
      continue;
    }
    if (input.window) {
      const opens = nextAllowedInstant(new Date(now), { ...input.window, timezone: next.timezone ?? input.window.timezone }).getTime();
      if (opens > now) {
        // Outside its window: it waits for the opening, and the next recipient gets its turn.
        s.retries.push({ ...next, dueAt: opens });
        continue;
      }
    }

    attemptedThisRun += 1;
    const attempt = next;
    const prepared = await local.prepareBatchCall({ ...ref, index: attempt.index, attempt: attempt.attempt, createdAtMs: input.createdAtMs });
    if (prepared.kind === 'skipped') continue;
    const callId = prepared.callId;
    inFlight.add(callId);
    s.maxInFlight = Math.max(s.maxInFlight, inFlight.size);
    // Not awaited: the next call is prepared while this one starts.
    void (async () => {
      let status = 'failed';
      try {
        const child = await startChild(handleCall, {
          workflowId: callId,
          args: [{ callId, accountId: input.accountId, agentId: input.agentId, ...input.timings, outbound: prepared.plan }],
          parentClosePolicy: ParentClosePolicy.ABANDON,
        });
        status = (await child.result()).status;
      } catch {
        status = 'failed';
      }
      const retrying = RETRYABLE.has(status) && attempt.attempt <= input.retry.noAnswerAttempts && !s.canceled;
      await local.recordBatchCallOutcome({ ...ref, index: attempt.index, attempt: attempt.attempt, callId, status, retrying });
      if (retrying && !s.canceled) s.retries.push({ index: attempt.index, attempt: attempt.attempt + 1, dueAt: Date.now() + input.retry.backoffMs, timezone: attempt.timezone });
      inFlight.delete(callId);
      changes += 1;
    })();
  }

  // Live calls finish whatever happens next.
  await condition(() => inFlight.size === 0);
  if (rollOver && !s.canceled) {
    s.runs += 1;
    await continueAsNew<typeof runCallBatch>({ ...input, state: s });
  }
  const status = s.canceled ? 'canceled' : 'completed';
  await local.finishCallBatch({ ...ref, status, maxInFlight: s.maxInFlight });
  return { batchId: input.batchId, status, maxInFlight: s.maxInFlight };
}
