import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { serveBusinessSite, BusinessSite } from '../support/business-site';
import { client, TestResponse } from '../support/http-client';
import { startStack, Stack, TEMPORAL_ADDRESS, waitForOperation } from '../support/temporal-harness';

/**
 * A real API process (dist/api/server.js, as `npm run api` runs it) SIGKILLed between its writes
 * by the test-only WFW_TEST_CRASH_AT switch; the worker and the reconciler run in this process.
 */
const API_JS = path.join(__dirname, '../../dist/api/server.js');
const ITEMS = 4;

let stack: Stack;
let site: BusinessSite;
let healthy: ApiProcess;
const children: ChildProcess[] = [];

interface ApiProcess {
  child: ChildProcess;
  baseUrl: string;
  exited: Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

async function spawnApi(crashAt?: string): Promise<ApiProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [API_JS], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORT: String(port),
      MONGODB_URI: stack.db.uri,
      TEMPORAL_ADDRESS,
      TEMPORAL_TASK_QUEUE: stack.taskQueue,
      WFW_ALLOW_PRIVATE_NETWORKS: '1',
      // Short, so a retry takes over a dead process's claim soon; the live holder renews it.
      WFW_IDEMPOTENCY_LOCK_SECONDS: '2',
      WFW_TEST_CRASH_AT: crashAt ?? '',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`api exited at start with ${child.exitCode}`);
    try {
      if ((await fetch(`${baseUrl}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('api did not start in 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, baseUrl, exited };
}

/** Sends one request to an API primed to crash, and checks that it really died mid-request. */
async function sendAndCrash(crashAt: string, send: (baseUrl: string) => Promise<unknown>): Promise<void> {
  const api = await spawnApi(crashAt);
  await expect(send(api.baseUrl)).rejects.toThrow();
  await api.exited;
  expect(api.child.signalCode).toBe('SIGKILL');
}

/** What a client following the contract does: retry the same request with the same key while the answer says to. */
async function retryUntilDefinite(send: () => Promise<TestResponse>, timeoutMs = 60_000): Promise<TestResponse> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await send();
    const err = res.body?.error;
    if (!err?.retryable) return res;
    if (Date.now() > deadline) throw new Error(`still ${res.status} ${err.code} after ${timeoutMs} ms: ${err.message}`);
    await new Promise((r) => setTimeout(r, (err.retry_after ?? 1) * 1000));
  }
}

function payload(name: string) {
  return { payload: { name, platform: 'local', business_url: site.url, template_id: 'dental_receptionist' } };
}

async function count(collection: string, filter: Record<string, unknown>): Promise<number> {
  return stack.db.connection.db!.collection(collection).countDocuments(filter);
}

async function activeAgent(token: string, name: string): Promise<string> {
  const accepted = await client(stack.baseUrl, token).post('/v2/agents', payload(name));
  const op = await waitForOperation(stack.baseUrl, token, accepted.body.operation_id);
  expect(op.status).toBe('active');
  return op.agent_id;
}

beforeAll(async () => {
  if (!existsSync(API_JS)) throw new Error('dist/ is missing: run `npx tsc -p tsconfig.json` (npm test does it) before this test');
  site = await serveBusinessSite();
  stack = await startStack({ label: 'apicrash' });
  healthy = await spawnApi();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await stack?.close();
  await site?.close();
});

describe('a keyed batch survives the API process being killed while accepting it', () => {
  it.each([
    ['before the item writes', 'keyed.claimed'],
    ['between an operation and its agent', 'provision.operation-written#2'],
    ['between items', 'provision.agent-written#3'],
    ['after the item writes, before the batch', 'batch.items-written'],
    ['after the batch, before the answer is stored', 'keyed.before-complete'],
  ])('killed %s (%s): the retry finishes exactly the missing items', async (_label, crashAt) => {
    const acct = await stack.createAccount();
    const key = `batch-${crashAt}`;
    const body = { items: Array.from({ length: ITEMS }, (_, i) => payload(`Crash Batch ${i}`)) };
    await sendAndCrash(crashAt, (baseUrl) => client(baseUrl, acct.token).post('/v2/agents/batch', body, { idempotencyKey: key }));

    const c = client(healthy.baseUrl, acct.token);
    const res = await retryUntilDefinite(() => c.post('/v2/agents/batch', body, { idempotencyKey: key }));
    expect(res.status).toBe(202);
    expect(res.body.rejected).toEqual([]);
    expect(res.body.item_count).toBe(ITEMS);
    expect(res.body.operation_ids).toHaveLength(ITEMS);
    expect(new Set(res.body.operation_ids).size).toBe(ITEMS);
    expect(await count('agents', { account_id: acct.accountId })).toBe(ITEMS);
    expect(await count('operations', { account_id: acct.accountId })).toBe(ITEMS);

    for (const id of res.body.operation_ids) {
      const op = await waitForOperation(stack.baseUrl, acct.token, id, ['active', 'failed', 'canceled'], 90_000);
      expect({ id, status: op.status, error: op.error }).toEqual({ id, status: 'active', error: null });
    }
    expect(await count('agents', { account_id: acct.accountId, status: 'active' })).toBe(ITEMS);

    const replay = await c.post('/v2/agents/batch', body, { idempotencyKey: key });
    expect(replay.status).toBe(202);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.operation_ids).toEqual(res.body.operation_ids);
    expect(replay.body.rejected).toEqual([]);
    expect((await c.get(`/v2/batches/${res.body.id}`)).body.operation_ids).toEqual(res.body.operation_ids);
  }, 180_000);
});

describe('crash windows between the writes of single changes', () => {
  it('a keyed create killed between its operation and its agent is finished by the retry, once', async () => {
    const acct = await stack.createAccount();
    const body = payload('Crash Single');
    await sendAndCrash('provision.operation-written', (baseUrl) => client(baseUrl, acct.token).post('/v2/agents', body, { idempotencyKey: 'single-1' }));
    expect(await count('operations', { account_id: acct.accountId })).toBe(1);
    expect(await count('agents', { account_id: acct.accountId })).toBe(0);

    const res = await retryUntilDefinite(() => client(healthy.baseUrl, acct.token).post('/v2/agents', body, { idempotencyKey: 'single-1' }));
    expect(res.status).toBe(202);
    expect((await waitForOperation(stack.baseUrl, acct.token, res.body.operation_id, ['active', 'failed'], 90_000)).status).toBe('active');
    expect(await count('agents', { account_id: acct.accountId })).toBe(1);
    expect(await count('operations', { account_id: acct.accountId })).toBe(1);
  }, 120_000);

  it('an unkeyed create killed between its operation and its agent is finished by the reconciler', async () => {
    const acct = await stack.createAccount();
    await sendAndCrash('provision.operation-written', (baseUrl) => client(baseUrl, acct.token).post('/v2/agents', payload('Orphan Operation')));
    const [op] = await stack.db.connection.db!.collection('operations').find({ account_id: acct.accountId }).toArray();
    expect(op).toMatchObject({ status: 'pending' });

    expect(await stack.core.provisioning.reconcilePending(0)).toBeGreaterThanOrEqual(1);
    expect((await waitForOperation(stack.baseUrl, acct.token, String(op._id), ['active', 'failed'], 90_000)).status).toBe('active');
    expect(await count('agents', { account_id: acct.accountId, status: 'active' })).toBe(1);
  }, 120_000);

  it('an update killed between its writes is finished by the reconciler, and the agent takes later changes', async () => {
    const acct = await stack.createAccount();
    const agentId = await activeAgent(acct.token, 'Before Rename');
    await sendAndCrash('change.operation-written', (baseUrl) => client(baseUrl, acct.token).patch(`/v2/agents/${agentId}`, { name: 'After Rename' }));
    const [op] = await stack.db.connection.db!.collection('operations').find({ agent_id: agentId, type: 'agent.update' }).toArray();
    expect(op).toMatchObject({ status: 'pending' });

    await stack.core.provisioning.reconcilePending(0);
    expect((await waitForOperation(stack.baseUrl, acct.token, String(op._id), ['succeeded', 'failed'], 90_000)).status).toBe('succeeded');
    const c = client(stack.baseUrl, acct.token);
    expect((await c.get(`/v2/agents/${agentId}`)).body).toMatchObject({ status: 'active', name: 'After Rename', last_operation_id: op._id });
    const later = await c.patch(`/v2/agents/${agentId}`, { name: 'Renamed Again' });
    expect(later.status).toBe(202);
    expect((await waitForOperation(stack.baseUrl, acct.token, later.body.operation_id)).status).toBe('succeeded');
  }, 150_000);

  it('an update killed before it claimed the agent loses to a later change, and the reconciler fails it instead of wedging', async () => {
    const acct = await stack.createAccount();
    const agentId = await activeAgent(acct.token, 'Contended');
    await sendAndCrash('change.operation-written', (baseUrl) => client(baseUrl, acct.token).patch(`/v2/agents/${agentId}`, { name: 'Lost Write' }));
    const [orphan] = await stack.db.connection.db!.collection('operations').find({ agent_id: agentId, type: 'agent.update' }).toArray();

    const c = client(stack.baseUrl, acct.token);
    const winner = await c.patch(`/v2/agents/${agentId}`, { name: 'Winner' });
    expect(winner.status).toBe(202);
    expect((await waitForOperation(stack.baseUrl, acct.token, winner.body.operation_id)).status).toBe('succeeded');
    await stack.core.provisioning.reconcilePending(0);
    expect((await c.get(`/v2/operations/${orphan._id}`)).body).toMatchObject({ status: 'failed', error: { code: 'CONFLICT' } });
    expect((await c.get(`/v2/agents/${agentId}`)).body).toMatchObject({ status: 'active', name: 'Winner' });
  }, 150_000);

  it('a keyed delete killed between its writes is finished by the retry with the same key', async () => {
    const acct = await stack.createAccount();
    const agentId = await activeAgent(acct.token, 'Delete Me');
    await sendAndCrash('change.operation-written', (baseUrl) => client(baseUrl, acct.token).delete(`/v2/agents/${agentId}`, { idempotencyKey: 'delete-1' }));

    const res = await retryUntilDefinite(() => client(healthy.baseUrl, acct.token).delete(`/v2/agents/${agentId}`, { idempotencyKey: 'delete-1' }));
    expect(res.status).toBe(202);
    expect((await waitForOperation(stack.baseUrl, acct.token, res.body.operation_id, ['succeeded', 'failed'], 90_000)).status).toBe('succeeded');
    expect(await count('operations', { agent_id: agentId, type: 'agent.delete' })).toBe(1);
    expect((await client(stack.baseUrl, acct.token).get(`/v2/agents/${agentId}`)).body.status).toBe('deleted');
  }, 150_000);

  it('settles agents an earlier release left busy with no live operation', async () => {
    const acct = await stack.createAccount();
    const agentId = await activeAgent(acct.token, 'Wedged');
    const agents = stack.db.connection.db!.collection('agents');
    // What the old order (claim the agent, then write the operation) left after a crash between the two.
    await agents.updateOne({ _id: agentId as never }, { $set: { status: 'updating', last_operation_id: 'op_01m8h42tj30fjmzbwschxe2qa9', updated_at: new Date(Date.now() - 120_000) } });
    const c = client(stack.baseUrl, acct.token);
    expect((await c.patch(`/v2/agents/${agentId}`, { name: 'Blocked' })).status).toBe(409);

    await stack.core.provisioning.reconcilePending(60_000);
    expect((await c.get(`/v2/agents/${agentId}`)).body.status).toBe('active');
    const patched = await c.patch(`/v2/agents/${agentId}`, { name: 'Unblocked' });
    expect(patched.status).toBe(202);
    expect((await waitForOperation(stack.baseUrl, acct.token, patched.body.operation_id)).status).toBe('succeeded');
  }, 120_000);
});
