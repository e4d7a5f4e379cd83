import type { Server } from 'node:http';
import { bootstrap } from '../core/bootstrap';
import { pingDatabase } from '../core/db/database';
import { startSweeper } from '../core/maintenance/sweeper';
import { createApiMetrics } from '../core/metrics/api-metrics';
import { API_METRICS_PORT, MetricsServer, metricsPortFor, serveMetrics } from '../core/metrics/metrics-server';
import { createApi } from './app';

async function main(): Promise<void> {
  const runtime = await bootstrap('wfw-api');
  const { config, logger, connection, temporal, core } = runtime;

  // Prometheus metrics on a port of their own (WFW_METRICS_PORT, default 9464; 0: off).
  const metricsPort = metricsPortFor(config.metricsPort, API_METRICS_PORT);
  if (metricsPort === config.port) throw new Error(`WFW_METRICS_PORT ${metricsPort} is the public API port; metrics are never served there`);
  const metrics = metricsPort === null ? undefined : createApiMetrics({ openStreams: () => core.eventStream.openStreams });
  let metricsServer: MetricsServer | undefined;
  if (metrics && metricsPort !== null) {
    // A taken port (another instance on this host) costs this instance its metrics, not its service.
    metricsServer = await serveMetrics(() => metrics.render(), metricsPort, config.metricsHost).catch((err: Error) => {
      logger.warn({ port: metricsPort, err: err.message }, 'metrics port unavailable; serving without /metrics (set WFW_METRICS_PORT per instance, or 0)');
      return undefined;
    });
    if (metricsServer) logger.info({ port: metricsServer.port }, 'metrics at /metrics');
  }

  const { app } = createApi({
    core,
    metrics,
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
    void metricsServer?.close();
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
