import { ElevenLabsPlatformAdapter } from '../../core/platforms/elevenlabs-platform-adapter';
import { AgentDeployment, OutboundCallRequest, PlatformCredentials, PlatformError } from '../../core/platforms/platform-adapter';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ElevenLabsFake } from '../support/contract-fakes/elevenlabs-fake';

const CREATE = /^\/v1\/convai\/agents\/create$/;
const AGENT = /^\/v1\/convai\/agents\/[^/]+$/;
const KB_TEXT = /^\/v1\/convai\/knowledge-base\/text$/;
const KB_DOC = /^\/v1\/convai\/knowledge-base\/[^/]+$/;
const PHONES = /^\/v1\/convai\/phone-numbers$/;
const PHONE = /^\/v1\/convai\/phone-numbers\/[^/]+$/;

function deployment(overrides: Partial<AgentDeployment> = {}): AgentDeployment {
  return {
    name: 'Bright Smile Dental receptionist',
    system_prompt: 'You are the receptionist of Bright Smile Dental. Be brief and friendly.',
    first_message: 'Thanks for calling Bright Smile Dental, how can I help?',
    voice: 'voice_abc123',
    language: 'en-US',
    knowledge_base: [
      { key: 'hours', title: 'Opening hours', content: 'Mon-Fri 8am-6pm, Sat 9am-1pm.' },
      { key: 'services', title: 'Services', content: 'Cleanings, fillings, whitening, implants.' },
    ],
    dedupe_token: 'op_01j9zq6k8m3v4w5x6y7z8a9b0c',
    ...overrides,
  };
}

