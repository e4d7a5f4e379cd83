import { ElevenLabsPlatformAdapter } from '../../core/platforms/elevenlabs-platform-adapter';
import { AgentDeployment, KnowledgeDocument, PlatformCredentials } from '../../core/platforms/platform-adapter';
import { RetellPlatformAdapter } from '../../core/platforms/retell-platform-adapter';
import { VapiPlatformAdapter } from '../../core/platforms/vapi-platform-adapter';
import { ElevenLabsFake } from '../support/contract-fakes/elevenlabs-fake';
import { RetellFake } from '../support/contract-fakes/retell-fake';
import { VapiFake } from '../support/contract-fakes/vapi-fake';

/*
 * Knowledge-base sync (updateAgent with a new KB version) against each provider's contract fake:
 * after a sync the platform serves exactly the new version and keeps none of the old; a failure
 * part-way leaves the old version serving, intact; a retry or a repeat leaves no duplicates.
 */

const V1: KnowledgeDocument[] = [
  { key: 'hours', title: 'Opening hours', content: 'Mon-Fri 8am-6pm.' },
  { key: 'services', title: 'Services', content: 'Cleanings and fillings.' },
];
/** Same keys and titles, one document edited in place, one added: the case a name-only match gets wrong. */
const V2: KnowledgeDocument[] = [
  { key: 'hours', title: 'Opening hours', content: 'Mon-Fri 8am-6pm, and now Saturdays 9am-1pm.' },
  { key: 'services', title: 'Services', content: 'Cleanings and fillings.' },
  { key: 'parking', title: 'Parking', content: 'Free parking behind the building.' },
];

function deployment(token: string, knowledge: KnowledgeDocument[]): AgentDeployment {
  return {
    name: 'Bright Smile Dental receptionist',
    system_prompt: 'You are the receptionist of Bright Smile Dental.',
    first_message: 'Bright Smile Dental, how can I help?',
    language: 'en',
    knowledge_base: knowledge,
    dedupe_token: token,
  };
}

function contents(knowledge: KnowledgeDocument[]): string[] {
  return knowledge.map((d) => d.content).sort();
}

describe('knowledge-base sync on ElevenLabs', () => {
  const fake = new ElevenLabsFake();
  const adapter = new ElevenLabsPlatformAdapter({ timeoutMs: 5000 });
  const AGENT = /^\/v1\/convai\/agents\/[^/]+$/;
  const KB_TEXT = /^\/v1\/convai\/knowledge-base\/text$/;
  let credentials: PlatformCredentials;

  beforeAll(async () => {
    credentials = { api_key: fake.apiKey, base_url: await fake.start() };
  });
  afterAll(() => fake.stop());
  afterEach(() => expect(fake.server.violations).toEqual([]));

  const served = (agentId: string) => fake.servedDocuments(agentId).map((d) => d.text).sort();
  /** Every document of the operation the account holds, attached or not. */
  const operationDocs = (token: string) => [...fake.documents.values()].filter((d) => d.name.startsWith(`[wfw ${token}/`));

  it('an edited KB reaches the agent as new documents, and the old ones are deleted after the swap', async () => {
    const token = 'op_el_kb_edit';
    const created = await adapter.createAgent(credentials, deployment(token, V1));
    const oldHours = fake.servedDocuments(created.platform_agent_id).find((d) => d.text === V1[0]!.content)!;

    const synced = await adapter.updateAgent(credentials, created.platform_agent_id, deployment(token, V2));

    expect(served(created.platform_agent_id)).toEqual(contents(V2));
    expect(operationDocs(token).map((d) => d.text).sort()).toEqual(contents(V2));
    expect(operationDocs(token).map((d) => d.id).sort()).toEqual([...synced.knowledge_base_ids].sort());
    expect([...fake.documents.values()].some((d) => d.name === oldHours.name)).toBe(false);
  });

  it('a failed agent update leaves v1 attached and undeleted; the retry reuses the new documents and leaves no orphans', async () => {
    const token = 'op_el_kb_fail';
    const created = await adapter.createAgent(credentials, deployment(token, V1));
    const v1Ids = [...created.knowledge_base_ids];

    fake.server.failOn('PATCH', AGENT, { status: 500, body: { detail: 'Internal Server Error' } });
    await expect(adapter.updateAgent(credentials, created.platform_agent_id, deployment(token, V2))).rejects.toMatchObject({ code: 'unavailable', retryable: true });

    expect(served(created.platform_agent_id)).toEqual(contents(V1));
    for (const id of v1Ids) expect(fake.documents.has(id)).toBe(true);

    const creates = fake.server.count('POST', KB_TEXT);
    await adapter.updateAgent(credentials, created.platform_agent_id, deployment(token, V2));
    expect(fake.server.count('POST', KB_TEXT)).toBe(creates);
    expect(served(created.platform_agent_id)).toEqual(contents(V2));
    expect(operationDocs(token).map((d) => d.text).sort()).toEqual(contents(V2));
  });

  it('compensating a failed sync with v1 removes the documents the failed attempt created', async () => {
    const token = 'op_el_kb_restore';
    const created = await adapter.createAgent(credentials, deployment(token, V1));
    fake.server.failOn('PATCH', AGENT, { status: 503, body: { detail: 'Service Unavailable' } });
    await expect(adapter.updateAgent(credentials, created.platform_agent_id, deployment(token, V2))).rejects.toMatchObject({ retryable: true });
    expect(operationDocs(token)).toHaveLength(V1.length + 2);

    const restored = await adapter.updateAgent(credentials, created.platform_agent_id, deployment(token, V1));

    expect(restored.knowledge_base_ids.sort()).toEqual([...created.knowledge_base_ids].sort());
    expect(served(created.platform_agent_id)).toEqual(contents(V1));
    expect(operationDocs(token).map((d) => d.text).sort()).toEqual(contents(V1));
  });

  it('the same sync twice creates nothing the second time', async () => {
    const token = 'op_el_kb_twice';
    const created = await adapter.createAgent(credentials, deployment(token, V1));
    const first = await adapter.updateAgent(credentials, created.platform_agent_id, deployment(token, V2));
    const creates = fake.server.count('POST', KB_TEXT);

    const second = await adapter.updateAgent(credentials, created.platform_agent_id, deployment(token, V2));

    expect(second).toEqual(first);
    expect(fake.server.count('POST', KB_TEXT)).toBe(creates);
    expect(operationDocs(token)).toHaveLength(V2.length);
  });
});

