/**
 * Benchmark: 1,000 events delivered to one local receiver and to 20 receivers (50 events each),
 * with deliveries/s and event-to-receipt p50/p99, beside the same number of bare
 * one-activity workflows measured in the same run on the same Temporal server.
 *
 *   npm run bench:webhooks            # BENCH_EVENTS=1000 BENCH_RECEIVERS=20
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { percentile, printReport } from './bench-report';
import { createCore } from '../core/composition-root';
import { loadConfig } from '../core/config/config';
import { connectDatabase } from '../core/db/database';
import { createLogger } from '../core/logging/logger';
import { TemporalAgentWorkflows } from '../core/temporal/agent-workflow-client';
import { TemporalWebhookWorkflows } from '../core/temporal/webhook-workflow-client';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1000);
const RECEIVERS = Number(process.env.BENCH_RECEIVERS ?? 20);

/** A receiver that records, per event, when it arrived (first arrival only). */
async function receiver() {
  const arrivals = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { event_id: string };
      if (!arrivals.has(body.event_id)) arrivals.set(body.event_id, Date.now());
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, arrivals, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const base = loadConfig({ ...process.env, WFW_ALLOW_PRIVATE_NETWORKS: '1' });
  const mongodbUri = base.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/wfwbench_${randomBytes(4).toString('hex')}$1`);
  const taskQueue = `bench-wh-${randomBytes(4).toString('hex')}`;
  const config = { ...base, mongodbUri, temporal: { ...base.temporal, taskQueue } };
  const db = await connectDatabase(mongodbUri);
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const core = createCore(config, db, createLogger('warn', 'bench'), {
    workflows: new TemporalAgentWorkflows(client, taskQueue),
    webhookWorkflows: new TemporalWebhookWorkflows(client, taskQueue, config.webhooks),
  });
  await core.ensureIndexes();
  const native = await NativeConnection.connect({ address: config.temporal.address });
  const options = { maxConcurrentActivityTaskExecutions: 400, maxConcurrentWorkflowTaskExecutions: 200 };
  const worker = await Worker.create({ connection: native, namespace: config.temporal.namespace, taskQueue, workflowsPath: require.resolve('../workflows'), activities: createActivities(core), ...options });
  const bareQueue = `${taskQueue}-bare`;
  const bare = await Worker.create({ connection: native, namespace: config.temporal.namespace, taskQueue: bareQueue, workflowsPath: require.resolve('./bench-workflows'), activities: { noop: async () => undefined }, ...options });
  const running = [worker.run(), bare.run()];
  core.webhookDispatcher.start();

  const rows: [string, string][] = [];
  /** Deliveries/s of the last (many-receiver) round, compared with the bare engine below. */
  let deliveredRate = 0;
  try {
    for (const receiverCount of [1, RECEIVERS]) {
      const receivers = await Promise.all(Array.from({ length: receiverCount }, receiver));
      const accounts = await Promise.all(receivers.map(async (r, i) => {
        const account = await core.accounts.create(`bench-${receiverCount}-${i}`);
        await core.webhooks.create(account.id, { url: r.url });
        return account.id;
      }));
      const written = new Map<string, number>();
      const started = Date.now();
      await Promise.all(
        accounts.map(async (accountId, i) => {
          for (let k = 0; k < EVENTS / receiverCount; k++) {
            const e = await core.events.append(accountId, 'kb.synced', { agent_id: 'agt_01m8h42tj30fjmzbwschxe2qyy', doc_id: 'kb_01m8h42tj30fjmzbwschxe2qyy', version: k }, { dedupeKey: `b${receiverCount}:${i}:${k}` });
            written.set(e.event_id, Date.parse(e.created_at));
          }
        }),
      );
      const arrivals = () => receivers.reduce((n, r) => n + r.arrivals.size, 0);
      while (arrivals() < EVENTS) await new Promise((r) => setTimeout(r, 100));
      const wall = (Date.now() - started) / 1000;
      const latencies = receivers.flatMap((r) => [...r.arrivals].map(([id, at]) => at - written.get(id)!));
      rows.push([`${receiverCount} receiver(s): ${EVENTS} deliveries, wall`, `${wall.toFixed(2)} s`]);
      deliveredRate = EVENTS / wall;
      rows.push([`${receiverCount} receiver(s): deliveries/s`, deliveredRate.toFixed(1)]);
      rows.push([`${receiverCount} receiver(s): event-to-receipt p50 / p99`, `${percentile(latencies, 50)} ms / ${percentile(latencies, 99)} ms`]);
      await Promise.all(receivers.map((r) => r.close()));
    }
    const bareStart = Date.now();
    const ids = Array.from({ length: EVENTS }, (_, i) => `${bareQueue}-${i}`);
    for (let i = 0; i < ids.length; i += 100) {
      await Promise.all(ids.slice(i, i + 100).map((id) => client.workflow.start('bareOneActivity', { taskQueue: bareQueue, workflowId: id })));
    }
    await Promise.all(ids.map((id) => client.workflow.getHandle(id).result()));
    const bareWall = (Date.now() - bareStart) / 1000;
    const bareRate = EVENTS / bareWall;
    rows.push([`bare engine: ${EVENTS} one-activity workflows, wall`, `${bareWall.toFixed(2)} s`]);
    rows.push(['bare engine workflows/s', bareRate.toFixed(1)]);
    rows.push([`delivery throughput (${RECEIVERS} receivers) / bare (target >= 0.6)`, (deliveredRate / bareRate).toFixed(2)]);
    printReport('webhook-delivery benchmark', rows);
  } finally {
    core.webhookDispatcher.stop();
    worker.shutdown();
    bare.shutdown();
    await Promise.allSettled(running);
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
