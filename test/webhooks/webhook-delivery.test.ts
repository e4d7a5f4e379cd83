import { Webhook } from 'standardwebhooks';
import { client, expectError } from '../support/http-client';
import { startStack, Stack } from '../support/temporal-harness';
import { startReceiver, until } from '../support/webhook-receiver';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    label: 'webhooks',
    config: {
      webhooks: { retryScheduleMs: [200, 400, 600, 800], retryAfterCapMs: 5000, timeoutMs: 2000, disableAfterSeconds: 3600, secretGraceSeconds: 3600 },
    },
  });
});
afterAll(() => stack.close());

async function subscribe(token: string, url: string, extra: Record<string, unknown> = {}) {
  const res = await client(stack.baseUrl, token).post('/v2/webhooks', { url, ...extra });
  expect(res.status).toBe(201);
  return res.body as { id: string; secret: string };
}

let n = 0;
function activate(accountId: string, agentId = 'agt_01m8h42tj30fjmzbwschxe2qyy') {
  n++;
  return stack.core.events.append(accountId, 'agent.activated', { agent_id: agentId, operation_id: `op_test_${n}`, phone_number: '+14155550100', status: 'active', platform: 'local', provisioning_time_seconds: 3 }, { dedupeKey: `t:${n}:${Math.random()}`, agentId });
}

async function deliveryOf(token: string, webhookId: string, statuses: string[]) {
  return until(`a delivery in ${statuses}`, async () => {
    const list = await client(stack.baseUrl, token).get(`/v2/webhooks/${webhookId}/deliveries`);
    const d = list.body.data[0];
    if (!d || !statuses.includes(d.status)) return undefined;
    return (await client(stack.baseUrl, token).get(`/v2/webhooks/${webhookId}/deliveries/${d.id}`)).body;
  });
}

/** Once the outbox no longer holds the event, every delivery it makes exists and its workflow has started. */
function dispatched(target: Stack, eventId: string) {
  return until(`event ${eventId} dispatched`, async () => !(await target.core.models.outbox.exists({ _id: eventId })));
}

/** Waits until every delivery workflow of the subscription has ended: from then on nothing more is sent for it. */
async function settled(target: Stack, webhookId: string) {
  const deliveries = await target.core.models.webhookDeliveries.find({ subscription_id: webhookId }).lean<{ _id: string }[]>();
  await Promise.all(deliveries.map((d) => target.client.workflow.getHandle(d._id).result()));
  return deliveries.length;
}

