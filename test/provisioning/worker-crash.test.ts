import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { serveBusinessSite, BusinessSite } from '../support/business-site';
import { client } from '../support/http-client';
import { startStack, Stack, TEMPORAL_ADDRESS, waitForOperation } from '../support/temporal-harness';

const WORKER_JS = path.join(__dirname, '../../dist/worker/worker.js');

let stack: Stack;
let site: BusinessSite;
const children: ChildProcess[] = [];

/** The real worker process (npm run worker), as production runs it, on this test's task queue. */
function spawnWorker(): ChildProcess {
  const child = spawn(process.execPath, [WORKER_JS], {
    env: {
      ...process.env,
      MONGODB_URI: stack.db.uri,
      TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: stack.taskQueue,
      WFW_ALLOW_PRIVATE_NETWORKS: '1',
      // Each platform call takes 2 s, so there is a window to kill the worker inside a step.
      WFW_LOCAL_PLATFORM_LATENCY_MS: '2000',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  return child;
}

beforeAll(async () => {
  if (!existsSync(WORKER_JS)) throw new Error('dist/ is missing: run `npm run build` (npm test does it) before this test');
  site = await serveBusinessSite();
  stack = await startStack({ label: 'crash', worker: false });
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await stack.close();
  await site.close();
});

describe('crash recovery', () => {
  it('a worker killed mid-provisioning is replaced and the new worker finishes with exactly one agent and one number', async () => {
    const acct = await stack.createAccount();
    const first = spawnWorker();
    const accepted = await client(stack.baseUrl, acct.token).post('/v2/agents', { payload: { name: 'Crash Test', platform: 'local', business_url: site.url, template_id: 'dental_receptionist' } });
    const opId = accepted.body.operation_id;

    // Kill it inside the deploy step: the platform call is in flight (it takes 2 s).
    const deadline = Date.now() + 60_000;
    let step: string | null = null;
    while (Date.now() < deadline) {
      const op = (await client(stack.baseUrl, acct.token).get(`/v2/operations/${opId}`)).body;
      step = op.step;
      if (step === 'deploy') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(step).toBe('deploy');
    await new Promise((r) => setTimeout(r, 500));
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    expect(first.signalCode).toBe('SIGKILL');

    spawnWorker();
    const op = await waitForOperation(stack.baseUrl, acct.token, opId, ['active', 'failed', 'canceled'], 90_000);
    expect(op.status).toBe('active');
    const db = stack.db.connection.db!;
    expect(await db.collection('local_platform_agents').countDocuments({ dedupe_token: opId })).toBe(1);
    expect(await db.collection('local_phone_numbers').countDocuments({ dedupe_token: opId })).toBe(1);
    expect(await db.collection('agents').countDocuments({ account_id: acct.accountId })).toBe(1);
    expect(await db.collection('events').countDocuments({ account_id: acct.accountId, type: 'agent.activated' })).toBe(1);
    // The step that was interrupted was attempted more than once.
    const interrupted = op.steps.find((s: { name: string }) => s.name === step);
    expect(interrupted.status).toBe('completed');
    expect(interrupted.attempts).toBeGreaterThanOrEqual(2);
  }, 150_000);
});
