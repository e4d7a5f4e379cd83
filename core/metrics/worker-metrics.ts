import type { Context as ActivityContext } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any outbox model with created_at
import type { Model } from 'mongoose';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The worker process's own metrics (the Temporal SDK's are merged in at scrape time, see
 * worker/worker.ts). Everything is observed from the outside of the activities, by an activity
 * interceptor: the activities themselves know nothing of metrics.
 *
 *  - wfw_worker_operations_total{type,outcome}: agent operations that ended (the activity that
 *    records the end: activateAgent, failProvisioning, finalizeUpdate, finalizeDelete, failChange).
 *  - wfw_worker_step_duration_seconds{activity,outcome}: every activity (step) run, local or not.
 *  - wfw_worker_compensations_total{step,outcome}: undo steps of a failed or canceled operation.
 *  - wfw_worker_webhook_attempts_total{outcome}: webhook HTTP attempts (succeeded, failed, gone, skipped, error).
 *  - wfw_worker_outbox_lag_seconds / wfw_worker_outbox_pending: age and size of the event outbox
 *    not yet turned into deliveries (read at scrape time).
 */
export interface WorkerMetrics {
  registry: Registry;
  /** For Worker.create({ interceptors: { activity: [metrics.activityInterceptor] } }). */
  activityInterceptor: ActivityInterceptorsFactory;
  render(extra?: () => Promise<string>): Promise<{ contentType: string; body: string }>;
}

const WORKFLOW_OPERATION: Record<string, string> = { provisionAgent: 'agent.provision', updateAgent: 'agent.update', deleteAgent: 'agent.delete' };
/** Undo steps by the `step` they undo (the same activities run as deprovisioning's forward steps with other step names). */
const COMPENSATING_STEPS = new Set(['deploy', 'number']);

export function createWorkerMetrics(options: { outbox?: Model<any>; processMetrics?: boolean } = {}): WorkerMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'wfw_worker_' });
  const operations = new Counter({ name: 'wfw_worker_operations_total', help: 'Agent operations that ended, by type and outcome (active, succeeded, failed, canceled).', labelNames: ['type', 'outcome'] as const, registers: [registry] });
  const steps = new Histogram({
    name: 'wfw_worker_step_duration_seconds',
    help: 'Activity (step) run time by activity type and outcome (ok, error); local activities included.',
    labelNames: ['activity', 'outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const compensations = new Counter({ name: 'wfw_worker_compensations_total', help: 'Undo steps run for failed or canceled operations, by the step undone and outcome.', labelNames: ['step', 'outcome'] as const, registers: [registry] });
  const webhookAttempts = new Counter({ name: 'wfw_worker_webhook_attempts_total', help: 'Webhook delivery HTTP attempts by outcome.', labelNames: ['outcome'] as const, registers: [registry] });
  const outbox = options.outbox;
  new Gauge({
    name: 'wfw_worker_outbox_lag_seconds',
    help: 'Age of the oldest event not yet turned into webhook deliveries (0 when the outbox is empty).',
    registers: [registry],
    async collect() {
      const oldest = outbox ? await outbox.findOne({}, { created_at: 1 }).sort({ created_at: 1 }).lean() : null;
      this.set(oldest ? Math.max(0, (Date.now() - new Date(oldest.created_at).getTime()) / 1000) : 0);
    },
  });
  new Gauge({
    name: 'wfw_worker_outbox_pending',
    help: 'Events waiting in the outbox.',
    registers: [registry],
    async collect() {
      this.set(outbox ? await outbox.estimatedDocumentCount() : 0);
    },
  });

  const record = (ctx: ActivityContext, args: unknown[], result: unknown, ok: boolean) => {
    const activity = ctx.info.activityType;
    const input = (args[0] ?? {}) as { step?: string; canceled?: boolean };
    const operationType = WORKFLOW_OPERATION[ctx.info.workflowType ?? ''];
    if (ok && operationType) {
      if (activity === 'activateAgent') operations.inc({ type: operationType, outcome: 'active' });
      else if (activity === 'failProvisioning') operations.inc({ type: operationType, outcome: input.canceled ? 'canceled' : 'failed' });
      else if (activity === 'finalizeUpdate' || activity === 'finalizeDelete') operations.inc({ type: operationType, outcome: 'succeeded' });
      else if (activity === 'failChange') operations.inc({ type: operationType, outcome: 'failed' });
    }
    const undoing = activity === 'restorePlatformAgent' || ((activity === 'removePlatformAgent' || activity === 'releasePhoneNumber') && COMPENSATING_STEPS.has(input.step ?? ''));
    if (undoing) compensations.inc({ step: input.step ?? 'push', outcome: ok ? 'ok' : 'error' });
    if (activity === 'attemptDelivery') webhookAttempts.inc({ outcome: ok ? ((result as { outcome?: string } | undefined)?.outcome ?? 'unknown') : 'error' });
  };

  const activityInterceptor: ActivityInterceptorsFactory = (ctx) => ({
    inbound: {
      async execute(input, next) {
        const started = process.hrtime.bigint();
        const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
        try {
          const result = await next(input);
          steps.observe({ activity: ctx.info.activityType, outcome: 'ok' }, seconds());
          record(ctx, input.args, result, true);
          return result;
        } catch (err) {
          steps.observe({ activity: ctx.info.activityType, outcome: 'error' }, seconds());
          record(ctx, input.args, undefined, false);
          throw err;
        }
      },
    },
  });

  return {
    registry,
    activityInterceptor,
    async render(extra) {
      const ours = await registry.metrics();
      const theirs = extra ? await extra().catch(() => '') : '';
      return { contentType: registry.contentType, body: theirs ? `${ours}\n${theirs}` : ours };
    },
  };
}
