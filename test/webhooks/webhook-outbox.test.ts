import { client } from '../support/http-client';
import { ChildProcesses, exited } from '../support/processes';
import { startStack, Stack } from '../support/temporal-harness';
import { startReceiver, until } from '../support/webhook-receiver';

let stack: Stack;
const processes = new ChildProcesses();
const spawnWorker = () => processes.spawnWorker(stack, { WFW_WEBHOOK_RETRY_SCHEDULE: '200ms,400ms,600ms,800ms' });

const AGENT = 'agt_01m8h42tj30fjmzbwschxe2qyy';

beforeAll(async () => {
  stack = await startStack({ label: 'outbox', worker: false });
});
afterAll(async () => {
  processes.killAll();
  await stack.close();
});

describe('the webhook outbox', () => {
  it('delivers every event exactly once across a worker restart, and empties itself while the log keeps every event', async () => {
    // Slow answers keep deliveries in flight when the first worker is killed.
    const receiver = await startReceiver(() => ({ status: 200, delayMs: 300 }));
    try {
      const acct = await stack.createAccount();
      const wh = (await client(stack.baseUrl, acct.token).post('/v2/webhooks', { url: receiver.url })).body;
      const N = 30;
      for (let i = 0; i < N; i++) {
        await stack.core.events.append(acct.accountId, 'kb.synced', { agent_id: AGENT, doc_id: 'kb_01m8h42tj30fjmzbwschxe2qyy', version: i + 1 }, { dedupeKey: `kb-${i}` });
      }
      // No worker yet: every event waits in the outbox.
      expect(await stack.core.models.outbox.countDocuments({})).toBe(N);

      const first = spawnWorker();
      await until('the first deliveries to arrive', () => receiver.received.length >= 3, 30_000);
      first.kill('SIGKILL');
      await exited(first);
      spawnWorker();

      const deliveries = await until(
        'every delivery to succeed',
        async () => {
          const list = await stack.core.models.webhookDeliveries.find({ subscription_id: wh.id }).lean();
          return list.length === N && list.every((d) => d.status === 'succeeded') ? list : undefined;
        },
        90_000,
      );
      // One delivery per event, and the endpoint saw exactly N distinct webhook-ids.
      expect(new Set(deliveries.map((d) => d.event_id)).size).toBe(N);
      expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(N);
      await until('the outbox to empty', async () => (await stack.core.models.outbox.countDocuments({})) === 0, 30_000);
      expect(await stack.core.models.events.countDocuments({ account_id: acct.accountId })).toBe(N);
    } finally {
      await receiver.close();
    }
  }, 150_000);

  it('an entry whose event a crashed writer never wrote waits; the retried writer writes that very event, delivered once', async () => {
    const receiver = await startReceiver();
    await stack.startWorker();
    try {
      const acct = await stack.createAccount();
      await client(stack.baseUrl, acct.token).post('/v2/webhooks', { url: receiver.url });
      // What a writer leaves when it dies between its two writes: the claim and the outbox entry.
      const eventId = 'evt_01m8h42tj30fjmzbwschxe2qz0';
      const orphan = { _id: eventId, account_id: acct.accountId, seq: 1, type: 'kb.synced', agent_id: AGENT, data: { agent_id: AGENT, doc_id: 'kb_01m8h42tj30fjmzbwschxe2qyy', version: 7 }, dedupe_key: 'kb-crash', created_at: new Date() };
      await stack.core.models.eventClaims.create({ _id: `${acct.accountId}:kb-crash`, event_id: eventId });
      await stack.core.models.outbox.create({ _id: eventId, event: orphan, created_at: orphan.created_at });
      expect(await stack.core.webhookDispatcher.drain()).toBe(0);
      expect(receiver.received).toHaveLength(0);
      expect(await stack.core.models.outbox.countDocuments({ _id: eventId })).toBe(1);

      // The retry: the same dedupe key lands on the same event, with the sequence number the entry holds.
      const envelope = await stack.core.events.append(acct.accountId, 'kb.synced', { agent_id: AGENT, doc_id: 'kb_01m8h42tj30fjmzbwschxe2qyy', version: 7 }, { dedupeKey: 'kb-crash' });
      expect(envelope.event_id).toBe(eventId);
      expect(envelope.sequence).toBe(1);
      await until('the delivery', () => receiver.received.length === 1, 30_000);
      await until('the outbox to empty', async () => (await stack.core.models.outbox.countDocuments({})) === 0, 30_000);
      expect(JSON.parse(receiver.received[0].body).event_id).toBe(eventId);
    } finally {
      await stack.stopWorker();
      await receiver.close();
    }
  }, 90_000);
});