describe('knowledge-base sync on Retell', () => {
  const fake = new RetellFake();
  const adapter = new RetellPlatformAdapter({ timeoutMs: 5000, indexPollMs: 1 });
  const UPDATE_LLM = /^\/update-retell-llm\/[^/]+$/;
  const CREATE_KB = /^\/create-knowledge-base$/;
  let credentials: PlatformCredentials;

  beforeAll(async () => {
    credentials = { api_key: fake.apiKey, base_url: await fake.start() };
  });
  afterAll(() => fake.stop());
  afterEach(() => {
    fake.indexingReads = 0;
    expect(fake.server.violations).toEqual([]);
  });

  const served = (agentId: string) => fake.servedTexts(agentId).map((t) => t.text).sort();
  /** The operation's bases: the adapter reports them all through findAgentByDedupeToken. */
  const operationBases = async (token: string) => (await adapter.findAgentByDedupeToken(credentials, token))?.knowledge_base_ids ?? [];

  it('an edited KB becomes a new knowledge base the LLM uses; the old base is deleted after the swap', async () => {
    const token = 'op_retell_kb_edit';
    const created = await adapter.createAgent(credentials, deployment(token, V1));
    expect(served(created.platform_agent_id)).toEqual(contents(V1));

    const synced = await adapter.updateAgent(credentials, created.platform_agent_id, deployment(token, V2));

    expect(synced.knowledge_base_ids).toHaveLength(1);
    expect(synced.knowledge_base_ids[0]).not.toBe(created.knowledge_base_ids[0]);
    expect(served(created.platform_agent_id)).toEqual(contents(V2));
    expect(fake.knowledgeBases.has(created.knowledge_base_ids[0]!)).toBe(false);
    expect(await operationBases(token)).toEqual(synced.knowledge_base_ids);
  });

  it('a failed LLM update leaves the LLM on v1’s base, which still exists; the retry reuses the new base and leaves no orphans', async () => {
    const token = 'op_retell_kb_fail';
    const created = await adapter.createAgent(credentials, deployment(token, V1));

    fake.server.failOn('PATCH', UPDATE_LLM, { status: 500, body: { status: 'error', message: 'Internal Server Error' } });
    await expect(adapter.updateAgent(credentials, created.platform_agent_id, deployment(token, V2))).rejects.toMatchObject({ code: 'unavailable', retryable: true });

    expect(served(created.platform_agent_id)).toEqual(contents(V1));
    expect(fake.knowledgeBases.has(created.knowledge_base_ids[0]!)).toBe(true);

    const creates = fake.server.count('POST', CREATE_KB);
    const synced = await adapter.updateAgent(credentials, created.platform_agent_id, deployment(token, V2));
    expect(fake.server.count('POST', CREATE_KB)).toBe(creates);
    expect(served(created.platform_agent_id)).toEqual(contents(V2));
    expect(await operationBases(token)).toEqual(synced.knowledge_base_ids);
  });

  it('compensating a failed sync with v1 goes back to v1 and removes the base the failed attempt created', async () => {
    const token = 'op_retell_kb_restore';
    const created = await adapter.createAgent(credentials, deployment(token, V1));
    fake.server.failOn('PATCH', UPDATE_LLM, { status: 500, body: { status: 'error', message: 'Internal Server Error' } });
    await expect(adapter.updateAgent(credentials, created.platform_agent_id, deployment(token, V2))).rejects.toMatchObject({ retryable: true });
    expect(await operationBases(token)).toHaveLength(2);

    const restored = await adapter.updateAgent(credentials, created.platform_agent_id, deployment(token, V1));

    expect(restored.knowledge_base_ids).toEqual(created.knowledge_base_ids);
    expect(served(created.platform_agent_id)).toEqual(contents(V1));
    expect(await operationBases(token)).toEqual(created.knowledge_base_ids);
  });

  it('waits for the new base to be indexed before swapping, and gives up retryably (old base still serving) while it is not', async () => {
    const token = 'op_retell_kb_indexing';
    const created = await adapter.createAgent(credentials, deployment(token, V1));

    fake.indexingReads = 1000;
    await expect(adapter.updateAgent(credentials, created.platform_agent_id, deployment(token, V2))).rejects.toMatchObject({ code: 'unavailable', retryable: true });
    expect(served(created.platform_agent_id)).toEqual(contents(V1));

    fake.indexingReads = 0;
    const creates = fake.server.count('POST', CREATE_KB);
    await adapter.updateAgent(credentials, created.platform_agent_id, deployment(token, V2));
    expect(fake.server.count('POST', CREATE_KB)).toBe(creates);
    expect(served(created.platform_agent_id)).toEqual(contents(V2));
  });

  it('the same sync twice creates nothing the second time', async () => {
    const token = 'op_retell_kb_twice';
    const created = await adapter.createAgent(credentials, deployment(token, V1));
    const first = await adapter.updateAgent(credentials, created.platform_agent_id, deployment(token, V2));
    const creates = fake.server.count('POST', CREATE_KB);

    const second = await adapter.updateAgent(credentials, created.platform_agent_id, deployment(token, V2));

    expect(second).toEqual(first);
    expect(fake.server.count('POST', CREATE_KB)).toBe(creates);
    expect(await operationBases(token)).toEqual(first.knowledge_base_ids);
  });
});

