import { condition, ParentClosePolicy, proxyActivities, proxyLocalActivities, sleep, startChild } from '@temporalio/workflow';

// The engine's share of a call batch, for bench/call-batch.ts: the same shape as runCallBatch
// (a local step before each child, a child per call within the limit, a local step after it)
// with no-ops for every step and a timer for the call's (scaled) length.

const localNoop = proxyLocalActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '30 seconds' }).noop;
const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '30 seconds' });

/** A call as the engine sees it: two activities (place, deliver), the call's timer, three local steps. */
export async function bareBatchCall(ms: number): Promise<number> {
  const startedAt = Date.now();
  await noop();
  if (ms > 0) await sleep(ms);
  await noop();
  await localNoop();
  await localNoop();
  await localNoop();
  return startedAt;
}

export async function bareCallBatch(input: { batchId: string; durationsMs: number[]; maxConcurrency: number }): Promise<{ maxInFlight: number; startedAt: number[] }> {
  let inFlight = 0;
  let maxInFlight = 0;
  const startedAt: number[] = [];
  const done: Promise<void>[] = [];
  for (let i = 0; i < input.durationsMs.length; i++) {
    await condition(() => inFlight < input.maxConcurrency);
    await localNoop();
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    startedAt.push(Date.now());
    done.push(
      (async () => {
        const child = await startChild(bareBatchCall, { workflowId: `${input.batchId}-${i}`, args: [input.durationsMs[i]], parentClosePolicy: ParentClosePolicy.ABANDON });
        await child.result();
        await localNoop();
        inFlight -= 1;
      })(),
    );
  }
  await Promise.all(done);
  return { maxInFlight, startedAt };
}
