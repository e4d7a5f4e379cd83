import { client } from '../support/http-client';
import { startStack, Stack } from '../support/temporal-harness';
import { startReceiver, until } from '../support/webhook-receiver';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    label: 'wh-final',
    config: { webhooks: { retryScheduleMs: [200, 400, 600, 800], retryAfterCapMs: 1000, timeoutMs: 5000, disableAfterSeconds: 3600, secretGraceSeconds: 3600 } },
  });
});
afterAll(() => stack.close());

let n = 0;
function kbSynced(accountId: string) {
  n++;
  return stack.core.events.append(accountId, 'kb.synced', { agent_id: 'agt_01m8h42tj30fjmzbwschxe2qyy', doc_id: 'kb_01m8h42tj30fjmzbwschxe2qyy', version: n }, { dedupeKey: `kb-final-${n}` });
}

const subscriptions = () => stack.db.connection.db!.collection('webhook_subscriptions');

/** Makes the stored signing secret unopenable (as a lost or wrong encryption key would), and undoes it. */
async function breakSecret(webhookId: string): Promise<() => Promise<void>> {
  const doc = await subscriptions().findOne({ _id: webhookId as never });
  const secrets = doc!.secrets;
  const broken = secrets.map((s: { sealed: { tag: string } }) => ({ ...s, sealed: { ...s.sealed, tag: Buffer.alloc(16, 1).toString('base64') } }));
  await subscriptions().updateOne({ _id: webhookId as never }, { $set: { secrets: broken } });
  return async () => {
    await subscriptions().updateOne({ _id: webhookId as never }, { $set: { secrets } });
  };
}

async function delivery(token: string, webhookId: string, ready: (d: any) => boolean, timeoutMs?: number) {
  return until(
    'the delivery',
    async () => {
      const c = client(stack.baseUrl, token);
      const d = (await c.get(`/v2/webhooks/${webhookId}/deliveries`)).body.data[0];
      if (!d) return undefined;
      const full = (await c.get(`/v2/webhooks/${webhookId}/deliveries/${d.id}`)).body;
      return ready(full) ? full : undefined;
    },
    timeoutMs,
  );
}

describe('webhook deliveries always end in a final status', () => {
  it('an attempt that cannot even be made (unreadable secret) ends the delivery failed, and a later replay runs', async () => {
    const receiver = await startReceiver();
    try {
      const acct = await stack.createAccount();
      const wh = (await client(stack.baseUrl, acct.token).post('/v2/webhooks', { url: receiver.url })).body;
      const restore = await breakSecret(wh.id);
      await kbSynced(acct.accountId);
      const failed = await delivery(acct.token, wh.id, (d) => d.status === 'failed');
      expect(failed).toMatchObject({ attempt_count: 0, last_error: expect.stringContaining('signing secret') });
      expect(failed.last_error).not.toMatch(/decipher|auth|tag/i);
      expect(receiver.received).toHaveLength(0);

      await restore();
      expect((await client(stack.baseUrl, acct.token).post(`/v2/webhooks/${wh.id}/deliveries/${failed.id}/retry`)).status).toBe(202);
      const done = await delivery(acct.token, wh.id, (d) => d.status === 'succeeded');
      expect(done.attempts).toMatchObject([{ number: 1, trigger: 'manual', http_status: 200 }]);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('a manual replay that could not record an attempt does not block the next one', async () => {
    const receiver = await startReceiver(() => ({ status: 500 }));
    try {
      const acct = await stack.createAccount();
      const c = client(stack.baseUrl, acct.token);
      const wh = (await c.post('/v2/webhooks', { url: receiver.url })).body;
      await kbSynced(acct.accountId);
      const failed = await delivery(acct.token, wh.id, (d) => d.status === 'failed');
      expect(failed.attempt_count).toBe(5);

      // The replay's attempt gives up before recording anything: attempt_count stays 5.
      const restore = await breakSecret(wh.id);
      expect((await c.post(`/v2/webhooks/${wh.id}/deliveries/${failed.id}/retry`)).status).toBe(202);
      const unrecorded = await delivery(acct.token, wh.id, (d) => d.status === 'failed' && /signing secret/.test(d.last_error ?? ''));
      expect(unrecorded.attempt_count).toBe(5);

      await restore();
      receiver.setResponder(() => ({ status: 200 }));
      expect((await c.post(`/v2/webhooks/${wh.id}/deliveries/${failed.id}/retry`)).status).toBe(202);
      const done = await delivery(acct.token, wh.id, (d) => d.status === 'succeeded');
      expect(done.attempt_count).toBe(6);
      expect(done.attempts[5]).toMatchObject({ number: 6, trigger: 'manual', http_status: 200 });
    } finally {
      await receiver.close();
    }
  });

  it('a delivery left in flight by a workflow that ended is replayed on request; one still in flight answers 409', async () => {
    const receiver = await startReceiver(() => ({ status: 500, delayMs: 1000 }));
    try {
      const acct = await stack.createAccount();
      const c = client(stack.baseUrl, acct.token);
      const wh = (await c.post('/v2/webhooks', { url: receiver.url })).body;
      await kbSynced(acct.accountId);
      await until('the first request', () => receiver.received.length >= 1);
      const inFlight = (await c.get(`/v2/webhooks/${wh.id}/deliveries`)).body.data[0];
      const busy = await c.post(`/v2/webhooks/${wh.id}/deliveries/${inFlight.id}/retry`);
      expect(busy.status).toBe(409);
      expect(busy.body.error).toMatchObject({ retryable: true, details: [{ issue: 'delivery_in_progress' }] });

      // The delivery's workflow ends without recording a final status (an operator's terminate,
      // or an older version that failed when its activity gave up).
      await stack.client.workflow.getHandle(inFlight.id).terminate('test: workflow gone');
      // The attempt's record and the delivery's status are two writes: wait for the second too.
      const wedged = await delivery(acct.token, wh.id, (d) => d.attempts.length === 1 && d.status !== 'pending');
      expect(wedged.status).toBe('retrying');

      receiver.setResponder(() => ({ status: 200, delayMs: 500 }));
      const [first, second] = await Promise.all([c.post(`/v2/webhooks/${wh.id}/deliveries/${inFlight.id}/retry`), c.post(`/v2/webhooks/${wh.id}/deliveries/${inFlight.id}/retry`)]);
      // Two replays at once: one runs, the other is told why not.
      expect([first.status, second.status].sort()).toEqual([202, 409]);
      const done = await delivery(acct.token, wh.id, (d) => d.status === 'succeeded');
      expect(done.attempts.map((a: { number: number; trigger: string }) => [a.number, a.trigger])).toEqual([[1, 'scheduled'], [2, 'manual']]);
    } finally {
      await receiver.close();
    }
  });
});
