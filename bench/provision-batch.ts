/**
 * Benchmark: one agent alone vs a batch of 100, provisioned against a local business site that
 * answers every request after a delay and the `local` platform, beside the same number of bare
 * workflows of the same shape (five no-op activities) measured in the same run on the same
 * Temporal server. For each run it counts the database commands the core issued (by kind) and
 * the engine round trips each workflow took (from its history), lists failures by error code,
 * and gives per-step times and the queueing between steps. The rounds repeat after seeding
 * stored agents (bench/seed-data.ts), and after each one the stack's idle CPU is sampled while
 * the bench process runs the worker's real background loops.
 *
 *   npm run bench:provision
 *     BENCH_AGENTS=100                agents in the batch
 *     BENCH_SITE_LATENCY_MS=400       delay of every response of the business site
 *     BENCH_PLATFORM_LATENCY_MS=0     simulated latency of each local platform call
 *     BENCH_SEED_STEPS=0,10000,20000  stored extra agents at each round (cumulative sizes)
 *     BENCH_IDLE_SECONDS=15           idle CPU sampling window after each round
 *     BENCH_SETTLE_SECONDS=40         wait after a round before sampling idle (Temporal's post-burst work)
 *     BENCH_KEEP_DB=1                 keep the bench database instead of dropping it
 *     BENCH_COMMAND_DETAIL=1          also print the batch's DB commands per agent by origin, command and collection
 *     BENCH_NO_DRIFT=1                activation creates no drift Schedules (to see what they cost)
 *
 * Prints figures only; nothing here asserts a time.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventEmitter } from 'node:events';
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import { asyncLocalStorage as activityContext } from '@temporalio/activity';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { WORKER_TUNING } from '../worker/worker-tuning';
import mongoose from 'mongoose';
import type { Logger } from 'pino';
import { createActivities } from '../activities';
import { percentile, printReport, printTable } from './bench-report';
import { createCore, type Core } from '../core/composition-root';
import { loadConfig } from '../core/config/config';
import { connectDatabase, findByIds } from '../core/db/database';
import { createLogger } from '../core/logging/logger';
import type { OperationDoc } from '../core/operations/operation-model';
import { TemporalAgentWorkflows } from '../core/temporal/agent-workflow-client';
import { TemporalWebhookWorkflows } from '../core/temporal/webhook-workflow-client';
import { TemporalKbDriftSchedules } from '../core/temporal/kb-drift-schedules';
import { serveBusinessSite } from '../test/support/business-site';
import { startBackgroundServices } from '../worker/background-services';
import { describeReads, PostgresTableReads, type ReadsDelta } from './postgres-table-reads';

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}=${raw} is not a non-negative number`);
  return n;
}

const AGENTS = envNumber('BENCH_AGENTS', 100);
const SITE_LATENCY_MS = envNumber('BENCH_SITE_LATENCY_MS', 400);
const PLATFORM_LATENCY_MS = envNumber('BENCH_PLATFORM_LATENCY_MS', 0);
const IDLE_SECONDS = envNumber('BENCH_IDLE_SECONDS', 15);
/**
 * Idle is sampled this long after a round: Temporal keeps working through the round's closed
 * workflows for a while (measured after 200 bare workflows: 8 % of a core at +10 s and 6 % at
 * +30 s, then 0.2 %), which is the round's cost, not what the stack costs doing nothing.
 */
const SETTLE_SECONDS = envNumber('BENCH_SETTLE_SECONDS', 40);
const SEED_STEPS = (process.env.BENCH_SEED_STEPS || '0,10000,20000').split(',').map((s) => {
  const n = Number(s.trim());
  if (!Number.isInteger(n) || n < 0) throw new Error(`BENCH_SEED_STEPS: ${s} is not a count`);
  return n;
});
const KEEP_DB = process.env.BENCH_KEEP_DB === '1';
const COMMAND_DETAIL = process.env.BENCH_COMMAND_DETAIL === '1';
const NO_DRIFT = process.env.BENCH_NO_DRIFT === '1';
/** Solo provisionings per round; their median is the one-agent figure. */
const SOLO_RUNS = 3;
/** Activities per provisioning: research, generate, deploy, number, activate. */
const ACTIVITIES_PER_AGENT = 5;
const STEPS = ['research', 'generate', 'deploy', 'number', 'activate'];
const WRITE_COMMANDS = ['insert', 'update', 'delete', 'findAndModify'];
const READ_COMMANDS = ['find', 'aggregate', 'count', 'distinct', 'getMore'];

const TARGETS = {
  batchPerOne: 3,
  batchPerOneStretch: 2,
  bareRatio: 0.6,
  vsEmpty: 1.2,
  idlePercent: 3,
};

// ---------------------------------------------------------------- database commands

/**
 * Who sent a command: the bench's own calls into the provisioning service and the worker loops
 * run inside `origins.run(...)`; activities are recognised by the SDK's activity context.
 */
const origins = new AsyncLocalStorage<string>();
const ACCEPT = 'accept (provisioning service)';
const LOOPS = 'worker loops';

function originOfCommand(): string {
  const own = origins.getStore();
  if (own) return own;
  const activity = activityContext.getStore();
  return activity ? activity.info.activityType : 'other';
}

