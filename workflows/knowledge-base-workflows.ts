import { ActivityFailure, ApplicationFailure, CancellationScope, proxyActivities, TimeoutFailure } from '@temporalio/workflow';
import type { KnowledgeBaseActivities } from '../activities/knowledge-base-activities';
import type { OperationFailureInfo } from './agent-workflow-types';

const provider = proxyActivities<KnowledgeBaseActivities>({
  startToCloseTimeout: '60 seconds',
  scheduleToCloseTimeout: '30 minutes',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

const bookkeeping = proxyActivities<KnowledgeBaseActivities>({
  startToCloseTimeout: '20 seconds',
  scheduleToCloseTimeout: '30 minutes',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});

export interface KbSyncInput {
  operationId: string;
  accountId: string;
  agentId: string;
}

function describe(err: unknown, step: string): OperationFailureInfo {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return { code: cause.type ?? 'ACTIVITY_FAILED', message: cause.message, retryable: !cause.nonRetryable, step };
  if (cause instanceof TimeoutFailure) return { code: 'STEP_TIMED_OUT', message: `The ${step} step did not finish in time.`, retryable: true, step };
  return { code: 'INTERNAL_ERROR', message: 'The operation failed on an internal error.', retryable: true, step };
}

/**
 * Pushes the agent's newest KB version to its platform (workflow ID = operation ID). A push that
 * fails is compensated by pushing the synced version again, so the platform keeps serving what
 * `synced_version` says; `synced_version` and `kb.synced` follow only a push that succeeded.
 */
export async function syncKnowledgeBase(input: KbSyncInput): Promise<{ version: number }> {
  const ref = { operationId: input.operationId, agentId: input.agentId };
  let step = 'push';
  try {
    const pushed = await provider.pushKnowledgeBase(ref);
    step = 'finalize';
    await bookkeeping.finishKbSync({ ...ref, ...pushed });
    return { version: pushed.version };
  } catch (err) {
    const failed = describe(err, step);
    await CancellationScope.nonCancellable(async () => {
      let compensationFailed = false;
      if (step === 'push') {
        try {
          await provider.restoreKnowledgeBase(ref);
        } catch {
          compensationFailed = true;
        }
      }
      await bookkeeping.failKbSync({ ...ref, error: failed, compensationFailed });
    });
    throw ApplicationFailure.create({ type: failed.code, message: failed.message, nonRetryable: true, details: [failed] });
  }
}
