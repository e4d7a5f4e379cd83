import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { client } from '../support/http-client';
import { startStack, Stack, TEMPORAL_ADDRESS } from '../support/temporal-harness';
import { startReceiver, until } from '../support/webhook-receiver';

const WORKER_JS = path.join(__dirname, '../../dist/worker/worker.js');
let stack: Stack;
const children: ChildProcess[] = [];

function spawnWorker(): ChildProcess {
  const child = spawn(process.execPath, [WORKER_JS], {
    env: { ...process.env, MONGODB_URI: stack.db.uri, TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE: stack.taskQueue, WFW_ALLOW_PRIVATE_NETWORKS: '1', WFW_WEBHOOK_RETRY_SCHEDULE: '200ms,400ms,600ms,800ms', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  return child;
}

beforeAll(async () => {
  if (!existsSync(WORKER_JS)) throw new Error('dist/ is missing: run `npm run build` (npm test does it) before this test');
  stack = await startStack({ label: 'wh-crash', worker: false });
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await stack.close();
});

describe('webhook delivery across crashes', () => {
  it('an event written while no worker runs, and a worker killed mid-delivery, still end in one successful delivery', async () => {
    // The endpoint holds its first request long enough to kill the worker during it.
    const receiver = await startReceiver((_r, i) => (i === 0 ? { status: 200, delayMs: 4000 } : { status: 200 }));
    try {
      const acct = await stack.createAccount();
      const wh = (await client(stack.baseUrl, acct.token).post('/v2/webhooks', { url: receiver.url })).body;
      // No worker is running: the event sits in the log, undispatched.
      await stack.core.events.append(acct.accountId, 'kb.synced', { agent_id: 'agt_01m8h42tj30fjmzbwschxe2qyy', doc_id: 'kb_01m8h42tj30fjmzbwschxe2qyy', version: 2 }, { dedupeKey: 'kb-1' });

      const first = spawnWorker();
      await until('the first request to arrive', () => receiver.received.length >= 1, 30_000);
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));

      spawnWorker();
      const delivery = await until(
        'a successful delivery',
        async () => {
          const list = (await client(stack.baseUrl, acct.token).get(`/v2/webhooks/${wh.id}/deliveries`)).body.data;
          return list[0]?.status === 'succeeded' ? list[0] : undefined;
        },
        60_000,
      );
      expect(delivery.event_type).toBe('kb.synced');
      // The retried attempt carried the same webhook-id, so the endpoint can drop the duplicate.
      expect(receiver.received.length).toBeGreaterThanOrEqual(2);
      expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
      expect(await stack.db.connection.db!.collection('webhook_deliveries').countDocuments({})).toBe(1);
    } finally {
      await receiver.close();
    }
  }, 120_000);
});
