import { createServer } from 'node:net';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { bootstrap } from '../core/bootstrap';
import { MetricsServer, metricsPortFor, serveMetrics, WORKER_METRICS_PORT } from '../core/metrics/metrics-server';
import { createWorkerMetrics } from '../core/metrics/worker-metrics';
import { startBackgroundServices } from './background-services';
import { WORKER_TUNING } from './worker-tuning';

/** Whether 127.0.0.1:port can be bound now (the SDK exporter binds it inside the native runtime). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** The worker process: wiring only. Workflows live in workflows/, I/O in activities/. */
async function main(): Promise<void> {
  const runtime = await bootstrap('wfw-worker');
  const { config, logger, core } = runtime;

  // Metrics (WFW_METRICS_PORT, default 9465; 0: off): /metrics on that port serves ours and the
  // Temporal SDK's together. The SDK's own Prometheus exporter binds port+1 on 127.0.0.1 only; each
  // scrape of ours fetches it and appends it (one scrape target per worker). Before any
  // NativeConnection: the runtime's telemetry is fixed when it is installed.
  const metricsPort = metricsPortFor(config.metricsPort, WORKER_METRICS_PORT);
  const metrics = metricsPort === null ? undefined : createWorkerMetrics({ outbox: core.models.outbox });
  let metricsServer: MetricsServer | undefined;
  if (metrics && metricsPort !== null) {
    // A taken port (another worker on this host) costs this worker its metrics, not its work.
    const sdkAddress = `127.0.0.1:${metricsPort + 1}`;
    let sdkInstalled = false;
    const sdkMetrics = async () => {
      if (!sdkInstalled) return '';
      const res = await fetch(`http://${sdkAddress}/metrics`, { signal: AbortSignal.timeout(2000) });
      return res.ok ? res.text() : '';
    };
    metricsServer = await serveMetrics(() => metrics.render(sdkMetrics), metricsPort, config.metricsHost).catch((err: Error) => {
      logger.warn({ port: metricsPort, err: err.message }, 'metrics port unavailable; working without /metrics (set WFW_METRICS_PORT per worker, or 0)');
      return undefined;
    });
    if (metricsServer && (await portFree(metricsPort + 1))) {
      Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: sdkAddress } } } });
      sdkInstalled = true;
    } else if (metricsServer) logger.warn({ port: metricsPort + 1 }, 'port for the Temporal SDK exporter taken; /metrics serves ours only');
    if (metricsServer) logger.info({ port: metricsServer.port, sdk_exporter: sdkInstalled ? sdkAddress : null }, 'metrics at /metrics');
  }

  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowsPath: require.resolve('../workflows'),
    activities: createActivities(core),
    ...WORKER_TUNING,
    ...(metrics ? { interceptors: { activity: [metrics.activityInterceptor] } } : {}),
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
  await Promise.allSettled([connection.close(), runtime.close(), metricsServer?.close()]);
}

main().catch((err) => {
  process.stderr.write(`wfw-worker: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
