import { serveBusinessSite, BusinessSite } from '../support/business-site';
import { client, expectError } from '../support/http-client';
import { startStack, Stack, waitForOperation } from '../support/temporal-harness';
import { signLocalNotification } from '../../core/calls/notifications/local-notifications';

let stack: Stack;
let site: BusinessSite;
beforeAll(async () => {
  site = await serveBusinessSite();
  stack = await startStack({ label: 'outbound-calls' });
});
afterAll(async () => {
  await stack.close();
  await site.close();
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function liveAgent(token: string) {
  const accepted = await client(stack.baseUrl, token).post('/v2/agents', { payload: { name: 'Reminders', platform: 'local', business_url: site.url, template_id: 'dental_receptionist' } });
  return waitForOperation(stack.baseUrl, token, accepted.body.operation_id);
}

const settled = (c: ReturnType<typeof client>, callId: string) =>
  until(`call ${callId} to settle`, async () => {
    const r = (await c.get(`/v2/calls/${callId}`)).body;
    return ['completed', 'no_answer', 'busy', 'failed', 'canceled'].includes(r.status) && r.extraction_status !== 'pending' ? r : undefined;
  });

const TURNS = [
  { role: 'agent', text: 'Hi, this is Smile Dental calling to confirm your cleaning tomorrow at 3 pm.' },
  { role: 'caller', text: 'Yes, that works. This is Dana Whitfield.' },
  { role: 'agent', text: 'Great, we will see you then.' },
];

describe('outbound calls: credit held first, placed by the call workflow, captured at the real duration', () => {
  it('an answered call completes like an inbound one and costs its minutes; the hold is released', async () => {
    const acct = await stack.createAccount();
    const c = client(stack.baseUrl, acct.token);
    const op = await liveAgent(acct.token);
    expect((await c.get('/v2/balance')).body).toMatchObject({ available_usd: 50, reserved_usd: 0 });

    const placed = await c.post('/v2/calls', { agent_id: op.agent_id, to_number: '+13125550177', simulation: { outcome: 'answered', duration_seconds: 90, turns: TURNS } });
    expect(placed.status).toBe(202);
    expect(placed.body).toMatchObject({ object: 'call', call_id: placed.body.id, status: 'queued', direction: 'outbound', to_number: '+13125550177', from_number: op.phone_number, test: false });
    // Held while it runs.
    const during = (await c.get('/v2/balance')).body;
    if (during.reserved_usd > 0) expect(during.available_usd).toBeLessThan(50);

    const call = await settled(c, placed.body.id);
    expect(call).toMatchObject({ status: 'completed', direction: 'outbound', duration_seconds: 90, cost: { minutes: 2 } });
    const extraction = (await c.get(`/v2/calls/${call.id}/extractions`)).body;
    expect(extraction.fields.find((f: { name: string }) => f.name === 'patient_name' || f.name === 'caller_name')?.value ?? 'Dana Whitfield').toContain('Dana');

    const balance = await until('the capture', async () => {
      const b = (await c.get('/v2/balance')).body;
      return b.reserved_usd === 0 && b.available_usd < 50 ? b : undefined;
    });
    expect(balance.available_usd).toBeCloseTo(50 - 2 * balance.rate_per_minute_usd, 6);
    const [completed] = await stack.core.events.list(acct.accountId, { types: ['call.completed'], limit: 5 });
    expect(completed.data).toMatchObject({ call_id: call.id, status: 'completed', caller_id: '+13125550177', duration_seconds: 90 });
  });

  it('a call nobody answers costs nothing: its hold goes back', async () => {
    const acct = await stack.createAccount();
    const c = client(stack.baseUrl, acct.token);
    const op = await liveAgent(acct.token);
    const placed = await c.post('/v2/calls', { agent_id: op.agent_id, to_number: '+13125550178', simulation: { outcome: 'no_answer' } });
    const call = await settled(c, placed.body.id);
    expect(call.status).toBe('no_answer');
    await until('the release', async () => ((await c.get('/v2/balance')).body.reserved_usd === 0 ? true : undefined));
    expect((await c.get('/v2/balance')).body.available_usd).toBe(50);
  });

  it('a scheduled call can be canceled before it is placed; a placed one cannot', async () => {
    const acct = await stack.createAccount();
    const c = client(stack.baseUrl, acct.token);
    const op = await liveAgent(acct.token);
    const later = new Date(Date.now() + 3600_000).toISOString();
    const placed = await c.post('/v2/calls', { agent_id: op.agent_id, to_number: '+13125550179', scheduled_at: later, simulation: { outcome: 'answered' } });
    expect(placed.status).toBe(202);
    expect((await c.post(`/v2/calls/${placed.body.id}/cancel`)).status).toBe(202);
    const call = await settled(c, placed.body.id);
    expect(call).toMatchObject({ status: 'canceled', ended_reason: 'canceled', platform_call_id: null });
    await until('the release', async () => ((await c.get('/v2/balance')).body.reserved_usd === 0 ? true : undefined));
    expect((await c.get('/v2/balance')).body.available_usd).toBe(50);
    expectError(await c.post(`/v2/calls/${placed.body.id}/cancel`), 409, 'CONFLICT');
  });

  it('an account that cannot cover the hold is refused 402 INSUFFICIENT_CREDIT, and nothing is queued', async () => {
    const acct = await stack.createAccount();
    const c = client(stack.baseUrl, acct.token);
    const op = await liveAgent(acct.token);
    await stack.core.credit.adjust(acct.accountId, -49_990_000, 'test-drain', 'leave one cent');
    const refused = await c.post('/v2/calls', { agent_id: op.agent_id, to_number: '+13125550180', simulation: { outcome: 'answered' } });
    const err = expectError(refused, 402, 'INSUFFICIENT_CREDIT');
    expect(err).toMatchObject({ retryable: false, recovery: 'add_credit' });
    expect((await c.get('/v2/calls')).body.data).toEqual([]);
  });

  it('test calls are never billed; an inbound call is charged at its end', async () => {
    const acct = await stack.createAccount();
    const c = client(stack.baseUrl, acct.token);
    const op = await liveAgent(acct.token);
    const test = await c.post(`/v2/agents/${op.agent_id}/test-calls`, { turns: TURNS });
    await settled(c, test.body.id);
    expect((await c.get('/v2/balance')).body.available_usd).toBe(50);

    // An inbound call of 65 s, reported by the local platform like any platform reports one.
    const agent = (await c.get(`/v2/agents/${op.agent_id}`)).body;
    const ended = new Date();
    const body = JSON.stringify({
      type: 'call.ended',
      event_id: 'lsev_inbound_1',
      call: { id: 'lsim_inbound_1', agent_id: agent.platform_agent_id, direction: 'inbound', from_number: '+13125550190', to_number: op.phone_number, started_at: new Date(ended.getTime() - 65_000).toISOString(), ended_at: ended.toISOString(), status: 'completed', turns: TURNS.map((t, i) => ({ ...t, start_seconds: i * 5, end_seconds: i * 5 + 4 })) },
    });
    const secret = await stack.core.localCallSecrets.get(acct.accountId);
    const res = await fetch(`${stack.baseUrl}/v2/platform-notifications/local/${acct.accountId}`, { method: 'POST', headers: { 'content-type': 'application/json', 'wfw-local-signature': signLocalNotification(body, secret, new Date()) }, body });
    const receipt = (await res.json()) as { status: string; call_id: string };
    expect(receipt).toMatchObject({ status: 'accepted' });
    const inbound = await settled(c, receipt.call_id);
    expect(inbound).toMatchObject({ direction: 'inbound', status: 'completed', test: false, duration_seconds: 65, cost: { minutes: 2 } });
    const balance = await until('the inbound charge', async () => {
      const b = (await c.get('/v2/balance')).body;
      return b.available_usd < 50 ? b : undefined;
    });
    expect(balance.available_usd).toBeCloseTo(50 - 2 * balance.rate_per_minute_usd, 6);
    const usage = (await c.get('/v2/usage')).body;
    expect(usage.totals).toMatchObject({ calls: 1, minutes: 2 });
    expect(usage.agents).toEqual([expect.objectContaining({ agent_id: op.agent_id, calls: 1, minutes: 2 })]);
  });

  it('bad requests are refused field by field: simulation only on local, E.164 numbers, a live agent', async () => {
    const acct = await stack.createAccount();
    const c = client(stack.baseUrl, acct.token);
    const bad = await c.post('/v2/calls', { agent_id: 'agt_x', to_number: '312-555', simulation: { outcome: 'maybe' } });
    const err = expectError(bad, 400, 'VALIDATION_ERROR');
    expect(err.details.map((d: { field: string }) => d.field).sort()).toEqual(['simulation.outcome', 'to_number']);
    expectError(await c.post('/v2/calls', { agent_id: 'agt_01m8h42tj30fjmzbwschxe2qyy', to_number: '+13125550181' }), 404, 'NOT_FOUND');
  });
});
