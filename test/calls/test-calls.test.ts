import { serveBusinessSite, BusinessSite } from '../support/business-site';
import { client, expectError } from '../support/http-client';
import { startStack, Stack, waitForOperation } from '../support/temporal-harness';
import type { CallExtractor } from '../../core/calls/call-types';

let stack: Stack;
let site: BusinessSite;
beforeAll(async () => {
  site = await serveBusinessSite();
  stack = await startStack({ label: 'test-calls' });
});
afterAll(async () => {
  await stack.close();
  await site.close();
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function provisioned(token: string, template = 'hvac_dispatch') {
  const accepted = await client(stack.baseUrl, token).post('/v2/agents', { payload: { name: 'Dispatch', platform: 'local', business_url: site.url, template_id: template } });
  return waitForOperation(stack.baseUrl, token, accepted.body.operation_id);
}

const HVAC_CALL = [
  { role: 'agent', text: 'Thanks for calling Northside Heating and Air, this is Sam. How can I help?' },
  { role: 'caller', text: 'Hi, my furnace stopped working last night and there is no heat in the house.' },
  { role: 'agent', text: 'I am sorry to hear that. Can I get your name please?' },
  { role: 'caller', text: 'Sure, my name is Maria Lopez.' },
  { role: 'agent', text: 'What is the best number to reach you?' },
  { role: 'caller', text: 'Five five five, two one two, four four three nine. And my card is 4242 4242 4242 4242 if you need it.' },
  { role: 'agent', text: 'And the service address?' },
  { role: 'caller', text: '1200 West Addison Street, Chicago, 60613.' },
  { role: 'agent', text: 'Thank you, I have booked a technician for tomorrow morning.' },
] as const;

describe('test calls take the production path: signed local notification → call workflow → record, transcript, extraction, events', () => {
  it('a test call ends with a call record, a masked transcript, extractions with evidence and the call events, once each', async () => {
    const acct = await stack.createAccount();
    const c = client(stack.baseUrl, acct.token);
    const op = await provisioned(acct.token);

    const accepted = await c.post(`/v2/agents/${op.agent_id}/test-calls`, { turns: HVAC_CALL, caller_number: '+13125550100' });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ object: 'call', agent_id: op.agent_id, status: 'queued', test: true, direction: 'inbound', from_number: '+13125550100' });
    const callId: string = accepted.body.id;
    expect(callId).toMatch(/^call_[0-9a-z]{26}$/);

    const call = await until('the call is analysed', async () => {
      const r = await c.get(`/v2/calls/${callId}`);
      return r.body.extraction_status === 'completed' ? r.body : undefined;
    });
    expect(call).toMatchObject({ status: 'completed', test: true, platform: 'local', to_number: op.phone_number, transcript_url: expect.stringContaining(`/v2/calls/${callId}/transcript`) });
    expect(call.duration_seconds).toBeGreaterThan(0);
    expect(call.cost.minutes).toBe(Math.ceil(call.duration_seconds / 60));

    const transcript = (await c.get(`/v2/calls/${callId}/transcript`)).body;
    expect(transcript).toMatchObject({ call_id: callId, masked: true });
    expect(transcript.turns).toHaveLength(HVAC_CALL.length);
    expect(transcript.turns[1]).toMatchObject({ role: 'caller', text: HVAC_CALL[1].text, start_seconds: expect.any(Number), end_seconds: expect.any(Number) });
    expect(JSON.stringify(transcript)).not.toContain('4242 4242 4242 4242');

    const extraction = (await c.get(`/v2/calls/${callId}/extractions`)).body;
    expect(extraction).toMatchObject({ call_id: callId, status: 'completed', extractor: expect.stringContaining('deterministic'), threshold: 0.7 });
    const field = (name: string) => extraction.fields.find((f: { name: string }) => f.name === name);
    expect(field('customer_name')).toMatchObject({ value: 'Maria Lopez', evidence: [{ turn: 3, quote: expect.stringContaining('Maria Lopez') }] });
    expect(field('callback_number').value).toBe('+15552124439');
    expect(field('issue_type').value).toBe('no_heat');
    // Never invented: the caller said nothing of the system's age.
    expect(field('system_age_years')).toMatchObject({ value: null, confidence: 0 });
    for (const f of extraction.fields) {
      for (const e of f.evidence) expect(transcript.turns[e.turn].text).toContain(e.quote);
    }

    const events = await until('the call events', async () => {
      const list = await stack.core.events.list(acct.accountId, { types: ['call.started', 'call.transcript_ready', 'call.completed', 'call.extractions_ready'], limit: 20 });
      return list.length >= 4 ? list : undefined;
    });
    expect(events.map((e) => e.event_type).sort()).toEqual(['call.completed', 'call.extractions_ready', 'call.started', 'call.transcript_ready']);
    const completed = events.find((e) => e.event_type === 'call.completed')!;
    expect(completed.data).toMatchObject({ call_id: callId, agent_id: op.agent_id, status: 'completed', test: true, caller_id: '+13125550100', disposition: call.disposition });
    const ready = events.find((e) => e.event_type === 'call.extractions_ready')!;
    expect((ready.data as { extractions: Record<string, { value: unknown }> }).extractions.customer_name.value).toBe('Maria Lopez');
    expect(JSON.stringify(events)).not.toContain('4242 4242');

    // Text and WebVTT by Accept.
    const text = await fetch(`${stack.baseUrl}/v2/calls/${callId}/transcript`, { headers: { authorization: `Bearer ${acct.token}`, accept: 'text/plain' } });
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    expect((await text.text()).split('\n')[1]).toBe(`Caller: ${HVAC_CALL[1].text}`);
    const vtt = await fetch(`${stack.baseUrl}/v2/calls/${callId}/transcript`, { headers: { authorization: `Bearer ${acct.token}`, accept: 'text/vtt' } });
    expect(vtt.headers.get('content-type')).toMatch(/^text\/vtt/);
    expect(await vtt.text()).toMatch(/^WEBVTT\n\n1\n00:00:00\.000 --> 00:00:04\.000\n<v Agent>Thanks for calling/);

    // The list shows it, filtered by agent and by time.
    const listed = (await c.get(`/v2/calls?agent_id=${op.agent_id}`)).body;
    expect(listed.data.map((x: { id: string }) => x.id)).toEqual([callId]);
    const since = new Date(Date.parse(call.started_at) - 60_000).toISOString();
    expect((await c.get(`/v2/calls?from=${since}&status=completed`)).body.data.map((x: { id: string }) => x.id)).toEqual([callId]);
    expect((await c.get(`/v2/calls?to=${new Date(Date.parse(call.started_at) - 60_000).toISOString()}`)).body.data).toEqual([]);
  });

  it('an agent overrides its template\'s extraction schema with PATCH: a new version, agent.updated, and its next calls use it', async () => {
    const acct = await stack.createAccount();
    const c = client(stack.baseUrl, acct.token);
    const op = await provisioned(acct.token);
    const extraction = {
      confidence_threshold: 0.95,
      fields: [
        { name: 'customer_name', type: 'string', required: true, description: 'Full name of the caller.' },
        { name: 'referral_source', type: 'enum', description: 'How the caller heard of us.', enum: ['google', 'friend', 'other'] },
      ],
    };
    const patched = await c.patch(`/v2/agents/${op.agent_id}`, { extraction });
    expect(patched.status).toBe(202);
    const update = await waitForOperation(stack.baseUrl, acct.token, patched.body.operation_id);
    expect(update).toMatchObject({ status: 'succeeded', changed_fields: ['extraction'] });
    const agent = (await c.get(`/v2/agents/${op.agent_id}`)).body;
    expect(agent.extraction).toMatchObject({ confidence_threshold: 0.95, fields: [{ name: 'customer_name' }, { name: 'referral_source', required: false }] });
    expect(agent.prompt_version).toBeGreaterThan(op.prompt_version ?? 1);
    const updated = await stack.core.events.list(acct.accountId, { types: ['agent.updated'], limit: 5 });
    expect(updated[0].data).toMatchObject({ agent_id: op.agent_id, changed_fields: expect.arrayContaining(['extraction']) });

    const callId = (await c.post(`/v2/agents/${op.agent_id}/test-calls`, { turns: HVAC_CALL })).body.id;
    const result = await until('the extraction', async () => {
      const r = (await c.get(`/v2/calls/${callId}/extractions`)).body;
      return r.status === 'completed' ? r : undefined;
    });
    expect(result.threshold).toBe(0.95);
    expect(result.fields.map((f: { name: string }) => f.name)).toEqual(expect.arrayContaining(['customer_name', 'callback_number', 'referral_source']));
    expect(result.fields.find((f: { name: string }) => f.name === 'referral_source')).toMatchObject({ value: null, confidence: 0 });

    // A bad schema is refused field by field and changes nothing.
    const bad = await c.patch(`/v2/agents/${op.agent_id}`, { extraction: { confidence_threshold: 2, fields: [{ name: 'Bad Name', type: 'enum', description: 'x' }] } });
    const err = expectError(bad, 400, 'VALIDATION_ERROR');
    expect(err.details.map((d: { field: string }) => d.field).sort()).toEqual(['extraction.confidence_threshold', 'extraction.fields.0.enum', 'extraction.fields.0.name']);
  });

  it('another account cannot see the call, and reads need calls:read', async () => {
    const acct = await stack.createAccount();
    const other = await stack.createAccount();
    const op = await provisioned(acct.token);
    const callId = (await client(stack.baseUrl, acct.token).post(`/v2/agents/${op.agent_id}/test-calls`, { turns: [{ role: 'caller', text: 'Hello?' }] })).body.id;
    const o = client(stack.baseUrl, other.token);
    for (const path of ['', '/transcript', '/extractions']) expectError(await o.get(`/v2/calls/${callId}${path}`), 404, 'NOT_FOUND');
    expect((await o.get('/v2/calls')).body.data).toEqual([]);
    expectError(await o.post(`/v2/agents/${op.agent_id}/test-calls`, { turns: [{ role: 'caller', text: 'Hi' }] }), 404, 'NOT_FOUND');
  });

  it('bad test-call bodies get field-level errors and start nothing', async () => {
    const acct = await stack.createAccount();
    const c = client(stack.baseUrl, acct.token);
    const op = await provisioned(acct.token);
    const bad = await c.post(`/v2/agents/${op.agent_id}/test-calls`, { turns: [{ role: 'robot', text: '' }], caller_number: '555' });
    const err = expectError(bad, 400, 'VALIDATION_ERROR');
    expect(err.details.map((d: { field: string }) => d.field).sort()).toEqual(['caller_number', 'turns.0.role', 'turns.0.text']);
    expect((await c.get('/v2/calls')).body.data).toEqual([]);
  });

  it('an extraction that gives up for good still completes and announces the call, its extraction marked failed', async () => {
    const failing = await startStack({ label: 'test-calls-failing', worker: false });
    try {
      const refusing: CallExtractor = {
        name: 'refusing',
        extract: () => Promise.reject(Object.assign(new Error('the model refused the request'), { name: 'ExtractionError', retryable: false })),
      };
      await failing.startWorkerWith({ extractor: refusing });
      const acct = await failing.createAccount();
      const c = client(failing.baseUrl, acct.token);
      const accepted = await c.post('/v2/agents', { payload: { name: 'Dispatch', platform: 'local', business_url: site.url, template_id: 'hvac_dispatch' } });
      const op = await waitForOperation(failing.baseUrl, acct.token, accepted.body.operation_id);
      const callId = (await c.post(`/v2/agents/${op.agent_id}/test-calls`, { turns: HVAC_CALL })).body.id;
      const call = await until('the call to settle', async () => {
        const r = (await c.get(`/v2/calls/${callId}`)).body;
        return r.extraction_status !== 'pending' ? r : undefined;
      });
      expect(call).toMatchObject({ status: 'completed', extraction_status: 'failed' });
      expect((await c.get(`/v2/calls/${callId}/extractions`)).body).toMatchObject({ status: 'failed', fields: [] });
      const completed = await until('call.completed', async () => {
        const [e] = await failing.core.events.list(acct.accountId, { types: ['call.completed'], limit: 5 });
        return e;
      });
      expect(completed.data).toMatchObject({ call_id: callId, status: 'completed', disposition: null });
      await expect(failing.client.workflow.getHandle(callId).result()).resolves.toMatchObject({ status: 'completed' });
    } finally {
      await failing.close();
    }
  });
});
