import { Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { AgentWorkflowStarter } from '../agents/provisioning-service';

// Type-only: the client checks each start's arguments against the workflow's signature
// without loading workflow code (it belongs in the worker's sandboxed bundle).
type AgentWorkflows = Pick<typeof import('../../workflows/agent-workflows'), 'provisionAgent' | 'updateAgent' | 'deleteAgent'>;

/**
 * Starts agent workflows with the operation ID as workflow ID. `USE_EXISTING` makes a duplicate
 * start (a retry, the reconciler) attach to the running workflow; `REJECT_DUPLICATE` refuses to
 * run a finished one again. Either way there is never a second agent.
 */
export class TemporalAgentWorkflows implements AgentWorkflowStarter {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  async startProvision(input: { operationId: string; accountId: string; agentId: string }): Promise<void> {
    await this.start('provisionAgent', input.operationId, [input]);
  }

  async startUpdate(input: { operationId: string; accountId: string; agentId: string; changedFields: string[]; research: boolean; regenerate: boolean; rollbackTo?: number }): Promise<void> {
    await this.start('updateAgent', input.operationId, [input]);
  }

  async startDelete(input: { operationId: string; accountId: string; agentId: string }): Promise<void> {
    await this.start('deleteAgent', input.operationId, [input]);
  }

  async cancel(operationId: string): Promise<boolean> {
    try {
      await this.client.workflow.getHandle(operationId).cancel();
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  private async start<K extends keyof AgentWorkflows>(workflowType: K, workflowId: string, args: Parameters<AgentWorkflows[K]>): Promise<void> {
    try {
      await this.client.workflow.start<AgentWorkflows[K]>(workflowType, {
        taskQueue: this.taskQueue,
        workflowId,
        args,
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return;
      throw err;
    }
  }
}
