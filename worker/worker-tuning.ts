import type { WorkerOptions } from '@temporalio/worker';

/**
 * How many tasks one worker process runs at once, sized for a batch of 100 provisionings on a
 * small machine (measured with `npm run bench:provision`). Every step waits on I/O (a site, a
 * provider, the database), so slots are cheap: 100 agents keep up to 100 research or provider
 * activities in flight, and the local activities (generation, activation) as many again. The
 * workflow-task limit bounds the CPU spent replaying at once; pollers stay at the SDK's defaults,
 * which keep up with this on one Temporal frontend. The worker and the benchmarks use the same
 * numbers, so what is measured is what runs.
 */
export const WORKER_TUNING = {
  maxConcurrentActivityTaskExecutions: 200,
  maxConcurrentLocalActivityExecutions: 200,
  maxConcurrentWorkflowTaskExecutions: 100,
} satisfies Partial<WorkerOptions>;
