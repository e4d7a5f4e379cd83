import type { Server } from 'node:http';
import { loadConfig } from '../core/config/config';
import { createCore } from '../core/composition-root';
import { connectDatabase, pingDatabase } from '../core/db/database';
import { createLogger } from '../core/logging/logger';
import { startSweeper } from '../core/maintenance/sweeper';
import { connectTemporal } from '../core/temporal/temporal-connection';
import { TemporalAgentWorkflows } from '../core/temporal/agent-workflow-client';
import { TemporalWebhookWorkflows } from '../core/temporal/webhook-workflow-client';
import { EventTailer } from '../core/events/event-tailer';
import { createApi } from './app';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'wfw-api');
  const connection = await connectDatabase(config.mongodbUri);
  const temporal = connectTemporal(config.temporal.address, config.temporal.namespace);
  const core = createCore(config, connection, logger, {
    workflows: new TemporalAgentWorkflows(temporal.client, config.temporal.taskQueue),
    webhookWorkflows: new TemporalWebhookWorkflows(temporal.client, config.temporal.taskQueue, config.webhooks),
  });
  await core.ensureIndexes();

  const { app } = createApi({
    core,
    probes: [
      { name: 'database', check: () => pingDatabase(connection) },
      { name: 'temporal', check: () => temporal.check() },
    ],
  });
  const stopSweeper = startSweeper(
    [
      { name: 'idempotency_keys', run: () => core.idempotency.sweepExpired() },
      { name: 'rate_limit_windows', run: () => core.rateLimits.sweepExpired() },
    ],
    logger,
  );

  const server: Server = app.listen(config.port, () => {
    logger.info({ port: config.port, allow_private_networks: config.allowPrivateNetworks }, 'api listening');
  });
  // Long enough for SSE heartbeats; short enough to free sockets from dead clients.
  server.keepAliveTimeout = 65_000;

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'api shutting down');
    stopSweeper();
    // Ends open streams cleanly; clients resume on another instance with Last-Event-ID.
    EventTailer.shared(core.models.events).stop();
    server.close(() => {
      void Promise.allSettled([connection.close(), temporal.connection.close()]).then(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err) => {
  // Config and startup failures: one clear line, no stack trace noise for the common case.
  process.stderr.write(`wfw-api: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