describe('ElevenLabs adapter against the documented API contract', () => {
  const fake = new ElevenLabsFake();
  const adapter = new ElevenLabsPlatformAdapter({ timeoutMs: 5000 });
  let credentials: PlatformCredentials;

  beforeAll(async () => {
    credentials = { api_key: fake.apiKey, base_url: await fake.start() };
  });
  afterAll(() => fake.stop());
  afterEach(() => {
    // Every request the client made must have matched the documented contract.
    expect(fake.server.violations).toEqual([]);
  });

  it('creates knowledge documents and an agent whose prompt, greeting, language and voice land in the documented fields', async () => {
    const deployed = await adapter.createAgent(credentials, deployment());

    expect(deployed.platform).toBe('elevenlabs');
    expect(fake.agents.has(deployed.platform_agent_id)).toBe(true);
    expect(deployed.knowledge_base_ids).toHaveLength(2);

    const docBodies = fake.server.matching('POST', KB_TEXT).map((r) => r.json);
    expect(docBodies).toEqual([
      // The operation's prefix, the document's key and a hash of its content, then its title.
      { text: 'Mon-Fri 8am-6pm, Sat 9am-1pm.', name: expect.stringMatching(/^\[wfw op_01j9zq6k8m3v4w5x6y7z8a9b0c\/hours#[0-9a-f]{12}\] Opening hours$/) },
      { text: 'Cleanings, fillings, whitening, implants.', name: expect.stringMatching(/^\[wfw op_01j9zq6k8m3v4w5x6y7z8a9b0c\/services#[0-9a-f]{12}\] Services$/) },
    ]);

    const create = fake.server.last('POST', CREATE);
    expect(create.headers['xi-api-key']).toBe(fake.apiKey);
    expect(create.headers['content-type']).toMatch(/^application\/json/);
    expect(create.json).toEqual({
      name: 'Bright Smile Dental receptionist [wfw op_01j9zq6k8m3v4w5x6y7z8a9b0c]',
      tags: ['wfw:op_01j9zq6k8m3v4w5x6y7z8a9b0c'],
      conversation_config: {
        agent: {
          first_message: 'Thanks for calling Bright Smile Dental, how can I help?',
          language: 'en',
          prompt: {
            prompt: 'You are the receptionist of Bright Smile Dental. Be brief and friendly.',
            knowledge_base: deployed.knowledge_base_ids.map((id) => ({ type: 'text', id, name: fake.documents.get(id)!.name })),
          },
        },
        tts: { voice_id: 'voice_abc123' },
      },
    });
  });

  it('returns the existing agent for a repeated dedupe token instead of creating a second one', async () => {
    const token = 'op_dedupe_repeat';
    const first = await adapter.createAgent(credentials, deployment({ dedupe_token: token }));
    const creates = fake.server.count('POST', CREATE);
    const docs = fake.server.count('POST', KB_TEXT);

    const second = await adapter.createAgent(credentials, deployment({ dedupe_token: token }));

    expect(second).toEqual(first);
    expect(fake.server.count('POST', CREATE)).toBe(creates);
    expect(fake.server.count('POST', KB_TEXT)).toBe(docs);
    expect([...fake.agents.values()].filter((a) => a.tags.includes(`wfw:${token}`))).toHaveLength(1);
  });

  it('a retry after the agent create failed reuses the documents the first attempt made', async () => {
    const token = 'op_kb_reuse';
    const docsBefore = fake.server.count('POST', KB_TEXT);
    fake.server.failOn('POST', CREATE, { status: 500, body: { detail: 'Internal Server Error' } });
    await expect(adapter.createAgent(credentials, deployment({ dedupe_token: token }))).rejects.toMatchObject({ code: 'unavailable' });
    expect(fake.server.count('POST', KB_TEXT)).toBe(docsBefore + 2);

    const retried = await adapter.createAgent(credentials, deployment({ dedupe_token: token }));
    expect(fake.server.count('POST', KB_TEXT)).toBe(docsBefore + 2);
    expect(retried.knowledge_base_ids).toHaveLength(2);
    expect(fake.agents.get(retried.platform_agent_id)?.conversation_config.agent?.prompt?.knowledge_base?.map((k) => k.id)).toEqual(
      retried.knowledge_base_ids,
    );
  });

  it('updates the agent in place, moves it to the new documents and deletes the ones it no longer uses', async () => {
    const created = await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_update_base' }));
    const updated = await adapter.updateAgent(
      credentials,
      created.platform_agent_id,
      deployment({
        dedupe_token: 'op_update_1',
        system_prompt: 'New prompt.',
        first_message: 'Hola, ¿en qué puedo ayudarle?',
        language: 'es',
        voice: undefined,
        knowledge_base: [{ key: 'hours', title: 'Opening hours', content: 'Now open Sundays too.' }],
      }),
    );

    expect(updated.platform_agent_id).toBe(created.platform_agent_id);
    expect(updated.knowledge_base_ids).toHaveLength(1);
    const patch = fake.server.last('PATCH', AGENT);
    expect(patch.path).toBe(`/v1/convai/agents/${created.platform_agent_id}`);
    expect(patch.json).toEqual({
      name: 'Bright Smile Dental receptionist [wfw op_update_1]',
      tags: ['wfw:op_update_1'],
      conversation_config: {
        agent: {
          first_message: 'Hola, ¿en qué puedo ayudarle?',
          language: 'es',
          prompt: { prompt: 'New prompt.', knowledge_base: [{ type: 'text', id: updated.knowledge_base_ids[0], name: expect.stringMatching(/^\[wfw op_update_1\/hours#[0-9a-f]{12}\] Opening hours$/) }] },
        },
        // Non-English agents need a multilingual TTS model.
        tts: { model_id: 'eleven_flash_v2_5' },
      },
    });
    for (const old of created.knowledge_base_ids) expect(fake.documents.has(old)).toBe(false);
    expect(fake.documents.has(updated.knowledge_base_ids[0]!)).toBe(true);
  });

  it('reports an update of a missing agent as not_found', async () => {
    await expect(adapter.updateAgent(credentials, 'agent_missing', deployment())).rejects.toMatchObject({
      name: 'PlatformError',
      code: 'not_found',
      retryable: false,
    });
  });

  it('imports the Twilio number once and assigns the agent to it', async () => {
    const agent = await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_phone' }));
    const phone = {
      e164: '+14155550123',
      provider_number_id: 'PN0123',
      telephony: 'twilio',
      telephony_credentials: { account_sid: 'AC123', auth_token: 'twilio-secret' },
    };
    await adapter.attachPhoneNumber(credentials, agent.platform_agent_id, phone);

    expect(fake.server.last('POST', PHONES).json).toEqual({
      provider: 'twilio',
      phone_number: '+14155550123',
      label: '+14155550123',
      sid: 'AC123',
      token: 'twilio-secret',
    });
    const assigned = fake.server.last('PATCH', PHONE);
    expect(assigned.json).toEqual({ agent_id: agent.platform_agent_id });
    const stored = [...fake.phones.values()].find((p) => p.phone_number === '+14155550123');
    expect(stored?.agent_id).toBe(agent.platform_agent_id);

    const imports = fake.server.count('POST', PHONES);
    const patches = fake.server.count('PATCH', PHONE);
    await adapter.attachPhoneNumber(credentials, agent.platform_agent_id, phone);
    expect(fake.server.count('POST', PHONES)).toBe(imports);
    expect(fake.server.count('PATCH', PHONE)).toBe(patches);
  });

  it('refuses numbers from the local pool and Twilio numbers it cannot import', async () => {
    await expect(adapter.attachPhoneNumber(credentials, 'agent_x', { e164: '+14155550199', telephony: 'local' })).rejects.toMatchObject({
      code: 'invalid_request',
      retryable: false,
    });
    await expect(adapter.attachPhoneNumber(credentials, 'agent_x', { e164: '+14155550198', telephony: 'twilio' })).rejects.toMatchObject({
      code: 'invalid_request',
      retryable: false,
    });
  });

  it('deletes the agent and its documents, and a second delete of the same agent still succeeds', async () => {
    const agent = await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_delete' }));
    await adapter.deleteAgent(credentials, agent);
    expect(fake.agents.has(agent.platform_agent_id)).toBe(false);
    for (const id of agent.knowledge_base_ids) expect(fake.documents.has(id)).toBe(false);

    const deletes = fake.server.count('DELETE', AGENT);
    await expect(adapter.deleteAgent(credentials, agent)).resolves.toBeUndefined();
    expect(fake.server.count('DELETE', AGENT)).toBe(deletes + 1);
    expect(fake.server.count('DELETE', KB_DOC)).toBeGreaterThanOrEqual(4);
  });

  it('maps a bad API key to a non-retryable unauthorized error without echoing the key', async () => {
    const badKey = 'sk_wrong_key_123456';
    const err = await adapter.createAgent({ ...credentials, api_key: badKey }, deployment()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect(err).toMatchObject({ platform: 'elevenlabs', code: 'unauthorized', retryable: false, status: 401 });
    expect((err as Error).message).not.toContain(badKey);
  });

  it('maps a 500 to a retryable unavailable error', async () => {
    fake.server.failNext({ status: 500, body: { detail: 'Internal Server Error' } });
    await expect(adapter.createAgent(credentials, deployment({ dedupe_token: 'op_500' }))).rejects.toMatchObject({
      code: 'unavailable',
      retryable: true,
      status: 500,
    });
  });

  it('maps a 429 to a retryable rate_limited error and reports Retry-After', async () => {
    fake.server.failNext({ status: 429, body: { detail: { status: 'too_many_concurrent_requests', message: 'slow down' } }, headers: { 'retry-after': '7' } });
    const err = await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_429' })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'rate_limited', retryable: true, status: 429 });
    expect((err as Error).message).toContain('retry after 7s');
  });

  it('maps an unreachable host to a retryable unavailable error', async () => {
    await expect(adapter.createAgent({ ...credentials, base_url: 'http://127.0.0.1:1' }, deployment())).rejects.toMatchObject({
      code: 'unavailable',
      retryable: true,
    });
  });

  it('the fake rejects a body that breaks the documented contract', async () => {
    const res = await fetch(`${credentials.base_url}/v1/convai/agents/create`, {
      method: 'POST',
      headers: { 'xi-api-key': fake.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ conversationConfig: { agent: { prompt: { prompt: 'x' } } } }),
    });
    expect(res.status).toBe(422);
    expect(fake.server.violations.splice(0)).toHaveLength(1);
  });

  it('points the agent at the workspace webhook for our URL, and deploys without one when none exists', async () => {
    const url = 'https://api.example.com/v2/platform-notifications/elevenlabs';
    const notifications = { url, secret: null };
    const quiet = await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_el_notify_none', knowledge_base: [], notifications }));
    expect(fake.server.last('GET', /^\/v1\/workspace\/webhooks$/)).toBeDefined();
    expect(fake.server.last('POST', CREATE).json).not.toHaveProperty('platform_settings');
    expect(fake.agents.get(quiet.platform_agent_id)?.platform_settings).toBeUndefined();

    fake.webhooks.set('wh_disabled', { webhook_id: 'wh_disabled', name: 'old', webhook_url: url, is_disabled: true, is_auto_disabled: false, auth_type: 'hmac' });
    fake.webhooks.set('wh_ours', { webhook_id: 'wh_ours', name: 'Workforce Wave', webhook_url: url, is_disabled: false, is_auto_disabled: false, auth_type: 'hmac' });
    const created = await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_el_notify', knowledge_base: [], notifications }));
    const settings = { workspace_overrides: { webhooks: { post_call_webhook_id: 'wh_ours', events: ['transcript', 'call_initiation_failure'] } } };
    expect((fake.server.last('POST', CREATE).json as Record<string, unknown>).platform_settings).toEqual(settings);
    await adapter.updateAgent(credentials, created.platform_agent_id, deployment({ dedupe_token: 'op_el_notify', knowledge_base: [], notifications }));
    expect((fake.server.last('PATCH', AGENT).json as Record<string, unknown>).platform_settings).toEqual(settings);
  });

  it('still deploys when the key may not list workspace webhooks', async () => {
    fake.server.failOn('GET', /^\/v1\/workspace\/webhooks$/, { status: 403, body: { detail: { status: 'missing_permissions', message: 'no workspace_webhooks access' } } });
    const created = await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_el_notify_403', knowledge_base: [], notifications: { url: 'https://x.example/n', secret: null } }));
    expect(fake.agents.has(created.platform_agent_id)).toBe(true);
  });

  it('fetches a conversation with GET /v1/convai/conversations/{id} and normalises it as the webhook is', async () => {
    const recorded = JSON.parse(readFileSync(path.join(__dirname, '../fixtures/platform-notifications/elevenlabs/post-call-transcription.json'), 'utf8')) as {
      data: { conversation_id: string };
    };
    fake.conversations.set(recorded.data.conversation_id, recorded.data);
    const call = await adapter.getCall(credentials, recorded.data.conversation_id);
    expect(fake.server.last('GET', /^\/v1\/convai\/conversations\//).path).toBe(`/v1/convai/conversations/${recorded.data.conversation_id}`);
    expect(call).toMatchObject({
      platform: 'elevenlabs',
      platform_call_id: recorded.data.conversation_id,
      platform_agent_id: 'agent_7101k5zvyjhmfg983brhmhkd98n6',
      status: 'completed',
      direction: 'inbound',
      from_number: '+14155550188',
      duration_seconds: 42,
      analysis: { successful: true, data: { caller_name: 'Dana Whitfield', preferred_day: 'Thursday' } },
    });
    expect(call?.turns).toHaveLength(4);
    await expect(adapter.getCall(credentials, 'conv_missing')).resolves.toBeNull();
  });
});

describe('ElevenLabs placeCall against the documented outbound-call contract', () => {
  const OUTBOUND = /^\/v1\/convai\/twilio\/outbound-call$/;
  const CONVERSATIONS = /^\/v1\/convai\/conversations$/;
  const fake = new ElevenLabsFake();
  const adapter = new ElevenLabsPlatformAdapter({ timeoutMs: 5000 });
  let credentials: PlatformCredentials;
  let agentId: string;
  const from = '+14155550160';

  beforeAll(async () => {
    credentials = { api_key: fake.apiKey, base_url: await fake.start() };
    agentId = (await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_outbound', knowledge_base: [] }))).platform_agent_id;
    await adapter.attachPhoneNumber(credentials, agentId, {
      e164: from,
      telephony: 'twilio',
      telephony_credentials: { account_sid: 'AC777', auth_token: 'twilio-secret' },
    });
  });
  afterAll(() => fake.stop());
  afterEach(() => {
    expect(fake.server.violations).toEqual([]);
  });

  function request(token: string, overrides: Partial<OutboundCallRequest> = {}): OutboundCallRequest {
    return { platform_agent_id: agentId, from_number: from, to_number: '+13125550177', variables: { customer_name: 'Ada' }, dedupe_token: token, ...overrides };
  }

  it('finds the number ID by its E.164 and dials through the Twilio integration with our call ID as the user ID', async () => {
    const placed = await adapter.placeCall(credentials, request('call_el_1'));

    const phoneNumberId = [...fake.phones.values()].find((p) => p.phone_number === from)!.phone_number_id;
    const lookup = fake.server.last('GET', CONVERSATIONS);
    expect(Object.fromEntries(lookup.query)).toEqual({ agent_id: agentId, user_id: 'call_el_1', page_size: '1' });
    const sent = fake.server.last('POST', OUTBOUND);
    expect(sent.headers['xi-api-key']).toBe(fake.apiKey);
    expect(sent.json).toEqual({
      agent_id: agentId,
      agent_phone_number_id: phoneNumberId,
      to_number: '+13125550177',
      conversation_initiation_client_data: { user_id: 'call_el_1', dynamic_variables: { customer_name: 'Ada' } },
    });
    expect(placed).toEqual({ platform_call_id: fake.outboundCalls.at(-1)!.conversation_id });
  });

  it('a retry with the same call ID returns the conversation already started and does not dial again', async () => {
    const first = await adapter.placeCall(credentials, request('call_el_retry'));
    const dials = fake.server.count('POST', OUTBOUND);
    const second = await adapter.placeCall(credentials, request('call_el_retry'));
    expect(second).toEqual(first);
    expect(fake.server.count('POST', OUTBOUND)).toBe(dials);
  });

  it('uses a given number ID without listing the numbers', async () => {
    const phoneNumberId = [...fake.phones.values()].find((p) => p.phone_number === from)!.phone_number_id;
    const lists = fake.server.count('GET', PHONES);
    await adapter.placeCall(credentials, request('call_el_id', { from_number_id: phoneNumberId }));
    expect(fake.server.count('GET', PHONES)).toBe(lists);
    expect((fake.server.last('POST', OUTBOUND).json as { agent_phone_number_id: string }).agent_phone_number_id).toBe(phoneNumberId);
  });

  it('refuses a number ElevenLabs has not imported without dialling', async () => {
    const dials = fake.server.count('POST', OUTBOUND);
    await expect(adapter.placeCall(credentials, request('call_el_noimport', { from_number: '+14155550999' }))).rejects.toMatchObject({
      platform: 'elevenlabs',
      code: 'invalid_request',
      retryable: false,
    });
    expect(fake.server.count('POST', OUTBOUND)).toBe(dials);
  });

  it('treats a 200 with success false (Twilio refused) as a non-retryable failure', async () => {
    fake.refuseNextOutboundCall('Twilio error: unverified caller ID');
    const err = await adapter.placeCall(credentials, request('call_el_refused')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect(err).toMatchObject({ code: 'invalid_request', retryable: false });
    expect((err as Error).message).toContain('unverified caller ID');
  });

  it('maps a 4xx from the outbound-call endpoint to a non-retryable error and a 5xx to a retryable one', async () => {
    fake.server.failOn('POST', OUTBOUND, { status: 422, body: { detail: [{ loc: ['body', 'to_number'], msg: 'invalid phone number', type: 'value_error' }] } });
    const invalid = await adapter.placeCall(credentials, request('call_el_422')).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ platform: 'elevenlabs', code: 'invalid_request', retryable: false, status: 422 });
    expect((invalid as Error).message).toContain('invalid phone number');

    fake.server.failOn('POST', OUTBOUND, { status: 503, body: { detail: 'Service Unavailable' } });
    await expect(adapter.placeCall(credentials, request('call_el_503'))).rejects.toMatchObject({ code: 'unavailable', retryable: true, status: 503 });

    fake.server.failOn('POST', OUTBOUND, { status: 429, body: { detail: { status: 'rate_limited', message: 'slow down' } } });
    await expect(adapter.placeCall(credentials, request('call_el_429'))).rejects.toMatchObject({ code: 'rate_limited', retryable: true });

    await expect(adapter.placeCall({ ...credentials, api_key: 'sk_wrong_key_000000' }, request('call_el_401'))).rejects.toMatchObject({
      code: 'unauthorized',
      retryable: false,
    });
  });

  it('the fake rejects an outbound call that breaks the documented body', async () => {
    const res = await fetch(`${credentials.base_url}/v1/convai/twilio/outbound-call`, {
      method: 'POST',
      headers: { 'xi-api-key': fake.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ agentId, toNumber: '+13125550177', dynamic_variables: {} }),
    });
    expect(res.status).toBe(422);
    expect(fake.server.violations.splice(0)).toHaveLength(1);
  });
});
