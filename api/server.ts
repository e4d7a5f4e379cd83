import type { Server } from 'node:http';
import { bootstrap } from '../core/bootstrap';
import { pingDatabase } from '../core/db/database';
import { startSweeper } from '../core/maintenance/sweeper';
import { createApi } from './app';

async function main(): Promise<void> {
  const runtime = await bootstrap('wfw-api');
  const { config, logger, connection, temporal, core } = runtime;

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
    core.eventStream.shutdown();
    server.close(() => {
      void runtime.close().then(() => process.exit(0));
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
