import { AgentDeployment, OutboundCallRequest, PlatformCredentials, PlatformError } from '../../core/platforms/platform-adapter';
import { VapiPlatformAdapter } from '../../core/platforms/vapi-platform-adapter';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { VapiFake } from '../support/contract-fakes/vapi-fake';
import { WEBSITE_DATA_NOTICE } from '../../core/generation/website-data-fence';

const ASSISTANTS = /^\/assistant$/;
const ASSISTANT = /^\/assistant\/[^/]+$/;
const PHONES = /^\/phone-number$/;
const PHONE = /^\/phone-number\/[^/]+$/;

function deployment(overrides: Partial<AgentDeployment> = {}): AgentDeployment {
  return {
    name: 'Northside Plumbing after-hours dispatcher line',
    system_prompt: 'You answer calls for Northside Plumbing.',
    first_message: 'Northside Plumbing, what is the emergency?',
    language: 'en-US',
    knowledge_base: [
      { key: 'area', title: 'Service area', content: 'North Chicago and Evanston.' },
      { key: 'fees', title: 'Call-out fee', content: '$89 after 6pm.' },
    ],
    dedupe_token: 'op_vapi_create',
    ...overrides,
  };
}

describe('Vapi adapter against the documented API contract', () => {
  const fake = new VapiFake();
  const adapter = new VapiPlatformAdapter({ timeoutMs: 5000 });
  let credentials: PlatformCredentials;

  beforeAll(async () => {
    credentials = { api_key: fake.apiKey, base_url: await fake.start() };
  });
  afterAll(() => fake.stop());
  afterEach(() => {
    expect(fake.server.violations).toEqual([]);
  });

  it('creates an assistant with the system prompt (knowledge inlined), greeting, voice and dedupe metadata in the documented fields', async () => {
    const deployed = await adapter.createAgent(credentials, deployment());

    expect(deployed).toEqual({ platform: 'vapi', platform_agent_id: expect.any(String), knowledge_base_ids: [] });
    const create = fake.server.last('POST', ASSISTANTS);
    expect(create.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(create.json).toEqual({
      // Vapi caps names at 40 characters.
      name: 'Northside Plumbing after-hours dispatche',
      firstMessage: 'Northside Plumbing, what is the emergency?',
      model: {
        provider: 'openai',
        model: 'gpt-4o',
        messages: [
          {
            role: 'system',
            content: [
              'You answer calls for Northside Plumbing.',
              '',
              '# Reference information',
              WEBSITE_DATA_NOTICE,
              '',
              '<website_data>',
              '## Service area\nNorth Chicago and Evanston.\n\n## Call-out fee\n$89 after 6pm.',
              '</website_data>',
            ].join('\n'),
          },
        ],
      },
      voice: { provider: 'vapi', voiceId: 'Elliot' },
      transcriber: { provider: 'deepgram', language: 'en-US' },
      metadata: { wfw_dedupe_token: 'op_vapi_create', wfw_name: 'Northside Plumbing after-hours dispatcher line' },
    });
    expect(fake.assistants.get(deployed.platform_agent_id)?.firstMessage).toBe('Northside Plumbing, what is the emergency?');
  });

  it('looks the assistant up by its dedupe metadata before creating, so a retry makes no second assistant', async () => {
    const first = await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_vapi_repeat' }));
    const creates = fake.server.count('POST', ASSISTANTS);
    const second = await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_vapi_repeat' }));

    expect(second).toEqual(first);
    expect(fake.server.count('POST', ASSISTANTS)).toBe(creates);
    const list = fake.server.last('GET', ASSISTANTS);
    expect(list.query.get('limit')).toBe('1000');
  });

  it('updates the assistant in place', async () => {
    const created = await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_vapi_update_base' }));
    const updated = await adapter.updateAgent(
      credentials,
      created.platform_agent_id,
      deployment({ dedupe_token: 'op_vapi_update', system_prompt: 'Updated prompt.', knowledge_base: [], voice: '11labs:voice_xyz', language: 'es' }),
    );

    expect(updated.platform_agent_id).toBe(created.platform_agent_id);
    const patch = fake.server.last('PATCH', ASSISTANT);
    expect(patch.path).toBe(`/assistant/${created.platform_agent_id}`);
    expect(patch.json).toMatchObject({
      model: { provider: 'openai', model: 'gpt-4o', messages: [{ role: 'system', content: 'Updated prompt.' }] },
      voice: { provider: '11labs', voiceId: 'voice_xyz' },
      transcriber: { provider: 'deepgram', language: 'es' },
      metadata: { wfw_dedupe_token: 'op_vapi_update' },
    });
    expect(fake.assistants.get(created.platform_agent_id)?.model?.messages?.[0]?.content).toBe('Updated prompt.');
  });

  it('reports an update of a missing assistant as not_found', async () => {
    await expect(adapter.updateAgent(credentials, '00000000-0000-0000-0000-000000000000', deployment())).rejects.toMatchObject({
      code: 'not_found',
      retryable: false,
    });
  });

  it('imports the Twilio number with the assistant once, then re-points it with a PATCH', async () => {
    const one = await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_vapi_phone_1' }));
    const two = await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_vapi_phone_2' }));
    const phone = { e164: '+13125550147', telephony: 'twilio', telephony_credentials: { account_sid: 'AC999', auth_token: 'tw-token' } };

    await adapter.attachPhoneNumber(credentials, one.platform_agent_id, phone);
    expect(fake.server.last('POST', PHONES).json).toEqual({
      provider: 'twilio',
      number: '+13125550147',
      twilioAccountSid: 'AC999',
      twilioAuthToken: 'tw-token',
      assistantId: one.platform_agent_id,
      name: '+13125550147',
    });

    const imports = fake.server.count('POST', PHONES);
    await adapter.attachPhoneNumber(credentials, one.platform_agent_id, phone);
    expect(fake.server.count('POST', PHONES)).toBe(imports);
    expect(fake.server.count('PATCH', PHONE)).toBe(0);

    await adapter.attachPhoneNumber(credentials, two.platform_agent_id, phone);
    expect(fake.server.last('PATCH', PHONE).json).toEqual({ provider: 'twilio', assistantId: two.platform_agent_id });
    expect([...fake.phoneNumbers.values()].find((p) => p.number === '+13125550147')?.assistantId).toBe(two.platform_agent_id);
  });

  it('deletes the assistant, and a second delete succeeds although Vapi answers 404', async () => {
    const created = await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_vapi_delete' }));
    await adapter.deleteAgent(credentials, created);
    expect(fake.assistants.has(created.platform_agent_id)).toBe(false);
    const deletes = fake.server.count('DELETE', ASSISTANT);
    await expect(adapter.deleteAgent(credentials, created)).resolves.toBeUndefined();
    expect(fake.server.count('DELETE', ASSISTANT)).toBe(deletes + 1);
  });

  it('maps a bad API key to a non-retryable unauthorized error without echoing the key', async () => {
    const err = await adapter.createAgent({ ...credentials, api_key: 'not-the-key-1234' }, deployment()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect(err).toMatchObject({ platform: 'vapi', code: 'unauthorized', retryable: false, status: 401 });
    expect((err as Error).message).not.toContain('not-the-key-1234');
  });

  it('maps a 500 to a retryable unavailable error and a 422 to invalid_request', async () => {
    fake.server.failNext({ status: 500, body: { message: 'Internal server error', statusCode: 500 } });
    await expect(adapter.createAgent(credentials, deployment({ dedupe_token: 'op_vapi_500' }))).rejects.toMatchObject({
      code: 'unavailable',
      retryable: true,
    });
    fake.server.failNext({ status: 422, body: { message: ['voice.voiceId must be a string'], error: 'Unprocessable Entity', statusCode: 422 } });
    const err = await adapter.updateAgent(credentials, 'x', deployment()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid_request', retryable: false, status: 422 });
    expect((err as Error).message).toContain('voice.voiceId must be a string');
  });

  it('the fake rejects a body that breaks the documented contract', async () => {
    const res = await fetch(`${credentials.base_url}/assistant`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fake.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(41), first_message: 'snake case is not Vapi' }),
    });
    expect(res.status).toBe(400);
    expect(fake.server.violations.splice(0)).toHaveLength(1);
  });

  it('points the assistant’s server messages at our route, with the secret in the documented X-Vapi-Secret header', async () => {
    const notifications = { url: 'https://api.example.com/v2/platform-notifications/vapi', secret: 'vapi-server-secret-5f0c1e2d3b4a' };
    const created = await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_vapi_notify', notifications }));
    expect(fake.server.last('POST', ASSISTANTS).json).toMatchObject({
      server: { url: notifications.url, headers: { 'x-vapi-secret': notifications.secret } },
      serverMessages: ['end-of-call-report', 'status-update'],
    });
    await adapter.updateAgent(credentials, created.platform_agent_id, deployment({ dedupe_token: 'op_vapi_notify', notifications: { url: notifications.url, secret: null } }));
    const patch = fake.server.last('PATCH', ASSISTANT).json as Record<string, unknown>;
    expect(patch.server).toEqual({ url: notifications.url });
    expect(patch.serverMessages).toEqual(['end-of-call-report', 'status-update']);
    // Without a notification target nothing about servers is sent.
    await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_vapi_quiet' }));
    expect(fake.server.last('POST', ASSISTANTS).json).not.toHaveProperty('server');
  });

  it('with a notification URL and secret, serves knowledge from our route in the documented custom-knowledge-base mode: no documents in the prompt', async () => {
    const notifications = { url: 'https://api.example.com/v2/platform-notifications/vapi/acct_01kbkz4x7m3q9r2s5t6v8w0y2a', secret: 'vapi-server-secret-5f0c1e2d3b4a' };
    const created = await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_vapi_kb_server', notifications }));

    const model = (fake.server.last('POST', ASSISTANTS).json as { model: { messages: { content: string }[]; knowledgeBase: unknown } }).model;
    // CreateCustomKnowledgeBaseDTO inline on the model; the same X-Vapi-Secret header as the notifications.
    expect(model.knowledgeBase).toEqual({
      provider: 'custom-knowledge-base',
      server: { url: `${notifications.url}/knowledge-base`, headers: { 'x-vapi-secret': notifications.secret } },
    });
    const prompt = model.messages[0]!.content;
    expect(prompt.startsWith('You answer calls for Northside Plumbing.')).toBe(true);
    expect(prompt).toContain('knowledge base');
    expect(prompt).not.toContain('North Chicago and Evanston.');
    expect(prompt).not.toContain('$89 after 6pm.');
    expect(prompt).not.toContain('<website_data>');

    // A KB sync in this mode is the same PATCH again, whatever the documents: idempotent.
    const edited = deployment({ dedupe_token: 'op_vapi_kb_server', notifications, knowledge_base: [{ key: 'fees', title: 'Call-out fee', content: '$99 after 6pm.' }] });
    await adapter.updateAgent(credentials, created.platform_agent_id, edited);
    await adapter.updateAgent(credentials, created.platform_agent_id, edited);
    const patches = fake.server.requests.filter((r) => r.method === 'PATCH' && r.path === `/assistant/${created.platform_agent_id}`);
    expect(patches).toHaveLength(2);
    expect(patches[0]!.json).toEqual(patches[1]!.json);
    expect((patches[0]!.json as { model: unknown }).model).toEqual(model);
    expect(fake.assistants.get(created.platform_agent_id)?.model?.knowledgeBase?.server.url).toBe(`${notifications.url}/knowledge-base`);

    // No secret to authenticate the request with: knowledge inline, as without a public URL.
    await adapter.updateAgent(credentials, created.platform_agent_id, deployment({ dedupe_token: 'op_vapi_kb_server', notifications: { url: notifications.url, secret: null } }));
    const inline = (fake.server.last('PATCH', ASSISTANT).json as { model: { messages: { content: string }[] } }).model;
    expect(inline).not.toHaveProperty('knowledgeBase');
    expect(inline.messages[0]!.content).toContain('North Chicago and Evanston.');
  });

  it('fetches a call with GET /call/{id} and normalises it as the end-of-call report is', async () => {
    const recorded = JSON.parse(readFileSync(path.join(__dirname, '../fixtures/platform-notifications/vapi/get-call.json'), 'utf8')) as { id: string };
    fake.calls.set(recorded.id, recorded);
    const call = await adapter.getCall(credentials, recorded.id);
    expect(fake.server.last('GET', /^\/call\//).path).toBe(`/call/${recorded.id}`);
    expect(call).toEqual({
      platform: 'vapi',
      platform_call_id: recorded.id,
      platform_agent_id: '8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c2d',
      direction: 'inbound',
      status: 'completed',
      from_number: '+13125550166',
      to_number: '+13125550147',
      started_at: new Date('2026-12-03T12:00:00.512Z'),
      ended_at: new Date('2026-12-03T12:00:44.012Z'),
      duration_seconds: 43.5,
      cost_usd: 0.0712,
      recording_url: 'https://storage.vapi.ai/6f7c2d1e-recording.wav',
      turns: [
        { role: 'agent', text: 'Northside Plumbing, what is the emergency?', start_seconds: 0.49, end_seconds: 0.49 + 2.4 },
        { role: 'caller', text: 'A pipe burst under my kitchen sink.', start_seconds: 3.69, end_seconds: 3.69 + 2.5 },
      ],
      analysis: { summary: 'Burst pipe; plumber dispatched.', successful: true, data: { issue: 'burst pipe' } },
      ended_reason: 'customer-ended-call',
    });
    await expect(adapter.getCall(credentials, '00000000-0000-0000-0000-00000000dead')).resolves.toBeNull();
  });
});

describe('Vapi placeCall against the documented create-call contract', () => {
  const CALLS = /^\/call$/;
  const fake = new VapiFake();
  const adapter = new VapiPlatformAdapter({ timeoutMs: 5000 });
  let credentials: PlatformCredentials;
  let assistantId: string;
  let phoneNumberId: string;
  const from = '+13125550148';

  beforeAll(async () => {
    credentials = { api_key: fake.apiKey, base_url: await fake.start() };
    assistantId = (await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_vapi_outbound' }))).platform_agent_id;
    await adapter.attachPhoneNumber(credentials, assistantId, {
      e164: from,
      telephony: 'twilio',
      telephony_credentials: { account_sid: 'AC999', auth_token: 'tw-token' },
    });
    phoneNumberId = [...fake.phoneNumbers.values()].find((p) => p.number === from)!.id;
  });
  afterAll(() => fake.stop());
  afterEach(() => {
    expect(fake.server.violations).toEqual([]);
  });

  function request(token: string, overrides: Partial<OutboundCallRequest> = {}): OutboundCallRequest {
    return { platform_agent_id: assistantId, from_number: from, to_number: '+17735550190', variables: { customer_name: 'Grace' }, dedupe_token: token, ...overrides };
  }

  it('finds the phone-number ID by its E.164 and creates the call with the variables and our call ID in the overrides', async () => {
    const placed = await adapter.placeCall(credentials, request('call_vapi_1'));

    const lookup = fake.server.last('GET', CALLS);
    expect(Object.fromEntries(lookup.query)).toEqual({ assistantId, phoneNumberId, limit: '100' });
    const sent = fake.server.last('POST', CALLS);
    expect(sent.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(sent.json).toEqual({
      assistantId,
      phoneNumberId,
      customer: { number: '+17735550190' },
      assistantOverrides: { variableValues: { customer_name: 'Grace' }, metadata: { wfw_call_id: 'call_vapi_1' } },
    });
    expect(placed).toEqual({ platform_call_id: fake.placedCallIds.at(-1) });
  });

  it('a retry with the same call ID returns the call already created and does not dial again', async () => {
    const first = await adapter.placeCall(credentials, request('call_vapi_retry'));
    await adapter.placeCall(credentials, request('call_vapi_other'));
    const dials = fake.server.count('POST', CALLS);
    const second = await adapter.placeCall(credentials, request('call_vapi_retry'));
    expect(second).toEqual(first);
    expect(fake.server.count('POST', CALLS)).toBe(dials);
  });

  it('uses a given phone-number ID without listing the numbers, and refuses a number Vapi has not imported', async () => {
    const lists = fake.server.count('GET', PHONES);
    await adapter.placeCall(credentials, request('call_vapi_id', { from_number_id: phoneNumberId }));
    expect(fake.server.count('GET', PHONES)).toBe(lists);

    const dials = fake.server.count('POST', CALLS);
    await expect(adapter.placeCall(credentials, request('call_vapi_noimport', { from_number: '+13125550999' }))).rejects.toMatchObject({
      platform: 'vapi',
      code: 'invalid_request',
      retryable: false,
    });
    expect(fake.server.count('POST', CALLS)).toBe(dials);
  });

  it('maps a 4xx from POST /call to a non-retryable error and a 5xx to a retryable one', async () => {
    fake.server.failOn('POST', CALLS, { status: 400, body: { message: ['customer.number must be a valid phone number in the E.164 format.'], error: 'Bad Request', statusCode: 400 } });
    const invalid = await adapter.placeCall(credentials, request('call_vapi_400')).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(PlatformError);
    expect(invalid).toMatchObject({ platform: 'vapi', code: 'invalid_request', retryable: false, status: 400 });
    expect((invalid as Error).message).toContain('E.164');

    fake.server.failOn('POST', CALLS, { status: 502, body: { message: 'Bad Gateway', statusCode: 502 } });
    await expect(adapter.placeCall(credentials, request('call_vapi_502'))).rejects.toMatchObject({ code: 'unavailable', retryable: true, status: 502 });

    await expect(adapter.placeCall({ ...credentials, api_key: 'not-the-key-1234' }, request('call_vapi_401'))).rejects.toMatchObject({
      code: 'unauthorized',
      retryable: false,
    });
  });

  it('the fake rejects a create-call body that breaks the documented contract', async () => {
    const res = await fetch(`${credentials.base_url}/call`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fake.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ assistantId, phoneNumberId, customer: { number: '+17735550190' }, metadata: { wfw_call_id: 'x' } }),
    });
    expect(res.status).toBe(400);
    expect(fake.server.violations.splice(0)).toHaveLength(1);
  });
});
