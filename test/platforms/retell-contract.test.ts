import { AgentDeployment, OutboundCallRequest, PlatformCredentials, PlatformError } from '../../core/platforms/platform-adapter';
import { RetellPlatformAdapter, retellLanguage } from '../../core/platforms/retell-platform-adapter';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RetellFake } from '../support/contract-fakes/retell-fake';

const CREATE_KB = /^\/create-knowledge-base$/;
const CREATE_LLM = /^\/create-retell-llm$/;
const UPDATE_LLM = /^\/update-retell-llm\//;
const CREATE_AGENT = /^\/create-agent$/;
const UPDATE_AGENT = /^\/update-agent\//;
const DELETE_AGENT = /^\/delete-agent\//;
const IMPORT_PHONE = /^\/import-phone-number$/;
const UPDATE_PHONE = /^\/update-phone-number\//;

function deployment(overrides: Partial<AgentDeployment> = {}): AgentDeployment {
  return {
    name: 'Lakeview Vet front desk',
    system_prompt: 'You book appointments for Lakeview Veterinary Clinic.',
    first_message: 'Lakeview Vet, how can we help your pet today?',
    language: 'en',
    knowledge_base: [
      { key: 'hours', title: 'Hours', content: 'Daily 7am-9pm.' },
      { key: 'emergency', title: 'Emergencies', content: 'Go to the 24h animal hospital on Main St.' },
    ],
    dedupe_token: 'op_retell_create',
    ...overrides,
  };
}