/** Counts every command the core's connection sends, by origin and command name (driver command monitoring). */
class CommandCounter {
  private counts = new Map<string, number>();
  constructor(connection: mongoose.Connection) {
    connection.getClient().on('commandStarted', (e: { commandName: string; command: Record<string, unknown> }) => {
      const target = COMMAND_DETAIL && typeof e.command[e.commandName] === 'string' ? `:${e.command[e.commandName] as string}` : '';
      const key = `${originOfCommand()}\u0000${e.commandName}${target}`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    });
  }
  snapshot(): Map<string, number> {
    return new Map(this.counts);
  }
  since(before: Map<string, number>): CommandCounts {
    const c: CommandCounts = { byName: {}, byOrigin: {}, detail: {}, writes: 0, reads: 0, other: 0, loopReads: 0, loopWrites: 0 };
    for (const [key, n] of this.counts) {
      const d = n - (before.get(key) ?? 0);
      if (d <= 0) continue;
      const [origin, detailed] = key.split('\u0000');
      const name = detailed.split(':')[0];
      if (COMMAND_DETAIL) c.detail[`${origin} ${detailed}`] = d;
      c.byName[name] = (c.byName[name] ?? 0) + d;
      const o = (c.byOrigin[origin] ??= { writes: 0, reads: 0 });
      if (WRITE_COMMANDS.includes(name)) (c.writes += d), (o.writes += d), origin === LOOPS && (c.loopWrites += d);
      else if (READ_COMMANDS.includes(name)) (c.reads += d), (o.reads += d), origin === LOOPS && (c.loopReads += d);
      else c.other += d;
    }
    return c;
  }
}

interface CommandCounts {
  byName: Record<string, number>;
  /** origin, command and collection (BENCH_COMMAND_DETAIL=1) */
  detail: Record<string, number>;
  byOrigin: Record<string, { writes: number; reads: number }>;
  writes: number;
  reads: number;
  /** Handshakes, pings, index commands: neither reads nor writes of documents. */
  other: number;
  /** Of `writes` and `reads`, what the worker loops (reconciler, outbox relay) sent in the window. */
  loopWrites: number;
  loopReads: number;
}

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

/** Counts divided by `n` runs (the mean of several solo provisionings). */
function scaleCounts(c: CommandCounts, n: number): CommandCounts {
  const div = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v / n]));
  return {
    byName: div(c.byName),
    byOrigin: Object.fromEntries(Object.entries(c.byOrigin).map(([k, v]) => [k, { writes: v.writes / n, reads: v.reads / n }])),
    detail: div(c.detail),
    writes: c.writes / n,
    reads: c.reads / n,
    other: c.other / n,
    loopWrites: c.loopWrites / n,
    loopReads: c.loopReads / n,
  };
}

function perAgent(c: CommandCounts, agents: number): string {
  const kinds = WRITE_COMMANDS.filter((k) => c.byName[k]).map((k) => `${k} ${(c.byName[k] / agents).toFixed(1)}`);
  return `${(c.writes / agents).toFixed(1)} writes (${kinds.join(', ') || 'none'}), ${(c.reads / agents).toFixed(1)} reads, ${(c.other / agents).toFixed(1)} other`;
}

function byOrigin(c: CommandCounts, agents: number): string {
  return Object.entries(c.byOrigin)
    .sort((a, b) => b[1].writes + b[1].reads - (a[1].writes + a[1].reads))
    .map(([origin, o]) => `${origin} ${(o.writes / agents).toFixed(1)}w/${(o.reads / agents).toFixed(1)}r`)
    .join(', ');
}

/**
 * What the worker runs beside its pollers (worker/background-services.ts), inside the loops'
 * origin. The outbox relay also wakes on every append, in the appending activity's context: its
 * listener is re-registered to run as the loops too, so the relay's commands count as its own.
 */
function startWorkerLoops(core: Core, logger: Logger): () => void {
  const emitter = (core.events as { appended?: EventEmitter }).appended;
  const before = new Set(emitter?.listeners('appended') ?? []);
  const stop = origins.run(LOOPS, () => startBackgroundServices(core, logger));
  const wrapped = (emitter?.listeners('appended') ?? [])
    .filter((l) => !before.has(l))
    .map((l) => {
      emitter!.off('appended', l as (...a: unknown[]) => void);
      const w = (...a: unknown[]) => origins.run(LOOPS, () => (l as (...a: unknown[]) => void)(...a));
      emitter!.on('appended', w);
      return w;
    });
  return () => {
    stop();
    for (const w of wrapped) emitter!.off('appended', w);
  };
}

// ---------------------------------------------------------------- engine round trips and the gaps between steps

interface RoundTrips {
  workflowTasks: number;
  activityTasks: number;
  markers: number;
  total: number;
}

interface Transition {
  /** Previous activity closed → this one started. */
  gap: number[];
  /** Previous activity closed → this one scheduled: the workflow task in between. */
  workflowTask: number[];
  /** Scheduled → started: waiting in the task queue for a worker slot. */
  queue: number[];
}

interface HistoryFigures {
  trips: RoundTrips;
  /** By `previous -> next` activity type, in the order first seen. */
  transitions: Map<string, Transition>;
  /** Workflow ID → when its first activity started (ms). */
  firstStarted: Map<string, number>;
}

function toMs(t: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  if (!t) return NaN;
  const s = t.seconds as number | { toNumber(): number } | null | undefined;
  return (typeof s === 'number' ? s : s ? s.toNumber() : 0) * 1000 + (t.nanos ?? 0) / 1e6;
}

/**
 * From each workflow's history: its round trips with the engine (workflow tasks + activity tasks,
 * attempts included, + local-activity markers) averaged, and the gaps between its activities.
 */
