import type { Logger } from 'pino';

export interface Sweep {
  name: string;
  run(): Promise<number>;
}

/**
 * Periodic deletion of expired rows. FerretDB 1.24 has no TTL indexes, so expiry is a query we
 * run; every instance may run it, and a delete of what is already gone is harmless.
 */
export function startSweeper(sweeps: Sweep[], logger: Logger, intervalMs = 5 * 60 * 1000): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    // One failing sweep must not starve the others.
    for (const sweep of sweeps) {
      try {
        const removed = await sweep.run();
        if (removed > 0) logger.debug({ sweep: sweep.name, removed }, 'swept expired rows');
      } catch (err) {
        logger.warn({ err, sweep: sweep.name }, 'sweep failed; will retry next interval');
      }
    }
    running = false;
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  void tick();
  return () => clearInterval(timer);
}
