import type { Logger } from 'pino';
import type { Core } from '../core/composition-root';
import { startSweeper } from '../core/maintenance/sweeper';

/**
 * The periodic work every worker process runs beside its Temporal pollers. One function, so the
 * worker and the benchmarks run exactly the same loops (the benchmarks measure their idle cost).
 */
export function startBackgroundServices(core: Core, logger: Logger): () => void {
  // Operations accepted while Temporal was unreachable are started here, exactly once each.
  const stopReconciler = startSweeper([{ name: 'pending_operations', run: () => core.provisioning.reconcilePending() }], logger, 30_000);
  // The outbox relay: every event written (here or by any other process) becomes deliveries.
  core.webhookDispatcher.start();
  // Retention: what expired since the last pass, in bounded batches (every worker may run it).
  const stopRetention = startSweeper(core.retention, logger, core.config.retention.sweepIntervalMs);
  return () => {
    stopRetention();
    stopReconciler();
    core.webhookDispatcher.stop();
  };
}
