import { Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { DeliveryWorkflowState, WebhookWorkflowStarter } from '../webhooks/webhook-service';
import { opsSearchAttributes } from './search-attributes';

// Type-only: arguments are checked against the workflow's signature without loading workflow code.
type WebhookWorkflows = Pick<typeof import('../../workflows/webhook-workflows'), 'deliverWebhook' | 'replayWebhookDelivery'>;

/** One workflow per delivery, its ID the delivery ID: a second dispatch cannot deliver twice. */
export class TemporalWebhookWorkflows implements WebhookWorkflowStarter {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly schedule: { retryScheduleMs: number[]; retryAfterCapMs: number },
  ) {}

  /** `accountId` (when the caller knows it) lets an operator list an account's deliveries. */
  async startDelivery(deliveryId: string, accountId?: string): Promise<void> {
    await this.start('deliverWebhook', deliveryId, [{ deliveryId, retryScheduleMs: this.schedule.retryScheduleMs, retryAfterCapMs: this.schedule.retryAfterCapMs }], {
      summary: `Deliver webhook ${deliveryId}${accountId ? ` · ${accountId}` : ''}`,
      accountId,
      operationType: 'webhook.delivery',
    });
  }

  async startManualRetry(deliveryId: string, attemptNumber: number, workflowId: string, accountId?: string): Promise<void> {
    await this.start('replayWebhookDelivery', workflowId, [{ deliveryId, number: attemptNumber }], {
      summary: `Replay webhook ${deliveryId} (attempt ${attemptNumber})${accountId ? ` · ${accountId}` : ''}`,
      accountId,
      operationType: 'webhook.replay',
    });
  }

  async workflowState(workflowId: string): Promise<DeliveryWorkflowState> {
    try {
      const description = await this.client.workflow.getHandle(workflowId).describe();
      return description.status.name === 'RUNNING' ? 'running' : 'closed';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return 'not_found';
      throw err;
    }
  }

  private async start<K extends keyof WebhookWorkflows>(workflowType: K, workflowId: string, args: Parameters<WebhookWorkflows[K]>, ops: { summary: string; accountId?: string; operationType: string }): Promise<void> {
    try {
      await this.client.workflow.start<WebhookWorkflows[K]>(workflowType, {
        taskQueue: this.taskQueue,
        workflowId,
        args,
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: opsSearchAttributes({ accountId: ops.accountId, operationType: ops.operationType }),
        staticSummary: ops.summary,
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return;
      throw err;
    }
  }
}
