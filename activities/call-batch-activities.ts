import type { CallBatchService } from '../core/calls/call-batch-service';
import type { PreparedBatchCall } from '../workflows/call-batch-workflow-types';

type BatchRef = { batchId: string; accountId: string; agentId: string };

/** The batch workflow's I/O; each is idempotent per batch, recipient and attempt (CallBatchService). */
export function createCallBatchActivities(deps: { batches: CallBatchService }) {
  const { batches } = deps;
  return {
    async markCallBatchRunning(input: BatchRef): Promise<void> {
      await batches.markRunning(input.batchId);
    },
    async callBatchRecipientPage(input: BatchRef & { from: number; limit: number }): Promise<{ index: number; timezone: string | null }[]> {
      return batches.recipientPage(input.batchId, input.from, input.limit);
    },
    async prepareBatchCall(input: BatchRef & { index: number; attempt: number; createdAtMs: number }): Promise<PreparedBatchCall> {
      return batches.prepareCall(input);
    },
    async recordBatchCallOutcome(input: BatchRef & { index: number; attempt: number; callId: string; status: string; retrying: boolean }): Promise<void> {
      await batches.recordOutcome(input);
    },
    async finishCallBatch(input: BatchRef & { status: 'completed' | 'canceled'; maxInFlight: number }): Promise<void> {
      await batches.finish({ batchId: input.batchId, status: input.status, maxInFlight: input.maxInFlight });
    },
  };
}

export type CallBatchActivities = ReturnType<typeof createCallBatchActivities>;
