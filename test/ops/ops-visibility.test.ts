import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { serveBusinessSite, BusinessSite } from '../support/business-site';
import { client } from '../support/http-client';
import { freePort, portOpen } from '../support/processes';
import { startStack, Stack, TEMPORAL_ADDRESS, waitForOperation } from '../support/temporal-harness';
import { createTestAccount, TestAccount } from '../support/test-account';
import { until } from '../support/webhook-receiver';

/**
 * Operations as an operator sees them: the real API and worker processes (dist/, as production
 * runs them) with metrics on ports of their own, and the Temporal CLI an operator would use.
 */
const API_JS = path.join(__dirname, '../../dist/api/server.js');
const WORKER_JS = path.join(__dirname, '../../dist/worker/worker.js');
const TEMPORAL = path.join(__dirname, '../../.tools/bin/temporal');
const CLI_JS = path.join(__dirname, '../../dist/cli/wfw.js');
const run = promisify(execFile);

let stack: Stack;
let site: BusinessSite;
let account: TestAccount;
let apiUrl: string;
let apiMetricsPort: number;
let workerMetricsPort: number;
const children: ChildProcess[] = [];

async function temporal(...args: string[]): Promise<string> {
  const { stdout } = await run(TEMPORAL, [...args, '--address', TEMPORAL_ADDRESS, '--namespace', 'default'], { encoding: 'utf8' });
  return stdout;
}

