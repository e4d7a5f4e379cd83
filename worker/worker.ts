import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { bootstrap } from '../core/bootstrap';
import { startBackgroundServices } from './background-services';
import { WORKER_TUNING } from './worker-tuning';

/** The worker process: wiring only. Workflows live in workflows/, I/O in activities/. */
async function main(): Promise<void> {
  const runtime = await bootstrap('wfw-worker');
  const { config, logger, core } = runtime;

  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowsPath: require.resolve('../workflows'),
    activities: createActivities(core),
    ...WORKER_TUNING,
  });

  const stopBackground = startBackgroundServices(core, logger);

  logger.info({ task_queue: config.temporal.taskQueue, namespace: config.temporal.namespace }, 'worker started');
  const shutdown = () => {
    logger.info('worker shutting down');
    stopBackground();
    worker.shutdown();
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  await worker.run();
  await Promise.allSettled([connection.close(), runtime.close()]);
}

main().catch((err) => {
  process.stderr.write(`wfw-worker: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
