import { client } from '../support/http-client';
import { ChildProcesses, exited } from '../support/processes';
import { startStack, Stack } from '../support/temporal-harness';
import { startReceiver, until } from '../support/webhook-receiver';

let stack: Stack;
const processes = new ChildProcesses();
const spawnWorker = () => processes.spawnWorker(stack, { WFW_WEBHOOK_RETRY_SCHEDULE: '200ms,400ms,600ms,800ms' });

beforeAll(async () => {
  stack = await startStack({ label: 'wh-crash', worker: false });
});
afterAll(async () => {
  processes.killAll();
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
      await exited(first);

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
