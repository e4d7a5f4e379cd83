import { condition, defineSignal, proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';

/** The engine's own cost: a workflow that only calls `count` no-op activities in sequence. */
const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '30 seconds' });

export async function bareWorkflow(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await noop();
}

/** One no-op activity: the engine cost of the simplest possible delivery workflow. */
export async function bareOneActivity(): Promise<void> {
  await noop();
}

/**
 * The engine's share of a call: started by signal-with-start, it waits for the end signal, then
 * runs the call workflow's ended path as no-ops — a local step (record), an activity (extract)
 * and a local step (publish).
 */
const localNoop = proxyLocalActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '30 seconds' }).noop;
export const bareCallEnded = defineSignal('ended');

export async function bareCallShape(): Promise<void> {
  let ended = false;
  setHandler(bareCallEnded, () => {
    ended = true;
  });
  await condition(() => ended);
  await localNoop();
  await noop();
  await localNoop();
}
