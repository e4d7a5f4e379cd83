import { Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { AgentWorkflowStarter } from '../agents/provisioning-service';
import { opsSearchAttributes } from './search-attributes';

/** What the UI shows about an operation's workflow beyond its IDs; looked up at start. */
export interface AgentOpsContext {
  agentName: string;
  templateId: string;
  platform: string;
  businessUrl: string;
  batchId: string | null;
  idempotencyKey?: string | null;
}

export type AgentOpsContextLookup = (operationId: string, agentId: string) => Promise<AgentOpsContext | null>;

const VERB = { provisionAgent: 'Provision', updateAgent: 'Update', deleteAgent: 'Delete' } as const;
const OPERATION_TYPE = { provisionAgent: 'agent.provision', updateAgent: 'agent.update', deleteAgent: 'agent.delete' } as const;

// Type-only: the client checks each start's arguments against the workflow's signature
// without loading workflow code (it belongs in the worker's sandboxed bundle).
type AgentWorkflows = Pick<typeof import('../../workflows/agent-workflows'), 'provisionAgent' | 'updateAgent' | 'deleteAgent'>;

/**
 * Starts agent workflows with the operation ID as workflow ID. `USE_EXISTING` makes a duplicate
 * start (a retry, the reconciler) attach to the running workflow; `REJECT_DUPLICATE` refuses to
 * run a finished one again. Either way there is never a second agent.
 */
export class TemporalAgentWorkflows implements AgentWorkflowStarter {
  /** `describe` (optional) adds the agent's name, template, platform and URL to the summary and memo. */
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly describe?: AgentOpsContextLookup,
  ) {}

  async startProvision(input: { operationId: string; accountId: string; agentId: string }, ops?: { idempotencyKey?: string }): Promise<void> {
    await this.start('provisionAgent', input.operationId, [input], ops?.idempotencyKey);
  }

  async startUpdate(input: { operationId: string; accountId: string; agentId: string; changedFields: string[]; research: boolean; regenerate: boolean; rollbackTo?: number }): Promise<void> {
    await this.start('updateAgent', input.operationId, [input]);
  }

  async startDelete(input: { operationId: string; accountId: string; agentId: string }): Promise<void> {
    await this.start('deleteAgent', input.operationId, [input]);
  }

  /** The knowledge-base sync (workflows/knowledge-base-workflows.ts), workflow ID = operation ID. */
  async startKbSync(input: { operationId: string; accountId: string; agentId: string }): Promise<void> {
    try {
      await this.client.workflow.start('syncKnowledgeBase', { taskQueue: this.taskQueue, workflowId: input.operationId, args: [input], workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE' });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return;
      throw err;
    }
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

  /** Search attributes, summary, details and memo for the Temporal UI; a failed lookup only makes them shorter. */
  private async opsOptions(workflowType: keyof AgentWorkflows, input: { operationId: string; accountId: string; agentId: string }, idempotencyKey?: string) {
    const found = this.describe ? await this.describe(input.operationId, input.agentId).catch(() => null) : null;
    const ctx = found && idempotencyKey ? { ...found, idempotencyKey } : found;
    const summary = [
      ctx ? `${VERB[workflowType]} '${ctx.agentName}'` : `${VERB[workflowType]} ${input.agentId}`,
      ...(ctx ? [ctx.templateId, ctx.platform] : []),
      input.accountId,
    ].join(' · ');
    const details = [
      `Operation ${input.operationId} (${OPERATION_TYPE[workflowType]}) of agent ${input.agentId}, account ${input.accountId}.`,
      ...(ctx ? [`Business URL: ${ctx.businessUrl}`] : []),
      ...(ctx?.batchId ? [`Batch: ${ctx.batchId}`] : []),
      ...((ctx?.idempotencyKey ?? idempotencyKey) ? [`Idempotency key: ${ctx?.idempotencyKey ?? idempotencyKey}`] : []),
    ].join('\n');
    return {
      typedSearchAttributes: opsSearchAttributes({ accountId: input.accountId, agentId: input.agentId, operationType: OPERATION_TYPE[workflowType], platform: ctx?.platform, batchId: ctx?.batchId, status: 'running' }),
      staticSummary: summary,
      staticDetails: details,
      ...(ctx ? { memo: { business_url: ctx.businessUrl, agent_name: ctx.agentName } } : {}),
    };
  }

  private async start<K extends keyof AgentWorkflows>(workflowType: K, workflowId: string, args: Parameters<AgentWorkflows[K]>, idempotencyKey?: string): Promise<void> {
    try {
      await this.client.workflow.start<AgentWorkflows[K]>(workflowType, {
        taskQueue: this.taskQueue,
        workflowId,
        args,
        ...(await this.opsOptions(workflowType, args[0], idempotencyKey)),
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return;
      throw err;
    }
  }
}
