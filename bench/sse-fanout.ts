/**
 * Benchmark: event-to-client latency of the SSE stream (GET /v2/events) with 1,000 connected
 * clients on one API instance, beside the same fan-out to 10 clients measured in the same run.
 *
 * The API (with its one EventTailer) runs in this process; the clients run in a worker thread
 * (raw http.get streams, one socket each), so parsing 200,000 frames does not steal the server's
 * event loop. Events are written through EventLog.append at a steady rate; latency is receipt
 * time minus the event's created_at (same machine clock).
 *
 *   tsc -p tsconfig.json && node dist/bench/sse-fanout.js
 *   BENCH_CLIENTS=1000 BENCH_BASELINE_CLIENTS=10 BENCH_EVENTS=200 BENCH_RATE=20   (events per second)
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { percentile } from './bench-report';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1000);
const BASELINE_CLIENTS = Number(process.env.BENCH_BASELINE_CLIENTS ?? 10);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 200);
const RATE = Number(process.env.BENCH_RATE ?? 20);

interface ClientJob {
  url: string;
  secret: string;
  clients: number;
  expected: number;
}

interface ClientReport {
  latencies: number[];
  received: number;
  outOfOrder: number;
  duplicates: number;
  failed: number;
  connectMs: number;
}

// ------------------------------------------------------------------------------------------
// Worker: the clients

function runClients(job: ClientJob): void {
  const port = parentPort!;
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const latencies: number[] = [];
  const requests: http.ClientRequest[] = [];
  let received = 0;
  let outOfOrder = 0;
  let duplicates = 0;
  let failed = 0;
  let ready = 0;
  const started = Date.now();

  const open = (i: number) =>
    new Promise<void>((resolve) => {
      let last = 0;
      let buffer = '';
      let counted = false;
      const req = http.get(job.url, { agent, headers: { authorization: `Bearer ${job.secret}`, accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) {
          failed++;
          res.resume();
          resolve();
          return;
        }
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const now = Date.now();
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (frame.startsWith('retry:')) {
              if (!counted) {
                counted = true;
                ready++;
                resolve();
              }
              continue;
            }
            if (!frame.startsWith('id: ')) continue; // keep-alive comments
            const seq = Number(frame.slice(4, frame.indexOf('\n')));
            // Cheap field read instead of JSON.parse: the clients should not be what is measured.
            const at = frame.indexOf('"created_at":"');
            const createdAt = Date.parse(frame.slice(at + 14, frame.indexOf('"', at + 14)));
            latencies.push(now - createdAt);
            received++;
            if (seq === last) duplicates++;
            else if (seq < last) outOfOrder++;
            last = Math.max(last, seq);
          }
        });
      });
      req.on('error', () => {
        failed++;
        resolve();
      });
      requests.push(req);
      void i;
    });

  void (async () => {
    // Open in waves so that the accept queue and the auth lookups are not one burst.
    for (let i = 0; i < job.clients; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, job.clients - i) }, (_, k) => open(i + k)));
    }
    port.postMessage({ kind: 'ready', ready, failed, connectMs: Date.now() - started });
  })();

  port.on('message', (msg: { kind: string }) => {
    if (msg.kind === 'progress') port.postMessage({ kind: 'progress', received });
    if (msg.kind === 'report') {
      for (const r of requests) r.destroy();
      agent.destroy();
      const report: ClientReport = { latencies, received, outOfOrder, duplicates, failed, connectMs: Date.now() - started };
      port.postMessage({ kind: 'report', report });
    }
  });
}

// ------------------------------------------------------------------------------------------
// Main: the API, the writer, the figures

async function main(): Promise<void> {
  const { createApi } = await import('../api/app');
  const { createCore } = await import('../core/composition-root');
  const { loadConfig } = await import('../core/config/config');
  const { connectDatabase } = await import('../core/db/database');
  const { EventTailer } = await import('../core/events/event-tailer');
  const { createLogger } = await import('../core/logging/logger');

  const base = loadConfig({ ...process.env });
  const dbName = `wfwbench_sse_${randomBytes(4).toString('hex')}`;
  const mongodbUri = base.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/${dbName}$1`);
  // One credential opens every connection: lift its request quota out of the way.
  const config = { ...base, mongodbUri, rateLimit: { ...base.rateLimit, requestsPerWindow: 1_000_000 } };
  const db = await connectDatabase(mongodbUri);
  const logger = createLogger('warn', 'bench');
  const core = createCore(config, db, logger);
  await core.ensureIndexes();
  // The tailer the API's streams use (core.eventStream's): its figures are the run's.
  const tailer = EventTailer.shared(core.models.events);
  const { app } = createApi({ core, probes: [] });
  const server = app.listen(0, '127.0.0.1');
  server.maxConnections = CLIENTS + BASELINE_CLIENTS + 100;
  await new Promise<void>((r) => server.once('listening', () => r()));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const phase = async (clients: number) => {
    const account = await core.accounts.create(`bench-${clients}`);
    const sa = await core.serviceAccounts.create(account.id, { name: 'bench' });
    const worker = new Worker(__filename, { workerData: { url: `${baseUrl}/v2/events`, secret: sa.client_secret, clients, expected: EVENTS } satisfies ClientJob });
    const next = (kind: string) => new Promise<any>((resolve) => {
      const on = (msg: any) => {
        if (msg.kind === kind) {
          worker.off('message', on);
          resolve(msg);
        }
      };
      worker.on('message', on);
    });
    const ready = await next('ready');
    const pollsBefore = tailer.stats.polls;
    const queriesBefore = tailer.stats.queries;
    const appendMs: number[] = [];
    const writeStart = Date.now();
    for (let i = 0; i < EVENTS; i++) {
      const due = writeStart + (i * 1000) / RATE;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const t0 = Date.now();
      await core.events.append(account.id, 'agent.updated', { agent_id: 'agt_01m8h42tjf2497t8a180fbw85f', operation_id: null, changed_fields: ['voice'], prompt_version: i + 1 }, { dedupeKey: `bench:${i}`, agentId: 'agt_01m8h42tjf2497t8a180fbw85f' });
      appendMs.push(Date.now() - t0);
    }
    const writeMs = Date.now() - writeStart;
    // Wait for delivery to finish (or 15 s).
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      worker.postMessage({ kind: 'progress' });
      const { received } = await next('progress');
      if (received >= ready.ready * EVENTS) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    worker.postMessage({ kind: 'report' });
    const { report } = (await next('report')) as { report: ClientReport };
    await worker.terminate();
    const polls = tailer.stats.polls - pollsBefore;
    return { clients, ready: ready.ready as number, connectFailed: ready.failed as number, connectMs: ready.connectMs as number, report, writeMs, appendMs, polls, queries: tailer.stats.queries - queriesBefore };
  };

  try {
    const baseline = await phase(BASELINE_CLIENTS);
    const fanout = await phase(CLIENTS);
    const rows: [string, string, string][] = [['', `baseline (${baseline.clients} clients)`, `fan-out (${fanout.clients} clients)`]];
    const both = (label: string, f: (p: typeof baseline) => string) => rows.push([label, f(baseline), f(fanout)]);
    both('clients connected / failed', (p) => `${p.ready} / ${p.connectFailed}`);
    both('time to connect all', (p) => `${(p.connectMs / 1000).toFixed(2)} s`);
    both('events written (steady rate)', (p) => `${EVENTS} at ${RATE}/s in ${(p.writeMs / 1000).toFixed(1)} s`);
    both('append p50 / p99 (insert, for scale)', (p) => `${percentile(p.appendMs, 50)} / ${percentile(p.appendMs, 99)} ms`);
    both('frames delivered / expected', (p) => `${p.report.received} / ${p.ready * EVENTS}`);
    both('out of order / duplicates', (p) => `${p.report.outOfOrder} / ${p.report.duplicates}`);
    both('latency p50', (p) => `${percentile(p.report.latencies, 50)} ms`);
    both('latency p99 (target < 500 ms)', (p) => `${percentile(p.report.latencies, 99)} ms`);
    both('latency max', (p) => `${p.report.latencies.reduce((m, v) => (v > m ? v : m), -Infinity)} ms`);
    both('tailer polls / queries during the run', (p) => `${p.polls} / ${p.queries}`);
    const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
    process.stdout.write(`\nsse-fanout benchmark (${new Date().toISOString()}, tailer interval 100 ms)\n`);
    for (const r of rows) process.stdout.write(`  ${r[0].padEnd(w[0])}  ${r[1].padEnd(w[1])}  ${r[2]}\n`);
  } finally {
    tailer.stop();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    core.outbound.close();
    await db.dropDatabase().catch(() => undefined);
    await db.close();
  }
}

if (isMainThread) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
} else {
  runClients(workerData as ClientJob);
}