function spawnProcess(js: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [js], {
    env: { ...process.env, NODE_ENV: 'test', MONGODB_URI: stack.db.uri, TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE: stack.taskQueue, WFW_ALLOW_PRIVATE_NETWORKS: '1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}

async function metrics(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

beforeAll(async () => {
  for (const f of [API_JS, WORKER_JS]) if (!existsSync(f)) throw new Error('dist/ is missing: run `npx tsc -p tsconfig.json` before this test');
  site = await serveBusinessSite();
  // The stack gives a database and a task queue; the API and worker under test are real processes.
  stack = await startStack({ label: 'opsvis', worker: false });
  const port = await freePort();
  apiMetricsPort = await freePort();
  workerMetricsPort = await freePort();
  // The worker's SDK exporter takes the next port too.
  while ((await portOpen(workerMetricsPort + 1)) || workerMetricsPort + 1 === apiMetricsPort) workerMetricsPort = await freePort();
  apiUrl = `http://127.0.0.1:${port}`;
  spawnProcess(API_JS, { PORT: String(port), WFW_METRICS_PORT: String(apiMetricsPort), WFW_METRICS_HOST: '127.0.0.1' });
  spawnProcess(WORKER_JS, { WFW_METRICS_PORT: String(workerMetricsPort), WFW_METRICS_HOST: '127.0.0.1' });
  await until('the API to answer', async () => (await fetch(`${apiUrl}/healthz`).catch(() => null))?.ok === true, 30_000);
  await until('both metrics ports to open', async () => (await portOpen(apiMetricsPort)) && (await portOpen(workerMetricsPort)), 30_000);
  account = await createTestAccount(stack.core, apiUrl, 'Smile Dental Group');
}, 90_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await stack?.close();
  await site?.close();
});

describe('a provisioning, seen from the ops side', () => {
  let operationId: string;
  let agentId: string;
  let idempotencyKey: string;
  const plain0 = (described: unknown) => JSON.stringify(described).replace(/\\n/g, '\n');

  beforeAll(async () => {
    const send = (key: string) => client(apiUrl, account.token).post('/v2/agents', { payload: { name: 'Smile Dental AI', platform: 'local', business_url: site.url, template_id: 'dental_receptionist' } }, { idempotencyKey: key });
    const key = (idempotencyKey = `ops-${Date.now()}`);
    const accepted = await send(key);
    expect(accepted.status).toBe(202);
    // The client's retry: answered from the stored response (counted as an idempotent replay).
    expect((await send(key)).headers.get('idempotent-replayed')).toBe('true');
    operationId = accepted.body.operation_id;
    agentId = accepted.body.agent_id;
    const op = await waitForOperation(apiUrl, account.token, operationId, ['active', 'failed'], 60_000);
    expect(['active', 'failed']).toContain(op.status);
  }, 90_000);

  it("is found by the account's search attribute, with WfwStatus following the operation to its end", async () => {
    // Visibility is eventually consistent: the upsert lands shortly after the workflow closes.
    let found: any[] = [];
    await until(
      'the workflow to be listed with a final WfwStatus',
      async () => {
        found = JSON.parse(await temporal('workflow', 'list', '--query', `WfwAccountId = "${account.accountId}" AND WfwStatus IN ("active", "failed")`, '--output', 'json')) ?? [];
        return found.length > 0;
      },
      30_000,
    );
    expect(found.map((w) => w.execution.workflowId)).toEqual([operationId]);
    const byAgent = JSON.parse(await temporal('workflow', 'list', '--query', `WfwAgentId = "${agentId}" AND WfwOperationType = "agent.provision" AND WfwPlatform = "local"`, '--output', 'json'));
    expect(byAgent.map((w: any) => w.execution.workflowId)).toEqual([operationId]);
  });

  it('carries a human-readable summary, details and a memo', async () => {
    const described = JSON.parse(await temporal('workflow', 'describe', '--workflow-id', operationId, '--output', 'json'));
    const text = JSON.stringify(described);
    expect(text).toContain(`Provision 'Smile Dental AI' · dental_receptionist · local · ${account.accountId}`);
    expect(text).toContain(site.url);
    expect(plain0(described)).toContain(`Idempotency key: ${idempotencyKey}`);
    const plain = await temporal('workflow', 'describe', '--workflow-id', operationId);
    expect(plain).toMatch(/StaticSummary\s+"Provision 'Smile Dental AI'/);
    expect(plain).toMatch(/Memo.*agent_name.*Smile Dental AI/);
    expect(plain).toMatch(/WfwStatus/);
    // Each step's event carries what it does (the activity summary), so the history reads as a story.
    const history = await temporal('workflow', 'show', '--workflow-id', operationId, '--output', 'json');
    const events: { activityTaskScheduledEventAttributes?: unknown; userMetadata?: { summary?: { data: string } } }[] = JSON.parse(history).events;
    const summaries = events.filter((e) => e.activityTaskScheduledEventAttributes && e.userMetadata?.summary).map((e) => JSON.parse(Buffer.from(e.userMetadata!.summary!.data, 'base64').toString('utf8')));
    // The crawl, then both provider steps in one activity (generate and activate are local, undo steps say "Undo: …").
    expect(summaries).toEqual(expect.arrayContaining(['Research the business site (crawl, facts, suggested template)', 'Deploy the agent to the voice platform, then buy or assign a phone number and attach it']));
  });

  it('wfw ops lists, shows and refuses to cancel a finished operation', async () => {
    const env = { ...process.env, MONGODB_URI: stack.db.uri, TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE: stack.taskQueue, LOG_LEVEL: 'warn' };
    const cli = (...args: string[]) => run(process.execPath, [CLI_JS, ...args, '--json'], { env, encoding: 'utf8' });
    const listed = JSON.parse((await cli('ops', 'operations', '--account', account.accountId)).stdout);
    expect(listed).toEqual([expect.objectContaining({ id: operationId, type: 'agent.provision', workflow: { status: 'COMPLETED', wfw_status: 'active' } })]);
    expect(JSON.parse((await cli('ops', 'operations', '--account', account.accountId, '--status', 'failed')).stdout)).toEqual([]);
    const shown = JSON.parse((await cli('ops', 'show', operationId)).stdout);
    expect(shown.operation.id).toBe(operationId);
    expect(shown.workflow).toMatchObject({ workflow_id: operationId, type: 'provisionAgent', search_attributes: { WfwAccountId: account.accountId, WfwStatus: 'active' } });
    expect(shown.workflow.summary).toContain("Provision 'Smile Dental AI'");
    expect(shown.workflow.history).toEqual(expect.arrayContaining(['activity researchBusiness: completed', 'workflow completed']));
    await expect(cli('ops', 'cancel', operationId)).rejects.toMatchObject({ stderr: expect.stringContaining('already active') });
  });

  it('the API serves its request metrics on its metrics port, by route template', async () => {
    const body = await metrics(apiMetricsPort);
    expect(body).toMatch(/wfw_api_requests_total\{method="POST",route="\/v2\/agents",status="202",scope="agents:write"\} 2/);
    expect(body).toMatch(/wfw_api_idempotent_replays_total\{method="POST",route="\/v2\/agents"\} 1/);
    expect(body).toContain('wfw_api_request_duration_seconds_bucket');
    expect(body).toContain('wfw_api_open_event_streams 0');
    expect(body).toContain('# TYPE wfw_api_rate_limited_total counter');
    // Never a raw path with IDs in it.
    expect(body).not.toContain(operationId);
    // And not on the public port.
    expect((await fetch(`${apiUrl}/metrics`)).status).toBe(404);
  });

  it('the worker serves its own metrics and the Temporal SDK runtime metrics together', async () => {
    const body = await metrics(workerMetricsPort);
    expect(body).toMatch(/wfw_worker_operations_total\{type="agent.provision",outcome="(active|failed)"\} 1/);
    expect(body).toMatch(/wfw_worker_step_duration_seconds_count\{activity="researchBusiness",outcome="ok"\} \d+/);
    expect(body).toContain('# TYPE wfw_worker_compensations_total counter');
    expect(body).toContain('# TYPE wfw_worker_webhook_attempts_total counter');
    expect(body).toMatch(/wfw_worker_outbox_lag_seconds \d/);
    // The SDK's own: task slots, poll latency, schedule-to-start.
    expect(body).toMatch(/temporal_worker_task_slots_available/);
    expect(body).toMatch(/temporal_workflow_task_schedule_to_start_latency/);
  });
});
