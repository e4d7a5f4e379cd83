import { Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { CallWorkflowStarter } from '../calls/call-ingestion-service';
import type { CallNotificationSignal, CallWorkflowInput } from '../../workflows/call-workflow-types';
import { opsSearchAttributes } from './search-attributes';

/** Search attributes and a summary for the Temporal UI (README: Operator runbook). */
function opsOptions(input: CallWorkflowInput) {
  const kind = input.outbound ? 'outbound' : input.simulation ? 'test' : 'inbound';
  return {
    typedSearchAttributes: opsSearchAttributes({ accountId: input.accountId, agentId: input.agentId, callId: input.callId, operationType: `call.${kind}` }),
    staticSummary: `Call ${input.callId} (${kind}) · agent ${input.agentId} · ${input.accountId}`,
  };
}
import type { CallBatchInput } from '../../workflows/call-batch-workflow-types';
import type { CallBatchWorkflowStarter } from '../calls/call-batch-service';

// Type-only: arguments are checked against the workflow's signature without loading workflow code.
type CallWorkflows = Pick<typeof import('../../workflows/call-workflows'), 'handleCall' | 'callNotification' | 'cancelCall'>;

/**
 * One workflow per call, its ID the call ID. REJECT_DUPLICATE: a notification that arrives after
 * the call's workflow has finished (a platform's late retry) must not start the call over.
 */
export class TemporalCallWorkflows implements CallWorkflowStarter, CallBatchWorkflowStarter {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  async signalWithStart(input: CallWorkflowInput, signal: CallNotificationSignal): Promise<'signaled' | 'closed'> {
    try {
      await this.client.workflow.signalWithStart<CallWorkflows['handleCall'], [CallNotificationSignal]>('handleCall', {
        taskQueue: this.taskQueue,
        workflowId: input.callId,
        args: [input],
        signal: 'callNotification',
        signalArgs: [signal],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        ...opsOptions(input),
      });
      return 'signaled';
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return 'closed';
      throw err;
    }
  }

  /** Asks a queued call's workflow not to place it; a workflow that already ended has nothing to cancel. */
  async cancel(callId: string): Promise<void> {
    await this.client.workflow.getHandle(callId).signal<[]>('cancelCall');
  }

  async start(input: CallWorkflowInput): Promise<void> {
    try {
      await this.client.workflow.start<CallWorkflows['handleCall']>('handleCall', {
        taskQueue: this.taskQueue,
        workflowId: input.callId,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        ...opsOptions(input),
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return;
      throw err;
    }
  }

  /** A batch's workflow, its ID the batch ID (a keyed retry of the POST finds the one already running). */
  async startBatch(input: CallBatchInput): Promise<void> {
    try {
      await this.client.workflow.start<(i: CallBatchInput) => Promise<unknown>>('runCallBatch', {
        taskQueue: this.taskQueue,
        workflowId: input.batchId,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return;
      throw err;
    }
  }

  async cancelBatch(batchId: string): Promise<void> {
    await this.client.workflow.getHandle(batchId).signal<[]>('cancelCallBatch');
  }
}
