import { createHash } from 'node:crypto';
import { Client, ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import type { KbDriftSettings } from '../knowledge-base/knowledge-base-model';
import type { KbDriftScheduler } from '../knowledge-base/knowledge-base-service';

// Type-only: the client checks the action's arguments against the workflow's signature.
type DriftWorkflow = typeof import('../../workflows/kb-drift-workflows').checkKnowledgeBaseDrift;

const DAY_MS = 24 * 3600 * 1000;
/** Spreads the runs of agents that share an interval over an hour beyond their offsets. */
const JITTER_MS = 3600 * 1000;

export const kbDriftScheduleId = (agentId: string) => `kb-drift-${agentId}`;

/**
 * Where in its interval an agent's re-crawl falls: derived from the agent ID, so a thousand agents
 * created the same minute do not all crawl at the same instant every week (intervals count from
 * the epoch, not from creation).
 */
export function driftOffsetMs(agentId: string, intervalDays: number): number {
  const hours = intervalDays * 24;
  return (createHash('sha256').update(agentId).digest().readUInt32BE(0) % hours) * 3600 * 1000;
}

/**
 * One Temporal Schedule per agent (`kb-drift-<agentId>`) starting `checkKnowledgeBaseDrift` on the
 * agent task queue. The schedule's workflow ID is `kb-drift-<agentId>` too: Temporal appends the
 * scheduled time to it, and overlap SKIP means a slow crawl is never joined by a second one.
 */
export class TemporalKbDriftSchedules implements KbDriftScheduler {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  async apply({ accountId, agentId, settings }: { accountId: string; agentId: string; settings: KbDriftSettings }): Promise<void> {
    if (!settings.enabled) return this.remove(agentId);
    const id = kbDriftScheduleId(agentId);
    const spec = { intervals: [{ every: settings.interval_days * DAY_MS, offset: driftOffsetMs(agentId, settings.interval_days) }], jitter: JITTER_MS };
    try {
      await this.client.schedule.create<DriftWorkflow>({
        scheduleId: id,
        spec,
        action: { type: 'startWorkflow', workflowType: 'checkKnowledgeBaseDrift', workflowId: id, taskQueue: this.taskQueue, args: [{ accountId, agentId }] },
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: DAY_MS },
        memo: { account_id: accountId, agent_id: agentId },
      });
      return;
    } catch (err) {
      // Created already (a retried activation, a second reader): only a changed interval needs work.
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    }
    const handle = this.client.schedule.getHandle(id);
    const current = await handle.describe();
    if (current.spec.intervals?.[0]?.every === settings.interval_days * DAY_MS) return;
    await handle.update((prev) => ({ ...prev, spec }));
  }

  async remove(agentId: string): Promise<void> {
    try {
      await this.client.schedule.getHandle(kbDriftScheduleId(agentId)).delete();
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
  }
}
