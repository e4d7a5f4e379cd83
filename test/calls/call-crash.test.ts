import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { client } from '../support/http-client';
import { ChildProcesses, exited, freePort } from '../support/processes';
import { startStack, Stack, TEMPORAL_ADDRESS } from '../support/temporal-harness';
import { until } from '../support/webhook-receiver';
import { createLocalAgentRow, hvacTurns, localHeaders, localNotificationBody, postLocal } from './local-call-notifications';

/**
 * Real processes killed inside a call's path: the worker (dist/worker/worker.js) between the
 * end-of-call notification and the extraction, and the API (dist/api/server.js) between storing
 * a notification and signalling the call's workflow. Each kill is the test-only WFW_TEST_CRASH_AT
 * switch (core/faults/crash-points.ts), so it lands exactly there, every run.
 */
const API_JS = path.join(__dirname, '../../dist/api/server.js');
const CALL_EVENTS = ['call.started', 'call.transcript_ready', 'call.completed', 'call.extractions_ready'];

let stack: Stack;
const processes = new ChildProcesses();
let children: ChildProcess[] = [];

beforeAll(async () => {
  if (!existsSync(API_JS)) throw new Error('dist/ is missing: run `npx tsc -p tsconfig.json` (npm test does it) before this test');
  // No worker in this process: the only workers on the queue are the processes each test starts.
  stack = await startStack({ label: 'callcrash', worker: false });
});
afterEach(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all(children.map(exited));
  children = [];
});
afterAll(async () => {
  processes.killAll();
  await stack?.close();
});

function spawnWorker(env: Record<string, string> = {}): ChildProcess {
  const worker = processes.spawnWorker(stack, env);
  children.push(worker);
  return worker;
}

async function spawnApi(crashAt: string): Promise<{ child: ChildProcess; baseUrl: string }> {
  const port = await freePort();
  const child = processes.track(
    spawn(process.execPath, [API_JS], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        PORT: String(port),
        MONGODB_URI: stack.db.uri,
        TEMPORAL_ADDRESS,
        TEMPORAL_TASK_QUEUE: stack.taskQueue,
        WFW_ALLOW_PRIVATE_NETWORKS: '1',
        WFW_TEST_CRASH_AT: crashAt,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
  );
  children.push(child);
  const baseUrl = `http://127.0.0.1:${port}`;
  await until(
    'the API process to answer',
    async () => {
      if (child.exitCode !== null) throw new Error(`api exited at start with ${child.exitCode}`);
      return (await fetch(`${baseUrl}/healthz`).then((r) => r.ok).catch(() => false)) || undefined;
    },
    30_000,
  );
  return { child, baseUrl };
}

const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
const HEARTBEAT_TIMEOUT = temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_HEARTBEAT;

async function pendingActivity(workflowId: string, activityType: string) {
  const { raw } = await stack.client.workflow.getHandle(workflowId).describe();
  return (raw.pendingActivities ?? []).find((a) => a.activityType?.name === activityType && a.state === STARTED);
}

/** How each attempt of the activity that completed was started, from the workflow's history. */
async function startedAttempts(workflowId: string, activityType: string) {
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map<string, string>();
  const started: { attempt: number; previousTimeout: temporal.api.enums.v1.TimeoutType | null }[] = [];
  for (const e of history.events ?? []) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s) scheduled.set(String(e.eventId), s.activityType?.name ?? '');
    const st = e.activityTaskStartedEventAttributes;
    if (st && scheduled.get(String(st.scheduledEventId)) === activityType) started.push({ attempt: st.attempt ?? 0, previousTimeout: st.lastFailure?.timeoutFailureInfo?.timeoutType ?? null });
  }
  return started;
}

/** The account has exactly one call, transcript and extraction, and each call event exactly once. */
async function expectCompletedOnce(accountId: string, token: string, callId: string, turns: number) {
  const db = stack.db.connection.db!;
  const result = await stack.client.workflow.getHandle(callId).result();
  expect(result).toMatchObject({ callId, status: 'completed' });

  expect(await db.collection('calls').countDocuments({ account_id: accountId })).toBe(1);
  expect(await db.collection('call_transcripts').countDocuments({ account_id: accountId })).toBe(1);
  expect(await db.collection('call_extractions').countDocuments({ account_id: accountId })).toBe(1);
  expect(await db.collection('call_notifications').countDocuments({ account_id: accountId })).toBe(1);
  for (const type of CALL_EVENTS) expect([type, await db.collection('events').countDocuments({ account_id: accountId, type })]).toEqual([type, 1]);
  // A field to double-check is announced once too.
  const low = await db.collection('events').find({ account_id: accountId, type: 'extraction.low_confidence' }).toArray();
  expect(new Set(low.map((e) => e.data.field)).size).toBe(low.length);

  const call = (await client(stack.baseUrl, token).get(`/v2/calls/${callId}`)).body;
  expect(call).toMatchObject({ id: callId, status: 'completed', extraction_status: 'completed', test: false });
  const transcript = (await client(stack.baseUrl, token).get(`/v2/calls/${callId}/transcript`)).body;
  expect(transcript.turns).toHaveLength(turns);
  const extraction = (await client(stack.baseUrl, token).get(`/v2/calls/${callId}/extractions`)).body;
  expect(extraction.status).toBe('completed');
  expect(extraction.fields.find((f: { name: string }) => f.name === 'customer_name')?.value).toBe('Maria Lopez');
}