async function readHistories(client: Client, workflowIds: string[]): Promise<HistoryFigures> {
  const sums = { workflowTasks: 0, activityTasks: 0, markers: 0 };
  const transitions = new Map<string, Transition>();
  const firstStarted = new Map<string, number>();
  let next = 0;
  let counted = 0;
  const reader = async () => {
    while (next < workflowIds.length) {
      const id = workflowIds[next++];
      const history = await client.workflow.getHandle(id).fetchHistory().catch(() => null);
      if (!history) continue;
      counted++;
      const activities = new Map<number, { name: string; scheduled: number; started: number; closed: number }>();
      for (const e of history.events ?? []) {
        const at = toMs(e.eventTime);
        const eventId = Number(e.eventId);
        if (e.workflowTaskStartedEventAttributes) sums.workflowTasks++;
        else if (e.markerRecordedEventAttributes) sums.markers++;
        else if (e.activityTaskScheduledEventAttributes) {
          activities.set(eventId, { name: e.activityTaskScheduledEventAttributes.activityType?.name ?? '?', scheduled: at, started: NaN, closed: NaN });
        } else if (e.activityTaskStartedEventAttributes) {
          // Only an activity's last attempt is recorded as started; its attempt number counts the rest.
          sums.activityTasks += e.activityTaskStartedEventAttributes.attempt || 1;
          const a = activities.get(Number(e.activityTaskStartedEventAttributes.scheduledEventId));
          if (a) a.started = at;
        } else {
          const closed =
            e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes ?? e.activityTaskCanceledEventAttributes;
          const a = closed && activities.get(Number(closed.scheduledEventId));
          if (a) a.closed = at;
        }
      }
      const ordered = [...activities.entries()].sort((x, y) => x[0] - y[0]).map(([, a]) => a);
      if (ordered[0] && Number.isFinite(ordered[0].started)) firstStarted.set(id, ordered[0].started);
      for (let i = 1; i < ordered.length; i++) {
        const [prev, cur] = [ordered[i - 1], ordered[i]];
        if (![prev.closed, cur.scheduled, cur.started].every(Number.isFinite)) continue;
        const key = `${prev.name} -> ${cur.name}`;
        const t = transitions.get(key) ?? { gap: [], workflowTask: [], queue: [] };
        t.gap.push((cur.started - prev.closed) / 1000);
        t.workflowTask.push((cur.scheduled - prev.closed) / 1000);
        t.queue.push((cur.started - cur.scheduled) / 1000);
        transitions.set(key, t);
      }
    }
  };
  await Promise.all(Array.from({ length: 10 }, reader));
  const d = Math.max(1, counted);
  const r = { workflowTasks: sums.workflowTasks / d, activityTasks: sums.activityTasks / d, markers: sums.markers / d };
  return { trips: { ...r, total: r.workflowTasks + r.activityTasks + r.markers }, transitions, firstStarted };
}

function describeTrips(t: RoundTrips): string {
  return `${t.total.toFixed(1)} (workflow tasks ${t.workflowTasks.toFixed(1)} + activity tasks ${t.activityTasks.toFixed(1)} + local-activity markers ${t.markers.toFixed(1)})`;
}

/** Rows: for each transition between activities, the gap and what it is made of. */
function transitionRows(prefix: string, transitions: Map<string, Transition>): [string, string][] {
  const p2 = (v: number[]) => `${percentile(v, 50).toFixed(2)}/${percentile(v, 99).toFixed(2)}`;
  return [...transitions].map(([key, t]) => [`${prefix}${key}`, `${p2(t.gap)} s (workflow task ${p2(t.workflowTask)}, task-queue wait ${p2(t.queue)})`]);
}

// ---------------------------------------------------------------- CPU of the stack

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** utime + stime of a process (all its threads), in clock ticks; null once it is gone. */
function cpuTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

