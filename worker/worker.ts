import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createCore } from '../core/composition-root';
import { loadConfig } from '../core/config/config';
import { connectDatabase } from '../core/db/database';
import { createLogger } from '../core/logging/logger';
import { connectTemporal } from '../core/temporal/temporal-connection';
import { TemporalAgentWorkflows } from '../core/temporal/agent-workflow-client';
import { TemporalWebhookWorkflows } from '../core/temporal/webhook-workflow-client';
import { startBackgroundServices } from './background-services';
import { WORKER_TUNING } from './worker-tuning';

/** The worker process: wiring only. Workflows live in workflows/, I/O in activities/. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'wfw-worker');
  const db = await connectDatabase(config.mongodbUri);
  const temporal = connectTemporal(config.temporal.address, config.temporal.namespace);
  const core = createCore(config, db, logger, {
    workflows: new TemporalAgentWorkflows(temporal.client, config.temporal.taskQueue),
    webhookWorkflows: new TemporalWebhookWorkflows(temporal.client, config.temporal.taskQueue, config.webhooks),
  });
  await core.ensureIndexes();

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
  await Promise.allSettled([connection.close(), temporal.connection.close(), db.close()]);
}

main().catch((err) => {
  process.stderr.write(`wfw-worker: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
