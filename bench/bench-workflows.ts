import { proxyActivities } from '@temporalio/workflow';

/** The engine's own cost: a workflow that only calls `count` no-op activities in sequence. */
const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '30 seconds' });

export async function bareWorkflow(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await noop();
}

/** One no-op activity: the engine cost of the simplest possible delivery workflow. */
export async function bareOneActivity(): Promise<void> {
  await noop();
}