describe('a call survives its processes being killed', () => {
  it('a worker killed between the end-of-call notification and the extraction is replaced: the call completes once, its events once', async () => {
    const acct = await stack.createAccount();
    const platformAgentId = `lagt_crash_${Date.now()}`;
    await createLocalAgentRow(stack.core, acct.accountId, platformAgentId);
    // The first worker SIGKILLs itself as it begins the extraction: the call and its transcript are written by then.
    const first = spawnWorker({ WFW_TEST_CRASH_AT: 'call.extract' });

    const turns = hvacTurns(0, 14);
    const body = localNotificationBody('call.ended', { platformCallId: `lsim_crash_${Date.now()}`, platformAgentId, turns });
    const res = await postLocal(stack.baseUrl, acct.accountId, body, await localHeaders(stack.core, acct.accountId, body));
    expect(res.status).toBe(200);
    const receipt = (await res.json()) as { call_id: string };
    expect(receipt).toMatchObject({ object: 'notification_receipt', status: 'accepted', call_id: expect.stringMatching(/^call_/) });
    const callId: string = receipt.call_id;

    await exited(first);
    expect(first.signalCode).toBe('SIGKILL');
    // It died holding the extraction: the attempt is started on that process, and nothing was extracted.
    const held = await pendingActivity(callId, 'extractCall');
    expect(held?.lastWorkerIdentity).toMatch(new RegExp(`^${first.pid}@`));
    const db = stack.db.connection.db!;
    expect(await db.collection('calls').countDocuments({ account_id: acct.accountId })).toBe(1);
    expect(await db.collection('call_transcripts').countDocuments({ account_id: acct.accountId })).toBe(1);
    expect(await db.collection('call_extractions').countDocuments({ account_id: acct.accountId })).toBe(0);
    expect(await db.collection('events').countDocuments({ account_id: acct.accountId, type: 'call.transcript_ready' })).toBe(1);
    expect(await db.collection('events').countDocuments({ account_id: acct.accountId, type: 'call.completed' })).toBe(0);

    // The platform retries its delivery meanwhile (it never got our answer in time, say): still one call.
    const again = await postLocal(stack.baseUrl, acct.accountId, body, await localHeaders(stack.core, acct.accountId, body));
    expect(await again.json()).toMatchObject({ status: 'duplicate', call_id: callId });

    spawnWorker();
    await expectCompletedOnce(acct.accountId, acct.token, callId, turns.length);
    // The extraction that finished came after the killed attempt timed out on its heartbeat.
    expect(await startedAttempts(callId, 'extractCall')).toEqual([{ attempt: 2, previousTimeout: HEARTBEAT_TIMEOUT }]);
  }, 120_000);

  it('an API killed between storing the notification and signalling the workflow: the platform’s retry of the same body completes the call once', async () => {
    const acct = await stack.createAccount();
    const platformAgentId = `lagt_apicrash_${Date.now()}`;
    await createLocalAgentRow(stack.core, acct.accountId, platformAgentId);
    spawnWorker();
    const api = await spawnApi('call.notification-stored');

    const turns = hvacTurns(0, 11);
    const body = localNotificationBody('call.ended', { platformCallId: `lsim_apicrash_${Date.now()}`, platformAgentId, turns });
    const headers = await localHeaders(stack.core, acct.accountId, body);
    // The platform sees its delivery fail (the connection drops): no answer.
    await expect(postLocal(api.baseUrl, acct.accountId, body, headers)).rejects.toThrow();
    await exited(api.child);
    expect(api.child.signalCode).toBe('SIGKILL');

    // Stored, but no workflow heard of it: nothing would ever finish this call without the retry.
    const db = stack.db.connection.db!;
    const stored = await db.collection('call_notifications').find({ account_id: acct.accountId }).toArray();
    expect(stored).toHaveLength(1);
    const callId = stored[0].call_id as string;
    await expect(stack.client.workflow.getHandle(callId).describe()).rejects.toMatchObject({ name: 'WorkflowNotFoundError' });
    expect(await db.collection('calls').countDocuments({ account_id: acct.accountId })).toBe(0);

    // The platform retries the same body (same signature, within its window) at another API instance.
    const retry = await postLocal(stack.baseUrl, acct.accountId, body, headers);
    expect(retry.status).toBe(200);
    // The notification was stored before, so the receipt says duplicate — but the workflow now runs.
    expect(await retry.json()).toMatchObject({ object: 'notification_receipt', status: 'duplicate', call_id: callId });

    await expectCompletedOnce(acct.accountId, acct.token, callId, turns.length);
    // And a further retry after the call finished changes nothing.
    const late = await postLocal(stack.baseUrl, acct.accountId, body, headers);
    expect(await late.json()).toMatchObject({ status: 'duplicate', call_id: callId });
    expect(await db.collection('calls').countDocuments({ account_id: acct.accountId })).toBe(1);
    expect(await db.collection('events').countDocuments({ account_id: acct.accountId, type: 'call.completed' })).toBe(1);
  }, 120_000);
});