describe('webhook delivery', () => {
  it('sends exactly the signed bytes, verifiable with the standardwebhooks library', async () => {
    const receiver = await startReceiver();
    try {
      const acct = await stack.createAccount();
      const wh = await subscribe(acct.token, receiver.url);
      expect(wh.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{43,}$/);
      const event = await activate(acct.accountId);
      const [req] = await until('one request', () => (receiver.received.length ? receiver.received : undefined));
      const verified = new Webhook(wh.secret).verify(req.body, { 'webhook-id': req.headers['webhook-id'] as string, 'webhook-timestamp': req.headers['webhook-timestamp'] as string, 'webhook-signature': req.headers['webhook-signature'] as string });
      expect(verified).toEqual({ webhook_id: wh.id, event_id: event.event_id, event_type: 'agent.activated', created_at: event.created_at, idempotency_key: req.headers['webhook-id'], data: event.data });
      expect(req.headers['content-type']).toBe('application/json');
      // A wrong secret must not verify: the check above can fail.
      expect(() => new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`).verify(req.body, req.headers as Record<string, string>)).toThrow();
      const d = await deliveryOf(acct.token, wh.id, ['succeeded']);
      expect(d).toMatchObject({ status: 'succeeded', attempt_count: 1, event_type: 'agent.activated', attempts: [{ number: 1, trigger: 'scheduled', http_status: 200 }] });
    } finally {
      await receiver.close();
    }
  });

  it('an endpoint that fails twice then succeeds gets exactly one success, on the third attempt, with one stable webhook-id', async () => {
    const receiver = await startReceiver((_r, i) => (i < 2 ? { status: 500, body: 'boom' } : { status: 204 }));
    try {
      const acct = await stack.createAccount();
      const wh = await subscribe(acct.token, receiver.url);
      await activate(acct.accountId);
      const d = await deliveryOf(acct.token, wh.id, ['succeeded']);
      expect(d.attempts.map((a: { http_status: number }) => a.http_status)).toEqual([500, 500, 204]);
      expect(d.attempts[0].response_body).toBe('boom');
      expect(await settled(stack, wh.id)).toBe(1);
      expect(receiver.received).toHaveLength(3);
      expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
      expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
      const verifier = new Webhook(wh.secret);
      for (const r of receiver.received) expect(() => verifier.verify(r.body, r.headers as Record<string, string>)).not.toThrow();
    } finally {
      await receiver.close();
    }
  });

  it('a dead endpoint gets exactly 5 attempts, then the delivery is failed, visible and replayable', async () => {
    const receiver = await startReceiver(() => ({ status: 503 }));
    try {
      const acct = await stack.createAccount();
      const wh = await subscribe(acct.token, receiver.url);
      await activate(acct.accountId);
      const d = await deliveryOf(acct.token, wh.id, ['failed']);
      expect(d.attempt_count).toBe(5);
      expect(d.attempts.map((a: { number: number }) => a.number)).toEqual([1, 2, 3, 4, 5]);
      // Each wait respects the configured schedule (200, 400, 600, 800 ms, jitter at most -20 %).
      const gaps = d.attempts.slice(1).map((a: { attempted_at: string }, i: number) => Date.parse(a.attempted_at) - Date.parse(d.attempts[i].attempted_at));
      [200, 400, 600, 800].forEach((ms, i) => expect(gaps[i]).toBeGreaterThanOrEqual(ms * 0.8 - 5));
      expect(await settled(stack, wh.id)).toBe(1);
      expect(receiver.received).toHaveLength(5);
      const failedList = await client(stack.baseUrl, acct.token).get(`/v2/webhooks/${wh.id}/deliveries?status=failed`);
      expect(failedList.body.data.map((x: { id: string }) => x.id)).toEqual([d.id]);

      receiver.setResponder(() => ({ status: 200 }));
      const replay = await client(stack.baseUrl, acct.token).post(`/v2/webhooks/${wh.id}/deliveries/${d.id}/retry`);
      expect(replay.status).toBe(202);
      const after = await deliveryOf(acct.token, wh.id, ['succeeded']);
      expect(after.attempts).toHaveLength(6);
      expect(after.attempts[5]).toMatchObject({ number: 6, trigger: 'manual', http_status: 200 });
    } finally {
      await receiver.close();
    }
  });

  it('410 Gone disables the subscription with the reason, and nothing more is sent', async () => {
    const receiver = await startReceiver(() => ({ status: 410 }));
    try {
      const acct = await stack.createAccount();
      const wh = await subscribe(acct.token, receiver.url);
      await activate(acct.accountId);
      await deliveryOf(acct.token, wh.id, ['failed']);
      const sub = (await client(stack.baseUrl, acct.token).get(`/v2/webhooks/${wh.id}`)).body;
      expect(sub).toMatchObject({ enabled: false, disabled_reason: expect.stringContaining('410') });
      const later = await activate(acct.accountId);
      // The later event has been dispatched, to no delivery: the disabled subscription got none.
      await dispatched(stack, later.event_id);
      expect(await settled(stack, wh.id)).toBe(1);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('honours Retry-After on 429 and never follows redirects', async () => {
    const answers: { status: number; headers?: Record<string, string> }[] = [
      { status: 429, headers: { 'retry-after': '2' } },
      { status: 302, headers: { location: 'http://127.0.0.1:1/elsewhere' } },
      { status: 200 },
    ];
    const receiver = await startReceiver((_r, i) => answers[Math.min(i, 2)]);
    try {
      const acct = await stack.createAccount();
      const wh = await subscribe(acct.token, receiver.url);
      await activate(acct.accountId);
      const d = await deliveryOf(acct.token, wh.id, ['succeeded']);
      expect(d.attempts.map((a: { http_status: number }) => a.http_status)).toEqual([429, 302, 200]);
      expect(receiver.received[1].at - receiver.received[0].at).toBeGreaterThanOrEqual(1900);
      expect(receiver.received.every((r) => r.path === '/hook')).toBe(true);
    } finally {
      await receiver.close();
    }
  });

  it('during a secret rotation signs with both secrets; each verifies on its own', async () => {
    const receiver = await startReceiver();
    try {
      const acct = await stack.createAccount();
      const wh = await subscribe(acct.token, receiver.url);
      const rotated = await client(stack.baseUrl, acct.token).post(`/v2/webhooks/${wh.id}/rotate-secret`);
      expect(rotated.body.secret).not.toBe(wh.secret);
      expect(rotated.body.secret_rotation_expires_at).not.toBeNull();
      await activate(acct.accountId);
      const [req] = await until('one request', () => (receiver.received.length ? receiver.received : undefined));
      expect((req.headers['webhook-signature'] as string).split(' ')).toHaveLength(2);
      for (const secret of [wh.secret, rotated.body.secret]) expect(() => new Webhook(secret).verify(req.body, req.headers as Record<string, string>)).not.toThrow();
    } finally {
      await receiver.close();
    }
  });

  it('filters by event type and agent, and keeps accounts apart', async () => {
    const receiver = await startReceiver();
    try {
      const a = await stack.createAccount('A');
      const b = await stack.createAccount('B');
      // Per-agent subscriptions must name one of the account's agents.
      const now = new Date();
      await stack.core.models.agents.collection.insertOne({ _id: 'agt_01m8h42tj30fjmzbwschxe2qz1', account_id: a.accountId, name: 'A1', status: 'active', platform: 'local', template_id: 'dental_receptionist', business_url: 'https://a.example', language: 'en', created_at: now, updated_at: now } as never);
      expectError(await client(stack.baseUrl, b.token).post('/v2/webhooks', { url: receiver.url, agent_id: 'agt_01m8h42tj30fjmzbwschxe2qz1' }), 404, 'NOT_FOUND');
      const onlyAgent = await subscribe(a.token, `${receiver.url}?sub=agent`, { agent_id: 'agt_01m8h42tj30fjmzbwschxe2qz1', event_types: ['agent.activated'] });
      const onlyDeleted = await subscribe(a.token, `${receiver.url}?sub=deleted`, { event_types: ['agent.deleted'] });
      const bHook = await subscribe(b.token, `${receiver.url}?sub=b`);
      const first = await activate(a.accountId, 'agt_01m8h42tj30fjmzbwschxe2qz1');
      const second = await activate(a.accountId, 'agt_01m8h42tj30fjmzbwschxe2qz2');
      // Both events dispatched and every delivery they made ended: what arrived is all that will.
      await dispatched(stack, first.event_id);
      await dispatched(stack, second.event_id);
      expect(await settled(stack, onlyAgent.id)).toBe(1);
      expect(await settled(stack, onlyDeleted.id)).toBe(0);
      expect(await settled(stack, bHook.id)).toBe(0);
      expect(receiver.received.map((r) => r.path)).toEqual(['/hook?sub=agent']);
      expect(JSON.parse(receiver.received[0].body).data.agent_id).toBe('agt_01m8h42tj30fjmzbwschxe2qz1');
      // B sees none of A's subscriptions or deliveries.
      const asB = client(stack.baseUrl, b.token);
      expectError(await asB.get(`/v2/webhooks/${onlyAgent.id}`), 404, 'NOT_FOUND');
      expectError(await asB.get(`/v2/webhooks/${onlyAgent.id}/deliveries`), 404, 'NOT_FOUND');
      expect((await asB.get('/v2/webhooks')).body.data.map((w: { id: string }) => w.id)).toEqual([bHook.id]);
    } finally {
      await receiver.close();
    }
  });

  it('carries only the event types the creating credentials may see', async () => {
    const acct = await stack.createAccount();
    const hooksOnly = await stack.core.serviceAccounts.create(acct.accountId, { name: 'hooks', scopes: ['webhooks:manage', 'agents:read'] });
    const c = client(stack.baseUrl, hooksOnly.client_secret);
    const err = expectError(await c.post('/v2/webhooks', { url: 'http://127.0.0.1:9/hook', event_types: ['call.completed'] }), 403, 'INSUFFICIENT_SCOPE');
    expect(err.details[0].required_scope).toBe('calls:read');
    const all = (await c.post('/v2/webhooks', { url: 'http://127.0.0.1:9/hook' })).body;
    expect(all.event_types).toContain('agent.activated');
    expect(all.event_types).not.toContain('call.completed');
    expect(all.event_types).not.toContain('credit.low');
    // Full-scope credentials get "all" as such.
    expect((await client(stack.baseUrl, acct.token).post('/v2/webhooks', { url: 'http://127.0.0.1:9/hook' })).body.event_types).toEqual([]);
  });

  it('rejects unusable URLs, and sends a signed test event on request', async () => {
    const receiver = await startReceiver();
    try {
      const acct = await stack.createAccount();
      const c = client(stack.baseUrl, acct.token);
      expectError(await c.post('/v2/webhooks', { url: 'ftp://example.com/hook' }), 400, 'VALIDATION_ERROR');
      expectError(await c.post('/v2/webhooks', { url: receiver.url, event_types: ['agent.exploded'] }), 400, 'VALIDATION_ERROR');
      const wh = await subscribe(acct.token, receiver.url);
      const test = await c.post(`/v2/webhooks/${wh.id}/test`);
      expect(test.status).toBe(202);
      const [req] = await until('test delivery', () => (receiver.received.length ? receiver.received : undefined));
      const body = new Webhook(wh.secret).verify(req.body, req.headers as Record<string, string>) as { event_type: string };
      expect(body.event_type).toBe('webhook.test');
    } finally {
      await receiver.close();
    }
  });
});

describe('auto-disable', () => {
  it('disables a subscription whose deliveries keep failing longer than the configured span', async () => {
    const short = await startStack({ label: 'wh-disable', config: { webhooks: { retryScheduleMs: [300, 600, 900, 1200], retryAfterCapMs: 1000, timeoutMs: 2000, disableAfterSeconds: 1, secretGraceSeconds: 60 } } });
    const receiver = await startReceiver(() => ({ status: 500 }));
    try {
      const acct = await short.createAccount();
      const wh = (await client(short.baseUrl, acct.token).post('/v2/webhooks', { url: receiver.url })).body;
      await short.core.events.append(acct.accountId, 'credit.low', { account_id: acct.accountId, available_usd: 1, threshold_usd: 5, threshold_percent: 5 }, { dedupeKey: 'credit-1' });
      const sub = await until('disabled', async () => {
        const s = (await client(short.baseUrl, acct.token).get(`/v2/webhooks/${wh.id}`)).body;
        return s.enabled ? undefined : s;
      });
      expect(sub.disabled_reason).toMatch(/failing since/);
      expect(sub.failing_since).not.toBeNull();
      // Once the delivery workflow has ended nothing more can be sent; then the count is exact: the
      // attempts up to the first one more than disableAfterSeconds (1 s) after the first failure,
      // which is the one that disabled the subscription, and none after it.
      expect(await settled(short, wh.id)).toBe(1);
      const [delivery] = (await client(short.baseUrl, acct.token).get(`/v2/webhooks/${wh.id}/deliveries`)).body.data;
      const attempts = (await client(short.baseUrl, acct.token).get(`/v2/webhooks/${wh.id}/deliveries/${delivery.id}`)).body.attempts as { attempted_at: string }[];
      const failingSince = Date.parse(sub.failing_since);
      expect(Date.parse(attempts[0].attempted_at)).toBe(failingSince);
      const disabling = attempts.findIndex((a) => Date.parse(a.attempted_at) - failingSince > 1000);
      expect(disabling).toBeGreaterThan(0);
      expect(attempts).toHaveLength(disabling + 1);
      expect(receiver.received).toHaveLength(disabling + 1);
      // The schedule would have made 5; the disabling came before the last (0.3 + 0.6 + 0.9 s, -20 % jitter, > 1 s).
      expect(disabling + 1).toBeLessThan(5);
    } finally {
      await receiver.close();
      await short.close();
    }
  });
});
