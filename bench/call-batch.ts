/**
 * Benchmark: one batch of 1,000 recipients on the `local` platform with a max concurrency of 50,
 * through the real batch workflow, call workflows, credit ledger, API ingestion route and worker
 * (each call is simulated: `duration_seconds × WFW_LOCAL_CALL_TIME_SCALE` on a workflow timer,
 * then the signed end-of-call notification); beside a bare batch of the same shape (no-op steps,
 * a child per call, the same timers) measured in the same run on the same Temporal server.
 *
 *   npm run bench:call-batch
 *     BENCH_RECIPIENTS=1000      recipients in the batch
 *     BENCH_CONCURRENCY=50       max_concurrency
 *     BENCH_MIN_SECONDS=100      simulated call length, spread evenly up to BENCH_MAX_SECONDS
 *     BENCH_MAX_SECONDS=200      (× WFW_LOCAL_CALL_TIME_SCALE, default 0.01: 1–2 s of wall time)
 *     BENCH_TIMEOUT_SECONDS=1800 how long to wait for the batch to end
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
import { createLocalAgentRow } from '../test/calls/local-call-notifications';
import { WORKER_TUNING } from '../worker/worker-tuning';

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}=${raw} is not a positive number`);
  return n;
}

const RECIPIENTS = envNumber('BENCH_RECIPIENTS', 1000);
const CONCURRENCY = envNumber('BENCH_CONCURRENCY', 50);
const MIN_SECONDS = envNumber('BENCH_MIN_SECONDS', 100);
const MAX_SECONDS = envNumber('BENCH_MAX_SECONDS', 200);
const TIMEOUT_MS = envNumber('BENCH_TIMEOUT_SECONDS', 1800) * 1000;

/** The most of these [start, end] intervals open at one instant. */
function maxOverlap(intervals: [number, number][]): number {
  const points = intervals.flatMap(([s, e]) => [
    [s, 1],
    [e, -1],
  ]);
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let max = 0;
  for (const [, d] of points) max = Math.max(max, (open += d));
  return max;
}

