import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { KbDriftActivities } from '../activities/kb-drift-activities';
import type { KbDriftResult } from '../core/knowledge-base/kb-drift-service';

// The crawl is bounded by the researcher's own budgets (pages, bytes, time); the activity
// heartbeats each second, so a killed worker's crawl moves elsewhere within seconds. A site that
// keeps failing gets its tries (asActivity) and the run fails; the next scheduled run tries again.
const { checkKbDrift } = proxyActivities<KbDriftActivities>({
  startToCloseTimeout: '3 minutes',
  scheduleToCloseTimeout: '2 hours',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '30 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

export interface KbDriftInput {
  accountId: string;
  agentId: string;
}

/**
 * Started by the agent's drift schedule (core/temporal/kb-drift-schedules.ts): re-crawl the
 * business site and file a proposal when its pages changed. The run's start time, fixed in the
 * history, names the proposal, so every retry of the check files the same one.
 */
export async function checkKnowledgeBaseDrift(input: KbDriftInput): Promise<KbDriftResult> {
  return checkKbDrift({ accountId: input.accountId, agentId: input.agentId, at: workflowInfo().runStartTime.getTime() });
}
