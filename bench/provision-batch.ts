/**
 * Benchmark: 100 agents provisioned in one batch against a local site and the local platform
 * (simulated latency per platform call), beside the same number of bare workflows with the same
 * number of no-op activities, measured in the same run on the same Temporal server.
 *
 *   npm run bench:provision            # BENCH_AGENTS=100 BENCH_PLATFORM_LATENCY_MS=2000
 */
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { percentile, printReport } from './bench-report';
import { createCore } from '../core/composition-root';
import { loadConfig } from '../core/config/config';
import { connectDatabase } from '../core/db/database';
import { createLogger } from '../core/logging/logger';
import { TemporalAgentWorkflows } from '../core/temporal/agent-workflow-client';
import { serveBusinessSite } from '../test/support/business-site';

const AGENTS = Number(process.env.BENCH_AGENTS ?? 100);
const LATENCY_MS = Number(process.env.BENCH_PLATFORM_LATENCY_MS ?? 2000);
/** Activities per provisioning: research, generate, deploy, number, activate. */
const ACTIVITIES_PER_AGENT = 5;

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const base = loadConfig({ ...process.env, WFW_ALLOW_PRIVATE_NETWORKS: '1' });
  const dbName = `wfwbench_${randomBytes(4).toString('hex')}`;
  const mongodbUri = base.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/${dbName}$1`);
  const taskQueue = `bench-${randomBytes(4).toString('hex')}`;
  const config = { ...base, mongodbUri, localPlatformLatencyMs: LATENCY_MS, temporal: { ...base.temporal, taskQueue } };

  const db = await connectDatabase(mongodbUri);
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const core = createCore(config, db, createLogger('warn', 'bench'), { workflows: new TemporalAgentWorkflows(client, taskQueue) });
  await core.ensureIndexes();
  const site = await serveBusinessSite();
  const native = await NativeConnection.connect({ address: config.temporal.address });

  const worker = await Worker.create({
    connection: native,
    namespace: config.temporal.namespace,
    taskQueue,
    workflowsPath: require.resolve('../workflows'),
    activities: createActivities(core),
    maxConcurrentActivityTaskExecutions: 400,
    maxConcurrentWorkflowTaskExecutions: 200,
  });
  const bareQueue = `${taskQueue}-bare`;
  const bareWorker = await Worker.create({
    connection: native,
    namespace: config.temporal.namespace,
    taskQueue: bareQueue,
    workflowsPath: require.resolve('./bench-workflows'),
    activities: { noop: async () => undefined },
    maxConcurrentActivityTaskExecutions: 400,
    maxConcurrentWorkflowTaskExecutions: 200,
  });
  const running = [worker.run(), bareWorker.run()];

  try {
    const account = await core.accounts.create('bench');
    const payload = { name: 'Bench Dental', platform: 'local' as const, business_url: site.url, template_id: 'dental_receptionist', language: 'en' };

    // A light poll (a count) so that measuring does not load the database it measures;
    // per-operation times come from the documents' own timestamps, not from this loop.
    const waitAll = async (ids: string[]) => {
      while ((await core.models.operations.countDocuments({ _id: { $in: ids }, status: { $in: ['pending', 'running'] } })) > 0) {
        await new Promise((r) => setTimeout(r, 250));
      }
      return core.models.operations.find({ _id: { $in: ids } }).lean();
    };

    // One agent alone: the floor any batch is compared with.
    const soloStart = Date.now();
    const solo = await core.provisioning.provision(account.id, payload);
    await waitAll([solo.operation_id]);
    const soloMs = Date.now() - soloStart;

    const batchStart = Date.now();
    const batch = await core.provisioning.provisionBatch(account.id, Array.from({ length: AGENTS }, (_, i) => ({ payload: { ...payload, name: `Bench ${i}` } })));
    const ops = await waitAll(batch.operation_ids);
    const batchMs = Date.now() - batchStart;
    const failed = ops.filter((o) => o.status !== 'active').length;
    const perOp = ops.map((o) => (o.completed_at!.getTime() - o.created_at.getTime()) / 1000);

    const bareStart = Date.now();
    await Promise.all(
      Array.from({ length: AGENTS }, (_, i) => client.workflow.execute('bareWorkflow', { taskQueue: bareQueue, workflowId: `${bareQueue}-${i}`, args: [ACTIVITIES_PER_AGENT] })),
    );
    const bareMs = Date.now() - bareStart;

    const provisionRate = AGENTS / (batchMs / 1000);
    const bareRate = AGENTS / (bareMs / 1000);
    const rows: [string, string][] = [
      ['database', mongodbUri.replace(/\/[^/]*$/, '')],
      ['agents in batch', String(AGENTS)],
      ['simulated platform latency per call', `${LATENCY_MS} ms`],
      ['one agent alone, wall', `${(soloMs / 1000).toFixed(2)} s`],
      ['batch, wall', `${(batchMs / 1000).toFixed(2)} s`],
      ['batch / one agent (target < 2.0)', (batchMs / soloMs).toFixed(2)],
      ['batch throughput', `${provisionRate.toFixed(2)} agents/s`],
      ['per-operation p50 / p99', `${percentile(perOp, 50).toFixed(2)} s / ${percentile(perOp, 99).toFixed(2)} s`],
      ['failed operations', String(failed)],
      [`bare engine: ${AGENTS} workflows x ${ACTIVITIES_PER_AGENT} no-op activities, wall`, `${(bareMs / 1000).toFixed(2)} s`],
      ['bare engine throughput', `${bareRate.toFixed(2)} workflows/s`],
      ['provisioning / bare throughput (target >= 0.5)', (provisionRate / bareRate).toFixed(2)],
    ];
    // Where the time goes: median and p99 of each step across the batch.
    for (const step of ['research', 'generate', 'deploy', 'number', 'activate']) {
      const durations = ops
        .map((o) => (o.steps as unknown as Record<string, { started_at: Date | null; completed_at: Date | null }>)[step])
        .filter((s) => s?.started_at && s?.completed_at)
        .map((s) => (s.completed_at!.getTime() - s.started_at!.getTime()) / 1000);
      if (durations.length) rows.push([`  step ${step} p50 / p99`, `${percentile(durations, 50).toFixed(2)} s / ${percentile(durations, 99).toFixed(2)} s`]);
    }
    printReport('provision-batch benchmark', rows);
  } finally {
    worker.shutdown();
    bareWorker.shutdown();
    await Promise.allSettled(running);
    await site.close();
    await db.dropDatabase().catch(() => undefined);
    await db.close();
    await native.close();
    await connection.close();
    core.outbound.close();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
