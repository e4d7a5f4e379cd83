/**
 * Benchmark: 1,000 end-of-call notifications from the local platform (signed with the account's
 * local secret, 10–20-turn transcripts) POSTed to the ingestion route with some concurrency,
 * through the real API, Temporal and worker, to each call's `call.extractions_ready` event;
 * beside the same number of bare workflows of the call's shape (signal-with-start, then a local
 * step, an activity and a local step, all no-ops) measured in the same run on the same server.
 *
 *   npm run bench:calls
 *     BENCH_CALLS=1000          notifications (one call each)
 *     BENCH_CONCURRENCY=20      POSTs in flight at once
 *     BENCH_TIMEOUT_SECONDS=900 how long to wait for the extractions before counting the rest failed
 *
 * Prints figures only; nothing here asserts a time.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createApi } from '../api/app';
import { percentile, printReport } from './bench-report';
import { createCore } from '../core/composition-root';
import { loadConfig } from '../core/config/config';
import { connectDatabase } from '../core/db/database';
import { createLogger } from '../core/logging/logger';
import { TemporalAgentWorkflows } from '../core/temporal/agent-workflow-client';
import { TemporalCallWorkflows } from '../core/temporal/call-workflow-client';
import { TemporalWebhookWorkflows } from '../core/temporal/webhook-workflow-client';
import { createLocalAgentRow, hvacTurns, localHeaders, localNotificationBody, postLocal } from '../test/calls/local-call-notifications';
import { WORKER_TUNING } from '../worker/worker-tuning';

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}=${raw} is not a positive number`);
  return n;
}

const CALLS = envNumber('BENCH_CALLS', 1000);
const CONCURRENCY = envNumber('BENCH_CONCURRENCY', 20);
const TIMEOUT_MS = envNumber('BENCH_TIMEOUT_SECONDS', 900) * 1000;

/** Runs `task(i)` for i in [0, count) with at most `limit` in flight. */
async function pool(count: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, count) }, async () => {
    while (next < count) await task(next++);
  }));
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const base = loadConfig({ ...process.env, WFW_ALLOW_PRIVATE_NETWORKS: '1' });
  const mongodbUri = base.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/wfwbench_${randomBytes(4).toString('hex')}$1`);
  const taskQueue = `bench-calls-${randomBytes(4).toString('hex')}`;
  const config = {
    ...base,
    mongodbUri,
    port: 0,
    temporal: { ...base.temporal, taskQueue },
    // The platform is one client posting fast: per-IP and per-account limits are not what is measured.
    rateLimit: { requestsPerWindow: 1_000_000, windowSeconds: 60 },
    quotas: { ...base.quotas, accountRequestsPerMinute: 1_000_000, tokenRequestsPerIpPerMinute: 1_000_000 },
  };
  const db = await connectDatabase(mongodbUri);
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const core = createCore(config, db, createLogger('warn', 'bench'), {
    workflows: new TemporalAgentWorkflows(client, taskQueue),
    webhookWorkflows: new TemporalWebhookWorkflows(client, taskQueue, config.webhooks),
    callWorkflows: new TemporalCallWorkflows(client, taskQueue),
  });
  await core.ensureIndexes();
  const { app } = createApi({ core, probes: [] });
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const native = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await Worker.create({ connection: native, namespace: config.temporal.namespace, taskQueue, workflowsPath: require.resolve('../workflows'), activities: createActivities(core), ...WORKER_TUNING });
  const bareQueue = `${taskQueue}-bare`;
  const bare = await Worker.create({ connection: native, namespace: config.temporal.namespace, taskQueue: bareQueue, workflowsPath: require.resolve('./bench-workflows'), activities: { noop: async () => undefined }, ...WORKER_TUNING });
  const running = [worker.run(), bare.run()];

  const rows: [string, string][] = [];
  try {
    const account = await core.accounts.create('bench-calls');
    const accountId = account.id;
    await createLocalAgentRow(core, accountId, 'lagt_bench');
    const bodies = Array.from({ length: CALLS }, (_, i) =>
      localNotificationBody('call.ended', { platformCallId: `lsim_bench_${i}`, platformAgentId: 'lagt_bench', fromNumber: `+1312555${String(1000 + (i % 9000)).padStart(4, '0')}`, turns: hvacTurns(i, 10 + (i % 11)) }),
    );
    const turnCounts = bodies.map((b) => (JSON.parse(b) as { call: { turns: unknown[] } }).call.turns.length);
    await core.localCallSecrets.get(accountId);

    // ---- ingestion: POST time per call, then wait for each call's extractions_ready event
    const postedAt = new Map<string, number>();
    const rejected = new Map<string, number>();
    const started = Date.now();
    await pool(CALLS, CONCURRENCY, async (i) => {
      const at = Date.now();
      try {
        // Signed as the platform signs it, at send time.
        const res = await postLocal(baseUrl, accountId, bodies[i], await localHeaders(core, accountId, bodies[i]));
        const receipt = (await res.json()) as { status?: string; call_id?: string; error?: { code: string } };
        if (res.status === 200 && receipt.status === 'accepted' && receipt.call_id) postedAt.set(receipt.call_id, at);
        else rejected.set(`${res.status} ${receipt.error?.code ?? receipt.status}`, (rejected.get(`${res.status} ${receipt.error?.code ?? receipt.status}`) ?? 0) + 1);
      } catch (err) {
        const key = `network ${(err as Error).name}`;
        rejected.set(key, (rejected.get(key) ?? 0) + 1);
      }
    });
    const acceptWall = (Date.now() - started) / 1000;

    const events = db.collection('events');
    const deadline = Date.now() + TIMEOUT_MS;
    let ready = 0;
    while (Date.now() < deadline) {
      ready = await events.countDocuments({ account_id: accountId, type: 'call.extractions_ready' });
      if (ready >= postedAt.size) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const readyDocs = await events.find({ account_id: accountId, type: 'call.extractions_ready' }, { projection: { data: 1, created_at: 1 } }).toArray();
    const latencies = readyDocs.map((e) => new Date(e.created_at).getTime() - (postedAt.get(e.data.call_id) ?? NaN)).filter(Number.isFinite);
    const lastReady = Math.max(...readyDocs.map((e) => new Date(e.created_at).getTime()));
    const endToEndWall = (lastReady - started) / 1000;
    const failures = CALLS - readyDocs.length;

    rows.push(['notifications', `${CALLS} (${Math.min(...turnCounts)}–${Math.max(...turnCounts)} turns), ${CONCURRENCY} in flight`]);
    rows.push(['accepted (200 accepted)', String(postedAt.size)]);
    rows.push(['rejected at the route', rejected.size ? [...rejected].map(([k, n]) => `${k}: ${n}`).join(', ') : '0']);
    rows.push(['accept wall', `${acceptWall.toFixed(2)} s`]);
    rows.push(['notifications/s accepted', (postedAt.size / acceptWall).toFixed(1)]);
    rows.push(['calls with call.extractions_ready', String(readyDocs.length)]);
    rows.push(['POST to call.extractions_ready p50 / p99', `${percentile(latencies, 50)} ms / ${percentile(latencies, 99)} ms`]);
    rows.push(['first POST to last extractions_ready', `${endToEndWall.toFixed(2)} s (${(readyDocs.length / endToEndWall).toFixed(1)} calls/s end to end)`]);
    rows.push(['failures (no extractions_ready)', String(failures)]);

    // ---- bare engine: the same number of call-shaped workflows, signal-with-start at the same concurrency
    const bareStart = Date.now();
    const bareLatencies: number[] = [];
    let bareFailures = 0;
    let bareSignalled = 0;
    const results: Promise<void>[] = [];
    await pool(CALLS, CONCURRENCY, async (i) => {
      const at = Date.now();
      try {
        const handle = await client.workflow.signalWithStart('bareCallShape', { taskQueue: bareQueue, workflowId: `${bareQueue}-${i}`, signal: 'ended', signalArgs: [] });
        bareSignalled++;
        results.push(handle.result().then(() => void bareLatencies.push(Date.now() - at), () => void bareFailures++));
      } catch {
        bareFailures++;
      }
    });
    const bareAcceptWall = (Date.now() - bareStart) / 1000;
    await Promise.all(results);
    const bareWall = (Date.now() - bareStart) / 1000;
    rows.push([`bare engine: ${CALLS} call-shaped workflows, signal-with-start/s`, (bareSignalled / bareAcceptWall).toFixed(1)]);
    rows.push(['bare engine: signal-with-start to completion p50 / p99', `${percentile(bareLatencies, 50)} ms / ${percentile(bareLatencies, 99)} ms`]);
    rows.push(['bare engine: wall, workflows/s end to end', `${bareWall.toFixed(2)} s, ${(bareLatencies.length / bareWall).toFixed(1)}`]);
    rows.push(['bare engine: failures', String(bareFailures)]);
    rows.push(['calls end to end / bare workflows end to end', (readyDocs.length / endToEndWall / (bareLatencies.length / bareWall)).toFixed(2)]);
    printReport('call-ingestion benchmark', rows);
  } finally {
    worker.shutdown();
    bare.shutdown();
    await Promise.allSettled(running);
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
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