function pgrep(args: string[]): number[] {
  try {
    return execFileSync('pgrep', args, { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number).filter((p) => p !== process.pid);
  } catch {
    return [];
  }
}

/** The process listening on a local TCP port (found through /proc/net/tcp* and the processes' sockets). */
function listeningPid(port: number): number | null {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A') continue; // 0A: LISTEN
      if (parseInt(cols[1].split(':')[1], 16) === port) inodes.add(cols[9]);
    }
  }
  if (inodes.size === 0) return null;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${entry}/fd/${fd}`));
        if (m && inodes.has(m[1])) return Number(entry);
      } catch {
        // fd closed meanwhile
      }
    }
  }
  return null;
}

interface StackProcesses {
  ferretdb: number[];
  temporal: number[];
  postgres: number[];
  bench: number[];
  /** What the FerretDB process stores into, from its command line. */
  store: string;
}

function portOf(uriOrAddress: string, fallback: number): number {
  const m = /:(\d+)(?:[/?]|$)/.exec(uriOrAddress.replace(/^[a-z+]+:\/\//, '').split('/')[0] + '/');
  return m ? Number(m[1]) : fallback;
}

function findStack(mongodbUri: string, temporalAddress: string): StackProcesses {
  const root = path.resolve(__dirname, '..', '..');
  let ferretdb = listeningPid(portOf(mongodbUri, 27017));
  if (ferretdb === null) {
    try {
      const pid = Number(readFileSync(path.join(root, '.data/run/ferretdb.pid'), 'utf8').trim());
      if (cpuTicks(pid) !== null) ferretdb = pid;
    } catch {
      // no pid file
    }
  }
  const ferretdbPids = ferretdb !== null ? [ferretdb] : pgrep(['-f', 'wfw-ferretdb']);
  const temporal = listeningPid(portOf(temporalAddress, 7233));
  const temporalPids = temporal !== null ? [temporal] : pgrep(['-f', 'temporal server start-dev']);
  const line = ferretdbPids.map(cmdline).join(' ');
  let handler = /--handler[= ](\S+)/.exec(line)?.[1] ?? 'auto';
  if (handler === 'auto') {
    // The launcher picks PostgreSQL when it answers and writes down which it chose.
    const file = /--backend-file[= ](\S+)/.exec(line)?.[1];
    try {
      handler = file ? `${readFileSync(file, 'utf8').trim()}, chosen by --handler auto` : 'auto';
    } catch {
      handler = 'auto';
    }
  }
  // Unknown backend: count PostgreSQL if it runs at all rather than miss it.
  const onPostgres = handler.startsWith('postgres') || (handler === 'auto' && pgrep(['-x', 'postgres']).length > 0);
  return {
    ferretdb: ferretdbPids,
    temporal: temporalPids,
    postgres: onPostgres ? pgrep(['-x', 'postgres']) : [],
    bench: [process.pid],
    store: ferretdbPids.length ? `FerretDB (${handler}, pid ${ferretdbPids.join(',')})` : 'a MongoDB-wire server not found among local processes',
  };
}

interface IdleSample {
  seconds: number;
  /** % of one core, by process group. */
  percent: Record<'ferretdb' | 'temporal' | 'postgres' | 'bench', number | null>;
  total: number;
  commands: CommandCounts;
}

const CPU_GROUPS = ['ferretdb', 'temporal', 'postgres', 'bench'] as const;

/** CPU time of the stack's processes from now until `end()`, as % of one core per group. */
function cpuWindow(mongodbUri: string, temporalAddress: string, tick: number): { end(): { seconds: number; percent: IdleSample['percent']; total: number } } {
  const stack = findStack(mongodbUri, temporalAddress);
  const read = () => {
    const out: Record<string, Map<number, number>> = {};
    for (const g of CPU_GROUPS) {
      // Postgres forks a process per connection: re-list them at each end.
      const pids = g === 'postgres' && stack.postgres.length ? pgrep(['-x', 'postgres']) : stack[g];
      out[g] = new Map(pids.map((p) => [p, cpuTicks(p)]).filter((e): e is [number, number] => e[1] !== null));
    }
    return out;
  };
  const before = read();
  const t0 = process.hrtime.bigint();
  return {
    end() {
      const after = read();
      const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
      const percent = {} as IdleSample['percent'];
      let total = 0;
      for (const g of CPU_GROUPS) {
        if (after[g].size === 0 && before[g].size === 0) {
          percent[g] = null;
          continue;
        }
        let ticks = 0;
        // A process that appeared in the window counts from zero; one that ended loses its share.
        for (const [pid, t] of after[g]) ticks += t - (before[g].get(pid) ?? 0);
        percent[g] = (ticks / tick / elapsed) * 100;
        total += percent[g]!;
      }
      return { seconds: elapsed, percent, total };
    },
  };
}

async function sampleIdle(seconds: number, mongodbUri: string, temporalAddress: string, counter: CommandCounter, tick: number): Promise<IdleSample> {
  const commandsBefore = counter.snapshot();
  const window = cpuWindow(mongodbUri, temporalAddress, tick);
  await sleep(seconds * 1000);
  return { ...window.end(), commands: counter.since(commandsBefore) };
}

// ---------------------------------------------------------------- one round

function temporalStateSize(): string {
  try {
    return `${(statSync(path.join(__dirname, '../../.data/temporal.db')).size / 1e6).toFixed(0)} MB (a fresh one: bash infra/scripts/infra-down.sh; rm .data/temporal.db*)`;
  } catch {
    return 'not here (another server)';
  }
}

interface RoundResult {
  storedExtra: number;
  storedAgents: number;
  soloMs: number;
  /** CPU of the whole stack per agent during the batch, and per workflow during the bare run (core-milliseconds). */
  batchCoreMs: number;
  bareCoreMs: number;
  soloCommands: CommandCounts;
  soloTrips: RoundTrips;
  batchMs: number;
  batchCommands: CommandCounts;
  batchTrips: RoundTrips;
  failures: number;
  failureCodes: string;
  bareMs: number;
  bareTrips: RoundTrips;
  idle: IdleSample;
  /** Rows PostgreSQL read for the bench database: per solo agent, in the batch, while idle. */
  pgSolo: ReadsDelta | null;
  pgBatch: ReadsDelta | null;
  pgIdle: ReadsDelta | null;
}

/** Progress on stderr, so a long round shows it is alive; the figures go to stdout. */
function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function pctOf(v: number | null): string {
  return v === null ? 'n/a' : `${v.toFixed(0)}%`;
}

function fmtS(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function pp(values: number[]): string {
  return values.length ? `${percentile(values, 50).toFixed(2)} s / ${percentile(values, 99).toFixed(2)} s` : 'n/a';
}

type StepTimes = Record<string, { started_at: Date | null; completed_at: Date | null } | undefined>;

async function main(): Promise<void> {
  // Our own signal handling (below) instead of the SDK's graceful worker shutdown.
  Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
  const base = loadConfig({ ...process.env, WFW_ALLOW_PRIVATE_NETWORKS: '1' });
  const dbName = `wfwbench_${randomBytes(4).toString('hex')}`;
  const mongodbUri = base.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/${dbName}$1`);
  const taskQueue = `bench-${randomBytes(4).toString('hex')}`;
  const config = { ...base, mongodbUri, localPlatformLatencyMs: PLATFORM_LATENCY_MS, temporal: { ...base.temporal, taskQueue } };
  const logger = createLogger('warn', 'bench');
  const tick = clockTicks();

  // The core's own connection, as connectDatabase opens it plus command monitoring: what the
  // core sends is counted. The bench's own reads and the seeding go through a second one.
  const db = mongoose.createConnection(mongodbUri, { serverSelectionTimeoutMS: 5000, retryWrites: false, autoIndex: false, monitorCommands: true });
  await db.asPromise();
  const counter = new CommandCounter(db);
  const observerDb = await connectDatabase(mongodbUri);
  // Interrupted: the bench database goes all the same (unless kept), without waiting for the batch.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      progress(`${signal}: ${KEEP_DB ? 'keeping' : 'dropping'} ${dbName} and exiting`);
      void (KEEP_DB ? Promise.resolve() : observerDb.dropDatabase())
        .catch(() => undefined)
        .finally(() => process.exit(130));
    });
  }
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const driftSchedules = new TemporalKbDriftSchedules(client, taskQueue);
  const core = createCore(config, db, logger, {
    workflows: new TemporalAgentWorkflows(client, taskQueue),
    webhookWorkflows: new TemporalWebhookWorkflows(client, taskQueue, config.webhooks),
    // As the worker wires it (core/bootstrap.ts): activation creates each agent's drift schedule.
    ...(NO_DRIFT ? {} : { kbDriftSchedules: driftSchedules }),
  });
  const observer: Pick<Core, 'models' | 'connection'> = createCore(config, observerDb, logger);
  await core.ensureIndexes();
  const site = await serveBusinessSite({ latencyMs: SITE_LATENCY_MS });
  const native = await NativeConnection.connect({ address: config.temporal.address });

  const worker = await Worker.create({
    connection: native,
    namespace: config.temporal.namespace,
    taskQueue,
    workflowsPath: require.resolve('../workflows'),
    activities: createActivities(core),
    ...WORKER_TUNING,
  });
  const bareQueue = `${taskQueue}-bare`;
  // The bare worker runs only during its phase, so the idle figures are the product's stack alone.
  const bareBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./bench-workflows'), logger: new DefaultLogger('ERROR') });
  const runBare = async <T>(body: () => Promise<T>): Promise<T> => {
    const bare = await Worker.create({ connection: native, namespace: config.temporal.namespace, taskQueue: bareQueue, workflowBundle: bareBundle, activities: { noop: async () => undefined }, ...WORKER_TUNING });
    const run = bare.run();
    try {
      return await body();
    } finally {
      bare.shutdown();
      await run;
    }
  };
  const running = [worker.run()];
  // What the real worker runs beside its pollers: measured during the batches and while idle.
  const stopBackground = startWorkerLoops(core, logger);

  const stack = findStack(mongodbUri, config.temporal.address);
  const pg = PostgresTableReads.open(process.env.FERRETDB_POSTGRESQL_URL, dbName, stack.postgres.length > 0);
  printReport('provision-batch benchmark: setup', [
    ['database', `${mongodbUri.replace(/\/[^/]*$/, '')}/${dbName}${KEEP_DB ? ' (kept: BENCH_KEEP_DB=1)' : ' (dropped at the end)'}`],
    ['store', stack.store],
    ['Temporal', `${config.temporal.address}${stack.temporal.length ? ` (pid ${stack.temporal.join(',')})` : ''}`],
    // The dev server slows as its state grows (measured: 130 MB of test histories halved the bare engine's rate).
    ['Temporal dev-server state (.data/temporal.db)', temporalStateSize()],
    ['agents in batch (BENCH_AGENTS)', String(AGENTS)],
    ['business site latency per request (BENCH_SITE_LATENCY_MS)', `${SITE_LATENCY_MS} ms`],
    ['local platform latency per call (BENCH_PLATFORM_LATENCY_MS)', `${PLATFORM_LATENCY_MS} ms`],
    ['stored extra agents per round (BENCH_SEED_STEPS)', SEED_STEPS.join(', ')],
    ['idle window (BENCH_IDLE_SECONDS)', `${IDLE_SECONDS} s`],
    ['settle before idle (BENCH_SETTLE_SECONDS)', `${SETTLE_SECONDS} s`],
    ['drift Schedules at activation (BENCH_NO_DRIFT)', NO_DRIFT ? 'off' : 'on, as the worker'],
    ['bench process runs', 'agent + bare Temporal workers, worker/background-services.ts loops'],
  ]);

  const results: RoundResult[] = [];
  let seeded = 0;
  /** Every agent the rounds provisioned (their drift schedules go at the end). */
  const benchAgents: string[] = [];
  try {
    const account = await core.accounts.create('bench');
    const payload = { name: 'Bench Dental', platform: 'local' as const, business_url: site.url, template_id: 'dental_receptionist', language: 'en' };

    /**
     * Waits on the workflows (a Temporal long poll, no database polling), then reads the
     * operations, each by `_id`: a `$in` over them is a scan of every stored operation on FerretDB
     * (it is not pushed down), which made the bench itself slower the more agents were seeded.
     */
    const readOps = (ids: string[]) => findByIds(observer.models.operations, ids);
    const waitAll = async (ids: string[]): Promise<OperationDoc[]> => {
      await Promise.all(ids.map((id) => client.workflow.getHandle(id).result().catch(() => undefined)));
      // An operation whose workflow never started is left to the reconciler: give it a bounded while.
      for (let waited = 0; ; waited += 1000) {
        const ops = await readOps(ids);
        if (waited >= 60_000 || (ops.length === ids.length && ops.every((o) => o.status !== 'pending' && o.status !== 'running'))) return ops;
        await sleep(1000);
      }
    };

    for (const target of SEED_STEPS) {
      if (target > seeded) {
        // In a process of its own, as an operator would load data: seeding 100k documents inside
        // the measuring process left it (its heap, its connections) slower for the rounds after.
        const started = Date.now();
        const out = execFileSync(process.execPath, [path.join(__dirname, 'seed-data.js'), '--agents', String(target - seeded), '--db', dbName], { encoding: 'utf8', env: { ...process.env, MONGODB_URI: mongodbUri } });
        process.stdout.write(`\n${out.split('\n')[0]} (${((Date.now() - started) / 1000).toFixed(1)} s with process start)\n`);
        seeded = target;
        await sleep(2000);
      }
      const storedAgents = await observer.models.agents.estimatedDocumentCount();

      // One agent alone: the floor any batch is compared with. The median of three, one after
      // another, so a single slow start (a cold cache after seeding) does not set the ratio.
      let before = counter.snapshot();
      let pgBefore = pg?.snapshot();
      const soloRuns: { ms: number; op: OperationDoc | undefined; id: string }[] = [];
      for (let i = 0; i < SOLO_RUNS; i++) {
        const soloStart = Date.now();
        const solo = await origins.run(ACCEPT, () => core.provisioning.provision(account.id, { ...payload, name: `Bench solo ${i}` }));
        const [op] = await waitAll([solo.operation_id]);
        soloRuns.push({ ms: Date.now() - soloStart, op, id: solo.operation_id });
      }
      const soloMedian = [...soloRuns].sort((a, b) => a.ms - b.ms)[Math.floor(SOLO_RUNS / 2)];
      const soloMs = soloMedian.ms;
      const soloOp = soloMedian.op;
      const soloCommands = scaleCounts(counter.since(before), SOLO_RUNS);
      const pgSolo = pg && pgBefore ? pg.since(pgBefore) : null;
      const soloTrips = (await readHistories(client, [soloMedian.id])).trips;
      progress(`${target} stored: one agent ${soloRuns.map((r) => fmtS(r.ms)).join(', ')} (median ${fmtS(soloMs)}); batch of ${AGENTS} running`);

      before = counter.snapshot();
      pgBefore = pg?.snapshot();
      const batchCpu = cpuWindow(mongodbUri, config.temporal.address, tick);
      const batchStart = Date.now();
      const batch = await origins.run(ACCEPT, () =>
        core.provisioning.provisionBatch(account.id, Array.from({ length: AGENTS }, (_, i) => ({ payload: { ...payload, name: `Bench ${i}` } }))),
      );
      const ops = await waitAll(batch.operation_ids);
      benchAgents.push(...ops.map((o) => o.agent_id), ...soloRuns.map((r) => r.op?.agent_id).filter((a): a is string => !!a));
      const batchMs = Date.now() - batchStart;
      const batchCpuUse = batchCpu.end();
      const batchCommands = counter.since(before);
      const pgBatch = pg && pgBefore ? pg.since(pgBefore) : null;
      const batchHistory = await readHistories(client, batch.operation_ids);
      const batchTrips = batchHistory.trips;
      progress(`${target} stored: batch ${fmtS(batchMs)}; bare workflows running`);

      // Failures: operations not `active`, and items the batch refused to accept.
      const codes = new Map<string, { n: number; steps: Map<string, number>; sample: string }>();
      for (const o of ops.filter((o) => o.status !== 'active')) {
        const code = o.error?.code ?? `status ${o.status}`;
        const c = codes.get(code) ?? { n: 0, steps: new Map(), sample: o.error?.message ?? '' };
        c.n++;
        const step = o.error?.step ?? o.step ?? '?';
        c.steps.set(step, (c.steps.get(step) ?? 0) + 1);
        codes.set(code, c);
      }
      for (const r of batch.rejected) {
        const c = codes.get(`rejected ${r.error.code}`) ?? { n: 0, steps: new Map(), sample: r.error.message };
        c.n++;
        codes.set(`rejected ${r.error.code}`, c);
      }
      const failures = [...codes.values()].reduce((a, c) => a + c.n, 0) + (AGENTS - ops.length - batch.rejected.length);
      const failureCodes = [...codes].map(([code, c]) => `${code} x${c.n}${c.steps.size ? ` (${[...c.steps].map(([s, n]) => `${s} ${n}`).join(', ')})` : ''}`).join('; ');

      const bareIds = Array.from({ length: AGENTS }, (_, i) => `${bareQueue}-${target}-${i}`);
      // Timed once its worker polls, as the provisioning worker already does.
      let bareCpuUse: ReturnType<ReturnType<typeof cpuWindow>['end']> | undefined;
      const bareMs = await runBare(async () => {
        const bareCpu = cpuWindow(mongodbUri, config.temporal.address, tick);
        const started = Date.now();
        await Promise.all(bareIds.map((workflowId) => client.workflow.execute('bareWorkflow', { taskQueue: bareQueue, workflowId, args: [ACTIVITIES_PER_AGENT] })));
        const ms = Date.now() - started;
        bareCpuUse = bareCpu.end();
        return ms;
      });
      const bareHistory = await readHistories(client, bareIds);
      const bareTrips = bareHistory.trips;

      const provisionRate = AGENTS / (batchMs / 1000);
      const bareRate = AGENTS / (bareMs / 1000);
      // CPU time of the whole stack per agent: steadier than wall time from run to run and machine to machine.
      const coreMs = (use: { seconds: number; total: number } | undefined) => (use ? (use.total / 100) * use.seconds * 1000 / AGENTS : NaN);
      const batchCoreMs = coreMs(batchCpuUse);
      const bareCoreMs = coreMs(bareCpuUse);
      const perOp = ops.filter((o) => o.completed_at).map((o) => (o.completed_at!.getTime() - o.created_at.getTime()) / 1000);
      const rows: [string, string][] = [
        ['stored agents (seeded extra)', `${storedAgents} (${target})`],
        [`one agent alone, wall (median of ${SOLO_RUNS})`, `${fmtS(soloMs)} (${soloOp?.status ?? 'missing'}; runs ${soloRuns.map((r) => fmtS(r.ms)).join(', ')})`],
        ['  its DB commands (mean)', perAgent(soloCommands, 1)],
        ['  rows PostgreSQL read for it (mean)', describeReads(pgSolo, SOLO_RUNS, '/agent')],
        ['  its engine round trips', describeTrips(soloTrips)],
        [`batch of ${AGENTS}, wall`, fmtS(batchMs)],
        [`batch / one agent (target <= ${TARGETS.batchPerOne}, stretch ${TARGETS.batchPerOneStretch})`, (batchMs / soloMs).toFixed(2)],
        ['batch throughput', `${provisionRate.toFixed(2)} agents/s`],
        [`bare engine: ${AGENTS} workflows x ${ACTIVITIES_PER_AGENT} no-op activities, wall`, fmtS(bareMs)],
        ['bare engine throughput', `${bareRate.toFixed(2)} workflows/s`],
        ['  bare engine round trips per workflow', describeTrips(bareTrips)],
        ...transitionRows('  bare engine gap ', new Map([...bareHistory.transitions].slice(0, 1))),
        [`provisioning / bare throughput (target >= ${TARGETS.bareRatio})`, (provisionRate / bareRate).toFixed(2)],
        [
          'CPU of the stack per agent, core-ms (batch / bare workflow)',
          `${batchCoreMs.toFixed(0)} / ${bareCoreMs.toFixed(0)} (bare / provisioning ${(bareCoreMs / batchCoreMs).toFixed(2)}; bare CPU ${bareCpuUse ? `${bareCpuUse.total.toFixed(0)}%: bench ${pctOf(bareCpuUse.percent.bench)}, Temporal ${pctOf(bareCpuUse.percent.temporal)}` : '?'})`,
        ],
        ['DB commands per agent in the batch', perAgent(batchCommands, AGENTS)],
        ['  by origin, per agent (w = writes, r = reads)', byOrigin(batchCommands, AGENTS)],
        ...Object.entries(batchCommands.detail)
          .sort((a, b) => a[0].localeCompare(b[0]))
          .map(([k, n]): [string, string] => [`    ${k}`, (n / AGENTS).toFixed(2)]),
        [
          'CPU during the batch, % of one core (2 cores = 200%)',
          `total ${batchCpuUse.total.toFixed(0)}%: bench process (worker + bench) ${pctOf(batchCpuUse.percent.bench)}, Temporal ${pctOf(batchCpuUse.percent.temporal)}, FerretDB ${pctOf(batchCpuUse.percent.ferretdb)}, PostgreSQL ${pctOf(batchCpuUse.percent.postgres)}`,
        ],
        ['rows PostgreSQL read per agent in the batch', describeReads(pgBatch, AGENTS, '/agent')],
        ['  by command (batch total)', Object.entries(batchCommands.byName).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')],
        ['engine round trips per agent', describeTrips(batchTrips)],
        ['failed operations (target 0)', failures ? `${failures}: ${failureCodes}` : '0'],
        ...[...codes].map(([code, c]): [string, string] => [`  ${code} message`, c.sample.replace(/\s+/g, ' ').slice(0, 160)]),
        ['per-operation p50 / p99', pp(perOp)],
      ];
      // Where the time goes: each step (operation documents), and the waits between steps (histories).
      for (const step of STEPS) {
        const durations = ops
          .map((o) => (o.steps as unknown as StepTimes)[step])
          .filter((s) => s?.started_at && s?.completed_at)
          .map((s) => (s!.completed_at!.getTime() - s!.started_at!.getTime()) / 1000);
        if (durations.length) rows.push([`  step ${step} p50 / p99`, pp(durations)]);
      }
      const accepted = ops.filter((o) => batchHistory.firstStarted.has(o._id)).map((o) => (batchHistory.firstStarted.get(o._id)! - o.created_at.getTime()) / 1000);
      rows.push(['queueing: operation accepted -> first activity started p50 / p99', pp(accepted)]);
      rows.push(['queueing between steps p50/p99: previous activity closed -> next started', '']);
      rows.push(...transitionRows('  ', batchHistory.transitions));
      const perOpQueue = ops.map((o) => {
        const first = batchHistory.firstStarted.get(o._id);
        return first === undefined ? 0 : (first - o.created_at.getTime()) / 1000;
      });
      // Summed per operation: accepted → first plus every gap (sums of percentiles would mislead).
      const gapSum = [...batchHistory.transitions.values()].reduce((a, t) => a + t.gap.reduce((x, y) => x + y, 0), 0);
      rows.push(['  queueing per operation, mean of the sum', `${((perOpQueue.reduce((a, b) => a + b, 0) + gapSum) / Math.max(1, ops.length)).toFixed(2)} s`]);

      // Idle: nothing requested; the background loops keep running in this process. The seeding's
      // and the batch's writes are flushed first: a checkpoint they requested is their cost, not idle's.
      const checkpointed = pg?.checkpoint() ?? false;
      await sleep(SETTLE_SECONDS * 1000);
      pgBefore = pg?.snapshot();
      const idle = await sampleIdle(IDLE_SECONDS, mongodbUri, config.temporal.address, counter, tick);
      const pgIdle = pg && pgBefore ? pg.since(pgBefore) : null;
      const pct = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(1)}%`);
      rows.push([
        `idle CPU over ${idle.seconds.toFixed(0)} s, ${SETTLE_SECONDS} s after the round${checkpointed ? ' and a CHECKPOINT' : ''}, % of one core (target < ${TARGETS.idlePercent}%)`,
        `total ${idle.total.toFixed(1)}%: FerretDB ${pct(idle.percent.ferretdb)}, Temporal ${pct(idle.percent.temporal)}, PostgreSQL ${pct(idle.percent.postgres)}, bench/worker loops ${pct(idle.percent.bench)}`,
      ]);
      rows.push(['  idle DB commands (worker loops)', `${(idle.commands.reads / idle.seconds).toFixed(1)} reads/s, ${(idle.commands.writes / idle.seconds).toFixed(1)} writes/s`]);
      rows.push(['  idle rows PostgreSQL read for the bench database', describeReads(pgIdle, idle.seconds, '/s')]);
      progress(`${target} stored: round done`);
      printReport(`provision-batch benchmark, round with ${target} stored extra agents`, rows);

      results.push({ storedExtra: target, storedAgents, soloMs, soloCommands, soloTrips, batchMs, batchCommands, batchTrips, failures, failureCodes, bareMs, bareTrips, idle, pgSolo, pgBatch, pgIdle, batchCoreMs, bareCoreMs });
    }

    const empty = results[0];
    const mark = (ok: boolean) => (ok ? ' ok' : ' MISS');
    printTable(
      `provision-batch benchmark: summary (${new Date().toISOString()}; ${AGENTS} agents, site ${SITE_LATENCY_MS} ms, platform ${PLATFORM_LATENCY_MS} ms; ${stack.store})`,
      ['stored agents', 'one agent', 'batch wall', 'batch/one', 'agents/s', 'bare wf/s', 'to bare', 'writes/agent', 'reads/agent*', 'round trips/agent', 'PG rows/agent', 'core-ms/agent (bare)', 'failures', 'vs empty', 'idle CPU'],
      [
        ['target', '', '', `<= ${TARGETS.batchPerOne} (${TARGETS.batchPerOneStretch})`, '', '', `>= ${TARGETS.bareRatio}`, '', '', '', '', '', '0', `<= ${TARGETS.vsEmpty.toFixed(2)}`, `< ${TARGETS.idlePercent}%`],
        ...results.map((r) => {
          const rate = AGENTS / (r.batchMs / 1000);
          const bare = AGENTS / (r.bareMs / 1000);
          const ratio = r.batchMs / r.soloMs;
          const vsEmpty = r.batchMs / empty.batchMs;
          return [
            `${r.storedAgents} (+${r.storedExtra})`,
            fmtS(r.soloMs),
            fmtS(r.batchMs),
            ratio.toFixed(2) + mark(ratio <= TARGETS.batchPerOne),
            rate.toFixed(2),
            bare.toFixed(2),
            (rate / bare).toFixed(2) + mark(rate / bare >= TARGETS.bareRatio),
            (r.batchCommands.writes / AGENTS).toFixed(1),
            ((r.batchCommands.reads - r.batchCommands.loopReads) / AGENTS).toFixed(1),
            r.batchTrips.total.toFixed(1),
            r.pgBatch ? (r.pgBatch.rows / AGENTS).toFixed(1) : 'n/a',
            `${r.batchCoreMs.toFixed(0)} (${r.bareCoreMs.toFixed(0)})`,
            String(r.failures) + mark(r.failures === 0),
            r === empty ? '1.00' : vsEmpty.toFixed(2) + mark(vsEmpty <= TARGETS.vsEmpty),
            `${r.idle.total.toFixed(1)}%` + mark(r.idle.total < TARGETS.idlePercent),
          ];
        }),
      ],
    );
    const pct = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(1)}%`);
    printTable(
      `idle CPU after each round, % of one core over ${IDLE_SECONDS} s, nothing requested (target: total < ${TARGETS.idlePercent}%)`,
      ['stored agents', 'FerretDB', 'Temporal', 'PostgreSQL', 'bench (worker loops)', 'total', 'idle DB reads/s', 'idle DB writes/s', 'idle PG rows/s'],
      results.map((r) => [
        String(r.storedAgents),
        pct(r.idle.percent.ferretdb),
        pct(r.idle.percent.temporal),
        pct(r.idle.percent.postgres),
        pct(r.idle.percent.bench),
        `${r.idle.total.toFixed(1)}%`,
        (r.idle.commands.reads / r.idle.seconds).toFixed(1),
        (r.idle.commands.writes / r.idle.seconds).toFixed(1),
        r.pgIdle ? (r.pgIdle.rows / r.idle.seconds).toFixed(1) : 'n/a',
      ]),
    );
    process.stdout.write(
      '\n  Shared services: the Temporal server and FerretDB also serve whoever else uses them on this machine; their idle figures include that.\n' +
        '  DB commands are those the core (activities, provisioning service, worker loops) sent on its connection during the window; the bench\'s own reads are not counted.\n' +
        '  PG rows: rows PostgreSQL read (sequential scans plus index fetches) for the bench database alone (pg_stat_user_tables): what a query costs the store, untouched by other users of the machine.\n' +
        '  writes/agent includes the worker loops\' writes (outbox relay marking events); * reads/agent leaves out the loops\' polling, which grows with the window, not with agents (see each round).\n',
    );
  } finally {
    // The drift schedules its agents got would fire weekly on a task queue nobody polls.
    await mapLimit(benchAgents, 16, (id) => driftSchedules.remove(id).catch(() => undefined));
    stopBackground();
    worker.shutdown();
    await Promise.allSettled(running);
    await site.close();
    if (!KEEP_DB) await observerDb.dropDatabase().catch(() => undefined);
    await observerDb.close();
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