describe('Retell adapter against the documented API contract', () => {
  const fake = new RetellFake();
  const adapter = new RetellPlatformAdapter({ timeoutMs: 5000 });
  let credentials: PlatformCredentials;

  beforeAll(async () => {
    credentials = { api_key: fake.apiKey, base_url: await fake.start() };
  });
  afterAll(() => fake.stop());
  afterEach(() => {
    expect(fake.server.violations).toEqual([]);
  });

  it('creates a knowledge base, an LLM holding the prompt and greeting, and an agent bound to it', async () => {
    const deployed = await adapter.createAgent(credentials, deployment());

    expect(deployed.platform).toBe('retell');
    expect(deployed.knowledge_base_ids).toHaveLength(1);

    const kbRequest = fake.server.last('POST', CREATE_KB);
    expect(kbRequest.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    // wfw-<hash of the operation>-<hash of the content>: under Retell's 40 characters whatever the token.
    expect(kbRequest.multipart?.get('knowledge_base_name')).toMatch(/^wfw-[0-9a-f]{12}-[0-9a-f]{16}$/);
    expect(JSON.parse(String(kbRequest.multipart?.get('knowledge_base_texts')))).toEqual([
      { title: 'Hours', text: 'Daily 7am-9pm.' },
      { title: 'Emergencies', text: 'Go to the 24h animal hospital on Main St.' },
    ]);

    const llmRequest = fake.server.last('POST', CREATE_LLM);
    expect(llmRequest.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(llmRequest.json).toEqual({
      general_prompt: 'You book appointments for Lakeview Veterinary Clinic.',
      begin_message: 'Lakeview Vet, how can we help your pet today?',
      knowledge_base_ids: deployed.knowledge_base_ids,
      default_dynamic_variables: { wfw_dedupe_token: 'op_retell_create' },
    });
    const llmId = [...fake.llms.values()].at(-1)!.llm_id;

    expect(fake.server.last('POST', CREATE_AGENT).json).toEqual({
      response_engine: { type: 'retell-llm', llm_id: llmId },
      voice_id: 'retell-Cimo',
      language: 'en-US',
      agent_name: 'Lakeview Vet front desk [wfw op_retell_create]',
    });
    expect(fake.agents.get(deployed.platform_agent_id)?.response_engine.llm_id).toBe(llmId);
  });

  it('finds the agent by its dedupe token and creates nothing the second time', async () => {
    const first = await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_retell_repeat' }));
    const counts = [CREATE_KB, CREATE_LLM, CREATE_AGENT].map((p) => fake.server.count('POST', p));
    const second = await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_retell_repeat' }));

    expect(second).toEqual(first);
    expect([CREATE_KB, CREATE_LLM, CREATE_AGENT].map((p) => fake.server.count('POST', p))).toEqual(counts);
    expect(fake.server.last('POST', /^\/v2\/list-agents$/).json).toEqual({ filter_criteria: { query: 'op_retell_repeat' } });
  });

  it('a retry after create-agent failed reuses the knowledge base and the LLM the first attempt made', async () => {
    const llms = fake.llms.size;
    const kbs = fake.knowledgeBases.size;
    fake.server.failOn('POST', CREATE_AGENT, { status: 500, body: { status: 'error', message: 'Internal Server Error' } });
    await expect(adapter.createAgent(credentials, deployment({ dedupe_token: 'op_retell_resume' }))).rejects.toMatchObject({ code: 'unavailable', retryable: true });

    const retried = await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_retell_resume' }));
    expect(fake.llms.size).toBe(llms + 1);
    expect(fake.knowledgeBases.size).toBe(kbs + 1);
    expect(fake.agents.get(retried.platform_agent_id)?.response_engine.llm_id).toBe([...fake.llms.values()].at(-1)!.llm_id);
  });

  it('updates the LLM and the agent, and replaces the knowledge base', async () => {
    const created = await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_retell_update_base' }));
    const llmId = fake.agents.get(created.platform_agent_id)!.response_engine.llm_id;
    const updated = await adapter.updateAgent(
      credentials,
      created.platform_agent_id,
      deployment({
        dedupe_token: 'op_retell_update',
        system_prompt: 'Updated.',
        first_message: 'Bonjour !',
        language: 'fr',
        voice: '11labs-Adrian',
        knowledge_base: [{ key: 'hours', title: 'Hours', content: 'Closed Sundays.' }],
      }),
    );

    expect(updated.platform_agent_id).toBe(created.platform_agent_id);
    expect(updated.knowledge_base_ids).toHaveLength(1);
    expect(updated.knowledge_base_ids[0]).not.toBe(created.knowledge_base_ids[0]);
    const llmPatch = fake.server.last('PATCH', UPDATE_LLM);
    expect(llmPatch.path).toBe(`/update-retell-llm/${llmId}`);
    expect(llmPatch.json).toEqual({ general_prompt: 'Updated.', begin_message: 'Bonjour !', knowledge_base_ids: updated.knowledge_base_ids });
    expect(fake.server.last('PATCH', UPDATE_AGENT).json).toEqual({
      voice_id: '11labs-Adrian',
      language: 'fr-FR',
      agent_name: 'Lakeview Vet front desk [wfw op_retell_update]',
    });
    expect(fake.knowledgeBases.has(created.knowledge_base_ids[0]!)).toBe(false);
  });

  it('reports an update of a missing agent as not_found', async () => {
    await expect(adapter.updateAgent(credentials, 'agent_missing', deployment())).rejects.toMatchObject({ code: 'not_found', retryable: false });
  });

  it('imports the number over SIP with the agent as its inbound agent, then re-points it idempotently', async () => {
    const one = await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_retell_phone_1', knowledge_base: [] }));
    const two = await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_retell_phone_2', knowledge_base: [] }));
    const phone = { e164: '+16175550111', telephony: 'twilio', sip_termination_uri: 'wfw-trunk.pstn.twilio.com' };

    await adapter.attachPhoneNumber(credentials, one.platform_agent_id, phone);
    expect(fake.server.last('POST', IMPORT_PHONE).json).toEqual({
      phone_number: '+16175550111',
      termination_uri: 'wfw-trunk.pstn.twilio.com',
      inbound_agents: [{ agent_id: one.platform_agent_id, weight: 1 }],
      nickname: '+16175550111',
    });
    await adapter.attachPhoneNumber(credentials, one.platform_agent_id, phone);
    expect(fake.server.count('POST', IMPORT_PHONE)).toBe(1);
    expect(fake.server.count('PATCH', UPDATE_PHONE)).toBe(0);

    await adapter.attachPhoneNumber(credentials, two.platform_agent_id, phone);
    const patch = fake.server.last('PATCH', UPDATE_PHONE);
    expect(patch.path).toBe('/update-phone-number/%2B16175550111');
    expect(patch.json).toEqual({ inbound_agents: [{ agent_id: two.platform_agent_id, weight: 1 }] });
    expect(fake.phoneNumbers.get('+16175550111')?.inbound_agents).toEqual([{ agent_id: two.platform_agent_id, weight: 1 }]);
  });

  it('needs a SIP termination URI to import a number it does not have yet', async () => {
    await expect(adapter.attachPhoneNumber(credentials, 'agent_x', { e164: '+16175550112', telephony: 'twilio' })).rejects.toMatchObject({
      code: 'invalid_request',
      retryable: false,
    });
  });

  it('deletes the agent, its LLM and its knowledge base; a second delete succeeds', async () => {
    const created = await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_retell_delete' }));
    const llmId = fake.agents.get(created.platform_agent_id)!.response_engine.llm_id;
    await adapter.deleteAgent(credentials, created);

    expect(fake.agents.has(created.platform_agent_id)).toBe(false);
    expect(fake.llms.has(llmId)).toBe(false);
    expect(fake.knowledgeBases.has(created.knowledge_base_ids[0]!)).toBe(false);

    const deletes = fake.server.count('DELETE', DELETE_AGENT);
    await expect(adapter.deleteAgent(credentials, created)).resolves.toBeUndefined();
    expect(fake.server.count('DELETE', DELETE_AGENT)).toBe(deletes + 1);
  });

  it('maps a bad API key to a non-retryable unauthorized error without echoing the key', async () => {
    const err = await adapter.createAgent({ ...credentials, api_key: 'key_not_valid_999' }, deployment()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect(err).toMatchObject({ platform: 'retell', code: 'unauthorized', retryable: false, status: 401 });
    expect((err as Error).message).not.toContain('key_not_valid_999');
    expect((err as Error).message).toContain('API key is missing or invalid.');
  });

  it('maps a 500 to retryable unavailable and a 429 to retryable rate_limited', async () => {
    fake.server.failNext({ status: 500, body: { status: 'error', message: 'Internal Server Error' } });
    await expect(adapter.createAgent(credentials, deployment({ dedupe_token: 'op_retell_500' }))).rejects.toMatchObject({ code: 'unavailable', retryable: true });
    fake.server.failNext({ status: 429, body: { status: 'error', message: 'Too many requests' } });
    await expect(adapter.createAgent(credentials, deployment({ dedupe_token: 'op_retell_429' }))).rejects.toMatchObject({ code: 'rate_limited', retryable: true });
  });

  it('maps BCP 47 tags onto the languages Retell accepts', () => {
    expect(retellLanguage('en')).toBe('en-US');
    expect(retellLanguage('en-gb')).toBe('en-GB');
    expect(retellLanguage('pt-BR')).toBe('pt-BR');
    expect(retellLanguage('es-MX')).toBe('es-ES');
    expect(retellLanguage('tlh')).toBe('multi');
  });

  it('the fake rejects a body that breaks the documented contract', async () => {
    const res = await fetch(`${credentials.base_url}/create-agent`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fake.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ llm_id: 'llm_x', voice_id: 'retell-Cimo' }),
    });
    expect(res.status).toBe(400);
    expect(fake.server.violations.splice(0)).toHaveLength(1);
  });

  it('sets the agent’s webhook_url and the lifecycle webhook_events on create and update', async () => {
    const notifications = { url: 'https://api.example.com/v2/platform-notifications/retell', secret: null };
    const created = await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_retell_notify', notifications }));
    expect(fake.server.last('POST', CREATE_AGENT).json).toMatchObject({
      webhook_url: notifications.url,
      webhook_events: ['call_started', 'call_ended', 'call_analyzed'],
    });
    expect(fake.agents.get(created.platform_agent_id)?.webhook_url).toBe(notifications.url);
    await adapter.updateAgent(credentials, created.platform_agent_id, deployment({ dedupe_token: 'op_retell_notify', notifications }));
    expect(fake.server.last('PATCH', UPDATE_AGENT).json).toMatchObject({ webhook_url: notifications.url });
  });

  it('fetches a call with GET /v2/get-call/{call_id}, cost converted from cents', async () => {
    const recorded = JSON.parse(readFileSync(path.join(__dirname, '../fixtures/platform-notifications/retell/get-call.json'), 'utf8')) as { call_id: string };
    fake.calls.set(recorded.call_id, recorded);
    const call = await adapter.getCall(credentials, recorded.call_id);
    expect(fake.server.last('GET', /^\/v2\/get-call\//).path).toBe(`/v2/get-call/${recorded.call_id}`);
    expect(call).toMatchObject({
      platform: 'retell',
      platform_call_id: recorded.call_id,
      platform_agent_id: 'oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD',
      status: 'completed',
      cost_usd: 0.1367,
      duration_seconds: 81.5,
      from_number: '+12137771234',
      analysis: { successful: true },
    });
    expect(call?.turns.map((t) => t.role)).toEqual(['agent', 'caller']);
    await expect(adapter.getCall(credentials, 'call_missing')).resolves.toBeNull();
  });
});

describe('Retell placeCall against the documented create-phone-call contract', () => {
  const CREATE_CALL = /^\/v2\/create-phone-call$/;
  const LIST_CALLS = /^\/v3\/list-calls$/;
  const fake = new RetellFake();
  const adapter = new RetellPlatformAdapter({ timeoutMs: 5000 });
  let credentials: PlatformCredentials;
  let agentId: string;
  const from = '+16175550120';

  beforeAll(async () => {
    credentials = { api_key: fake.apiKey, base_url: await fake.start() };
    agentId = (await adapter.createAgent(credentials, deployment({ dedupe_token: 'op_retell_outbound' }))).platform_agent_id;
    await adapter.attachPhoneNumber(credentials, agentId, { e164: from, telephony: 'twilio', sip_termination_uri: 'wfw-trunk.pstn.twilio.com' });
  });
  afterAll(() => fake.stop());
  afterEach(() => {
    expect(fake.server.violations).toEqual([]);
  });

  function request(token: string, overrides: Partial<OutboundCallRequest> = {}): OutboundCallRequest {
    return { platform_agent_id: agentId, from_number: from, to_number: '+16175550188', variables: { pet_name: 'Rex' }, dedupe_token: token, ...overrides };
  }

  it('dials from the E.164 with the agent as override, the variables and our call ID in metadata', async () => {
    const placed = await adapter.placeCall(credentials, request('call_retell_1'));

    expect(fake.server.last('POST', LIST_CALLS).json).toEqual({
      filter_criteria: {
        agent: [{ agent_id: agentId }],
        metadata: [{ key: 'wfw_call_id', op: 'eq', type: 'string', value: 'call_retell_1' }],
      },
      limit: 1,
    });
    const sent = fake.server.last('POST', CREATE_CALL);
    expect(sent.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(sent.json).toEqual({
      from_number: from,
      to_number: '+16175550188',
      override_agent_id: agentId,
      retell_llm_dynamic_variables: { pet_name: 'Rex' },
      metadata: { wfw_call_id: 'call_retell_1' },
    });
    expect(placed).toEqual({ platform_call_id: fake.placedCallIds.at(-1) });
  });

  it('a retry with the same call ID returns the call already created and does not dial again', async () => {
    const first = await adapter.placeCall(credentials, request('call_retell_retry'));
    await adapter.placeCall(credentials, request('call_retell_other'));
    const dials = fake.server.count('POST', CREATE_CALL);
    const second = await adapter.placeCall(credentials, request('call_retell_retry'));
    expect(second).toEqual(first);
    expect(fake.server.count('POST', CREATE_CALL)).toBe(dials);
  });

  it('ignores a number ID (Retell names numbers by E.164) and reports a number it has not imported as not_found', async () => {
    await adapter.placeCall(credentials, request('call_retell_id', { from_number_id: 'PN-ignored' }));
    expect((fake.server.last('POST', CREATE_CALL).json as Record<string, unknown>).from_number).toBe(from);
    await expect(adapter.placeCall(credentials, request('call_retell_noimport', { from_number: '+16175550999' }))).rejects.toMatchObject({
      platform: 'retell',
      code: 'not_found',
      retryable: false,
    });
  });

  it('maps a 4xx from create-phone-call to a non-retryable error and a 5xx to a retryable one', async () => {
    fake.server.failOn('POST', CREATE_CALL, { status: 422, body: { status: 'error', message: 'to_number is not a valid phone number' } });
    const invalid = await adapter.placeCall(credentials, request('call_retell_422')).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(PlatformError);
    expect(invalid).toMatchObject({ platform: 'retell', code: 'invalid_request', retryable: false, status: 422 });
    expect((invalid as Error).message).toContain('not a valid phone number');

    fake.server.failOn('POST', CREATE_CALL, { status: 500, body: { status: 'error', message: 'Internal server error' } });
    await expect(adapter.placeCall(credentials, request('call_retell_500'))).rejects.toMatchObject({ code: 'unavailable', retryable: true, status: 500 });

    fake.server.failOn('POST', LIST_CALLS, { status: 429, body: { status: 'error', message: 'Too many requests' } });
    await expect(adapter.placeCall(credentials, request('call_retell_429'))).rejects.toMatchObject({ code: 'rate_limited', retryable: true });

    await expect(adapter.placeCall({ ...credentials, api_key: 'key_wrong_0000000' }, request('call_retell_401'))).rejects.toMatchObject({
      code: 'unauthorized',
      retryable: false,
    });
  });

  it('the fake rejects a create-phone-call body that breaks the documented contract', async () => {
    const res = await fetch(`${credentials.base_url}/v2/create-phone-call`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fake.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ from_number: from, to_number: '+16175550188', agent_id: agentId, retell_llm_dynamic_variables: { n: 1 } }),
    });
    expect(res.status).toBe(400);
    expect(fake.server.violations.splice(0)).toHaveLength(1);
  });
});
