import type { ChildProcess } from 'node:child_process';
import { temporal } from '@temporalio/proto';
import { serveBusinessSite, BusinessSite } from '../support/business-site';
import { client } from '../support/http-client';
import { ChildProcesses, exited } from '../support/processes';
import { startStack, Stack, waitForOperation } from '../support/temporal-harness';
import { until } from '../support/webhook-receiver';

let stack: Stack;
let site: BusinessSite;
const processes = new ChildProcesses();
let workers: ChildProcess[] = [];

/** The real worker process (npm run worker), as production runs it, on this test's task queue. */
function spawnWorker(): ChildProcess {
  // Each platform call takes 2 s, so there is a window to kill the worker inside a step.
  const worker = processes.spawnWorker(stack, { WFW_LOCAL_PLATFORM_LATENCY_MS: '2000' });
  workers.push(worker);
  return worker;
}

// Each test starts with no worker on the queue, so the one it kills is the one running its step.
afterEach(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  await Promise.all(workers.map(exited));
  workers = [];
});

beforeAll(async () => {
  site = await serveBusinessSite();
  stack = await startStack({ label: 'crash', worker: false });
});
afterAll(async () => {
  processes.killAll();
  await stack.close();
  await site.close();
});

/** A worker holds the activity and runs it. */
const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
const HEARTBEAT_TIMEOUT = temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_HEARTBEAT;

/** The activity of this type a worker is running now for the workflow, if any. */
async function runningActivity(workflowId: string, activityType: string) {
  const { raw } = await stack.client.workflow.getHandle(workflowId).describe();
  return (raw.pendingActivities ?? []).find((a) => a.activityType?.name === activityType && a.state === STARTED);
}

/**
 * How each activity of this type ended up started, from the workflow's history: Temporal records
 * the attempt that completed, with the failure of the one before it.
 */
async function startedAttempts(workflowId: string, activityType: string) {
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map<string, string>();
  const started: { attempt: number; previousTimeout: temporal.api.enums.v1.TimeoutType | null }[] = [];
  for (const e of history.events ?? []) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s) scheduled.set(String(e.eventId), s.activityType?.name ?? '');
    const st = e.activityTaskStartedEventAttributes;
    if (st && scheduled.get(String(st.scheduledEventId)) === activityType) {
      started.push({ attempt: st.attempt ?? 0, previousTimeout: st.lastFailure?.timeoutFailureInfo?.timeoutType ?? null });
    }
  }
  return started;
}

/** Kills the worker running `activity` (asserting it is that one), as SIGKILL: no cleanup at all. */
async function kill(worker: ChildProcess, activity?: { lastWorkerIdentity?: string | null }) {
  if (activity) expect(activity.lastWorkerIdentity).toMatch(new RegExp(`^${worker.pid}@`));
  worker.kill('SIGKILL');
  await exited(worker);
  expect(worker.signalCode).toBe('SIGKILL');
}

function provision(token: string, name: string) {
  return client(stack.baseUrl, token).post('/v2/agents', { payload: { name, platform: 'local', business_url: site.url, template_id: 'dental_receptionist' } });
}