describe('knowledge-base sync on Vapi (knowledge inline in the system prompt)', () => {
  const fake = new VapiFake();
  const adapter = new VapiPlatformAdapter({ timeoutMs: 5000 });
  const ASSISTANT = /^\/assistant\/[^/]+$/;
  let credentials: PlatformCredentials;

  beforeAll(async () => {
    credentials = { api_key: fake.apiKey, base_url: await fake.start() };
  });
  afterAll(() => fake.stop());
  afterEach(() => expect(fake.server.violations).toEqual([]));

  const systemPrompt = (id: string) => fake.assistants.get(id)?.model?.messages?.find((m) => m.role === 'system')?.content ?? '';

  it('the assistant’s prompt carries exactly the new version', async () => {
    const created = await adapter.createAgent(credentials, deployment('op_vapi_kb_edit', V1));
    await adapter.updateAgent(credentials, created.platform_agent_id, deployment('op_vapi_kb_edit', V2));

    const prompt = systemPrompt(created.platform_agent_id);
    for (const doc of V2) expect(prompt).toContain(doc.content);
    // v2's hours begin like v1's ("Mon-Fri 8am-6pm") but v1's sentence ends there.
    expect(prompt).not.toContain(V1[0]!.content);
  });

  it('a failed assistant update leaves v1 in the prompt; the retry brings v2', async () => {
    const created = await adapter.createAgent(credentials, deployment('op_vapi_kb_fail', V1));
    const before = systemPrompt(created.platform_agent_id);

    fake.server.failOn('PATCH', ASSISTANT, { status: 500, body: { message: 'Internal server error', statusCode: 500 } });
    await expect(adapter.updateAgent(credentials, created.platform_agent_id, deployment('op_vapi_kb_fail', V2))).rejects.toMatchObject({ code: 'unavailable', retryable: true });
    expect(systemPrompt(created.platform_agent_id)).toBe(before);

    await adapter.updateAgent(credentials, created.platform_agent_id, deployment('op_vapi_kb_fail', V2));
    for (const doc of V2) expect(systemPrompt(created.platform_agent_id)).toContain(doc.content);
  });

  it('the same sync twice leaves the same assistant and no second one', async () => {
    const created = await adapter.createAgent(credentials, deployment('op_vapi_kb_twice', V1));
    await adapter.updateAgent(credentials, created.platform_agent_id, deployment('op_vapi_kb_twice', V2));
    const once = systemPrompt(created.platform_agent_id);
    const assistants = fake.assistants.size;

    await adapter.updateAgent(credentials, created.platform_agent_id, deployment('op_vapi_kb_twice', V2));

    expect(systemPrompt(created.platform_agent_id)).toBe(once);
    expect(fake.assistants.size).toBe(assistants);
  });
});
