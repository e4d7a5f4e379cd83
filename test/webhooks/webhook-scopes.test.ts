import { client, expectError } from '../support/http-client';
import { startStack, Stack } from '../support/temporal-harness';
import { startReceiver, until } from '../support/webhook-receiver';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    label: 'wh-scopes',
    config: { webhooks: { retryScheduleMs: [200, 400, 600, 800], retryAfterCapMs: 1000, timeoutMs: 2000, disableAfterSeconds: 3600, secretGraceSeconds: 3600 } },
  });
});
afterAll(() => stack.close());

async function credential(accountId: string, scopes: string[]) {
  const sa = await stack.core.serviceAccounts.create(accountId, { name: scopes.join('+'), scopes: scopes as never });
  return client(stack.baseUrl, sa.client_secret);
}

function missing(res: Awaited<ReturnType<ReturnType<typeof client>['get']>>, scope: string) {
  const err = expectError(res, 403, 'INSUFFICIENT_SCOPE');
  expect(err.details[0].required_scope).toBe(scope);
}

describe('webhook scopes', () => {
  it('a webhooks:manage-only credential cannot redirect, toggle, rotate, test or replay a call.* subscription', async () => {
    const receiver = await startReceiver();
    const attacker = await startReceiver();
    try {
      const acct = await stack.createAccount();
      const owner = client(stack.baseUrl, acct.token);
      const wh = (await owner.post('/v2/webhooks', { url: receiver.url, event_types: ['call.completed'] })).body;
      await stack.core.events.append(acct.accountId, 'call.completed', { call_id: 'call_1', agent_id: 'agt_01m8h42tj30fjmzbwschxe2qyy', status: 'completed', test: false, duration_seconds: 42, caller_id: '+14155550123', disposition: 'booked' }, { dedupeKey: 'call-1' });
      const delivery = await until('a succeeded delivery', async () => {
        const d = (await owner.get(`/v2/webhooks/${wh.id}/deliveries`)).body.data[0];
        return d?.status === 'succeeded' ? d : undefined;
      });

      const hooksOnly = await credential(acct.accountId, ['webhooks:manage']);
      // Reading the subscription is still fine: it shows no event data.
      expect((await hooksOnly.get(`/v2/webhooks/${wh.id}`)).status).toBe(200);
      missing(await hooksOnly.patch(`/v2/webhooks/${wh.id}`, { url: attacker.url }), 'calls:read');
      missing(await hooksOnly.patch(`/v2/webhooks/${wh.id}`, { enabled: false }), 'calls:read');
      missing(await hooksOnly.patch(`/v2/webhooks/${wh.id}`, { event_types: ['agent.activated'] }), 'calls:read');
      missing(await hooksOnly.post(`/v2/webhooks/${wh.id}/rotate-secret`), 'calls:read');
      missing(await hooksOnly.post(`/v2/webhooks/${wh.id}/test`), 'calls:read');
      missing(await hooksOnly.post(`/v2/webhooks/${wh.id}/deliveries/${delivery.id}/retry`), 'calls:read');
      const after = (await owner.get(`/v2/webhooks/${wh.id}`)).body;
      expect(after).toMatchObject({ url: receiver.url, enabled: true, event_types: ['call.completed'] });
      expect(attacker.received).toHaveLength(0);

      // With the scope the events need, the same changes go through.
      const callsToo = await credential(acct.accountId, ['webhooks:manage', 'calls:read']);
      expect((await callsToo.patch(`/v2/webhooks/${wh.id}`, { description: 'mine' })).status).toBe(200);
    } finally {
      await receiver.close();
      await attacker.close();
    }
  });

  it('a subscription to every type needs every scope; agent.* and kb.* need agents:read', async () => {
    const acct = await stack.createAccount();
    const all = (await client(stack.baseUrl, acct.token).post('/v2/webhooks', { url: 'http://127.0.0.1:9/hook' })).body;
    expect(all.event_types).toEqual([]);
    const narrower = await credential(acct.accountId, ['webhooks:manage', 'agents:read', 'calls:read']);
    missing(await narrower.patch(`/v2/webhooks/${all.id}`, { url: 'http://127.0.0.1:9/elsewhere' }), 'account:admin');

    const hooksOnly = await credential(acct.accountId, ['webhooks:manage']);
    missing(await hooksOnly.post('/v2/webhooks', { url: 'http://127.0.0.1:9/hook', event_types: ['kb.synced'] }), 'agents:read');
    missing(await hooksOnly.post('/v2/webhooks', { url: 'http://127.0.0.1:9/hook', event_types: ['agent.activated'] }), 'agents:read');
    // "All" for a credential that may see nothing is not "every type".
    missing(await hooksOnly.post('/v2/webhooks', { url: 'http://127.0.0.1:9/hook' }), 'agents:read');
    const kb = (await client(stack.baseUrl, acct.token).post('/v2/webhooks', { url: 'http://127.0.0.1:9/hook', event_types: ['kb.synced'] })).body;
    missing(await hooksOnly.patch(`/v2/webhooks/${kb.id}`, { url: 'http://127.0.0.1:9/elsewhere' }), 'agents:read');
    // Widening a subscription needs the scopes of the new types as well.
    const agentsOnly = await credential(acct.accountId, ['webhooks:manage', 'agents:read']);
    missing(await agentsOnly.patch(`/v2/webhooks/${kb.id}`, { event_types: ['kb.synced', 'call.started'] }), 'calls:read');
    expect((await agentsOnly.patch(`/v2/webhooks/${kb.id}`, { event_types: ['kb.synced', 'agent.updated'] })).body.event_types).toEqual(['kb.synced', 'agent.updated']);
  });
});