/** Starts per second over the middle 90% of starts (ramp-up and the tail left out), and overall. */
function startRate(starts: number[]): { steady: number; overall: number } {
  const s = [...starts].sort((a, b) => a - b);
  const lo = s[Math.floor(s.length * 0.05)];
  const hi = s[Math.floor(s.length * 0.95)];
  return { steady: ((s.length * 0.9) / Math.max(1, hi - lo)) * 1000, overall: (s.length / Math.max(1, s[s.length - 1] - s[0])) * 1000 };
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const base = loadConfig({ ...process.env, WFW_ALLOW_PRIVATE_NETWORKS: '1' });
  const mongodbUri = base.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/wfwbench_${randomBytes(4).toString('hex')}$1`);
  const taskQueue = `bench-batch-${randomBytes(4).toString('hex')}`;
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const config = {
    ...base,
    mongodbUri,
    port,
    apiInternalUrl: `http://127.0.0.1:${port}`,
    temporal: { ...base.temporal, taskQueue },
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
  const server: Server = app.listen(port, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  void (server.address() as AddressInfo).port;

  const native = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await Worker.create({ connection: native, namespace: config.temporal.namespace, taskQueue, workflowsPath: require.resolve('../workflows'), activities: createActivities(core), ...WORKER_TUNING });
  const bareQueue = `${taskQueue}-bare`;
  const bare = await Worker.create({ connection: native, namespace: config.temporal.namespace, taskQueue: bareQueue, workflowsPath: require.resolve('./call-batch-workflows'), activities: { noop: async () => undefined }, ...WORKER_TUNING });
  const running = [worker.run(), bare.run()];

  const rows: [string, string][] = [];
  try {
    const account = await core.accounts.create('bench-call-batch');
    const accountId = account.id;
    // Enough credit that no hold is refused: 1,000 holds of WFW_OUTBOUND_HOLD_MINUTES each.
    await core.credit.adjust(accountId, 100_000 * 1_000_000, 'bench-topup', 'bench');
    const agentId = await createLocalAgentRow(core, accountId, `lagt_bench_${randomBytes(4).toString('hex')}`, 'dental_receptionist');
    const durations = Array.from({ length: RECIPIENTS }, (_, i) => Math.round(MIN_SECONDS + ((MAX_SECONDS - MIN_SECONDS) * i) / Math.max(1, RECIPIENTS - 1)));
    const ledgerBefore = await core.models.creditLedger.countDocuments({ account_id: accountId });

    // ---- the real batch
    const started = Date.now();
    const batch = await core.callBatches.create(accountId, {
      agent_id: agentId,
      max_concurrency: CONCURRENCY,
      recipients: durations.map((d, i) => ({ to_number: `+1312${String(5_000_000 + i)}`, simulation: { outcome: 'answered', duration_seconds: d } })),
    });
    const accepted = Date.now() - started;
    const deadline = Date.now() + TIMEOUT_MS;
    let doc = await core.models.callBatches.findById(batch.id).lean();
    while (doc && doc.status !== 'completed' && doc.status !== 'canceled' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      doc = await core.models.callBatches.findById(batch.id).lean();
    }
    const batchWall = (Date.now() - started) / 1000;
    const view = await core.callBatches.get(accountId, batch.id);
    const calls = await core.models.calls.find({ account_id: accountId }, { created_at: 1, ended_at: 1, updated_at: 1, status: 1 }).lean();
    const starts = calls.map((c) => new Date(c.created_at).getTime());
    const intervals = calls.map((c) => [new Date(c.created_at).getTime(), new Date(c.ended_at ?? c.updated_at).getTime()] as [number, number]);
    const ledger = await core.models.creditLedger.find({ account_id: accountId }, { kind: 1 }).lean();
    const byKind = new Map<string, number>();
    for (const e of ledger.slice(0)) byKind.set(e.kind, (byKind.get(e.kind) ?? 0) + 1);
    const callLedgerWrites = ledger.length - ledgerBefore;
    const rate = startRate(starts);
    const scale = config.calls.localTimeScale;
    const history = await client.workflow.getHandle(batch.id).describe();

    rows.push(['recipients / max_concurrency', `${RECIPIENTS} / ${CONCURRENCY}, calls of ${MIN_SECONDS}–${MAX_SECONDS} simulated s (${(MIN_SECONDS * scale).toFixed(1)}–${(MAX_SECONDS * scale).toFixed(1)} s wall at scale ${scale})`]);
    rows.push(['POST (create batch + recipients + start)', `${accepted} ms`]);
    rows.push(['batch status / counts', `${view.status} / ${Object.entries(view.counts).filter(([, n]) => n).map(([k, n]) => `${k} ${n}`).join(', ')}`]);
    rows.push(['batch wall (POST to completed)', `${batchWall.toFixed(1)} s`]);
    rows.push(['calls started/s (steady, middle 90% / overall)', `${rate.steady.toFixed(1)} / ${rate.overall.toFixed(1)}`]);
    rows.push(['max in flight: workflow counter / from call records', `${view.max_in_flight} / ${maxOverlap(intervals)} (limit ${CONCURRENCY})`]);
    rows.push(['ideal wall at the limit (Σ duration / limit)', `${((durations.reduce((a, b) => a + b, 0) * scale) / CONCURRENCY).toFixed(1)} s`]);
    rows.push(['ledger writes per call', `${(callLedgerWrites / Math.max(1, calls.length)).toFixed(2)} (${[...byKind].filter(([k]) => k !== 'grant' && k !== 'adjustment').map(([k, n]) => `${k} ${n}`).join(', ')})`]);
    rows.push(['batch workflow runs (continue-as-new)', `${(await client.workflow.getHandle(batch.id).query<{ runs: number }>('callBatchState')).runs + 1} (last run ${history.historyLength} events)`]);
    const gaps = starts.sort((a, b) => a - b).slice(1).map((t, i) => t - starts[i]);
    rows.push(['gap between starts p50 / p99', `${percentile(gaps, 50)} ms / ${percentile(gaps, 99)} ms`]);
    // The real batch's figures first: the bare run below cannot lose them.
    printReport('Call batch (real)', rows);

    // ---- bare workflows of the same shape
    const bareStarted = Date.now();
    const bareResult = await client.workflow.execute<(i: { batchId: string; durationsMs: number[]; maxConcurrency: number }) => Promise<{ maxInFlight: number; startedAt: number[] }>>('bareCallBatch', {
      taskQueue: bareQueue,
      workflowId: `bare-batch-${randomBytes(4).toString('hex')}`,
      args: [{ batchId: `bare-${randomBytes(4).toString('hex')}`, durationsMs: durations.map((d) => Math.round(d * 1000 * scale)), maxConcurrency: CONCURRENCY }],
    });
    const bareWall = (Date.now() - bareStarted) / 1000;
    const bareRate = startRate(bareResult.startedAt);
    rows.push(['bare batch wall', `${bareWall.toFixed(1)} s`]);
    rows.push(['bare calls started/s (steady / overall)', `${bareRate.steady.toFixed(1)} / ${bareRate.overall.toFixed(1)}`]);
    rows.push(['bare max in flight', String(bareResult.maxInFlight)]);
    rows.push(['real / bare wall', (batchWall / bareWall).toFixed(2)]);
  } finally {
    printReport(`Call batch: ${RECIPIENTS} recipients on the local platform`, rows);
    worker.shutdown();
    bare.shutdown();
    await Promise.allSettled(running);
    server.close();
    await native.close();
    await connection.close();
    if (process.env.BENCH_KEEP_DB !== '1') await db.dropDatabase();
    await db.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
