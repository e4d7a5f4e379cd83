import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { WORKFLOW_BUNDLE } from './workflow-bundle-path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, DefaultLogger } from '@temporalio/worker';
import { ActivityOverrides, createActivities } from '../../activities';
import { createApi } from '../../api/app';
import { createCore, Core, CoreAdapters } from '../../core/composition-root';
import { Config, loadConfig } from '../../core/config/config';
import { pingDatabase } from '../../core/db/database';
import { TemporalAgentWorkflows } from '../../core/temporal/agent-workflow-client';
import { TemporalCallWorkflows } from '../../core/temporal/call-workflow-client';
import { TemporalWebhookWorkflows } from '../../core/temporal/webhook-workflow-client';
import { TemporalKbDriftSchedules } from '../../core/temporal/kb-drift-schedules';
import { createTestDatabase, TestDatabase } from './test-database';
import { createTestAccount, TestAccount } from './test-account';
import { testLogger } from './test-logger';
import { freePort } from './processes';

let runtimeInstalled = false;
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger((process.env.WFW_TEST_LOG_LEVEL?.toUpperCase() as 'WARN') ?? 'WARN') });
  } catch {
    // already installed by another harness in this process
  }
}

export const TEMPORAL_ADDRESS = process.env.TEMPORAL_ADDRESS ?? `127.0.0.1:${process.env.WFW_TEMPORAL_PORT ?? 7233}`;
export { WORKFLOW_BUNDLE };

export interface Stack {
  baseUrl: string;
  core: Core;
  db: TestDatabase;
  client: Client;
  taskQueue: string;
  config: Config;
  /** Runs a worker in this process until stopWorker(). */
  startWorker(): Promise<void>;
  /** The same, with some provider adapters swapped (composition, not module mocks). */
  startWorkerWith(overrides: ActivityOverrides): Promise<void>;
  stopWorker(): Promise<void>;
  createAccount(name?: string): Promise<TestAccount>;
  close(): Promise<void>;
}

/**
 * The product for one test file: an API on a random port, a worker on a task queue of its own,
 * the real Temporal server and a fresh database on the real FerretDB.
 */
export async function startStack(options: { label: string; config?: Partial<Config>; adapters?: Partial<CoreAdapters>; worker?: boolean; activityOverrides?: ActivityOverrides }): Promise<Stack> {
  quietRuntime();
  const db = await createTestDatabase(options.label);
  const taskQueue = `test-${options.label}-${randomBytes(4).toString('hex')}`;
  // The port is known before the core is built: the worker's local platform posts its call
  // notifications to this API (config.apiInternalUrl), as it does in production.
  const port = await freePort();
  const config: Config = {
    ...loadConfig({ WFW_ALLOW_PRIVATE_NETWORKS: '1' }),
    mongodbUri: db.uri,
    port,
    apiInternalUrl: `http://127.0.0.1:${port}`,
    ...options.config,
    temporal: { address: TEMPORAL_ADDRESS, namespace: 'default', taskQueue },
  };
  const connection = await Connection.connect({ address: TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: 'default' });
  // Schedules outlive the test's database and task queue on the shared dev server: the ones this
  // stack made are removed when it closes, so runs do not pile up weekly workflows nobody polls.
  const driftSchedules = new TemporalKbDriftSchedules(client, taskQueue);
  const scheduled = new Set<string>();
  const core = createCore(config, db.connection, testLogger(), {
    workflows: new TemporalAgentWorkflows(client, taskQueue),
    webhookWorkflows: new TemporalWebhookWorkflows(client, taskQueue, config.webhooks),
    callWorkflows: new TemporalCallWorkflows(client, taskQueue),
    kbDriftSchedules: {
      apply: (input) => (scheduled.add(input.agentId), driftSchedules.apply(input)),
      remove: (agentId) => driftSchedules.remove(agentId),
    },
    ...options.adapters,
  });
  await core.ensureIndexes();

  const { app } = createApi({ core, probes: [{ name: 'database', check: () => pingDatabase(db.connection) }] });
  const server: Server = app.listen(port, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let nativeConnection: NativeConnection | undefined;

  const stack: Stack = {
    baseUrl,
    core,
    db,
    client,
    taskQueue,
    config,
    async startWorker() {
      await stack.startWorkerWith(options.activityOverrides ?? {});
    },
    async startWorkerWith(overrides: ActivityOverrides) {
      nativeConnection ??= await NativeConnection.connect({ address: TEMPORAL_ADDRESS });
      worker = await Worker.create({
        connection: nativeConnection,
        namespace: 'default',
        taskQueue,
        workflowBundle: { codePath: WORKFLOW_BUNDLE },
        activities: createActivities(core, overrides),
        maxConcurrentActivityTaskExecutions: 200,
      });
      running = worker.run();
      core.webhookDispatcher.start();
    },
    async stopWorker() {
      core.webhookDispatcher.stop();
      if (!worker) return;
      worker.shutdown();
      await running;
      worker = undefined;
    },
    createAccount: (name?: string) => createTestAccount(core, baseUrl, name),
    async close() {
      await stack.stopWorker();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      core.outbound.close();
      await Promise.allSettled([...scheduled].map((agentId) => driftSchedules.remove(agentId)));
      await nativeConnection?.close();
      await connection.close();
      await db.drop();
    },
  };
  if (options.worker !== false) await stack.startWorker();
  return stack;
}

/** POST /v2/agents on the local platform and wait until the agent is active; its agent ID. */
export async function provisionActiveAgent(baseUrl: string, token: string, payload: { name: string; business_url: string; template_id: string }): Promise<string> {
  const res = await fetch(`${baseUrl}/v2/agents`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ payload: { platform: 'local', ...payload } }) });
  const created = (await res.json()) as { operation_id: string };
  if (res.status !== 202) throw new Error(`POST /v2/agents answered ${res.status}: ${JSON.stringify(created)}`);
  const op = await waitForOperation(baseUrl, token, created.operation_id);
  if (op.status !== 'active') throw new Error(`provisioning ended ${op.status}: ${JSON.stringify(op.error)}`);
  return op.agent_id;
}

/** Polls an operation until it reaches one of the given statuses. */
export async function waitForOperation(baseUrl: string, token: string, operationId: string, statuses: string[] = ['active', 'succeeded', 'failed', 'canceled'], timeoutMs = 45_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: any;
  while (Date.now() < deadline) {
    const res = await fetch(`${baseUrl}/v2/operations/${operationId}`, { headers: { authorization: `Bearer ${token}` } });
    last = await res.json();
    if (statuses.includes(last.status)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`operation ${operationId} did not reach ${statuses.join('/')} in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}