describe('crash recovery', () => {
  it('a worker killed mid-provisioning is replaced and the new worker finishes with exactly one agent and one number', async () => {
    const acct = await stack.createAccount();
    const first = spawnWorker();
    const accepted = await provision(acct.token, 'Crash Test');
    const opId = accepted.body.operation_id;

    // Kill it inside the deploy step, while a worker runs the platform call (it takes 2 s): the
    // deploy-and-number activity runs, and no platform agent is kept on the agent yet.
    const db = stack.db.connection.db!;
    const running = await until(
      'deploy in flight',
      async () => {
        const a = await runningActivity(opId, 'deployAndAssignNumber');
        return a && !(await db.collection('agents').findOne({ account_id: acct.accountId }))?.platform_agent_id && a;
      },
      60_000,
    );
    const op0 = (await client(stack.baseUrl, acct.token).get(`/v2/operations/${opId}`)).body;
    expect(op0.step).toBe('deploy');
    await kill(first, running);

    spawnWorker();
    const op = await waitForOperation(stack.baseUrl, acct.token, opId, ['active', 'failed', 'canceled'], 90_000);
    expect(op.status).toBe('active');
    expect(await db.collection('local_platform_agents').countDocuments({ dedupe_token: opId })).toBe(1);
    expect(await db.collection('local_phone_numbers').countDocuments({ dedupe_token: opId })).toBe(1);
    expect(await db.collection('agents').countDocuments({ account_id: acct.accountId })).toBe(1);
    expect(await db.collection('events').countDocuments({ account_id: acct.accountId, type: 'agent.activated' })).toBe(1);
    // The step that was interrupted was attempted more than once.
    const interrupted = op.steps.find((s: { name: string }) => s.name === 'deploy');
    expect(interrupted.status).toBe('completed');
    expect(interrupted.attempts).toBeGreaterThanOrEqual(2);
  }, 150_000);

  it('a worker killed in the number step, between getting the number and attaching it, is replaced: one agent, one number, one activation', async () => {
    const acct = await stack.createAccount();
    const first = spawnWorker();
    const opId = (await provision(acct.token, 'Crash In Number')).body.operation_id;
    const db = stack.db.connection.db!;

    // The number is held and the attach call (2 s) is in flight: the worker dies between the two.
    const running = await until(
      'the number held and its attach in flight',
      async () => {
        const a = await runningActivity(opId, 'deployAndAssignNumber');
        return a && (await db.collection('local_phone_numbers').countDocuments({ account_id: acct.accountId })) === 1 && a;
      },
      60_000,
    );
    const platformAgent = await db.collection('local_platform_agents').findOne({ dedupe_token: opId });
    expect(platformAgent?.phone_numbers).toEqual([]);
    await kill(first, running);

    spawnWorker();
    const op = await waitForOperation(stack.baseUrl, acct.token, opId, ['active', 'failed', 'canceled'], 90_000);
    expect(op.status).toBe('active');
    expect(await db.collection('agents').countDocuments({ account_id: acct.accountId })).toBe(1);
    expect(await db.collection('local_platform_agents').countDocuments({ dedupe_token: opId })).toBe(1);
    const numbers = await db.collection('local_phone_numbers').find({ dedupe_token: opId }).toArray();
    expect(numbers).toHaveLength(1);
    // Not one under another token either: the account holds exactly one number.
    expect(await db.collection('local_phone_numbers').countDocuments({ account_id: acct.accountId })).toBe(1);
    // The number the operation reports is the one held, and the platform agent answers it once.
    expect(op.phone_number).toBe(numbers[0].e164);
    expect((await db.collection('local_platform_agents').findOne({ dedupe_token: opId }))?.phone_numbers).toEqual([numbers[0].e164]);
    expect(await db.collection('events').countDocuments({ account_id: acct.accountId, type: 'agent.activated' })).toBe(1);
    const step = op.steps.find((s: { name: string }) => s.name === 'number');
    expect(step.status).toBe('completed');
    // The attempt that completed came after the killed one timed out on its heartbeat.
    expect(await startedAttempts(opId, 'deployAndAssignNumber')).toEqual([{ attempt: 2, previousTimeout: HEARTBEAT_TIMEOUT }]);
    // The deploy the killed attempt finished is recorded, not redone.
    expect(op.steps.find((s: { name: string }) => s.name === 'deploy').status).toBe('completed');
  }, 150_000);

  it('a worker killed during compensation (cancel, then the platform agent’s removal in flight) is replaced and the new worker finishes the undo', async () => {
    const acct = await stack.createAccount();
    const first = spawnWorker();
    const opId = (await provision(acct.token, 'Crash In Undo')).body.operation_id;
    const db = stack.db.connection.db!;

    // Cancel while the number step runs: by then a platform agent and a number exist to undo.
    await until(
      'the number step in flight',
      async () => {
        const a = await runningActivity(opId, 'deployAndAssignNumber');
        return a && (await db.collection('local_platform_agents').countDocuments({ dedupe_token: opId })) === 1 && a;
      },
      60_000,
    );
    const canceled = await client(stack.baseUrl, acct.token).post(`/v2/operations/${opId}/cancel`);
    expect(canceled.status).toBe(202);
    // The platform agent's removal (a 2 s platform call) is running: the worker dies inside it.
    const running = await until('the platform agent removal in flight', () => runningActivity(opId, 'removePlatformAgent'), 60_000);
    expect(await db.collection('local_platform_agents').countDocuments({ dedupe_token: opId })).toBe(1);
    await kill(first, running);

    spawnWorker();
    const op = await waitForOperation(stack.baseUrl, acct.token, opId, ['active', 'failed', 'canceled'], 90_000);
    expect(op.status).toBe('canceled');
    expect(op.error).toMatchObject({ code: 'CANCELED' });
    expect(op.error.compensation_failures ?? []).toEqual([]);
    expect(await db.collection('local_platform_agents').countDocuments({ dedupe_token: opId })).toBe(0);
    expect(await db.collection('local_phone_numbers').countDocuments({ dedupe_token: opId })).toBe(0);
    expect(await db.collection('local_phone_numbers').countDocuments({ account_id: acct.accountId })).toBe(0);
    const agent = await db.collection('agents').findOne({ account_id: acct.accountId });
    expect(agent).toMatchObject({ status: 'failed', platform_agent_id: null });
    expect(await db.collection('events').countDocuments({ account_id: acct.accountId, type: 'agent.provisioning_failed' })).toBe(1);
    expect(await db.collection('events').countDocuments({ account_id: acct.accountId, type: 'agent.activated' })).toBe(0);
    expect(op.steps.find((s: { name: string }) => s.name === 'deploy').status).toBe('compensated');
    // The removal the first worker was running was run again by the second.
    expect(await startedAttempts(opId, 'removePlatformAgent')).toEqual([{ attempt: 2, previousTimeout: HEARTBEAT_TIMEOUT }]);
  }, 150_000);
});
